"""Flag attempts to tamper with grading, by reading each submission's code (never running it).

`python -m coursekit.grading.scan [submitted_dir] [--release release/math_numpy]` prints one row per
finding and exits 0 (2 only for a folder that does not exist): it reports for an instructor to
review, it does not decide grades.

What is scanned: the code nbgrader keeps as the student left it, i.e. solution cells and cells the
student added.  nbgrader puts locked and test cells back from the gradebook before grading, so
their code cannot tamper with anything; `_kept_cells` mirrors nbgrader's own rules for this
(DeduplicateIds, then OverwriteCells).  With the release notebook to compare with, edits to locked
cells, changed nbgrader metadata, deleted and unknown cells are listed as information.  Python
files shipped beside the notebooks are flagged too: the kernel would import a numpy.py instead
of NumPy.

Each cell is parsed with `ast`; a cell that is not plain Python (%magics, %%cell magics, !shell)
is first turned into the calls IPython itself would run (`get_ipython().run_line_magic(...)`,
`.system(...)`, `.run_cell_magic(...)`) by IPython's TransformerManager.  Plain Python goes
straight to `ast` because IPython leaves it unchanged, and that keeps the scan fast.  Names are
resolved through a per-notebook table of imports and simple assignments (`import os as o`,
`from os import _exit as bye`, `t = np.testing`, `ip = get_ipython()`), so an alias does not
hide a call; beyond that there is no data-flow analysis.

Severity:
- "review": tamper-like code, or code the scanner could not read.  Read the cell before trusting
  its grade; it is a pointer for a human, never a verdict.
- "info":   harmless at grading time (nbgrader restores the cell, or the cell simply fails to run),
  listed so a surprising score can be explained.  A cell that does not parse even after the
  IPython transform gets one "syntax-error" info flag: it fails when graded, it tampers with nothing.

Known gaps (a static scan is a tripwire, not a sandbox): objects passed through containers or
function arguments, and names or code built as strings at run time (exec, getattr with a computed
name and the like are flagged, what they reach is not); paths computed at run time
(`Path.cwd().parent`); names shadowed by `from m import *`.  Without the release, a forged locked
cell (metadata claiming an id the release lacks) is trusted, and a solution cell saved as markdown
is not scanned.
"""

import argparse
import ast
import builtins
import dataclasses
import functools
import json
import re
import sys
import warnings
from pathlib import Path

import nbformat
from IPython.core.inputtransformer2 import TransformerManager

from ... import notebooks
from ...nbgrader import REPO
from ...spec import ASSIGNMENT

REVIEW, INFO = "review", "info"

RULES = {  # rule id -> (severity, what a finding means)
    "patch-module": (REVIEW, "changes an attribute of an imported module or helper"),
    "sys-modules": (REVIEW, "writes to sys.modules (swaps a module the tests use)"),
    "globals-write": (REVIEW, "writes to the notebook's globals() by name"),
    "rebind-builtin": (REVIEW, "rebinds a builtin at notebook level, where the test cells see it"),
    "rebind-test-name": (REVIEW, "rebinds a name the test cells use (np, the checks helpers)"),
    "always-equal": (REVIEW, "makes == always true"),
    "ipython-hook": (REVIEW, "reaches into the IPython shell"),
    "sys-hook": (REVIEW, "replaces an interpreter hook or standard stream"),
    "kernel-exit": (REVIEW, "leaves or kills the kernel"),
    "process": (REVIEW, "low-level or process access"),
    "shell": (REVIEW, "runs a shell command"),
    "network": (REVIEW, "uses the network"),
    "file-access": (REVIEW, "touches files outside the submission or grading files"),
    "introspection": (REVIEW, "inspects frames or the heap (a way to reach the tests)"),
    "dynamic-code": (REVIEW, "dynamic code: review"),
    "extra-file": (REVIEW, "ships an importable Python file beside the notebooks"),
    "oversized-cell": (REVIEW, "too much code to scan: review by hand"),
    "scan-error": (REVIEW, "the scanner failed on this cell: review by hand"),
    "unreadable": (REVIEW, "unreadable notebook"),
    "syntax-error": (INFO, "does not parse: fails when graded"),
    "locked-cell-edited": (INFO, "test or locked cell edited (nbgrader restores it)"),
    "grade-metadata-changed": (INFO, "grade cell metadata changed"),
    "cell-deleted": (INFO, "cell deleted"),
    "duplicate-grade-id": (INFO, "duplicate grade_id"),
    "unknown-grade-id": (INFO, "nbgrader metadata with an id the release lacks"),
}


@dataclasses.dataclass(frozen=True)
class Flag:
    rule: str
    message: str  # one line, for a human
    line: int | None = None  # 1-based, in the cell's source
    code: str = ""  # the offending source line, trimmed
    notebook: str = ""
    cell: int | None = None  # index in the notebook's cells
    grade_id: str | None = None

    @property
    def severity(self):
        return RULES[self.rule][0]


# Honest solution cells are under 1 kB, a whole notebook's under 10 kB; scanning costs about
# 5 s per MB of dense code.  These limits bound what one hostile notebook costs (about 1 s), and
# what they skip is flagged, never passed as clean.
MAX_CELL_CHARS = 50_000
MAX_NOTEBOOK_CODE = 200_000
MAX_NOTEBOOK_BYTES = 50_000_000

