"""The student's kernel as the grader sees it: names to look up, functions to call (split grading).

`Student` asks the kernel's agent (coursekit.grading.split.agent, installed in the kernel outside the
student's namespace) over a `KernelChannel`; a function of the notebook becomes a `StudentFunction`
whose calls run in the kernel. Only plain data crosses (coursekit.grading.split.wire):

- arguments go fresh with every call and their state after the call is written back into the
  grader's objects, so "inputs left unchanged" checks see what the function did;
- a callable argument (a test's lambda) stays here: the kernel gets a stub that calls back;
- an error in student code comes back as its (builtin) type, message and the student's own
  traceback and is raised here as that builtin class, anything else as `StudentError`;
- what the student's code prints during a call is kept (bounded) as the cell's output, on stdout,
  so it never costs the cell its points; warnings are raised again here as warnings;
- every call has the cell's time limit, within the notebook's deadline: a call that runs over it is
  interrupted (`CallTimedOut`); a kernel that dies or hangs raises `KernelGone`.

Nothing that comes from the kernel is unpickled, evaluated or used to look up a name.
"""

import builtins
import inspect
import time
import warnings
from pathlib import Path

import numpy as np

from ...notebooks import ANSI
from . import agent, wire
from .channel import INTERRUPT_GRACE, CallTimedOut, KernelGone

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

CALLBACK_LIMIT = 100_000  # calls back from one call of a student function
MAX_CALLBACK_ARGUMENTS = 16  # positional arguments of a call back to a test function with *args
# What of a kernel's reply a student can read, and all that any check or regular expression sees.
MESSAGE_LIMIT = 2_000     # characters of an error's or a warning's message
FRAME_LIMIT = 4_000       # characters of one traceback frame
MAX_FRAMES = 200          # frames of one traceback
MAX_WARNINGS = 20         # warnings of one call
OUTPUT_LIMIT = agent.OUTPUT_LIMIT + 100  # what one call printed (the agent's own cut, and its note)

# The exception classes an error from student code is raised as here, by the name the kernel
# reports (wire.KNOWN_ERRORS, the agent's table too); any other name, Exception itself included (a
# class of the student's own), becomes StudentError. Only Exception subclasses: a reported
# SystemExit or KeyboardInterrupt must not stop the grader.
KNOWN_ERRORS = {name: value for name, value in wire.KNOWN_ERRORS.items() if value is not Exception}
KNOWN_WARNINGS = {name: value for name, value in vars(builtins).items()
                  if isinstance(value, type) and issubclass(value, Warning)}


class StudentError(Exception):
    """An error of a type of the student's own (or one the grader does not re-raise as itself)."""


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


