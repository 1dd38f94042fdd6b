# %% derivative_answers | correct | ^ powers, e^x, spaces, unsimplified chain-rule forms
derivative_answers = {
    "x**3": "3*x^2",
    "exp(2*x)": "e^(2 * x) * 2",
    "1/exp(x)": "-1/(e^x)^2 * e^x",
    "log(x**2 + 1)": "1/(x^2 + 1) * 2*x",
    "1/x**2": "-2*x^(-3)",
}
# %% derivative_answers | mistake | implicit products (3x^2): the notebook asks for * in every product
# expect: a product needs *: write 3*x
derivative_answers = {
    "x**3": "3x^2",
    "exp(2*x)": "2*exp(2*x)",
    "1/exp(x)": "-exp(-x)",
    "log(x**2 + 1)": "2*x/(x**2 + 1)",
    "1/x**2": "-2/x**3",
}
# %% derivative_answers | mistake | capital X
# expect: names are lower case
derivative_answers = {
    "x**3": "3*X**2",
    "exp(2*x)": "2*exp(2*x)",
    "1/exp(x)": "-exp(-x)",
    "log(x**2 + 1)": "2*x/(x**2 + 1)",
    "1/x**2": "-2/x**3",
}
# %% derivative_answers | mistake | the operator written in: "d/dx x^3"
# expect: looks like the operator d/dx
derivative_answers = {
    "x**3": "d/dx x^3",
    "exp(2*x)": "2*exp(2*x)",
    "1/exp(x)": "-exp(-x)",
    "log(x**2 + 1)": "2*x/(x**2 + 1)",
    "1/x**2": "-2/x**3",
}
# %% derivative_answers | correct | e**x, ln, products written out, negative exponents
derivative_answers = {
    "x**3": "3*x*x",
    "exp(2*x)": "2*e**(2*x)",
    "1/exp(x)": "-e**(-x)",
    "log(x**2 + 1)": "2*x*(x**2 + 1)**(-1)",
    "1/x**2": "-2/(x*x*x)",
}
# %% derivative_answers | correct | exp(), spaces, quotient-rule forms
derivative_answers = {
    "1/x**2": "(0 * x**2 - 1 * 2*x) / (x**2)**2",
    "log(x**2 + 1)": "2 * x / (1 + x ** 2)",
    "1/exp(x)": "-exp(x) / exp(2*x)",
    "exp(2*x)": "2 * exp(x)**2",
    "x**3": "3 * x ** (3 - 1)",
}
# %% derivative_answers | mistake | chain rule without the inner derivative for exp(2x)
# expect: derivative of the inner function u = 2x
# visible: derivative of the inner function u = 2x
derivative_answers = {
    "x**3": "3*x**2",
    "exp(2*x)": "exp(2*x)",
    "1/exp(x)": "-exp(-x)",
    "log(x**2 + 1)": "2*x/(x**2 + 1)",
    "1/x**2": "-2/x**3",
}
# %% derivative_answers | mistake | 1/exp(x): only the outer derivative -1/(e^x)^2
# expect: only the outer derivative
derivative_answers = {
    "x**3": "3*x**2",
    "exp(2*x)": "2*exp(2*x)",
    "1/exp(x)": "-1/(e^x)^2",
    "log(x**2 + 1)": "2*x/(x**2 + 1)",
    "1/x**2": "-2/x**3",
}
# %% derivative_answers | mistake | 1/exp(x): sign lost
# expect: the sign
derivative_answers = {
    "x**3": "3*x**2",
    "exp(2*x)": "2*exp(2*x)",
    "1/exp(x)": "1/e^x",
    "log(x**2 + 1)": "2*x/(x**2 + 1)",
    "1/x**2": "-2/x**3",
}
# %% derivative_answers | mistake | log read as log base 10
# expect: not log base 10
derivative_answers = {
    "x**3": "3*x**2",
    "exp(2*x)": "2*exp(2*x)",
    "1/exp(x)": "-exp(-x)",
    "log(x**2 + 1)": "2*x / ((x**2 + 1) * ln(10))",
    "1/x**2": "-2/x**3",
}
# %% derivative_answers | mistake | 1/x**2 as -1/(x^2)^2: chain rule without the inner 2x
# expect: must be multiplied by u' = 2x
derivative_answers = {
    "x**3": "3*x**2",
    "exp(2*x)": "2*exp(2*x)",
    "1/exp(x)": "-exp(-x)",
    "log(x**2 + 1)": "2*x/(x**2 + 1)",
    "1/x**2": "-1/(x^2)^2",
}
# %% derivative_answers | mistake | one unreadable entry (unbalanced parenthesis)
# expect: could not be read as a formula
derivative_answers = {
    "x**3": "3*x**2)",
    "exp(2*x)": "2*exp(2*x)",
    "1/exp(x)": "-exp(-x)",
    "log(x**2 + 1)": "2*x/(x**2 + 1)",
    "1/x**2": "-2/x**3",
}
# %% derivative_answers | mistake | key written differently from the exercise
# expect: no entry for the key
derivative_answers = {
    "x**3": "3*x**2",
    "exp(2*x)": "2*exp(2*x)",
    "1/exp(x)": "-exp(-x)",
    "log(x^2 + 1)": "2*x/(x**2 + 1)",
    "1/x**2": "-2/x**3",
}
# %% derivative_answers | mistake | whole equation written instead of the right-hand side
# expect: without '='
derivative_answers = {
    "x**3": "f'(x) = 3*x**2",
    "exp(2*x)": "2*exp(2*x)",
    "1/exp(x)": "-exp(-x)",
    "log(x**2 + 1)": "2*x/(x**2 + 1)",
    "1/x**2": "-2/x**3",
}
# %% partial_answers | correct | ^ and spaces
partial_answers = {"df/dx": "2 * x * y", "df/dy": "x^2 + 3"}
# %% partial_answers | mistake | implicit product xy
# expect: write x*y, not xy
partial_answers = {"df/dx": "2*xy", "df/dy": "x^2 + 3"}
# %% partial_answers | correct | reordered factors, unexpanded
partial_answers = {
    "df/dy": "3 + x*x",
    "df/dx": "y * 2 * x + 0 * 3",
}
# %% partial_answers | mistake | y dropped from df/dx
# expect: y is a constant factor
partial_answers = {"df/dx": "2*x", "df/dy": "x**2 + 3"}
# %% partial_answers | mistake | the two partial derivatives swapped
# expect: partial derivative with respect to y, not x
partial_answers = {"df/dx": "x**2 + 3", "df/dy": "2*x*y"}
# %% partial_answers | mistake | constant term 3y kept in df/dx
# expect: its derivative is 0
partial_answers = {"df/dx": "2*x*y + 3*y", "df/dy": "x**2 + 3"}
# %% partial_answers | mistake | the 3 from 3y forgotten in df/dy
# expect: differentiate it with respect to y too
partial_answers = {"df/dx": "2*x*y", "df/dy": "x**2"}
# %% partial_answers | mistake | a typo leaves a name other than x and y
# expect: unknown name
partial_answers = {"df/dx": "2*x*y", "df/dy": "x**2 + 3*z"}
# %% d_constant | correct | 0.0 times a float array
def d_constant(x):
    return 0.0 * np.asarray(x, dtype=float)