# What the release's setup cells bind, for scan_code on its own (a test checks this list still
# covers them); in a notebook scan the locked cells' own imports are added.
CHECKS_NAMES = ("CheckFailed", "GRADIENT_RTOL", "call_unchanged", "expect_array", "expect_bool",
                "expect_equal", "expect_formula", "expect_number", "expect_raises", "fail",
                "read_formula", "show", "type_name")
DEFAULT_TEST_NAMES = {"np": "numpy", "checks": "checks", **{n: f"checks.{n}" for n in CHECKS_NAMES}}
BUILTIN_NAMES = frozenset(n for n in dir(builtins) if not n.startswith("_")) | {
    "__import__", "__build_class__", "__builtins__", "get_ipython"}

# Qualified names (after alias resolution) whose mere use is a finding; a key covers its
# attributes too ("subprocess" covers subprocess.run).  "os.exec*" style keys match a prefix.
USES = {
    **dict.fromkeys(["os._exit", "os.abort", "os.kill", "os.killpg", "sys.exit", "exit", "quit",
                     "signal", "faulthandler", "atexit", "_thread.interrupt_main"], "kernel-exit"),
    **dict.fromkeys(["ctypes", "cffi", "mmap", "subprocess", "_posixsubprocess", "pty", "posix",
                     "multiprocessing", "resource", "os.system", "os.popen", "os.fork", "os.forkpty",
                     "os.dup2", "os.exec*", "os.spawn*", "os.posix_spawn*",
                     "concurrent.futures.ProcessPoolExecutor", "asyncio.create_subprocess_exec",
                     "asyncio.create_subprocess_shell"], "process"),
    **dict.fromkeys(["socket", "ssl", "urllib", "urllib3", "http.client", "http.server", "requests",
                     "httpx", "aiohttp", "ftplib", "smtplib", "poplib", "imaplib", "telnetlib",
                     "xmlrpc", "websocket", "websockets"], "network"),
    **dict.fromkeys(["sys._getframe", "sys._current_frames", "inspect.stack", "inspect.currentframe",
                     "inspect.getouterframes", "inspect.getinnerframes", "inspect.trace",
                     "inspect.getframeinfo", "gc.get_objects", "gc.get_referrers", "gc.get_referents",
                     "traceback.extract_stack", "traceback.walk_stack"], "introspection"),
    **dict.fromkeys(["sys.settrace", "sys.setprofile", "sys.addaudithook", "threading.settrace",
                     "threading.setprofile"], "sys-hook"),
    **dict.fromkeys(["exec", "eval", "compile", "__import__", "importlib", "runpy", "code", "codeop",
                     "marshal", "pickle", "types.CodeType", "types.FunctionType"], "dynamic-code"),
    # Deleting or moving the working directory is never part of an answer, wherever it points.
    **dict.fromkeys(["os.chdir", "os.fchdir", "shutil.rmtree", "os.remove", "os.unlink", "os.rmdir",
                     "os.removedirs", "pathlib.Path.unlink", "pathlib.Path.rmdir", "pathlib.Path.home",
                     "os.path.expanduser", "sqlite3"], "file-access"),
}
USE_PREFIXES = [(key[:-1], rule) for key, rule in USES.items() if key.endswith("*")]

# Calls that take a path: flagged when a string in their arguments leaves the submission folder.
FILE_CALLS = {"open", "io.open", "os.open", "codecs.open", "io.FileIO", "pathlib.Path",
              "pathlib.PurePath", "pathlib.PosixPath", "os.listdir", "os.scandir", "os.walk", "os.stat",
              "os.rename", "os.replace", "os.makedirs", "os.mkdir", "os.chmod", "os.symlink", "os.link",
              "glob.glob", "glob.iglob", "numpy.load", "numpy.loadtxt", "numpy.genfromtxt",
              "numpy.fromfile", "numpy.save", "numpy.savez", "numpy.savetxt", "numpy.memmap",
              "zipfile.ZipFile", "tarfile.open", "linecache.getline", "fileinput.input"}
PATH_KEYWORDS = {"file", "path", "fname", "filename", "name", "src", "dst", "top", "pathname", "root_dir"}
GRADING_FILES = {"source", "autograded", "submitted", "release", "feedback", "checks.py",
                 "nbgrader_config.py"}

SHELL_MAGICS = {"system", "sx", "sc", "bash", "sh", "script", "perl", "ruby", "python", "python2",
                "python3", "pypy", "alias", "rehashx"}
DYNAMIC_MAGICS = {"run", "load", "load_ext", "reload_ext", "macro", "config", "autoreload", "aimport",
                  "edit", "recall", "rerun"}
FILE_MAGICS = {"writefile", "file", "cd", "pushd", "popd", "bookmark", "save", "logstart", "store"}
CODE_MAGICS = {"time", "timeit", "prun", "capture", "debug"}  # their argument is Python: scanned too
IPYTHON_SAFE = {"run_line_magic", "run_cell_magic", "system", "getoutput"}  # judged by the magic rules
IPYTHON_HOOKS = {"set_custom_exc", "showtraceback", "_showtraceback", "showsyntaxerror", "events",
                 "input_transformers_cleanup", "input_transformers_post", "input_transformer_manager",
                 "ast_transformers", "run_cell", "run_cell_async", "run_ast_nodes", "run_code",
                 "user_ns", "user_global_ns", "CustomTB", "InteractiveTB", "SyntaxTB", "excepthook",
                 "displayhook", "display_pub", "prefilter_manager", "register_magic_function",
                 "magics_manager", "ex", "ev"}
