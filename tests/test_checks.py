"""The check helpers the notebooks' test cells use: messages, and no trust in returned objects."""

import sys

import numpy as np
import pytest

from devtools.scratch import REPO

sys.path.insert(0, str(REPO / "source" / "math_numpy"))
import checks  # noqa: E402 - lives beside the notebooks so nbgrader ships it with them

F = checks.CheckFailed


def message(func, *args, **kwargs):
    with pytest.raises(F) as info:
        func(*args, **kwargs)
    return str(info.value)


def test_expect_array_passes_equal_arrays_in_any_float_dtype():
    checks.expect_array(np.array([1.0, 2.0], dtype=np.float32), np.array([1.0, 2.0]), call="f()")


def test_expect_array_reports_type_then_shape_then_dtype_then_values():
    expected = np.arange(6.0).reshape(2, 3)
    assert "returned a list" in message(checks.expect_array, [[0.0]], expected, call="f(a)")
    assert "forget to `return`" in message(checks.expect_array, None, expected, call="f(a)")
    text = message(checks.expect_array, expected.T.copy(), expected, call="f(a)")
    assert "shape (3, 2)" in text and "(2, 3)" in text and "transpose" in text
    assert "integer" in message(checks.expect_array, expected.astype(int), expected, call="f(a)")
    text = message(checks.expect_array, expected + 1, expected, call="f(a)")
    assert "6 of 6 elements differ" in text and "Expected" in text


def test_expect_array_names_a_recognised_slip_and_can_hide_the_answer():
    expected = np.array([1.0, 2.0])
    text = message(checks.expect_array, np.array([2.0, 1.0]), expected, call="f()",
                   slips=[(np.array([2.0, 1.0]), "reversed order")])
    assert "Likely slip: reversed order" in text
    assert "Expected" not in message(checks.expect_array, np.array([0.0, 0.0]), expected, call="f()", reveal=False)


def test_expect_array_explains_nan_from_overflow():
    assert "overflow" in message(checks.expect_array, np.array([np.nan, 1.0]), np.array([0.5, 0.5]), call="f()")


def test_an_array_whose_eq_always_says_true_earns_nothing():
    class Liar(np.ndarray):
        def __eq__(self, other):
            return np.ones(self.shape, dtype=bool)

    liar = np.zeros(2).view(Liar)
    assert "elements differ" in message(checks.expect_array, liar, np.array([1.0, 2.0]), call="f()")


def test_an_object_that_claims_equality_is_not_an_array():
    class AlwaysEqual:
        def __eq__(self, other):
            return True

    assert "NumPy array" in message(checks.expect_array, AlwaysEqual(), np.zeros(2), call="f()")
    assert "type" in message(checks.expect_equal, AlwaysEqual(), (2, 3), call="f()")


def test_a_float_subclass_with_a_lying_abs_earns_nothing():
    class Lying(float):
        def __abs__(self):
            return 0.0

        def __sub__(self, other):
            return Lying(0.0)

        def __eq__(self, other):
            return True

    assert "but 2.0 was expected" in message(checks.expect_number, Lying(5.0), 2.0, call="f()")


def test_call_unchanged_each_checks_each_call_in_order_and_uses_planned_calls():
    results = checks.call_unchanged_each(lambda a, k: [x * k for x in a], [([1, 2], 1), ([1, 2], 3)], call="f(a, k)")
    assert list(results) == [[1, 2], [3, 6]]

    def center(a):
        a -= a.mean()
        return a

    arrays = [np.array([-1.0, 1.0]), np.array([1.0, 3.0])]
    results = checks.call_unchanged_each(center, [(a,) for a in arrays], call="center(a)")
    assert next(results).tolist() == [-1.0, 1.0]  # its mean is 0: left as it was
    assert "modified its argument number 1" in message(next, results)

    made = []  # each call is made as its result is asked for, so the test checks it before the next
    results = checks.call_unchanged_each(lambda x: made.append(x) or x, [(1,), (2,), (3,)], call="f(x)")
    assert next(results) == 1 and made == [1]

    class Planned:  # what grading hands the test for a student's function (coursekit.grading.student)
        def __init__(self):
            self.asked = None

        def planned_calls(self, arg_lists):
            self.asked = arg_lists
            return [lambda x: x + 100, lambda x: x + 200]

    planned = Planned()
    assert list(checks.call_unchanged_each(planned, [(1,), (2,)], call="f(x)")) == [101, 202]
    assert planned.asked == [(1,), (2,)]


def test_expect_number_checks_kind():
    checks.expect_number(np.float64(0.5), 0.5, call="f()")
    checks.expect_number(np.array(0.5), 0.5, call="f()")  # a 0-d float array is a float
    checks.expect_number(np.int64(3), 3, call="f()", kind=int)
    assert "float(...)" in message(checks.expect_number, 1, 1.0, call="f()")
    assert "int(...)" in message(checks.expect_number, 3.0, 3, call="f()", kind=int)
    assert "an int" in message(checks.expect_number, True, 1, call="f()", kind=int)


