"""The tamper scan: hostile code is flagged, honest code is not, and no file makes it crash."""

import copy
import dataclasses
import json

import pytest

from coursekit.commands import scan as cli
from coursekit.grading import scan
from coursekit.grading.scan import bindings, checker, notebook_scan, parse
from coursekit.spec import ASSIGNMENT, NOTEBOOKS
from devtools import corpus
from devtools.scratch import REPO

SOURCE = REPO / "source" / ASSIGNMENT
RELEASE = REPO / "release" / ASSIGNMENT
EXAMPLES = REPO / "examples" / "submitted"
NB = "02_matrix_operations"  # the smallest notebook: solution "scale", test "scale_values"


def rules(code):
    return {f.rule for f in scan.scan_code(code)}


def release_json(name=NB):
    return json.loads((RELEASE / f"{name}.ipynb").read_text())


def index_of(nb, grade_id):
    return next(i for i, c in enumerate(nb["cells"]) if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id)


def write(folder, nb, name=NB):
    path = folder / f"{name}.ipynb"
    path.write_bytes(nb if isinstance(nb, bytes) else json.dumps(nb).encode())
    return path


def code_cell(source, nbgrader=None):
    meta = {"nbgrader": nbgrader} if nbgrader is not None else {}
    return {"cell_type": "code", "metadata": meta, "source": source, "outputs": [], "execution_count": None}


# ---------------------------------------------------------------- honest code passes clean

CASES = corpus.load()


@pytest.mark.parametrize("case", CASES, ids=[f"{c.notebook[:2]}:{c.line}:{c.exercise}:{c.kind}" for c in CASES])
def test_corpus_answers_raise_no_flag_for_review(case):
    """Every honest answer of the grading corpus, right or wrong, is never flagged for review (an
    answer that does not parse gets its information flag, syntax-error, and nothing else)."""
    assert [f.rule for f in scan.scan_code(case.code)] in ([], ["syntax-error"])


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_source_solutions_and_notebooks_scan_clean(name):
    raw = json.loads((SOURCE / f"{name}.ipynb").read_text())
    solutions = ["".join(c["source"]) for c in raw["cells"] if c["metadata"].get("nbgrader", {}).get("solution")]
    assert solutions and all(scan.scan_code(code) == [] for code in solutions)
    assert scan.scan_notebook(SOURCE / f"{name}.ipynb") == []


def test_release_and_example_students_scan_clean():
    for name in NOTEBOOKS:
        assert scan.scan_notebook(RELEASE / f"{name}.ipynb", RELEASE / f"{name}.ipynb") == []
    assert scan.scan_submissions(EXAMPLES, RELEASE) == {"alice": [], "bao": [], "chidi": []}
    assert scan.scan_submissions(EXAMPLES) == {"alice": [], "bao": [], "chidi": []}


HONEST = [
    "rng = np.random.default_rng(0)\nx = rng.normal(size=3)",
    "import numpy as np\nfrom checks import expect_array",  # the setup cell's own imports, again
    "import math\nimport random\nrandom.seed(0)\ny = math.exp(1)",
    "import copy, itertools, functools\nfrom functools import reduce\nfrom collections import Counter",
    "def f(os, signal, sys):\n    return os.path, signal.mean(), sys.stdout",  # parameters named like modules
    "signal = np.sin(np.linspace(0, 1, 5))\npeak = signal.max()",
    "with open('data.csv') as f:\n    rows = f.read()\nopen(f'results/out_{3}.txt', 'w')",
    "open('source_notes.txt')\nsource = 'x'\nopen(source)",
    "squares = [x * x for x in range(3)]\ntotal = sum(squares)",
    "class Point:\n    def __init__(self, x):\n        self.x = x\n"
    "    def __eq__(self, other):\n        return self.x == other.x",
    "def check(v):\n    if v < 0:\n        raise ValueError('negative')\n    return v",
    "import re\npattern = re.compile('[0-9]+')",
    "model.eval()\nobj.exec = 1\nself.exit = True",
    "def f():\n    print = 3\n    max = 4\n    return print + max",  # local names, not notebook level
    "def evaluate(model, x, exit=None, compile=False):\n    eval = model(x)\n    return eval, exit, compile",
    "class Options:\n    exit = False\n    compile = True",  # class attributes named like builtins
    "import sys\nsys.stdout.write('x')\nsys.setrecursionlimit(10000)",
    "%matplotlib inline\n%timeit np.zeros(3)\nnp.zeros?",
    "import threading\nthreading.Thread(target=print).start()",
    "a = np.zeros(6)\na.shape = (2, 3)\nvalues = [3, 1]\nvalues.sort()\nd = {}\nd.update(a=1)",
    "import warnings\nwarnings.filterwarnings('ignore')\nnp.set_printoptions(precision=3)",
    "pi = np.pi\nangle = pi / 2\nexit_code = 0\nsum_ = sum([1])",
    "from pathlib import Path\np = Path('data') / 'train.csv'",
    "folder = 'out'\nopen(f'{folder}/result.txt', 'w')\nopen(folder + '/log.txt')",
    "with open('log.txt', 'w') as f:\n    f.write(f'{a}/{b} done, see ../notes and ~ for more')\nratio = '/'",
    "import time\ntime.sleep(0)\nfrom dataclasses import dataclass",
    "try:\n    pass\nexcept Exception as error:\n    raise ValueError('x') from error",
    "def wrapper(f):\n    def g(x):\n        return f(x)\n"
    "    g.__name__ = f.__name__\n    g.__doc__ = f.__doc__\n    return g",
]


