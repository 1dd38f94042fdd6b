"""Plain data between the student's kernel and the grader: JSON text with typed tags, nothing else.

Split grading (coursekit.grading.split.grader) calls student functions in the sandboxed kernel and gets
their results here. Whatever comes out of the sandbox is hostile: `decode` builds only None, bool,
int, float, complex, str, bytes, list, tuple, dict, set, NumPy arrays of bool/integer/float/complex
dtypes (the .npy format read with allow_pickle=False) and NumPy scalars of those dtypes, within
caps on size and nesting. It never unpickles, evaluates or looks up an attribute by a name the
data supplies. An object of any other type crosses as `Unsupported(type name)`: a lying `__eq__`,
`__float__` or `__array__` never reaches the grader.

Tags (each value is a JSON list whose first item is the tag):
  ["none"] ["bool", b] ["int", "digits"] ["float", "hex"] ["complex", "hex", "hex"] ["str", s]
  ["bytes", base64] ["list", [...]] ["tuple", [...]] ["set", [...]] ["frozenset", [...]]
  ["dict", [[key, value], ...]] ["ndarray", base64 of .npy] ["scalar", dtype, base64 of bytes]
  ["generator", bit generator name, state] ["unsupported", type name]
and ["function", n]: a callable held by the side that sent it (a test's lambda, called back from the
kernel; a function the student's code returned, called in the kernel), ["ref", n]: a student
function sent back to the kernel that holds it.

The kernel side (coursekit.grading.split.agent) runs this same file, so this module uses only the
standard library and NumPy, and nothing here trusts its input.
"""

import base64
import builtins
import io
import json
import math

import numpy as np

MAX_DEPTH = 40          # nesting of lists, tuples, dicts
MAX_NODES = 50_000      # values in one message (a 200 x 50 list of lists is 10 251)
MAX_TEXT = 4_000_000    # characters of all strings and bytes in one message
MAX_ARRAY_BYTES = 64 * 2**20
MAX_INT_DIGITS = 4000
# Keys of one dict or set that may share a hash. Python compares keys of equal hash one by one, so
# n such keys cost n*n comparisons: 100,000 integers that all hash alike (easy to make: hash(n) is
# n modulo 2**61 - 1) stalled the grader for minutes. Honest data almost never has two.
MAX_SAME_HASH = 8
NAME_LENGTH = 120       # type names, exception names
MARK = "\x1egrading:"   # starts every prompt of the kernel's agent (a student's own input() lacks it)
# The dtypes an array may have: booleans, integers, floats, complex numbers, native or either byte order.
NUMERIC_KINDS = "biufc"
BIT_GENERATORS = {"PCG64": np.random.PCG64, "PCG64DXSM": np.random.PCG64DXSM, "MT19937": np.random.MT19937,
                  "Philox": np.random.Philox, "SFC64": np.random.SFC64}


# The exception classes an error from student code crosses as, by name: the builtin ones and NumPy's
# two that students meet. The kernel's agent reports an error by the first of its classes found
# here; the grader raises that class again (Exception itself: a class of the student's own).
KNOWN_ERRORS = {name: value for name, value in vars(builtins).items()
                if isinstance(value, type) and issubclass(value, Exception)}
KNOWN_ERRORS["AxisError"] = np.exceptions.AxisError
KNOWN_ERRORS["LinAlgError"] = np.linalg.LinAlgError


class WireError(ValueError):
    """The data is malformed, too large or of a kind the wire does not carry."""


class Unsupported:
    """A value of a type the wire does not carry: only its type name crossed."""

    def __init__(self, type_name):
        self.type_name = type_name

    def __repr__(self):
        return f"<unsupported value of type {self.type_name}>"


def traceback_head(name):
    """The two lines a traceback of an error named `name` opens with, as IPython writes them; the
    grader's test-cell tracebacks and the kernel's student frames (agent.py) both start so."""
    return ["-" * 75, f"{name}{' ' * max(1, 42 - len(name))}Traceback (most recent call last)"]


def short_name(text):
    text = str(text) if isinstance(text, str) else "?"
    return "".join(ch for ch in text[:NAME_LENGTH] if ch.isprintable())


def type_name(value):
    """The type's name, read without calling anything the value defines."""
    kind = type(value)
    name = type.__dict__["__name__"].__get__(kind)  # a metaclass cannot override this
    module = type.__dict__["__module__"].__get__(kind)
    name = short_name(name)
    return name if module in ("builtins", "numpy") else f"{short_name(str(module))}.{name}"


# ---------------------------------------------------------------- encoding (either side)


def encode(value, *, function=None, ref=None, max_text=MAX_TEXT):
    """The tagged form of value. ref(obj) / function(f) give ids for objects the other side holds /
    for callables of this side, when given; without them such a value is Unsupported.

    WireError for a value over the caps `loads` applies: the other side would refuse it anyway,
    and finding out here costs nothing, where sending 100 MB first costs seconds of both sides' time.
    """
    return Encoder(function=function, ref=ref, max_text=max_text).encode(value)