SYS_HOOKS = {"excepthook", "displayhook", "breakpointhook", "unraisablehook", "stdout", "stderr",
             "stdin", "__excepthook__", "__displayhook__", "__stdout__", "__stderr__", "__stdin__"}
FRAME_ATTRS = {"f_back", "f_globals", "f_locals", "f_builtins", "tb_frame", "gi_frame", "cr_frame",
               "ag_frame", "__globals__", "__subclasses__"}
# Special attributes whose replacement changes what an object is or runs (not __name__ or __doc__).
SPECIAL_WRITES = {"__class__", "__code__", "__globals__", "__dict__", "__bases__", "__defaults__",
                  "__kwdefaults__", "__closure__", "__builtins__", "__instancecheck__", "__subclasscheck__"}
MUTATORS = {"update", "pop", "popitem", "setdefault", "clear", "__setitem__", "__delitem__"}

_TRANSFORMER = TransformerManager()


# ---------------------------------------------------------------- resolving names


class _Context:
    """What names mean in one notebook: imports and simple assignments of every scanned cell.

    aliases maps a name to a set of qualified names, so that two cells binding one name
    differently cannot hide either meaning.  test_names are what the test cells rely on.
    """

    def __init__(self, trees, setup_trees=(), trusted=False, base=None):
        """trees: the scanned cells; setup_trees: the locked non-test code cells, whose imports
        and definitions the tests use; trusted: those come from the release, not the student."""
        if base is not None:  # code run by a magic (%%time ...) sees the cell's names and its own
            self.test_names = base.test_names
            self.aliases = {n: set(q) for n, q in base.aliases.items()}
            self.stars = set(base.stars)
        else:
            # The release's setup cells say exactly what the tests use; a student's copy may have
            # been edited, so then the defaults stay and can only be added to.
            self.test_names = {"np": "numpy", "checks": "checks"} if trusted and setup_trees \
                else dict(DEFAULT_TEST_NAMES)
            for tree in setup_trees:
                for name, _, qualified in _module_bindings(tree):
                    self.test_names.setdefault(name, qualified or f"<locked cell>.{name}")
            self.aliases = {n: {q} for n, q in self.test_names.items() if not q.startswith("<")}
            self.stars = set()  # `from m import *`: only used to look up names, see _Checker.run
        nodes = [n for tree in trees for n in _walk(tree)]
        for node in nodes:
            for name, qualified in _imports(node):
                if name == "*":
                    self.stars.add(qualified)
                else:
                    self.aliases.setdefault(name, set()).add(qualified)
        for node in nodes:  # `t = np.testing`, `ip = get_ipython()`, `g = globals()`
            if isinstance(node, ast.Assign):
                found = {q for q in self.names(node.value)
                         if "()" not in q or q.startswith(("get_ipython()", "globals()"))}
                for target in node.targets:
                    if found and isinstance(target, ast.Name):
                        self.aliases.setdefault(target.id, set()).update(found)

    def names(self, node):
        """The qualified names an expression may stand for ("numpy.testing", "get_ipython()")."""
        if isinstance(node, ast.Name):
            if node.id in self.aliases:
                return self.aliases[node.id]
            if node.id == "__builtins__":
                return {"builtins"}
            return {node.id} if node.id in BUILTIN_NAMES else set()
        if isinstance(node, ast.Attribute):
            return {node.attr if q == "builtins" and node.attr in BUILTIN_NAMES else f"{q}.{node.attr}"
                    for q in self.names(node.value)}
        if isinstance(node, ast.Subscript):  # sys.modules['os'] is os too; vars(os)['system'] is os.system
            key, found = _string(node.slice), set()
            for q in self.names(node.value):
                found.add(f"{q}[]")
                if key and q == "sys.modules":
                    found.add(key)
                elif key and (q == "builtins" or q.endswith(".__dict__")):
                    base = q.removesuffix(".__dict__")
                    found.add(key if base == "builtins" else f"{base}.{key}")
            return found
        if isinstance(node, ast.Call):
            return self._call_names(node)
        return set()

    def _call_names(self, call):
        args, found = call.args, set()
        first = _string(args[0]) if args else None
        for f in self.names(call.func):
            if f in ("__import__", "importlib.import_module") and first:
                found.add(first)
            elif f == "getattr" and len(args) >= 2 and _string(args[1]):
                found |= {f"{q}.{_string(args[1])}" for q in self.names(args[0])}
            elif f in ("globals", "locals", "vars") and not args:
                found.add("globals()")
            elif f == "vars" and args:
                found |= {f"{q}.__dict__" for q in self.names(args[0])}
            elif f.endswith("get_ipython"):
                found.add("get_ipython()")
            elif f == "sys.modules.get":
                found.add("sys.modules[]")
            else:
                found.add(f + "()")
        return found


def _walk(tree):
    """Every node of a parsed cell, computed once and kept on the tree: the context and the
    checks both need them."""
    nodes = getattr(tree, "_scan_nodes", None)
    if nodes is None:
        nodes = tree._scan_nodes = tuple(ast.walk(tree))
    return nodes


def _string(node):
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _imports(node):
    """(bound name, qualified name) for an import statement; '*' for a star import."""
    if isinstance(node, ast.Import):
        for a in node.names:
            yield (a.asname, a.name) if a.asname else (a.name.split(".")[0], a.name.split(".")[0])
    elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
        for a in node.names:
            yield ("*", node.module) if a.name == "*" else (a.asname or a.name, f"{node.module}.{a.name}")