# %% d_constant | correct | explicit branch for arrays and floats
def d_constant(x):
    if isinstance(x, np.ndarray):
        return np.zeros(x.shape)
    return 0.0
# %% d_constant | mistake | returns the number 0.0 also for arrays
# expect: not a single number
def d_constant(x):
    return 0.0
# %% d_constant | mistake | np.zeros_like(x) keeps an integer dtype
# expect: floating-point dtype
def d_constant(x):
    return np.zeros_like(x)
# %% d_constant | mistake | returns the int 0
# expect: convert with float(...)
def d_constant(x):
    return 0
# %% d_identity | correct | np.ones of x's shape
def d_identity(x):
    return np.ones(np.shape(x))
# %% d_identity | correct | np.full_like with a float fill
def d_identity(x):
    return np.full_like(x, 1.0, dtype=float)
# %% d_identity | mistake | returns the number 1.0 also for arrays
# expect: not a single number
def d_identity(x):
    return 1.0
# %% d_identity | mistake | np.ones_like(x) keeps an integer dtype
# expect: floating-point dtype
def d_identity(x):
    return np.ones_like(x)
# %% d_identity | mistake | returns f(x) = x itself
# expect: its derivative is 1 everywhere
def d_identity(x):
    return x
# %% d_exp | correct | np.e ** x
def d_exp(x):
    return np.e ** x
