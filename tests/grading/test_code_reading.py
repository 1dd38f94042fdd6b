"""Checks that read code fail closed, and nothing a student writes is read unbounded.

matmul_loops must compute each entry itself, in loops: its check reads the code (checks.py:
library_products_used, code_doubts). What the check cannot read for certain raises CodeUnclear,
which withholds the notebook for review instead of paying. When grading, the grader adds what it
finds in the notebook as a whole (coursekit.grading.split.grader.notebook_doubts): the graded name bound
again after its def, or any means to bind names at run time.
"""

import importlib.util
import textwrap
import time

import pytest

from coursekit.grading.split.grader import load_checks, notebook_doubts
from coursekit.grading.split.instructor import InstructorCells, top_level_names
from coursekit.spec import ASSIGNMENT
from devtools.scratch import REPO

checks = load_checks(REPO / "source" / ASSIGNMENT / "checks.py")  # the instructor's copy, as the grader loads it


def function_of(tmp_path, code, name="matmul_loops"):
    """`name` from a module holding the setup's imports and `code` (how Jupyter gives it to the check)."""
    path = tmp_path / f"answer_{abs(hash(code))}.py"
    path.write_text("import math\nimport numpy as np\n" + textwrap.dedent(code))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


PLAIN = {
    "three loops": """
        def matmul_loops(a, b):
            a = np.asarray(a, dtype=float)
            b = np.asarray(b, dtype=float)
            if a.shape[1] != b.shape[0]:
                raise ValueError("shapes")
            c = np.zeros((a.shape[0], b.shape[1]))
            for i in range(a.shape[0]):
                for j in range(b.shape[1]):
                    for k in range(a.shape[1]):
                        c[i, j] += a[i, k] * b[k, j]
            return c
    """,
    "zip and a helper with math.fsum": """
        def entry(row, column):
            return math.fsum(x * y for x, y in zip(row, column))

        def matmul_loops(a, b):
            columns = list(zip(*b))
            try:
                return np.array([[entry(row, column) for column in columns] for row in a], dtype=float)
            except TypeError as error:
                raise ValueError(str(error))
    """,
}

HIDDEN = {
    "getattr": ("getattr", """
        def matmul_loops(a, b):
            return getattr(np, "mat" "mul")(a, b)
    """),
    "operator": ("operator", """
        import operator
        def matmul_loops(a, b):
            return [[sum(map(operator.mul, row, column)) for column in zip(*b)] for row in a]
    """),
    "an unlisted NumPy routine": ("numpy.correlate", """
        def matmul_loops(a, b):
            a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
            c = np.zeros((a.shape[0], b.shape[1]))
            for i in range(a.shape[0]):
                for j in range(b.shape[1]):
                    c[i, j] = np.correlate(a[i], b[:, j])[0]
            return c
    """),
    "a dunder": ("__class__", """
        def matmul_loops(a, b):
            a = np.asarray(a, dtype=float)
            return type(a).__class__
    """),
    "an import inside": ("imports", """
        def matmul_loops(a, b):
            from numpy import matmul as m
            return m(a, b)
    """),
}


@pytest.mark.parametrize("code", PLAIN.values(), ids=PLAIN)
def test_plain_loops_are_read_for_certain(tmp_path, code):
    function = function_of(tmp_path, code)
    assert checks.code_doubts(function) == []
    assert checks.library_products_used(function, follow_helpers=True) == []
    assert checks.product_loop_depth(function) >= 2


@pytest.mark.parametrize("named, code", HIDDEN.values(), ids=HIDDEN)
def test_code_that_could_hide_a_product_is_unclear_not_passed(tmp_path, named, code):
    function = function_of(tmp_path, code)
    with pytest.raises(checks.CodeUnclear) as caught:
        checks.library_products_used(function)
    assert any(named in doubt for doubt in caught.value.doubts), caught.value.doubts
    assert "An instructor will read your code" in str(caught.value)


@pytest.mark.parametrize("code, named", [
    ("def matmul_loops(a, b):\n    return np.vecdot(a, b)", "np.vecdot"),
    ("def matmul_loops(a, b):\n    return np.linalg.matmul(a, b)", "np.matmul"),
    ("def matmul_loops(a, b):\n    return a.__matmul__(b)", "the @ operator")])
def test_a_product_found_is_certain_and_named(tmp_path, code, named):
    assert named in checks.library_products_used(function_of(tmp_path, code))


def test_the_grader_s_doubts_about_the_notebook_are_the_check_s_too(tmp_path):
    function = function_of(tmp_path, PLAIN["three loops"])
    function.__grading_doubts__ = ("matmul_loops is bound again after its def (cell 3, line 1)",)
    with pytest.raises(checks.CodeUnclear):
        checks.library_products_used(function)


LOOPS = textwrap.dedent(PLAIN["three loops"])


@pytest.mark.parametrize("later, doubt", [
    ("matmul_loops = np.matmul", "bound again"),
    ("[matmul_loops := (lambda a, b: a @ b) for _ in [0]]", "bound again"),
    ("def rebind():\n    global matmul_loops\n    matmul_loops = None\nrebind()", "declared global"),
    ("from numpy import matmul as matmul_loops", "bound by an import"),
    ("globals()['matmul_loops'] = np.matmul", "uses globals"),
    ("exec('matmul_loops = np.matmul')", "uses exec"),
    ("matmul_loops.__code__ = (lambda a, b: a @ b).__code__", "__code__"),
    ("%timeit matmul_loops([[1]], [[1]])", "get_ipython"),
    ("def (", "could not be read")])
def test_a_notebook_that_can_rebind_the_graded_name_is_doubtful(later, doubt):
    doubts = notebook_doubts(("import numpy as np", LOOPS, later), "matmul_loops")
    assert any(doubt in d for d in doubts), doubts


def test_a_plain_notebook_raises_no_doubt_even_with_a_def_made_twice():
    assert notebook_doubts(("import numpy as np", LOOPS, "x = matmul_loops([[1]], [[2]])", LOOPS),
                           "matmul_loops") == ()


def test_an_error_message_is_matched_in_bounded_time():
    """`.*` between two words backtracks quadratically on a long text holding the first one often."""
    started = time.perf_counter()
    for text in ("Cannot interpret " * 40_000, "axis " * 136_000, "data type " * 60_000):
        assert checks.likely_slip_for(TypeError(text)) is None
    assert time.perf_counter() - started < 1


def test_the_instructor_cells_decide_the_role_by_grade_id_alone():
    cells = InstructorCells(setup=(("setup", "import numpy as np"),), tests={"scale_values": "assert True"},
                            answers=frozenset({"scale"}))

    def cell(grade_id, source="anything", cell_type="code"):
        return {"cell_type": cell_type, "source": source, "metadata": {"nbgrader": {"grade_id": grade_id}}}

    assert cells.role(cell("scale_values", "# edited\npass")) == "test"
    assert cells.role(cell("setup", "fail = print")) == "setup"
    others = [cell("scale"), cell(None), cell("scale_values", cell_type="markdown")]
    assert [cells.role(other) for other in others] == ["student"] * 3


def test_the_names_a_solution_stub_binds():
    assert top_level_names("def scale(a, s):\n    raise NotImplementedError()") == {"scale"}
    assert top_level_names("x, (y, z) = 1, (2, 3)\nimport numpy as np\nclass K: pass") == {"x", "y", "z", "np", "K"}
    assert top_level_names("raise NotImplementedError()") == set()
