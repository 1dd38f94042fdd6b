"""Collecting LMS downloads: every name of the tables in cases.py (built by ports of Canvas's
ContentZipper and Moodle's downloader) goes to its student(s) or gets its report reason, read
both by the parsing functions and by real `nbgrader zip_collect` runs."""

import shutil

import nbformat
import pytest

from coursekit.lms import collect, download_names
from coursekit.lms.roster import MoodleParticipants, write_roster
from coursekit.spec import ASSIGNMENT, NOTEBOOKS
from devtools.lms_downloads import write_moodle_worksheet, write_zip
from devtools.scratch import REPO
from tests.renderers.lms import cases

PARTICIPANTS = MoodleParticipants({n: cases.ROSTER.by_student_id[s] for n, s in cases.PARTICIPANTS.items()},
                                  {s: n for n, s in cases.PARTICIPANTS.items()}, 100.0, [])


def canvas_verdict(name):
    return collect.credit(collect.read_canvas(name, cases.ROSTER, cases.ANONYMOUS_IDS))


def moodle_verdict(path):
    return collect.credit(collect.read_moodle(tuple(path.split("/")), cases.ROSTER, PARTICIPANTS))


def outcome(verdict, notebook):
    """{student: notebook} when collected, else the status; and the detail."""
    if verdict.status == collect.COLLECTED:
        return {s.student_id: notebook for s in verdict.students}, verdict.detail
    return verdict.status, verdict.detail


def tally(table, read):
    """Figures of a table: cases, wrong-student credits, unreported misses, and the failing cases."""
    wrong, unreported, failing = 0, 0, []
    for name, expected in table:
        got, detail = outcome(*read(name)[:2])
        if isinstance(got, dict) and (not isinstance(expected, dict) or set(got.items()) - set(expected.items())):
            wrong += 1
        if not isinstance(got, dict) and (isinstance(expected, dict) or not detail):
            unreported += 1
        if got != expected:
            failing.append((name, expected, got, detail))
    return dict(cases=len(table), wrong_student=wrong, unreported_misses=unreported, failing=failing)


def test_canvas_table():
    """Canvas's rules (lib/content_zipper.rb): "#{[user name, ('LATE'), user id or anon_<id>].compact
    .join('_')}_#{attachment id}_#{display name}", the user name being the sortable name with
    /_(\\d+)_/ -> '\\1', downcased, and only [[:word:]] kept; a group named by its name and its
    representative's id; '_text.html' / '_link.html' without attachment; copies '-1'..'-7', '-<uuid>'."""
    figures = tally(cases.CANVAS, canvas_verdict)
    assert figures["cases"] >= 30
    assert (figures["wrong_student"], figures["unreported_misses"], figures["failing"]) == (0, 0, [])


def test_moodle_table():
    """Moodle's rules (mod/assign/classes/downloader.php): clean_filename(str_replace('_', ' ',
    fullname) . '_' . participant number), or for a team clean_filename(str_replace('_', ' ', group
    name) . '_' . group id) ("Default group" without id); then '_assignsubmission_file/' + path, or
    flat '_assignsubmission_file_' + name; clean_filename drops & < > " ` | ' : \\ /."""
    figures = tally(cases.MOODLE, moodle_verdict)
    assert figures["cases"] >= 30
    assert (figures["wrong_student"], figures["unreported_misses"], figures["failing"]) == (0, 0, [])


def test_every_report_reason_is_exercised():
    seen = {e for _, e in cases.CANVAS + cases.MOODLE if isinstance(e, str)}
    assert set(collect.NOT_COLLECTED) - {collect.SUPERSEDED, collect.AMBIGUOUS} <= seen


def test_a_name_that_reads_two_ways_goes_to_nobody():
    # "5_6_7_8_x": student "5" with id 6 (attachment 7), or student "5_6" with id 7 (attachment 8).
    roster = cases.Roster([cases.S("a", "", "5", "6"), cases.S("b", "", "5_6", "7")])
    verdict = collect.read_canvas("5_6_7_8_x.ipynb", roster)
    assert verdict.status == collect.AMBIGUOUS and not verdict.students


@pytest.mark.parametrize("uploaded, expected", [
    ("01_derivatives_and_gradients.ipynb", (NOTEBOOKS[0], 0)),
    ("01_derivatives_and_gradients-3.ipynb", (NOTEBOOKS[0], 3)),
    ("01_derivatives_and_gradients-0f8fad5b-d9cb-469f-a165-70867728950e.ipynb",
     (NOTEBOOKS[0], download_names.UUID_COPY)),
    ("01 Derivatives and Gradients (2).ipynb", (NOTEBOOKS[0], 2)),
    ("01%20derivatives%20and%20gradients.ipynb", (NOTEBOOKS[0], 0)),
    ("01_derivatives_and_gradients.py", (None, 0)),
    ("04_extra.ipynb", (None, 0)),
])
def test_uploaded_file_names_map_back_to_the_spec_notebooks(uploaded, expected):
    assert download_names.notebook_for(uploaded, NOTEBOOKS) == expected


# ---------------------------------------------------------------- real nbgrader zip_collect

def notebook(marker):
    return nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(marker)])).encode()


def marker(path):
    return nbformat.read(str(path), as_version=4).cells[0].source


def course_with(tmp_path, download, members):
    course = tmp_path / "course"
    (course / "release").mkdir(parents=True)
    shutil.copy(REPO / "nbgrader_config.py", course)
    shutil.copytree(REPO / "release" / ASSIGNMENT, course / "release" / ASSIGNMENT)
    write_roster(course / "roster.csv", cases.ROSTER.students)
    write_moodle_worksheet(course / "moodle" / f"{ASSIGNMENT}.csv",
                           [(n, cases.ROSTER.by_student_id[s].full_name, cases.ROSTER.by_student_id[s].email)
                            for n, s in cases.PARTICIPANTS.items()], 100)
    archive = course / "downloaded" / ASSIGNMENT / "archive"
    archive.mkdir(parents=True)
    write_zip(archive / download, members)
    return course










def check_report(report, table, log):
    for row in report:
        if row["status"] in collect.NOT_COLLECTED:
            assert row["detail"], row
            assert row["file"] in log or row["detail"] in log