def _module_bindings(tree):
    """(name, node, qualified name if an import) for every name a cell binds at notebook level.

    Statements nested in if/for/try/with still bind at notebook level; function and class bodies
    do not, except for names they declare `global`.
    """
    declared = {n for g in _walk(tree) if isinstance(g, ast.Global) for n in g.names}
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield node.name, node, None
            if declared:
                yield from ((n.id, n, None) for n in ast.walk(node) if isinstance(n, ast.Name)
                            and n.id in declared and not isinstance(n.ctx, ast.Load))
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield from ((name, node, q) for name, q in _imports(node) if name != "*")
            continue
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            continue  # their own scope
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            yield node.id, node, None
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
            yield node.name, node, None
        stack.extend(ast.iter_child_nodes(node))


def _local_builtin_names(nodes):
    """ids of the Name loads that read a function's own local named like a builtin
    (`def f(x): eval = score(x); return eval`): those are not the builtin."""
    named = {n.id for n in nodes if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    if not (named | {n.arg for n in nodes if isinstance(n, ast.arg)}) & BUILTIN_NAMES:
        return set()  # the usual case: nothing to work out
    scopes, shadowed = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda), set()
    for scope in (n for n in nodes if isinstance(n, scopes)):
        own, stack = [], list(scope.body) if isinstance(scope.body, list) else [scope.body]
        while stack:  # the function's own body; nested functions are their own scopes
            node = stack.pop()
            own.append(node)
            if not isinstance(node, scopes):
                stack.extend(ast.iter_child_nodes(node))
        a = scope.args
        local = {x.arg for x in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg] if x}
        local |= {n.id for n in own if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
        local &= BUILTIN_NAMES
        shadowed |= {id(n) for n in own if isinstance(n, ast.Name) and n.id in local}
    return shadowed


def _use_rule(qualified):
    """The rule a used name falls under, or None."""
    if qualified.startswith("get_ipython()."):
        attr = qualified.split(".")[1].removesuffix("()")
        return None if attr in IPYTHON_SAFE else "ipython-hook"
    parts = [p.removesuffix("()") for p in qualified.split(".")]
    if parts[0] in ("IPython", "ipykernel") and IPYTHON_HOOKS.intersection(parts[1:]):
        return "ipython-hook"
    for i in range(1, len(parts) + 1):
        rule = USES.get(".".join(parts[:i]))
        if rule:
            return rule
    dotted = ".".join(parts)
    return next((rule for prefix, rule in USE_PREFIXES if dotted.startswith(prefix)), None)


def _outside(text, leading=True):
    """Why a path string leaves the submission folder or names a grading file, else None.

    leading: the string starts the path, so a leading / or ~ makes it absolute; the '/out.txt'
    of f'{folder}/out.txt' or folder + '/out.txt' does not.
    """
    if len(text) > 4096:
        return None
    path = text.strip().replace("\\", "/")
    if leading and (path.startswith(("/", "~", "$")) or re.match(r"[A-Za-z]:/", path)):
        return "absolute path"
    parts = [p.lower() for p in path.split("/")]
    if ".." in parts:
        return "parent directory"
    if any(p in GRADING_FILES or "gradebook" in p or p.endswith((".db", ".ipynb", ".sqlite"))
           for p in parts):
        return "grading file"
    return None


# ---------------------------------------------------------------- checking one parsed cell


def _check(tree, ctx, depth=0):
    """[(rule, message, line)] for one parsed cell (lines of the parsed text)."""
    return _Checker(ctx, depth).run(tree)


class _Checker:
    """The rules, applied to one parsed cell in its notebook's naming context."""

    def __init__(self, ctx, depth):
        self.ctx, self.depth, self.found = ctx, depth, []
        self.tails, self.touches_files = set(), False

    def add(self, rule, message, node):
        self.found.append((rule, message, getattr(node, "lineno", 1)))

    def run(self, tree):
        names, nodes = self.ctx.names, _walk(tree)
        # A chain like os.path.join is judged once, whole, at its outermost node.
        inner = {id(n.value) for n in nodes if isinstance(n, ast.Attribute)}
        in_path = {id(side) for n in nodes if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div)
                   for side in (n.left, n.right)}
        # The '/x' of f'{folder}/x' or folder + '/x' does not start a path: it cannot make it absolute.
        self.tails = {id(v) for n in nodes if isinstance(n, ast.JoinedStr) for v in n.values[1:]} | \
            {id(n.right) for n in nodes if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Add)}
        local = _local_builtin_names(nodes)
        for node in nodes:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                # `import http.client` binds http but imports http.client: judge what is imported
                imported = [a.name for a in node.names] if isinstance(node, ast.Import) \
                    else [q for _, q in _imports(node)]
                for qualified in imported:
                    self.use(qualified, node, "imports")
            elif isinstance(node, ast.Attribute) and not isinstance(node.ctx, ast.Load):
                self.attr_write(node.value, node.attr, node)
            elif isinstance(node, ast.Subscript) and not isinstance(node.ctx, ast.Load):
                self.item_write(node.value, node)
            elif isinstance(node, (ast.Name, ast.Attribute, ast.Subscript, ast.Call)) \
                    and isinstance(getattr(node, "ctx", ast.Load()), ast.Load) \
                    and id(node) not in inner and id(node) not in local:
                # Calls and subscripts count when they name something: getattr(os, '_exit'),
                # __import__('os'), vars(os)['system']; an ordinary call "f()" is judged at f.
                for q in sorted(q for q in names(node) if not q.endswith(("()", "[]"))):
                    self.use(q, node)
                if isinstance(node, ast.Name):  # `from os import *` then system(...)
                    for module in self.ctx.stars:
                        self.use(f"{module}.{node.id}", node)
            if isinstance(node, ast.Attribute) and node.attr in FRAME_ATTRS:
                self.add("introspection", f"reads .{node.attr}", node)
            elif isinstance(node, ast.Call):
                self.call(node)
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and id(node) not in in_path \
                    and any("pathlib" in q for n in ast.walk(node) if isinstance(n, ast.Call)
                            for q in names(n.func)):
                self.paths(node)  # Path('.') / '..' / 'x'
            elif isinstance(node, ast.Raise) and node.exc is not None:
                exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                if "SystemExit" in names(exc):
                    self.add("kernel-exit", "raises SystemExit", node)
            elif isinstance(node, ast.ClassDef):
                if any("SystemExit" in names(b) for b in node.bases):
                    self.add("kernel-exit", "subclasses SystemExit", node)
                self.class_body(node)
        if self.touches_files:
            # A cell that opens or lists files and spells out an outside path anywhere
            # (targets = ['/proc/1/environ', ...]; open(t)).  Path-like strings only, so that
            # prose such as "see ../notes" or a lone "/" in a message does not count.
            for node in nodes:
                if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                        and re.fullmatch(r"[\w./\\~${}*:-]{2,}", node.value):
                    self.paths(node)
        for name, node, qualified in _module_bindings(tree):
            if name in BUILTIN_NAMES and qualified != f"builtins.{name}":
                self.add("rebind-builtin", f"rebinds the builtin {name}", node)
            elif name in self.ctx.test_names and qualified != self.ctx.test_names[name]:
                self.add("rebind-test-name", f"rebinds {name}, which the tests use", node)
        return self.found

    def use(self, qualified, node, verb="uses"):
        rule = _use_rule(qualified)
        if rule:
            self.add(rule, f"{verb} {qualified}", node)

    def attr_write(self, base, attr, node):
        qs = self.ctx.names(base)
        if attr in ("__eq__", "__ne__"):
            self.add("always-equal", f"replaces {attr}", node)
        elif any("sys.modules" in q for q in qs):
            self.add("sys-modules", "changes a module through sys.modules", node)
        elif "sys" in qs and attr in SYS_HOOKS:
            self.add("sys-hook", f"replaces sys.{attr}", node)
        elif any(q.startswith(("get_ipython()", "IPython", "ipykernel")) for q in qs):
            self.add("ipython-hook", f"patches the IPython shell ({attr})", node)
        elif any("()" not in q and q not in BUILTIN_NAMES for q in qs):  # reached through an import
            self.add("patch-module", f"assigns to {sorted(qs)[0]}.{attr}", node)
        elif attr in SPECIAL_WRITES:
            self.add("introspection", f"replaces {attr}", node)

    def item_write(self, base, node):
        qs = self.ctx.names(base)
        if any("sys.modules" in q for q in qs):
            self.add("sys-modules", "changes sys.modules", node)
        elif "globals()" in qs:
            self.add("globals-write", "writes to globals() by name", node)
        elif any(q == "builtins" or q.endswith(".__dict__") for q in qs):
            self.add("patch-module", f"writes into {sorted(qs)[0]}", node)

    def paths(self, expr, where=None):
        """Flag the string constants (f-strings' constant parts too) of a path expression."""
        for n in ast.walk(expr):
            if isinstance(n, ast.Constant) and isinstance(n.value, (str, bytes)):
                text = n.value if isinstance(n.value, str) else n.value.decode("latin-1")
                why = _outside(text, leading=id(n) not in self.tails)
                if why:
                    self.add("file-access", f"{why}: {text[:60]!r}", where or n)

    def call(self, call):
        args = call.args
        for f in self.ctx.names(call.func):
            if f in ("setattr", "delattr") or f.endswith((".__setattr__", ".__delattr__")):
                if len(args) >= 2:
                    self.attr_write(args[0], _string(args[1]) or "?", call)
            elif f == "getattr" and len(args) >= 2 and _string(args[1]) is None:
                if any("()" not in q and q not in BUILTIN_NAMES for q in self.ctx.names(args[0])):
                    self.add("dynamic-code", "getattr with a computed name on a module", call)
            elif f in ("get_ipython().system", "get_ipython().getoutput"):
                self.add("shell", "shell escape (!cmd)", call)
            elif f in ("get_ipython().run_line_magic", "get_ipython().run_cell_magic"):
                self.magic(call, f.endswith("cell_magic"))
            elif f in FILE_CALLS or f.split(".")[0] == "shutil":
                self.touches_files = True
                for arg in [*args, *(k.value for k in call.keywords if k.arg in PATH_KEYWORDS)]:
                    self.paths(arg, call)
        if isinstance(call.func, ast.Attribute) and call.func.attr in MUTATORS:
            self.item_write(call.func.value, call)  # sys.modules.update(...), globals().pop(...)

    def magic(self, call, is_cell):
        args = call.args
        name = _string(args[0]) if args else None
        if name is None:
            self.add("dynamic-code", "IPython magic with a computed name", call)
            return
        name, kind = name.lstrip("%"), "%%" if is_cell else "%"
        if name in SHELL_MAGICS:
            self.add("shell", f"{kind}{name} runs a shell or another interpreter", call)
        elif name in DYNAMIC_MAGICS:
            self.add("dynamic-code", f"{kind}{name} loads or runs other code", call)
        elif name in FILE_MAGICS:
            self.add("file-access", f"{kind}{name} writes files or changes directory", call)
        elif name in CODE_MAGICS and self.depth < 3:
            # The magic's argument (line) or body (cell) is Python the kernel runs: scan it too.
            text = _string(args[2 if is_cell else 1]) if len(args) > (2 if is_cell else 1) else None
            parsed = _parse(text) if text else None
            if parsed and not isinstance(parsed, str):
                tree, offset = parsed
                inner = _Context([tree], base=self.ctx)
                for rule, message, line in _check(tree, inner, self.depth + 1):
                    # a cell magic's body starts on the line below the %% line
                    self.found.append((rule, message, call.lineno + offset + line if is_cell else call.lineno))

    def class_body(self, cls):
        """__eq__ that is just `return True` (or __ne__ just `return False`), as a def or a lambda."""
        for stmt in cls.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                body = [s for s in stmt.body
                        if not (isinstance(s, ast.Expr) and _string(s.value) is not None)]  # docstrings
                name = stmt.name
                value = body[0].value if len(body) == 1 and isinstance(body[0], ast.Return) else None
            elif isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Lambda) \
                    and isinstance(stmt.targets[0], ast.Name):
                name, value = stmt.targets[0].id, stmt.value.body
            else:
                continue
            if name in ("__eq__", "__ne__") and isinstance(value, ast.Constant) \
                    and value.value is (name == "__eq__"):
                self.add("always-equal", f"class whose {name} always returns {value.value}", stmt)