class _Caps:
    """The caps of one message, counted as it is written (Encoder) or read (Decoder), the same way."""

    def __init__(self, *, function=None, ref=None, max_text=MAX_TEXT):
        self.function, self.ref = function, ref
        self.nodes = 0
        self.text_left = max_text

    def _count_value(self, depth):
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise WireError("too many values")
        if depth > MAX_DEPTH:
            raise WireError("nested too deeply")

    def _count_text(self, length):
        self.text_left -= length
        if self.text_left < 0:
            raise WireError("too much text")


class Encoder(_Caps):
    """Builds tagged data within the caps Decoder applies."""

    def _counted(self, text):
        self._count_text(len(text))
        return text

    def _base64(self, raw):
        self._count_text((len(raw) + 2) // 3 * 4)
        return base64.b64encode(raw).decode("ascii")

    def encode(self, value, depth=0):
        self._count_value(depth)
        kind = type(value)
        if value is None:
            return ["none"]
        if kind is bool:
            return ["bool", value]
        if kind is int:
            if int.bit_length(value) > MAX_INT_DIGITS * 10 // 3 + 4:  # before int.__repr__, which refuses
                raise WireError("int too large")                     # more than 4300 digits
            text = int.__repr__(value)
            if len(text) > MAX_INT_DIGITS:
                raise WireError("int too large")
            return ["int", self._counted(text)]
        if kind is float:
            return ["float", self._counted(float.hex(value))]
        if kind is complex:
            return ["complex", self._counted(float.hex(value.real)), self._counted(float.hex(value.imag))]
        if kind is str:
            return ["str", self._counted(str.__str__(value))]
        if kind is bytes:
            return ["bytes", self._base64(value)]
        if kind in (list, tuple, set, frozenset):
            items = list.__iter__(value) if kind is list else iter(tuple(value)) if kind is tuple else iter(value)
            return [kind.__name__, [self.encode(item, depth + 1) for item in items]]
        if kind is dict:
            return ["dict", [[self.encode(k, depth + 1), self.encode(v, depth + 1)] for k, v in dict.items(value)]]
        if kind is np.ndarray:
            if value.dtype.kind not in NUMERIC_KINDS or value.dtype.fields is not None:
                return ["unsupported", f"ndarray of dtype {short_name(str(value.dtype))}"]
            if value.nbytes > MAX_ARRAY_BYTES or value.nbytes * 4 // 3 > self.text_left:
                raise WireError("array too large")
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(value) if value.ndim else value, allow_pickle=False)
            return ["ndarray", self._base64(buffer.getvalue())]
        if isinstance(value, np.generic) and kind.__module__ == "numpy" and value.dtype.kind in NUMERIC_KINDS:
            return ["scalar", self._counted(value.dtype.str), self._base64(value.tobytes())]
        if kind is np.random.Generator:
            state = value.bit_generator.state
            return ["generator", state["bit_generator"], self.encode(state, depth + 1)]
        if self.ref is not None:
            number = self.ref(value)
            if number is not None:
                return ["ref", number]
        if self.function is not None and callable(value) and not isinstance(value, type):
            return ["function", self.function(value)]
        return ["unsupported", type_name(value)]


def dumps(value, **hooks):
    return json.dumps(encode(value, **hooks), separators=(",", ":"), allow_nan=False)


# ---------------------------------------------------------------- decoding (hostile input)


def _refuse_constant(name):
    raise WireError(f"bare {name} is not allowed")


def loads(text, *, function=None, ref=None, max_text=MAX_TEXT):
    """Decode the JSON text of one tagged value; WireError for anything malformed or too large."""
    if not isinstance(text, str) or len(text) > max_text * 2 + 1000:
        raise WireError("message too large")
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as error:
        raise WireError(f"not JSON: {short_name(str(error))}") from None
    return Decoder(function=function, ref=ref, max_text=max_text).decode(data)


