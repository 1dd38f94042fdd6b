"""The wire between the grader and a student's kernel: plain data only, within caps, in linear time;
and what the grader reads of the notebook's code (free names, definitions)."""

import json
import math
import time

import numpy as np
import pytest
from jupyter_client.session import Session

from coursekit.grading.split import grader, wire
from coursekit.grading.split.channel import KernelChannel, decode

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
    (Yes(), f"{__name__}.Yes"), (LyingFloat(1.0), f"{__name__}.LyingFloat"), (WithArray(), f"{__name__}.WithArray"),
    (np.array(["a"]), "ndarray of dtype <U1"), (np.array([None], dtype=object), "ndarray of dtype object"),
    (np.zeros(2).view(np.recarray), "numpy.rec.recarray"), (type("T", (tuple,), {})((1,)), f"{__name__}.T"),
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
    assert grader.free_names(source) == {"scale", "helper", "expect", "b"}


def test_notebook_definitions_read_functions_and_aliases_from_code():
    cells = ["import numpy as np\nfrom numpy import dot as d\nimport operator",
             "mm = np.matmul\n\ndef f(a):\n    return a"]
    found = grader.notebook_definitions(cells)
    assert found["np"] == ("alias", "numpy") and found["d"] == ("alias", "numpy.dot")
    assert found["mm"] == ("alias", "numpy.matmul") and found["operator"] == ("alias", "operator")
    assert found["f"] == ("function", "def f(a):\n    return a")


@pytest.mark.parametrize("function, takes", [(np.exp, (1, 1)), (np.add, (2, 2)), (lambda t: t, (1, 1)),
                                             (lambda t, h=1e-5: t, (1, 2)), (lambda *a: a, (0, 16)),
                                             (math.exp, (1, 1)), (max, None)],
                         ids=["ufunc", "binary ufunc", "lambda", "default", "varargs", "builtin", "no signature"])
def test_the_arity_of_a_test_s_function_is_read_without_calling_it(function, takes):
    from coursekit.grading.split.student import arity

    assert arity(function) == takes


def test_every_text_of_an_error_is_cut_before_anything_reads_it():
    from coursekit.grading.split.student import MAX_FRAMES, MESSAGE_LIMIT, student_error

    error = student_error({"type": "TypeError", "name": "TypeError", "message": "Cannot interpret " * 40_000,
                           "traceback": ["x" * 100_000] * 1000})
    assert isinstance(error, TypeError) and len(str(error)) < MESSAGE_LIMIT + 100
    assert len(error.__student_frames__) == MAX_FRAMES and max(map(len, error.__student_frames__)) < 4100


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


class FakeSocket:
    def __init__(self, frames):
        self.frames = frames

    def recv_multipart(self, flags=0):
        return self.frames
