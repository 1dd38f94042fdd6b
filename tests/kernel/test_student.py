"""Split grading's parts: the wire (plain data only) and the grader's calls into a real kernel.

The end-to-end behaviour (test cells outside the kernel, tampering that earns nothing) is shown by
the grading corpus (tests/test_grading.py) and the attack table (tests/test_adversarial.py); these
tests pin the contracts those rely on, against a plain local ipykernel started here.
"""

import contextlib
import json
import math
import re
import time

import numpy as np
import pytest
from jupyter_client.manager import KernelManager
from jupyter_client.session import Session

from coursekit.grading import split, wire
from coursekit.grading.channel import INTERRUPT_GRACE, CallTimedOut, KernelChannel, decode
from coursekit.grading.student import Student, StudentError, StudentFunction
from coursekit.spec import ASSIGNMENT
from devtools.scratch import REPO

# ---------------------------------------------------------------- the wire


PLAIN = [None, True, False, 0, -7, 2**100, 1.5, -0.0, float("inf"), 3 + 4j, "", "héllo\n", b"\x00\xff",
         [1, [2.5, "x"]], (1, (2,)), {"a": 1, 2: [3], (1, 2): None}, {1, 2}, frozenset({"x"}),
         np.float64(2.5), np.float32(1.25), np.int64(-3), np.uint8(200), np.bool_(True), np.complex128(1 - 2j)]


@pytest.mark.parametrize("value", PLAIN, ids=lambda v: type(v).__name__)
def test_plain_values_cross_with_their_exact_type(value):
    back = wire.loads(wire.dumps(value))
    assert type(back) is type(value)
    assert back == value


def test_nan_crosses_as_nan():
    assert math.isnan(wire.loads(wire.dumps(float("nan"))))


@pytest.mark.parametrize("array", [np.arange(6.0).reshape(2, 3), np.asfortranarray(np.arange(6).reshape(2, 3)),
                                   np.array([True, False]), np.zeros((0, 3)), np.array(2.5), np.arange(4, dtype=">i4"),
                                   np.array([1 + 2j]), np.arange(10)[::3]], ids=str)
def test_numeric_arrays_cross_as_writable_equal_arrays(array):
    back = wire.loads(wire.dumps(array))
    assert type(back) is np.ndarray and back.dtype == array.dtype and back.shape == array.shape
    assert np.array_equal(back, array) and back.flags.writeable


def test_a_generator_crosses_as_its_state():
    rng = np.random.default_rng(7)
    rng.normal()
    back = wire.loads(wire.dumps(rng))
    assert type(back) is np.random.Generator and back.integers(1000) == rng.integers(1000)


class Yes:
    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


class LyingFloat(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


class WithArray:
    def __array__(self, dtype=None, copy=None):
        return np.ones(3)


@pytest.mark.parametrize("value, name", [
    (Yes(), "test_split.Yes"), (LyingFloat(1.0), "test_split.LyingFloat"), (WithArray(), "test_split.WithArray"),
    (np.array(["a"]), "ndarray of dtype <U1"), (np.array([None], dtype=object), "ndarray of dtype object"),
    (np.zeros(2).view(np.recarray), "numpy.rec.recarray"), (type("T", (tuple,), {})((1,)), "test_split.T"),
    (lambda: 1, "function")], ids=lambda v: type(v).__name__)
def test_anything_else_crosses_as_unsupported_with_its_type_name(value, name):
    back = wire.loads(wire.dumps(value))
    assert isinstance(back, wire.Unsupported) and back.type_name == name
    assert wire.contains_unsupported([1, {"k": (back,)}]) == name


def npy(array, allow_pickle=False):
    import base64
    import io

    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=allow_pickle)
    return base64.b64encode(buffer.getvalue()).decode()