# ---------------------------------------------------------------- one cell's source


def _parse(source):
    """(tree, line offset) or the reason the source does not parse (see _parse_uncached)."""
    # Students share many small cells (untouched stubs, the setup cell, common answers): parse
    # those once.  Only small ones: a tree takes about 150 times its source's size in memory.
    return _parse_small(source) if len(source) < 2000 else _parse_uncached(source)


def _parse_uncached(source):
    """(tree, line offset) or the reason the source does not parse.

    Plain Python is parsed as is; otherwise IPython's transform runs first.  It drops leading
    blank lines, so the offset maps its line numbers back to the source's.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarning for "\d" in student strings is not ours to print
        try:
            return ast.parse(source), 0
        except (SyntaxError, ValueError):
            pass
        except (RecursionError, MemoryError) as error:  # too deeply nested for Python itself
            return f"{type(error).__name__}: {error}"[:100]
        try:
            text = _TRANSFORMER.transform_cell(source)
        except Exception:  # noqa: BLE001 - IPython gave up: let ast report the error on the raw text
            text = source
        lines = _lines(source)
        offset = next((i for i, line in enumerate(lines) if line.strip()), 0)
        try:
            return ast.parse(text), offset
        except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
            return f"{type(error).__name__}: {getattr(error, 'msg', error)}"[:100]


_parse_small = functools.lru_cache(maxsize=256)(_parse_uncached)  # trees are never modified


def _lines(source):
    return re.split(r"\r\n?|\n", source)


def _trim(text, width=100):
    text = text.strip()
    return text if len(text) <= width else text[:width - 3] + "..."


def _parse_cell(source):
    """(tree, line offset), or the one Flag that replaces a scan (too large, does not parse)."""
    if len(source) > MAX_CELL_CHARS:
        return Flag("oversized-cell", f"cell of {len(source):,} characters not scanned "
                                      f"(limit {MAX_CELL_CHARS:,}): review by hand")
    parsed = _parse(source)
    if isinstance(parsed, str):
        return Flag("syntax-error", f"cell does not parse ({parsed}): it fails when graded")
    return parsed


def _check_cell(source, parsed, ctx):
    """Flags for one cell, given its _parse_cell result and the notebook's naming context."""
    if isinstance(parsed, Flag):
        return [parsed]
    tree, offset = parsed
    try:
        found = _check(tree, ctx)
    except Exception as error:  # noqa: BLE001 - e.g. RecursionError on absurdly nested code
        return [Flag("scan-error", f"scanner failed ({type(error).__name__}): review by hand")]
    lines, flags = _lines(source), {}
    for rule, message, line in found:
        line = min(max(line + offset, 1), len(lines))
        flags.setdefault((rule, message, line), Flag(rule, message, line, _trim(lines[line - 1])))
    return list(flags.values())