# %% d_exp | correct | np.power with a float base
def d_exp(x):
    return np.power(np.e, np.asarray(x, dtype=float))
# %% d_exp | mistake | math.exp: not vectorised
# expect: TypeError
import math


def d_exp(x):
    return math.exp(x)
# %% d_exp | mistake | power rule applied to e^x
# expect: power rule is for x^n
def d_exp(x):
    return x * np.exp(x - 1)
# %% d_square | correct | float factor on the right
def d_square(x):
    return x * 2.0
# %% d_square | correct | np.multiply into floats
def d_square(x):
    return np.multiply(2, x, dtype=float)
# %% d_square | mistake | returns x**2 itself
# expect: x^2 itself
def d_square(x):
    return x ** 2
# %% d_square | mistake | 2 * x: integer array for an integer x
# expect: floating-point dtype
def d_square(x):
    return 2 * x
# %% d_square | mistake | 2 ** x instead of 2 * x
# expect: not 2 to the power x
def d_square(x):
    return 2 ** x
# %% d_reciprocal | correct | float negative power
def d_reciprocal(x):
    return -(x ** -2.0)
# %% d_reciprocal | correct | -1 / (x * x)
def d_reciprocal(x):
    return -1 / (x * x)
# %% d_reciprocal | mistake | sign lost
# expect: the sign
def d_reciprocal(x):
    return 1 / x ** 2
# %% d_reciprocal | mistake | integer power -2: fails for integer arrays
# expect: Integers to negative integer powers
def d_reciprocal(x):
    return -x ** -2
# %% d_reciprocal | mistake | exponent not lowered (-1/x)
# expect: power rule on x^(-1)
def d_reciprocal(x):
    return -1 / x
# %% d_reciprocal | mistake | the antiderivative ln|x|
# expect: antiderivative
def d_reciprocal(x):
    return np.log(np.abs(x))
# %% d_log | correct | np.reciprocal of a float array
def d_log(x):
    return np.reciprocal(np.asarray(x, dtype=float))
# %% d_log | correct | float power -1
def d_log(x):
    return x ** -1.0
# %% d_log | mistake | returns ln(x) itself
# expect: ln(x) itself
def d_log(x):
    return np.log(x)
# %% d_log | mistake | derivative of log base 10
# expect: log base 10
def d_log(x):
    return 1 / (x * np.log(10))
# %% d_log | mistake | derivative of 1/x instead of ln(x)
# expect: that is the derivative of 1/x
def d_log(x):
    return -1 / x ** 2
# %% d_log | mistake | integer power -1: fails for integer arrays
# expect: Integers to negative integer powers
def d_log(x):
    return x ** -1
# %% partials_sum | correct | named values, explicit tuple
def partials_sum(x, y):
    df_dx = float(1)
    df_dy = float(2)
    return (df_dx, df_dy)
# %% partials_sum | correct | NumPy floats
def partials_sum(x, y):
    return np.float64(1), np.float64(2)
# %% partials_sum | mistake | ints instead of floats
# expect: its df/dx entry is 1 of type int
# visible: its df/dx entry is 1 of type int
def partials_sum(x, y):
    return 1, 2
# %% partials_sum | mistake | returns a list
# expect: tuple
def partials_sum(x, y):
    return [1.0, 2.0]
# %% partials_sum | mistake | order swapped
# expect: did you swap them
def partials_sum(x, y):
    return 2.0, 1.0
# %% partials_sum | mistake | returns the terms x and 2y, not their derivatives
# expect: not its derivative
def partials_sum(x, y):
    return x, 2 * y
