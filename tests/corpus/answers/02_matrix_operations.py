# %% scale | correct | loops into a float array
def scale(a, s):
    """Scalar s times the matrix a."""
    rows, cols = a.shape
    result = np.empty((rows, cols), dtype=float)
    for i in range(rows):
        for j in range(cols):
            result[i, j] = s * a[i, j]
    return result
# %% scale | correct | np.multiply
def scale(a, s):
    """Scalar s times the matrix a."""
    return np.multiply(a, s)
# %% scale | correct | list comprehension
def scale(a, s):
    """Scalar s times the matrix a."""
    return np.array([[s * x for x in row] for row in a])
# %% scale | mistake | multiplies in place (a *= s)
# expect: modified its argument
def scale(a, s):
    """Scalar s times the matrix a."""
    a *= s
    return a
# %% scale | mistake | adds s instead of multiplying
# expect: added s to each entry
def scale(a, s):
    """Scalar s times the matrix a."""
    return a + s
# %% scale | mistake | loop into np.zeros_like(a): integer result for an integer a
# expect: floating-point dtype
def scale(a, s):
    """Scalar s times the matrix a."""
    result = np.zeros_like(a)
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            result[i, j] = s * a[i, j]
    return result
# %% scale | mistake | keeps the dtype of a (astype)
# expect: floating-point dtype
def scale(a, s):
    """Scalar s times the matrix a."""
    return (s * a).astype(a.dtype)
# %% transpose | correct | list comprehension
def transpose(a):
    """Transpose of a 2-D array."""
    return np.array([[a[i][j] for i in range(len(a))] for j in range(len(a[0]))])
# %% transpose | correct | np.swapaxes
def transpose(a):
    """Transpose of a 2-D array."""
    return np.swapaxes(a, 0, 1)
# %% transpose | correct | loops into a new array
def transpose(a):
    """Transpose of a 2-D array."""
    m, n = a.shape
    result = np.empty((n, m), dtype=a.dtype)
    for i in range(m):
        for j in range(n):
            result[j, i] = a[i, j]
    return result
# %% transpose | mistake | reshape to the reversed shape
# expect: you reshaped
def transpose(a):
    """Transpose of a 2-D array."""
    return a.reshape(a.shape[1], a.shape[0])
# %% transpose | mistake | np.rot90 instead of transpose
# expect: rot90
def transpose(a):
    """Transpose of a 2-D array."""
    return np.rot90(a)
# %% transpose | mistake | flips the rows (a[::-1])
# expect: reversed the order of the rows
def transpose(a):
    """Transpose of a 2-D array."""
    return a[::-1]
# %% transpose | mistake | axes in the same order: returns a unchanged
# expect: came back unchanged
def transpose(a):
    """Transpose of a 2-D array."""
    return np.transpose(a, (0, 1))
# %% matrix_add | correct | loops, shape check with np.shape
def matrix_add(a, b):
    """Sum of two matrices of the same shape."""
    if np.shape(a) != np.shape(b):
        raise ValueError(f"shapes differ: {np.shape(a)} and {np.shape(b)}")
    rows, cols = np.shape(a)
    result = np.empty((rows, cols))
    for i in range(rows):
        for j in range(cols):
            result[i, j] = a[i, j] + b[i, j]
    return result
# %% matrix_add | correct | np.add after comparing ndim and each axis
def matrix_add(a, b):
    """Sum of two matrices of the same shape."""
    if a.ndim != b.ndim or any(x != y for x, y in zip(a.shape, b.shape)):
        raise ValueError("matrix_add needs two matrices of the same shape, got %s and %s" % (a.shape, b.shape))
    return np.add(a, b)
# %% matrix_add | mistake | relies on NumPy (broadcasts instead of raising)
# expect: compare the whole shapes (a.shape with b.shape)
def matrix_add(a, b):
    """Sum of two matrices of the same shape."""
    return a + b