def scan_code(source):
    """Flags for one cell's code, its names resolved through its own imports and the setup cells'."""
    source = source if isinstance(source, str) else ""
    parsed = _parse_cell(source)
    return _check_cell(source, parsed, _Context([] if isinstance(parsed, Flag) else [parsed[0]]))


# ---------------------------------------------------------------- notebooks


def _read_cells(path):
    """(list of raw cells, None) or (None, why the file is not a readable notebook)."""
    path = Path(path)
    try:
        if not path.is_file():
            return None, "not a regular file" if path.exists() else "no such file"
        with open(path, "rb") as f:
            data = f.read(MAX_NOTEBOOK_BYTES + 1)
    except OSError as error:
        return None, f"cannot read the file ({error.strerror or error})"
    if len(data) > MAX_NOTEBOOK_BYTES:
        return None, f"larger than {MAX_NOTEBOOK_BYTES // 1_000_000} MB"
    try:
        nb = json.loads(data)
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        return None, f"not JSON ({str(error)[:80]})"
    if not isinstance(nb, dict):
        return None, f"JSON {type(nb).__name__} instead of a notebook object"
    if not isinstance(nb.get("cells"), list):
        return None, "no list of cells (not an nbformat 4 notebook)"
    return nb["cells"], None


def _clean_cell(raw):
    """A well-typed NotebookNode for the notebooks helpers, or None for a cell that is not an object.

    Sources may be a string or a list of strings (both valid nbformat); anything else counts as
    empty.  nbgrader metadata keeps only scalar values, and a grade_id only if it is a string.
    """
    if not isinstance(raw, dict):
        return None
    source = raw.get("source", "")
    if isinstance(source, list):
        source = "".join(s for s in source if isinstance(s, str))
    elif not isinstance(source, str):
        source = ""
    meta = raw.get("metadata")
    grading = meta.get("nbgrader") if isinstance(meta, dict) else None
    grading = {k: v for k, v in grading.items() if isinstance(v, (str, bool, int, float))} \
        if isinstance(grading, dict) else {}
    if not isinstance(grading.get("grade_id"), str):
        grading.pop("grade_id", None)
    cell_type = raw.get("cell_type") if isinstance(raw.get("cell_type"), str) else ""
    return nbformat.NotebookNode(cell_type=cell_type, source=source, metadata={"nbgrader": grading})


