"""Feedback pages: per-exercise points and failure messages, never a hidden test or a solution.

The pages are those the README's main command wrote: the demo grades the example students and
runs a real `nbgrader generate_feedback` with the course's nbgrader_config.py, whose preprocessors
are coursekit.feedback's (test_course_config_uses_these_preprocessors).  They are read as HTML,
in-process through the preprocessor, and in a headless browser; nothing here writes to the course.
"""

import copy
import re
import shutil
import struct
import subprocess
from collections import defaultdict

import nbformat.v4
import pytest
from bs4 import BeautifulSoup
from nbgrader.api import Gradebook
from traitlets.config.loader import PyFileConfigLoader

from coursekit import feedback, notebooks
from coursekit.redaction import Markers
from coursekit.results import CellResult, ExerciseResult, Failure, NotebookResult
from coursekit.spec import ASSIGNMENT, EXERCISES, NOTEBOOKS, exercise_of
from devtools import examples
from devtools.scratch import REPO
from tests.support.course_files import secret_and_public_lines

PAGES = [(student, nb) for student in examples.STUDENTS for nb in NOTEBOOKS]
SCREENSHOTS = REPO / "test-output" / "feedback"


@pytest.fixture(scope="module")
def feedback_course(graded_examples):
    """The graded example course with everyone's feedback, as the demo generated it (read only)."""
    pages = sorted(graded_examples.glob(f"feedback/*/{ASSIGNMENT}/*.html"))
    assert len(pages) == len(PAGES), pages
    return graded_examples


def page(feedback_course, student, nb):
    path = feedback_course / "feedback" / student / ASSIGNMENT / f"{nb}.html"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def squeeze(text):
    return " ".join(text.split())


def autograded(feedback_course, student, nb):
    return notebooks.read(feedback_course / "autograded" / student / ASSIGNMENT / f"{nb}.ipynb")


def failure_messages(nb):
    """The message of every error in a test cell of an autograded notebook."""
    return [out.evalue for cell in nb.cells if notebooks.is_test(cell)
            for out in cell.outputs if out.output_type == "error"]


def gradebook_points(feedback_course, student, nb):
    """exercise -> [points, max] from the gradebook, cell by cell."""
    points = defaultdict(lambda: [0.0, 0.0])
    with Gradebook(f"sqlite:///{feedback_course / 'gradebook.db'}") as gb:
        for grade in gb.find_submission_notebook(nb, ASSIGNMENT, student).grades:
            owner = points[exercise_of(grade.name, nb)]
            owner[0] += grade.score
            owner[1] += grade.max_score
    return points


