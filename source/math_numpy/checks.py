"""Checks used by the test cells of the math_numpy notebooks.

Every test cell compares a student's answer with its own reference value through
these functions, so that all messages follow one pattern: what was called, what
was expected, what came back, and (where we recognise it) the likely slip.
Checks run in order: type, then shape, then dtype, then values.

Students: you may read this file, but you do not need to. When grading, the test cells run
outside your notebook's kernel with the instructor's copy of this file, so editing it changes nothing.

Rules these helpers keep, because of how nbgrader grades:
- They never warn (any output on stderr fails a test cell) and print only in passed(), the
  one short line at the end of every test cell, so that a cell that passes says so.
- They return None, so a test cell never ends with a NumPy scalar (nbgrader
  would try to read it as a partial score).
- They convert what a student returns into plain Python/NumPy values before
  comparing, so an object with a home-made ``__eq__`` cannot pass a check.
"""

import ast
import contextlib
import copy
import functools
import inspect
import math
import re
import textwrap
import traceback
import types

import numpy as np

# Floating-point tolerances, written down once.  Results computed by a
# different but correct order of operations differ by a few ulps (about 1e-15
# relative); 1e-7 leaves room for that and for float32 intermediates, yet is
# far below any real mistake in these exercises.
RTOL = 1e-7
ATOL = 1e-10

# Numerical differentiation: a central difference with h = 1e-5 is accurate to
# about 1e-10 relative for the smooth functions used in the tests, a forward
# difference only to about 1e-5.  A threshold of 1e-7 tells them apart (the
# relative error is the one cs231n uses for gradient checks).
GRADIENT_RTOL = 1e-7


# The one wording of the axis rule, as notebook 03 teaches it.
AXIS_RULE = ("axis=0 walks down the rows and leaves one result per column; axis=1 walks along each row "
             "and leaves one result per row.")


class CheckFailed(AssertionError):
    """A check did not pass; the message is written for the student."""

    def _render_traceback_(self):
        """What Jupyter shows for a failed check: the test cell's line and the message.

        IPython (9.18 too) prints the lines this returns instead of the whole traceback, which would
        quote this file's helpers, their docstrings included, around the one line that matters.
        """
        lines = [f"\x1b[31m{type(self).__name__}\x1b[39m: {self}"]
        where = _cell_line(self.__traceback__)
        return ([where] if where else []) + lines