def _graded(cell):
    """nbgrader treats the cell as one of its own (grade, solution or locked)."""
    m = notebooks.meta(cell)
    return bool(m.get("grade") or m.get("solution") or m.get("locked"))


def _locked(cell):
    """nbgrader's is_locked: it restores the source of grade and locked cells, never of solutions."""
    m = notebooks.meta(cell)
    return not m.get("solution") and bool(m.get("grade") or m.get("locked"))


def _by_id(cells):
    """grade_id -> index of the cell nbgrader keeps for it (DeduplicateIds keeps the last copy)."""
    return {notebooks.grade_id(c): i for i, c in enumerate(cells)
            if c is not None and _graded(c) and notebooks.grade_id(c)}


def _kept_cells(cells, release):
    """Indices of the cells nbgrader grades as the student left them.

    nbgrader strips the metadata of all but the last copy of a grade_id, forgets ids its gradebook
    lacks, and restores locked cells by id, using the release's flags, not the student's.
    """
    owner, kept = _by_id(cells), []
    for i, cell in enumerate(cells):
        if cell is None:
            continue
        gid = notebooks.grade_id(cell)
        if not _graded(cell) or owner.get(gid) != i:
            kept.append(i)
        elif release is not None:
            if gid not in release or not _locked(release[gid]):
                kept.append(i)
        elif not _locked(cell):
            kept.append(i)
    return kept


def _structure(cells, release):
    """Info flags: duplicate ids; with the release, edits, metadata changes, deletions, unknown ids."""
    owner, flags = _by_id(cells), []
    for i, cell in enumerate(cells):
        gid = notebooks.grade_id(cell) if cell is not None and _graded(cell) else None
        if gid and owner[gid] != i:
            flags.append(Flag("duplicate-grade-id", "grade_id used again below: nbgrader grades this copy "
                              "as a student cell", cell=i, grade_id=gid))
    if release is None:
        return flags
    for gid, i in owner.items():
        mine, theirs = cells[i], release.get(gid)
        if theirs is None:
            flags.append(Flag("unknown-grade-id", "grade_id not in the release: graded and scanned as "
                              "a student cell", cell=i, grade_id=gid))
            continue
        if _locked(theirs) and mine.source.rstrip() != theirs.source.rstrip():
            flags.append(Flag("locked-cell-edited", "locked cell edited: nbgrader restores it before grading",
                              cell=i, grade_id=gid))
        changed = [f"{key} {b!r} -> {a!r}"
                   for key, a, b in zip(_FIELDS, _fields(mine), _fields(theirs)) if a != b]
        if changed:
            flags.append(Flag("grade-metadata-changed", "nbgrader metadata changed: " + ", ".join(changed),
                              cell=i, grade_id=gid))
    flags += [Flag("cell-deleted", "cell of the release deleted", grade_id=gid)
              for gid in release if gid not in owner]
    return flags


_FIELDS = ("cell_type", "grade", "solution", "locked", "points")


def _fields(cell):
    """The cell's values for _FIELDS, normalised (points only count on grade cells)."""
    m = notebooks.meta(cell)
    points = m.get("points")
    points = float(points) if m.get("grade") and isinstance(points, (int, float)) else None
    return cell.cell_type, bool(m.get("grade")), bool(m.get("solution")), bool(m.get("locked")), points


def scan_notebook(path, release_path=None):
    """Flags for one submitted notebook; never raises on a bad file.

    release_path: the release version of the same notebook, to compare locked cells with and to
    decide, as nbgrader will, which cells are restored.  A release that cannot be read is ignored.
    """
    name = str(path)
    try:
        raw, problem = _read_cells(path)
        if problem:
            return [Flag("unreadable", f"unreadable notebook: {problem}", notebook=name)]
        release = _release(str(release_path), _stamp(release_path)) if release_path is not None else None
        return [dataclasses.replace(f, notebook=name) for f in _scan_cells(raw, release)]
    except Exception as error:  # noqa: BLE001 - a bug of ours must not stop a whole batch
        return [Flag("scan-error", f"scanner failed ({type(error).__name__}: {str(error)[:60]}): "
                                   "review by hand", notebook=name)]


