"""LMS grade files, read back by ports of the LMSs' importers, from constructed gradebooks."""

import csv
import io
import logging
import os
import re
import shutil
import types

import pytest
from nbgrader.api import Gradebook
from traitlets.config import LoggingConfigurable

from coursekit import lms

from coursekit.lms import moodle_time
from coursekit.lms.roster import write_roster
from coursekit.course import nbgrader
from devtools.scratch import REPO
from coursekit.spec import ASSIGNMENT, EXERCISES, NOTEBOOKS

import gradebooks
from cases import S
from downloads import write_moodle_worksheet

STUDENTS = [("alice", "Alice", "O'Neil", "48213"), ("bao", "Bảo", "Nguyễn", "48227"),
            ("chidi", "Chidi", "Okafor", "48240"), ("dana", "Dana", "Excused", "48251"),
            ("eve", "Eve", "Absent", "48262"), ("ghost", "Gus", "Host", None)]
SHARE = {"alice": 1.0, "bao": 0.5, "chidi": 0.0, "dana": 0.8}  # eve: no submission
LATE = {"bao": 10.0}
LMS_POINTS = 100.0
PARTICIPANTS = {"alice": "1840", "bao": "1841", "chidi": "1842", "dana": "1843", "eve": "1844"}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
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


def export(course, exporter, to, **settings):
    """Run an exporter in this process, as `nbgrader export` would (one real run is tested below);
    returns (0 or 1, the log and any refusal)."""
    stream = io.StringIO()
    app = ExportApp(course["path"], log=logging.getLogger(f"export{id(stream)}"))
    app.log.addHandler(logging.StreamHandler(stream))
    app.log.setLevel(logging.INFO)
    plugin = getattr(lms, exporter)(parent=app, to=str(course["path"] / to), **settings)
    cwd = os.getcwd()
    try:
        os.chdir(course["path"])
        with Gradebook(f"sqlite:///{course['path'] / 'gradebook.db'}") as gb:
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


# ---------------------------------------------------------------- Canvas's importer, ported

