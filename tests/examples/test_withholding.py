"""A doubtful grade is withheld, everywhere (coursekit/review.py): marking in nbgrader's gradebook,
the rule for regrades and clearances, `coursekit-review`, and the exports outside coursekit.lms
(nbgrader's CSV, Gradescope's results.json, the score table, the class report).  The LMS files are
in tests/renderers/lms/test_export.py.  Gradebooks are built without grading (tests/support/gradebooks.py).
"""

import csv
import shutil

from coursekit import results
from coursekit.spec import ASSIGNMENT, NOTEBOOKS


def test_end_to_end_coursekit_grade_withholds_and_nbgrader_export_leaves_it_out(graded_examples, tmp_path):
    """Real commands on a copy of the graded examples: bao ships a numpy.py beside his notebooks (the
    tamper scan flags it), `coursekit-grade` (nothing to regrade) withholds him, `nbgrader export`
    states it, `coursekit-review` lists and clears him, and the next `coursekit-grade` respects that."""
    import subprocess

    from coursekit.course import environment, nbgrader

    course = shutil.copytree(graded_examples, tmp_path / "course")
    (course / "submitted" / "bao" / ASSIGNMENT / "numpy.py").write_text("def dot(a, b):\n    return 42\n")
    env = environment()

    def run(*command):
        done = subprocess.run(command, cwd=course, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout + done.stderr

    def scores():
        nbgrader("export", "--to=grades.csv", cwd=course)
        with open(course / "grades.csv", newline="", encoding="utf-8") as fh:
            return {row["student_id"]: row["score"] for row in csv.DictReader(fh)}

    graded_out = run("coursekit-grade")
    assert "Withheld for review, in no export until cleared: 3 notebook(s) of bao" in graded_out
    assert all(line.rstrip().endswith("*") for line in graded_out.splitlines() if line.startswith("bao "))
    exported = scores()
    assert exported["bao"] == results.WITHHELD and float(exported["alice"]) > 0
    listed = run("coursekit-review")
    assert all(f"bao  {nb}  tamper scan: extra-file" in listed for nb in NOTEBOOKS)
    run("coursekit-review", "clear", "bao")
    assert float(scores()["bao"]) > 0
    assert "Withheld for review" not in run("coursekit-grade")  # the same files, the same reason: still cleared
    assert float(scores()["bao"]) > 0