def _cell_line(tb):
    """'Cell In[7], line 3' for the first frame of a traceback that is in a notebook cell, as IPython
    names it (None outside IPython)."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
        while shell is not None and tb is not None:
            name = shell.compile.format_code_name(tb.tb_frame.f_code.co_filename)
            if name:
                return f"{name[0]} {name[1]}, line {tb.tb_lineno}"
            tb = tb.tb_next
    except Exception:  # noqa: BLE001 - only a nicety: the message is shown either way
        pass
    return None


def fail(message):
    """Raise CheckFailed(message).  A failure raised while handling the student's error already says
    what that error was, so the traceback does not repeat it ("During handling of the above
    exception..."): that doubled every failed cell's output."""
    __tracebackhide__ = True  # the grader leaves this frame out of the traceback it records
    raise CheckFailed(message) from None


def passed():
    """The last line of every test cell: one short line, so a passing cell does not look like a silent one.

    In the student's notebook only the visible checks ran; the hidden ones run when grading.
    """
    print("Passed: no problem found by the checks in this cell.")


# ---------------------------------------------------------------- formatting


def show(value, limit=300):
    """A short, readable text for a value in a message."""
    if is_function(value):
        name = function_name(value)
        return f"the function {name}" if name else "a function (a lambda)"
    if isinstance(value, np.generic):
        value = value.item()  # 2.0, not np.float64(2.0)
    if isinstance(value, np.ndarray):
        with np.printoptions(precision=6, suppress=True, threshold=20, edgeitems=3):
            text = np.array2string(value, separator=", ")
        text = f"array({text})" if value.ndim else text
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def is_function(value):
    """True for a function (a def, a lambda, a built-in such as np.exp, or what grading hands the
    tests for a function of the student's notebook), not for a class."""
    return callable(value) and not isinstance(value, (type, np.ndarray, np.generic))


def function_name(value):
    name = getattr(value, "__name__", None)
    return name if isinstance(name, str) and name.isidentifier() else None


def type_name(value):
    """The name of a value's type as a student would write it: float, numpy.ndarray, function."""
    if is_function(value):
        return "function"  # whatever class carries it (a lambda, np.exp, or the grader's stand-in)
    kind = type(value)
    module = kind.__module__
    if module in ("builtins", None):
        return kind.__name__
    if module.startswith("numpy"):
        return f"numpy.{kind.__name__}"
    return f"{module}.{kind.__name__}"


def described(value):
    """A value and its type, for "returned ..." ("2 of type int"; "the function f": a function's
    type would say nothing more)."""
    if is_function(value) or value is None:
        return show(value)
    return f"{show(value)} of type {type_name(value)}"


def with_article(noun):
    """'a float', 'an int', 'an ndarray'."""
    return f"{'an' if noun[:1].lower() in 'aeio' else 'a'} {noun}"


def counted(n, noun, plural=None):
    """'1 row', '3 rows', '1 entry', '2 entries'."""
    if int(n) == 1:
        return f"{n} {noun}"
    return f"{n} {plural or (noun[:-1] + 'ies' if noun.endswith('y') else noun + 's')}"


def _hint(slip):
    return f"\nLikely slip: {slip}" if slip else ""


# ---------------------------------------------------------------- arrays


def as_plain_array(value, call):
    """The student's value as a plain ndarray, or a failure if it is not an array."""
    if not isinstance(value, np.ndarray):
        hint = ""
        if value is None:
            hint = "did you forget to `return` the result (or return what an in-place function returns)?"
        elif isinstance(value, (list, tuple)):
            hint = "wrap the result with np.array(...) or build it with NumPy operations."
        elif isinstance(value, (int, float, np.generic)):
            hint = ("an array was expected, not a single number: did you reduce too much (a sum, max or "
                    "mean over the whole array), or return one number for all the elements?")
        elif is_function(value):
            hint = "a function came back where its result was wanted: return the value it computes."
        fail(f"{call} returned {show(value) if is_function(value) or value is None else with_article(type_name(value))}"
             ", but a NumPy array (numpy.ndarray) was expected." + _hint(hint))
    # A plain base-class view: drops any overridden __eq__ or ufunc hooks.
    return np.asarray(value).view(np.ndarray)


def shape_slip(got, expected):
    """A guess at why an array came back with the wrong shape."""
    if len(got) == len(expected) and tuple(reversed(got)) == tuple(expected):
        return "the axes are reversed: did you reshape instead of transpose, or transpose twice / not at all?"
    if len(got) == len(expected) and sorted(got) == sorted(expected):
        return ("the right lengths in the wrong order: the axes were moved the wrong way; check which axes your "
                "transpose, swapaxes or moveaxis moves.")
    if len(got) == len(expected) + 1 and [n for n in got if n != 1] == [n for n in expected if n != 1]:
        return "there is an extra axis of length 1: did you use keepdims=True (or reshape to a row/column)?"
    if math.prod(got) == math.prod(expected):
        return ("the number of elements is right but the shape is not: did you use reshape or "
                "flatten where the shape had to stay?")
    if len(got) == len(expected) - 1:
        return "one axis is missing: did you reduce (sum, max, mean) over an axis, or index a single row?"
    if len(got) == len(expected) + 1:
        return "there is an extra axis: did you use keepdims or add a column/row vector that broadcast?"
    if len(got) == len(expected) and len(got) >= 1:
        return f"did you reduce along the wrong axis? {AXIS_RULE}"
    return ""


def expect_array(actual, expected, *, call, dtype=None, rtol=RTOL, atol=ATOL,
                 slips=(), shape_slips=(), nonfinite_slip=None, reveal=True):
    """Check an array result: type, then shape, then dtype, then values.

    expected: the reference ndarray.
    dtype:    None accepts any float dtype when the reference is floating (any
              integer dtype when it is integer); give a dtype to demand exactly it.
    slips:    (wrong_value, explanation) pairs for typical mistakes; if the values
              are wrong and match one of them, the message names the slip.
    shape_slips: (wrong_shape, explanation) pairs: a result of that shape names the slip.
    nonfinite_slip: the slip to name when inf or nan came back where the reference is finite.
    reveal:   False keeps the expected values out of the message (hidden tests).
    """
    expected = np.asarray(expected)
    _expect_one_result(actual, expected, call)
    got = as_plain_array(actual, call)

    if got.shape != expected.shape:
        named = [why for shape, why in shape_slips if tuple(shape) == got.shape]
        fail(f"{call} returned an array of shape {got.shape}, but shape {expected.shape} was expected."
             + _hint(named[0] if named else shape_slip(got.shape, expected.shape)))

    # A slip whose values match is named before the dtype is criticised (np.max where np.argmax was meant gives
    # floats, but the slip is the function, not the type); never for values that are right anyway.
    if np.issubdtype(got.dtype, np.number) and np.issubdtype(expected.dtype, np.number) \
            and not _same_values(got, expected):
        for wrong, explanation in slips:
            wrong = np.asarray(wrong)
            if wrong.shape == got.shape and np.issubdtype(wrong.dtype, np.number) and _same_values(got, wrong):
                fail(f"{call} returned wrong values." + _hint(explanation))

    if dtype is not None:
        if got.dtype != np.dtype(dtype):
            fail(f"{call} returned dtype {got.dtype}, but dtype {np.dtype(dtype)} was expected.")
    elif np.issubdtype(expected.dtype, np.floating) and not np.issubdtype(got.dtype, np.floating):
        fail(f"{call} returned dtype {got.dtype}, but a floating-point dtype (float64) was expected."
             + _hint("integer arithmetic or an integer array (np.zeros(..., dtype=int), astype(int), "
                     "np.array of ints) where floats were needed."))
    elif np.issubdtype(expected.dtype, np.integer) and not np.issubdtype(got.dtype, np.integer):
        fail(f"{call} returned dtype {got.dtype}, but an integer dtype was expected."
             + _hint("indices and class labels are integers: do not convert them to float."))
    elif expected.dtype == bool and got.dtype != bool:
        fail(f"{call} returned dtype {got.dtype}, but a boolean array was expected.")

    if np.issubdtype(expected.dtype, np.number) and np.issubdtype(got.dtype, np.number):
        bad = ~np.isfinite(got) & np.isfinite(expected)
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            fail(f"{call} returned {got[where]} at index {where}, where a finite number was expected."
                 + _hint(nonfinite_slip or "inf or nan comes from a division by zero, the log of 0, or an overflow "
                                           "(np.exp of a large number is inf, and inf/inf is nan): check which of "
                                           "them your formula meets at this input."))
        close = np.isclose(got, expected, rtol=rtol, atol=atol)
    else:
        close = got == expected

    if not np.all(close):
        for wrong, explanation in slips:
            wrong = np.asarray(wrong)
            if wrong.shape == got.shape and _values_match(got, wrong, rtol, atol):
                fail(f"{call} returned wrong values." + _hint(explanation))
        where = tuple(int(i) for i in np.argwhere(~close)[0])
        count = int((~close).sum())
        message = f"{call} returned wrong values: {count} of {got.size} elements differ"
        if reveal:
            message += (f"; at index {where} {show(expected[where])} was expected but "
                        f"{show(got[where])} came back.\nExpected: {show(expected)}\nGot:      {show(got)}")
        else:
            message += f"; the first is at index {where}."
        fail(message)


def _expect_one_result(actual, expected, call):
    """Fail if `actual` is a sequence of several arrays shaped like the expected one: a loop that kept
    every step (a whole path) where only the final result was asked for."""
    if not isinstance(actual, (list, tuple)) or len(actual) < 2 or expected.ndim == 0:
        return
    if all(isinstance(item, np.ndarray) and item.shape == expected.shape for item in actual):
        fail(f"{call} returned {with_article(type_name(actual))} of {len(actual)} arrays, each of shape "
             f"{expected.shape}, but one array of shape {expected.shape} was expected."
             + _hint("a whole sequence came back (every step of a loop kept, such as the path of all the points "
                     "visited) where only the last result was wanted: return the final one only."))


def _same_values(got, wrong):
    """Equal values, whatever the two dtypes (compared as floats)."""
    try:
        return bool(np.all(np.isclose(got.astype(float), wrong.astype(float), rtol=RTOL, atol=ATOL)))
    except (TypeError, ValueError):
        return False


def _values_match(got, wrong, rtol, atol):
    try:
        return bool(np.all(np.isclose(got, wrong.astype(got.dtype, copy=False), rtol=rtol, atol=atol)))
    except (TypeError, ValueError):
        return False


# ---------------------------------------------------------------- scalars


def expect_number(actual, expected, *, call, kind=float, rtol=RTOL, atol=ATOL, slips=(), reveal=True):
    """Check a single number.

    kind=float accepts Python floats and NumPy floating scalars; kind=int accepts
    Python ints and NumPy integer scalars (not bool).
    """
    if kind is int:
        ok = isinstance(actual, (int, np.integer)) and not isinstance(actual, (bool, np.bool_))
        wanted = "an int"
    else:
        # A 0-d float array (what np.exp(2.0) * 0 or np.zeros_like(2.0) give) is a float too.
        ok = isinstance(actual, (float, np.floating)) or (
            isinstance(actual, np.ndarray) and actual.ndim == 0 and np.issubdtype(actual.dtype, np.floating))
        wanted = "a float"
    # Slips first: returning the largest value instead of its index is the slip to name, not its type.
    if not ok and isinstance(actual, (int, float, np.integer, np.floating)) and not isinstance(
            actual, (bool, np.bool_)):
        for wrong, explanation in slips:
            if math.isclose(float(actual), float(wrong), rel_tol=rtol, abs_tol=atol):
                fail(f"{call} returned {show(actual)}, which is wrong." + _hint(explanation))
    if not ok:
        hint = ""
        if actual is None:
            hint = "did you forget to `return` the result?"
        elif isinstance(actual, np.ndarray):
            hint = "an array came back: did you forget to reduce it to one number, or use .item()?"
        elif kind is float and isinstance(actual, np.integer):
            hint = ("a NumPy integer came back (NumPy's sum, max or product of integers is one): convert the result "
                    "with float(...).")
        elif kind is float and isinstance(actual, int) and not isinstance(actual, bool):
            hint = ("an int came back: write whole numbers with a point (2.0 is a float, 2 an int) or convert with "
                    "float(...).")
        elif kind is int and isinstance(actual, (float, np.floating)):
            hint = "an index is an int: wrap the result with int(...)."
        elif is_function(actual):
            hint = "a function came back where its value was wanted: call it, or return the number it computes."
        elif isinstance(actual, (tuple, list)):
            hint = "several values came back where one number was wanted."
        fail(f"{call} returned {described(actual)}, but {wanted} was expected." + _hint(hint))
    # Plain Python numbers: a float subclass cannot lie about abs() or ==.
    got = int(actual) if kind is int else float(np.asarray(actual).view(np.ndarray))
    right = got == int(expected) if kind is int else math.isclose(got, float(expected), rel_tol=rtol, abs_tol=atol)
    if right:
        return
    for wrong, explanation in slips:
        if math.isclose(got, float(wrong), rel_tol=rtol, abs_tol=atol):
            fail(f"{call} returned {show(got)}, which is wrong." + _hint(explanation))
    if reveal:
        fail(f"{call} returned {show(got)}, but {show(expected)} was expected.")
    fail(f"{call} returned {show(got)}, which is not the right value.")


def expect_equal(actual, expected, *, call, slips=(), reveal=True):
    """Exact equality for plain values (tuples of ints, bools, strings).

    The comparison runs on the reference's side (``expected == actual``) and the
    type must match exactly, so a home-made class cannot claim to be equal.
    """
    if type(actual) is not type(expected):
        fail(f"{call} returned {described(actual)}, but {with_article(type_name(expected))} was expected"
             + (f" ({show(expected)})." if reveal else "."))
    if isinstance(expected, (tuple, list)):
        if not _plain_equal(actual, expected):
            for wrong, explanation in slips:
                if _plain_equal(actual, wrong):
                    fail(f"{call} returned {show(actual)}, which is wrong." + _hint(explanation))
        if len(actual) != len(expected):
            fail(f"{call} returned {len(actual)} items, but {len(expected)} were expected"
                 + (f": {show(expected)}." if reveal else "."))
        for i, (a, e) in enumerate(zip(actual, expected, strict=False)):
            expect_equal(a, e, call=f"item {i} of {call}", reveal=reveal)
        return
    if expected != actual:
        for wrong, explanation in slips:
            if type(wrong) is type(actual) and wrong == actual:
                fail(f"{call} returned {show(actual)}, which is wrong." + _hint(explanation))
        if reveal:
            fail(f"{call} returned {show(actual)}, but {show(expected)} was expected.")
        fail(f"{call} returned {show(actual)}, which is not the right value.")


def _plain_equal(a, b):
    """Equality of plain values that a home-made type cannot fake (types must match exactly)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_plain_equal(x, y) for x, y in zip(a, b, strict=False))
    try:
        return bool(b == a)
    except (TypeError, ValueError):
        return False


def expect_bool(actual, expected, *, call, slips=(), reveal=True):
    """expect_equal for a truth value; numpy.bool_ (what np.all or np.allclose give) counts as a bool."""
    if isinstance(actual, np.bool_):
        actual = bool(actual)
    if isinstance(actual, np.ndarray) and actual.ndim > 0:
        fail(f"{call} returned an array of shape {actual.shape}, {show(actual)}, but one bool (True or False) was "
             "expected." + _hint("== (or np.isclose) between arrays compares entry by entry and gives an array of "
                                 "booleans: reduce it to one truth value, for all the entries at once."
                                 if actual.dtype == bool else
                                 "an array came back where only the answer True or False was wanted."))
    expect_equal(actual, bool(expected), call=call, slips=slips, reveal=reveal)


# ---------------------------------------------------------------- calls


def _snapshot(value):
    return copy.deepcopy(value)


def _same(before, after):
    if isinstance(before, np.ndarray):
        return (isinstance(after, np.ndarray) and before.shape == after.shape
                and before.dtype == after.dtype and np.array_equal(before, after, equal_nan=True))
    if isinstance(before, (list, tuple)):
        return (type(before) is type(after) and len(before) == len(after)
                and all(_same(b, a) for b, a in zip(before, after, strict=False)))
    return before == after


def _failing_lines(error):
    """The lines of the student's code where an error happened (innermost last), as far as known."""
    text = getattr(error, "__student_traceback__", None)
    if text is not None:  # graded outside the kernel: "----> 3 return float(sum(a))" lines
        # [ \t], not \s: a \s* at every line start would run across a long run of blank lines each time.
        return [m.group(1) for m in re.finditer(r"^[ \t]*-+>[ \t]*\d+[ \t]?(.*)$", text, re.M)]
    try:
        return [frame.line or "" for frame in traceback.extract_tb(error.__traceback__)]
    except Exception:  # noqa: BLE001 - a traceback that cannot be read names no line
        return []


def _one_number_slip(error):
    """float(), int() or math.* of an array: say which of them the failing line used."""
    line = (_failing_lines(error) or [""])[-1]
    if re.search(r"\bmath\b|(?<![\w.])(exp|log|log2|log10|sqrt|sin|cos|tan|fabs|pow|floor|ceil)\(", line):
        return ("a function of the `math` module (math.exp, math.log, math.sqrt, ...) got an array. `math` "
                "works on single numbers only; NumPy's functions of the same name work on every element.")
    if re.search(r"\b(float|int)\(", line):
        return ("float(...) or int(...) got an array of several numbers: it converts one number only. Reduce "
                "the array to one number first. Python's built-in sum adds along the first axis only (for a 2-D "
                "array it gives a row, for a 3-D one a matrix), while NumPy's sum without an axis adds every "
                "element.")
    return ("an array of several numbers went where one number was expected: float(...), int(...) and the "
            "functions of the `math` module take single numbers only.")


def _name_slip(error):
    match = re.search(r"name '(\w+)' is not defined", str(error))
    name = match.group(1) if match else None
    if name in ("np", "numpy", "math", "checks"):
        return (f"{name} is not defined: run the cell at the top of the notebook that imports it (after a "
                "restart of the kernel, every cell has to run again).")
    if name is None:
        return "a name that is not defined inside your function: check its spelling."
    return (f"your function uses {name}, which is neither one of its arguments nor defined inside it. A name "
            "made by another cell (a test cell, say) exists while you work in the notebook, but not when "
            f"grading: compute everything from the arguments. If {name} is meant to be the argument of a "
            "function you return, define that function inside yours and return it without calling it.")


# Errors the student's own function raises, mapped to the slip that usually causes them in this
# assignment: (exception type, pattern in its message, likely slip: a text, or a function of the
# error giving one).  First match wins.  A message is student text: likely_slip_for reads only its first
# MESSAGE_READ characters, and no pattern has an unbounded repeat between two literals (`a.*b` on a
# long text of many a's backtracks quadratically).
KNOWN_ERRORS = [
    (TypeError, r"Cannot interpret .{0,200} as a data type|data type .{0,200} not understood",
     "the shape was passed as two arguments. NumPy's array-making functions take the whole shape as "
     "ONE tuple argument; their second argument is the dtype."),
    (TypeError, r"only (length-1|size-1|0-dimensional|integer scalar) arrays can be converted",
     _one_number_slip),
    (TypeError, r"unsupported operand type\(s\) for \^|ufunc 'bitwise_xor' not supported",
     "in Python, ^ is not a power: it is the bitwise exclusive or (XOR) of two whole numbers. In Python code "
     "powers are written with ** (the formula strings of Exercises 1 and 2 accept ^; Python itself does not)."),
    (TypeError, r"Cannot cast ufunc .{0,80} output from",
     "an in-place operation (a -= ..., a += ..., a *= ...) tried to store fractions in an integer array, which "
     "NumPy refuses; done in place it would also change the caller's array. Compute a new array instead "
     "(b = a - ...)."),
    (TypeError, r"'(numpy\.)?(float\d*|int\d*)' object is not iterable",
     "a single number was looped over (by a for loop, sum(...), list(...) and the like). Python's built-in sum "
     "adds along the first axis only: for a 1-D array it already gives one number, for a 2-D one a row, for a "
     "3-D one a matrix; NumPy's sum without an axis adds every element, whatever the number of axes."),
    (ValueError, r"Integers to negative integer powers are not allowed",
     "an integer array raised to a negative integer power: NumPy refuses, because the result would not "
     "be an integer. Make the exponent (or the array) a float."),
    (np.exceptions.AxisError if hasattr(np, "exceptions") else IndexError, r"axis .{0,200} out of bounds",
     "an axis number the array does not have: an array with n axes has the axes 0 to n - 1 (or -1 to -n, "
     "counted from the end), so a 1-D array has only axis 0. " + AXIS_RULE),
    (ValueError, r"could not be broadcast",
     "two arrays whose shapes do not fit were combined element by element. Print the shapes of the arrays "
     "on that line: a reduction along the wrong axis, or a 1-D array where a column was needed, are the usual "
     "causes."),
    (ValueError, r"axes don't match array",
     "transpose(...) got a list of axes for another number of axes than the array has: (0, 2, 1), say, fits 3-D "
     "arrays only. Name the axes so that it works for any number of them (negative numbers count from the end)."),
    (ValueError, r"matmul: Input operand|not aligned",
     "a matrix product of incompatible shapes: the number of columns of the first factor must equal "
     "the number of rows of the second."),
    (TypeError, r"list indices must be integers or slices, not tuple",
     "a[i, j] on a list of lists: only NumPy arrays take two indices in one bracket. Convert the input "
     "with np.asarray first, or index it as a[i][j]."),
    (TypeError, r"can't multiply sequence|unsupported operand type\(s\) for .{0,40}'list'|can only concatenate list",
     "arithmetic on a Python list: a list does not compute element by element (+ joins lists, * repeats "
     "them). Convert it to a NumPy array first."),
    (AttributeError, r"'(float|int|numpy\.float64|numpy\.int64)' object has no attribute '(shape|size|ndim|dtype|T)'",
     "the argument can be a plain number, which has no .shape (or .size, .dtype): np.shape(x), np.zeros_like(x) "
     "and NumPy's other functions accept numbers and arrays alike."),
    (TypeError, r"takes \d+ positional arguments? but \d+ (were|was) given|missing \d+ required positional "
                r"argument|got an unexpected keyword argument",
     "the function's arguments differ from the ones the exercise gives: keep its name and its arguments, with "
     "their names and default values, exactly as in the cell you were given."),
    (TypeError, r"unsupported operand type\(s\) for .{0,40}'(function|numpy\.ufunc|builtin_function_or_method|"
                r"StudentFunction)'|"
                r"'function' object is not subscriptable|argument \d+ of type (function|StudentFunction)|"
                r"was given a function",
     "arithmetic (or indexing) with a function itself: a function given as an argument must be called with its "
     "argument, as in f(x), to give a value."),
    (AttributeError, r"'list' object has no attribute '(shape|ndim|size|dtype|T|reshape|sum|mean|max|copy)'",
     "a Python list has no .shape, .T, .sum() and the like: only NumPy arrays do. Convert the input with "
     "np.asarray first."),
    (AttributeError, r"'numpy\.ndarray' object has no attribute '(index|append|count|sort\w*)'",
     "a list method on a NumPy array: arrays have no .index or .append. Use NumPy's own functions, which accept "
     "lists and arrays alike."),
    (IndexError, r"out of bounds|too many indices|index out of range",
     "an index past the end, or too many indices: Python counts from 0, so the last of n items has "
     "index n - 1, and a 1-D array takes one index only."),
    (NameError, r"", _name_slip),
    (ZeroDivisionError, r"",
     "a division by zero with Python numbers: check the denominator (e.g. the number of items)."),
]

NOT_ANSWERED = ("{call} is not answered yet (it raised NotImplementedError): replace "
                "`raise NotImplementedError()` with your code and run its cell.")


MESSAGE_READ = 1000


def likely_slip_for(error, errors=()):
    """The likely slip behind an error from the student's function, or None if we do not recognise it.

    errors: (exception type, pattern, slip) triples of one exercise, tried before KNOWN_ERRORS.
    """
    message = str(error)[:MESSAGE_READ]  # the raw text (StudentFunction too), as much as a student reads
    for kind, pattern, slip in [*errors, *KNOWN_ERRORS]:
        if isinstance(error, kind) and re.search(pattern, message):
            return slip(error) if callable(slip) else slip
    return None


def error_name(error):
    """The name of the error's class as the student's code named it (graded outside the kernel, a
    class of the student's own arrives as a stand-in). NumPy's private classes are named by the
    builtin class they are (_UFuncOutputCastingError is a TypeError)."""
    name = getattr(error, "__student_type__", None) or type(error).__name__
    if name.startswith("_"):
        name = next((c.__name__ for c in type(error).__mro__ if c.__module__ == "builtins"), name)
    return name


def _student_traceback(error):
    """The traceback of an error, without the frame of this file that made the call."""
    if getattr(error, "__student_traceback__", None) is not None:  # graded outside the kernel: as it ran there
        return error.__student_traceback__.strip().replace("StudentFunction", "function")
    tb = error.__traceback__
    if tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    lines = traceback.format_exception(type(error), error, tb)
    return "".join(lines).strip()


def error_text(error):
    """An error's message as a student should read it: a function is a 'function', whatever class carries it
    (graded, a function of the notebook is the grader's StudentFunction stand-in)."""
    return str(error).replace("'StudentFunction'", "'function'").replace("StudentFunction", "function")


def call_student(func, args, call, errors=(), keywords=None):
    """func(*args): the one place where a check calls a student's function.

    Any error the function raises becomes a failure with a message: "not answered yet" for
    NotImplementedError, the likely slip for the common errors of this assignment (and the
    exercise's own `errors`, see likely_slip_for), and otherwise the student's own traceback.
    """
    __tracebackhide__ = True  # the grader leaves this frame out of the traceback it records
    try:
        return func(*args, **(keywords or {}))
    except CheckFailed:
        raise
    except NotImplementedError:
        fail(NOT_ANSWERED.format(call=call))
    except Exception as error:  # noqa: BLE001 - any error in the student's code is reported to them
        slip = likely_slip_for(error, errors)
        if slip:
            fail(f"{call} raised {error_name(error)}: {error_text(error)}" + _hint(slip))
        fail(f"{call}: your function raised {error_name(error)}: {error_text(error)}\n\n{_student_traceback(error)}")


def _first_change(old, new):
    """(index, before, after) of the first entry that differs between two arrays of one shape."""
    where = tuple(int(i) for i in np.argwhere(~((old == new) | (np.isnan(old) & np.isnan(new))))[0])
    return where, old[where], new[where]


def _modified(call, position, old, new):
    """The message for an argument that a call changed, with the slip its change points to."""
    message = (f"{call} modified its argument number {position + 1}: it was {show(old)} before the call and "
               f"{show(new)} after.")
    slip = "work on a copy, or use operations that return a new array (a - m instead of a -= m)."
    same_shape = (isinstance(old, np.ndarray) and isinstance(new, np.ndarray) and old.shape == new.shape
                  and old.dtype == new.dtype and old.dtype.kind in "fc")
    if same_shape and np.allclose(old, new, rtol=1e-12, atol=0, equal_nan=True):
        where, before, after = _first_change(old, new)
        message = (f"{call} modified its argument number {position + 1}, by rounding: its entry at index "
                   f"{where if old.ndim > 1 else where[0]} was {float(before)!r} before the call and "
                   f"{float(after)!r} after (the two print alike, but are not the same number).")
        slip = ("adding h and subtracting it again does not give back exactly the same float. Leave the caller's "
                "array alone: compute x + h as a new array, or change a copy (x.copy()); or put back the exact "
                "value you saved before changing an entry.")
    else:
        try:
            reordered = (isinstance(old, (np.ndarray, list)) and type(new) is type(old) and len(old) == len(new)
                         and np.array_equal(np.sort(np.asarray(old), axis=0), np.sort(np.asarray(new), axis=0)))
        except (TypeError, ValueError):
            reordered = False
        if reordered:
            message = (f"{call} reordered its argument number {position + 1} in place: it was {show(old)} before "
                       f"the call and {show(new)} after.")
            slip = ("shuffle and sort work in place: they reorder the very array (or list) you pass and return "
                    "None. Reorder a copy, or use a function that returns a new, reordered array.")
    return message + _hint(slip)


def call_unchanged(func, *args, call, errors=(), keywords=None):
    """Call func(*args) and check that no argument was modified; return the result.

    Arguments are snapshotted before the call, so a function that sorts,
    shuffles or subtracts in place is caught here with a message saying which
    argument changed and how.  Errors the function raises are explained (see call_student;
    errors: the exercise's own (exception type, pattern, slip) triples). keywords: arguments passed by name.
    """
    before = [_snapshot(a) for a in args]
    result = call_student(func, args, call, errors, keywords)
    for position, (old, new) in enumerate(zip(before, args, strict=False)):
        if not _same(old, new):
            fail(_modified(call, position, old, new))
    return result


def call_unchanged_each(func, arg_lists, *, call):
    """call_unchanged(func, *args, call=call) for each args in arg_lists, in order: yields the results.

    For the tests that call one function hundreds of times (a shuffle over 300 seeds). When
    grading, the calls go to the student's kernel as one request instead of one each, and each
    result is checked here as it is yielded, in the same order and with the same messages.
    """
    planned = getattr(func, "planned_calls", None)
    stand_ins = planned(arg_lists) if callable(planned) else [func] * len(arg_lists)
    for stand_in, args in zip(stand_ins, arg_lists, strict=False):
        yield call_unchanged(stand_in, *args, call=call)


def expect_raises(func, *args, exception=ValueError, call, why, hint=None):
    """Check that func(*args) raises `exception` (ValueError by default).

    why:  the rule the input breaks, e.g. "the shapes (2, 3) and (3, 2) differ".
    hint: the likely slip when nothing (or another error) is raised: what to compare before computing
          (default: NumPy broadcast or wrapped silently).
    A test cell using this must first check the function's main job on an ordinary input, so
    that a function that always raises earns nothing.
    """
    check = hint or "NumPy may silently broadcast or wrap values: check the input explicitly."
    try:
        result = func(*args)
    except exception as error:
        if not str(error).strip():
            fail(f"{call} raised {exception.__name__} without a message. Say what is wrong ({why}), "
                 f"e.g. raise {exception.__name__}(\"...\").")
        return
    except NotImplementedError:
        fail(NOT_ANSWERED.format(call=call))
    except Exception as error:  # noqa: BLE001 - any other error is the student's slip to report
        name = error_name(error)
        if isinstance(error, AssertionError):
            slip = (f"an assert statement raises AssertionError, not {exception.__name__} (and Python skips asserts "
                    f"when run with -O): write an if statement that raises {exception.__name__}(\"...\").")
        elif name == "Exception":
            slip = (f"raise the specific {exception.__name__}, not the general Exception: callers catch "
                    f"{exception.__name__} for a value that does not fit.")
        else:
            slip = (f"the input was used before it was checked. {check} Raise {exception.__name__} with a message "
                    "saying what is wrong.")
        fail(f"{call} raised {name}: {error_text(error)}\nbut {exception.__name__} was expected because {why}."
             + _hint(slip))
    fail(f"{call} returned {show(result)}, but it should raise {exception.__name__} because {why}."
         + _hint(check))


# ---------------------------------------------------------------- code (read, never run)

# The library matrix products, by the name the code calls them with.
LIBRARY_PRODUCTS = {"dot": "np.dot or the .dot method", "matmul": "np.matmul", "einsum": "np.einsum",
                    "tensordot": "np.tensordot", "multi_dot": "np.linalg.multi_dot", "inner": "np.inner",
                    "vdot": "np.vdot", "vecdot": "np.vecdot", "matvec": "np.matvec", "vecmat": "np.vecmat",
                    "__matmul__": "the @ operator", "__rmatmul__": "the @ operator"}
# Calls that multiply entries, besides the * operator.
PRODUCT_CALLS = {"multiply", "prod"}

# Reading code fails closed: what a code check cannot follow for certain withholds the grade for an
# instructor's review (CodeUnclear) instead of paying. The NumPy names a loop-only computation may
# use (any other NumPy name, a new product routine included, is a doubt), the builtins it may call,
# and the modules it may use besides NumPy.
NUMPY_READABLE = frozenset({
    "array", "asarray", "asanyarray", "zeros", "zeros_like", "empty", "empty_like", "ones", "ones_like",
    "full", "full_like", "arange", "shape", "ndim", "size", "sum", "add", "multiply", "prod", "abs",
    "absolute", "copy", "reshape", "atleast_2d", "result_type", "promote_types", "issubdtype", "isscalar",
    "ndarray", "dtype", "floating", "integer", "number", "float64", "float32", "float16", "int64", "int32",
    "int16", "int8", "uint8", "bool_", "newaxis", "nan", "inf", "isclose", "allclose", "isfinite"})
SAFE_BUILTINS = frozenset({
    "range", "len", "sum", "zip", "enumerate", "list", "tuple", "dict", "set", "float", "int", "complex",
    "bool", "str", "abs", "min", "max", "round", "map", "filter", "all", "any", "sorted", "reversed", "iter",
    "next", "isinstance", "print", "format", "repr", "divmod", "pow", "ValueError", "TypeError",
    "IndexError", "ArithmeticError", "Exception"})
READABLE_MODULES = frozenset({"math"})


class CodeUnclear(CheckFailed):
    """A check that reads code could not read it for certain: the grader withholds the notebook's
    grade for an instructor's review (coursekit-review) instead of paying. `doubts`: what it could
    not read, for the instructor."""

    doubts = ()

    @classmethod
    def because(cls, doubts, message):
        error = cls(message)
        error.doubts = tuple(doubts)
        return error


def code_of(func):
    """(source, definitions) of a function of the notebook, for checks that read code without running it.

    definitions: name -> ("function", source) or ("alias", "numpy.dot"): what the names of the
    notebook stand for. When grading, the grader reads both from the cells as submitted; in
    Jupyter they come from the function itself.
    """
    if hasattr(func, "__grading_definitions__"):
        return func.__grading_source__, func.__grading_definitions__
    try:
        source = textwrap.dedent(inspect.getsource(func))
    except (OSError, TypeError):
        source = None
    definitions = {}
    for name, value in getattr(func, "__globals__", {}).items():
        if isinstance(value, types.ModuleType):
            definitions[name] = ("alias", value.__name__)
        elif isinstance(value, types.FunctionType) and value.__module__ == func.__module__:
            with contextlib.suppress(OSError, TypeError):
                definitions[name] = ("function", textwrap.dedent(inspect.getsource(value)))
        elif callable(value) and isinstance(getattr(value, "__name__", None), str):
            definitions[name] = ("alias", f"{getattr(value, '__module__', None) or ''}.{value.__name__}")
    return source, definitions


def _readable_code(func):
    source, definitions = code_of(func)
    try:
        return ast.parse(source), definitions
    except (SyntaxError, TypeError, ValueError):
        raise CodeUnclear(f"The code of {func.__name__} could not be read. Define the function with `def` in its "
                          "solution cell and run that cell.") from None


def _bound_names(tree):
    return ({node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
            | {node.arg for node in ast.walk(tree) if isinstance(node, ast.arg)}
            | {node.name for node in ast.walk(tree) if isinstance(node, ast.ExceptHandler) and node.name})


def _dotted(node, definitions, local):
    """What an expression names, as a dotted path through the notebook's aliases ("numpy.linalg"), or None."""
    if isinstance(node, ast.Name):
        entry = definitions.get(node.id) if node.id not in local else None
        return entry[1] if entry and entry[0] == "alias" else None
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value, definitions, local)
        return f"{base}.{node.attr}" if base else None
    return None


def _doubts_in(tree, definitions, name):
    """(doubts, helper names called) of one function's code: each doubt says what could not be read."""
    local = _bound_names(tree)
    doubts, helpers = [], []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal)):
            doubts.append(f"{name} imports or declares names inside itself (line {node.lineno})")
        elif isinstance(node, ast.Attribute) and (node.attr in LIBRARY_PRODUCTS or node.attr in PRODUCT_CALLS):
            continue  # a product named outright is certain: library_products_used reports it
        elif isinstance(node, ast.Attribute):
            if node.attr.startswith("__"):
                doubts.append(f"{name} uses the attribute {node.attr}")
            else:
                path = _dotted(node, definitions, local)
                module, _, attribute = (path or "").partition(".")
                if path and "." in path and not (module == "numpy" and attribute in NUMPY_READABLE
                                                  or module in READABLE_MODULES):
                    doubts.append(f"{name} uses {path}")
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in local:
            kind, what = definitions.get(node.id, (None, None))
            if kind == "function":
                helpers.append(node.id)
            elif kind == "alias" and what.rsplit(".", 1)[-1] in LIBRARY_PRODUCTS:
                continue  # a product named outright is certain: library_products_used reports it
            elif kind == "alias":
                module, _, attribute = what.partition(".")
                if not (what in ("numpy", *READABLE_MODULES) or module == "numpy" and attribute in NUMPY_READABLE
                        or module in READABLE_MODULES):
                    doubts.append(f"{name} uses {what}")
            elif node.id not in SAFE_BUILTINS:
                doubts.append(f"{name} uses {node.id}, which the grader cannot follow")
    return doubts, helpers