def test_expect_equal_compares_tuples_item_by_item():
    checks.expect_equal((2, 3), (2, 3), call="f()")
    assert "item 1" in message(checks.expect_equal, (2, 4), (2, 3), call="f()")
    assert "tuple" in message(checks.expect_equal, [2, 3], (2, 3), call="f()")


def test_call_unchanged_catches_in_place_changes():
    def in_place(a):
        a -= a.mean()
        return a

    text = message(checks.call_unchanged, in_place, np.array([1.0, 3.0]), call="center(a)")
    assert "modified its argument number 1" in text

    assert checks.call_unchanged(lambda a: a * 2, [1, 2], call="f(a)") == [1, 2, 1, 2]


def test_expect_raises():
    def strict(a):
        raise ValueError("shapes differ")

    checks.expect_raises(strict, 1, call="f(1)", why="it must")
    assert "returned 1" in message(checks.expect_raises, lambda a: a, 1, call="f(1)", why="x")
    assert "raised IndexError" in message(checks.expect_raises, lambda a: [][a], 1, call="f(1)", why="x")
    assert "without a message" in message(checks.expect_raises, lambda a: (_ for _ in ()).throw(ValueError()),
                                          1, call="f(1)", why="x")


@pytest.mark.parametrize("answer", ["2*exp(2*x)", "2*e^(2*x)", "2*e**(2*x)", "exp(2*x)*2", "2*exp(x)**2",
                                    "exp(2*x + ln(2))"])
def test_formulas_in_any_equivalent_notation_are_accepted(answer):
    checks.expect_formula(answer, "2*exp(2*x)", key="exp(2*x)")


@pytest.mark.parametrize("answer, fragment", [
    ("exp(2*x)", "inner derivative"),
    ("2*exp(2*x", "could not be read"),
    ("2*exp(2*z)", "unknown name 'z'"),
    ("y = 2*exp(2*x)", "without '='"),
    (2, "a string"),
    ("", "empty"),
])
def test_wrong_or_unreadable_formulas_fail_with_a_reason(answer, fragment):
    text = message(checks.expect_formula, answer, "2*exp(2*x)", key="exp(2*x)",
                   slips=[("exp(2*x)", "chain rule: the inner derivative 2 is missing")])
    assert fragment in text
    assert "2*exp(2*x)" not in text.replace(repr(answer), "")  # the answer is not revealed


@pytest.mark.parametrize("answer, fragment", [("exp(2*x)", "inner derivative"), ("2*exp(2*x", "could not be read"),
                                              ("2*exp(2*x)", None)])
def test_a_formula_read_again_is_judged_again_the_same_way(answer, fragment):
    """Formulas are parsed once per process (a cache): the second verdict is the first one."""
    verdicts = [message(checks.expect_formula, answer, "2*exp(2*x)", key="exp(2*x)",
                        slips=[("exp(2*x)", "chain rule: the inner derivative 2 is missing")])
                if fragment else checks.expect_formula(answer, "2*exp(2*x)", key="exp(2*x)") for _ in range(2)]
    assert verdicts[0] == verdicts[1]
    assert fragment is None or fragment in verdicts[0]


def test_log_means_natural_log_and_ln_too():
    checks.expect_formula("2*x/(x^2 + 1)", "2*x/(x**2 + 1)", key="log(x**2 + 1)")
    assert checks.formulas_equal(checks.read_formula("ln(x)", key="k"), checks.read_formula("log(x)", key="k"),
                                 ("x",))


def test_a_function_not_answered_yet_says_so_in_every_kind_of_check():
    def stub(*args):
        raise NotImplementedError()

    for text in (message(checks.call_unchanged, stub, 1, call="f(1)"),
                 message(checks.expect_raises, stub, 1, call="f(1)", why="1 is bad")):
        assert "f(1) is not answered yet" in text and "ValueError was expected" not in text


@pytest.mark.parametrize("student, slip", [
    (lambda rows, cols: np.zeros(rows, cols), "shape was passed as two arguments"),
    (lambda a, b: __import__("math").exp(a), "`math` works on single numbers only"),
    (lambda a, b: a ** -2, "negative integer power"),
    (lambda a, b: a.sum(axis=1), "an axis number the array does not have"),
])
def test_common_errors_in_the_students_function_name_the_slip(student, slip):
    text = message(checks.call_unchanged, student, np.arange(1, 4), 3, call="f(a, 3)")
    assert text.startswith("f(a, 3) raised ") and "Likely slip: " in text and slip in text


