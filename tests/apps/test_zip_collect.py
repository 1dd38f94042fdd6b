"""Collecting LMS downloads: every name of the tables in cases.py (built by ports of Canvas's
ContentZipper and Moodle's downloader) goes to its student(s) or gets its report reason, read
both by the parsing functions and by real `nbgrader zip_collect` runs."""

import csv

from coursekit.course import nbgrader
from coursekit.lms import collect, download_names
from coursekit.spec import ASSIGNMENT, NOTEBOOKS
from tests.renderers.lms import cases
from tests.renderers.lms.test_collect import check_report, course_with, marker, notebook


def zip_collect(course, collector, *extra):
    run = nbgrader("zip_collect", ASSIGNMENT, f"--collector=coursekit.lms.{collector}", *extra, cwd=course)
    with open(course / "downloaded" / ASSIGNMENT / "collect_report.csv", newline="", encoding="utf-8") as fh:
        return run.stdout + run.stderr, list(csv.DictReader(fh))


def collected(course):
    return {(student.name, p.stem): marker(p) for student in (course / "submitted").iterdir()
            for p in (student / ASSIGNMENT).iterdir()}


def expected_tree(table, rank):
    """(student, notebook) -> the marker of the newest file expected for it."""
    newest = {}
    for i, (name, expected) in enumerate(table):
        if isinstance(expected, dict):
            for student, nb in expected.items():
                if (student, nb) not in newest or rank(name, i) > rank(*newest[student, nb]):
                    newest[student, nb] = (name, i)
    return {key: name for key, (name, _) in newest.items()}


def members(table):
    return {name: notebook(name) if name.endswith(".ipynb") else name.encode() for name, _ in table}


def test_canvas_download_collected_by_nbgrader(tmp_path):
    course = course_with(tmp_path, "submissions.zip", members(cases.CANVAS))
    log, report = zip_collect(course, "CanvasCollector",
                              *[f"--CanvasCollector.anonymous_ids={k}={v}" for k, v in cases.ANONYMOUS_IDS.items()])
    # Attachment ids grow down the table, as Canvas numbers uploads in order: the later row is newer.
    want = expected_tree(cases.CANVAS, lambda name, i: i)
    assert collected(course) == want
    rows = {(r["file"].split("/", 1)[1], r["student_id"]): r["status"] for r in report if r["file"]}
    assert len({f for f, _ in rows}) == len(cases.CANVAS)  # every file has a row
    superseded = {f for (f, _), status in rows.items() if status == collect.SUPERSEDED}
    assert superseded == {cases.CANVAS[2][0]}  # zoe's first 03, replaced by her 7th copy
    check_report(report, cases.CANVAS, log)


def test_moodle_download_collected_by_nbgrader(tmp_path):
    course = course_with(tmp_path, "submissions.zip", members(cases.MOODLE))
    log, report = zip_collect(course, "MoodleCollector")
    copy = lambda name, i: download_names.notebook_for(name.rsplit("/", 1)[-1], NOTEBOOKS)[1]  # noqa: E731
    assert collected(course) == expected_tree(cases.MOODLE, copy)
    files = {r["file"] for r in report if r["file"]}
    assert len(files) == len(cases.MOODLE)
    check_report(report, cases.MOODLE, log)


def test_moodle_collect_stops_without_the_assignments_worksheet(tmp_path):
    course = course_with(tmp_path, "submissions.zip", members(cases.MOODLE[:2]))
    (course / "moodle" / f"{ASSIGNMENT}.csv").unlink()
    run = nbgrader("zip_collect", ASSIGNMENT, "--collector=coursekit.lms.MoodleCollector", cwd=course, check=False)
    assert run.returncode != 0
    assert "participants per assignment" in run.stdout + run.stderr
    assert not (course / "submitted").exists()
