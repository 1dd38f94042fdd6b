"""Split grading: test cells run here, in the grading process; student code only in its sandboxed kernel.

When the tests share the student's kernel, the student's code can rewrite them (replace
`run_cell`, rebind the check helpers, return an object equal to everything). Here a test cell
never enters the kernel. `LimitedExecute` (coursekit.grading.plugins.limited_execute) runs each of the
instructor's test cells with `SplitGrader.run_test`, in a namespace of this process that holds
only what the instructor's cells put there (the setup cell's imports; `checks` is the
instructor's own source/ copy). Names the test uses that the notebook defines are fetched from the
kernel at that point of the notebook: a function becomes a `StudentFunction` whose calls run in the
kernel (coursekit.grading.split.student, over coursekit.grading.split.channel); anything else comes as a value.
Every call of student code has the cell's time limit, within the notebook's (a test that calls a
function 600 times is not one long call); a call that runs over it fails that cell, a kernel that
dies or hangs stops the notebook.

The cell's outputs (printed text, the error with a traceback naming the test cell's lines as
IPython does) are written into the notebook, so nbgrader grades, saves and renders feedback as usual.
Nothing that comes from the kernel is unpickled, evaluated or used to look up a name.
"""

import ast
import builtins
import contextlib
import functools
import importlib.util
import io
import linecache
import symtable
import sys
import time
import warnings
from pathlib import Path

from nbformat.notebooknode import NotebookNode

from ..scan.parse import parse
from . import wire
from .channel import CallTimedOut, KernelChannel, KernelGone
from .student import Student, StudentFunction

# The grader's own modules: their frames are not the test's, nor the student's (_error_output).
_GRADER_FILES = frozenset({__file__, sys.modules[KernelChannel.__module__].__file__,
                           sys.modules[Student.__module__].__file__})

# The execution count test cells' frames are named with ("Cell In[0], line 3"): the kernel never
# gives it, so these frames are never taken for the student's own (coursekit.feedback).
TEST_CELL_COUNT = 0
TIMEOUT_ENAME = "CellTimeoutError"  # nbgrader's name for a cell that ran over its time limit


@functools.lru_cache(maxsize=1024)  # a test cell's source is the same in every student's notebook
def free_names(source):
    """The names a cell reads but does not bind at its top level (nested scopes included)."""
    try:
        table = symtable.symtable(source, "<cell>", "exec")
    except SyntaxError:
        return frozenset()
    bound = {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported()
             or s.is_namespace()}
    names = set()

    def visit(scope, top):
        for symbol in scope.get_symbols():
            if symbol.is_referenced() and (top or symbol.is_global()):
                names.add(symbol.get_name())
        for child in scope.get_children():
            visit(child, False)

    visit(table, True)
    return frozenset(names - bound)


@functools.lru_cache(maxsize=256)  # every student's notebook runs the same test cells
def _compiled_test(source, filename):
    """A test cell's code: (its statements, its last bare expression or None), as IPython splits it."""
    tree = ast.parse(source, filename)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    return (compile(tree, filename, "exec"),
            None if last is None else compile(ast.Expression(last.value), filename, "eval"))


def notebook_definitions(sources):
    """name -> ("function", source) | ("alias", "numpy.dot") from top-level statements of the cells.

    What static checks of a student function need: its helpers' code and what its names stand for,
    read from the code as submitted (never by running it).
    """
    found = {}
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found[node.name] = ("function", ast.get_source_segment(source, node) or "")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    found[alias.asname or alias.name.split(".")[0]] = (
                        "alias", alias.name if alias.asname else alias.name.split(".")[0])
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    found[alias.asname or alias.name] = ("alias", f"{node.module}.{alias.name}")
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                dotted = _dotted(node.value, found)
                if dotted:
                    found[node.targets[0].id] = ("alias", dotted)
    return found


# Names and attributes through which code can bind any name at run time, or reach a namespace that
# holds them: a notebook that uses one, or binds the graded name other than by its one plain def,
# does not say for certain what that name is (checks.code_doubts). get_ipython covers every magic.
DYNAMIC_NAMES = frozenset({"globals", "vars", "locals", "exec", "eval", "compile", "setattr", "delattr",
                           "__import__", "importlib", "get_ipython", "builtins", "__builtins__"})
DYNAMIC_ATTRIBUTES = frozenset({"modules", "_getframe", "f_globals", "f_locals", "f_back", "f_builtins", "__dict__",
                                "__globals__", "__code__", "__builtins__", "__closure__", "__defaults__",
                                "__kwdefaults__", "__wrapped__", "__setattr__", "__delattr__", "user_ns",
                                "user_global_ns", "push", "run_cell", "ex", "ev", "get_objects", "get_referrers"})


