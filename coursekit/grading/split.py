"""Split grading: test cells run here, in the grading process; student code only in its sandboxed kernel.

When the tests share the student's kernel, the student's code can rewrite them (replace
`run_cell`, rebind the check helpers, return an object equal to everything). Here a test cell
never enters the kernel. `LimitedExecute` (coursekit.grading.execute) runs each of the
instructor's test cells with `SplitGrader.run_test`, in a namespace of this process that holds
only what the instructor's cells put there (the setup cell's imports; `checks` is the
instructor's own source/ copy). Names the test uses that the notebook defines are fetched from the
kernel at that point of the notebook: a function becomes a `StudentFunction` whose calls run in the
kernel; anything else comes as a value. Only plain data crosses (coursekit.grading.wire):

- arguments go fresh with every call and their state after the call is written back into the
  grader's objects, so "inputs left unchanged" checks see what the function did;
- a callable argument (a test's lambda) stays here: the kernel gets a stub that calls back;
- an error in student code comes back as its (builtin) type, message and the student's own
  traceback and is raised here as that builtin class, anything else as `StudentError`;
- what the student's code prints during a call is kept (bounded) as the cell's output, on stdout,
  so it never costs the cell its points; warnings are raised again here as warnings;
- every call of student code has the cell's time limit, within the notebook's (a test that calls
  a function 600 times is not one long call); a call that runs over it is interrupted and fails
  that cell, a kernel that dies or hangs stops the notebook.

The cell's outputs (printed text, the error with a traceback naming the test cell's lines as
IPython does) are written into the notebook, so nbgrader grades, saves and renders feedback as usual.
Nothing that comes from the kernel is unpickled, evaluated or used to look up a name.
"""

import ast
import builtins
import contextlib
import functools
import hmac
import importlib.util
import io
import json
import linecache
import re
import sys
import symtable
import time
import warnings
from pathlib import Path

import numpy as np
import zmq
from jupyter_client.session import DELIM, Session
from nbformat.notebooknode import NotebookNode

from . import agent, wire

AGENT_MODULE = "_grading_agent"
# What the kernel runs to install the agent: wire.py and agent.py as one module, outside the
# student's namespace (nothing is bound there).
_AGENT_SOURCE = Path(wire.__file__).read_text() + "\n" + Path(agent.__file__).read_text()
_INSTALL = ("import sys, types\n"
            f"module = types.ModuleType({AGENT_MODULE!r})\n"
            f"exec(compile(source, '<grading agent>', 'exec'), module.__dict__)\n"
            f"sys.modules[{AGENT_MODULE!r}] = module\n")
INSTALL_CODE = f"exec({_INSTALL!r}, {{'source': {_AGENT_SOURCE!r}}})"
SERVE_CODE = f"__import__('sys').modules[{AGENT_MODULE!r}].serve()"
EOF = "\x04"  # what ipykernel's input() reads as end of file (EOFError)
_UNREADABLE = ("What your code gave back could not be read by the grader ({}): a value here is a number, a "
               "string, a list, tuple or dict of them, or a NumPy array of numbers, of a reasonable size.")

MAX_MESSAGE_BYTES = 256 * 2**20  # zmq drops a bigger message from the kernel (the grader then times out)
CALLBACK_LIMIT = 100_000         # calls back from one call of a student function
INTERRUPT_GRACE = 5              # seconds a kernel gets to stop after an interrupt
# The execution count test cells' frames are named with ("Cell In[0], line 3"): the kernel never
# gives it, so these frames are never taken for the student's own (coursekit.feedback).
TEST_CELL_COUNT = 0
TIMEOUT_ENAME = "CellTimeoutError"  # nbgrader's name for a cell that ran over its time limit

# The exception classes an error from student code is raised as here, by the name the kernel
# reports; any other name (Exception itself: a class of the student's own) becomes StudentError.
# Only Exception subclasses: a reported SystemExit or KeyboardInterrupt must not stop the grader.
KNOWN_ERRORS = {name: value for name, value in vars(builtins).items()
                if isinstance(value, type) and issubclass(value, Exception) and value is not Exception}