# %% partials_product | correct | multiplied by 1.0
def partials_product(x, y):
    return (1.0 * y, 1.0 * x)
# %% partials_product | correct | tuple() of a reversed list
def partials_product(x, y):
    return tuple(float(v) for v in [x, y][::-1])
# %% partials_product | mistake | (x, y) instead of (y, x)
# expect: did you swap
def partials_product(x, y):
    return x, y
# %% partials_product | mistake | returns a list
# expect: tuple
def partials_product(x, y):
    return [y, x]
# %% partials_product | mistake | each partial taken as 1
# expect: constant factor
def partials_product(x, y):
    return 1.0, 1.0
# %% partials_product | mistake | returns f = x*y for both
# expect: f itself
def partials_product(x, y):
    return x * y, x * y
# %% gradient_product | correct | fill an empty array
def gradient_product(x, y):
    grad = np.empty(2)
    grad[0] = y
    grad[1] = x
    return grad
# %% gradient_product | correct | reversed (x, y) via np.flip
def gradient_product(x, y):
    return np.flip(np.array([x, y], dtype=float))
# %% gradient_product | mistake | (x, y) instead of (y, x)
# expect: not (x, y)
def gradient_product(x, y):
    return np.array([x, y], dtype=float)
# %% gradient_product | mistake | returns a list
# expect: NumPy array
def gradient_product(x, y):
    return [y, x]
# %% gradient_product | mistake | column vector of shape (2, 1)
# expect: shape (2,)
def gradient_product(x, y):
    return np.array([[y], [x]], dtype=float)
# %% gradient_product | mistake | gradient of ones (constant factors dropped)
# expect: wrong values
def gradient_product(x, y):
    return np.ones(2)
# %% d_inverse_exp | correct | -1 / np.exp(x)
def d_inverse_exp(x):
    return -1 / np.exp(x)
# %% d_inverse_exp | correct | seed's unsimplified chain-rule product
def d_inverse_exp(x):
    u = np.exp(x)
    return -1 / u ** 2 * u
# %% d_inverse_exp | mistake | forgets the inner derivative: -1/(e^x)^2
# expect: multiply it by the inner derivative
def d_inverse_exp(x):
    return -1 / np.exp(x) ** 2
# %% d_inverse_exp | mistake | sign lost
# expect: the sign
def d_inverse_exp(x):
    return np.exp(-x)
# %% d_inverse_exp | mistake | math.exp: not vectorised
# expect: TypeError
import math


def d_inverse_exp(x):
    return -math.exp(-x)
# %% d_inverse_exp | mistake | outer derivative evaluated at x
# expect: not at x
def d_inverse_exp(x):
    return -1 / x ** 2 * np.exp(x)
# %% chain_rule | correct | lambda
def chain_rule(df_outer, f_inner, df_inner):
    return lambda x: df_inner(x) * df_outer(f_inner(x))
# %% chain_rule | correct | callable object
def chain_rule(df_outer, f_inner, df_inner):
    class Derivative:
        def __call__(self, x):
            inner_value = f_inner(x)
            return df_outer(inner_value) * df_inner(x)

    return Derivative()
# %% chain_rule | mistake | outer derivative evaluated at x
# expect: not at x
def chain_rule(df_outer, f_inner, df_inner):
    return lambda x: df_outer(x) * df_inner(x)
# %% chain_rule | mistake | forgets the inner derivative
# expect: missing from the product
def chain_rule(df_outer, f_inner, df_inner):
    def derivative(x):
        return df_outer(f_inner(x))
    return derivative
# %% chain_rule | mistake | returns a number, not a function
# expect: a function of x
# visible: but a function of x was expected
def chain_rule(df_outer, f_inner, df_inner, x=1.0):
    return df_outer(f_inner(x)) * df_inner(x)
# %% chain_rule | mistake | df_inner and f_inner mixed up inside df_outer
# expect: not at df_inner(x)
def chain_rule(df_outer, f_inner, df_inner):
    return lambda x: df_outer(df_inner(x)) * df_inner(x)