@functools.lru_cache(maxsize=256)
def notebook_doubts(sources, name):
    """Why the notebook's cells (a tuple of sources, as submitted) do not say for certain what `name`
    is when a test calls it: each doubt a short phrase, () if they do.

    The grader reads a function's code from its last top-level def (notebook_definitions). That is
    what runs only if nothing else binds the name (an assignment, a decorator, an import alias, a
    `:=` in a comprehension, a `global` in a function, an attribute set on it) and no cell can bind
    names at run time (exec, globals(), setattr, a magic, ...).
    """
    doubts = []
    for number, source in enumerate(sources, 1):
        parsed = parse(source)
        if isinstance(parsed, str):
            doubts.append(f"cell {number} of the notebook could not be read ({parsed})")
            continue
        tree = parsed[0]
        top = {id(node) for node in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
                if id(node) not in top or node.decorator_list or not isinstance(node, ast.FunctionDef):
                    doubts.append(f"{name} is defined in a nested, decorated or class statement (cell {number})")
            elif isinstance(node, ast.Name):
                if node.id == name and not isinstance(node.ctx, ast.Load):
                    doubts.append(f"{name} is bound again after its def (cell {number}, line {node.lineno})")
                elif node.id in DYNAMIC_NAMES:
                    doubts.append(f"the notebook uses {node.id} (cell {number}, line {node.lineno})")
            elif isinstance(node, ast.Attribute) and node.attr in DYNAMIC_ATTRIBUTES:
                doubts.append(f"the notebook uses the attribute {node.attr} (cell {number}, line {node.lineno})")
            elif isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
                doubts.append(f"{name} is declared global in a function (cell {number}, line {node.lineno})")
            elif isinstance(node, (ast.Import, ast.ImportFrom)) and any(
                    (alias.asname or alias.name.split(".")[0]) == name for alias in node.names):
                doubts.append(f"{name} is bound by an import (cell {number}, line {node.lineno})")
            elif isinstance(node, ast.ExceptHandler) and node.name == name:
                doubts.append(f"{name} is bound by an except clause (cell {number}, line {node.lineno})")
    return tuple(dict.fromkeys(doubts))


def _dotted(node, found):
    if isinstance(node, ast.Name):
        entry = found.get(node.id)
        return entry[1] if entry and entry[0] == "alias" else None
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value, found)
        return f"{base}.{node.attr}" if base else None
    return None


class _Streams:
    """The cell's printed output, in order, as nbformat stream outputs."""

    def __init__(self, limit):
        self.parts = []
        self.limit = limit

    def add(self, name, text):
        if not text or self.limit <= 0:
            return
        text = text[:self.limit]
        self.limit -= len(text)
        if self.parts and self.parts[-1][0] == name:
            self.parts[-1][1].append(text)
        else:
            self.parts.append((name, [text]))

    def outputs(self):
        return [NotebookNode(output_type="stream", name=name, text="".join(texts)) for name, texts in self.parts]


class _Writer(io.TextIOBase):
    def __init__(self, streams, name):
        self.streams, self.name = streams, name

    def write(self, text):
        self.streams.add(self.name, str(text))
        return len(text)


def load_checks(path, shown_as=None):
    """The instructor's checks.py as the module `checks` of this process (loaded once per path).

    shown_as: the file name its tracebacks give (a parallel worker's scratch copy names the
    course's own file, so that feedback reads as a serial run's); its lines are served from memory.
    """
    shown_as = str(shown_as or path)
    loaded = sys.modules.get("checks")
    if loaded is not None and getattr(loaded, "__file__", None) == shown_as \
            and getattr(loaded, "__loaded_from__", None) == str(path):
        return loaded
    source = Path(path).read_text(encoding="utf-8")
    spec = importlib.util.spec_from_loader("checks", loader=None, origin=shown_as)
    module = importlib.util.module_from_spec(spec)
    module.__file__, module.__loaded_from__ = shown_as, str(path)  # __file__: what its code objects name
    # mtime None: linecache keeps these lines, whether or not a file exists at shown_as.
    linecache.cache[shown_as] = (len(source), None, source.splitlines(keepends=True), shown_as)
    sys.modules["checks"] = module
    exec(compile(source, shown_as, "exec"), module.__dict__)  # noqa: S102 - the instructor's own module
    return module