@pytest.mark.parametrize("code", HONEST)
def test_honest_code_raises_no_flag(code):
    assert scan.scan_code(code) == []


# ---------------------------------------------------------------- hostile code is flagged

HOSTILE = [
    # patching test machinery
    ("patch-module", "import numpy as np\nnp.allclose = lambda *a, **k: True"),
    ("patch-module", "np.isclose = lambda *a, **k: True"),
    ("patch-module", "np.array_equal = lambda *a: True"),
    ("patch-module", "np.testing.assert_allclose = lambda *a, **k: None"),
    ("patch-module", "import numpy.testing as npt\nnpt.assert_allclose = print"),
    ("patch-module", "from numpy import testing\ntesting.assert_array_equal = None"),
    ("patch-module", "t = np.testing\nt.assert_allclose = None"),
    ("patch-module", "np.random.seed = lambda s: None"),
    ("patch-module", "setattr(np, 'allclose', lambda *a, **k: True)"),
    ("patch-module", "delattr(np.testing, 'assert_allclose')"),
    ("patch-module", "object.__setattr__(np, 'allclose', print)"),
    ("patch-module", "np.__dict__['allclose'] = print"),
    ("patch-module", "vars(np)['allclose'] = print"),
    ("patch-module", "import builtins\nbuiltins.isinstance = lambda *a: True"),
    ("patch-module", "__builtins__.print = lambda *a: None"),
    ("patch-module", "import checks\nchecks.fail = lambda message: None"),
    ("patch-module", "import checks as c\nc.expect_array = lambda *a, **k: None"),
    ("patch-module", "expect_array.__code__ = (lambda *a, **k: None).__code__"),
    ("sys-modules", "import sys\nsys.modules['checks'] = object()"),
    ("sys-modules", "import sys\ndel sys.modules['numpy']"),
    ("sys-modules", "import sys\nsys.modules.update({'checks': None})"),
    ("sys-modules", "import sys as s\ns.modules.pop('checks')"),
    ("sys-modules", "import sys\nsys.modules['checks'].fail = print"),
    ("sys-modules", "import sys\nm = sys.modules\nm['checks'] = None"),
    ("globals-write", "globals()['fail'] = print"),
    ("globals-write", "globals().update(fail=print)"),
    ("globals-write", "g = globals()\ng['expect_array'] = print"),
    ("globals-write", "vars()['fail'] = print"),
    ("rebind-builtin", "AssertionError = Exception"),
    ("rebind-builtin", "isinstance = lambda *a: True"),
    ("rebind-builtin", "def type(x):\n    return float"),
    ("rebind-builtin", "float = int"),
    ("rebind-builtin", "print = lambda *a, **k: None"),
    ("rebind-builtin", "class Exception(BaseException):\n    pass"),
    ("rebind-builtin", "if True:\n    len = lambda x: 3"),
    ("rebind-builtin", "from numpy import sum as abs"),
    ("rebind-test-name", "expect_array = lambda *a, **k: None"),
    ("rebind-test-name", "from checks import expect_array\nexpect_array = lambda *a, **k: None"),
    ("rebind-test-name", "def fail(message):\n    pass"),
    ("rebind-test-name", "np = None"),
    ("rebind-test-name", "from mychecks import expect_equal"),
    ("rebind-test-name", "for fail in [print]:\n    pass"),
    ("rebind-test-name", "def f():\n    global expect_number\n    expect_number = print"),
    ("always-equal", "class A:\n    def __eq__(self, other):\n        return True"),
    ("always-equal", "class A:\n    def __eq__(self, other):\n        '''Equal to anything.'''\n        return True"),
    ("always-equal", "class A:\n    __eq__ = lambda self, other: True"),
    ("always-equal", "class A:\n    def __ne__(self, other):\n        return False"),
    ("always-equal", "x.__class__.__eq__ = lambda s, o: True"),
    ("always-equal", "np.ndarray.__eq__ = lambda s, o: True"),
    # IPython and interpreter hooks
    ("ipython-hook", "get_ipython().set_custom_exc((Exception,), lambda *a: None)"),
    ("ipython-hook", "get_ipython().showtraceback = lambda *a, **k: None"),
    ("ipython-hook", "get_ipython().events.register('post_run_cell', print)"),
    ("ipython-hook", "ip = get_ipython()\nip.input_transformers_post.append(print)"),
    ("ipython-hook", "get_ipython().input_transformers_cleanup.clear()"),
    ("ipython-hook", "get_ipython().ast_transformers.append(t)"),
    ("ipython-hook", "get_ipython().run_cell = lambda *a, **k: None"),
    ("ipython-hook", "from IPython import get_ipython as g\ng().set_custom_exc((Exception,), print)"),
    ("ipython-hook", "from IPython.core.interactiveshell import InteractiveShell\n"
                     "InteractiveShell.showtraceback = lambda *a, **k: None"),
    ("sys-hook", "import sys\nsys.excepthook = lambda *a: None"),
    ("sys-hook", "import sys\nsys.displayhook = print"),
    ("sys-hook", "import sys\nsys.settrace(print)"),
    ("sys-hook", "import sys\nsys.setprofile(print)"),
    ("sys-hook", "import sys\nsys.stdout = open('log.txt', 'w')"),
    ("sys-hook", "import sys as system\nsystem.stderr = None"),
    ("sys-hook", "import sys\nsetattr(sys, 'stdout', None)"),
    # leaving or killing the kernel
    ("kernel-exit", "import os\nos._exit(0)"),
    ("kernel-exit", "import os as o\no._exit(0)"),
    ("kernel-exit", "from os import _exit as bye\nbye(0)"),
    ("kernel-exit", "import sys\nsys.exit()"),
    ("kernel-exit", "exit()"),
    ("kernel-exit", "quit()"),
    ("kernel-exit", "exit"),
    ("kernel-exit", "def f(exit=exit):\n    exit()"),  # the default reads the builtin
    ("kernel-exit", "def f():\n    def g():\n        exit = 1\n    exit()"),
    ("kernel-exit", "import os\nos.kill(os.getpid(), 9)"),
    ("kernel-exit", "import signal\nsignal.alarm(1)"),
    ("kernel-exit", "import os\nos.abort()"),
    ("kernel-exit", "raise SystemExit"),
    ("kernel-exit", "def f():\n    raise SystemExit(0)"),
    ("kernel-exit", "class Bye(SystemExit):\n    pass"),
    ("kernel-exit", "import faulthandler\nfaulthandler.enable()"),
    # low-level and process access, shell
    ("process", "import ctypes"),
    ("process", "import cffi"),
    ("process", "import mmap"),
    ("process", "import subprocess\nsubprocess.run(['ls'])"),
    ("process", "from subprocess import Popen"),
    ("process", "import os\nos.system('ls')"),
    ("process", "from os import system as s\ns('ls')"),
    ("process", "from os import *\nsystem('ls')"),
    ("process", "import os\nos.popen('ls').read()"),
    ("process", "import os\nos.fork()"),
    ("process", "import os\nos.execv('/bin/sh', ['sh'])"),
    ("process", "import os\nos.spawnl(os.P_WAIT, '/bin/ls', 'ls')"),
    ("process", "import pty"),
    ("process", "import multiprocessing"),
    ("process", "__import__('os').system('ls')"),
    ("process", "import os\nvars(os)['system']('ls')"),
    ("kernel-exit", "import os\ngetattr(os, '_exit')(0)"),
    ("kernel-exit", "import sys\nsys.modules['os']._exit(0)"),
    ("dynamic-code", "__builtins__['exec']('1')"),
    ("process", "import importlib\nimportlib.import_module('subprocess').run('ls')"),
    ("shell", "!ls"),
    ("shell", "files = !ls"),
    ("shell", "\n\n%%bash\nls"),
    ("shell", "%%sh\nls"),
    ("shell", "%%script bash\nls"),
    ("shell", "%system ls"),
    ("shell", "%sx ls"),
    ("shell", "files = %sx ls"),
    ("shell", "def f():\n    !rm -rf build"),
    ("shell", "get_ipython().system('ls')"),
    ("shell", "get_ipython().run_line_magic('system', 'ls')"),
    # network
    ("network", "import socket"),
    ("network", "import urllib.request"),
    ("network", "from urllib.request import urlopen\nurlopen('http://example.com')"),
    ("network", "import http.client"),
    ("network", "import requests"),
    ("network", "import httpx"),
    ("network", "import ftplib"),
    ("network", "import smtplib"),
    ("network", "from socket import create_connection as c\nc(('example.com', 80))"),
    # files outside the submission, grading files
    ("file-access", "open('/etc/passwd')"),
    ("file-access", "open('../source/math_numpy/02_matrix_operations.ipynb')"),
    ("file-access", "open('~/.bashrc')"),
    ("file-access", "name = 'x'\nopen(f'../{name}.txt')"),
    ("file-access", "import io\nio.open('/tmp/x')"),
    ("file-access", "import os\nos.open('/etc/passwd', os.O_RDONLY)"),
    ("file-access", "from pathlib import Path\nPath('/home')"),
    ("file-access", "from pathlib import Path\np = Path('.') / '..' / 'x'"),
    ("file-access", "import os\nos.listdir('..')"),
    ("file-access", "import os\nos.scandir('/')"),
    ("file-access", "import glob\nglob.glob('../**/*.py')"),
    ("file-access", "import os\nfor root, dirs, files in os.walk('/'):\n    pass"),
    ("file-access", "import shutil\nshutil.copy('a.txt', '/tmp/a.txt')"),
    ("file-access", "import shutil\nshutil.rmtree('build')"),
    ("file-access", "import os\nos.remove('x.txt')"),
    ("file-access", "import os\nos.unlink('x.txt')"),
    ("file-access", "import os\nos.chdir('data')"),
    ("file-access", "open('gradebook.db')"),
    ("file-access", "open('autograded/alice/math_numpy/x.ipynb')"),
    ("file-access", "open('notes.ipynb')"),
    ("file-access", "open('checks.py', 'w')"),
    ("file-access", "import sqlite3\nsqlite3.connect('x')"),
    ("file-access", "np.load('/tmp/answers.npy')"),
    ("file-access", "targets = ['/proc/1/environ', 'x.txt']\nfor t in targets:\n    open(t).read()"),
    ("file-access", "import glob\nfor pattern in ['/**/gradebook.db']:\n    glob.glob(pattern, recursive=True)"),
    ("file-access", "%cd .."),
    ("file-access", "%%writefile checks.py\nx = 1"),
    # introspection
    ("introspection", "import sys\nsys._getframe(1)"),
    ("introspection", "import inspect\ninspect.stack()"),
    ("introspection", "import inspect\ninspect.currentframe().f_back"),
    ("introspection", "import inspect\ninspect.getouterframes(f)"),
    ("introspection", "import gc\ngc.get_objects()"),
    ("introspection", "import gc\ngc.get_referrers(x)"),
    ("introspection", "object.__subclasses__()"),
    ("introspection", "fail.__globals__['x'] = 1"),
    ("introspection", "def f(frame):\n    return frame.f_back.f_globals"),
    ("introspection", "x.__class__ = int"),
    # dynamic code
    ("dynamic-code", "exec('x = 1')"),
    ("dynamic-code", "eval('1 + 1')"),
    ("dynamic-code", "compile('x', 'f', 'exec')"),
    ("dynamic-code", "__import__('os')"),
    ("dynamic-code", "import importlib"),
    ("dynamic-code", "from importlib import reload"),
    ("dynamic-code", "b = __builtins__\nb.exec('1')"),
    ("dynamic-code", "import builtins as b\nb.eval('1')"),
    ("dynamic-code", "getattr(np, name)"),
    ("dynamic-code", "%run other.py"),
    ("dynamic-code", "%load_ext something"),
    ("dynamic-code", "get_ipython().run_line_magic(name, 'ls')"),
    ("dynamic-code", "%timeit exec('1')"),
    ("kernel-exit", "%%time\nimport os\nos._exit(0)"),
]