@pytest.mark.parametrize("text", [
    "NaN", "[]", '["no such tag"]', '["int", "1e5"]', '["int", 5]', '["float", "1.0; import os"]',
    '["scalar", "|O8", "AAAAAAAAAAA="]', '["scalar", "<f8", "AAAA"]', '["bool", 1]',
    '["dict", [[["list", []], ["none"]]]]', '["generator", "Evil", ["none"]]',
    '["generator", "PCG64", ["dict", []]]', '["ref", 1]', '["function", 1]',
    "[" * 100_000 + "]" * 100_000, '["list", [' + ",".join(['["none"]'] * (wire.MAX_NODES + 1)) + "]]",
    '["str", "' + "x" * (wire.MAX_TEXT + 1) + '"]',
    f'["ndarray", "{npy(np.array([object()], dtype=object), allow_pickle=True)}"]',
    f'["ndarray", "{npy(np.zeros(2, dtype=[("a", "<f8")]))}"]', '["ndarray", "AAAA"]',
], ids=lambda t: t[:30])
def test_malformed_or_oversized_data_is_refused(text):
    with pytest.raises(wire.WireError):
        wire.loads(text)


@pytest.mark.parametrize("tag", ["set", "frozenset", "dict"])
def test_keys_that_all_hash_alike_are_refused_in_linear_time(tag):
    """Integers n + k(2**61 - 1) all hash alike: a set or dict of 150 000 of them took minutes."""
    keys = [["int", str(1 + k * (2**61 - 1))] for k in range(90_000 if tag == "dict" else 150_000)]
    items = [[key, ["none"]] for key in keys] if tag == "dict" else keys  # (within the wire's 200 000 values)
    started = time.perf_counter()
    with pytest.raises(wire.WireError, match="hash alike"):
        wire.loads(json.dumps([tag, items]))
    assert time.perf_counter() - started < 5


def test_a_few_keys_that_hash_alike_still_cross():
    value = {-1: "a", -2: "b", 2**61 - 1: "c", 0: "d"}  # hash(-1) == hash(-2); 2**61 - 1 hashes to 0
    assert wire.loads(wire.dumps(value)) == value and wire.loads(wire.dumps(set(value))) == set(value)