class Decoder(_Caps):
    """Builds plain values from tagged data within the caps."""

    def _text(self, text):
        if type(text) is not str:
            raise WireError("expected a string")
        self._count_text(len(text))
        return text

    def decode(self, data, depth=0):
        self._count_value(depth)
        if type(data) is not list or not data or type(data[0]) is not str:
            raise WireError("malformed value")
        tag, args = data[0], data[1:]
        try:
            return self._decode(tag, args, depth)
        except WireError:
            raise
        except (ValueError, TypeError, KeyError, IndexError, OverflowError, MemoryError) as error:
            raise WireError(f"malformed {short_name(tag)}: {short_name(str(error))}") from None

    def _decode(self, tag, args, depth):
        if tag == "none":
            return None
        if tag == "bool":
            if type(args[0]) is not bool:
                raise WireError("malformed bool")
            return args[0]
        if tag == "int":
            digits = self._text(args[0])
            if len(digits) > MAX_INT_DIGITS or not digits.lstrip("-").isdigit():
                raise WireError("malformed int")
            return int(digits)
        if tag == "float":
            return _float(self._text(args[0]))
        if tag == "complex":
            return complex(_float(self._text(args[0])), _float(self._text(args[1])))
        if tag == "str":
            return self._text(args[0])
        if tag == "bytes":
            return base64.b64decode(self._text(args[0]), validate=True)
        if tag in ("list", "tuple", "set", "frozenset"):
            if type(args[0]) is not list:
                raise WireError(f"malformed {tag}")
            if tag in ("set", "frozenset"):
                alike = _HashCounts()
                return {"set": set, "frozenset": frozenset}[tag](
                    alike.add(self.decode(item, depth + 1)) for item in args[0])
            items = [self.decode(item, depth + 1) for item in args[0]]
            return tuple(items) if tag == "tuple" else items
        if tag == "dict":
            if type(args[0]) is not list:
                raise WireError("malformed dict")
            result, alike = {}, _HashCounts()
            for pair in args[0]:
                if type(pair) is not list or len(pair) != 2:
                    raise WireError("malformed dict")
                key = self.decode(pair[0], depth + 1)
                if type(key) not in (str, int, float, bool, complex, tuple, frozenset, bytes) and key is not None:
                    raise WireError("unhashable dict key")
                result[alike.add(key)] = self.decode(pair[1], depth + 1)
            return result
        if tag == "ndarray":
            return self._array(self._text(args[0]))
        if tag == "scalar":
            dtype = _numeric_dtype(self._text(args[0]))
            raw = base64.b64decode(self._text(args[1]), validate=True)
            if len(raw) != dtype.itemsize:
                raise WireError("malformed scalar")
            return np.frombuffer(raw, dtype=dtype)[0].copy()
        if tag == "generator":
            name = self._text(args[0])
            if name not in BIT_GENERATORS:
                raise WireError(f"unknown bit generator {short_name(name)}")
            bit_generator = BIT_GENERATORS[name]()
            bit_generator.state = self.decode(args[1], depth + 1)  # NumPy validates the state
            return np.random.Generator(bit_generator)
        if tag == "unsupported":
            return Unsupported(short_name(self._text(args[0])))
        if tag == "function" and self.function is not None:
            return self.function(_small_int(args[0]))
        if tag == "ref" and self.ref is not None:
            return self.ref(_small_int(args[0]))
        raise WireError(f"unknown tag {short_name(tag)}")

    def _array(self, text):
        if len(text) > MAX_ARRAY_BYTES * 4 // 3 + 1000:
            raise WireError("array too large")
        raw = io.BytesIO(base64.b64decode(text, validate=True))
        version = np.lib.format.read_magic(raw)
        shape, fortran, dtype = (np.lib.format.read_array_header_1_0(raw) if version == (1, 0)
                                 else np.lib.format.read_array_header_2_0(raw))  # literal_eval of the header
        if dtype.kind not in NUMERIC_KINDS or dtype.fields is not None or dtype.subdtype is not None:
            raise WireError(f"arrays of dtype {short_name(str(dtype))} are not carried")
        count = math.prod(shape)
        if count * dtype.itemsize > MAX_ARRAY_BYTES:
            raise WireError("array too large")
        data = raw.read(count * dtype.itemsize)
        if len(data) != count * dtype.itemsize:
            raise WireError("array data truncated")
        array = np.frombuffer(data, dtype=dtype, count=count)
        return array.reshape(shape[::-1]).T.copy() if fortran else array.reshape(shape).copy()


class _HashCounts:
    """Refuses the keys of one dict or set once more than MAX_SAME_HASH of them hash alike, before
    they go in: each key is hashed once more here, and the hashes are counted by their own value
    (an int below 2**61 hashes to itself, so distinct hashes never collide in `counts`). A tuple
    holding an unhashable item raises TypeError, which decode reports as malformed."""

    def __init__(self):
        self.counts = {}

    def add(self, key):
        code = hash(key)
        self.counts[code] = self.counts.get(code, 0) + 1
        if self.counts[code] > MAX_SAME_HASH:
            raise WireError("too many keys that hash alike")
        return key


def _float(text):
    if not isinstance(text, str) or len(text) > 40:
        raise WireError("malformed float")
    return float.fromhex(text) if "x" in text else float(text)  # "inf", "-inf", "nan" as float.hex writes them


def _numeric_dtype(text):
    if len(text) > 8:
        raise WireError("malformed dtype")
    dtype = np.dtype(text) if text[:1] in "<>|=" and text[1:2] in NUMERIC_KINDS and text[2:].isdigit() else None
    if dtype is None or dtype.kind not in NUMERIC_KINDS:
        raise WireError(f"malformed dtype {short_name(text)}")
    return dtype


def _small_int(value):
    if type(value) is not int or not 0 <= value < 10**9:
        raise WireError("malformed id")
    return value


def contains_unsupported(value, depth=0):
    """The type name of the first Unsupported inside a decoded value, or None."""
    if isinstance(value, Unsupported):
        return value.type_name
    if depth < MAX_DEPTH and type(value) in (list, tuple, set, frozenset):
        return next((found for item in value if (found := contains_unsupported(item, depth + 1))), None)
    if depth < MAX_DEPTH and type(value) is dict:
        return next((found for item in value.values() if (found := contains_unsupported(item, depth + 1))), None)
    return None
