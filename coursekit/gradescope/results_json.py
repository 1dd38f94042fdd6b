"""Gradescope's results.json, rendered from the course's results model (coursekit/results.py).

One test per exercise of coursekit.spec, named "<notebook number> <exercise>" ("03 softmax"),
numbered "<notebook>.<exercise>", scored with the sum of that exercise's test cells in the
gradebook; its output lists each test cell that lost points with its error (`ename: evalue`,
never a traceback, so never test source), and whether the visible or the hidden part of the cell
failed.  All output is plain text (`output_format: "text"`): Gradescope's default
"simple_format" would read `<lambda>` or `<class 'float'>` in a message as HTML and swallow it.

A withheld notebook (the results model's `withheld`: doubtful grading or a tamper-scan flag,
coursekit/review.py) carries no points: its exercises score 0 and say "Withheld for review", the
top level lists it, and the reason is in stdout, for the instructor; on Gradescope, clearing it
means setting the score by hand once reviewed.

Visibility: every exercise's score includes hidden tests, so every test is "after_published";
the top level is "visible" and says at once what a student can act on before the deadline
(notebooks received, missing, ignored; exercises failing their *visible* checks); stdout
(nbgrader's log, statuses, the tamper scan) is "hidden": Gradescope shows it to instructors only.
"""

import dataclasses
from pathlib import Path

from .. import notebooks, redaction, results
from ..spec import EXERCISES, NOTEBOOKS
from ..status import State

WITHHELD_NOTE = "Withheld for review: your instructor looks at {notebook}.ipynb before its points count."
STUDENT = "student"  # the scratch course grades one submission: its student needs no real name
TEXT = "text"


def instructor_only_lines(source_dir):
    """Lines of solutions and hidden tests that appear nowhere a student can see them, with the
    markers of nbgrader's config (the course's one redaction, coursekit/redaction.py)."""
    source_dir = Path(source_dir)
    markers = redaction.Markers.of_course(source_dir.parent.parent)  # course/source/<assignment>
    return markers.secret_lines(cell.source for path in sorted(source_dir.glob("*.ipynb"))
                                for cell in notebooks.read(path).cells)


def redact(text, secret):
    return redaction.redact(text, secret)


@dataclasses.dataclass
class Failure:
    """A test cell that lost points, as results.json shows it (from the model's CellResult)."""
    cell: str
    score: float
    max_score: float
    message: str
    part: str | None  # "visible" (a check the student has), "hidden", or None: cannot tell
    not_answered: bool = False

    def __str__(self):
        where = {"visible": ", visible check", "hidden": ", hidden test"}.get(self.part, "")
        return f"{self.cell} ({self.score:g}/{self.max_score:g} points{where}): {self.message}"


@dataclasses.dataclass
class Exercise:
    """One exercise's result: its points, and why it lost some."""
    notebook: str
    name: str
    score: float
    max_score: float
    failures: list  # [Failure], one per test cell that lost points
    not_graded: str = ""  # why the exercise's notebook was not graded at all
    withheld: str = ""  # why the notebook's points are withheld for review (the results model's)

    @property
    def title(self):
        return f"{self.notebook[:2]} {self.name}"

    @property
    def number(self):
        return f"{NOTEBOOKS.index(self.notebook) + 1}.{EXERCISES[self.notebook].index(self.name) + 1}"

    @property
    def points(self):
        """The points results.json carries: none while withheld."""
        return 0.0 if self.withheld else self.score

    def output(self, secret):
        lines = [f"Not graded: {self.not_graded}"] if self.not_graded else [str(f) for f in self.failures]
        if self.withheld:
            lines.insert(0, WITHHELD_NOTE.format(notebook=self.notebook))
        return redact("\n".join(lines), secret) or "All tests passed."

    @property
    def visible_failure(self):
        return next((f for f in self.failures if f.part == "visible"), None)

    @property
    def checked(self):
        """Could the visible checks be judged: graded, and every failure placed in its part?"""
        return not self.not_graded and all(f.part for f in self.failures)


