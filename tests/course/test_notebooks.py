"""Static checks of the source and release notebooks: structure, names, nothing leaked."""

import ast
import re

import pytest

from coursekit import notebooks
from coursekit.redaction import Markers, reference_solutions
from coursekit.spec import EXERCISES, NOTEBOOKS
from devtools.scratch import REPO
from tests.support.course_files import release_nb, secret_and_public_lines, source_nb

MARKERS = Markers.of_course(REPO)  # the markers nbgrader_config.py gives nbgrader


def visible_part(text):
    return re.sub(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", "", text, flags=re.S)


@pytest.mark.parametrize("path", sorted((REPO / "source").rglob("*.ipynb")), ids=lambda p: p.name)
def test_source_notebooks_carry_no_outputs(path):
    for cell in notebooks.read(path).cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: {cell.source[:60]!r}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_exercise_has_a_solution_cell_and_tests(name):
    cells = source_nb(name).cells
    solutions = [notebooks.grade_id(c) for c in cells if notebooks.is_solution(c)]
    assert solutions == EXERCISES[name], "solution cells must be the spec's exercises, in order"
    tests = [c for c in cells if notebooks.is_test(c)]
    for exercise in EXERCISES[name]:
        mine = [c for c in tests if notebooks.grade_id(c).startswith(exercise + "_")]
        assert mine, f"{exercise} has no test cell"
        assert any(MARKERS.begin_hidden in c.source for c in mine), f"{exercise} has no hidden tests"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_grade_ids_follow_the_convention(name):
    cells = source_nb(name).cells
    ids = [notebooks.grade_id(c) for c in cells if notebooks.grade_id(c)]
    assert len(ids) == len(set(ids)), "duplicate grade_id (nbgrader #1083 aborts a batch on these)"
    for cell in cells:
        gid = notebooks.grade_id(cell)
        owners = [e for e in EXERCISES[name] if gid and gid.startswith(e + "_")]
        if notebooks.is_test(cell):
            assert owners, f"test cell {gid} does not start with an exercise name and '_'"
            assert cell.metadata.nbgrader.get("points", 0) > 0, f"{gid} has no points"
        elif not notebooks.is_solution(cell):
            assert not owners, f"{gid} is not a test of {owners} but its grade_id says so"


def returns_none(node):
    """A call of a checks.py function that returns None (expect_*, fail, passed): safe to end a cell with."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
        and (node.func.id.startswith("expect_") or node.func.id in ("fail", "passed"))


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_test_cells_are_well_formed(name):
    """Docstring first; a visible part that calls the function; never ends with an expression."""
    for cell in source_nb(name).cells:
        if not notebooks.is_test(cell):
            continue
        gid = notebooks.grade_id(cell)
        tree = ast.parse(cell.source.replace("### BEGIN HIDDEN TESTS", "").replace("### END HIDDEN TESTS", ""))
        first = tree.body[0]
        assert isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
            and isinstance(first.value.value, str), f"{gid} must start with a docstring saying what it checks"
        last = tree.body[-1]
        assert not isinstance(last, ast.Expr) or last is first or returns_none(last.value), \
            f"{gid} ends with an expression: nbgrader would read its value as a partial score"
        exercise = max((e for e in EXERCISES[name] if gid.startswith(e + "_")), key=len)
        visible = visible_part(cell.source)
        assert re.search(rf"\b{exercise}\b", visible.split('"""', 2)[-1]), \
            f"{gid}: the visible part must use {exercise} so the untouched stub fails it"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_release_hides_solutions_and_hidden_tests(name):
    secret, _ = secret_and_public_lines(source_nb(name))
    assert secret, "the source notebook should have solution and hidden-test lines"
    release_lines = {line.strip() for c in release_nb(name).cells for line in c.source.splitlines()}
    leaked = secret & release_lines
    assert not leaked, f"release contains instructor-only lines: {sorted(leaked)[:3]}"
    release_text = "\n".join(c.source for c in release_nb(name).cells)
    assert "BEGIN SOLUTION" not in release_text and "HIDDEN TESTS" not in release_text


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_release_tells_students_that_hidden_tests_decide(name):
    first = release_nb(name).cells[0]
    assert first.cell_type == "markdown" and "Hidden tests decide your grade" in first.source


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_release_stubs_raise_not_implemented(name):
    for cell in release_nb(name).cells:
        if notebooks.is_solution(cell):
            assert "raise NotImplementedError()" in cell.source, notebooks.grade_id(cell)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_test_cells_end_with_one_passed_line(name):
    for cell in source_nb(name).cells:
        if notebooks.is_test(cell):
            assert cell.source.rstrip().endswith("\npassed()"), f"{notebooks.grade_id(cell)} does not end with passed()"


REVEALING_CHECKS = ("expect_array", "expect_number", "expect_equal", "expect_bool")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_hidden_checks_never_reveal_expected_values(name):
    """Every expect_* call inside a hidden-test region passes reveal=False."""
    for cell in source_nb(name).cells:
        if not notebooks.is_test(cell):
            continue
        source = cell.source
        hidden_lines, inside = set(), False
        for number, line in enumerate(source.splitlines(), 1):
            inside = (inside or "### BEGIN HIDDEN TESTS" in line) and "### END HIDDEN TESTS" not in line
            if inside:
                hidden_lines.add(number)
        for node in ast.walk(ast.parse(source)):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in REVEALING_CHECKS
                    and node.lineno in hidden_lines):
                reveal = [k.value for k in node.keywords if k.arg == "reveal"]
                assert reveal and isinstance(reveal[0], ast.Constant) and reveal[0].value is False, \
                    f"{notebooks.grade_id(cell)} line {node.lineno}: a hidden {node.func.id} without reveal=False"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_no_test_cell_rebinds_a_name_the_setup_cell_imports(name):
    """Graded, a notebook's test cells share one namespace (split grading): a hidden loop variable named like a
    helper (`for element, count in ...`) would replace the helper for every later cell."""
    cells = source_nb(name).cells
    setup = next(c for c in cells if notebooks.grade_id(c) == "setup")
    imported = {alias.asname or alias.name for node in ast.walk(ast.parse(setup.source))
                if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names}
    for cell in cells:
        if notebooks.is_test(cell):
            bound = {node.id for node in ast.walk(ast.parse(cell.source))
                     if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
            assert not bound & imported, f"{notebooks.grade_id(cell)} rebinds {sorted(bound & imported)}"


def returned_expressions(code):
    """The source of every `return <expression>` of a solution (a bare name aside): the line that does the job."""
    found = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Return) and node.value is not None and not isinstance(node.value, ast.Name):
            found.append(ast.get_source_segment(code, node.value))
    return found


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_no_explanation_hands_over_the_solutions_line(name):
    """Explanations teach the idea and leave the line to the student: no text cell of the release holds the
    expression an instructor's solution returns (spaces ignored; expressions under 8 characters, such as
    `a + b`, are notation, not a give-away)."""
    solutions = reference_solutions(source_nb(name), MARKERS)
    texts = {notebooks.grade_id(c) or c.get("id"): re.sub(r"\s+", "", c.source)
             for c in release_nb(name).cells if c.cell_type == "markdown"}
    for exercise, code in solutions.items():
        for expression in returned_expressions(code):
            line = re.sub(r"\s+", "", expression)
            if len(line) >= 8:
                quoted = [cell for cell, text in texts.items() if line in text]
                assert not quoted, f"{exercise}: {expression!r} is written out in {quoted}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_a_released_comment_never_points_at_a_hidden_check(name):
    """The release drops the hidden tests: a comment after them must not speak of a check "above"."""
    for cell in source_nb(name).cells:
        if notebooks.is_test(cell) and MARKERS.end_hidden in cell.source:
            after = cell.source.split(MARKERS.end_hidden, 1)[1]
            comments = [line for line in after.splitlines() if line.strip().startswith("#")]
            assert not [c for c in comments if re.search(r"\babove\b", c)], f"{notebooks.grade_id(cell)}: {comments}"