class SplitGrader:
    """One notebook's test cells, run in this process against one student kernel."""

    def __init__(self, student, checks_path, checks_shown_as=None, *, answers, output_limit=1_000_000):
        """answers: the only names the kernel may supply (InstructorCells.answers); output_limit: the
        characters one test cell may print (LimitedExecute.test_output_bytes)."""
        self.output_limit = output_limit
        self.student = student
        self.answers = answers
        self.checks = load_checks(checks_path, checks_shown_as)
        student.unsupported = self.checks.CheckFailed
        self.namespace = {"__name__": "__main__", "__builtins__": builtins}
        self.student_sources = []  # the code of the cells run in the kernel so far, as submitted
        self.review = []  # why the last test cell asked for an instructor's review (checks.CodeUnclear)
        self._definitions = (0, {})  # notebook_definitions of the first n of them

    def ran_in_kernel(self, source):
        self.student_sources.append(source)

    def run_setup(self, source):
        """An instructor cell that both sides need (the imports): run here too. Errors are the course's bug."""
        exec(compile(source, "<setup cell>", "exec"), self.namespace)  # noqa: S102 - the instructor's own code

    def run_test(self, source, count, time_limit, deadline=float("inf"), keep_serving=False):
        """Run one test cell's source; its nbformat outputs. Each call of student code may take
        time_limit seconds, and none may end after deadline (the notebook's, a time.monotonic()).

        keep_serving: the next cell to run is a test cell too, so the kernel goes on serving (one
        execute request for a run of test cells, not one per cell); the caller ends it otherwise.
        """
        streams = _Streams(self.output_limit)
        self.review = []
        self.student.deadline, self.student.call_limit = deadline, time_limit
        self.student.output = lambda text: streams.add("stdout", text)
        fetched = {}
        error = None
        serving = keep_serving
        try:
            connection = self.student.channel
            if connection.running is None or connection.pending is None:  # not left serving by the cell before
                self.student.end()
                self.student.begin()
            wanted = free_names(source) - set(self.namespace) - set(dir(builtins))
            fetched = self._fetch(wanted & self.answers)
            with contextlib.redirect_stdout(_Writer(streams, "stdout")), \
                    contextlib.redirect_stderr(_Writer(streams, "stderr")), \
                    warnings.catch_warnings():
                warnings.simplefilter("default")
                # A ResourceWarning here is the garbage collector finding one of this process's own
                # objects unclosed (an event loop of an earlier notebook, say) while the cell runs:
                # nothing of the test's or the student's, and it made outputs differ between runs.
                warnings.simplefilter("ignore", ResourceWarning)
                warnings.showwarning = lambda message, category, *rest: streams.add(
                    "stdout", f"{category.__name__}: {message}\n")
                result = self._exec(source, count)
            outputs = streams.outputs()
            if result is not None:
                outputs.append(NotebookNode(output_type="execute_result", execution_count=None, metadata={},
                                            data={"text/plain": repr(result)[:10_000]}))
            return outputs
        except KernelGone:
            serving = False
            raise
        except CallTimedOut:
            message = (f"a call of your code ran longer than its time limit of {time_limit:g} s and was interrupted"
                       if time.monotonic() < deadline else
                       "your code was still running when the notebook reached its time limit, and was interrupted")
            error = NotebookNode(output_type="error", ename=TIMEOUT_ENAME, evalue=message,
                                 traceback=[f"{TIMEOUT_ENAME}: {message}"])
        except BaseException as exc:  # noqa: BLE001 - the test's failure, as IPython would show it
            error = self._error_output(exc, count)
            unclear = getattr(self.checks, "CodeUnclear", None)
            if unclear is not None and isinstance(exc, unclear):
                self.review = [str(doubt)[:300] for doubt in exc.doubts[:5]] or ["the code could not be read"]
        finally:
            if not serving:
                self.student.end()
            for name, value in fetched.items():  # fetched again by the next cell: the kernel may redefine it
                if self.namespace.get(name) is value:
                    del self.namespace[name]
            self.student.output = None
            self.student.deadline = self.student.call_limit = float("inf")
        return streams.outputs() + [error]

    def _fetch(self, names):
        if not names:
            return {}
        if self._definitions[0] != len(self.student_sources):  # cells only ever get added
            self._definitions = (len(self.student_sources), notebook_definitions(self.student_sources))
        definitions = self._definitions[1]
        fetched = self.student.describe(sorted(names))
        for name, value in fetched.items():
            if isinstance(value, StudentFunction):
                entry = definitions.get(name)
                value.__grading_source__ = entry[1] if entry and entry[0] == "function" else None
                value.__grading_definitions__ = definitions
                value.doubts = functools.partial(notebook_doubts, tuple(self.student_sources), name)
        self.namespace.update(fetched)
        return fetched

    def _exec(self, source, count):
        """exec the cell; like IPython, the value of a last bare expression is the cell's result."""
        body, last = _compiled_test(source, f"<test cell {count}>")
        exec(body, self.namespace)  # noqa: S102 - the instructor's test code
        return None if last is None else eval(last, self.namespace)  # noqa: S307 - instructor's code

    def _error_output(self, exc, count):
        """The error as IPython shows it: the test cell's frames as "Cell In[n], line k"; then the
        student's own frames from the kernel, if the error came from there."""
        name = type(exc).__name__
        frames = wire.traceback_head(name)
        tb = exc.__traceback__
        while tb is not None:
            frame, line = tb.tb_frame, tb.tb_lineno
            if not frame.f_locals.get("__tracebackhide__"):
                filename = frame.f_code.co_filename
                if filename == f"<test cell {count}>":
                    frames.append(f"Cell In[{count}], line {line}")
                elif not filename.startswith("<") and filename not in _GRADER_FILES:
                    frames.append(f"File {filename}:{line}, in {frame.f_code.co_name}")
            tb = tb.tb_next
        frames.extend(getattr(exc, "__student_frames__", ()))
        try:
            value = str(exc)
        except Exception:  # noqa: BLE001
            value = ""
        frames.append(f"{name}: {value}")
        return NotebookNode(output_type="error", ename=name, evalue=value, traceback=frames)
