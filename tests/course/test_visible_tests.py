"""The visible test cells, as a student runs them in Jupyter (devtools.corpus.run_visible: the release
notebook run top to bottom in this process, with the same checks.py).

- Every visible test cell fails the trivial non-answers of devtools.corpus.NON_ANSWERS (return None,
  the first argument, 0, a copy of the input; always raise), so "Passed" in Jupyter never rewards one.
- Every visible cell checks what its docstring says. A docstring reads "Check <exercise> <inputs>:
  <what comes back>. Hidden tests ...". Its words for the inputs must match what the visible part
  passes to the function (a list, lists of lists, 1-D to 4-D arrays, n axes, floats, integers, square
  or rectangular matrices, vectors; a plural means two different inputs of that kind at least). Its
  words for what comes back (a float, an int, a tuple, a shape, uint8, unchanged inputs, a new array)
  must each be enforced: the instructor's solution altered in just that respect (the float turned into
  an int, the tuple into a list, an argument scribbled on after the call, ...) fails the cell.
"""

import copy
import functools
import re

import numpy as np
import pytest

from coursekit import notebooks
from coursekit.redaction import reference_solutions
from coursekit.spec import EXERCISES, NOTEBOOKS
from devtools import corpus

RELEASE = corpus.RELEASE
# One pytest-xdist worker runs this module: its runs share in-process caches (the runs below, the release
# devtools.corpus reads once, checks.py's formula cache), which a second worker would fill again.
pytestmark = pytest.mark.xdist_group("tests/course/test_visible_tests.py")


def visible_cells(notebook):
    """(exercise, grade_id, docstring) of every test cell of a release notebook, in order."""
    import ast

    cells = []
    for cell in notebooks.read(RELEASE / f"{notebook}.ipynb").cells:
        if notebooks.is_test(cell):
            cells.append((corpus.exercise_of_cell(cell, notebook), notebooks.grade_id(cell),
                          ast.get_docstring(ast.parse(cell.source)) or ""))
    return cells


CELLS = [(nb, *cell) for nb in NOTEBOOKS for cell in visible_cells(nb)]
FUNCTIONS = [(nb, ex, gid, doc) for nb, ex, gid, doc in CELLS if not ex.endswith("_answers")]


# ---------------------------------------------------------------- trivial non-answers


def non_answer_code(notebook, kind):
    """exercise -> the code of one kind of non-answer, for every exercise of a notebook."""
    stubs = reference_solutions(notebooks.read(RELEASE / f"{notebook}.ipynb"))
    return {ex: corpus.non_answer(kind, stubs[ex], corpus._solutions(notebook)[ex]) for ex in EXERCISES[notebook]}


@pytest.mark.parametrize("notebook, kind", [(nb, kind) for nb in NOTEBOOKS for kind in corpus.NON_ANSWERS],
                         ids=lambda v: str(v)[:26])
def test_every_visible_cell_fails_the_trivial_non_answers(notebook, kind):
    codes = non_answer_code(notebook, kind)
    passing = []
    for exercise in EXERCISES[notebook]:
        failures = corpus.run_visible(notebook, {exercise: codes[exercise]}, exercise)
        passing += [gid for gid, message in failures.items() if message is None]
    assert not passing, f"{kind}: these visible cells print Passed in Jupyter: {passing}"


# ---------------------------------------------------------------- what the docstrings say


def split_docstring(doc):
    """(inputs, outputs): the text between "Check <name>" and the first ': ', and the rest up to "Hidden tests"."""
    claims = re.split(r"\bHidden tests\b|\bhidden tests\b", " ".join(doc.split()))[0]
    head, _, tail = claims.partition(": ")
    return head, tail


def test_every_visible_docstring_says_what_it_checks_in_the_agreed_form():
    for _nb, exercise, gid, doc in CELLS:
        inputs, outputs = split_docstring(doc)
        assert inputs.startswith(f"Check {exercise}"), f"{gid}: the docstring must start 'Check {exercise}'"
        assert outputs.strip(), f"{gid}: the docstring must say after a colon what the cell checks"


# Words for the inputs: (pattern, what one recorded argument must be, the words' meaning)
def _is_list_of_lists(a):
    return isinstance(a, list) and bool(a) and all(isinstance(r, list) for r in a)


def _floating(a):
    return isinstance(a, (float, np.floating))