def code_doubts(func):
    """Why func's code, with the notebook's functions it calls, cannot be read for certain ([] if it can).

    Reading code is only sound when the code says plainly what runs: a name built at run time
    (getattr, importlib, operator, exec), a NumPy routine not on NUMPY_READABLE, a function the grader
    cannot see, or (when grading) the graded name bound again after its def could each hide a
    library product. When grading, the grader adds what it found in the notebook as a whole.
    """
    tree, definitions = _readable_code(func)
    doubts = list(getattr(func, "__grading_doubts__", ()))
    seen, todo = {func.__name__}, [(func.__name__, tree)]
    while todo:
        name, tree = todo.pop()
        found, helpers = _doubts_in(tree, definitions, name)
        doubts += found
        for helper in helpers:
            if helper not in seen:
                seen.add(helper)
                try:
                    todo.append((helper, ast.parse(definitions[helper][1])))
                except SyntaxError:
                    doubts.append(f"the code of {helper} could not be read")
    return list(dict.fromkeys(doubts))


def library_products_used(func, follow_helpers=False):
    """Names of the library matrix products that func's code uses (comments and strings are ignored).

    With follow_helpers, the notebook's functions that func calls are read as well. A product found
    is certain; otherwise, code that cannot be read for certain (code_doubts) raises CodeUnclear.
    """
    tree, definitions = _readable_code(func)
    used, seen, todo = set(), set(), [tree]
    while todo:
        tree = todo.pop()
        local = _bound_names(tree)
        for node in ast.walk(tree):
            if isinstance(node, (ast.BinOp, ast.AugAssign)) and isinstance(node.op, ast.MatMult):
                used.add("the @ operator")
            elif isinstance(node, ast.Attribute) and node.attr in LIBRARY_PRODUCTS:
                used.add(LIBRARY_PRODUCTS[node.attr])
            elif isinstance(node, ast.Name) and node.id not in local and node.id in definitions:
                kind, what = definitions[node.id]
                last = what.rsplit(".", 1)[-1]
                if kind == "alias" and last in LIBRARY_PRODUCTS:
                    used.add("operator.matmul" if what.lstrip("_").startswith("operator.") else LIBRARY_PRODUCTS[last])
                elif kind == "function" and follow_helpers and node.id not in seen:
                    seen.add(node.id)
                    with contextlib.suppress(SyntaxError):
                        todo.append(ast.parse(what))
    if not used:
        doubts = code_doubts(func)
        if doubts:
            raise CodeUnclear.because(doubts,
                f"The grader cannot read for certain how {func.__name__} computes its result: "
                + "; ".join(doubts[:5]) + ". An instructor will read your code before this notebook's grade "
                "counts. To be graded automatically, write the computation plainly: loops, indexing, * and + on "
                "entries, and NumPy's array makers (np.zeros, np.asarray).")
    return sorted(used)


