# The kernel side of split grading: run in the student's sandboxed kernel, after wire.py's source,
# as the module `_grading_agent` (coursekit.grading.split.student installs it before the first test cell).
# For each test cell the grader runs serve(): it takes requests (look up names, call a student
# function, once or for each of many argument lists) as the answers to its input() prompts and
# gives each reply as its next prompt, as wire data on the kernel's stdin channel; a student
# function calling a test's function back asks the same way.
#
# Nothing here is trusted: student code can replace any of it. The grader treats every reply as
# hostile data, so a tampered agent can at most make a function seem to return something else,
# which a function could do anyway.

import builtins
import contextlib
import inspect
import linecache
import signal
import sys
import traceback
import warnings

# Imported as coursekit.grading.split.agent (so that it ships with the package); in the kernel,
# wire.py's source came first and there is no package to import from.
with contextlib.suppress(ImportError):
    from .wire import KNOWN_ERRORS, MARK, WireError, dumps, loads, traceback_head, type_name

OUTPUT_LIMIT = 20_000     # characters of what the student's code prints during one call
TRACEBACK_LIMIT = 20_000  # characters of a traceback

_objects = {}  # id -> a student object the grader holds a proxy for
_known_errors = {value: name for name, value in KNOWN_ERRORS.items()}  # class -> the name it crosses as


def _ask(message):
    """Send one message to the grader and return its answer (text). Functions in it stay here."""
    try:
        text = dumps(message, function=_ref)
    except WireError as error:  # too deep, too large: say so instead
        text = dumps({"kind": "reply", "unreadable": str(error)[:200]})
    except Exception as error:  # noqa: BLE001 - whatever else encoding the student's value raised
        text = dumps({"kind": "reply", "unreadable": f"{type_name(error)}: {str(error)[:200]}"})
    return builtins.input(MARK + text)


def _ref(obj):
    number = len(_objects) + 1
    _objects[number] = obj
    return number


class _Output:
    """A stand-in for sys.stdout / sys.stderr that keeps the first OUTPUT_LIMIT characters."""

    def __init__(self):
        self.parts, self.size, self.dropped = [], 0, 0

    def write(self, text):
        text = str(text)
        room = OUTPUT_LIMIT - self.size
        self.parts.append(text[:max(room, 0)])
        self.size += min(len(text), max(room, 0))
        self.dropped += max(len(text) - max(room, 0), 0)
        return len(text)

    def flush(self):
        pass

    def text(self):
        tail = f"\n... ({self.dropped:,} more characters not shown)\n" if self.dropped else ""
        return "".join(self.parts) + tail


CONTEXT = 2  # lines shown before and after the line a frame was running (within its function)


def _frames(error):
    """The error in IPython's layout, without colour: a header; each frame below this module's as
    "Cell In[3], line 2, in f(a, b)" and the lines around it; a recursion's repeated frames as one
    line; the error itself.

    Not IPython's formatter itself: in a fresh kernel (one per notebook) its first traceback costs
    0.1 to 0.3 s of CPU (stack_data's import, a scan of every module's file) and a RecursionError's
    about a second, while this reads only the lines it shows. It picks its lines by line, not by
    statement as stack_data does, so its context may differ by a line or two from IPython's.
    """
    try:
        from IPython import get_ipython

        code_names = get_ipython().compile.format_code_name
    except Exception:  # noqa: BLE001 - no IPython shell: files are named as files
        code_names = lambda filename: None  # noqa: E731
    name = type(error).__name__
    entries = traceback_head(name)
    shown = [(frame, line) for frame, line in traceback.walk_tb(error.__traceback__.tb_next)
             if not frame.f_locals.get("__tracebackhide__")]
    times, skipped = {}, {}  # (code, line) -> frames shown; those not shown since the last one
    for index, (frame, line) in enumerate(shown):
        line = line or frame.f_lineno or 0  # None in rare frames
        key = (frame.f_code, line)
        if times.get(key, 0) >= 2 and index < len(shown) - 1:  # recursion: the last frame is shown again
            skipped[key] = skipped.get(key, 0) + 1
            continue
        if skipped:
            entries.append("    [... skipping similar frames: " + ", ".join(
                f"{code.co_name} at line {at} ({count} times)" for (code, at), count in skipped.items()) + "]\n")
            skipped = {}
        times[key] = times.get(key, 0) + 1
        entries.append(_frame(frame, line, code_names))
    entries.append("".join(traceback.format_exception_only(type(error), error)).rstrip("\n"))
    return entries


def _frame(frame, line, code_names):
    """One frame: where, and the lines around the one it ran (within its function)."""
    code = frame.f_code
    label = code_names(code.co_filename)
    where = f"{label[0]} {label[1]}, line {line}" if label else f"File {code.co_filename}:{line}"
    args, varargs, varkw = inspect.getargs(code)
    names = args + ([f"*{varargs}"] if varargs else []) + ([f"**{varkw}"] if varkw else [])
    qualified = getattr(code, "co_qualname", code.co_name)  # Python 3.11: "Thing.method"
    call = f"{qualified}({', '.join(names)})" if code.co_name != "<module>" else code.co_name
    lines = linecache.getlines(code.co_filename, frame.f_globals)
    first = max(line - CONTEXT, code.co_firstlineno if code.co_name != "<module>" else 1, 1)
    last = min(line + CONTEXT, len(lines))
    if code.co_name != "<module>" and 0 < code.co_firstlineno <= len(lines):  # not past the function's end
        indent = _indent(lines[code.co_firstlineno - 1])
        for number in range(line + 1, last + 1):
            if lines[number - 1].strip() and _indent(lines[number - 1]) <= indent:
                last = number - 1
                break
    while last > line and not lines[last - 1].strip():
        last -= 1
    text = [lines[n - 1].rstrip("\n") for n in range(first, last + 1)]
    margin = min((_indent(t) for t in text if t.strip()), default=0)
    body = "".join(f"{('-' * max(1, 5 - len(str(n))) + '> ' + str(n)) if n == line else f'{n:>7}'} {t[margin:]}\n"
                   for n, t in zip(range(first, last + 1), text, strict=False))
    return f"{where}, in {call}\n{body}"