@pytest.mark.parametrize("rule, code", HOSTILE, ids=[f"{r}:{c[:40]!r}" for r, c in HOSTILE])
def test_hostile_code_is_flagged(rule, code):
    assert rule in rules(code), scan.scan_code(code)
    assert all(f.severity == "review" for f in scan.scan_code(code))


STRUCTURE_RULES = {"unreadable", "locked-cell-edited", "locked-cell-deleted", "locked-cell-moved",
                   "grade-metadata-changed", "cell-deleted",
                   "duplicate-grade-id", "unknown-grade-id", "extra-file", "oversized-cell", "scan-error",
                   "syntax-error"}


def test_every_code_rule_has_hostile_examples():
    assert set(scan.RULES) - STRUCTURE_RULES == {rule for rule, _ in HOSTILE}
    assert {severity for severity, _ in scan.RULES.values()} == {"review", "info"}


def test_flags_point_at_the_cell_line_and_code(tmp_path):
    nb = release_json()
    i = index_of(nb, "scale")
    long_line = "os.system('echo " + "x" * 200 + "')"
    nb["cells"][i]["source"] = ["import os\n", "def scale(a, s):\n", "    return a * s\n", long_line]
    flags = scan.scan_notebook(write(tmp_path, nb))
    assert len(flags) == 1
    flag = flags[0]
    assert (flag.notebook, flag.cell, flag.grade_id, flag.rule, flag.line, flag.severity) == \
        (str(tmp_path / f"{NB}.ipynb"), i, "scale", "process", 4, "review")
    assert flag.code.startswith("os.system('echo xxx") and len(flag.code) <= 100
    with pytest.raises(dataclasses.FrozenInstanceError):
        flag.rule = "other"


