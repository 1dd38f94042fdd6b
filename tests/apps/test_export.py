"""nbgrader's own `nbgrader export`, run as a command with this package's exporters and config.

The quick tests of the exporters (tests/renderers/lms/test_export.py, tests/model/test_review.py)
run them in this process; these two run the real command once each.
"""

import csv

import pytest

from coursekit import results, review
from coursekit.course import nbgrader
from coursekit.spec import ASSIGNMENT, NOTEBOOKS
from coursekit.status import Status
from tests.model import test_review
from tests.renderers.lms import test_export as lms_export
from tests.support.lms_importers import canvas_import

# The fixtures of the quick tests of the same code, shared: pytest finds them among this module's names.
template, built_course, exported_course = test_review.template, test_review.built_course, lms_export.exported_course
graded, LMS_POINTS, STUDENTS, expected_final = (test_review.graded, lms_export.LMS_POINTS, lms_export.STUDENTS,
                                                lms_export.expected_final)

NB2 = NOTEBOOKS[1]


def test_canvas_file_reads_back_as_the_final_scores_on_canvas_points(exported_course):
    course = exported_course
    # The one real `nbgrader export` of this file: its command line, into reports/ that nobody created.
    run = nbgrader("export", "--exporter=coursekit.lms.CanvasExport", "--to=reports/canvas.csv",
                   f"--CanvasExport.assignment_ids={ASSIGNMENT}=12345",
                   f"--LmsExport.points_possible={ASSIGNMENT}={LMS_POINTS:g}", cwd=course["path"], check=False)
    code, log = run.returncode, run.stdout + run.stderr
    assert code == 0, log
    ids = {lms: sid for sid, _, _, lms in STUDENTS if lms}
    existing = {lms: 42.0 for lms in ids}  # every student already has a grade in Canvas
    grades, wiped = canvas_import(course["path"] / "reports" / "canvas.csv", ids, existing)
    assert wiped == []
    by_student = {ids[lms]: grade for lms, grade in grades.items()}
    assert by_student.keys() == {"alice", "bao", "chidi", "dana"}  # eve (no score) left out, not blank
    assert by_student["dana"] == "EX"
    for student in ("alice", "bao", "chidi"):
        assert by_student[student] == pytest.approx(expected_final(student, course["total"]), abs=0.005)
        assert 0 <= by_student[student] <= LMS_POINTS
    assert "eve" in log and "ghost" in log  # left out, and said so
    with open(course["path"] / "reports" / "canvas.csv", newline="", encoding="utf-8") as fh:
        points_row = list(csv.reader(fh))[1]
    assert points_row[0].strip() == "Points Possible" and points_row[-1] == f"{LMS_POINTS:g}"


def test_nbgrader_export_states_withheld_for_review(built_course):
    course = built_course
    """Plain `nbgrader export`, with the course's config: the withheld student's score is not in the file."""
    statuses = graded()
    statuses["bao"][1] = Status(NB2, "unreadable", "not a notebook file")
    review.mark(course, "submitted", statuses, {})
    run = nbgrader("export", "--to=grades.csv", cwd=course, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Withheld for review" in run.stderr and "bao" in run.stderr
    with open(course / "grades.csv", newline="", encoding="utf-8") as fh:
        rows = {row["student_id"]: row for row in csv.DictReader(fh)}
    assert list(rows["alice"]) == ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name",
                                   "email", "raw_score", "late_submission_penalty", "score", "max_score"]
    assert rows["bao"]["score"] == results.WITHHELD and rows["bao"]["raw_score"] == ""
    assert float(rows["alice"]["score"]) == float(rows["alice"]["max_score"])
    assert rows["alice"]["last_name"] == "O'Neil"
    assert float(rows["eve"]["score"]) == 0.0 and rows["eve"]["timestamp"] == ""  # no submission: nbgrader's 0
    review.clear(course, "bao")
    nbgrader("export", "--to=grades.csv", cwd=course)
    with open(course / "grades.csv", newline="", encoding="utf-8") as fh:
        rows = {row["student_id"]: row for row in csv.DictReader(fh)}
    assert float(rows["bao"]["score"]) == pytest.approx(0.5 * float(rows["bao"]["max_score"]))