# %% numerical_derivative | correct | divides by h, then by 2
def numerical_derivative(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / h / 2
# %% numerical_derivative | correct | half the sum of forward and backward slopes
def numerical_derivative(f, x, h=1e-5):
    forward = (f(x + h) - f(x)) / h
    backward = (f(x) - f(x - h)) / h
    return 0.5 * (forward + backward)
# %% numerical_derivative | mistake | forward difference
# expect: forward difference
def numerical_derivative(f, x, h=1e-5):
    return (f(x + h) - f(x)) / h
# %% numerical_derivative | mistake | / 2*h without parentheses
# expect: (a / 2) * h
def numerical_derivative(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / 2*h
# %% numerical_derivative | mistake | divides by h instead of 2h
# expect: divide by 2h
def numerical_derivative(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / h
# %% numerical_derivative | mistake | ignores the h argument
# expect: h was not used
def numerical_derivative(f, x, h=1e-5):
    step = 1e-5
    return (f(x + step) - f(x - step)) / (2 * step)
# %% numerical_gradient | correct | flat index with step arrays
def numerical_gradient(f, x, h=1e-5):
    x = np.asarray(x, dtype=float)
    grad = np.zeros(x.shape)
    for i in range(x.size):
        step = np.zeros(x.shape)
        step.flat[i] = h
        grad.flat[i] = (f(x + step) - f(x - step)) / (2 * h)
    return grad
# %% numerical_gradient | correct | cs231n style: perturb x itself, restore the saved value
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x, dtype=float)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + h
        fxph = f(x)
        x[ix] = old - h
        fxmh = f(x)
        x[ix] = old
        grad[ix] = (fxph - fxmh) / (2 * h)
        it.iternext()
    return grad
# %% numerical_gradient | correct | flattened copies, list of partials reshaped
def numerical_gradient(f, x, h=1e-5):
    flat = x.astype(float).ravel()
    partials = []
    for i in range(flat.size):
        plus = flat.copy()
        plus[i] += h
        minus = flat.copy()
        minus[i] -= h
        partials.append((f(plus.reshape(x.shape)) - f(minus.reshape(x.shape))) / (2 * h))
    return np.array(partials).reshape(x.shape)
# %% numerical_gradient | mistake | forward difference
# expect: forward difference
def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    fx = f(x)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + h
        grad[index] = (f(x) - fx) / h
        x[index] = old
    return grad
# %% numerical_gradient | mistake | perturbs x in place and never restores it
# expect: modified its argument
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        x[index] += h
        f_plus = f(x)
        x[index] -= 2 * h
        f_minus = f(x)
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad
# %% numerical_gradient | mistake | 1-D loop over len(x): moves whole rows of a 2-D x
# expect: is a whole row
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x, dtype=float)
    for i in range(len(x)):
        plus = x.copy()
        plus[i] += h
        minus = x.copy()
        minus[i] -= h
        grad[i] = (f(plus) - f(minus)) / (2 * h)
    return grad
# %% numerical_gradient | mistake | returns a list of partial derivatives
# expect: NumPy array
def numerical_gradient(f, x, h=1e-5):
    grads = []
    for i in range(x.size):
        step = np.zeros(x.shape)
        step.flat[i] = h
        grads.append((f(x + step) - f(x - step)) / (2 * h))
    return grads
# %% numerical_gradient | mistake | return inside the loop: only the first entry is filled
# expect: wrong values
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in range(x.size):
        step = np.zeros(x.shape)
        step.flat[i] = h
        grad.flat[i] = (f(x + step) - f(x - step)) / (2 * h)
        return grad
# %% gradient_descent | correct | in-place updates on a float copy
def gradient_descent(grad, x0, learning_rate, steps):
    x = x0.astype(float)
    for _ in range(steps):
        x -= learning_rate * grad(x)
    return x
# %% gradient_descent | correct | while loop with a counter
def gradient_descent(grad, x0, learning_rate, steps):
    x = x0 + 0.0
    done = 0
    while done < steps:
        step = np.multiply(learning_rate, grad(x))
        x = np.subtract(x, step)
        done += 1
    return x
# %% gradient_descent | mistake | x = x0 then x -= ...: modifies x0
# expect: modified its argument
def gradient_descent(grad, x0, learning_rate, steps):
    x = x0
    for _ in range(steps):
        x -= learning_rate * grad(x)
    return x
# %% gradient_descent | mistake | + instead of -: gradient ascent
# expect: minus, to go downhill
def gradient_descent(grad, x0, learning_rate, steps):
    x = np.array(x0, dtype=float)
    for _ in range(steps):
        x = x + learning_rate * grad(x)
    return x
# %% gradient_descent | mistake | one update too many (range(steps + 1))
# expect: exactly one update
def gradient_descent(grad, x0, learning_rate, steps):
    x = np.array(x0, dtype=float)
    for _ in range(steps + 1):
        x = x - learning_rate * grad(x)
    return x
# %% gradient_descent | mistake | gradient computed once at x0
# expect: evaluated again at the current x
def gradient_descent(grad, x0, learning_rate, steps):
    x = np.array(x0, dtype=float)
    g = grad(x0)
    for _ in range(steps):
        x = x - learning_rate * g
    return x
# %% gradient_descent | mistake | returns the list of all points
# expect: a whole sequence came back
# visible: a whole sequence came back
# absent: np.array(...)
def gradient_descent(grad, x0, learning_rate, steps):
    path = [np.array(x0, dtype=float)]
    for _ in range(steps):
        path.append(path[-1] - learning_rate * grad(path[-1]))
    return path
# %% gradient_descent | mistake | returns the whole path as an array
# expect: that is the whole path
# visible: that is the whole path
def gradient_descent(grad, x0, learning_rate, steps):
    path = [np.array(x0, dtype=float)]
    for _ in range(steps):
        path.append(path[-1] - learning_rate * grad(path[-1]))
    return np.array(path)
# %% d_exp | correct | the ufunc itself, by assignment
d_exp = np.exp
# %% d_square | correct | a lambda bound to the name
d_square = lambda x: 2 * np.asarray(x, dtype=float) if np.ndim(x) else 2.0 * x
# %% d_reciprocal | correct | np.power with a negative float exponent
def d_reciprocal(x):
    return -np.power(x, -2.0)
# %% d_log | correct | np.reciprocal of a float array
def d_log(x):
    return np.reciprocal(np.asarray(x, dtype=float))
# %% chain_rule | correct | functools.partial of a helper
import functools
def _chained(df_outer, f_inner, df_inner, x):
    return df_outer(f_inner(x)) * df_inner(x)
def chain_rule(df_outer, f_inner, df_inner):
    return functools.partial(_chained, df_outer, f_inner, df_inner)
# %% numerical_derivative | correct | a callable object
class _Central:
    def __call__(self, f, x, h=1e-5):
        return (f(x + h) - f(x - h)) / (2 * h)
numerical_derivative = _Central()
# %% gradient_descent | correct | in-place updates of a float copy
def gradient_descent(grad, x0, learning_rate, steps):
    x = np.array(x0, dtype=float, copy=True)
    for _ in range(steps):
        x -= learning_rate * np.asarray(grad(x), dtype=float)
    return x
# %% gradient_descent | mistake | computes each update but never assigns it
# expect: no step was taken
def gradient_descent(grad, x0, learning_rate, steps):
    x = np.array(x0, dtype=float)
    for _ in range(steps):
        x - learning_rate * grad(x)
    return x
# %% d_constant | correct | np.zeros(np.shape(x)): a float array of shape () for a float x
def d_constant(x):
    return np.zeros(np.shape(x))
# %% derivative_answers | correct | floats, a trailing space, exp(-x)*-1, mixed ^ and **
derivative_answers = {
    "x**3": "3.0*x^2 ",
    "exp(2*x)": "exp(2*x)*2",
    "1/exp(x)": "exp(-x)*-1",
    "log(x**2 + 1)": "(2*x)/(x^2+1.0)",
    "1/x**2": "(-2)/(x**3)",
}
# %% derivative_answers | correct | the constant E, a sum of squares, a negative power without brackets
derivative_answers = {
    "x**3": "x**2 + x**2 + x**2",
    "exp(2*x)": "2*E**(2*x)",
    "1/exp(x)": "-(1/exp(x))",
    "log(x**2 + 1)": "2*x*1/(x**2 + 1)",
    "1/x**2": "-2*x**-3",
}
# %% derivative_answers | correct | typographic minus and superscripts, copied from a document
derivative_answers = {
    "x**3": "3*x²",
    "exp(2*x)": "2*exp(2*x)",
    "1/exp(x)": "−exp(−x)",
    "log(x**2 + 1)": "2*x/(x² + 1)",
    "1/x**2": "−2*x⁻³",
}
# %% partial_answers | correct | a middle dot for each product and a superscript
partial_answers = {"df/dx": "2 · x · y", "df/dy": "x² + 3"}
# %% partial_answers | correct | the keys in the other order, factors reordered
partial_answers = {"df/dy": "3 + x**2", "df/dx": "y*x*2"}
# %% partials_product | mistake | ints: int(y), int(x)
# expect: but a float was expected
# visible: its df/dx entry is -2 of type int
def partials_product(x, y):
    return int(y), int(x)
# %% partials_sum | mistake | one number instead of the pair
# expect: returned the single number 1.0
# visible: returned the single number 1.0
def partials_sum(x, y):
    return 1.0
# %% partials_sum | mistake | computes both values but returns nothing
# expect: forget to `return`
# visible: forget to `return`
def partials_sum(x, y):
    dfdx, dfdy = 1.0, 2.0
# %% partials_product | mistake | returns f as a third value
# expect: returned 3 values
# visible: returned 3 values
def partials_product(x, y):
    return float(y), float(x), x * y
# %% chain_rule | mistake | computes a value with an x it does not have (a test cell's x, in Jupyter)
# expect: neither one of its arguments nor defined inside it
# visible: but a function of x was expected
# absent: import cell
def chain_rule(df_outer, f_inner, df_inner):
    return df_outer(f_inner(x)) * df_inner(x)
# %% chain_rule | mistake | the inner function returns a function instead of the value
# expect: returned a function (a lambda), but a float was expected
# visible: returned a function (a lambda), but a float was expected
# absent: StudentFunction
def chain_rule(df_outer, f_inner, df_inner):
    def derivative(x):
        return lambda t: df_outer(f_inner(t)) * df_inner(t)
    return derivative
# %% chain_rule | mistake | converts to float: works for numbers, not arrays
# expect: float(...) or int(...) got an array of several numbers
# visible: float(...) or int(...) got an array of several numbers
# absent: `math` module
def chain_rule(df_outer, f_inner, df_inner):
    def derivative(x):
        return float(df_outer(f_inner(x)) * df_inner(x))
    return derivative
# %% d_square | mistake | 2*x^2: ^ taken for a power, as in the formula strings
# expect: ^ is not a power
# visible: ^ is not a power
def d_square(x):
    return 2*x^2
# %% numerical_gradient | mistake | restores each entry by arithmetic (+h, -2h, +h): off by rounding
# expect: by rounding
# visible: by rounding
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += h
        up = f(x)
        x[i] -= 2 * h
        down = f(x)
        x[i] += h
        grad[i] = (up - down) / (2 * h)
    return grad
# %% numerical_derivative | mistake | shifts x in place (x += h) and back: the caller's array is off by rounding
# expect: by rounding
# visible: by rounding
def numerical_derivative(f, x, h=1e-5):
    x += h
    up = f(x)
    x -= 2 * h
    down = f(x)
    x += h
    return (up - down) / (2 * h)
# %% derivative_answers | mistake | a key typed without the spaces of the exercise
# expect: it has 'log(x**2+1)'
# visible: it has 'log(x**2+1)'
derivative_answers = {
    "x**3": "3*x**2",
    "exp(2*x)": "2*exp(2*x)",
    "1/exp(x)": "-exp(-x)",
    "log(x**2+1)": "2*x/(x**2 + 1)",
    "1/x**2": "-2/x**3",
}
# %% derivative_answers | mistake | a missing comma: SyntaxError, so the dictionary is never defined
# expect: derivative_answers is not defined: its cell has not run to the end
# visible: a SyntaxError (a missing comma, quote or bracket) stops the whole cell
# absent: NameError
derivative_answers = {
    "x**3": "3*x**2"
    "exp(2*x)": "2*exp(2*x)",
    "1/exp(x)": "-exp(-x)",
    "log(x**2 + 1)": "2*x/(x**2 + 1)",
    "1/x**2": "-2/x**3",
}
# %% derivative_answers | mistake | the power rule without lowering the exponent, at the visible point too
# expect: the power rule lowers the exponent by one
# visible: the power rule lowers the exponent by one
derivative_answers = {
    "x**3": "3*x**3",
    "exp(2*x)": "2*exp(2*x)",
    "1/exp(x)": "-exp(-x)",
    "log(x**2 + 1)": "2*x/(x**2 + 1)",
    "1/x**2": "-2/x**3",
}
# %% partial_answers | mistake | every formula wrong: the keys cell names the first slip, not "see below"
# expect: that is the partial derivative with respect to y, not x
# visible: that is the partial derivative with respect to y, not x
# absent: The cells below say what is wrong
partial_answers = {"df/dx": "x**2 + 3", "df/dy": "x**2"}
# %% derivative_answers | mistake | NumPy's np.exp written into the formulas
# expect: without np. in front
# visible: without np. in front
derivative_answers = {
    "x**3": "3*x**2",
    "exp(2*x)": "2*np.exp(2*x)",
    "1/exp(x)": "-np.exp(-x)",
    "log(x**2 + 1)": "2*x/(x**2 + 1)",
    "1/x**2": "-2/x**3",
}
# %% d_constant | mistake | x.shape: a float has none
# expect: which has no .shape
# visible: which has no .shape
def d_constant(x):
    return np.zeros(x.shape)
# %% d_exp | mistake | exp imported from math: numbers only
# expect: `math` works on single numbers only
# visible: `math` works on single numbers only
from math import exp


def d_exp(x):
    return exp(x)
# %% d_reciprocal | mistake | -1/x*x: the product meant as the denominator
# expect: work from left to right
# visible: work from left to right
def d_reciprocal(x):
    return -1/x*x
# %% d_log | mistake | 1/ln(x) instead of 1/x
# expect: not 1 over ln(x)
# visible: not 1 over ln(x)
def d_log(x):
    return 1 / np.log(x)
# %% d_identity | mistake | x / x: 1 everywhere except at 0
# expect: a division by zero
def d_identity(x):
    return x / x
# %% gradient_descent | mistake | the function grad used as a number, never called
# expect: must be called with its argument
# visible: must be called with its argument
def gradient_descent(grad, x0, learning_rate, steps):
    x = np.array(x0, dtype=float)
    for _ in range(steps):
        x = x - learning_rate * grad
    return x
# %% numerical_derivative | mistake | the step renamed: h=... no longer works
# expect: keep its name and its arguments
def numerical_derivative(f, x, step=1e-5):
    return (f(x + step) - f(x - step)) / (2 * step)
# %% derivative_answers | mistake | a formula without quotes: Python code, NameError in the answer's own cell
# expect: derivative_answers is not defined: its cell has not run to the end
# visible: derivative_answers is not defined
derivative_answers = {
    "x**3": 3*x**2,
    "exp(2*x)": "2*exp(2*x)",
    "1/exp(x)": "-exp(-x)",
    "log(x**2 + 1)": "2*x/(x**2 + 1)",
    "1/x**2": "-2/x**3",
}
# %% chain_rule | mistake | the outer derivative applied to the inner function itself, not to its value
# expect: must be called with its argument
# visible: must be called with its argument
# absent: StudentFunction
def chain_rule(df_outer, f_inner, df_inner):
    return lambda x: df_outer(f_inner) * df_inner(x)
