"""The check helpers the notebooks' test cells use: messages, and no trust in returned objects."""


from pathlib import Path

import numpy as np
import pytest

from coursekit.grading.split.grader import load_checks
from coursekit.spec import ASSIGNMENT
from devtools.scratch import REPO

checks = load_checks(REPO / "source" / ASSIGNMENT / "checks.py")  # the instructor's copy, as the grader loads it

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

    class Planned:  # what grading hands the test for a student's function (coursekit.grading.split.student)
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
    assert "down columns" not in Path(checks.__file__).read_text(encoding="utf-8")


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


def test_a_function_is_named_as_a_function_never_by_the_class_that_carries_it():
    class StudentFunction:  # what grading hands the tests for a function of the notebook
        __module__ = "coursekit.grading.split.student"
        __name__ = "derivative"

        def __call__(self, x):
            return x

    for value, shown in ((StudentFunction(), "the function derivative"), (np.exp, "the function exp"),
                         (lambda x: x, "a function (a lambda)")):
        assert checks.type_name(value) == "function" and checks.show(value) == shown
        text = message(checks.expect_number, value, 1.0, call="g(1.0)")
        assert f"g(1.0) returned {shown}, but a float was expected" in text and "coursekit" not in text
        assert "call it" in text


def test_counts_and_articles_read_as_english():
    assert [checks.counted(1, "row"), checks.counted(3, "row"), checks.counted(1, "entry"),
            checks.counted(2, "entry"), checks.counted(1, "axis", "axes"), checks.counted(0, "axis", "axes")] == \
        ["1 row", "3 rows", "1 entry", "2 entries", "1 axis", "0 axes"]
    assert "but an int was expected" in message(checks.expect_equal, 2.0, 2, call="f()")
    assert "but a tuple was expected" in message(checks.expect_equal, [2, 3], (2, 3), call="f()")


def test_an_argument_changed_by_rounding_is_shown_to_full_precision():
    def restores_by_arithmetic(x):
        x[2] += 1e-5
        x[2] -= 1e-5
        return x.copy()

    text = message(checks.call_unchanged, restores_by_arithmetic, np.array([1.0, -2.0, 0.5]), call="g(x)")
    assert "by rounding" in text and "0.5 before" in text and "0.49999999999999994 after" in text
    assert "x.copy()" in text and "a -= m" not in text


def test_an_argument_shuffled_in_place_is_named_as_reordered():
    def shuffles(values):
        np.random.default_rng(0).shuffle(values)

    text = message(checks.call_unchanged, shuffles, [1, 2, 3, 4, 5], call="shuffled(values, 0)")
    assert "reordered its argument number 1 in place" in text and "return None" in text and "a -= m" not in text


@pytest.mark.parametrize("student, argument, slip", [
    (lambda a: float(sum(sum(a))), np.ones((2, 2, 2)), "Python's built-in sum adds along the first axis only"),
    (lambda a: float(sum(sum(a))), np.ones(3), "Python's built-in sum adds along the first axis only"),
    (lambda a: 2 * a ^ 2, 3.0, "^ is not a power"),
    (lambda a: 2 * a ^ 2, np.ones(2), "^ is not a power"),
    (lambda a: a.index(3), np.arange(4), "arrays have no .index"),
    (lambda a: a.transpose(0, 2, 1), np.ones((2, 2)), "fits 3-D arrays only"),
    (lambda a: np.subtract(a, 0.5, out=a), np.arange(4), "tried to store fractions in an integer array"),
    (lambda a: undefined_x * a, 1.0, "neither one of its arguments nor defined inside it"),  # noqa: F821
])
def test_more_errors_name_their_slip(student, argument, slip):
    text = message(checks.call_unchanged, student, argument, call="f(a)")
    assert "Likely slip: " in text and slip in text, text


def test_an_exercise_names_its_own_slip_for_an_error_first():
    text = message(checks.call_unchanged, lambda a: a - a.mean(axis=1), np.ones((3, 2)), call="f(a)",
                   errors=[(ValueError, "could not be broadcast", "the wrong axis")])
    assert text.endswith("Likely slip: the wrong axis")


def test_a_sequence_of_results_is_named_as_such():
    path = [np.zeros(2), np.ones(2), np.full(2, 2.0)]
    assert "a whole sequence came back" in message(checks.expect_array, path, np.ones(2), call="g()")
    text = message(checks.expect_array, np.array(path), np.ones(2), call="g()",
                   shape_slips=[((3, 2), "that is the whole path")])
    assert "Likely slip: that is the whole path" in text


