"""The bundled example submissions: three fictional students the demo grades.

- alice: everything right, written in her own style (the corpus's first correct variants);
- bao:   a partial attempt: a third right, a third with a typical mistake, a third not started;
- chidi: opened the notebooks and submitted them untouched.

They are generated from the release and the corpus, committed under examples/submitted/, and
a test checks that they are up to date.  Run `python -m devtools.examples` after changing
the notebooks or the corpus.
"""

from pathlib import Path

from coursekit import notebooks
from coursekit.spec import ASSIGNMENT, EXERCISES

from .corpus import load
from .scratch import REPO

EXAMPLES = REPO / "examples" / "submitted"
STUDENTS = ("alice", "bao", "chidi")


def answers(student, notebook, cases):
    """exercise -> solution-cell code for one example student and notebook (None: untouched)."""
    if student == "chidi":
        return None

    def first(exercise, kind):
        return next(c.code for c in cases if c.notebook == notebook and c.exercise == exercise and c.kind == kind)

    chosen = {}
    for i, exercise in enumerate(EXERCISES[notebook]):
        if student == "alice" or i % 3 == 0:
            chosen[exercise] = first(exercise, "correct")
        elif i % 3 == 1:
            chosen[exercise] = first(exercise, "mistake")
    return chosen


def build(release_dir, out_dir=EXAMPLES, cases=None):
    """Write out_dir/<student>/math_numpy/<notebook>.ipynb for the example students."""
    cases = cases if cases is not None else load()
    for student in STUDENTS:
        for nb in EXERCISES:
            release_nb = notebooks.read(Path(release_dir) / f"{nb}.ipynb")
            chosen = answers(student, nb, cases)
            filled = release_nb if chosen is None else notebooks.filled_in(release_nb, chosen)
            notebooks.write(filled, Path(out_dir) / student / ASSIGNMENT / f"{nb}.ipynb")
    return out_dir


def submit_class(course, students, submitted="submitted"):
    """course/submitted/s00, s01, ...: `students` copies of the example students, in turn (benchmarks)."""
    import shutil

    for i in range(students):
        shutil.copytree(EXAMPLES / STUDENTS[i % len(STUDENTS)] / ASSIGNMENT,
                        Path(course) / submitted / f"s{i:02d}" / ASSIGNMENT)


if __name__ == "__main__":
    print(f"wrote {build(REPO / 'release' / ASSIGNMENT)}")
