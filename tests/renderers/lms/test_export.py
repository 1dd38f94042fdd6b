"""LMS grade files, read back by ports of the LMSs' importers, from constructed gradebooks."""

import csv
import io
import logging
import os
import shutil
import types

import pytest
from nbgrader.api import Gradebook
from traitlets.config import LoggingConfigurable

from coursekit import lms, results
from coursekit.ledger import write_ledger
from coursekit.lms import moodle_time
from coursekit.lms.roster import write_roster
from coursekit.spec import ASSIGNMENT, EXERCISES, NOTEBOOKS
from devtools.lms_downloads import write_moodle_worksheet
from devtools.scratch import REPO
from tests.renderers.lms.cases import S
from tests.support import gradebooks
from tests.support.lms_importers import canvas_import, moodle_import

STUDENTS = [("alice", "Alice", "O'Neil", "48213"), ("bao", "Bảo", "Nguyễn", "48227"),
            ("chidi", "Chidi", "Okafor", "48240"), ("dana", "Dana", "Excused", "48251"),
            ("eve", "Eve", "Absent", "48262"), ("ghost", "Gus", "Host", None)]
SHARE = {"alice": 1.0, "bao": 0.5, "chidi": 0.0, "dana": 0.8}  # eve: no submission
LATE = {"bao": 10.0}
LMS_POINTS = 100.0
PARTICIPANTS = {"alice": "1840", "bao": "1841", "chidi": "1842", "dana": "1843", "eve": "1844"}


@pytest.fixture(scope="module")
def exported_course(tmp_path_factory):
    """A gradebook built without grading (tests/support/gradebooks.py), with the roster and Moodle's worksheet."""
    course = tmp_path_factory.mktemp("export")
    shutil.copy(REPO / "nbgrader_config.py", course)
    total = gradebooks.build(course / "gradebook.db", STUDENTS, SHARE, LATE)
    roster = [S(sid, first, last, lms or "", excused=ASSIGNMENT if sid == "dana" else "")
              for sid, first, last, lms in STUDENTS if sid != "ghost"]
    write_roster(course / "roster.csv", roster)
    write_moodle_worksheet(course / "moodle" / f"{ASSIGNMENT}.csv",
                           [(PARTICIPANTS[s.student_id], s.full_name, s.email) for s in roster], LMS_POINTS)
    return dict(path=course, total=total)


class Refused(Exception):
    pass


class ExportApp(LoggingConfigurable):
    """What an exporter asks of nbgrader's ExportApp: the course directory, and fail()."""

    def __init__(self, root, **kwargs):
        super().__init__(**kwargs)
        self.coursedir = types.SimpleNamespace(root=str(root))

    def fail(self, message):
        raise Refused(message)


def export(exported_course, exporter, to, **settings):
    """Run an exporter in this process, as `nbgrader export` would (one real run is tested below);
    returns (0 or 1, the log and any refusal)."""
    stream = io.StringIO()
    app = ExportApp(exported_course["path"], log=logging.getLogger(f"export{id(stream)}"))
    app.log.addHandler(logging.StreamHandler(stream))
    app.log.setLevel(logging.INFO)
    plugin = getattr(lms, exporter)(parent=app, to=str(exported_course["path"] / to), **settings)
    cwd = os.getcwd()
    try:
        os.chdir(exported_course["path"])
        with Gradebook(f"sqlite:///{exported_course['path'] / 'gradebook.db'}") as gb:
            plugin.export(gb)
        return 0, stream.getvalue()
    except Refused as refused:
        return 1, stream.getvalue() + str(refused)
    finally:
        os.chdir(cwd)


def expected_final(student, total):
    """What the LMS must receive: (score - late penalty, at least 0), scaled to the LMS's points."""
    raw = sum(p for cells in gradebooks.release_grade_cells().values() for _, p in cells) * SHARE[student]
    return max(0.0, raw - LATE.get(student, 0.0)) * LMS_POINTS / total


def test_canvas_export_refuses_without_canvas_points_and_can_write_zeros(exported_course):
    code, log = export(exported_course, "CanvasExport", "nowhere.csv")
    assert code != 0 and "points_possible" in log and f"{exported_course['total']:g}" in log
    assert not (exported_course["path"] / "nowhere.csv").exists()
    code, log = export(exported_course, "CanvasExport", "same.csv", scale=False,
                       points_possible={ASSIGNMENT: LMS_POINTS})
    assert code != 0 and "scale=False" in log
    code, log = export(exported_course, "CanvasExport", "zeros.csv", missing_as_zero=True,
                       points_possible={ASSIGNMENT: LMS_POINTS})
    assert code == 0, log
    ids = {lms: sid for sid, _, _, lms in STUDENTS if lms}
    grades, _ = canvas_import(exported_course["path"] / "zeros.csv", ids, {})
    assert grades["48262"] == 0.0  # eve