def test_other_errors_show_the_students_own_traceback():
    def student(a):
        return {}["missing"]

    text = message(checks.call_unchanged, student, 1, call="f(1)")
    assert "your function raised KeyError" in text and "return {}[\"missing\"]" in text
    assert "call_student" not in text  # the frame of the check itself is left out


def test_slips_are_named_before_the_type_is_criticised():
    text = message(checks.expect_number, 4.0, 3, kind=int, call="argmax_index(v)",
                   slips=[(4.0, "4 is the largest VALUE; argmax gives its INDEX.")])
    assert "largest VALUE" in text and "int(...)" not in text


def test_axes_moved_the_wrong_way_are_named_as_such_not_as_a_reshape():
    # np.moveaxis(a, -1, 0) where the last two axes should swap: every length is there, in another order.
    assert "axes were moved the wrong way" in checks.shape_slip((4, 2, 3), (2, 4, 3))
    assert "reshape" not in checks.shape_slip((4, 2, 3), (2, 4, 3))
    assert "the axes are reversed" in checks.shape_slip((4, 3, 2), (2, 3, 4))
    assert "reshape or flatten" in checks.shape_slip((6, 4), (2, 4, 3))


def test_the_axis_rule_has_one_wording():
    assert checks.AXIS_RULE in checks.shape_slip((3,), (4,))
    assert "down columns" not in open(checks.__file__).read()


@pytest.mark.parametrize("answer, fragment", [
    ("3x^2", "a product needs *: write 3*x"),
    ("x*y + xy", "a product needs *: write x*y, not xy"),
    ("2(x + 1)", "a product needs *: write 2*("),
    ("(x + 1)(x - 1)", "implicit product"),
    ("3*X**2", "names are lower case: write x, not X"),
    ("d/dx x^3", "looks like the operator d/dx"),
    ("3*x**2'", "without ' or d/dx"),
    ("__import__('os').system('true')", "is not allowed in a formula"),
    ("__import__ + x", "unknown name '__import__'"),
    ("x**(9**9**9)", "exponent above 100"),
])
def test_the_formula_reader_refuses_what_the_notebook_does_not_allow(answer, fragment):
    assert fragment in message(checks.read_formula, answer, key="k", variables=("x", "y"))


@pytest.mark.parametrize("answer, expected", [
    ("3*x²", "3*x**2"), ("−exp(−x)", "-exp(-x)"), ("2 · x · y", "2*x*y"), ("2×x⋅y", "2*x*y"),
    ("x⁻³", "x**-3"), ("(x + 1)²⁰ ÷ 2", "(x + 1)**20 / 2"), ("x\u00a0+\u00a0y", "x + y"),
])
def test_typographic_symbols_count_as_what_they_stand_for(answer, expected):
    # Copied from a document or typed on a phone: a typographic minus, a dot or cross, superscripts.
    read = checks.read_formula(answer, key="k", variables=("x", "y"))
    assert checks.formulas_equal(read, checks.read_formula(expected, key="k", variables=("x", "y")), ("x", "y"))


def test_a_typographic_formula_is_quoted_as_written_when_it_fails():
    text = message(checks.read_formula, "3x²", key="k")
    assert "'3x²'" in text and "a product needs *: write 3*x" in text
    assert "is not allowed in a formula" in message(checks.read_formula, "e⁻ˣ", key="k")  # ˣ is no superscript digit


def test_the_formula_reader_passes_only_whitelisted_tokens_to_sympy(monkeypatch):
    import sympy.parsing.sympy_parser as parser

    seen = []
    real = parser.parse_expr
    monkeypatch.setattr(parser, "parse_expr", lambda text, **kw: seen.append(text) or real(text, **kw))
    checks.read_formula("2 * exp(2*x)^2 + sqrt(x)/ln(x)", key="k")
    checks.read_formula("−2·x² × ln(x)", key="k")
    assert seen and all(set(t) <= set("0123456789.+-*/^() xexplnsqrtg") for t in seen)


def test_a_visible_formula_check_compares_at_a_point_without_revealing_the_formula():
    cube = lambda x: x ** 3  # noqa: E731
    checks.expect_formula_at("3*x^2", cube, key="x**3", at={"x": 1.3})
    text = message(checks.expect_formula_at, "0", cube, key="x**3", at={"x": 1.3})
    assert "wrong at x = 1.3" in text and "3*x" not in text and "5.07" not in text
    f = lambda x, y: x ** 2 * y + 3 * y  # noqa: E731
    checks.expect_formula_at("x^2 + 3", f, key="df/dy", at={"x": 1.3, "y": 0.7}, wrt="y", variables=("x", "y"))
    assert "wrong at x = 1.3, y = 0.7" in message(checks.expect_formula_at, "2*x*y", f, key="df/dy",
                                                  at={"x": 1.3, "y": 0.7}, wrt="y", variables=("x", "y"))