def test_magic_lines_map_back_to_the_source():
    (flag,) = scan.scan_code("\n\n# list files\n!ls -la")
    assert (flag.rule, flag.line, flag.code) == ("shell", 4, "!ls -la")
    (flag,) = scan.scan_code("%%time\nx = 1\nimport os\nos._exit(0)")
    assert (flag.rule, flag.line, flag.code) == ("kernel-exit", 4, "os._exit(0)")


# ---------------------------------------------------------------- which cells count


def test_edits_to_test_cells_are_flagged_for_review_and_their_code_is_not_scanned(tmp_path):
    """The grader runs the gradebook's copy of a test cell, so its code does nothing; that it was
    edited still makes the notebook one to read."""
    nb = release_json()
    i = index_of(nb, "scale_values")
    nb["cells"][i]["source"] = "import os\nos._exit(0)"
    path = write(tmp_path, nb)
    assert scan.scan_notebook(path) == []
    (flag,) = scan.scan_notebook(path, RELEASE / f"{NB}.ipynb")
    assert (flag.rule, flag.severity, flag.cell, flag.grade_id) == ("locked-cell-edited", "review", i, "scale_values")


def test_changed_locked_cells_are_for_review_a_deleted_answer_is_information(tmp_path):
    nb = release_json()
    nb["cells"][index_of(nb, "scale_values")]["metadata"]["nbgrader"]["points"] = 100
    del nb["cells"][index_of(nb, "scale_new_float_array")]
    nb["cells"][index_of(nb, "matrix_add_values")]["metadata"] = {}  # unmarked: nbgrader re-adds the real one
    del nb["cells"][index_of(nb, "matrix_add")]
    flags = scan.scan_notebook(write(tmp_path, nb), RELEASE / f"{NB}.ipynb")
    assert sorted((f.rule, f.grade_id, f.severity) for f in flags) == [
        ("cell-deleted", "matrix_add", "info"),
        ("locked-cell-deleted", "matrix_add_values", "review"),
        ("locked-cell-deleted", "scale_new_float_array", "review"),
        ("locked-cell-edited", "scale_values", "review")]
    assert "points 2.0 -> 100.0" in next(f.message for f in flags if f.rule == "locked-cell-edited")