def test_nesting_is_capped_when_encoding_too():
    deep = []
    for _ in range(wire.MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(wire.WireError):
        wire.dumps(deep)


@pytest.mark.parametrize("value", [
    "x" * (wire.MAX_TEXT + 1), b"x" * (wire.MAX_TEXT // 4 * 3 + 3), np.ones(wire.MAX_TEXT // 8 * 3 // 4 + 1),
    np.ones(wire.MAX_ARRAY_BYTES // 8 + 1), ["x" * 1000] * (wire.MAX_TEXT // 1000 + 1), [None] * wire.MAX_NODES,
    10 ** (wire.MAX_INT_DIGITS + 10),
], ids=["str", "bytes", "array-text", "array-bytes", "many-strings", "many-values", "int"])
def test_what_loads_would_refuse_is_refused_by_the_sender_too(value, monkeypatch):
    # Sending first and refusing on arrival cost seconds for 100 MB (a student's transpose()
    # returning np.ones(13_000_000) timed out under load): the sender refuses before it writes.
    written = []
    monkeypatch.setattr(np.lib.format, "write_array", lambda *a, **k: written.append(a))
    with pytest.raises(wire.WireError):
        wire.dumps(value)
    assert not written


@pytest.mark.parametrize("value", [
    "x" * wire.MAX_TEXT, b"x" * (wire.MAX_TEXT // 4 * 3), ["x" * 1000] * (wire.MAX_TEXT // 1000),
    [None] * (wire.MAX_NODES - 1), 10 ** (wire.MAX_INT_DIGITS - 1),
], ids=["str", "bytes", "many-strings", "many-values", "int"])
def test_what_the_sender_accepts_at_the_caps_loads_accepts(value):
    assert wire.loads(wire.dumps(value)) == value


def test_an_array_at_the_text_cap_crosses_and_one_more_item_does_not():
    header = 128  # the .npy header of a 1-d float64 array
    fits = np.ones((wire.MAX_TEXT // 4 * 3 - header) // 8)
    assert np.array_equal(wire.loads(wire.dumps(fits)), fits)
    with pytest.raises(wire.WireError):
        wire.dumps(np.ones(fits.size + 1))


# ---------------------------------------------------------------- names and definitions


def test_free_names_are_the_names_a_cell_reads_but_does_not_bind():
    source = "a = 1\nimport math\ndef check(x):\n    return scale(x, a) + helper\nexpect(check(b), math.pi)\n"
    assert split.free_names(source) == {"scale", "helper", "expect", "b"}


def test_notebook_definitions_read_functions_and_aliases_from_code():
    cells = ["import numpy as np\nfrom numpy import dot as d\nimport operator", "mm = np.matmul\n\ndef f(a):\n    return a"]
    found = split.notebook_definitions(cells)
    assert found["np"] == ("alias", "numpy") and found["d"] == ("alias", "numpy.dot")
    assert found["mm"] == ("alias", "numpy.matmul") and found["operator"] == ("alias", "operator")
    assert found["f"] == ("function", "def f(a):\n    return a")


# ---------------------------------------------------------------- calls into a real kernel


@contextlib.contextmanager
def started_kernel():
    """(client, student) for a fresh plain ipykernel, shut down afterwards."""
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel()
    client = manager.blocking_client()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    channel = KernelChannel(manager.get_connection_info(session=False), manager.is_alive)
    student = Student(channel, unsupported=LookupError)
    try:
        yield client, student
    finally:
        channel.close()
        client.stop_channels()
        manager.shutdown_kernel(now=True)


@pytest.fixture(scope="module")
def running_kernel():
    with started_kernel() as kernel:
        yield kernel


def define(kernel, code):
    client, student = kernel
    reply = client.execute_interactive(code, timeout=30)
    assert reply["content"]["status"] == "ok", reply["content"]


@pytest.fixture
def kernel(running_kernel):
    """(client, student); each test's requests are served as one test cell's."""
    yield running_kernel
    running_kernel[1].end()


def fetch(kernel, *names):
    """Define nothing more from here on: the kernel serves the grader until the test ends."""
    student = kernel[1]
    if student.channel.running is None:
        student.begin()
    found = student.describe(list(names))
    return [found.get(name) for name in names]


def test_values_and_functions_are_fetched_by_name(kernel):
    define(kernel, "import numpy as np\nanswers = {'x**2': '2*x'}\ndef scale(a, s):\n    return s * np.asarray(a)")
    answers, scale, missing = fetch(kernel, "answers", "scale", "missing")
    assert answers == {"x**2": "2*x"} and missing is None
    assert isinstance(scale, StudentFunction) and scale.__name__ == "scale"
    result = scale(np.array([[1.0, 2.0]]), 3)
    assert type(result) is np.ndarray and result.tolist() == [[3.0, 6.0]]


def test_an_argument_changed_in_place_is_changed_here_too(kernel):
    define(kernel, "def sneaky(a, items, rng):\n    a -= 1\n    items.append(9)\n    rng.normal()\n    return None")
    sneaky, = fetch(kernel, "sneaky")
    a, items, rng, twin = np.arange(3.0), [1], np.random.default_rng(3), np.random.default_rng(3)
    assert sneaky(a, items, rng) is None
    twin.normal()
    assert a.tolist() == [-1.0, 0.0, 1.0] and items == [1, 9] and rng.integers(100) == twin.integers(100)


def test_planned_calls_are_made_in_one_request_and_replayed_as_single_calls(kernel):
    define(kernel, "made = []\ndef shift(a, k):\n    made.append(k)\n    print('shift', k)\n    a += k\n"
                   "    if k == 3:\n        raise ValueError('three')\n    return a.sum()")
    shift, = fetch(kernel, "shift")
    student = kernel[1]
    arrays = [np.zeros(2) for _ in range(4)]
    printed = []
    student.output = printed.append
    stand_ins = shift.planned_calls([(arrays[k], k) for k in range(4)])
    # Made in the kernel, up to the call that raised; nothing of them here yet.
    assert student.describe(["made"])["made"] == [0, 1, 2, 3]
    assert [a.tolist() for a in arrays] == [[0.0, 0.0]] * 4 and printed == []
    assert stand_ins[0](arrays[0], 0) == 0.0 and stand_ins[1](arrays[1], 1) == 2.0
    assert [a.tolist() for a in arrays[:3]] == [[0.0, 0.0], [1.0, 1.0], [0.0, 0.0]]  # written back call by call
    assert printed == ["shift 0\n", "shift 1\n"]
    assert stand_ins[2](arrays[2], 2) == 4.0
    with pytest.raises(ValueError, match="three"):
        stand_ins[3](arrays[3], 3)
    assert arrays[3].tolist() == [3.0, 3.0]
    student.output = None


def test_a_planned_call_over_the_time_limit_stops_the_batch_and_the_kernel_serves_on(kernel):
    define(kernel, "import time\nnaps = []\ndef nap(seconds):\n    naps.append(seconds)\n    time.sleep(seconds)\n"
                   "    return seconds")
    nap, = fetch(kernel, "nap")
    student = kernel[1]
    student.call_limit = 1.0
    # The grader allows the batch 3 x 1 s; the second call's 30 s would outlast it: the kernel's
    # own per-call alarm must stop that call, or planned_calls itself would time out.
    first, second, third = nap.planned_calls([(0.1,), (30,), (0.2,)])
    assert student.describe(["naps"])["naps"] == [0.1, 30]
    assert first(0.1) == 0.1
    with pytest.raises(CallTimedOut):
        second(30)
    assert third(0.2) == 0.2  # made now, on its own
    assert student.describe(["naps"])["naps"] == [0.1, 30, 0.2]
    student.call_limit = float("inf")


def test_test_functions_stay_here_and_are_called_back(kernel):
    define(kernel, "def derivative(f, x, h=1e-5):\n    return (f(x + h) - f(x - h)) / (2 * h)\n"
                   "def chain(f, g):\n    return lambda x: f(g(x))")
    derivative, chain = fetch(kernel, "derivative", "chain")
    seen = []

    def cube(t):
        seen.append(t)
        return t ** 3

    assert derivative(cube, 2.0) == pytest.approx(12.0) and len(seen) == 2
    composed = chain(lambda t: t + 1, lambda t: 2 * t)  # a function the student returns, called later
    assert isinstance(composed, StudentFunction) and composed(3.0) == 7.0


def test_a_call_back_runs_the_test_s_function_with_plain_positional_data_only(kernel):
    """np.exp(x, where=False) hands back memory np.exp never wrote: keyword arguments never cross, a
    ufunc takes its inputs only (no `out` array), and only numbers and arrays go in."""
    define(kernel, "import numpy as np\n"
                   "def abuse(f, how):\n"
                   "    try:\n"
                   "        if how == 'where':\n            return f(np.zeros(4), where=False)\n"
                   "        if how == 'out':\n            return f(np.zeros(4), np.zeros(4))\n"
                   "        if how == 'function':\n            return f(abuse)\n"
                   "        if how == 'few':\n            return f()\n"
                   "        return f(np.zeros(2))\n"
                   "    except TypeError as error:\n        return 'refused: ' + str(error)")
    abuse, = fetch(kernel, "abuse")
    for how in ("where", "out", "function", "few"):
        assert abuse(np.exp, how).startswith("refused: "), how
    assert "keyword" in abuse(np.exp, "where") and "1 arguments, not 2" in abuse(np.exp, "out")
    assert "numbers and NumPy arrays" in abuse(lambda t: t, "function")
    assert abuse(np.exp, "plain").tolist() == [1.0, 1.0]
    assert abuse(lambda t, h=1.0: t + h, "plain").tolist() == [1.0, 1.0]


@pytest.mark.parametrize("function, takes", [(np.exp, (1, 1)), (np.add, (2, 2)), (lambda t: t, (1, 1)),
                                             (lambda t, h=1e-5: t, (1, 2)), (lambda *a: a, (0, 16)),
                                             (math.exp, (1, 1)), (max, None)],
                         ids=["ufunc", "binary ufunc", "lambda", "default", "varargs", "builtin", "no signature"])
def test_the_arity_of_a_test_s_function_is_read_without_calling_it(function, takes):
    from coursekit.grading.student import arity

    assert arity(function) == takes


def test_every_text_of_an_error_is_cut_before_anything_reads_it():
    from coursekit.grading.student import MAX_FRAMES, MESSAGE_LIMIT, student_error

    error = student_error({"type": "TypeError", "name": "TypeError", "message": "Cannot interpret " * 40_000,
                           "traceback": ["x" * 100_000] * 1000})
    assert isinstance(error, TypeError) and len(str(error)) < MESSAGE_LIMIT + 100
    assert len(error.__student_frames__) == MAX_FRAMES and max(map(len, error.__student_frames__)) < 4100


def test_errors_come_back_as_builtin_classes_or_student_error(kernel):
    define(kernel, "class Mine(ValueError):\n    pass\n"
                   "class KeyboardInterrupt(BaseException):\n    pass\n"
                   "Fake = type('ValueError', (Exception,), {})\n"
                   "def raises(kind):\n"
                   "    if kind == 'value':\n        raise ValueError('bad shape')\n"
                   "    if kind == 'mine':\n        raise Mine('own class')\n"
                   "    if kind == 'fake':\n        raise Fake('pretends')\n"
                   "    if kind == 'stop':\n        raise KeyboardInterrupt()\n"
                   "    raise NotImplementedError()\n")
    raises, = fetch(kernel, "raises")
    with pytest.raises(ValueError, match="bad shape") as caught:
        raises("value")
    assert "bad shape" in caught.value.__student_traceback__ and "raises" in caught.value.__student_traceback__
    with pytest.raises(ValueError, match="own class") as caught:
        raises("mine")
    assert caught.value.__student_type__ == "__main__.Mine"
    with pytest.raises(StudentError):
        raises("fake")
    with pytest.raises(StudentError):
        raises("stop")
    with pytest.raises(NotImplementedError):
        raises("stub")


def test_a_student_traceback_names_cells_and_shows_the_lines_around(kernel):
    define(kernel, "def down(n):\n    return down(n + 1)\n\n"
                   "def outer(x):\n    def inner(y):\n        return 1 / y\n    return inner(x)\n")
    down, outer = fetch(kernel, "down", "outer")
    with pytest.raises(ZeroDivisionError) as caught:
        outer(0)
    frames = caught.value.__student_frames__
    assert re.fullmatch(r"Cell In\[\d+\], line 7, in outer\(x\)\n      5 def inner\(y\):\n      6     return 1 / y\n"
                        r"----> 7 return inner\(x\)\n", frames[2])
    assert re.fullmatch(r"Cell In\[\d+\], line 6, in outer\.<locals>\.inner\(y\)\n      5 def inner\(y\):\n"
                        r"----> 6     return 1 / y\n", frames[3])
    assert frames[-1] == "ZeroDivisionError: division by zero"
    with pytest.raises(RecursionError) as caught:  # a thousand frames: the first two, a count, the last
        down(0)
    text = caught.value.__student_traceback__
    assert text.count("in down(n)") == 3 and re.search(r"\[\.\.\. skipping similar frames: down at line 2 \(\d{3} times\)\]", text)


def test_printed_output_is_kept_bounded_and_warnings_are_raised_here(kernel):
    define(kernel, "import warnings\ndef noisy():\n    print('hello' * 10_000)\n"
                   "    warnings.warn('overflow', RuntimeWarning)\n    return 1")
    noisy, = fetch(kernel, "noisy")
    student = kernel[1]
    printed = []
    student.output = printed.append
    try:
        with pytest.warns(RuntimeWarning, match="overflow"):
            assert noisy() == 1
    finally:
        student.output = None
    assert printed[0].startswith("hellohello") and "more characters not shown" in printed[0]
    assert len(printed[0]) < 25_000


def test_an_unsupported_result_is_a_failure_naming_its_type(kernel):
    define(kernel, "class Yes:\n    def __eq__(self, other):\n        return True\ndef liar():\n    return Yes()")
    liar, = fetch(kernel, "liar")
    with pytest.raises(LookupError, match="unsupported return type"):
        liar()


def test_a_result_over_the_caps_is_refused_in_the_kernel_not_sent(kernel):
    define(kernel, "import numpy as np\ndef huge():\n    return np.ones(13_000_000)\n"
                   "def long_text():\n    return 'x' * 50_000_000")
    huge, long_text = fetch(kernel, "huge", "long_text")
    # Sent whole, both would be refused here as "message too large" (the array after 3.3 s on an
    # idle machine); the reasons below are the kernel's own, given before anything was sent (0.2 s).
    for function, why in ((huge, "array too large"), (long_text, "too much text")):
        with pytest.raises(LookupError, match=rf"could not be read by the grader \({why}\)"):
            function()


def test_a_call_over_the_deadline_is_interrupted_and_the_kernel_lives_on(kernel):
    define(kernel, "def forever():\n    while True:\n        pass\n"
                   "def calls_back_forever(f):\n    while True:\n        f(1)\n"
                   "def fine():\n    return 'still here'")
    forever, calls_back_forever, fine = fetch(kernel, "forever", "calls_back_forever", "fine")
    student = kernel[1]
    for call in (forever, lambda: calls_back_forever(lambda x: x)):
        student.deadline = time.monotonic() + 1
        started = time.monotonic()
        with pytest.raises(CallTimedOut):
            call()
        assert time.monotonic() - started < 1 + INTERRUPT_GRACE
        student.deadline = float("inf")
    assert fine() == "still here"


# A machine so loaded that ipykernel takes 1.5 s to send a request's reply after its code has run
# (LATE_REPLIES), or its control thread takes a second to pass an interrupt on (LATE_INTERRUPTS).
LATE_REPLIES = """
import time
from IPython import get_ipython
_kernel = get_ipython().kernel
_execute = _kernel.do_execute
async def _late(*args, **kwargs):
    reply = await _execute(*args, **kwargs)
    time.sleep(1.5)
    return reply
_kernel.do_execute = _late
"""
LATE_INTERRUPTS = """
_signal = _kernel._send_interrupt_children
def _late_signal():
    time.sleep(1.0)
    _signal()
_kernel._send_interrupt_children = _late_signal
"""


@pytest.mark.parametrize("load, code", [
    # The grader, waiting for the serve loop's end, must not interrupt again.
    (LATE_REPLIES, "def stuck(f):\n    while True:\n        pass"),
    # The interrupt lands after the student's code has ended by itself (the grader failed its
    # call back): the agent must not let it cost the request's reply.
    (LATE_REPLIES + LATE_INTERRUPTS, "def stuck(f):\n    while True:\n        f(1)"),
], ids=["interrupted-again", "interrupted-late"])
def test_an_interrupt_never_costs_a_slow_kernel_its_reply(load, code):
    """An interrupt landing in ipykernel after a request's code has run loses the request's reply,
    and the notebook stops as if its kernel hung: this failed a CI run's attack batch under load."""
    with started_kernel() as kernel:
        define(kernel, load + code + "\ndef fine():\n    return 'still here'")
        stuck, fine = fetch(kernel, "stuck", "fine")
        student = kernel[1]
        student.deadline = time.monotonic() + 1
        with pytest.raises(CallTimedOut):
            stuck(lambda x: x)
        student.deadline = float("inf")
        assert fine() == "still here"
        student.end()


def test_the_time_limit_is_per_call_and_the_notebook_deadline_bounds_them_all(kernel):
    define(kernel, "import time\ndef nap(seconds):\n    time.sleep(seconds)\n    return seconds")
    (nap,) = fetch(kernel, "nap")
    student = kernel[1]
    student.call_limit = 1.0
    try:
        started = time.monotonic()
        assert [nap(0.25) for _ in range(6)] == [0.25] * 6  # 1.5 s in all, each call well within 1 s
        assert time.monotonic() - started > 1.0
        with pytest.raises(CallTimedOut):
            nap(5)
        student.call_limit, student.deadline = float("inf"), time.monotonic() + 1
        with pytest.raises(CallTimedOut):
            nap(5)
    finally:
        student.call_limit = student.deadline = float("inf")
    assert nap(0) == 0


def test_a_message_cut_short_by_an_interrupt_does_not_hide_the_next_one():
    """An interrupt that lands while the kernel sends leaves a partial message, and ZeroMQ appends
    the next one to it: the channel reads that next, whole message (else both sides wait forever)."""
    channel = KernelChannel.__new__(KernelChannel)
    channel.session = Session(key=b"k")

    def frames(prompt):
        return channel.session.serialize(channel.session.msg("input_request", {"prompt": prompt}), ident=[b"id"])

    cut_short = frames("first")[:4]
    channel.sockets = {"stdin": FakeSocket(cut_short + frames("second"))}
    message = channel._receive("stdin")
    assert message["msg_type"] == "input_request" and message["content"]["prompt"] == "second"
    channel.sockets = {"stdin": FakeSocket([b"id", b"<IDS|MSG>", b"bad signature", b"{}", b"{}", b"{}", b"{}"])}
    assert channel._receive("stdin") is None


class FakeSocket:
    def __init__(self, frames):
        self.frames = frames

    def recv_multipart(self, flags=0):
        return self.frames


def test_a_message_is_read_only_with_its_signature():
    session = Session(key=b"secret")
    request = session.msg("input_request", {"prompt": "p"}, parent=session.msg("execute_request", {}))
    signature, *parts = session.serialize(request)[1:]  # after the delimiter
    decoded = decode(session, [signature, *parts])
    assert (decoded["msg_type"], decoded["content"], decoded["parent_header"]["msg_id"]) == \
        ("input_request", {"prompt": "p"}, request["parent_header"]["msg_id"])
    assert decode(session, [b"0" * len(signature), *parts]) is None
    assert decode(Session(key=b"other"), [signature, *parts]) is None
    listed = session.pack([1, 2])  # a content that is not a JSON object
    assert decode(session, [session.sign([*parts[:3], listed]), *parts[:3], listed]) is None


def test_a_run_of_test_cells_is_served_by_one_request(running_kernel):
    client, student = running_kernel
    student.end()
    define(running_kernel, "def double(x):\n    return 2 * x")
    grader = split.SplitGrader(student, str(REPO / "source" / ASSIGNMENT / "checks.py"), answers={"double"})
    grader.ran_in_kernel("def double(x):\n    return 2 * x")
    assert grader.run_test("assert double(2) == 4", 1, 5, keep_serving=True) == []
    request = student.channel.running
    failed = grader.run_test("assert double(3) == 7, 'not 7'", 1, 5, keep_serving=True)
    assert [out["ename"] for out in failed] == ["AssertionError"]
    assert student.channel.running == request  # still the first cell's request
    assert grader.run_test("assert double(5) == 10", 1, 5) == []
    assert student.channel.running is None
    define(running_kernel, "x = 1")  # the kernel runs cells again


def test_the_grader_s_own_garbage_is_not_the_cell_s_output(running_kernel):
    """Collecting an unclosed object of the grading process while a test cell runs (it happened to
    an event loop of an earlier notebook on a Dask worker) prints nothing into that cell."""
    client, student = running_kernel
    student.end()
    grader = split.SplitGrader(student, str(REPO / "source" / ASSIGNMENT / "checks.py"), answers=frozenset())
    cycle = {"file": open(__file__)}  # noqa: SIM115 - left unclosed on purpose
    cycle["self"] = cycle
    del cycle
    outputs = grader.run_test("import gc, warnings\ngc.collect()\nwarnings.warn('from the test', UserWarning)", 1, 5)
    assert [out.get("text") for out in outputs] == ["UserWarning: from the test\n"]
