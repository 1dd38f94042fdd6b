"""The results model: one reading of what grading found, rendered by every table and report.

tests/recorded/examples/ holds what grading the example students gave before the renderers were
ported onto the model (score table, class report CSV, feedback summary rows) and the model itself
(devtools/record_results.py writes it). The quick tests render from the recorded model; the slow
test grades the examples and checks the model is still exactly the recorded one.
"""

import json

import nbformat.v4
import pytest

from coursekit import report, results
from coursekit.redaction import Markers
from coursekit.spec import EXERCISES, NOTEBOOKS
from coursekit.summary import table
from devtools.record_results import RECORDED, summary_rows


@pytest.fixture(scope="module")
def recorded():
    data = json.loads((RECORDED / "results.json").read_text(encoding="utf-8"))
    return {student: results.StudentResult.from_dict(d) for student, d in data.items()}


def test_the_model_round_trips_through_json(recorded):
    for result in recorded.values():
        assert results.StudentResult.from_dict(json.loads(json.dumps(result.to_dict()))) == result


def test_roll_ups_add_up(recorded):
    for result in recorded.values():
        assert list(result.notebooks) == NOTEBOOKS
        for nb in result.notebooks.values():
            assert list(nb.exercises) == EXERCISES[nb.notebook]
            assert nb.score == sum(c.score for c in nb.cells)
            for e in nb.exercises.values():
                assert all(c.exercise == e.exercise and c.notebook == nb.notebook for c in e.cells)
                assert [c.failure is not None for c in e.cells] == [c.score < c.max_score for c in e.cells]
        assert result.score == sum(nb.score for nb in result.notebooks.values())
    assert {s: (r.score, r.max_score) for s, r in recorded.items()} == {
        "alice": (181, 181), "bao": (78, 181), "chidi": (0, 181)}


def test_score_table_is_as_recorded(recorded):
    assert table(recorded) + "\n" == (RECORDED / "score_table.txt").read_text(encoding="utf-8")


def test_class_report_csv_is_as_recorded(recorded, tmp_path):
    exercises, totals = report.class_results(recorded)
    report.write_csv(exercises, tmp_path / "exercises.csv")
    assert (tmp_path / "exercises.csv").read_bytes() == (RECORDED / "exercises.csv").read_bytes()
    assert totals == {"alice": 100, "bao": pytest.approx(100 * 78 / 181), "chidi": 0}


def test_feedback_summary_rows_are_as_recorded(recorded):
    expected = json.loads((RECORDED / "feedback_rows.json").read_text(encoding="utf-8"))
    for key, rows in expected.items():
        student, nb = key.split("/")
        assert summary_rows(recorded[student].notebooks[nb]) == rows, key


def test_every_failure_names_its_part_and_untouched_work_reads_not_answered(recorded):
    chidi = [c.failure for nb in recorded["chidi"].notebooks.values() for c in nb.cells]
    assert chidi and all(f.part in ("visible", "hidden") for f in chidi)
    statuses = {e.status for nb in recorded["chidi"].notebooks.values() for e in nb.exercises.values()}
    assert statuses == {"not answered"}
    bao = [c.failure for nb in recorded["bao"].notebooks.values() for c in nb.cells if c.failure]
    assert {f.part for f in bao} == {"visible", "hidden"}
    assert not any(f.message.startswith("CheckFailed") for f in bao)


def error_cell(ename, evalue, line, source):
    cell = nbformat.v4.new_code_cell(source)
    cell.outputs = [nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[
        "\x1b[31m---------\x1b[39m", f"Cell \x1b[32mIn[7], line {line}\x1b[39m", f"{ename}: {evalue}"])]
    return cell


SOURCE = "check_visible()\n### BEGIN HIDDEN TESTS\ncheck_hidden()\n### END HIDDEN TESTS"


@pytest.mark.parametrize("ename, evalue, line, message, part, not_answered", [
    ("CheckFailed", "f(1) returned 2, expected 3.", 1, "f(1) returned 2, expected 3.", "visible", False),
    ("CheckFailed", "f(2) returned 2, expected 4.", 3, "f(2) returned 2, expected 4.", "hidden", False),
    ("TypeError", "bad operand", 3, "TypeError: bad operand", "hidden", False),
    ("NotImplementedError", "", 1, results.NOT_ANSWERED, "visible", True),
])
def test_one_wording_per_failure(ename, evalue, line, message, part, not_answered):
    failure = results.failure_of(error_cell(ename, evalue, line, SOURCE), Markers.from_config().hidden_start(SOURCE))
    assert (failure.message, failure.part, failure.not_answered) == (message, part, not_answered)


def test_stderr_output_is_a_failure_of_its_own_kind():
    cell = nbformat.v4.new_code_cell("check()")
    cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text="RuntimeWarning: overflow\n")]
    failure = results.failure_of(cell)
    assert failure.stderr == "RuntimeWarning: overflow" and failure.message.startswith(results.STDERR)
    assert results.failure_of(nbformat.v4.new_code_cell("check()")).message == results.NO_MESSAGE