def test_a_moved_locked_cell_is_for_review_a_moved_answer_is_not(tmp_path):
    nb = release_json()
    nb["cells"].append(nb["cells"].pop(index_of(nb, "setup")))
    flags = scan.scan_notebook(write(tmp_path, nb), RELEASE / f"{NB}.ipynb")
    assert [(f.rule, f.grade_id, f.severity) for f in flags] == [("locked-cell-moved", "setup", "review")]
    nb = release_json()
    answer = nb["cells"].pop(index_of(nb, "scale"))  # below its own tests: it only fails them
    nb["cells"].insert(index_of(nb, "transpose"), answer)
    assert scan.scan_notebook(write(tmp_path, nb), RELEASE / f"{NB}.ipynb") == []


def test_an_earlier_duplicate_of_a_test_cell_is_scanned(tmp_path):
    """nbgrader keeps the last copy of a grade_id and grades the others as student cells."""
    nb = release_json()
    i = index_of(nb, "scale_values")
    twin = copy.deepcopy(nb["cells"][i])
    twin["source"] = "import os\nos._exit(0)"
    nb["cells"].insert(i, twin)
    flags = scan.scan_notebook(write(tmp_path, nb))
    assert sorted((f.rule, f.cell) for f in flags) == [("duplicate-grade-id", i), ("kernel-exit", i)]