KNOWN_ERRORS["AxisError"] = np.exceptions.AxisError
KNOWN_ERRORS["LinAlgError"] = np.linalg.LinAlgError
KNOWN_WARNINGS = {name: value for name, value in vars(builtins).items()
                  if isinstance(value, type) and issubclass(value, Warning)}


class StudentError(Exception):
    """An error of a type of the student's own (or one the grader does not re-raise as itself)."""


class KernelGone(BaseException):
    """The kernel died or stopped answering: the notebook's grading ends (see LimitedExecute)."""


class CallTimedOut(BaseException):
    """A call ran over the cell's time limit and was interrupted: the cell ends with this error.

    A BaseException, so that a test's `except Exception` cannot swallow it."""


# ---------------------------------------------------------------- talking to the kernel


class KernelChannel:
    """The grader's own connection to the student's kernel: execute requests, and the kernel's
    stdin channel, over which a serving agent takes requests and gives replies (see Student).

    Own sockets, with an identity of their own, so nbclient's client of the same kernel never sees
    these replies (it ignores the IOPub messages: their parent is not its request).
    """

    def __init__(self, connection_info, alive, drain=None):
        self.alive = alive
        self.drain = drain  # nbclient's IOPub socket: emptied while this client works (see _wait)
        self.session = Session(key=connection_info["key"], signature_scheme=connection_info["signature_scheme"])
        context = zmq.Context.instance()
        self.sockets = {}
        for channel in ("shell", "stdin", "control"):
            socket = context.socket(zmq.DEALER)
            socket.linger = 0
            socket.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)
            socket.setsockopt(zmq.IDENTITY, self.session.bsession)
            socket.connect(_url(connection_info, channel))
            self.sockets[channel] = socket
        self.poller = zmq.Poller()
        for socket in (self.sockets["shell"], self.sockets["stdin"], *([drain] if drain is not None else [])):
            self.poller.register(socket, zmq.POLLIN)
        self.running = None  # msg_id of the execute request in progress
        self.pending = None  # the kernel's input request waiting for an answer

    def close(self):
        for socket in self.sockets.values():
            socket.close(linger=0)

    def start(self, code, deadline, stdin=True):
        """Send an execute request; the first prompt it asks with input(), or None once it has ended."""
        # silent: the kernel publishes no copy of the request on IOPub and keeps no history of it.
        request = self.session.send(self.sockets["shell"], "execute_request", {
            "code": code, "silent": True, "store_history": False, "user_expressions": {},
            "allow_stdin": stdin, "stop_on_error": False})
        self.running, self.pending = request["header"]["msg_id"], None
        return self._wait(deadline)

    def ask(self, text, deadline):
        """Answer the pending input() with text; the next prompt, or None once the request has ended."""
        self.answer(text)
        return self._wait(deadline)

    def answer(self, text):
        """Answer the pending input() with text, without waiting for what comes next."""
        self.session.send(self.sockets["stdin"], "input_reply", {"value": text}, parent=self.pending)
        self.pending = None

    def pending_prompt(self):
        prompt = self.pending["content"].get("prompt", "") if self.pending is not None else ""
        return prompt if isinstance(prompt, str) else ""

    def _wait(self, deadline):
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self._interrupt()
                raise CallTimedOut()
            found = self.next_event(min(left, 0.5))
            if found is not None:
                return found[0]

    def next_event(self, seconds):
        """(prompt,) for an input request of the running request, (None,) for its end, None if nothing came."""
        ready = dict(self.poller.poll(timeout=max(1, seconds * 1000)))
        self._drain()
        if self.sockets["stdin"] in ready:
            message = self._receive("stdin")
            if message and message["msg_type"] == "input_request" and message["parent_header"].get("msg_id") == self.running:
                self.pending = message
                prompt = message["content"].get("prompt", "")
                return (prompt if isinstance(prompt, str) else "",)
        if self.sockets["shell"] in ready:
            message = self._receive("shell")
            if message and message["msg_type"] == "execute_reply" and message["parent_header"].get("msg_id") == self.running:
                self.running = self.pending = None
                return (None,)
        if not ready and not self.alive():
            raise KernelGone("the kernel died")
        return None

    def _drain(self):
        # The kernel publishes a busy and an idle status per request, and whatever student code
        # writes to its file descriptors: nbclient, which does not read while a test cell runs
        # here, would lose its own messages once its queue is full.
        while self.drain is not None:
            try:
                self.drain.recv_multipart(zmq.NOBLOCK, copy=False)
            except zmq.Again:
                return

    def _receive(self, channel):
        try:
            frames = self.sockets[channel].recv_multipart(zmq.NOBLOCK)
            # An interrupt that lands while the kernel sends leaves a partial message, to which
            # ZeroMQ appends the next whole one: read the part after the last delimiter.
            last = max((i for i, frame in enumerate(frames) if frame == DELIM), default=-1)
            return _decode(self.session, frames[last + 1:])
        except Exception:  # noqa: BLE001 - a malformed or unsigned message is dropped
            return None

    def send_interrupt(self):
        self.session.send(self.sockets["control"], "interrupt_request", {})

    def _interrupt(self):
        """Interrupt the running code; return once it has replied again or ended, else KernelGone."""
        self.send_interrupt()
        deadline = time.monotonic() + INTERRUPT_GRACE
        while time.monotonic() < deadline:
            if self.next_event(0.2) is not None:
                return
            if not self.alive():
                raise KernelGone("the kernel died")
        raise KernelGone("a call ran longer than its time limit and did not stop when interrupted")