def test_a_slip_is_named_before_the_dtype_is_criticised_but_never_for_right_values():
    scores = np.array([[0.1, 2.0], [1.5, 0.2]])
    text = message(checks.expect_array, scores.max(axis=1), np.array([1, 0]), call="g()",
                   slips=[(scores.max(axis=1), "those are the scores")])
    assert "those are the scores" in text and "dtype" not in text
    text = message(checks.expect_array, np.array([1.0, 0.0]), np.array([1, 0]), call="g()",
                   slips=[(np.array([1.0, 0.0]), "a slip that happens to be right")])
    assert "integer dtype" in text


def test_a_boolean_array_where_one_bool_was_expected():
    text = message(checks.expect_bool, np.array([True, False]), True, call="g()")
    assert "one bool" in text and "entry by entry" in text


def test_a_check_raised_the_wrong_way_is_named():
    def asserts(a):
        assert a > 0, "negative"

    def general(a):
        raise Exception("negative")

    assert "an assert statement raises AssertionError" in message(
        checks.expect_raises, asserts, -1, call="f(-1)", why="-1 is negative")
    assert "not the general Exception" in message(checks.expect_raises, general, -1, call="f(-1)", why="x")


def test_pairs_of_numbers():
    assert checks.expect_pair((1, 2.0), call="f()", names=("a", "b")) == (1.0, 2.0)
    assert "the single number 1.0" in message(checks.expect_pair, 1.0, call="f()", names=("a", "b"))
    assert "returned 3 values" in message(checks.expect_pair, (1.0, 2.0, 3.0), call="f()", names=("a", "b"))
    assert "its a entry is 1 of type int" in message(checks.expect_pair, (1, 2), call="f()", names=("a", "b"),
                                                     floats=True)
    assert "not a list" in message(checks.expect_pair, [1.0, 2.0], call="f()", names=("a", "b"), floats=True)


def test_answer_dicts_show_a_key_typed_differently():
    text = message(checks.expect_answer_dict, {"log(x**2+1)": "1"}, name="answers", required=["log(x**2 + 1)"],
                   example="answers = {...}")
    assert "'log(x**2 + 1)' (it has 'log(x**2+1)' instead" in text
    assert "it has 'x^3'" in message(checks.answer_for, {"x^3": "3*x**2"}, name="answers", key="x**3")


def test_a_visible_formula_check_names_the_slip_it_recognises():
    text = message(checks.expect_formula_at, "3*x**3", lambda x: x ** 3, key="x**3", at={"x": 1.3},
                   slips=checks.FORMULA_SLIPS["x**3"])
    assert "wrong at x = 1.3" in text and "lowers the exponent by one" in text
    assert "without np. in front" in message(checks.read_formula, "2*np.exp(2*x)", key="k")


def test_np_empty_left_unset_is_read_from_the_code(tmp_path, monkeypatch):
    module = tmp_path / "answers_empty.py"
    module.write_text("import numpy as np\n\ndef unset(r, c):\n    return np.empty((r, c))\n\n"
                      "def filled(r, c):\n    a = np.empty((r, c))\n    a.fill(0.0)\n    return a\n\n"
                      "def zeros(r, c):\n    return np.zeros((r, c))\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import answers_empty

    assert checks.leaves_memory_unset(answers_empty.unset)
    assert not checks.leaves_memory_unset(answers_empty.filled) and not checks.leaves_memory_unset(answers_empty.zeros)


def test_a_failed_check_renders_as_its_message_outside_ipython_too():
    with pytest.raises(F) as info:
        checks.fail("f() returned 2.\nLikely slip: x.")
    assert info.value._render_traceback_() == ["\x1b[31mCheckFailed\x1b[39m: f() returned 2.\nLikely slip: x."]


def test_the_graders_stand_in_for_a_function_never_reaches_a_message():
    class StudentFunction:
        pass

    def student(x):
        return StudentFunction() ** 2

    text = message(checks.call_unchanged, student, 1.0, call="f(1.0)")
    assert "StudentFunction" not in text and "'function' and 'int'" in text and "must be called" in text


def test_arguments_passed_by_name_reach_the_function_and_a_renamed_one_is_named():
    assert checks.call_unchanged(lambda x, h=1: x * h, 2.0, call="f(2.0, h=3)", keywords={"h": 3}) == 6.0
    text = message(checks.call_unchanged, lambda x, step=1: x, 2.0, call="f(2.0, h=3)", keywords={"h": 3})
    assert "keep its name and its arguments" in text