def test_added_cells_are_scanned(tmp_path):
    nb = release_json()
    nb["cells"].append(code_cell("import subprocess"))
    (flag,) = scan.scan_notebook(write(tmp_path, nb), RELEASE / f"{NB}.ipynb")
    assert (flag.rule, flag.cell, flag.grade_id) == ("process", len(nb["cells"]) - 1, None)


def test_a_graded_cell_without_a_grade_id_is_scanned_as_a_student_cell(tmp_path):
    """nbgrader's DeduplicateIds, which the scan runs, would raise on it: it must not here."""
    nb = release_json()
    nb["cells"].append(code_cell("import ctypes", {"grade": True, "locked": True, "points": 1}))
    for release in (RELEASE / f"{NB}.ipynb", None):
        flags = scan.scan_notebook(write(tmp_path, nb), release)
        assert [(f.rule, f.cell) for f in flags] == [("process", len(nb["cells"]) - 1)]


def test_forged_locked_metadata_is_seen_through_with_the_release(tmp_path):
    nb = release_json()
    nb["cells"].append(code_cell("import os\nos._exit(0)", {"locked": True, "grade_id": "mine"}))
    path = write(tmp_path, nb)
    flags = scan.scan_notebook(path, RELEASE / f"{NB}.ipynb")
    assert {f.rule for f in flags} == {"unknown-grade-id", "kernel-exit"}
    assert scan.scan_notebook(path) == []  # without the release it is trusted: a documented gap


def test_a_solution_cell_marked_locked_is_still_scanned_with_the_release(tmp_path):
    nb = release_json()
    i = index_of(nb, "scale")
    nb["cells"][i]["metadata"]["nbgrader"].update(locked=True, solution=False)
    nb["cells"][i]["source"] = "import os\nos._exit(0)"
    flags = scan.scan_notebook(write(tmp_path, nb), RELEASE / f"{NB}.ipynb")
    assert {(f.rule, f.cell) for f in flags} >= {("kernel-exit", i), ("grade-metadata-changed", i)}


def test_a_solution_saved_as_markdown_is_scanned_with_the_release(tmp_path):
    """nbgrader turns the cell back into code and runs it."""
    nb = release_json()
    i = index_of(nb, "scale")
    nb["cells"][i].update(cell_type="markdown", source="import ctypes")
    for key in ("outputs", "execution_count"):
        del nb["cells"][i][key]
    flags = scan.scan_notebook(write(tmp_path, nb), RELEASE / f"{NB}.ipynb")
    assert {(f.rule, f.cell) for f in flags} == {("process", i), ("grade-metadata-changed", i)}