# %% matrix_add | mistake | compares only the number of rows
# expect: (3, 2) and (3, 1) differ
def matrix_add(a, b):
    """Sum of two matrices of the same shape."""
    if len(a) != len(b):
        raise ValueError("the matrices have different numbers of rows")
    return a + b
# %% matrix_add | mistake | compares only the number of elements
# expect: (1, 3) and (3, 1) differ
def matrix_add(a, b):
    """Sum of two matrices of the same shape."""
    if a.size != b.size:
        raise ValueError("the matrices have different sizes")
    return a + b
# %% matrix_add | mistake | adds in place (a += b)
# expect: modified its argument
def matrix_add(a, b):
    """Sum of two matrices of the same shape."""
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} and {b.shape}")
    a += b
    return a
# %% matrix_add | mistake | loop into np.zeros_like(a): integer result for an integer a
# expect: floating-point dtype
def matrix_add(a, b):
    """Sum of two matrices of the same shape."""
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} and {b.shape}")
    result = np.zeros_like(a)
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            result[i, j] = a[i, j] + b[i, j]
    return result
# %% product_shape | correct | indexing
def product_shape(shape_a, shape_b):
    """Shape of the matrix product."""
    if shape_a[1] != shape_b[0]:
        raise ValueError(f"{shape_a} times {shape_b}: columns {shape_a[1]} != rows {shape_b[0]}")
    return (shape_a[0], shape_b[1])
# %% product_shape | correct | through NumPy arrays (NumPy ints in the tuple)
def product_shape(shape_a, shape_b):
    """Shape of the matrix product."""
    sa = np.array(shape_a)
    sb = np.array(shape_b)
    if sa[1] != sb[0]:
        raise ValueError("incompatible shapes " + str(shape_a) + " and " + str(shape_b))
    return tuple(np.array([sa[0], sb[1]]))
# %% product_shape | mistake | rows of both matrices
# expect: product_shape((3, 2), (2, 4))
def product_shape(shape_a, shape_b):
    """Shape of the matrix product."""
    if shape_a[1] != shape_b[0]:
        raise ValueError("incompatible shapes")
    return (shape_a[0], shape_b[0])
# %% product_shape | mistake | the two inner numbers
# expect: product_shape((3, 2), (2, 4))
def product_shape(shape_a, shape_b):
    """Shape of the matrix product."""
    if shape_a[1] != shape_b[0]:
        raise ValueError("incompatible shapes")
    return (shape_a[1], shape_b[0])
# %% product_shape | mistake | checks columns against columns
# expect: ValueError
def product_shape(shape_a, shape_b):
    """Shape of the matrix product."""
    if shape_a[1] != shape_b[1]:
        raise ValueError("incompatible shapes")
    return (shape_a[0], shape_b[1])
# %% product_shape | mistake | returns a list
# expect: of type list
def product_shape(shape_a, shape_b):
    """Shape of the matrix product."""
    if shape_a[1] != shape_b[0]:
        raise ValueError("incompatible shapes")
    return [shape_a[0], shape_b[1]]
# %% product_shape | mistake | no ValueError for incompatible shapes
# expect: nothing else will complain
# visible: nothing else will complain
# absent: silently broadcast
def product_shape(shape_a, shape_b):
    """Shape of the matrix product."""
    return (shape_a[0], shape_b[1])
# %% matmul_loops | correct | plain Python: zip over the columns, a local variable named dot
def matmul_loops(a, b):
    """Matrix product a b by the row-times-column rule, with Python loops."""
    rows = [[float(x) for x in row] for row in a]
    columns = list(zip(*[[float(x) for x in row] for row in b]))
    if len(rows[0]) != len(columns[0]):
        raise ValueError(f"a has {len(rows[0])} columns but b has {len(columns[0])} rows")
    result = []
    for row in rows:
        line = []
        for column in columns:
            dot = 0.0
            for x, y in zip(row, column):
                dot += x * y
            line.append(dot)
        result.append(line)
    return np.array(result)