def _decode(session, parts):
    """A signed Jupyter message's header, parent header and content, or None.

    What Session.deserialize does, less what this channel never reads: it also parses every date
    of both headers with dateutil, a fifth of the grader's cost of a call.
    """
    if len(parts) < 5 or not hmac.compare_digest(parts[0], session.sign(parts[1:5])):
        return None
    header, parent, content = (json.loads(part) for part in (parts[1], parts[2], parts[4]))
    if not all(type(part) is dict for part in (header, parent, content)):
        return None
    return {"header": header, "parent_header": parent, "content": content, "msg_type": header.get("msg_type")}


END = wire.dumps({"op": "end"})  # the request that ends the agent's serve loop


def _closing_answer(prompt):
    """What to answer a prompt with while ending: the serve loop ends (END), a call back fails, the
    student's own input() reads end of file."""
    if not prompt.startswith(wire.MARK):
        return EOF
    try:
        message = wire.loads(prompt[len(wire.MARK):], function=lambda number: None)
    except wire.WireError:
        message = None
    if type(message) is dict and message.get("kind") == "callback":
        return wire.dumps({"error": ["RuntimeError", "the grader stopped this call: it ran over its time limit"]})
    return END


def _url(info, channel):
    port = info[f"{channel}_port"]
    return f"ipc://{info['ip']}-{port}" if info["transport"] == "ipc" else f"tcp://{info['ip']}:{port}"