def _int_data(a):
    if isinstance(a, np.ndarray):
        return np.issubdtype(a.dtype, np.integer)
    if isinstance(a, list):
        return bool(a) and all(isinstance(v, int) or _int_data(v) for v in a)
    return isinstance(a, (int, np.integer)) and not isinstance(a, bool)


INPUT_WORDS = [
    (r"\blists of lists\b", _is_list_of_lists, "a list of lists"),
    (r"\bfloat (?:arrays?|matri(?:x|ces)|vectors?)\b",
     lambda a: isinstance(a, np.ndarray) and np.issubdtype(a.dtype, np.floating), "a float array"),
    (r"\binteger (?:arrays?|matri(?:x|ces)|vectors?|lists?)\b", _int_data, "an integer array or list"),
    (r"\blists?\b", lambda a: isinstance(a, list) and not _is_list_of_lists(a), "a list"),
    (r"\bfloats?\b", _floating, "a float"),
    (r"\bintegers?\b", _int_data, "integers"),
    (r"\bsquare\b", lambda a: isinstance(a, np.ndarray) and a.ndim == 2 and a.shape[0] == a.shape[1],
     "a square matrix"),
    (r"\brectangular\b", lambda a: isinstance(a, np.ndarray) and a.ndim == 2 and a.shape[0] != a.shape[1],
     "a rectangular matrix"),
    (r"\bvectors?\b", lambda a: isinstance(a, np.ndarray) and (a.ndim == 1 or (a.ndim == 2 and 1 in a.shape)),
     "a vector"),
    (r"\bmatri(?:x|ces)\b", lambda a: isinstance(a, np.ndarray) and a.ndim == 2, "a matrix"),
    (r"\barrays?\b", lambda a: isinstance(a, np.ndarray), "an array"),
]
PLURAL = re.compile(r"(?:s|ces)$")


def ndims_claimed(text):
    """The numbers of axes the inputs are said to have: '2-D, 3-D and 4-D', 'with 4 and 2 axes'."""
    found = {int(n) for n in re.findall(r"\b([1-5])-D\b", text)}
    for group in re.findall(r"\b((?:\d, )*\d(?:,? and \d)?) axes\b", text):
        found |= {int(n) for n in re.findall(r"\d", group)}
    return found


@functools.cache
def recorded_run(notebook, exercise):
    """(calls, failures) of one run of the notebook up to the exercise's last visible cell with the
    instructor's solution: calls = {grade_id: the arguments of every call of the exercise's function (and
    of functions it returns) in that cell}. One run serves every visible cell of the exercise."""
    calls, running = {}, {"cell": None}

    def record(func):
        def recorder(*args, **kwargs):
            calls.setdefault(running["cell"], []).append(copy.deepcopy(list(args) + list(kwargs.values())))
            result = func(*args, **kwargs)
            return record(result) if callable(result) and not isinstance(result, type) else result

        recorder.__wrapped__ = func
        recorder.__name__ = getattr(func, "__name__", "recorded")
        return recorder

    failures = corpus.run_visible(notebook, None, exercise, wrap=record,
                                  before_cell=lambda cell: running.update(cell=cell))
    return calls, failures


def recorded_calls(notebook, exercise, gid):
    """The arguments of every call of the exercise's function (and of functions it returns) in one visible cell."""
    calls, failures = recorded_run(notebook, exercise)
    assert failures[gid] is None, f"{gid}: the instructor's solution fails it: {failures[gid]}"
    return calls.get(gid, [])


def _key(value):
    if isinstance(value, np.ndarray):
        return ("array", value.shape, value.dtype.str, value.tobytes())
    return ("value", repr(value))


@pytest.mark.parametrize("notebook, exercise, gid, doc", FUNCTIONS, ids=[c[2] for c in FUNCTIONS])
def test_the_inputs_a_visible_docstring_names_are_the_ones_it_passes(notebook, exercise, gid, doc):
    inputs, _ = split_docstring(doc)
    calls = recorded_calls(notebook, exercise, gid)
    arguments = [a for call in calls for a in call]
    text = inputs
    for pattern, kind, meaning in INPUT_WORDS:
        for match in re.finditer(pattern, text):
            distinct = {_key(a) for a in arguments if kind(a)}
            wanted = 2 if PLURAL.search(match.group(0)) and not match.group(0).endswith("ss") else 1
            assert len(distinct) >= wanted, (
                f"{gid}: the docstring says {match.group(0)!r}, but the visible part passes "
                f"{len(distinct)} different {meaning}(s) to {exercise}")
        text = re.sub(pattern, " ", text)  # "float arrays" is not also "floats" and "arrays"
    for ndim in ndims_claimed(inputs):
        assert any(isinstance(a, np.ndarray) and a.ndim == ndim for a in arguments), \
            f"{gid}: the docstring names {ndim}-D inputs, but the visible part passes none to {exercise}"