def summary_rows(soup):
    """(exercise, points, max, status, first problem) for each row of the summary table."""
    rows = []
    for tr in soup.select("div.exercise-summary tbody tr"):
        cells = [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        if cells:
            rows.append((cells[0], float(cells[1]), float(cells[2]), cells[3], cells[4]))
    return rows


def leaked_lines(text, student, nb, feedback_course):
    """Instructor-only lines (hidden tests, solutions) in a page's text.

    A line also counts as public when it is part of a public line (a hint quoting the solution's
    one-liner) or of the student's own submission (alice's `return np.swapaxes(a, -1, -2)` is
    hers, even if the instructor wrote the same).
    """
    secret, public = secret_and_public_lines(notebooks.read(feedback_course / "source" / ASSIGNMENT / f"{nb}.ipynb"))
    submitted = notebooks.read(feedback_course / "submitted" / student / ASSIGNMENT / f"{nb}.ipynb")
    allowed = "\n".join([*public, *(cell.source for cell in submitted.cells)])
    return sorted(line for line in secret if line in text and line not in allowed)


@pytest.mark.parametrize("student, nb", PAGES)
def test_summary_table_shows_each_exercises_points_from_the_gradebook(feedback_course, student, nb):
    rows = summary_rows(page(feedback_course, student, nb))
    assert [row[0] for row in rows] == EXERCISES[nb], "one row per exercise, in teaching order"
    expected = gradebook_points(feedback_course, student, nb)
    for name, points, top, status, problem in rows:
        assert [points, top] == expected[name], name
        assert (status == "full marks") == (points == top), (name, status)
        assert bool(problem) == (points < top), f"{name}: a problem is named exactly when points were lost"


def test_summary_links_lead_to_each_exercise(feedback_course):
    soup = page(feedback_course, "bao", "03_numpy_essentials")
    targets = [a["href"] for a in soup.select("div.exercise-summary tbody a")]
    assert targets == [f"#comment-{name}" for name in EXERCISES["03_numpy_essentials"]]
    anchors = {a.get("name") for a in soup.find_all("a")}
    assert {t[1:] for t in targets} <= anchors, "nbgrader names each answer cell comment-<grade_id>"


def test_summary_matches_the_example_students(feedback_course):
    statuses = {s: {row[3] for nb in NOTEBOOKS for row in summary_rows(page(feedback_course, s, nb))}
                for s in examples.STUDENTS}
    assert statuses["alice"] == {"full marks"}
    assert statuses["chidi"] == {"not answered"}  # untouched notebooks: every stub still raises
    assert {"full marks", "partly right", "no points", "not answered"} <= statuses["bao"]


@pytest.mark.parametrize("nb", NOTEBOOKS)
def test_every_failure_message_of_bao_is_on_his_page(feedback_course, nb):
    messages = failure_messages(autograded(feedback_course, "bao", nb))
    assert messages, "bao gets some exercises wrong in every notebook"
    text = squeeze(page(feedback_course, "bao", nb).get_text())
    for message in messages:
        assert squeeze(message) in text


def test_the_summary_names_the_likely_slip(feedback_course):
    """bao's transpose reshapes: the summary row says so, as the hidden and visible checks did."""
    rows = {row[0]: row for row in summary_rows(page(feedback_course, "bao", "02_matrix_operations"))}
    graded = autograded(feedback_course, "bao", "02_matrix_operations")
    first = next(out.evalue for cell in graded.cells if notebooks.is_test(cell)
                 and exercise_of(notebooks.grade_id(cell), "02_matrix_operations") == "transpose"
                 for out in cell.outputs if out.output_type == "error")
    assert squeeze(rows["transpose"][4]) == squeeze(first) and "Likely slip" in first


@pytest.mark.parametrize("student, nb", PAGES)
def test_no_hidden_test_or_solution_on_the_page(feedback_course, student, nb):
    soup = page(feedback_course, student, nb)
    text = soup.get_text()
    assert not leaked_lines(text, student, nb, feedback_course)
    assert "HIDDEN TESTS" not in text and "BEGIN SOLUTION" not in text
    assert feedback.HIDDEN_NOTE in text, "test cells should say that hidden tests ran"
    assert not re.search(r"File \S*checks\.py:\d+", text), "traceback frames inside the test helpers are noise"


def test_the_leak_check_finds_the_hidden_tests_nbgrader_would_show(feedback_course):
    """Stock nbgrader renders the autograded notebook as it is: the check above would flag it."""
    graded = autograded(feedback_course, "bao", "02_matrix_operations")
    stock_text = "\n".join([cell.source for cell in graded.cells]
                           + [notebooks.output_text(cell) for cell in graded.cells if cell.cell_type == "code"])
    assert len(leaked_lines(stock_text, "bao", "02_matrix_operations", feedback_course)) > 50


def preprocessed(feedback_course, student, nb, graded):
    """The autograded notebook `graded` as HideHiddenTests leaves it (in-process, on a copy)."""
    resources = {"nbgrader": {"db_url": f"sqlite:///{feedback_course / 'gradebook.db'}", "notebook": nb,
                              "assignment": ASSIGNMENT, "student": student}}
    return feedback.HideHiddenTests().preprocess(copy.deepcopy(graded), resources)[0]


@pytest.mark.parametrize("nb", NOTEBOOKS)
def test_test_cells_show_the_release_version(feedback_course, nb):
    release_nb = notebooks.read(feedback_course / "release" / ASSIGNMENT / f"{nb}.ipynb")
    release = {notebooks.grade_id(c): c.source for c in release_nb.cells}
    shown = preprocessed(feedback_course, "bao", nb, autograded(feedback_course, "bao", nb))
    tests = [cell for cell in shown.cells if notebooks.is_test(cell)]
    assert tests
    for cell in tests:
        lines = cell.source.splitlines()
        shown_lines = [line for line in lines if feedback.HIDDEN_NOTE not in line]
        assert shown_lines == release[notebooks.grade_id(cell)].splitlines()
        assert sum(feedback.HIDDEN_NOTE in line for line in lines) == 1


def test_errors_show_the_message_and_only_the_students_own_frames(feedback_course):
    graded = autograded(feedback_course, "bao", "02_matrix_operations")
    shown = preprocessed(feedback_course, "bao", "02_matrix_operations", graded)
    own = {c.execution_count for c in graded.cells if c.cell_type == "code" and not notebooks.is_test(c)}
    errors = [out for cell in shown.cells if cell.cell_type == "code" for out in cell.outputs
              if out.output_type == "error"]
    assert errors
    for out in errors:
        parts = [feedback.ANSI.sub("", part) for part in out.traceback]
        assert parts[0] == f"{out.ename}: {out.evalue}"
        frames = [int(m[1]) for part in parts[1:] if (m := re.match(r"\s*Cell In\[(\d+)\]", part))]
        assert set(frames) <= own
        assert not any("checks.py" in part or "Traceback (most recent call last)" in part for part in parts)
    # bao's matrix_add is the untouched stub: the frame pointing at his `raise` is kept.
    assert any("raise NotImplementedError()" in feedback.ANSI.sub("", "".join(out.traceback)) for out in errors)


def test_printed_hidden_tests_are_removed(feedback_course):
    """Student code shares the kernel with the tests: `print(In[-2])` would show a hidden test."""
    nb = "02_matrix_operations"
    source = notebooks.read(feedback_course / "source" / ASSIGNMENT / f"{nb}.ipynb")
    test_cell = next(c.source for c in source.cells if notebooks.grade_id(c) == "scale_values")
    hidden_part = test_cell.split(Markers.of_course(feedback_course).begin_hidden)[1]
    hidden = next(line.strip() for line in hidden_part.splitlines() if line.startswith("for "))
    graded = autograded(feedback_course, "bao", nb)
    student_cell = next(c for c in graded.cells if notebooks.is_solution(c))
    student_cell.outputs.append(nbformat.v4.new_output("stream", name="stdout",
                                                       text=f"my own debugging line\n    {hidden}\n"))
    shown = preprocessed(feedback_course, "bao", nb, graded)
    text = next(c for c in shown.cells if notebooks.is_solution(c)).outputs[-1].text
    assert hidden not in text and feedback.REDACTED in text and "my own debugging line" in text


def test_course_config_uses_these_preprocessors():
    # The pages read above are the demo's, written with this config: without these preprocessors
    # they would be stock nbgrader's, and this module would test nothing of coursekit.feedback.
    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()
    assert list(config.GenerateFeedback.get("preprocessors", [])) == feedback.PREPROCESSORS


def png_size(path):
    """(width, height) from a PNG's IHDR chunk, after checking the signature (PNG spec, 5.2)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def chromium(*args, cwd):
    """Headless Chromium, offline and with a throwaway profile; returns stdout."""
    result = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={cwd / 'chromium-profile'}", *args],
        cwd=cwd, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_a_student_sees_the_page_in_a_browser(feedback_course, tmp_path):
    if shutil.which("chromium") is None:
        pytest.skip("chromium is not installed (Debian package `chromium`; CI installs it)")
    student, nb = "bao", "02_matrix_operations"
    url = (feedback_course / "feedback" / student / ASSIGNMENT / f"{nb}.html").as_uri()
    text = squeeze(BeautifulSoup(chromium("--dump-dom", url, cwd=tmp_path), "html.parser").get_text(" "))
    assert "Your results, exercise by exercise" in text
    for name, points, top, *_ in summary_rows(page(feedback_course, student, nb)):
        assert f"{name} {points:g} {top:g}" in text
    assert squeeze(failure_messages(autograded(feedback_course, student, nb))[0]) in text
    assert not leaked_lines(text, student, nb, feedback_course)

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / f"{student}_{nb}.png"
    shot.unlink(missing_ok=True)
    chromium(f"--screenshot={shot}", "--window-size=1280,2000", url, cwd=tmp_path)
    assert png_size(shot) == (1280, 2000)
    assert shot.stat().st_size > 50_000, "a blank page compresses to a few kilobytes"


def exercise_row(message, score=0.0):
    return ExerciseResult("03_numpy_essentials", "total",
                          [CellResult("total_values", "total", "03_numpy_essentials", score, 2.0, Failure(message))])


def notebook_of(exercise):
    return NotebookResult("03_numpy_essentials", exercises={exercise.exercise: exercise})


def summary_cells(html):
    return [squeeze(td.get_text(" ")) for td in BeautifulSoup(html, "html.parser").select("tbody td")]


def test_a_summary_row_shows_a_message_without_the_traceback_below_it():
    message = ("total(a): your function raised KeyError: 'x'\n\nTraceback (most recent call last):\n"
               "  File \"cell\", line 2, in total\nKeyError: 'x'")
    cells = summary_cells(feedback.summary_html(notebook_of(exercise_row(message))))
    assert "your function raised KeyError: 'x' (more in the cell below)" in cells[4]
    assert "Traceback" not in cells[4]


def test_a_summary_row_names_the_error_that_stopped_the_answer_cell():
    answer = nbformat.v4.new_code_cell("def total(a)\n    return 0", metadata={"nbgrader": {
        "grade": False, "solution": True, "grade_id": "total", "locked": False, "schema_version": 3}})
    answer.outputs = [nbformat.v4.new_output("error", ename="SyntaxError", evalue="expected ':' (line 1)",
                                             traceback=[])]
    errors = feedback.answer_errors([answer])
    assert errors == {"total": "SyntaxError: expected ':' (line 1)"}
    result = notebook_of(exercise_row("total is not defined"))
    cells = summary_cells(feedback.summary_html(result, answer_errors=errors))
    assert "Your answer's cell stopped with SyntaxError: expected ':' (line 1)" in cells[4]


def test_the_markers_are_read_without_warning_about_the_exporters_settings(caplog):
    from traitlets.config import Config

    config = Config({"NbConvertBase": {"display_data_priority": ["text/html"]},
                     "ClearHiddenTests": {"begin_test_delimeter": "BEGIN HIDDEN"}})
    with caplog.at_level("WARNING"):
        markers = feedback.markers_of(config)
    assert markers.begin_hidden == "BEGIN HIDDEN"
    assert "not recognized" not in caplog.text
