"""Split grading's parts: the wire (plain data only) and the grader's calls into a real kernel.

The end-to-end behaviour (test cells outside the kernel, tampering that earns nothing) is shown by
the grading corpus (tests/corpus/test_corpus.py) and the attack table (tests/batch/test_adversarial.py); these
tests pin the contracts those rely on, against a plain local ipykernel started here.
"""

import contextlib
import re
import time

import numpy as np
import pytest
from jupyter_client.manager import KernelManager

from coursekit.grading.split import grader
from coursekit.grading.split.channel import INTERRUPT_GRACE, CallTimedOut, KernelChannel
from coursekit.grading.split.student import Student, StudentError, StudentFunction
from coursekit.spec import ASSIGNMENT
from devtools.scratch import REPO

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
    assert text.count("in down(n)") == 3
    assert re.search(r"\[\.\.\. skipping similar frames: down at line 2 \(\d{3} times\)\]", text)


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


def test_a_run_of_test_cells_is_served_by_one_request(running_kernel):
    client, student = running_kernel
    student.end()
    define(running_kernel, "def double(x):\n    return 2 * x")
    split_grader = grader.SplitGrader(student, str(REPO / "source" / ASSIGNMENT / "checks.py"), answers={"double"})
    split_grader.ran_in_kernel("def double(x):\n    return 2 * x")
    assert split_grader.run_test("assert double(2) == 4", 1, 5, keep_serving=True) == []
    request = student.channel.running
    failed = split_grader.run_test("assert double(3) == 7, 'not 7'", 1, 5, keep_serving=True)
    assert [out["ename"] for out in failed] == ["AssertionError"]
    assert student.channel.running == request  # still the first cell's request
    assert split_grader.run_test("assert double(5) == 10", 1, 5) == []
    assert student.channel.running is None
    define(running_kernel, "x = 1")  # the kernel runs cells again


def test_the_grader_s_own_garbage_is_not_the_cell_s_output(running_kernel):
    """Collecting an unclosed object of the grading process while a test cell runs (it happened to
    an event loop of an earlier notebook on a Dask worker) prints nothing into that cell."""
    client, student = running_kernel
    student.end()
    split_grader = grader.SplitGrader(student, str(REPO / "source" / ASSIGNMENT / "checks.py"), answers=frozenset())
    cycle = {"file": open(__file__)}  # noqa: SIM115 - left unclosed on purpose
    cycle["self"] = cycle
    del cycle
    cell = "import gc, warnings\ngc.collect()\nwarnings.warn('from the test', UserWarning)"
    outputs = split_grader.run_test(cell, 1, 5)
    assert [out.get("text") for out in outputs] == ["UserWarning: from the test\n"]