def product_loop_depth(func):
    """How many loops deep func multiplies entries (-1: nowhere), the notebook's helpers included.

    Loops are for and while statements and the generators of comprehensions; a multiplication is
    the * or @ operator or a call of multiply, prod or a library product (which library_products_used
    reports on its own). Computing each entry of a matrix product in a loop over i and j multiplies
    at depth 2 or more; a broadcast-and-sum multiplies at depth 0.
    """
    tree, definitions = _readable_code(func)
    return _product_depth(tree, definitions, set())


def _product_depth(tree, definitions, seen):
    local = _bound_names(tree)
    best = -1

    def visit(node, level):
        nonlocal best
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            for child in ast.iter_child_nodes(node):
                visit(child, level + 1 if child in node.body else level)
            return
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            for i, generator in enumerate(node.generators):
                visit(generator, level + i)
            for element in ([node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]):
                visit(element, level + len(node.generators))
            return
        if isinstance(node, (ast.BinOp, ast.AugAssign)) and isinstance(node.op, (ast.Mult, ast.MatMult)):
            best = max(best, level)
        if isinstance(node, ast.Call):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if called in PRODUCT_CALLS or called in LIBRARY_PRODUCTS:
                best = max(best, level)
            entry = definitions.get(called) if isinstance(node.func, ast.Name) and called not in local else None
            if entry and entry[0] == "function" and called not in seen:
                try:
                    helper = ast.parse(entry[1])
                except SyntaxError:
                    helper = None
                if helper is not None:
                    depth = _product_depth(helper, definitions, seen | {called})
                    if depth >= 0:
                        best = max(best, level + depth)
        for child in ast.iter_child_nodes(node):
            visit(child, level)

    visit(tree, 0)
    return best