# %% matmul_loops | correct | two loops and np.sum of row times column
def matmul_loops(a, b):
    """Matrix product a b by the row-times-column rule, with Python loops."""
    a = np.array(a, dtype=float)
    b = np.array(b, dtype=float)
    if a.shape[1] != b.shape[0]:
        raise ValueError("incompatible shapes %s and %s" % (a.shape, b.shape))
    c = np.zeros((a.shape[0], b.shape[1]))
    for i in range(a.shape[0]):
        for j in range(b.shape[1]):
            c[i, j] = np.sum(a[i, :] * b[:, j])
    return c
# %% matmul_loops | correct | helper function and math.fsum
import math


def row_times_column(a, b, i, j):
    return math.fsum(a[i][k] * b[k][j] for k in range(len(b)))


def matmul_loops(a, b):
    """Matrix product a b by the row-times-column rule, with Python loops."""
    if len(a[0]) != len(b):
        raise ValueError("the number of columns of a must equal the number of rows of b")
    return np.array([[row_times_column(a, b, i, j) for j in range(len(b[0]))] for i in range(len(a))], dtype=float)
# %% matmul_loops | mistake | swapped indices a[k][i]
# expect: indices of a are swapped
def matmul_loops(a, b):
    """Matrix product a b by the row-times-column rule, with Python loops."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    m, n = a.shape
    if n != b.shape[0]:
        raise ValueError("incompatible shapes")
    p = b.shape[1]
    c = np.zeros((m, p))
    for i in range(m):
        for j in range(p):
            for k in range(n):
                c[i, j] += a[k, i] * b[k, j]
    return c
# %% matmul_loops | mistake | result of shape (m, m)
# expect: shape
def matmul_loops(a, b):
    """Matrix product a b by the row-times-column rule, with Python loops."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    m, n = a.shape
    if n != b.shape[0]:
        raise ValueError("incompatible shapes")
    c = np.zeros((m, m))
    for i in range(m):
        for j in range(b.shape[1]):
            for k in range(n):
                c[i, j] += a[i, k] * b[k, j]
    return c
# %% matmul_loops | mistake | np.dot instead of loops
# expect: uses np.dot
def matmul_loops(a, b):
    """Matrix product a b by the row-times-column rule, with Python loops."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape[1] != b.shape[0]:
        raise ValueError("incompatible shapes")
    return np.dot(a, b)
# %% matmul_loops | mistake | @ for each entry (row @ column)
# expect: the @ operator
def matmul_loops(a, b):
    """Matrix product a b by the row-times-column rule, with Python loops."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape[1] != b.shape[0]:
        raise ValueError("incompatible shapes")
    c = np.zeros((a.shape[0], b.shape[1]))
    for i in range(a.shape[0]):
        for j in range(b.shape[1]):
            c[i, j] = a[i, :] @ b[:, j]
    return c
# %% matmul_loops | mistake | np.dot hidden in a helper function
# expect: through a helper function
def entry(row, column):
    return np.dot(row, column)


def matmul_loops(a, b):
    """Matrix product a b by the row-times-column rule, with Python loops."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape[1] != b.shape[0]:
        raise ValueError("incompatible shapes")
    c = np.zeros((a.shape[0], b.shape[1]))
    for i in range(a.shape[0]):
        for j in range(b.shape[1]):
            c[i, j] = entry(a[i, :], b[:, j])
    return c
# %% matmul_loops | mistake | integer result for integer lists
# expect: floating-point dtype
def matmul_loops(a, b):
    """Matrix product a b by the row-times-column rule, with Python loops."""
    if len(a[0]) != len(b):
        raise ValueError("incompatible shapes")
    c = [[0] * len(b[0]) for _ in range(len(a))]
    for i in range(len(a)):
        for j in range(len(b[0])):
            for k in range(len(b)):
                c[i][j] += a[i][k] * b[k][j]
    return np.array(c)
# %% matmul_loops | mistake | no check: sums over the rows of b (silently wrong)
# expect: compare the columns of a with the rows of b before the loops
# visible: compare the columns of a with the rows of b before the loops
def matmul_loops(a, b):
    """Matrix product a b by the row-times-column rule, with Python loops."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    c = np.zeros((a.shape[0], b.shape[1]))
    for i in range(a.shape[0]):
        for j in range(b.shape[1]):
            for k in range(b.shape[0]):
                c[i, j] += a[i, k] * b[k, j]
    return c