# Words for what comes back, each with the instructor's solution altered in just that respect.
def _as_int(value):
    if isinstance(value, (float, np.floating)):
        return int(value)
    if isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.floating):
        return value.astype(np.int64)
    if isinstance(value, tuple):
        return tuple(_as_int(v) for v in value)
    return value


def _as_float(value):
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.integer):
        return value.astype(float)
    if isinstance(value, tuple):
        return tuple(_as_float(v) for v in value)
    return value


def _extra_axis(value):
    return value[np.newaxis] if isinstance(value, np.ndarray) else value


def _scribble(args):
    """Change every array or list argument in place, after the call."""
    for a in args:
        if isinstance(a, np.ndarray) and a.flags.writeable and a.size and a.dtype.kind in "iuf":
            a.flat[0] = a.flat[0] + 1
        elif isinstance(a, list) and a:
            a.append(a[0])


def mutant(kind):
    """wrap(func) for run_visible: the exercise's function altered as `kind` says."""
    def wrap(func):
        def altered(*args, **kwargs):
            result = func(*copy.deepcopy(args), **copy.deepcopy(kwargs))
            if kind == "float":
                return _as_int(result)
            if kind == "int":
                return _as_float(result)
            if kind == "tuple":
                return list(result) if isinstance(result, tuple) else result
            if kind == "shape":
                return tuple(_extra_axis(r) for r in result) if isinstance(result, tuple) else _extra_axis(result)
            if kind == "uint8":
                return result.astype(np.int16) if isinstance(result, np.ndarray) else result
            if kind == "unchanged":
                _scribble(args)
                return result
            if kind == "new":  # the result written into the first array argument that can hold it
                for a in args:
                    if (isinstance(a, np.ndarray) and isinstance(result, np.ndarray) and a.shape == result.shape
                            and np.can_cast(result.dtype, a.dtype, "same_kind")):
                        a[...] = result
                        return a
                _scribble(args)
                return result
            raise ValueError(kind)

        altered.__wrapped__ = func
        altered.__name__ = getattr(func, "__name__", "altered")
        return altered

    return wrap


OUTPUT_WORDS = [
    (r"\bfloats?\b|\bfloat64\b|\bfloat (?:array|dtype)\b", "float", "a float came back as an int"),
    (r"\bint\b|\binteger array\b|\ban integer\b", "int", "an int came back as a float"),
    (r"\btuple\b", "tuple", "a tuple came back as a list"),
    (r"\bsame shape\b|\bshape \(|\b\d-D array\b", "shape", "an array came back with an extra axis"),
    (r"\buint8\b", "uint8", "a uint8 array came back as int16"),
    (r"\bunchanged\b", "unchanged", "an argument was changed after the call"),
    (r"\bnew\b", "new", "the result was written into an argument and returned"),
]


@functools.cache
def mutant_failures(notebook, exercise, kind):
    """run_visible's failures with the exercise's function altered as `kind` says: one run serves every
    visible cell of the exercise whose docstring makes that claim."""
    return corpus.run_visible(notebook, None, exercise, wrap=mutant(kind))


@pytest.mark.parametrize("notebook, exercise, gid, doc", FUNCTIONS, ids=[c[2] for c in FUNCTIONS])
def test_what_a_visible_docstring_says_comes_back_is_enforced(notebook, exercise, gid, doc):
    _, outputs = split_docstring(doc)
    for pattern, kind, change in OUTPUT_WORDS:
        match = re.search(pattern, outputs)
        if match:
            failures = mutant_failures(notebook, exercise, kind)
            assert failures[gid] is not None, (
                f"{gid}: the docstring says {match.group(0)!r}, but the cell passes when {change}")


# ---------------------------------------------------------------- in a real Jupyter kernel




# ---------------------------------------------------------------- the corpus, as a student sees it

CASES = corpus.load()


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.notebook[:2]}-{c.exercise}-{c.kind}-{c.line}")
def test_corpus_case_in_jupyter(case):
    """A right answer passes every visible test; a mistake with `# visible:` fails one with that message."""
    ok, why = corpus.visible_verdict(case)
    assert ok, f"{case.name} (tests/corpus/answers/{case.notebook}.py:{case.line}): {why}"