def test_test_names_come_from_the_setup_cells(tmp_path):
    """Notebook 02's setup cell does not import show; 03's does.  An edited setup cell cannot
    make a rebinding of a default test name disappear."""
    for name, expected in (("02_matrix_operations", set()), ("03_numpy_essentials", {"rebind-test-name"})):
        nb = release_json(name)
        nb["cells"].append(code_cell("def show(x):\n    print(x)"))
        assert {f.rule for f in scan.scan_notebook(write(tmp_path, nb, name), RELEASE / f"{name}.ipynb")} == expected
    nb = release_json()
    nb["cells"][index_of(nb, "setup")]["source"] = "import numpy as np"
    nb["cells"].append(code_cell("expect_array = lambda *a, **k: None"))
    assert {f.rule for f in scan.scan_notebook(write(tmp_path, nb))} == {"rebind-test-name"}


# ---------------------------------------------------------------- hostile files never crash it

CORRUPT = {
    "not JSON": b"this is not a notebook",
    "empty file": b"",
    "JSON list": b"[1, 2, 3]",
    "JSON string": b'"cells"',
    "cells not a list": b'{"cells": "print(1)", "nbformat": 4}',
    "cells an object": b'{"cells": {"0": {}}, "nbformat": 4}',
    "no cells (nbformat 3)": b'{"worksheets": [{"cells": []}], "nbformat": 3}',
    "binary garbage": bytes(range(256)) * 40,
    "deeply nested": b"[" * 100_000 + b"]" * 100_000,
    "bad UTF-8": b'{"cells": [], "x": "\xff\xfe"}',
    "huge integer": b'{"cells": [], "x": ' + b"9" * 100_000 + b"}",
}


@pytest.mark.parametrize("label", CORRUPT)
def test_a_corrupt_file_gives_one_unreadable_flag(tmp_path, label):
    (flag,) = scan.scan_notebook(write(tmp_path, CORRUPT[label]), RELEASE / f"{NB}.ipynb")
    assert flag.rule == "unreadable" and flag.message.startswith("unreadable notebook: ")
    assert flag.severity == "review"


def test_a_missing_file_or_a_folder_is_unreadable(tmp_path):
    for path in (tmp_path / "nothing.ipynb", tmp_path):
        (flag,) = scan.scan_notebook(path)
        assert flag.rule == "unreadable"


def test_odd_cells_are_read_defensively(tmp_path):
    cells = [
        1, "cell", None, [],
        {"cell_type": "code"},  # no source, no metadata
        {"cell_type": "code", "source": 5, "metadata": {}},
        {"cell_type": "code", "source": ["import os\n", "os._exit(0)\n"], "metadata": {}},  # valid nbformat
        {"cell_type": "code", "source": ["x = 1\n", 7, None], "metadata": []},
        {"cell_type": "code", "source": "exit()", "metadata": {"nbgrader": "yes"}},
        {"cell_type": 3, "source": "pass", "metadata": {"nbgrader": {"grade_id": ["x"], "locked": "yes"}}},
        {"cell_type": "code", "source": "\x00\x01 binary \udcff", "metadata": {}},
    ]
    flags = scan.scan_notebook(write(tmp_path, {"cells": cells}), RELEASE / f"{NB}.ipynb")
    found = {(f.cell, f.rule, f.line) for f in flags}
    assert (6, "kernel-exit", 2) in found and (8, "kernel-exit", 1) in found
    assert (10, "syntax-error", None) in found


def test_a_cell_without_source_is_clean(tmp_path):
    assert scan.scan_notebook(write(tmp_path, {"cells": [{"cell_type": "code", "metadata": {}}]})) == []


def test_huge_cells_are_flagged_not_parsed(tmp_path):
    nb = release_json()
    nb["cells"].append(code_cell("x = 1\n" * 900_000))  # about 5 MB
    (flag,) = scan.scan_notebook(write(tmp_path, nb), RELEASE / f"{NB}.ipynb")
    assert flag.rule == "oversized-cell" and flag.cell == len(nb["cells"]) - 1
    nb["cells"][-1:] = [code_cell("y = 2\n" * 7_500) for _ in range(5)]  # 45 kB each: over the budget
    flags = scan.scan_notebook(write(tmp_path, nb))
    assert [f.rule for f in flags] == ["oversized-cell"] and "not scanned" in flags[0].message