class Student:
    """The student's kernel as the grader sees it: names to look up, functions to call.

    For each run of consecutive test cells the kernel's agent serves (agent.serve): it waits in
    input() for a request (look up names, call a function, end), and answers with its next input()
    prompt, so a call costs two messages on the stdin channel and no run of an IPython cell. A student function that calls
    a test's function back asks for it the same way, within the call.
    """

    def __init__(self, channel, unsupported=TypeError):
        self.channel = channel
        self.deadline = float("inf")  # the notebook's: no request ends after it
        self.call_limit = float("inf")  # seconds one request (a call, with its call-backs) may take
        self.output = None  # where a call's printed text goes (the running cell's output)
        self.unsupported = unsupported  # the exception a value of an unsupported type raises (checks.CheckFailed)
        # The test's callables the kernel may call back, by number: kept for the whole notebook, as a
        # function the student returns (chain_rule's) calls those passed to an earlier call.
        self.callbacks = []
        channel.start(INSTALL_CODE, time.monotonic() + 60, stdin=False)

    def begin(self):
        """Start serving (a run of consecutive test cells: SplitGrader.run_test, keep_serving)."""
        prompt = self.channel.start(SERVE_CODE, self._request_deadline())
        if prompt is None or not prompt.startswith(wire.MARK):
            self.end()
            raise StudentError("the notebook's kernel did not answer the grader (was Python's or IPython's "
                               "machinery replaced?)")

    def end(self):
        """Stop serving: answer whatever the kernel still asks (the serve loop gets its end, a call
        back of an interrupted call an error) until its request has ended; KernelGone if it has not
        within INTERRUPT_GRACE. After a timeout the kernel may still be in the student's code, or
        the interrupt may have come while it waited for an answer: either way it ends here.

        A kernel silent for a second while in the student's code is interrupted again. Never once
        the serve loop has been answered END: only the agent and ipykernel run then, and an
        interrupt that lands in ipykernel after the code has run loses the request's reply (ipykernel
        logs "KeyboardInterrupt caught in kernel" and sends none), so the kernel would look hung."""
        channel = self.channel
        deadline = time.monotonic() + INTERRUPT_GRACE
        heard = time.monotonic()  # when the kernel last sent something, or was last interrupted
        ending = False  # the last answer given was END
        while channel.running is not None:
            if time.monotonic() > deadline:
                raise KernelGone("the kernel did not stop serving the grader")
            if channel.pending is not None:
                answer = _closing_answer(channel.pending_prompt())
                channel.answer(answer)
                ending, heard = answer == END, time.monotonic()
            elif channel.next_event(0.2) is not None:
                heard = time.monotonic()
            elif not ending and time.monotonic() - heard > 1:
                channel.send_interrupt()  # still in the student's code: interrupt it again
                heard = time.monotonic()

    def _request_deadline(self, calls=1):
        return min(self.deadline, time.monotonic() + self.call_limit * calls)

    def _request(self, request, calls=1):
        if self.channel.running is None:
            self.begin()
        if self.channel.pending is None:
            raise StudentError("the notebook's kernel stopped answering the grader")
        try:
            return self._exchange(request, calls)
        except CallTimedOut:
            self.end()  # what the interrupted code still sends is not an answer to anything asked later
            raise

    def _exchange(self, request, calls=1):
        deadline = self._request_deadline(calls)
        prompt = self.channel.ask(request, deadline)
        callbacks = 0
        while True:
            if prompt is None:
                raise StudentError("the notebook's kernel stopped answering the grader (was Python's or "
                                   "IPython's machinery replaced, or did it run out of memory?)")
            if not prompt.startswith(wire.MARK):  # the student's own input(): there is no one to type
                prompt = self.channel.ask(EOF, deadline)
                continue
            try:
                message = wire.loads(prompt[len(wire.MARK):],
                                     function=lambda number: StudentFunction(self, "a function", number))
            except wire.WireError as error:
                raise self.unsupported(_UNREADABLE.format(error)) from None
            kind = message.get("kind") if type(message) is dict else None
            if kind == "callback":
                callbacks += 1
                answer = (self._call_back(message) if callbacks <= CALLBACK_LIMIT else
                          wire.dumps({"error": ["RuntimeError", "too many calls of a function the test passed in"]}))
                prompt = self.channel.ask(answer, deadline)
                continue
            if kind == "reply" and type(message.get("unreadable")) is str:
                raise self.unsupported(_UNREADABLE.format(wire.short_name(message["unreadable"])))
            if kind == "reply":
                return message
            raise self.unsupported(_UNREADABLE.format("not a reply"))

    def _call_back(self, message):
        callbacks = self.callbacks
        number, args, kwargs = message.get("id"), message.get("args"), message.get("kwargs")
        if type(number) is not int or not 0 <= number < len(callbacks) or type(args) is not list or type(kwargs) is not dict:
            return wire.dumps({"error": ["TypeError", "malformed call back"]})
        if any(type(k) is not str for k in kwargs):
            return wire.dumps({"error": ["TypeError", "keyword names must be strings"]})
        try:
            value = callbacks[number](*args, **kwargs)
            return wire.dumps({"value": value})
        except (CallTimedOut, KernelGone):
            raise
        except Exception as error:  # noqa: BLE001 - the test's function failed on what the student passed
            return wire.dumps({"error": [type(error).__name__ if type(error).__name__ in KNOWN_ERRORS else "RuntimeError",
                                         str(error)[:2000]]})

    def describe(self, names):
        """{name: value} for those of the names the notebook defines; functions as StudentFunction."""
        reply = self._request(wire.dumps({"op": "describe", "names": list(names)}))
        found = reply.get("names")
        result = {}
        for name in names:
            if type(found) is dict and name in found:
                value = found[name]
                if isinstance(value, StudentFunction):
                    value.__name__ = value.__qualname__ = name
                elif (kind := wire.contains_unsupported(value)) is not None:
                    raise self.unsupported(
                        f"{name} holds a value of type {kind}, which the grader cannot read (unsupported type). "
                        "Use numbers, strings, lists, tuples, dicts or NumPy arrays of numbers.")
                result[name] = value
        return result

    def call(self, function, args, kwargs):
        """function(*args, **kwargs) in the kernel: its result, or the error it raised, raised here."""
        try:
            request = self._dumps({"op": "call", "id": function.ref, "args": list(args), "kwargs": dict(kwargs)})
        except wire.WireError as error:
            raise TypeError(f"the test passed an argument the grader cannot send: {error}") from None
        return self._outcome(function, args, kwargs, self._request(request))

    def planned_calls(self, function, arg_lists):
        """Stand-ins for function, one per argument list, whose calls the kernel makes as one request.

        The kernel makes the calls in order, each within the call limit, and stops after one that
        raises or runs over it. The i-th stand-in, called with the i-th arguments, then does what
        call() would: writes the arguments' state back, adds the output, returns or raises. A call
        the batch did not make (after a stop, or when the batch could not be sent or read) is made
        by its stand-in as call() makes it. The test must call the stand-ins in order.
        """
        limit = self.call_limit if self.call_limit < float("inf") else None
        try:
            request = self._dumps({"op": "call_each", "id": function.ref, "limit": limit,
                                   "calls": [[list(args), {}] for args in arg_lists]})
            replies = self._request(request, calls=max(1, len(arg_lists))).get("calls")
        except (wire.WireError, self.unsupported):  # one call at a time tells which one is at fault
            replies = []
        if type(replies) is not list or len(replies) > len(arg_lists) or not all(type(r) is dict for r in replies):
            replies = []
        return [_MadeCall(self, function, reply) for reply in replies] + [function] * (len(arg_lists) - len(replies))

    def _dumps(self, request):
        def callback(value):
            self.callbacks.append(value)
            return len(self.callbacks) - 1

        def ref(value):
            return value.ref if isinstance(value, StudentFunction) else None

        return wire.dumps(request, function=callback, ref=ref)

    def _outcome(self, function, args, kwargs, reply):
        """What the call gave, from the kernel's reply: its result, or its error raised here."""
        if reply.get("timed_out") is True:
            raise CallTimedOut()
        self._write_back(args, reply.get("args"))
        self._write_back(list(kwargs.values()), [v for k, v in (reply.get("kwargs") or {}).items() if k in kwargs]
                         if type(reply.get("kwargs")) is dict else None)
        output = reply.get("output")
        if type(output) is str and output and self.output is not None:
            self.output(output)
        for warning in reply.get("warnings") or ():
            if type(warning) is list and len(warning) == 2 and all(type(w) is str for w in warning):
                warnings.warn_explicit(warning[1], KNOWN_WARNINGS.get(warning[0], UserWarning),
                                       f"{function.__name__} (your code)", 0)
        if "error" in reply:
            raise student_error(reply["error"])
        if "result" not in reply:
            raise StudentError("the kernel's answer had no result")
        result = reply["result"]
        if isinstance(result, StudentFunction):
            result.__name__ = result.__qualname__ = f"the function {function.__name__} returned"
        elif (kind := wire.contains_unsupported(result)) is not None:
            raise self.unsupported(
                f"{function.__name__}(...) returned a value of type {kind}: unsupported return type. A function "
                "here returns numbers, strings, lists, tuples, dicts or NumPy arrays of numbers.")
        return result

    @staticmethod
    def _write_back(originals, after):
        """Put the arguments' state after the call into the grader's own objects."""
        if type(after) is not list or len(after) != len(originals):
            return
        for original, new in zip(originals, after):
            write_back(original, new)


