"""The README's main command (the demo) and the example submissions it grades."""

import csv

from coursekit import notebooks
from coursekit.spec import ASSIGNMENT, NOTEBOOKS
from devtools import examples
from devtools.scratch import REPO
from tests.support.digest import digest


def test_example_submissions_are_up_to_date(tmp_path, cases):
    built = examples.build(REPO / "release" / ASSIGNMENT, tmp_path, cases)
    for student in examples.STUDENTS:
        for nb in NOTEBOOKS:
            rel = f"{student}/{ASSIGNMENT}/{nb}.ipynb"
            new, old = notebooks.read(built / rel), notebooks.read(examples.EXAMPLES / rel)
            assert [c.source for c in new.cells] == [c.source for c in old.cells], \
                f"examples/submitted/{rel} is stale: run `python -m devtools.examples`"


def test_demo_grades_the_examples_end_to_end(demo_run):
    """A fresh copy of the repository runs the demo: release, LMS zip in, grades, feedback, CSVs, report."""
    clone, run, before = demo_run
    assert run.returncode == 0, run.stdout + run.stderr

    assert "Every submission was graded normally." in run.stdout, run.stdout
    assert "The tamper scan flagged no submission." in run.stdout, run.stdout
    rows = {line.split()[0]: line.split() for line in run.stdout.splitlines()
            if line.split() and line.split()[0] in examples.STUDENTS}
    assert rows["alice"][-1] == "100", run.stdout
    assert rows["chidi"][-1] == "0", run.stdout
    assert 0 < int(rows["bao"][-1]) < 100, run.stdout

    demo = clone / "demo"
    with open(demo / "reports" / "grades.csv", newline="") as fh:
        grades = {row["student_id"]: float(row["score"]) for row in csv.DictReader(fh)}
    assert set(grades) == set(examples.STUDENTS)
    assert grades["alice"] > grades["bao"] > grades["chidi"] == 0
    with open(demo / "reports" / "canvas_grades.csv", newline="", encoding="utf-8") as fh:
        canvas = list(csv.reader(fh))
    assert canvas[0][-1].endswith("(12345)") and len(canvas) == 1 + 1 + len(examples.STUDENTS)
    for report in ("moodle_grades.csv", "exercise_scores.csv", "exercises.csv", "exercises.png"):
        assert (demo / "reports" / report).stat().st_size > 0, report
    for student in examples.STUDENTS:
        for nb in NOTEBOOKS:
            assert (demo / "feedback" / student / ASSIGNMENT / f"{nb}.html").is_file()
    assert digest(clone / "examples" / "submitted") == before, "grading must never modify submissions"