def relative_error(a, b):
    """cs231n's relative error |a - b| / max(1e-8, |a| + |b|), elementwise."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))


# ---------------------------------------------------------------- formulas

# The formula reader.  One rule for products, the one the notebook states: a product needs `*`
# (3*x, x*y, 2*(x + 1)); "3x", "xy" or "2(x + 1)" are refused with a message saying so, rather
# than guessed.  SymPy's parse_expr runs eval on its input, so it only ever sees strings made of the
# tokens below: numbers, the exercise's variables, the documented function and constant names,
# operators and brackets.
FORMULA_FUNCTIONS = ("exp", "ln", "log", "sqrt")
FORMULA_CONSTANTS = ("e", "E", "pi")
FORMULA_MAX_LENGTH = 200
_TOKEN = re.compile(r"\s*(?:(?P<number>\d+\.?\d*|\.\d+)|(?P<name>[A-Za-z_]\w*)|(?P<op>\*\*|[-+*/^()]))")
FORMULA_SYNTAX = ("use * for every product (3*x, x*y), ** or ^ for powers, exp(x) or e**x, ln(x) or log(x), "
                  "sqrt(x), and balanced parentheses.")


# Characters a formula copied from a document or typed on a phone may hold, read as the ASCII they
# stand for: a typographic minus, a dot or cross for a product, superscript powers (x², x⁻¹).
_TYPED_AS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2010": "-", "\u2011": "-",
                           "\u00b7": "*", "\u22c5": "*", "\u2219": "*", "\u00d7": "*",
                           "\u00f7": "/", "\u2215": "/", "\u00a0": " "})
_SUPERSCRIPT = re.compile("(\u207b?)([\u2070\u00b9\u00b2\u00b3\u2074-\u2079]+)")
_SUPERSCRIPT_DIGITS = str.maketrans("\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079", "0123456789")


def typed_as_ascii(answer):
    """The formula with typographic symbols replaced by what they stand for ("3·x²" -> "3*x**(2)")."""
    text = answer.translate(_TYPED_AS)
    return _SUPERSCRIPT.sub(lambda m: f"**({'-' if m.group(1) else ''}{m.group(2).translate(_SUPERSCRIPT_DIGITS)})",
                            text)


def _formula_namespace(variables):
    import sympy

    names = {"e": sympy.E, "E": sympy.E, "exp": sympy.exp, "ln": sympy.log, "log": sympy.log,
             "sqrt": sympy.sqrt, "pi": sympy.pi}
    for v in variables:
        names[v] = sympy.Symbol(v, positive=True)
    return names


def formula_tokens(answer, *, key, variables):
    """The tokens of a formula string, or a failure naming the first thing that is not allowed.

    Typographic symbols count as what they stand for (typed_as_ascii); messages quote the answer as written.
    """
    allowed = ", ".join(variables)
    typed = typed_as_ascii(answer)
    tokens, position = [], 0
    while typed[position:].strip():
        match = _TOKEN.match(typed, position)
        if not match:
            char = typed[position:].lstrip()[0]
            slip = (f"write only the derivative itself, as a formula in {allowed}, without ' or d/dx."
                    if char == "'" else FORMULA_SYNTAX)
            if char == "." and tokens and tokens[-1][0] == "name" and tokens[-1][1] in ("np", "numpy", "math", "sp"):
                slip = (f"a formula here is maths, not Python code: write exp(x), ln(x) or sqrt(x) without "
                        f"{tokens[-1][1]}. in front.")
            fail(f"The answer for {key!r} is {answer!r}: the character {char!r} is not allowed in a formula."
                 + _hint(slip))
        kind = match.lastgroup
        tokens.append((kind, match.group(kind)))
        position = match.end()
    names = set(variables) | set(FORMULA_FUNCTIONS) | set(FORMULA_CONSTANTS)
    for kind, text in tokens:
        if kind != "name" or text in names:
            continue
        if text == "d" or (text.startswith("d") and text[1:] in variables):
            fail(f"The answer for {key!r} is {answer!r}, which looks like the operator d/d{variables[0]}."
                 + _hint(f"write only the derivative itself, as a formula in {allowed} (for x**2 that would "
                         "be 2*x), not d/dx or df/dx."))
        if text.lower() in names:
            fail(f"The answer for {key!r} is {answer!r}: {text!r} is not a name here."
                 + _hint(f"names are lower case: write {text.lower()}, not {text}."))
        if set(text) <= set("".join(variables)):
            fail(f"The answer for {key!r} is {answer!r}: {text!r} is not a name here."
                 + _hint(f"a product needs *: write {'*'.join(text)}, not {text}."))
        fail(f"The answer for {key!r} is {answer!r}: it uses the unknown name {text!r}; only {allowed} may "
             f"appear, with the functions {', '.join(FORMULA_FUNCTIONS)} and the constants e and pi.")
    for (kind, text), (next_kind, next_text) in zip(tokens, tokens[1:], strict=False):
        function_call = kind == "name" and text in FORMULA_FUNCTIONS and next_text == "("
        operand_before = kind in ("number", "name") or text == ")"
        operand_after = next_kind in ("number", "name") or next_text == "("
        if operand_before and operand_after and not function_call:
            fail(f"The answer for {key!r} is {answer!r}: {text}{next_text} is an implicit product."
                 + _hint(f"a product needs *: write {text}*{next_text}."))
    return tokens


def read_formula(answer, *, key, variables=("x",)):
    """Parse a student's formula string with SymPy; fail with a clear message if unreadable.

    Accepts Python/SymPy syntax, ``^`` for powers, ``e**x``/``exp(x)``, ``ln``/``log``, ``sqrt``;
    products need ``*``.  Only whitelisted tokens reach SymPy (see formula_tokens).
    """
    if type(answer) is str:
        return _read_formula_once(answer, key, tuple(variables))
    return _read_formula(answer, key=key, variables=variables)


# SymPy's parsing is most of the cost of a formula check, and a class's answers (and the expected
# formulas they are compared with) repeat: parse each string once per grading process.  Failures
# are exceptions, which lru_cache does not keep: an unreadable answer is read again, and fails again.
@functools.lru_cache(maxsize=4096)
def _read_formula_once(answer, key, variables):
    return _read_formula(answer, key=key, variables=variables)


def _read_formula(answer, *, key, variables):
    import sympy
    from sympy.parsing.sympy_parser import convert_xor, parse_expr, standard_transformations

    allowed = ", ".join(variables)
    if not isinstance(answer, str):
        fail(f"The answer for {key!r} is {show(answer)} of type {type_name(answer)}, but a string "
             f"(a formula in {allowed}) was expected, e.g. \"3*x**2\".")
    if not answer.strip():
        fail(f"The answer for {key!r} is empty: write the derivative as a formula in {allowed}.")
    if "=" in answer:
        fail(f"The answer for {key!r} is {answer!r}: write only the right-hand side, without '='.")
    if len(answer) > FORMULA_MAX_LENGTH:
        fail(f"The answer for {key!r} is {len(answer)} characters long; a formula here needs far fewer "
             f"than {FORMULA_MAX_LENGTH}.")
    tokens = formula_tokens(answer, key=key, variables=variables)
    if any(kind == "number" and len(text) > 12 for kind, text in tokens):
        fail(f"The answer for {key!r} has a number with more than 12 digits: write exact values as "
             "fractions or formulas (1/3, sqrt(2)).")
    clean = " ".join(text for _, text in tokens)
    transformations = standard_transformations + (convert_xor,)
    try:
        # evaluate=False first: a tower such as 9**9**9 must be refused before SymPy computes it.
        unevaluated = parse_expr(clean, local_dict=_formula_namespace(variables),
                                 transformations=transformations, evaluate=False)
        powers = unevaluated.atoms(sympy.Pow) if isinstance(unevaluated, sympy.Basic) else ()
        for power in powers:
            if not power.exp.free_symbols and abs(complex(power.exp.evalf(15))) > 100:
                fail(f"The answer for {key!r} is {answer!r}, which has an exponent above 100: no derivative "
                     "here needs one.")
        expr = parse_expr(clean, local_dict=_formula_namespace(variables),
                          transformations=transformations, evaluate=True)
    except CheckFailed:
        raise
    except Exception as error:  # noqa: BLE001 - SymPy raises many kinds for bad input
        fail(f"The answer for {key!r} could not be read as a formula: {answer!r} "
             f"({type(error).__name__}: {str(error).splitlines()[0] if str(error) else 'syntax error'})."
             + _hint(FORMULA_SYNTAX))
    if not isinstance(expr, sympy.Expr):
        fail(f"The answer for {key!r} is {answer!r}, which is not a formula in {allowed}.")
    return expr


# A visible formula check: the student's formula against a central difference of the original
# function at one point.  With h = 1e-5 the central difference is off by about h**2 * f''' / 6
# (1e-10 relative for these functions) plus rounding, about 1e-16 / h = 1e-11; 1e-6 relative is far
# above both and far below the error of any wrong formula at the point.
FORMULA_STEP = 1e-5
FORMULA_RTOL = 1e-6


def right_at_point(answer, function, *, key, at, wrt="x", variables=("x",)):
    """True if expect_formula_at would pass (an unreadable or wrong formula gives False)."""
    return formula_problem_at(answer, function, key=key, at=at, wrt=wrt, variables=variables) is None


def formula_problem_at(answer, function, *, key, at, wrt="x", variables=("x",), slips=()):
    """The message expect_formula_at would fail with, or None if the formula is right at the point."""
    try:
        expect_formula_at(answer, function, key=key, at=at, wrt=wrt, variables=variables, slips=slips)
    except CheckFailed as failure:
        return str(failure)
    return None


def _near_misses(wanted, keys):
    """The keys that differ from `wanted` only in spaces, ^ for **, or case: a key typed by hand."""
    def plain(text):
        return re.sub(r"\s+", "", str(text)).replace("^", "**").lower()

    return [k for k in keys if isinstance(k, str) and k != wanted and plain(k) == plain(wanted)]


def expect_answer_dict(answers, *, name, required, example):
    """Check that a dict of formula answers exists and holds every required key.

    name: the variable's name in the notebook; example: how its first line looks (for the message).
    A key typed slightly differently (spaces, ^) is shown next to the one that was asked for.
    """
    if not isinstance(answers, dict):
        fail(f"{name} is {described(answers)}, but a dict was expected, e.g. {example}.")
    missing = [k for k in required if k not in answers]
    if missing:
        lines = []
        for key in missing:
            near = _near_misses(key, answers)
            lines.append(f"{key!r}" + (f" (it has {near[0]!r} instead: typed differently)" if near else ""))
        fail(f"{name} has no entry for the key(s) {', '.join(lines)}. Copy the keys exactly as given in the "
             "exercise: they are strings, compared character by character.")


def answer_for(answers, *, name, key):
    """answers[key], or a failure saying why there is none (not a dict, the key missing or typed differently)."""
    if not isinstance(answers, dict):
        fail(f"{name} is {described(answers)}, but a dict with an entry for the key {key!r} was expected.")
    if key not in answers:
        near = _near_misses(key, answers)
        fail(f"{name} has no entry for the key {key!r}" + (f"; it has {near[0]!r}, typed differently" if near else "")
             + ". Copy the keys exactly as given in the exercise.")
    return answers[key]


def expect_formula_at(answer, function, *, key, at, wrt="x", variables=("x",), slips=()):
    """Check a formula string at one point against a numerical derivative, without revealing the formula.

    function: the function being differentiated, a Python function of the variables (floats).
    at:       {variable: value}, the point.
    wrt:      the variable to differentiate with respect to.
    slips:    (wrong_formula, explanation) pairs, as for expect_formula: a wrong answer equal to one of
              them names its slip.
    """
    expr = read_formula(answer, key=key, variables=variables)
    symbols = _formula_namespace(variables)
    try:
        got = complex(expr.evalf(subs={symbols[v]: at[v] for v in variables}))
    except (TypeError, ValueError, ZeroDivisionError):
        got = complex("nan")
    up, down = dict(at), dict(at)
    up[wrt] += FORMULA_STEP
    down[wrt] -= FORMULA_STEP
    want = (function(**up) - function(**down)) / (2 * FORMULA_STEP)
    where = ", ".join(f"{v} = {at[v]}" for v in variables)
    real = abs(got.imag) < 1e-12
    if not (real and math.isclose(got.real, want, rel_tol=FORMULA_RTOL, abs_tol=1e-9)):
        slip = next((why for wrong, why in slips
                     if formulas_equal(expr, read_formula(wrong, key=key, variables=variables), variables)),
                    "check it term by term with the rules above (power rule, chain rule).")
        fail(f"The answer for {key!r} is {answer!r}, which is wrong at {where}: there it gives "
             f"{show(got.real) if real else 'no real number'}, which is not the derivative." + _hint(slip))


def _agree_numerically(got, want, symbols):
    """True if two expressions agree at several points of the (positive) domain."""
    for i, p in enumerate([0.5, 1.0, 1.7, 2.9, 4.2]):
        values = {s: p + 0.37 * j * (i + 1) for j, s in enumerate(symbols)}
        try:
            a = complex(got.evalf(subs=values))
            b = complex(want.evalf(subs=values))
        except (TypeError, ValueError, ZeroDivisionError):
            return False
        if not abs(a - b) <= 1e-9 * max(1.0, abs(b)):
            return False
    return True


def formulas_equal(got, want, variables):
    """Symbolic equality of two SymPy expressions.

    simplify() decides most cases; where it cannot reduce the difference to 0
    (it is not complete), agreement at several points of the domain decides.
    Disagreement at any point is always a wrong answer.
    """
    return _formulas_equal_once(got, want, tuple(variables))


@functools.lru_cache(maxsize=4096)  # SymPy expressions are immutable and hash by structure
def _formulas_equal_once(got, want, variables):
    import sympy

    symbols = [sympy.Symbol(v, positive=True) for v in variables]
    if not _agree_numerically(got, want, symbols):
        return False
    return True if sympy.simplify(got - want) == 0 else _agree_numerically(got, want, symbols)


def expect_formula(answer, expected, *, key, variables=("x",), slips=(), reveal=False):
    """Check that a formula string is mathematically equal to `expected` (a SymPy string).

    slips: (wrong_formula, explanation) pairs for typical mistakes.
    """
    got = read_formula(answer, key=key, variables=variables)
    if formulas_equal(got, read_formula(expected, key=key, variables=variables), variables):
        return
    for wrong, explanation in slips:
        if formulas_equal(got, read_formula(wrong, key=key, variables=variables), variables):
            fail(f"The answer for {key!r} is {answer!r}, which is not right." + _hint(explanation))
    message = f"The answer for {key!r} is {answer!r}, which is not right"
    fail(message + (f": something equal to {expected} was expected." if reveal else "."))


# ---------------------------------------------------------------- answers not defined, memory not set

NOT_DEFINED = ("{name} is not defined: its cell has not run to the end. If that cell still says "
               "`raise NotImplementedError()`, it is not answered yet: write your answer there and run it. "
               "If it holds your answer, run it and read its error: a SyntaxError (a missing comma, quote or "
               "bracket) stops the whole cell, so nothing in it is defined.")


def leaves_memory_unset(func):
    """True if func's code makes an array with np.empty or np.empty_like and never writes into it.

    np.empty does not set the values: the array holds whatever was in memory before, often zeros but
    not always, so a test of its values passes or fails by chance. Reading the code decides the same
    way every time (checks.code_of: in Jupyter from the function, when grading from the cells as
    submitted). Writing into the array (a.fill(0), a[...] = ..., np.copyto, out=) counts as setting it.
    """
    source, _ = code_of(func)
    try:
        tree = ast.parse(source or "")
    except (SyntaxError, TypeError, ValueError):
        return False
    makes_empty = writes = False
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            makes_empty |= called in ("empty", "empty_like")
            writes |= called in ("fill", "copyto", "put", "place", "putmask") \
                or any(k.arg == "out" for k in node.keywords)
        elif isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            writes |= any(isinstance(t, ast.Subscript) for t in targets) or isinstance(node, ast.AugAssign)
    return makes_empty and not writes


# ---------------------------------------------------------------- the formula exercises' slips

# Wrong formulas students write for the derivatives of notebook 01 (exercises 1 and 2), with the slip
# each one shows: the visible checks (at one point) and the hidden ones (symbolic) name the same slip.
FORMULA_SLIPS = {
    "x**3": [
        ("3*x**3", "the power rule lowers the exponent by one: (x^n)' = n*x^(n-1)."),
        ("x**2", "the exponent comes down as a factor: (x^n)' = n*x^(n-1)."),
        ("3*x", "the power rule lowers the exponent by exactly one, not by two."),
        ("x**4/4", "that is an antiderivative (integral) of x^3, not its derivative."),
    ],
    "exp(2*x)": [
        ("exp(2*x)", "chain rule: the outer derivative e^u must be multiplied by the derivative of the inner "
                     "function u = 2x."),
        ("2*x*exp(2*x)", "chain rule: multiply by the derivative of the inner function 2x, not by the inner "
                         "function itself."),
        ("2*x*exp(2*x - 1)", "the power rule is for x^n; e^(2x) is an exponential: (e^u)' = e^u * u'."),
    ],
    "1/exp(x)": [
        ("-1/exp(x)**2", "chain rule: -1/(e^x)^2 is only the outer derivative; multiply it by the derivative "
                         "of the inner function e^x."),
        ("exp(-x)", "the sign: 1/e^x decreases as x grows, so its derivative is negative."),
        ("-exp(x)/x**2", "chain rule: evaluate the outer derivative -1/u^2 at the inner function u = e^x, "
                         "not at x."),
        ("exp(x)", "the derivative of 1/e^x is not that of e^x: write it as 1/u with u = e^x and use the "
                   "chain rule."),
    ],
    "log(x**2 + 1)": [
        ("1/(x**2 + 1)", "chain rule: multiply the outer derivative 1/u by the derivative of the inner "
                         "function u = x^2 + 1."),
        ("2*x/((x**2 + 1)*log(10))", "here log is the natural logarithm ln (as in np.log), not log base 10."),
        ("1/(2*x)", "chain rule: the outer derivative 1/u is evaluated at the inner function u = x^2 + 1, not "
                    "at its derivative."),
        ("2*x*log(x**2 + 1)", "the derivative of ln(u) is 1/u, not ln(u)."),
    ],
    "1/x**2": [
        ("2/x**3", "the sign: 1/x^2 decreases for x > 0, so its derivative is negative there."),
        ("-1/x**4", "chain rule: -1/u^2 with u = x^2 must be multiplied by u' = 2x (or use the power rule "
                    "on x^(-2))."),
        ("-2/x", "power rule on x^(-2): the exponent goes down by one, not up."),
        ("-2/x**2", "power rule on x^(-2): the exponent goes down by one, from -2."),
    ],
    "df/dx": [
        ("2*x", "y is a constant factor when differentiating with respect to x: it stays in the result."),
        ("2*x*y + 3", "3y does not depend on x, so its partial derivative with respect to x is 0."),
        ("2*x*y + 3*y", "3y is a constant with respect to x: its derivative is 0, it does not stay."),
        ("x**2 + 3", "that is the partial derivative with respect to y, not x."),
    ],
    "df/dy": [
        ("x**2", "the term 3y also depends on y: differentiate it with respect to y too."),
        ("2*x*y", "that is the partial derivative with respect to x, not y."),
        ("x**2 + 3*y", "3y differentiated with respect to y no longer contains y."),
        ("2*x + 3", "x is a constant when differentiating with respect to y: x^2 is a constant factor of y."),
    ],
}


# ---------------------------------------------------------------- pairs of numbers

def _is_number(value):
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def expect_pair(result, *, call, names, floats=False):
    """The two numbers of a result meant to be the tuple (names[0], names[1]), as Python floats.

    floats=False accepts any two numbers in a tuple, list or 1-D array (the values are what the
    calling test checks); floats=True demands exactly a tuple of two floats.
    """
    wanted = f"the tuple ({names[0]}, {names[1]}) of two {'floats' if floats else 'numbers'}"
    if result is None:
        fail(f"{call} returned None, but {wanted} was expected." + _hint("did you forget to `return` the result?"))
    if _is_number(result) or (isinstance(result, np.ndarray) and result.ndim == 0):
        fail(f"{call} returned the single number {show(result)}, but {wanted} was expected."
             + _hint("return both values, separated by a comma."))
    sequence = isinstance(result, (tuple, list)) or (isinstance(result, np.ndarray) and result.ndim == 1)
    if not sequence:
        fail(f"{call} returned {described(result)}, but {wanted} was expected.")
    if len(result) != 2:
        fail(f"{call} returned {counted(len(result), 'value')}, {show(result)}, but {wanted} was expected.")
    if floats and not isinstance(result, tuple):
        fail(f"{call} returned {described(result)}, but {wanted} was expected."
             + _hint("return a tuple (values separated by commas), not a list or an array."))
    for name, value in zip(names, result, strict=False):
        if floats and not isinstance(value, (float, np.floating)):
            fail(f"{call} returned {show(result)}: its {name} entry is {described(value)}, but a float was "
                 "expected." + _hint("write whole numbers with a point (1.0 is a float, 1 an int), or "
                                     "convert with float(...)."))
        if not _is_number(value):
            fail(f"{call} returned {show(result)}: its {name} entry is {described(value)}, but a number was "
                 "expected.")
    return float(result[0]), float(result[1])


# ---------------------------------------------------------------- reorderings

def expect_reordering(result, values, *, call):
    """Check that a shuffle returned a 1-D NumPy array holding the elements of `values`, each exactly once."""
    expected_sorted = np.sort(np.asarray(values))
    if not isinstance(result, np.ndarray):
        fail(f"{call} returned {described(result)}, but a NumPy array was expected."
             + _hint("np.random.shuffle and a generator's shuffle work in place and return None: return the "
                     "reordered array itself." if result is None else
                     "build the result as a NumPy array." if isinstance(result, (list, tuple)) else ""))
    if result.shape != expected_sorted.shape:
        fail(f"{call} returned an array of shape {result.shape}, but shape {expected_sorted.shape} was expected.")
    try:
        same = np.array_equal(np.sort(result), expected_sorted)
    except TypeError:
        same = False
    if not same:
        slip = ""
        if np.array_equal(np.sort(result), np.arange(len(expected_sorted))):
            slip = ("these are the positions 0 to n-1 in a random order: return the values in that order, "
                    "picked from values by those positions.")
        elif len(np.unique(result)) < len(result):
            slip = ("drawing with replacement repeats some elements and leaves others out: a shuffle uses each "
                    "element exactly once.")
        fail(f"{call} returned {show(result)}, which does not hold the same elements as the input (each exactly "
             "once)." + _hint(slip))
