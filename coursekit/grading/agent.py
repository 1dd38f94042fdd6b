# The kernel side of split grading: run in the student's sandboxed kernel, after wire.py's source,
# as the module `_grading_agent` (coursekit.grading.split installs it before the first test cell).
# It only looks up names, calls the student's functions and reports what came back, as wire data,
# through the kernel's stdin channel (input()): the grader answers each request on that channel,
# including the calls a student function makes to a callable the test passed in.
#
# Nothing here is trusted: student code can replace any of it. The grader treats every reply as
# hostile data, so a tampered agent can at most make a function seem to return something else,
# which a function could do anyway.

import builtins
import sys
import traceback
import warnings

OUTPUT_LIMIT = 20_000     # characters of what the student's code prints during one call
TRACEBACK_LIMIT = 20_000  # characters of a traceback

_objects = {}  # id -> a student object the grader holds a proxy for
_known_errors = {}  # the exception classes the grader re-raises as themselves, by name
for _name, _value in vars(builtins).items():
    if isinstance(_value, type) and issubclass(_value, Exception):
        _known_errors[_value] = _name
_known_errors[np.exceptions.AxisError] = "AxisError"  # noqa: F821 - np comes with wire.py's source
_known_errors[np.linalg.LinAlgError] = "LinAlgError"  # noqa: F821


def _ask(message):
    """Send one message to the grader and return its answer (text). Functions in it stay here."""
    return builtins.input(dumps(message, function=_ref))  # noqa: F821 - dumps comes with wire.py's source


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


def _error(error):
    kind = next((_known_errors[cls] for cls in type(error).__mro__ if cls in _known_errors), "Exception")
    try:
        shell = get_ipython()  # noqa: F821 - defined in the kernel
        frames = shell.InteractiveTB.structured_traceback(type(error), error, error.__traceback__.tb_next)
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
    return {"type": kind, "name": type_name(error), "message": message[:TRACEBACK_LIMIT],  # noqa: F821
            "traceback": kept}


def _stub(number):
    def call_back(*args, **kwargs):
        answer = loads(_ask({"kind": "callback", "id": number, "args": list(args), "kwargs": kwargs}))  # noqa: F821
        if "error" in answer:
            kind, message = answer["error"]
            error = getattr(builtins, kind, None)
            raise (error if isinstance(error, type) and issubclass(error, Exception) else RuntimeError)(message)
        return answer["value"]
    return call_back


def describe(request):
    """The values of the names the notebook defines (functions as ids the grader calls through)."""
    names = loads(request)  # noqa: F821
    space = get_ipython().user_ns  # noqa: F821
    _ask({"kind": "reply", "names": {name: space[name] for name in names if name in space}})


def call(request):
    """Call a student function with the grader's arguments; report the result and the arguments after."""
    message = loads(request, function=_stub, ref=_objects.get)  # noqa: F821
    function, args, kwargs = _objects[message["id"]], message["args"], message["kwargs"]
    out = _Output()
    reply = {"kind": "reply"}
    saved = sys.stdout, sys.stderr
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sys.stdout = sys.stderr = out
        try:
            reply["result"] = function(*args, **kwargs)
        except BaseException as error:  # noqa: BLE001 - everything the student's code raises is reported
            reply["error"] = _error(error)
        finally:
            sys.stdout, sys.stderr = saved
    reply["args"] = args
    reply["kwargs"] = kwargs
    reply["output"] = out.text()
    reply["warnings"] = [[type_name(w.message) if isinstance(w.message, Warning) else "UserWarning",  # noqa: F821
                          str(w.message)[:2000]] for w in caught[:20]]
    _ask(reply)