def _stamp(path):
    try:
        stat = Path(path).stat()
        return stat.st_mtime_ns, stat.st_size
    except OSError:
        return None


@functools.lru_cache(maxsize=16)
def _release(path, stamp):
    """grade_id -> cell of a release notebook (None if unreadable); read once per batch
    (stamp, the file's mtime and size, makes a changed file be read again)."""
    raw, problem = _read_cells(path)
    if problem:
        return None
    cells = [_clean_cell(c) for c in raw]
    return {gid: cells[i] for gid, i in _by_id(cells).items()}


def _scan_cells(raw_cells, release):
    cells = [_clean_cell(c) for c in raw_cells]
    flags = _structure(cells, release)

    # The setup cells' imports (np, the checks helpers) are what the test cells rely on: take
    # them from the release when there is one, since the student's copy may have been edited.
    setup = release.values() if release is not None else [c for c in cells if c is not None]
    setup = [_parse(c.source) for c in setup
             if c.cell_type == "code" and _locked(c) and not notebooks.meta(c).get("grade")]

    parsed, budget = {}, MAX_NOTEBOOK_CODE
    for i in _kept_cells(cells, release):
        # nbgrader turns a cell back into the release's type: a solution saved as markdown still runs.
        known = release.get(notebooks.grade_id(cells[i])) if release is not None else None
        if (known or cells[i]).cell_type != "code" or not cells[i].source.strip():
            continue
        budget -= min(len(cells[i].source), MAX_CELL_CHARS + 1)
        if budget < 0:
            flags.append(Flag("oversized-cell", f"more than {MAX_NOTEBOOK_CODE:,} characters of code: "
                                                f"cells from {i} on not scanned, review by hand", cell=i))
            break
        parsed[i] = _parse_cell(cells[i].source)
    ctx = _Context([p[0] for p in parsed.values() if not isinstance(p, Flag)],
                   [p[0] for p in setup if not isinstance(p, str)], trusted=release is not None)
    for i, p in parsed.items():
        for flag in _check_cell(cells[i].source, p, ctx):
            flags.append(dataclasses.replace(flag, cell=i, grade_id=notebooks.grade_id(cells[i])))
    return flags


def _extra_files(folder):
    """Python files a student ships beside the notebooks: the kernel imports them before any
    installed module of that name (a numpy.py would replace NumPy).  nbgrader overwrites checks.py."""
    flags = []
    for entry in sorted(folder.iterdir()):
        importable = entry.suffix in (".py", ".so", ".pyd") and entry.is_file() \
            or entry.is_dir() and (entry / "__init__.py").exists()
        if importable and entry.name != "checks.py":
            flags.append(Flag("extra-file", f"ships {entry.name}: the notebooks import it before an "
                              "installed module", notebook=str(entry)))
    return flags


def scan_submissions(submitted_dir, release_dir=None):
    """student -> flags, for every submitted/<student>/<assignment>/*.ipynb (and shipped .py files)."""
    results = {}
    for student in sorted(p for p in Path(submitted_dir).iterdir() if p.is_dir()):
        folder, flags = student / ASSIGNMENT, []
        try:
            if folder.is_dir():
                for nb in sorted(folder.glob("*.ipynb")):
                    release = Path(release_dir) / nb.name if release_dir is not None else None
                    flags += scan_notebook(nb, release if release is not None and release.is_file() else None)
                flags += _extra_files(folder)
        except OSError as error:  # an unlistable folder is the student's problem, not the batch's
            flags.append(Flag("unreadable", f"unreadable notebook: cannot list {folder} ({error.strerror})",
                              notebook=str(folder)))
        results[student.name] = flags
    return results


def report(results):
    """The findings as a table, then a one-line summary."""
    rows = [("student", "notebook", "cell", "line", "severity", "rule", "why", "code")]
    for student, flags in results.items():
        for f in flags:
            cell = "-" if f.cell is None else f"{f.cell}" + (f" {f.grade_id}" if f.grade_id else "")
            rows.append((student, Path(f.notebook).name, cell, "-" if f.line is None else str(f.line),
                         f.severity, f.rule, _trim(f.message, 70), _trim(f.code, 60)))
    flagged = sum(1 for flags in results.values() if flags)
    review = sum(f.severity == REVIEW for flags in results.values() for f in flags)
    summary = (f"{len(rows) - 1} finding(s), {review} to review, in {flagged} of {len(results)} "
               f"student(s); the scan reports, it changes no grade.")
    if len(rows) == 1:
        return summary
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + r[-1] for r in rows]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines + ["", summary])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submitted", nargs="?", default=str(REPO / "submitted"),
                        help="folder of <student>/<assignment>/*.ipynb (default: submitted/)")
    parser.add_argument("--release", help="release folder to compare locked cells with, "
                                          f"e.g. release/{ASSIGNMENT}")
    args = parser.parse_args(argv)
    for folder in (args.submitted, args.release):
        if folder is not None and not Path(folder).is_dir():
            parser.error(f"no such folder: {folder}")
    print(report(scan_submissions(args.submitted, args.release)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
