"""A failed check as a student sees it in Jupyter: a real kernel runs a release notebook's test cell
(the visible tests themselves are read in-process by tests/course/test_visible_tests.py)."""

import re

import pytest

from coursekit import notebooks
from devtools import corpus
from tests.support.course_files import RELEASE


@pytest.mark.slow
def test_a_failed_check_shows_its_message_in_jupyter_not_the_helpers_frames(tmp_path):
    """IPython 9 prints a failed check as the test cell's line and the message: no checks.py frame, no docstring."""
    import shutil

    from nbclient import NotebookClient

    notebook = "02_matrix_operations"
    shutil.copy(RELEASE / "checks.py", tmp_path / "checks.py")
    answers = {**corpus._solutions(notebook), "transpose": "def transpose(a):\n    return a.reshape(a.shape[::-1])"}
    nb = notebooks.filled_in(notebooks.read(RELEASE / f"{notebook}.ipynb"), answers)
    NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=120,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    cell = next(c for c in nb.cells if notebooks.grade_id(c) == "transpose_shape_and_values")
    error = next(out for out in cell.outputs if out.output_type == "error")
    shown = notebooks.ANSI.sub("", "\n".join(error.traceback))
    assert error.ename == "CheckFailed" and "Likely slip: you reshaped" in shown
    assert re.match(r"Cell In\[\d+\], line \d+\nCheckFailed: transpose\(a\) for a 3 x 2 matrix a", shown), shown
    assert "checks.py" not in shown and "def fail" not in shown and len(shown.splitlines()) <= 4, shown
    passing = next(c for c in nb.cells if notebooks.grade_id(c) == "scale_values")
    assert [out.text for out in passing.outputs] == ["Passed: no problem found by the checks in this cell.\n"]