# %% matmul_loops | mistake | no check: IndexError or silently wrong
# expect: the input was used before it was checked
# absent: Python counts from 0
def matmul_loops(a, b):
    """Matrix product a b by the row-times-column rule, with Python loops."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    m, n = a.shape
    p = b.shape[1]
    c = np.zeros((m, p))
    for i in range(m):
        for j in range(p):
            for k in range(n):
                c[i, j] += a[i, k] * b[k, j]
    return c
# %% commutes | correct | square check, np.isclose with np.dot (returns numpy.bool_)
def commutes(a, b):
    """Whether the matrices a and b commute."""
    if a.shape != b.shape or a.shape[0] != a.shape[1]:
        return False
    return np.all(np.isclose(np.dot(a, b), np.dot(b, a)))
# %% commutes | correct | try the products, catch ValueError
def commutes(a, b):
    """Whether the matrices a and b commute."""
    try:
        ab = a @ b
        ba = b @ a
    except ValueError:
        return False
    if ab.shape != ba.shape:
        return False
    return np.allclose(ab, ba)
# %% commutes | correct | largest difference against a relative tolerance
def commutes(a, b):
    """Whether the matrices a and b commute."""
    m, n = a.shape
    if b.shape != (n, m) or m != n:
        return False
    ab = np.matmul(a, b)
    ba = np.matmul(b, a)
    return np.max(np.abs(ab - ba)) <= 1e-9 * max(1.0, np.max(np.abs(ab)), np.max(np.abs(ba)))
# %% commutes | mistake | no shape check: raises for incompatible shapes
# expect: must return False without raising
def commutes(a, b):
    """Whether the matrices a and b commute."""
    return np.allclose(a @ b, b @ a)
# %% commutes | mistake | elementwise products a * b
# expect: entry by entry
def commutes(a, b):
    """Whether the matrices a and b commute."""
    if a.shape != b.shape:
        return False
    return np.allclose(a * b, b * a)
# %% commutes | mistake | exact comparison instead of a tolerance
# expect: compare with a tolerance
def commutes(a, b):
    """Whether the matrices a and b commute."""
    if a.shape != b.shape or a.shape[0] != a.shape[1]:
        return False
    return np.array_equal(a @ b, b @ a)
# %% commutes | mistake | checks that both products exist, not that their shapes agree
# expect: must return False without raising
def commutes(a, b):
    """Whether the matrices a and b commute."""
    if a.shape[1] != b.shape[0] or b.shape[1] != a.shape[0]:
        return False
    return np.allclose(a @ b, b @ a)
# %% commutes | mistake | returns the elementwise comparison array (forgot .all())
# expect: compares entry by entry and gives an array of booleans
def commutes(a, b):
    """Whether the matrices a and b commute."""
    if a.shape != b.shape or a.shape[0] != a.shape[1]:
        return False
    return np.isclose(a @ b, b @ a)
# %% matrix_subtract | correct | loops into a float array, shape check first
def matrix_subtract(a, b):
    """Difference of two matrices of the same shape."""
    if np.shape(a) != np.shape(b):
        raise ValueError(f"shapes {np.shape(a)} and {np.shape(b)} differ")
    rows, cols = np.shape(a)
    result = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            result[i, j] = a[i][j] - b[i][j]
    return result
# %% matrix_subtract | correct | a plus (-1) times b, with np.subtract-free arithmetic
def matrix_subtract(a, b):
    """Difference of two matrices of the same shape."""
    a, b = np.asarray(a), np.asarray(b)
    if a.ndim != b.ndim or any(m != n for m, n in zip(a.shape, b.shape)):
        raise ValueError("matrix_subtract needs equal shapes, got %s and %s" % (a.shape, b.shape))
    return a + (-1) * b
# %% matrix_subtract | correct | np.subtract
def matrix_subtract(a, b):
    """Difference of two matrices of the same shape."""
    if a.shape != b.shape:
        raise ValueError(f"cannot subtract shape {b.shape} from shape {a.shape}")
    return np.subtract(a, b)
# %% matrix_subtract | mistake | subtracts in the wrong order (b - a)
# expect: that is b - a
def matrix_subtract(a, b):
    """Difference of two matrices of the same shape."""
    if a.shape != b.shape:
        raise ValueError("shapes differ")
    return b - a
# %% matrix_subtract | mistake | relies on NumPy (broadcasts instead of raising)
# expect: should raise ValueError
def matrix_subtract(a, b):
    """Difference of two matrices of the same shape."""
    return a - b
# %% matrix_subtract | mistake | compares only the number of columns
# expect: should raise ValueError
def matrix_subtract(a, b):
    """Difference of two matrices of the same shape."""
    if a.shape[1] != b.shape[1]:
        raise ValueError("shapes differ")
    return a - b
# %% matrix_subtract | mistake | subtracts in place (a -= b)
# expect: modified its argument
def matrix_subtract(a, b):
    """Difference of two matrices of the same shape."""
    if a.shape != b.shape:
        raise ValueError("shapes differ")
    a -= b
    return a
# %% matrix_subtract | mistake | adds instead of subtracting
# expect: you added b
def matrix_subtract(a, b):
    """Difference of two matrices of the same shape."""
    if a.shape != b.shape:
        raise ValueError("shapes differ")
    return a + b
# %% is_solution | correct | np.allclose after checking the shapes
def is_solution(a, x, b):
    """Whether x solves a x = b."""
    a, x, b = np.asarray(a), np.asarray(x), np.asarray(b)
    if a.ndim != 2 or x.shape != (a.shape[1],) or b.shape != (a.shape[0],):
        raise ValueError(f"shapes {a.shape}, {x.shape}, {b.shape} do not form a system a x = b")
    return np.allclose(a @ x, b)
# %% is_solution | correct | equation by equation with loops and math.isclose
import math


def is_solution(a, x, b):
    """Whether x solves a x = b."""
    a, x, b = np.asarray(a, dtype=float), np.asarray(x, dtype=float), np.asarray(b, dtype=float)
    if a.ndim != 2 or x.ndim != 1 or b.ndim != 1 or len(x) != a.shape[1] or len(b) != a.shape[0]:
        raise ValueError("a must be (m, n), x (n,) and b (m,)")
    for i in range(a.shape[0]):
        left = sum(a[i, k] * x[k] for k in range(a.shape[1]))
        if not math.isclose(left, b[i], rel_tol=1e-9, abs_tol=1e-9):
            return False
    return True
# %% is_solution | correct | np.isclose(...).all() with np.dot
def is_solution(a, x, b):
    """Whether x solves a x = b."""
    if np.ndim(a) != 2 or np.ndim(x) != 1 or np.ndim(b) != 1:
        raise ValueError("a must be 2-D, x and b 1-D")
    if np.shape(a)[1] != len(x) or np.shape(a)[0] != len(b):
        raise ValueError(f"a of shape {np.shape(a)} does not fit x of length {len(x)} and b of length {len(b)}")
    return bool(np.isclose(np.dot(a, x), b).all())
# %% is_solution | mistake | exact comparison (==) instead of a tolerance
# expect: compare with a tolerance
def is_solution(a, x, b):
    """Whether x solves a x = b."""
    a, x, b = np.asarray(a), np.asarray(x), np.asarray(b)
    if a.ndim != 2 or x.shape != (a.shape[1],) or b.shape != (a.shape[0],):
        raise ValueError("shapes do not fit")
    return bool(np.array_equal(a @ x, b))
# %% is_solution | mistake | any equation instead of every equation
# expect: every equation
def is_solution(a, x, b):
    """Whether x solves a x = b."""
    a, x, b = np.asarray(a), np.asarray(x), np.asarray(b)
    if a.ndim != 2 or x.shape != (a.shape[1],) or b.shape != (a.shape[0],):
        raise ValueError("shapes do not fit")
    return bool(np.isclose(a @ x, b).any())
# %% is_solution | mistake | multiplies from the other side (x @ a)
# expect: check the order of the product
# visible: check the order of the product
# absent: not with == or np.array_equal
def is_solution(a, x, b):
    """Whether x solves a x = b."""
    a, x, b = np.asarray(a), np.asarray(x), np.asarray(b)
    if a.ndim != 2 or x.ndim != 1 or b.ndim != 1:
        raise ValueError("a must be 2-D, x and b 1-D")
    if a.shape[0] != a.shape[1] and (len(x) != a.shape[0] or len(b) != a.shape[1]):
        raise ValueError("shapes do not fit")
    return bool(np.allclose(x @ a, b))
# %% is_solution | mistake | no shape check: np.allclose broadcasts a b of length 1
# expect: should raise ValueError
def is_solution(a, x, b):
    """Whether x solves a x = b."""
    if np.ndim(a) != 2:
        raise ValueError("a must be 2-D")
    return bool(np.allclose(np.dot(a, x), b))
# %% is_solution | mistake | a loose tolerance (1e-2)
# expect: not a loose one
def is_solution(a, x, b):
    """Whether x solves a x = b."""
    a, x, b = np.asarray(a), np.asarray(x), np.asarray(b)
    if a.ndim != 2 or x.shape != (a.shape[1],) or b.shape != (a.shape[0],):
        raise ValueError("shapes do not fit")
    return bool(np.allclose(a @ x, b, atol=1e-2))
# %% matmul_loops | mistake | np.inner of row and column, no loops
# expect: uses np.inner
def matmul_loops(a, b):
    """Matrix product a b by the row-times-column rule, with Python loops."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape[1] != b.shape[0]:
        raise ValueError("incompatible shapes")
    return np.inner(a, b.T)