class Student:
    """The student's kernel as the grader sees it: names to look up, functions to call.

    For each run of consecutive test cells the kernel's agent serves (agent.serve): it waits in
    input() for a request (look up names, call a function, end), and answers with its next input()
    prompt, so a call costs two messages on the stdin channel and no run of an IPython cell. A student function
    that calls a test's function back asks for it the same way, within the call.
    """

    def __init__(self, channel, unsupported=TypeError, start_seconds=60):
        self.channel = channel
        self.deadline = float("inf")  # the notebook's: no request ends after it
        self.call_limit = float("inf")  # seconds one request (a call, with its call-backs) may take
        self.output = None  # where a call's printed text goes (the running cell's output)
        self.unsupported = unsupported  # the exception a value of an unsupported type raises (checks.CheckFailed)
        # The test's callables the kernel may call back, by number: kept for the whole notebook, as a
        # function the student returns (chain_rule's) calls those passed to an earlier call.
        self.callbacks = []
        self.slowest_reply = 0.0  # seconds: the longest this process took to read one of the kernel's replies
        channel.start(INSTALL_CODE, time.monotonic() + start_seconds, stdin=False)

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
        except (CallTimedOut, self.unsupported):
            # What the interrupted code still sends, or whatever a kernel that broke the protocol
            # asks next (an unreadable call back, say), is not an answer to anything asked later.
            self.end()
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
            started = time.monotonic()
            try:
                message = wire.loads(prompt[len(wire.MARK):],
                                     function=lambda number: StudentFunction(self, "a function", number))
            except wire.WireError as error:
                raise self.unsupported(_UNREADABLE.format(error)) from None
            finally:
                self.slowest_reply = max(self.slowest_reply, time.monotonic() - started)
            if time.monotonic() > deadline:  # reading the reply counts as part of the call
                raise CallTimedOut()
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
        """Run a function the test passed, for the kernel: exactly that function, with positional
        plain data only, as many arguments as it takes. Keyword arguments never cross: with them,
        np.exp(x, where=False) returned uninitialised memory of this process (other notebooks'
        hidden tests, the reference solution), which the student could print into their feedback."""
        number, args, kwargs = message.get("id"), message.get("args"), message.get("kwargs")
        if type(number) is not int or not 0 <= number < len(self.callbacks) or type(args) is not list:
            return _refusal("TypeError", "malformed call back")
        function, takes = self.callbacks[number]
        if kwargs:
            return _refusal("TypeError", f"{_callable_name(function)}() is called here with positional arguments "
                                         "only, no keyword arguments")
        if takes is None or not takes[0] <= len(args) <= takes[1]:
            wanted = "an unknown number of" if takes is None else \
                str(takes[0]) if takes[0] == takes[1] else f"{takes[0]} to {takes[1]}"
            return _refusal("TypeError", f"{_callable_name(function)}() takes {wanted} arguments, not {len(args)}")
        if not all(_plain(arg) for arg in args):
            given = "a function" if any(isinstance(arg, StudentFunction) for arg in args) else "something else"
            return _refusal("TypeError", f"{_callable_name(function)}() takes numbers and NumPy arrays of numbers "
                                         f"(or lists and tuples of them) only, and was given {given}")
        try:
            value = function(*args)
        except (CallTimedOut, KernelGone):
            raise
        except Exception as error:  # noqa: BLE001 - the test's function failed on what the student passed
            return _refusal(type(error).__name__ if type(error).__name__ in KNOWN_ERRORS else "RuntimeError",
                            str(error)[:2000])
        try:
            return wire.dumps({"value": value})
        except wire.WireError as error:
            return _refusal("ValueError", f"{_callable_name(function)}() gave a result too large to send: {error}")

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
            self.callbacks.append((value, arity(value)))
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
        output = _cut(reply.get("output"), OUTPUT_LIMIT)
        if output and self.output is not None:
            self.output(output)
        notes = reply.get("warnings")
        for warning in notes[:MAX_WARNINGS] if type(notes) is list else ():
            if type(warning) is list and len(warning) == 2 and all(type(w) is str for w in warning):
                warnings.warn_explicit(_cut(warning[1], MESSAGE_LIMIT), KNOWN_WARNINGS.get(warning[0], UserWarning),
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
        for original, new in zip(originals, after, strict=False):
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
    elif type(original) is np.random.Generator and type(new) is np.random.Generator \
            and type(original.bit_generator) is type(new.bit_generator):
        original.bit_generator.state = new.bit_generator.state


def _refusal(kind, text):
    return wire.dumps({"error": [kind, text]})


def _callable_name(function):
    name = getattr(function, "__name__", None)
    return "the test's function" if not isinstance(name, str) or name == "<lambda>" else name


def arity(function):
    """(least, most) positional arguments a test's callable takes, or None if that cannot be read
    (it is then never called back). A NumPy ufunc takes its `nin` inputs: a further positional
    argument would be its `out` array."""
    if isinstance(function, np.ufunc):
        return function.nin, function.nin
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return None
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    required = [p for p in positional if p.default is p.empty]
    many = any(p.kind == p.VAR_POSITIONAL for p in parameters)
    return len(required), (MAX_CALLBACK_ARGUMENTS if many else len(positional))


def _plain(value, depth=0):
    """Whether a call-back argument is plain numeric data: numbers, numeric NumPy arrays and
    scalars, and lists and tuples of them (what the wire decoded; no functions, no generators)."""
    kind = type(value)
    if value is None or kind in (bool, int, float, complex):
        return True
    if kind is np.ndarray or (isinstance(value, np.generic) and kind.__module__ == "numpy"):
        return value.dtype.kind in wire.NUMERIC_KINDS
    if kind in (list, tuple) and depth < wire.MAX_DEPTH:
        return all(_plain(item, depth + 1) for item in value)
    return False


def student_error(report):
    """The exception to raise here for an error reported by the kernel.

    Every text is cut to what a student reads before anything else sees it: the checks match
    messages with regular expressions, and a reply sent past the agent (by input(), say) may hold
    millions of characters."""
    if type(report) is not dict:
        return StudentError("your function raised an error")
    kind = report.get("type") if type(report.get("type")) is str else ""
    message = _cut(report.get("message"), MESSAGE_LIMIT)
    frames = [_cut(f, FRAME_LIMIT) for f in report.get("traceback")[:MAX_FRAMES]
              if type(f) is str] if type(report.get("traceback")) is list else []
    cls = KNOWN_ERRORS.get(kind, StudentError)
    error = cls(message)
    error.__student_type__ = wire.short_name(report.get("name")) or cls.__name__
    error.__student_frames__ = frames
    error.__student_traceback__ = ANSI.sub("", "\n".join(frames))
    return error


def _cut(text, limit):
    """text (a str from the kernel, else "") at most `limit` characters long, saying so when cut."""
    if type(text) is not str:
        return ""
    return text if len(text) <= limit else text[:limit] + f"... ({len(text) - limit:,} more characters)"


class _MadeCall:
    """A call of a student function that the kernel has made already (Student.planned_calls)."""

    def __init__(self, student, function, reply):
        self._student, self._function, self._reply = student, function, reply
        self.__name__ = self.__qualname__ = function.__name__

    def __call__(self, *args, **kwargs):
        __tracebackhide__ = True
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
        self.doubts = None  # () -> what the notebook leaves unclear about this name (split.notebook_doubts)

    @property
    def __grading_doubts__(self):
        """Read only when a check reads code (checks.code_doubts): it walks every cell of the notebook."""
        return self.doubts() if self.doubts else ()

    def __call__(self, *args, **kwargs):
        __tracebackhide__ = True
        return self._student.call(self, args, kwargs)

    def planned_calls(self, arg_lists):
        """One stand-in per argument list, called in order: see Student.planned_calls."""
        return self._student.planned_calls(self, arg_lists)

    def __repr__(self):
        return f"<function {self.__name__} (student code)>"