def write_back(original, new):
    if type(original) is np.ndarray and type(new) is np.ndarray:
        if original.flags.writeable and original.size == new.size and original.dtype == new.dtype:
            if original.shape != new.shape and original.flags.c_contiguous:
                original.shape = new.shape
            if original.shape == new.shape:
                original[...] = new
    elif type(original) is list and type(new) is list:
        original[:] = new
    elif type(original) is dict and type(new) is dict:
        original.clear()
        original.update(new)
    elif type(original) is np.random.Generator and type(new) is np.random.Generator:
        if type(original.bit_generator) is type(new.bit_generator):
            original.bit_generator.state = new.bit_generator.state


def student_error(report):
    """The exception to raise here for an error reported by the kernel."""
    if type(report) is not dict:
        return StudentError("your function raised an error")
    kind = report.get("type") if type(report.get("type")) is str else ""
    message = report.get("message") if type(report.get("message")) is str else ""
    frames = [f for f in report.get("traceback") or () if type(f) is str] if type(report.get("traceback")) is list else []
    cls = KNOWN_ERRORS.get(kind, StudentError)
    error = cls(message)
    error.__student_type__ = wire.short_name(report.get("name")) or cls.__name__
    error.__student_frames__ = frames[:200]
    error.__student_traceback__ = ANSI.sub("", "\n".join(frames[:200]))
    return error