def canvas_import(path, canvas_ids, existing):
    """lib/gradebook_importer.rb, the rules this export relies on:
    - the first row is the header: "Student", "ID", identity columns up to "Section", then one
      column per assignment "Title (id)";
    - a row whose first cell =~ /Points Possible/ describes the assignments (ignored for an
      existing assignment), a row whose cells are all empty or "Muted" is skipped;
    - a student row is found by its ID; each grade cell that differs from Canvas's grade is a
      change: a blank cell clears the grade ("blank versus existing"), "EX" excuses.
    Returns ({user id: new grade or None or "EX"}, [(user id, cleared existing grade)])."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    assert header[:2] == ["Student", "ID"]
    first_assignment = header.index("Section") + 1
    columns = header[first_assignment:]
    assert all(re.fullmatch(r".+?( \(\d+\))?", c) for c in columns), columns  # by id, else by title
    grades, wiped = {}, []
    for row in rows[1:]:
        assert len(row) == len(header)
        if re.search("Points Possible", row[0]) or all(re.fullmatch(r"(?i)(Muted|)", c.strip()) for c in row):
            continue
        assert row[1] in canvas_ids, f"no Canvas user {row[1]}"
        cell = row[first_assignment].strip()
        if cell == "":
            if existing.get(row[1]) is not None:
                wiped.append((row[1], existing[row[1]]))
            grades[row[1]] = None
        else:
            grades[row[1]] = cell if cell == "EX" else float(cell)
    return grades, wiped


def test_canvas_file_reads_back_as_the_final_scores_on_canvas_points(course):
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


def test_canvas_export_refuses_without_canvas_points_and_can_write_zeros(course):
    code, log = export(course, "CanvasExport", "nowhere.csv")
    assert code != 0 and "points_possible" in log and f"{course['total']:g}" in log
    assert not (course["path"] / "nowhere.csv").exists()
    code, log = export(course, "CanvasExport", "same.csv", scale=False, points_possible={ASSIGNMENT: LMS_POINTS})
    assert code != 0 and "scale=False" in log
    code, log = export(course, "CanvasExport", "zeros.csv", missing_as_zero=True,
                       points_possible={ASSIGNMENT: LMS_POINTS})
    assert code == 0, log
    ids = {lms: sid for sid, _, _, lms in STUDENTS if lms}
    grades, _ = canvas_import(course["path"] / "zeros.csv", ids, {})
    assert grades["48262"] == 0.0  # eve


# ---------------------------------------------------------------- Moodle's importer, ported

def moodle_import(path, participants, maximum):
    """mod/assign/feedback/offline/importgradeslib.php and locallib.php, the rules this export
    relies on: columns found by their headers "Identifier", "Grade", "Last modified (grade)";
    the participant number is the Identifier without "Participant "; a row is skipped when its
    participant is not in the assignment, its grade is empty, or the grade is above the maximum
    (no error shown); the modified time is a userdate().  Returns ({participant: grade}, skipped)."""
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert {"Identifier", "Grade", "Last modified (grade)"} <= set(reader.fieldnames)
        rows = list(reader)
    grades, skipped = {}, []
    for row in rows:
        number = row["Identifier"].replace("Participant ", "", 1)
        assert re.fullmatch(r"\w+, \d{1,2} \w+ \d{4}, \d{1,2}:\d\d [AP]M", row["Last modified (grade)"])
        if number not in participants or row["Grade"] == "" or float(row["Grade"]) > maximum:
            skipped.append(row["Identifier"])
            continue
        assert re.fullmatch(r"\d+\.\d\d", row["Grade"])
        grades[participants[number]] = float(row["Grade"])
    return grades, skipped


def test_moodle_file_reads_back_on_the_worksheets_maximum_and_participant_numbers(course):
    code, log = export(course, "MoodleExport", "reports/moodle.csv")
    assert code == 0, log
    numbers = {n: s for s, n in PARTICIPANTS.items()}
    grades, skipped = moodle_import(course["path"] / "reports" / "moodle.csv", numbers, LMS_POINTS)
    assert skipped == []
    assert grades.keys() == {"alice", "bao", "chidi"}  # dana excused, eve no score: left out
    for student, grade in grades.items():
        assert grade == pytest.approx(expected_final(student, course["total"]), abs=0.005)
    assert "eve" in log and "dana" in log


def test_moodle_export_refuses_points_that_disagree_with_the_worksheet(course):
    code, log = export(course, "MoodleExport", "m.csv", points_possible={ASSIGNMENT: 50})
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

def test_exercise_export_adds_up_to_nbgraders_scores(course):
    code, log = export(course, "ExerciseExport", "reports/exercises.csv")
    assert code == 0, log
    with open(course["path"] / "reports" / "exercises.csv", newline="", encoding="utf-8") as fh:
        rows = {row["student_id"]: row for row in csv.DictReader(fh)}
    exercises = [e for nb in NOTEBOOKS for e in EXERCISES[nb]]
    assert list(rows["alice"])[3:-2] == exercises
    for student, share in SHARE.items():
        row = rows[student]
        assert sum(float(row[e]) for e in exercises) == pytest.approx(float(row["score"]))
        assert float(row["score"]) == pytest.approx(course["total"] * share)
        assert float(row["max_score"]) == course["total"]
    assert rows["eve"]["score"] == "" and all(rows["eve"][e] == "" for e in exercises)


# ---------------------------------------------------------------- a withheld grade is in no file

@pytest.fixture(scope="module")
def withheld_course(course, tmp_path_factory):
    """The same course, with bao's notebook 02 withheld for review: nbgrader's needs_manual_grade on
    its grades (as coursekit-grade marks it), the reason in the review ledger."""
    from coursekit import review

    path = tmp_path_factory.mktemp("withheld") / "course"
    shutil.copytree(course["path"], path)
    with Gradebook(f"sqlite:///{path / 'gradebook.db'}") as gb:
        for grade in gb.find_submission_notebook(NOTEBOOKS[1], ASSIGNMENT, "bao").grades:
            grade.needs_manual_grade = True
        gb.db.commit()
    review.write_ledger(path, {f"bao/{NOTEBOOKS[1]}": {"reason": "tamper scan: os-exit", "sha256": "",
                                                      "cleared": None}})
    return dict(course, path=path)


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
    from coursekit.review import WITHHELD

    code, log = export(withheld_course, "ExerciseExport", "exercises.csv")
    assert code == 0, log
    with open(withheld_course["path"] / "exercises.csv", newline="", encoding="utf-8") as fh:
        rows = {row["student_id"]: row for row in csv.DictReader(fh)}
    bao = rows["bao"]
    assert bao["score"] == WITHHELD
    assert all(bao[e] == "" for e in EXERCISES[NOTEBOOKS[1]])
    assert all(bao[e] != "" for nb in (NOTEBOOKS[0], NOTEBOOKS[2]) for e in EXERCISES[nb])
    assert float(rows["alice"]["score"]) == pytest.approx(withheld_course["total"])