def test_unparseable_and_absurd_code_never_raises():
    (flag,) = scan.scan_code("def f(:\n    return")
    assert (flag.rule, flag.severity) == ("syntax-error", "info")
    assert [f.rule for f in scan.scan_code("(" * 5000)] == ["syntax-error"]
    for code in ("a" + ".b" * 20_000, "x = " + "-" * 30_000 + "1", None, 42):
        assert {f.rule for f in scan.scan_code(code)} <= {"syntax-error", "scan-error"}


def test_a_scanner_bug_is_a_flag_not_a_crash(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(checker, "check", broken)
    assert [f.rule for f in scan.scan_code("x = 1")] == ["scan-error"]
    monkeypatch.setattr(notebook_scan, "_scan_cells", broken)
    (flag,) = scan.scan_notebook(RELEASE / f"{NB}.ipynb")
    assert flag.rule == "scan-error"


def test_an_unreadable_release_only_disables_the_comparison(tmp_path):
    bad_release = tmp_path / "release.ipynb"
    bad_release.write_text("not json")
    nb = release_json()
    nb["cells"][index_of(nb, "scale")]["source"] = "import ctypes"
    assert [f.rule for f in scan.scan_notebook(write(tmp_path, nb), bad_release)] == ["process"]


# ---------------------------------------------------------------- batches and the command line


def submissions(root, students):
    """root/submitted/<student>/math_numpy/<notebook>.ipynb, from alice's, with optional extra code.

    Each student's solution cells get their own comment, so that no two students share a cell
    (the scanner parses a cell it has seen once only)."""
    for student, extra in students.items():
        folder = root / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        for name in NOTEBOOKS:
            nb = json.loads((EXAMPLES / "alice" / ASSIGNMENT / f"{name}.ipynb").read_text())
            for cell in nb["cells"]:
                if cell["metadata"].get("nbgrader", {}).get("solution"):
                    cell["source"] = "".join(cell["source"]) + f"\n# {student}"
            if extra:
                nb["cells"].append(code_cell(extra))
            write(folder, nb, name)
    return root / "submitted"


def test_scan_submissions_walks_students_and_flags_shipped_modules(tmp_path):
    submitted = submissions(tmp_path, {"ann": "", "ben": "import socket"})
    (submitted / "ann" / ASSIGNMENT / "numpy.py").write_text("allclose = lambda *a, **k: True")
    (submitted / "ann" / ASSIGNMENT / "checks.py").write_text("")  # nbgrader overwrites it
    (submitted / "cid").mkdir()  # submitted nothing
    results = scan.scan_submissions(submitted, RELEASE)
    assert list(results) == ["ann", "ben", "cid"] and results["cid"] == []
    assert [(f.rule, f.notebook.endswith("numpy.py")) for f in results["ann"]] == [("extra-file", True)]
    assert [f.rule for f in results["ben"]] == ["network"] * 3


def test_a_class_of_two_hundred_notebooks_flags_exactly_the_tampering_students(tmp_path):
    submitted = submissions(tmp_path, {f"s{i:02d}": "import os\nos._exit(0)" if i % 10 == 0 else ""
                                       for i in range(67)})
    results = scan.scan_submissions(submitted, RELEASE)
    assert len(results) == 67
    assert sorted(student for student, flags in results.items() if flags) == [f"s{i:02d}" for i in range(0, 67, 10)]


def test_cli_prints_a_table_and_exits_0(tmp_path, capsys):
    submitted = submissions(tmp_path, {"ann": "", "ben": "!curl http://example.com"})
    assert cli.main([str(submitted), "--release", str(RELEASE)]) == 0
    out = capsys.readouterr().out
    assert "student" in out and "rule" in out and "shell" in out and "!curl http://example.com" in out
    assert "3 finding(s), 3 to review, in 1 of 2 student(s)" in out
    # The example students' own submissions (the command's start is tests/commands' --help test).
    assert cli.main([str(EXAMPLES), "--release", str(RELEASE)]) == 0
    assert "0 finding(s)" in capsys.readouterr().out


def test_default_test_names_cover_the_release_setup_cells():
    """scan_code on its own assumes the setup cells' names: they must not drift from the release."""
    for name in NOTEBOOKS:
        nb = release_json(name)
        setup = "".join(nb["cells"][index_of(nb, "setup")]["source"])
        ctx = bindings.Context([], [parse.parse(setup)[0]])
        assert ctx.test_names == bindings.DEFAULT_TEST_NAMES, name