def _indent(text):
    return len(text) - len(text.lstrip())


def _error(error):
    kind = next((_known_errors[cls] for cls in type(error).__mro__ if cls in _known_errors), "Exception")
    try:
        frames = _frames(error)
    except Exception:  # noqa: BLE001 - fall back to Python's own format
        frames = traceback.format_exception(type(error), error, error.__traceback__.tb_next)
    text, kept = 0, []
    for frame in frames:
        text += len(frame)
        if text > TRACEBACK_LIMIT:
            break
        kept.append(frame)
    try:
        message = str(error)
    except Exception:  # noqa: BLE001 - a str() that raises is the student's
        message = "(the error's message could not be read)"
    return {"type": kind, "name": type_name(error), "message": message[:TRACEBACK_LIMIT],
            "traceback": kept}


def _stub(number):
    def call_back(*args, **kwargs):
        try:  # what cannot be sent is the caller's error, here: the grader waits for the call's reply, not this
            text = dumps({"kind": "callback", "id": number, "args": list(args), "kwargs": kwargs}, function=_ref)
        except WireError as error:
            raise TypeError(f"the test's function cannot be given this value: {str(error)[:200]}") from None
        answer = loads(builtins.input(MARK + text))
        if "error" in answer:
            kind, message = answer["error"]
            error = getattr(builtins, kind, None)
            raise (error if isinstance(error, type) and issubclass(error, Exception) else RuntimeError)(message)
        return answer["value"]
    return call_back


def serve():
    """Answer the grader's requests until it says end: a run of consecutive test cells' worth."""
    reply = {"kind": "ready"}
    # input() flushes sys.stdout and sys.stderr first, which waits for the kernel's output thread
    # twice per request: while serving, nothing else writes to them (a call has its own, _Output).
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = _Output()
    try:
        while True:
            text = _ask(reply)
            try:
                request = loads(text, function=_stub, ref=_objects.get)
                operation = request["op"]
            except Exception as error:  # noqa: BLE001 - the grader's request: reported back
                reply = {"kind": "reply", "error": _error(error)}
                continue
            if operation == "end":
                return
            reply = (describe(request) if operation == "describe" else
                     call_each(request) if operation == "call_each" else call(request))
    finally:
        sys.stdout, sys.stderr = saved
        # The grader's interrupts are for student code, and none runs after this. One that comes
        # late (a loaded machine delays the kernel's control thread) would land in ipykernel after
        # the request's code has run, and ipykernel then sends the request no reply: the grader
        # would take the kernel for hung. ipykernel restores its own handler before the next request.
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def describe(request):
    """The values of the names the notebook defines (functions as ids the grader calls through)."""
    from IPython import get_ipython

    space = get_ipython().user_ns
    return {"kind": "reply", "names": {name: space[name] for name in request["names"] if name in space}}


def call(message):
    """Call a student function with the grader's arguments; report the result and the arguments after."""
    return _call(_objects[message["id"]], message["args"], message["kwargs"])


class _TimeLimit(BaseException):
    """A call of a batch (call_each) ran over its time limit."""


def _time_limit(signum, frame):
    raise _TimeLimit()


def call_each(message):
    """One student function called with each of the grader's argument lists, in order: a list of
    call()'s replies. The batch stops after a call that raises or runs over `limit` seconds (an
    alarm, as the grader's interrupt would stop it); the grader makes any later call itself."""
    function, limit = _objects[message["id"]], message["limit"]
    replies = []
    previous = signal.signal(signal.SIGALRM, _time_limit)
    try:
        for args, kwargs in message["calls"]:
            try:
                if limit is not None:
                    signal.setitimer(signal.ITIMER_REAL, limit)
                reply = _call(function, args, kwargs)
                signal.setitimer(signal.ITIMER_REAL, 0)
            except _TimeLimit:  # the alarm rang just after the call had returned
                reply = {"timed_out": True}
            replies.append(reply)
            if "error" in reply or "timed_out" in reply:
                break
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return {"kind": "reply", "calls": replies}


def _call(function, args, kwargs):
    out = _Output()
    reply = {"kind": "reply"}
    saved = sys.stdout, sys.stderr
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sys.stdout = sys.stderr = out
        try:
            reply["result"] = function(*args, **kwargs)
        except _TimeLimit:
            return {"timed_out": True}
        except BaseException as error:  # noqa: BLE001 - everything the student's code raises is reported
            reply["error"] = _error(error)
        finally:
            sys.stdout, sys.stderr = saved
    reply["args"] = args
    reply["kwargs"] = kwargs
    reply["output"] = out.text()
    reply["warnings"] = [[type_name(w.message) if isinstance(w.message, Warning) else "UserWarning",
                          str(w.message)[:2000]] for w in caught[:20]]
    return reply