def test_moodle_file_reads_back_on_the_worksheets_maximum_and_participant_numbers(exported_course):
    code, log = export(exported_course, "MoodleExport", "reports/moodle.csv")
    assert code == 0, log
    numbers = {n: s for s, n in PARTICIPANTS.items()}
    grades, skipped = moodle_import(exported_course["path"] / "reports" / "moodle.csv", numbers, LMS_POINTS)
    assert skipped == []
    assert grades.keys() == {"alice", "bao", "chidi"}  # dana excused, eve no score: left out
    for student, grade in grades.items():
        assert grade == pytest.approx(expected_final(student, exported_course["total"]), abs=0.005)
    assert "eve" in log and "dana" in log


def test_moodle_export_refuses_points_that_disagree_with_the_worksheet(exported_course):
    code, log = export(exported_course, "MoodleExport", "m.csv", points_possible={ASSIGNMENT: 50})
    assert code != 0 and "maximum is 100" in log


@pytest.mark.parametrize("when, text", [
    ((2026, 11, 25, 10, 0), "Wednesday, 25 November 2026, 10:00 AM"),
    ((2026, 1, 4, 0, 5), "Sunday, 4 January 2026, 12:05 AM"),
    ((2026, 7, 1, 12, 30), "Wednesday, 1 July 2026, 12:30 PM"),
])
def test_moodle_time_is_userdate_strftimedaydatetime(when, text):
    import datetime
    assert moodle_time(datetime.datetime(*when)) == text


# ---------------------------------------------------------------- points per exercise

def test_exercise_export_adds_up_to_nbgraders_scores_and_ends_with_the_final_score(exported_course):
    code, log = export(exported_course, "ExerciseExport", "reports/exercises.csv")
    assert code == 0, log
    with open(exported_course["path"] / "reports" / "exercises.csv", newline="", encoding="utf-8") as fh:
        rows = {row["student_id"]: row for row in csv.DictReader(fh)}
    exercises = [e for nb in NOTEBOOKS for e in EXERCISES[nb]]
    assert list(rows["alice"])[3:-2] == exercises
    for student, share in SHARE.items():
        row = rows[student]
        assert sum(float(row[e]) for e in exercises) == pytest.approx(exported_course["total"] * share)
        final = max(0.0, exported_course["total"] * share - LATE.get(student, 0.0))  # late: nbgrader's rule
        assert float(row["score"]) == pytest.approx(final)
        assert float(row["max_score"]) == exported_course["total"]
    assert rows["eve"]["score"] == "" and all(rows["eve"][e] == "" for e in exercises)


# ---------------------------------------------------------------- a withheld grade is in no file

@pytest.fixture(scope="module")
def withheld_course(exported_course, tmp_path_factory):
    """The same course, with bao's notebook 02 withheld for review: nbgrader's needs_manual_grade on
    its grades (as coursekit-grade marks it), the reason in the review ledger."""
    path = tmp_path_factory.mktemp("withheld") / "course"
    shutil.copytree(exported_course["path"], path)
    with Gradebook(f"sqlite:///{path / 'gradebook.db'}") as gb:
        for grade in gb.find_submission_notebook(NOTEBOOKS[1], ASSIGNMENT, "bao").grades:
            grade.needs_manual_grade = True
        gb.db.commit()
    write_ledger(path, {f"bao/{NOTEBOOKS[1]}": {"reason": "tamper scan: os-exit", "sha256": "",
                                                      "cleared": None}})
    return dict(exported_course, path=path)


def test_canvas_file_leaves_a_withheld_grade_out(withheld_course):
    code, log = export(withheld_course, "CanvasExport", "canvas.csv", points_possible={ASSIGNMENT: LMS_POINTS})
    assert code == 0, log
    ids = {lms: sid for sid, _, _, lms in STUDENTS if lms}
    grades, wiped = canvas_import(withheld_course["path"] / "canvas.csv", ids, {lms: 42.0 for lms in ids})
    assert wiped == []  # left out, not blank: Canvas keeps the grade it has
    assert {ids[lms] for lms in grades} == {"alice", "chidi", "dana"}
    assert "Withheld for review" in log and "bao" in log and "tamper scan: os-exit" in log


def test_moodle_file_leaves_a_withheld_grade_out(withheld_course):
    code, log = export(withheld_course, "MoodleExport", "moodle.csv")
    assert code == 0, log
    grades, skipped = moodle_import(withheld_course["path"] / "moodle.csv", {n: s for s, n in PARTICIPANTS.items()},
                                    LMS_POINTS)
    assert skipped == [] and grades.keys() == {"alice", "chidi"}
    assert "Withheld for review" in log and "bao" in log


def test_exercise_export_leaves_a_withheld_notebook_out(withheld_course):

    code, log = export(withheld_course, "ExerciseExport", "exercises.csv")
    assert code == 0, log
    with open(withheld_course["path"] / "exercises.csv", newline="", encoding="utf-8") as fh:
        rows = {row["student_id"]: row for row in csv.DictReader(fh)}
    bao = rows["bao"]
    assert bao["score"] == results.WITHHELD
    assert all(bao[e] == "" for e in EXERCISES[NOTEBOOKS[1]])
    assert all(bao[e] != "" for nb in (NOTEBOOKS[0], NOTEBOOKS[2]) for e in EXERCISES[nb])
    assert float(rows["alice"]["score"]) == pytest.approx(withheld_course["total"])