def exercise_results(course, found, student=STUDENT):
    """An Exercise for every exercise of the spec, from the results model of the scratch course."""
    model = results.student_result(course, student)
    exercises = []
    for nb, graded in model.notebooks.items():
        reason = not_graded_reason(nb, found, graded)
        for name, e in graded.exercises.items():
            failures = [] if reason else [
                Failure(c.grade_id, c.score, c.max_score, c.failure.message if c.failure else results.NO_MESSAGE,
                        c.failure.part if c.failure else None, bool(c.failure and c.failure.not_answered))
                for c in e.cells if c.score < c.max_score]
            exercises.append(Exercise(nb, name, e.score, e.max_score, failures, reason, graded.withheld))
    return exercises


def not_graded_reason(nb, found, graded):
    """Why a notebook (a NotebookResult) has no grades to show, or "" when it has."""
    if nb not in found:
        return f"{nb}.ipynb was not submitted."
    if graded.status in (State.NOT_GRADED, State.MISSING):
        return f"{nb}.ipynb could not be graded; your instructor has the log."
    if graded.status == State.UNREADABLE:
        return f"{nb}.ipynb could not be read ({graded.detail})."
    return ""


def results_json(exercises, found, missing, ignored, statuses, seconds, secret, score=None):
    """The results.json object, following Gradescope's spec. score: the final score (the results
    model's released_final_score: late penalty off, withheld notebooks 0); the tests' sum without one."""
    tests = [{"score": e.points, "max_score": e.max_score, "name": e.title, "number": e.number,
              "output": e.output(secret), "output_format": TEXT, "visibility": "after_published"} for e in exercises]
    return {"score": sum(t["score"] for t in tests) if score is None else score, "execution_time": round(seconds),
            "output": redact(summary(exercises, found, missing, ignored, statuses), secret),
            "output_format": TEXT, "test_output_format": TEXT, "test_name_format": TEXT,
            "visibility": "visible", "stdout_visibility": "hidden", "tests": tests}


def failure_results(seconds):
    """results.json when grading itself failed (not the student's notebooks): a clear message, no score
    to trust; the traceback is in stdout, for the instructor."""
    return {"score": 0.0, "execution_time": round(seconds), "output_format": TEXT,
            "output": "The autograder failed before it could grade your submission; this is not a grade. "
                      "Your instructor can see why in the autograder's log: please tell them, and resubmit "
                      "when they say so.",
            "visibility": "visible", "stdout_visibility": "hidden", "tests": []}


def summary(exercises, found, missing, ignored, statuses):
    """The top-level output students see at once: files, notebook problems, visible checks."""
    names = ", ".join(f"{nb}.ipynb" for nb in found) or "no notebook of this assignment"
    text = [f"Received: {names}."]
    if missing:
        text.append(f"Missing: {', '.join(f'{nb}.ipynb' for nb in missing)}.")
    withheld = list(dict.fromkeys(e.notebook for e in exercises if e.withheld))
    if withheld:
        text.append(f"Withheld for review (no points until your instructor has looked): "
                    f"{', '.join(f'{nb}.ipynb' for nb in withheld)}.")
    if ignored:
        text.append(f"Ignored, not part of the assignment: {', '.join(ignored)}. Notebooks must keep "
                    f"their names: {', '.join(f'{nb}.ipynb' for nb in NOTEBOOKS)}.")
    for status in statuses:
        if status.notebook in found and status.state not in (State.GRADED, State.MISSING):
            detail = f" ({status.detail})" if status.detail else ""
            text.append(f"{status.notebook}.ipynb: {status.state}{detail}.")
    submitted = [e for e in exercises if e.notebook in found]
    failing = [e for e in submitted if e.visible_failure]
    not_answered = [e for e in failing if e.visible_failure.not_answered]
    wrong = [e for e in failing if e not in not_answered]
    unchecked = [e for e in submitted if not e.visible_failure and not e.checked]
    if submitted:
        passing = len(submitted) - len(failing) - len(unchecked)
        text.append(f"\nVisible checks (the tests in your notebook): {passing} of {len(submitted)} exercises "
                    "pass them.")
    for e in wrong:
        text.append(f"- {e.title} fails: " + e.visible_failure.message.replace("\n", "\n    "))
    if not_answered:
        text.append(f"- Not answered yet: {', '.join(e.title for e in not_answered)}.")
    if unchecked:
        text.append(f"- Not checked here (see the messages when grades are published): "
                    f"{', '.join(e.title for e in unchecked)}.")
    text.append("\nHidden tests decide the grade: your score and a message per exercise appear when "
                "your instructor publishes the grades.")
    return "\n".join(text)