# %% matmul_loops | mistake | broadcast-and-sum instead of loops
# expect: broadcast-and-sum
def matmul_loops(a, b):
    """Matrix product a b by the row-times-column rule, with Python loops."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape[1] != b.shape[0]:
        raise ValueError("incompatible shapes")
    return (a[:, :, None] * b[None, :, :]).sum(axis=1)
# %% matmul_loops | mistake | a loop over the rows only, each row by broadcasting
# expect: in a loop
def matmul_loops(a, b):
    """Matrix product a b by the row-times-column rule, with Python loops."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape[1] != b.shape[0]:
        raise ValueError("incompatible shapes")
    rows = []
    for i in range(a.shape[0]):
        rows.append((a[i][:, None] * b).sum(axis=0))
    return np.array(rows)
# %% transpose | correct | np.transpose itself, by assignment
transpose = np.transpose
# %% matrix_subtract | correct | reuses the notebook's own matrix_add with -b
def matrix_subtract(a, b):
    return matrix_add(a, -np.asarray(b))
# %% commutes | correct | a NumPy bool from an elementwise comparison
def commutes(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.shape[1] != b.shape[0] or b.shape[1] != a.shape[0]:
        return False
    ab, ba = a @ b, b @ a
    return ab.shape == ba.shape and (np.abs(ab - ba) <= 1e-9 + 1e-9 * np.abs(ba)).all()
# %% is_solution | correct | a NumPy bool from np.all(np.isclose(...))
def is_solution(a, x, b):
    a, x, b = np.asarray(a), np.asarray(x), np.asarray(b)
    if a.ndim != 2 or x.ndim != 1 or b.ndim != 1 or a.shape != (b.shape[0], x.shape[0]):
        raise ValueError(f"a {a.shape}, x {x.shape} and b {b.shape} do not form a system a @ x = b")
    return np.all(np.isclose(a @ x, b))
# %% product_shape | correct | unpacking and a conditional expression
def product_shape(shape_a, shape_b):
    (n, k), (k2, m) = shape_a, shape_b
    if k != k2:
        raise ValueError(f"cannot multiply {tuple(shape_a)} by {tuple(shape_b)}")
    return n, m
# %% product_shape | mistake | the result's two numbers in the wrong order
# expect: returned 4, but 3 was expected
def product_shape(shape_a, shape_b):
    if shape_a[1] != shape_b[0]:
        raise ValueError(f"cannot multiply {shape_a} by {shape_b}")
    return (shape_b[1], shape_a[0])
# %% is_solution | mistake | returns the size of the residual, not True or False
# expect: but a bool was expected
def is_solution(a, x, b):
    a, x, b = np.asarray(a), np.asarray(x), np.asarray(b)
    if a.ndim != 2 or x.ndim != 1 or b.ndim != 1 or a.shape != (b.shape[0], x.shape[0]):
        raise ValueError("the shapes do not form a system a @ x = b")
    return float(np.linalg.norm(a @ x - b))
# %% matmul_loops | correct | lists all the way, np.array(..., dtype=float) at the end
def matmul_loops(a, b):
    a = [list(map(float, row)) for row in a]
    b = [list(map(float, row)) for row in b]
    if not a or not b or len(a[0]) != len(b):
        raise ValueError(f"cannot multiply a {len(a)}x{len(a[0]) if a else 0} matrix by a {len(b)}x{len(b[0]) if b else 0} matrix")
    out = []
    for row in a:
        out.append([sum(row[k] * b[k][j] for k in range(len(b))) for j in range(len(b[0]))])
    return np.array(out, dtype=float)
# %% scale | correct | np.dot with a scalar
def scale(a, s):
    return np.dot(s, np.asarray(a, dtype=float))
# %% transpose | correct | zip(*a) into a float array of the same dtype
def transpose(a):
    return np.array(list(zip(*a)), dtype=np.asarray(a).dtype).reshape(np.shape(a)[::-1])
# %% matrix_add | correct | np.add with out= into a new array
def matrix_add(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        raise ValueError(f"shapes {a.shape} and {b.shape} differ")
    out = np.empty(a.shape, dtype=np.result_type(a, b))
    np.add(a, b, out=out)
    return out
# %% commutes | correct | np.array_equal of rounded products
def commutes(a, b):
    try:
        ab, ba = np.matmul(a, b), np.matmul(b, a)
    except ValueError:
        return False
    return ab.shape == ba.shape and bool(np.allclose(ab, ba))
# %% is_solution | correct | residual norm under a tolerance
def is_solution(a, x, b):
    a, x, b = np.asarray(a, dtype=float), np.asarray(x, dtype=float), np.asarray(b, dtype=float)
    if a.ndim != 2 or x.ndim != 1 or b.ndim != 1 or a.shape[1] != x.shape[0] or a.shape[0] != b.shape[0]:
        raise ValueError(f"a {a.shape}, x {x.shape}, b {b.shape}: not a system a @ x = b")
    return bool(np.linalg.norm(a @ x - b) <= 1e-9 * max(1.0, np.linalg.norm(b)))
# %% is_solution | mistake | checks the first equation only
# expect: every equation
def is_solution(a, x, b):
    a, x, b = np.asarray(a), np.asarray(x), np.asarray(b)
    if a.ndim != 2 or x.ndim != 1 or b.ndim != 1 or a.shape != (b.shape[0], x.shape[0]):
        raise ValueError("the shapes do not form a system a @ x = b")
    return bool(np.isclose(a[0] @ x, b[0]))
# %% matrix_subtract | mistake | the absolute difference
# expect: -3.0 was expected but 3.0 came back
def matrix_subtract(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        raise ValueError(f"shapes {a.shape} and {b.shape} differ")
    return np.abs(a - b)
# %% transpose | mistake | written for the example: two columns picked by hand
# expect: index 1 is out of bounds
# visible: transpose(c) for the column vector c
def transpose(a):
    """Transpose of a 2-D array."""
    return np.array([a[:, 0], a[:, 1]])
# %% matmul_loops | mistake | a.shape on lists of lists
# expect: a Python list has no .shape
# visible: a Python list has no .shape
def matmul_loops(a, b):
    """Matrix product a b by the row-times-column rule, with Python loops."""
    m, n = a.shape
    n_b, p = b.shape
    if n != n_b:
        raise ValueError(f"cannot multiply shapes {a.shape} and {b.shape}")
    c = np.zeros((m, p))
    for i in range(m):
        for j in range(p):
            for k in range(n):
                c[i, j] += a[i, k] * b[k, j]
    return c
# %% product_shape | mistake | assert instead of raising ValueError
# expect: an assert statement raises AssertionError
# visible: an assert statement raises AssertionError
def product_shape(shape_a, shape_b):
    """Shape of the matrix product."""
    assert shape_a[1] == shape_b[0], "cannot multiply"
    return (shape_a[0], shape_b[1])
# %% matrix_add | mistake | raises the general Exception
# expect: not the general Exception
# visible: not the general Exception
def matrix_add(a, b):
    """Sum of two matrices of the same shape."""
    if a.shape != b.shape:
        raise Exception(f"shapes {a.shape} and {b.shape} differ")
    return a + b
# %% matmul_loops | mistake | = instead of +=: each entry keeps only the last product
# expect: do not overwrite the entry with =
# visible: do not overwrite the entry with =
def matmul_loops(a, b):
    """Matrix product a b by the row-times-column rule, with Python loops."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape[1] != b.shape[0]:
        raise ValueError(f"cannot multiply {a.shape} and {b.shape}")
    c = np.zeros((a.shape[0], b.shape[1]))
    for i in range(a.shape[0]):
        for j in range(b.shape[1]):
            for k in range(a.shape[1]):
                c[i, j] = a[i, k] * b[k, j]
    return c
# %% matmul_loops | mistake | the running total set to 0 once, before all the loops
# expect: the running total was not reset
# visible: the running total was not reset
def matmul_loops(a, b):
    """Matrix product a b by the row-times-column rule, with Python loops."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape[1] != b.shape[0]:
        raise ValueError(f"cannot multiply {a.shape} and {b.shape}")
    c = np.zeros((a.shape[0], b.shape[1]))
    total = 0.0
    for i in range(a.shape[0]):
        for j in range(b.shape[1]):
            for k in range(a.shape[1]):
                total += a[i, k] * b[k, j]
            c[i, j] = total
    return c
# %% commutes | mistake | a @ b == b @ a: an array of booleans
# expect: compares entry by entry and gives an array of booleans
# visible: compares entry by entry and gives an array of booleans
def commutes(a, b):
    """Whether the matrices a and b commute."""
    if a.shape[1] != b.shape[0] or b.shape[1] != a.shape[0]:
        return False
    return a @ b == b @ a
# %% is_solution | mistake | np.isclose alone: one truth value per equation
# expect: compares entry by entry and gives an array of booleans
# visible: compares entry by entry and gives an array of booleans
def is_solution(a, x, b):
    """Whether x solves a x = b."""
    a, x, b = np.asarray(a), np.asarray(x), np.asarray(b)
    if a.ndim != 2 or x.ndim != 1 or b.ndim != 1 or a.shape != (len(b), len(x)):
        raise ValueError(f"shapes {a.shape}, {x.shape} and {b.shape} do not form a system")
    return np.isclose(a @ x, b)