class _MadeCall:
    """A call of a student function that the kernel has made already (Student.planned_calls)."""

    def __init__(self, student, function, reply):
        self._student, self._function, self._reply = student, function, reply
        self.__name__ = self.__qualname__ = function.__name__

    def __call__(self, *args, **kwargs):
        __tracebackhide__ = True  # noqa: F841 - not a frame the student needs to see
        return self._student._outcome(self._function, args, kwargs, self._reply)


class StudentFunction:
    """A function of the student's notebook, called in the kernel. Also carries its source (from
    the notebook's cells, as submitted) for static checks."""

    def __init__(self, student, name, ref, source=None, definitions=None):
        self._student = student
        self.__name__ = self.__qualname__ = name
        self.ref = ref
        self.__grading_source__ = source
        self.__grading_definitions__ = definitions or {}

    def __call__(self, *args, **kwargs):
        __tracebackhide__ = True  # noqa: F841 - not a frame the student needs to see
        return self._student.call(self, args, kwargs)

    def planned_calls(self, arg_lists):
        """One stand-in per argument list, called in order: see Student.planned_calls."""
        return self._student.planned_calls(self, arg_lists)

    def __repr__(self):
        return f"<function {self.__name__} (student code)>"


# ---------------------------------------------------------------- running test cells


ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


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

    def __init__(self, limit=1_000_000):
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

    def __init__(self, student, checks_path, checks_shown_as=None):
        self.student = student
        self.checks = load_checks(checks_path, checks_shown_as)
        student.unsupported = self.checks.CheckFailed
        self.namespace = {"__name__": "__main__", "__builtins__": builtins}
        self.student_sources = []  # the code of the cells run in the kernel so far, as submitted
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
        streams = _Streams()
        self.student.deadline, self.student.call_limit = deadline, time_limit
        self.student.output = lambda text: streams.add("stdout", text)
        fetched = {}
        error = None
        serving = keep_serving
        try:
            channel = self.student.channel
            if channel.running is None or channel.pending is None:  # not left serving by the cell before
                self.student.end()
                self.student.begin()
            fetched = self._fetch(free_names(source) - set(self.namespace) - set(dir(builtins)))
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
                elif not filename.startswith("<") and filename != __file__:
                    frames.append(f"File {filename}:{line}, in {frame.f_code.co_name}")
            tb = tb.tb_next
        frames.extend(getattr(exc, "__student_frames__", ()))
        try:
            value = str(exc)
        except Exception:  # noqa: BLE001
            value = ""
        frames.append(f"{name}: {value}")
        return NotebookNode(output_type="error", ename=name, evalue=value, traceback=frames)
