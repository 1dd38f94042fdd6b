"""One final score, read back the same from every output: an on-time and a late student, graded.

The results model owns the arithmetic (coursekit/results.py: `final_score`, nbgrader's
max(0, score - late penalty)); every output only renders it. Two courses are graded for real by
`coursekit-grade`, each with two students who hand in the same partly right notebooks, `ontime`
before the due date and `late` after it: one course with nbgrader's own `zero` penalty method, one
with a late-penalty plug-in of its own (half the score off). Then every output is read back: the
score table, `nbgrader export` (grades.csv), the Canvas and Moodle files, the per-exercise CSV, the
feedback pages, Gradescope's results.json and the class report.
"""

import concurrent.futures
import contextlib
import csv
import io
import os
import re
import shutil

import pytest
from bs4 import BeautifulSoup
from nbgrader.api import Gradebook

from coursekit import report
from coursekit.commands import grade
from coursekit.course import nbgrader
from coursekit.gradescope.results_json import exercise_results, results_json
from coursekit.lms.roster import Student, load_into_gradebook, read_roster, write_roster
from coursekit.results import course_results
from coursekit.spec import ASSIGNMENT, NOTEBOOKS
from devtools.examples import EXAMPLES
from devtools.lms_downloads import write_moodle_worksheet
from devtools.scratch import new_course
from tests.support.lms_importers import canvas_import, moodle_import
from tests.support.released import released

DUE = "2026-06-01 12:00:00.000000 UTC"
HANDED_IN = {"ontime": "2026-06-01 11:00:00.000000 UTC", "late": "2026-06-03 12:00:00.000000 UTC"}
PENALTIES = {
    "zero": 'c.LateSubmissionPlugin.penalty_method = "zero"\n',
    "half off": ("from nbgrader.plugins import LateSubmissionPlugin\n\n\n"
                 "class HalfOff(LateSubmissionPlugin):\n"
                 "    def late_submission_penalty(self, student_id, score, total_seconds_late):\n"
                 "        return score / 2 if total_seconds_late > 0 else 0\n\n\n"
                 "c.AssignLatePenalties.plugin_class = HalfOff\n"),
}
CANVAS_IDS = {"ontime": "101", "late": "102"}
PARTICIPANTS = {"ontime": "7001", "late": "7002"}


def course_graded(root, penalty):
    """A course with the late penalty `penalty`, its two students graded by coursekit-grade;
    returns (course, what coursekit-grade printed)."""
    course = new_course(root)
    released(course)
    with open(course / "nbgrader_config.py", "a", encoding="utf-8") as config:  # read when grading
        config.write("\n# The penalty of this test (tests/apps/test_final_score.py).\n" + PENALTIES[penalty])
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        gb.update_or_create_assignment(ASSIGNMENT, duedate=DUE.removesuffix(" UTC"))
    for student, when in HANDED_IN.items():
        folder = course / "submitted" / student / ASSIGNMENT
        shutil.copytree(EXAMPLES / "bao" / ASSIGNMENT, folder)  # partly right in every notebook
        (folder / "timestamp.txt").write_text(when)
    printed = io.StringIO()
    previous = os.getcwd()
    os.chdir(course)
    try:
        with contextlib.redirect_stdout(printed):
            assert grade.main(["--jobs", "2"]) == 0
    finally:
        os.chdir(previous)
    return course, printed.getvalue()


@pytest.fixture(scope="module")
def courses(tmp_path_factory):
    root = tmp_path_factory.mktemp("final")
    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # os.chdir is per process: one at a time
        jobs = {name: pool.submit(course_graded, root / name.replace(" ", "_"), name) for name in PENALTIES}
        return {name: job.result() for name, job in jobs.items()}


def outputs(course, printed):
    """{output: {student: the total it shows}}, each read back as its reader would."""
    found = {}
    model = course_results(course)
    top = model["ontime"].max_score
    rows = {line.split()[0]: line.split() for line in printed.splitlines()
            if line.split()[:1] in (["ontime"], ["late"])}
    found["score table"] = {s: float(rows[s][-2].split("/")[0].rstrip("*")) for s in HANDED_IN}

    nbgrader("export", "--to=grades.csv", cwd=course)
    with open(course / "grades.csv", newline="", encoding="utf-8") as fh:
        found["grades.csv"] = {row["student_id"]: float(row["score"]) for row in csv.DictReader(fh)}

    roster = [Student(s, s.title(), "Student", f"{s}@example.edu", lms_user_id=CANVAS_IDS[s]) for s in HANDED_IN]
    write_roster(course / "roster.csv", roster)  # then what `coursekit-lms roster` does:
    load_into_gradebook(read_roster(course / "roster.csv"), f"sqlite:///{course / 'gradebook.db'}")
    nbgrader("export", "--exporter=coursekit.lms.CanvasExport", "--to=canvas.csv",
             f"--CanvasExport.assignment_ids={ASSIGNMENT}=555", f"--LmsExport.points_possible={ASSIGNMENT}={top:g}",
             cwd=course)
    grades, _ = canvas_import(course / "canvas.csv", {v: k for k, v in CANVAS_IDS.items()}, {})
    found["Canvas"] = {{v: k for k, v in CANVAS_IDS.items()}[lms]: grade for lms, grade in grades.items()}

    write_moodle_worksheet(course / "moodle" / f"{ASSIGNMENT}.csv",
                           [(PARTICIPANTS[s.student_id], s.full_name, s.email) for s in roster], top)
    nbgrader("export", "--exporter=coursekit.lms.MoodleExport", "--to=moodle.csv", cwd=course)
    found["Moodle"], _ = moodle_import(course / "moodle.csv", {v: k for k, v in PARTICIPANTS.items()}, top)

    nbgrader("export", "--exporter=coursekit.lms.ExerciseExport", "--to=exercises.csv", cwd=course)
    with open(course / "exercises.csv", newline="", encoding="utf-8") as fh:
        found["per-exercise CSV"] = {row["student_id"]: float(row["score"]) for row in csv.DictReader(fh)}

    nbgrader("generate_feedback", ASSIGNMENT, "--force", cwd=course)
    found["feedback pages"] = {s: sum(page_total(course / "feedback" / s / ASSIGNMENT / f"{nb}.html")
                                      for nb in NOTEBOOKS) for s in HANDED_IN}

    handed_in = dict.fromkeys(NOTEBOOKS)
    found["Gradescope results.json"] = {
        s: results_json(exercise_results(course, handed_in, student=s), handed_in, [], [], [], 0, set(),
                        model[s].released_final_score)["score"] for s in HANDED_IN}

    _, totals = report.class_results(model)
    found["class report"] = {s: percent * top / 100 for s, percent in totals.items()}
    return found, model


def page_total(path):
    """The Total row of a feedback page's summary table (a notebook's final score)."""
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    row = next(tr for tr in soup.select("div.exercise-summary tr") if tr.find("th", string=re.compile("^Total")))
    return float(row.find_all("th")[1].get_text())


@pytest.mark.parametrize("penalty", PENALTIES)
def test_every_output_shows_the_results_model_s_final_score(courses, penalty):
    course, printed = courses[penalty]
    found, model = outputs(course, printed)
    raw = model["ontime"].score
    assert raw == model["late"].score > 0  # the same work, partly right
    expected = {"ontime": raw, "late": 0.0 if penalty == "zero" else raw / 2}
    assert {s: model[s].final_score for s in HANDED_IN} == pytest.approx(expected)
    for output, totals in found.items():
        assert totals == pytest.approx(expected, abs=0.006), f"{output} shows {totals}, the model {expected}"
