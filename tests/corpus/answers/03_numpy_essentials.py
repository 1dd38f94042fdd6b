# %% uint8_array | correct | vectorised range check, then astype
def uint8_array(values):
    arr = np.asarray(values, dtype=np.int64)
    bad = arr[(arr < 0) | (arr > 255)]
    if bad.size:
        raise ValueError(f"values out of range 0..255: {bad.tolist()}")
    return arr.astype(np.uint8)

# %% uint8_array | correct | min/max check with Python builtins
def uint8_array(values):
    if min(values) < 0 or max(values) > 255:
        raise ValueError(f"all values must lie in 0..255, got min {min(values)} and max {max(values)}")
    return np.array(values, dtype=np.uint8)

# %% uint8_array | correct | turns NumPy 2's OverflowError into a ValueError
def uint8_array(values):
    try:
        return np.array(values, dtype=np.uint8)
    except OverflowError as error:
        raise ValueError(f"value out of range for uint8: {error}") from error

# %% uint8_array | mistake | no check: relies on np.array, which raises OverflowError in NumPy 2
# expect: raised OverflowError
def uint8_array(values):
    return np.array(values, dtype=np.uint8)

# %% uint8_array | mistake | astype wraps 256 to 0 silently
# expect: should raise ValueError
def uint8_array(values):
    return np.array(values).astype(np.uint8)

# %% uint8_array | mistake | checks only the upper end of the range
# expect: below 0
def uint8_array(values):
    for v in values:
        if v > 255:
            raise ValueError(f"{v} is too large for uint8")
    return np.array(values, dtype=np.uint8)

# %% uint8_array | mistake | range checked but the default int64 dtype returned
# expect: dtype uint8 was expected
def uint8_array(values):
    for v in values:
        if v < 0 or v > 255:
            raise ValueError(f"{v} is outside 0..255")
    return np.array(values)

# %% zeros_matrix | correct | shape keyword and explicit dtype
def zeros_matrix(rows, cols):
    return np.zeros(shape=(rows, cols), dtype=np.float64)

# %% zeros_matrix | correct | nested list comprehension turned into an array
def zeros_matrix(rows, cols):
    return np.array([[0.0 for _ in range(cols)] for _ in range(rows)])

# %% zeros_matrix | mistake | np.zeros(rows, cols): the second argument is the dtype
# expect: Cannot interpret
def zeros_matrix(rows, cols):
    return np.zeros(rows, cols)

# %% zeros_matrix | mistake | integer zeros
# expect: floating-point dtype
def zeros_matrix(rows, cols):
    return np.zeros((rows, cols), dtype=int)

# %% zeros_matrix | mistake | rows and columns swapped
# expect: shape (2, 3) was expected
def zeros_matrix(rows, cols):
    return np.zeros((cols, rows))

# %% zeros_matrix | mistake | float32 instead of float64
# expect: dtype float64 was expected
def zeros_matrix(rows, cols):
    return np.zeros((rows, cols), dtype=np.float32)

# %% zeros_matrix | mistake | returns a list of lists
# expect: numpy.ndarray
def zeros_matrix(rows, cols):
    return [[0.0] * cols for _ in range(rows)]

# %% shape_and_size | correct | product of the lengths in a loop
def shape_and_size(a):
    size = 1
    for length in a.shape:
        size *= length
    return tuple(a.shape), size

# %% shape_and_size | correct | np.prod gives a NumPy integer, which is accepted
def shape_and_size(a):
    shape = np.shape(a)
    return shape, np.prod(shape)

# %% shape_and_size | mistake | len(a) as the size
# expect: len(a) is the length of the first axis
def shape_and_size(a):
    return a.shape, len(a)

# %% shape_and_size | mistake | shape returned as a list
# expect: list
def shape_and_size(a):
    return list(a.shape), a.size

# %% shape_and_size | mistake | size computed for matrices only
# expect: the size in shape_and_size
def shape_and_size(a):
    return a.shape, a.shape[0] * a.shape[1]

# %% shape_and_size | mistake | number of axes instead of number of elements
# expect: ndim
def shape_and_size(a):
    return a.shape, a.ndim

# %% full_transpose | correct | explicit reversed axes order
def full_transpose(a):
    return a.transpose(tuple(reversed(range(a.ndim))))

# %% full_transpose | correct | the .T attribute
def full_transpose(a):
    return a.T

# %% full_transpose | mistake | reshape to the reversed shape
# expect: you reshaped
def full_transpose(a):
    return a.reshape(a.shape[::-1])

# %% full_transpose | mistake | swaps only the first and the last axis (right up to 3 axes)
# expect: first and the last axis
def full_transpose(a):
    return np.swapaxes(a, 0, -1)

# %% full_transpose | mistake | turns a 1-D array into a column
# expect: shape (3,) was expected
def full_transpose(a):
    if a.ndim == 1:
        return a.reshape(-1, 1)
    return a.T

# %% full_transpose | mistake | swaps the first two axes only
# expect: first two axes
def full_transpose(a):
    if a.ndim < 2:
        return a
    return np.swapaxes(a, 0, 1)

# %% swap_last_two_axes | correct | np.swapaxes alone: its AxisError is a ValueError
def swap_last_two_axes(a):
    return np.swapaxes(a, -1, -2)

# %% swap_last_two_axes | correct | explicit axes tuple after a check
def swap_last_two_axes(a):
    if a.ndim < 2:
        raise ValueError("an array with fewer than 2 axes has no last two axes")
    axes = list(range(a.ndim))
    axes[-1], axes[-2] = axes[-2], axes[-1]
    return a.transpose(axes)

# %% swap_last_two_axes | correct | einsum with an ellipsis
def swap_last_two_axes(a):
    if len(a.shape) < 2:
        raise ValueError(f"need at least 2 axes, got shape {a.shape}")
    return np.einsum("...ij->...ji", a)

# %% swap_last_two_axes | mistake | a.T reverses all axes
# expect: a.T
def swap_last_two_axes(a):
    if a.ndim < 2:
        raise ValueError("need at least 2 axes")
    return a.T

# %% swap_last_two_axes | mistake | swaps the first two axes
# expect: first two axes
def swap_last_two_axes(a):
    if a.ndim < 2:
        raise ValueError("need at least 2 axes")
    return np.swapaxes(a, 0, 1)

# %% swap_last_two_axes | mistake | reshape with the last two lengths swapped
# expect: you reshaped
def swap_last_two_axes(a):
    if a.ndim < 2:
        raise ValueError("need at least 2 axes")
    return a.reshape(a.shape[:-2] + (a.shape[-1], a.shape[-2]))

# %% swap_last_two_axes | mistake | no check: a 1-D array comes back unchanged
# expect: should raise ValueError
def swap_last_two_axes(a):
    axes = list(range(a.ndim))
    axes[-2:] = axes[-2:][::-1]
    return a.transpose(axes)

# %% swap_last_two_axes | mistake | hard-coded transpose(0, 2, 1)
# expect: fit one number of axes only
# visible: fit one number of axes only
def swap_last_two_axes(a):
    if a.ndim < 2:
        raise ValueError("need at least 2 axes")
    return a.transpose(0, 2, 1)

# %% matrix_product | correct | np.dot alone: its own message names both shapes
def matrix_product(a, b):
    return np.dot(a, b)

# %% matrix_product | correct | einsum, shapes in the message without spaces
def matrix_product(a, b):
    m, n = a.shape
    n2, p = b.shape
    if n != n2:
        raise ValueError(f"shape mismatch: a is ({m},{n}) but b is ({n2},{p})")
    return np.einsum("ik,kj->ij", a, b)

# %% matrix_product | correct | a.dot(b) after a check
def matrix_product(a, b):
    if a.shape[-1] != b.shape[0]:
        raise ValueError("shapes " + str(a.shape) + " and " + str(b.shape) + " are not aligned")
    return a.dot(b)

# %% matrix_product | mistake | elementwise product a * b
# expect: multiplies corresponding elements
def matrix_product(a, b):
    return a * b

# %% matrix_product | mistake | @ without a check: NumPy's message does not name the shapes
# expect: that is NumPy's own error
# visible: that is NumPy's own error
def matrix_product(a, b):
    return a @ b

# %% matrix_product | mistake | message does not name the shapes
# expect: your message names the shapes another way
# absent: NumPy's own error
def matrix_product(a, b):
    if a.shape[1] != b.shape[0]:
        raise ValueError("the matrices cannot be multiplied")
    return a @ b

# %% matrix_product | mistake | compares the wrong dimensions (rows of a with columns of b)
# expect: cannot multiply
def matrix_product(a, b):
    if a.shape[0] != b.shape[1]:
        raise ValueError(f"cannot multiply {a.shape} and {b.shape}")
    return a @ b

# %% matrix_product | mistake | multiplies in the wrong order
# expect: b @ a
def matrix_product(a, b):
    if a.shape[1] != b.shape[0]:
        raise ValueError(f"cannot multiply {a.shape} and {b.shape}")
    return b @ a

# %% elementwise_product | correct | np.multiply after a shape check
def elementwise_product(a, b):
    if np.shape(a) != np.shape(b):
        raise ValueError(f"shapes {np.shape(a)} and {np.shape(b)} differ")
    return np.multiply(a, b)

# %% elementwise_product | correct | loop over every index
def elementwise_product(a, b):
    if a.shape != b.shape:
        raise ValueError("a and b must have the same shape")
    out = np.empty(a.shape, dtype=np.result_type(a, b))
    for idx in np.ndindex(a.shape):
        out[idx] = a[idx] * b[idx]
    return out

# %% elementwise_product | mistake | matrix product instead of elementwise
# expect: that is the matrix product
def elementwise_product(a, b):
    if a.shape != b.shape:
        raise ValueError("shapes differ")
    return a @ b

# %% elementwise_product | mistake | relies on NumPy, which broadcasts different shapes
# expect: should raise ValueError
def elementwise_product(a, b):
    return a * b

# %% elementwise_product | mistake | compares sizes, not shapes: (1, 4) and (4, 1) broadcast
# expect: should raise ValueError
def elementwise_product(a, b):
    if a.size != b.size:
        raise ValueError("different number of elements")
    return a * b

# %% elementwise_product | mistake | compares lengths only
# expect: should raise ValueError
def elementwise_product(a, b):
    if len(a) != len(b):
        raise ValueError("different lengths")
    return a * b

# %% add_scalar | correct | np.add
def add_scalar(a, s):
    return np.add(a, s)

# %% add_scalar | correct | an array full of s plus a
def add_scalar(a, s):
    return np.full(np.shape(a), s) + a

# %% add_scalar | mistake | adds in place and changes the caller's array
# expect: modified its argument
def add_scalar(a, s):
    a += s
    return a

# %% add_scalar | mistake | in-place add on a copy keeps the integer dtype
# expect: tried to store fractions in an integer array
# visible: tried to store fractions in an integer array
def add_scalar(a, s):
    result = a.copy()
    result += s
    return result

# %% add_scalar | mistake | adds s on the diagonal only, like A + sI
# expect: diagonal
def add_scalar(a, s):
    return a + s * np.eye(*a.shape)

# %% add_scalar | mistake | returns a list of rows
# expect: numpy.ndarray
def add_scalar(a, s):
    return [row + s for row in a]

# %% add_column_vector | correct | loop over the columns
def add_column_vector(m, v):
    v = np.ravel(v)
    rows, cols = m.shape
    if v.shape != (rows,):
        raise ValueError(f"v must have {rows} entries, got {v.size}")
    out = np.empty((rows, cols), dtype=np.result_type(m, v))
    for j in range(cols):
        out[:, j] = m[:, j] + v
    return out

# %% add_column_vector | correct | np.reshape raises the ValueError itself
def add_column_vector(m, v):
    return m + np.reshape(v, (m.shape[0], 1))

# %% add_column_vector | correct | np.tile builds the full matrix of copies
def add_column_vector(m, v):
    v = np.asarray(v)
    if v.shape not in ((m.shape[0],), (m.shape[0], 1)):
        raise ValueError(f"v has shape {v.shape}, expected ({m.shape[0]},) or ({m.shape[0]}, 1)")
    return m + np.tile(v.reshape(-1, 1), (1, m.shape[1]))

# %% add_column_vector | mistake | m + v: a 1-D v broadcasts as a row
# expect: lines up with the COLUMNS of m
# visible: lines up with the COLUMNS of m
# absent: keepdims
def add_column_vector(m, v):
    return m + v

# %% add_column_vector | mistake | reshapes to a column but never checks the length
# expect: should raise ValueError
def add_column_vector(m, v):
    return m + v.reshape(-1, 1)

# %% add_column_vector | mistake | adds into m in place
# expect: modified its argument
def add_column_vector(m, v):
    if len(v) != m.shape[0]:
        raise ValueError("v needs one entry per row of m")
    for j in range(m.shape[1]):
        m[:, j] += np.ravel(v)
    return m

# %% add_column_vector | mistake | checks the length against the columns
# expect: one entry per column
def add_column_vector(m, v):
    if len(v) != m.shape[1]:
        raise ValueError("v must have one entry per column")
    return m + v.reshape(-1, 1)

# %% center_columns | correct | loop over the columns into a float array
def center_columns(a):
    out = np.zeros(a.shape)
    for j in range(a.shape[1]):
        column = a[:, j]
        out[:, j] = column - column.sum() / len(column)
    return out

# %% center_columns | correct | keepdims mean
def center_columns(a):
    return a - np.mean(a, axis=0, keepdims=True)

# %% center_columns | correct | through the transpose
def center_columns(a):
    return (a.T - a.T.mean(axis=1)[:, np.newaxis]).T

# %% center_columns | mistake | subtracts the row means
# expect: ROW means
def center_columns(a):
    return a - a.mean(axis=1, keepdims=True)

# %% center_columns | mistake | subtracts the overall mean
# expect: ALL elements
def center_columns(a):
    return a - a.mean()

# %% center_columns | mistake | subtracts in place
# expect: tried to store fractions in an integer array
# visible: tried to store fractions in an integer array
def center_columns(a):
    a -= a.mean(axis=0)
    return a

# %% center_columns | mistake | fills np.empty_like, which keeps an integer dtype
# expect: integer array
def center_columns(a):
    out = np.empty_like(a)
    for j in range(a.shape[1]):
        out[:, j] = a[:, j] - a[:, j].mean()
    return out

# %% center_columns | mistake | standardises (divides by the standard deviation too)
# expect: standard deviation
def center_columns(a):
    return (a - a.mean(axis=0)) / a.std(axis=0)

# %% random_normal | correct | legacy RandomState
def random_normal(rows, cols, seed):
    return np.random.RandomState(seed).randn(rows, cols)

# %% random_normal | correct | global seed then randn (works, though default_rng is preferred)
def random_normal(rows, cols, seed):
    np.random.seed(seed)
    return np.random.randn(rows, cols)

# %% random_normal | correct | Python's random.Random.gauss in a comprehension
def random_normal(rows, cols, seed):
    import random
    gen = random.Random(seed)
    return np.array([[gen.gauss(0.0, 1.0) for _ in range(cols)] for _ in range(rows)])

# %% random_normal | correct | rng.normal with explicit mean and standard deviation
def random_normal(rows, cols, seed):
    return np.random.default_rng(seed).normal(0.0, 1.0, size=(rows, cols))

# %% random_normal | mistake | ignores the seed (global generator)
# expect: the same seed must give the same array
def random_normal(rows, cols, seed):
    return np.random.randn(rows, cols)

# %% random_normal | mistake | uniform samples instead of normal
# expect: UNIFORM
def random_normal(rows, cols, seed):
    return np.random.default_rng(seed).random((rows, cols))

# %% random_normal | mistake | fixed seed inside the function
# expect: different seeds must give different arrays
def random_normal(rows, cols, seed):
    return np.random.default_rng(0).standard_normal((rows, cols))

# %% random_normal | mistake | shape (cols, rows)
# expect: rows and columns are swapped
def random_normal(rows, cols, seed):
    return np.random.default_rng(seed).standard_normal((cols, rows))

# %% random_normal | mistake | float32 samples
# expect: float64 was expected
def random_normal(rows, cols, seed):
    return np.random.default_rng(seed).standard_normal((rows, cols), dtype=np.float32)

# %% shuffled | correct | random.Random shuffles a copy
def shuffled(values, seed):
    import random
    items = list(values)
    random.Random(seed).shuffle(items)
    return np.array(items)

# %% shuffled | correct | legacy RandomState permutation
def shuffled(values, seed):
    return np.random.RandomState(seed).permutation(np.asarray(values))

# %% shuffled | correct | argsort of random keys
def shuffled(values, seed):
    arr = np.array(values)
    keys = np.random.default_rng(seed).random(len(arr))
    return arr[np.argsort(keys)]

# %% shuffled | correct | global seed then permutation
def shuffled(values, seed):
    np.random.seed(seed)
    return np.random.permutation(values)

# %% shuffled | mistake | returns what np.random.shuffle returns (None), shuffling the caller's list
# expect: shuffle and sort work in place
# visible: reordered its argument number 1 in place
# absent: a -= m
def shuffled(values, seed):
    np.random.seed(seed)
    return np.random.shuffle(values)

# %% shuffled | mistake | shuffles a copy in place but returns the None from shuffle
# expect: return None
def shuffled(values, seed):
    arr = np.array(values)
    return np.random.default_rng(seed).shuffle(arr)

# %% shuffled | mistake | shuffles the caller's list in place, then returns it as an array
# expect: reordered its argument number 1 in place
def shuffled(values, seed):
    import random
    random.Random(seed).shuffle(values)
    return np.array(values)

# %% shuffled | mistake | ignores the seed
# expect: the same seed must give the same order
def shuffled(values, seed):
    return np.random.permutation(values)

# %% shuffled | mistake | rotates by seed % n instead of shuffling
# expect: rotation
def shuffled(values, seed):
    arr = np.array(values)
    return np.roll(arr, seed % len(arr))

# %% shuffled | mistake | draws with replacement
# expect: drawing with replacement
# visible: drawing with replacement
# absent: rotation by seed
def shuffled(values, seed):
    arr = np.array(values)
    return np.random.default_rng(seed).choice(arr, size=len(arr))

# %% shuffled | mistake | returns a list
# expect: NumPy array was expected
def shuffled(values, seed):
    import random
    return random.Random(seed).sample(list(values), len(values))

# %% shuffle_together | correct | random.Random shuffles a list of indices
def shuffle_together(x, y, seed):
    import random
    if x.shape[0] != y.shape[0]:
        raise ValueError("x and y must have the same number of examples")
    order = list(range(len(y)))
    random.Random(seed).shuffle(order)
    return x[order], y[order]

# %% shuffle_together | correct | legacy RandomState and np.take
def shuffle_together(x, y, seed):
    if len(x) != len(y):
        raise ValueError(f"{len(x)} examples but {len(y)} labels")
    p = np.random.RandomState(seed).permutation(len(x))
    return np.take(x, p, axis=0), np.take(y, p)

# %% shuffle_together | mistake | two different permutations from one generator
# expect: two different permutations
def shuffle_together(x, y, seed):
    if len(x) != len(y):
        raise ValueError("lengths differ")
    rng = np.random.default_rng(seed)
    return rng.permutation(x), rng.permutation(y)

# %% shuffle_together | mistake | shuffles the caller's arrays in place
# expect: reordered its argument number 1 in place
def shuffle_together(x, y, seed):
    if len(x) != len(y):
        raise ValueError("lengths differ")
    p = np.random.default_rng(seed).permutation(len(x))
    x[:] = x[p]
    y[:] = y[p]
    return x, y

# %% shuffle_together | mistake | shuffles the columns of a 2-D x (samples taken as columns)
# expect: out of bounds
def shuffle_together(x, y, seed):
    if len(x) != len(y):
        raise ValueError("lengths differ")
    p = np.random.default_rng(seed).permutation(len(y))
    return (x[:, p] if x.ndim == 2 else x[p]), y[p]

# %% shuffle_together | mistake | no length check
# expect: compare len(x) with len(y)
# visible: compare len(x) with len(y)
# absent: silently broadcast
def shuffle_together(x, y, seed):
    p = np.random.default_rng(seed).permutation(len(x))
    return x[p], y[p]

# %% shuffle_together | mistake | ignores the seed
# expect: the same seed must give the same order
def shuffle_together(x, y, seed):
    if len(x) != len(y):
        raise ValueError("lengths differ")
    p = np.random.permutation(len(x))
    return x[p], y[p]

# %% total | correct | loop over all elements
def total(a):
    s = 0.0
    for value in np.ravel(a):
        s += value
    return s

# %% total | correct | sum with a float accumulator
def total(a):
    return a.sum(dtype=float)

# %% total | mistake | np.sum of an integer array is a NumPy integer
# expect: a float was expected
def total(a):
    return np.sum(a)

# %% total | mistake | Python's built-in sum only adds the rows together
# expect: an array came back
def total(a):
    return sum(a)

# %% total | mistake | sum of sums: right for matrices only
# expect: built-in sum adds along the first axis only
# visible: built-in sum adds along the first axis only
# absent: `math` module
def total(a):
    return float(sum(sum(a)))

# %% total | mistake | the mean instead of the sum
# expect: that is the mean
def total(a):
    return float(np.mean(a))

# %% column_sums | correct | loop over the columns
def column_sums(a):
    return np.array([float(np.sum(a[:, j])) for j in range(a.shape[1])])

# %% column_sums | correct | a row of ones times the matrix
def column_sums(a):
    return np.ones(a.shape[0]) @ a

# %% column_sums | mistake | axis=1: row sums
# expect: wrong axis
def column_sums(a):
    return np.sum(a, axis=1)

# %% column_sums | mistake | keepdims leaves a 2-D row
# expect: keepdims
def column_sums(a):
    return np.sum(a, axis=0, keepdims=True)

# %% column_sums | mistake | no axis: the total
# expect: reduce too much
def column_sums(a):
    return np.sum(a)

# %% row_sums | correct | the matrix times a column of ones
def row_sums(a):
    return a @ np.ones(a.shape[1])

# %% row_sums | correct | loop over the rows
def row_sums(a):
    out = np.zeros(len(a))
    for i, row in enumerate(a):
        out[i] = row.sum()
    return out

# %% row_sums | mistake | axis=0: column sums
# expect: wrong axis
def row_sums(a):
    return a.sum(axis=0)

# %% row_sums | mistake | keepdims leaves a 2-D column
# expect: keepdims
def row_sums(a):
    return a.sum(axis=1, keepdims=True)

# %% row_sums | mistake | a list of row sums
# expect: numpy.ndarray
def row_sums(a):
    return [sum(row) for row in a]

# %% exp_all | correct | np.e to the power of the array
def exp_all(a):
    return np.e ** a

# %% exp_all | correct | math.exp vectorised
def exp_all(a):
    import math
    return np.vectorize(math.exp)(a)

# %% exp_all | mistake | math.exp on a whole array
# expect: only 0-dimensional arrays can be converted
def exp_all(a):
    import math
    return math.exp(a)

# %% exp_all | mistake | fills np.zeros_like, which keeps an integer dtype
# expect: integer array
def exp_all(a):
    import math
    out = np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        out[idx] = math.exp(a[idx])
    return out

# %% exp_all | mistake | x to the power e instead of e to the power x
# expect: x ** e
def exp_all(a):
    return a ** np.e

# %% exp_all | mistake | 2.718 for e
# expect: not e precisely enough
def exp_all(a):
    return 2.718 ** a

# %% softmax | correct | loop over the rows of a 2-D view
def softmax(z):
    z = np.asarray(z, dtype=float)
    rows = np.atleast_2d(z)
    out = np.empty_like(rows)
    for i, row in enumerate(rows):
        e = np.exp(row - row.max())
        out[i] = e / e.sum()
    return out.reshape(z.shape)

# %% softmax | correct | log-sum-exp written out
def softmax(z):
    m = np.max(z, axis=-1, keepdims=True)
    log_norm = m + np.log(np.sum(np.exp(z - m), axis=-1, keepdims=True))
    return np.exp(z - log_norm)

# %% softmax | correct | 1-D and 2-D handled separately
def softmax(z):
    if z.ndim == 1:
        e = np.exp(z - np.max(z))
        return e / np.sum(e)
    e = np.exp(z - np.max(z, axis=1)[:, None])
    return e / np.sum(e, axis=1)[:, None]

# %% softmax | mistake | no max subtraction: overflows for large scores
# expect: finite number was expected
def softmax(z):
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)

# %% softmax | mistake | normalises over axis 0 (columns)
# expect: COLUMN
def softmax(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)

# %% softmax | mistake | subtracts the maximum of the whole array
# expect: WHOLE array
def softmax(z):
    e = np.exp(z - np.max(z))
    return e / e.sum(axis=-1, keepdims=True)

# %% softmax | mistake | sum without keepdims
# expect: could not be broadcast
def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1)

# %% softmax | mistake | subtracts the maximum in place
# expect: modified its argument
def softmax(z):
    z -= z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)

# %% softmax | mistake | written for 2-D input only (axis=1)
# expect: axis 1 is out of bounds
def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)

# %% argmax_index | correct | list.index of the max
def argmax_index(values):
    items = list(values)
    return items.index(max(items))

# %% argmax_index | correct | loop with a strict comparison
def argmax_index(values):
    best = 0
    for i in range(1, len(values)):
        if values[i] > values[best]:
            best = i
    return best

# %% argmax_index | correct | np.argmax, a NumPy integer
def argmax_index(values):
    return np.argmax(values)

# %% argmax_index | mistake | returns the largest value
# expect: largest VALUE
def argmax_index(values):
    return max(values)

# %% argmax_index | mistake | loop with >= returns the last tie
# expect: LAST index
def argmax_index(values):
    best = 0
    for i in range(len(values)):
        if values[i] >= values[best]:
            best = i
    return best

# %% argmax_index | mistake | running maximum starts at 0
# expect: all values are negative
def argmax_index(values):
    best_value, best_index = 0, 0
    for i, v in enumerate(values):
        if v > best_value:
            best_value, best_index = v, i
    return best_index

# %% argmax_index | mistake | np.where returns an array of indices
# expect: an array came back
def argmax_index(values):
    values = np.asarray(values)
    return np.where(values == values.max())[0]

# %% argmax_index | mistake | last element of argsort (the last tie)
# expect: LAST index
def argmax_index(values):
    return int(np.argsort(values)[-1])

# %% predict_classes | correct | list comprehension over the rows
def predict_classes(scores):
    return np.array([int(np.argmax(row)) for row in scores])

# %% predict_classes | correct | argmax over the last axis
def predict_classes(scores):
    return scores.argmax(axis=-1)

# %% predict_classes | mistake | argmax over axis 0
# expect: wrong axis
def predict_classes(scores):
    return np.argmax(scores, axis=0)

# %% predict_classes | mistake | loop into a float array
# expect: integer dtype was expected
def predict_classes(scores):
    out = np.zeros(len(scores))
    for i, row in enumerate(scores):
        out[i] = np.argmax(row)
    return out

# %% predict_classes | mistake | keepdims leaves a column
# expect: keepdims
def predict_classes(scores):
    return np.argmax(scores, axis=1, keepdims=True)

# %% predict_classes | mistake | the largest score instead of its index
# expect: integer dtype was expected
def predict_classes(scores):
    return np.max(scores, axis=1)

# %% accuracy | correct | count in a loop, divide by n
def accuracy(scores, labels):
    right = 0
    for row, label in zip(scores, labels):
        if np.argmax(row) == label:
            right += 1
    return right / len(labels)

# %% accuracy | correct | count_nonzero over the size, a NumPy float
def accuracy(scores, labels):
    return np.count_nonzero(scores.argmax(axis=1) == labels) / labels.size

# %% accuracy | mistake | argmax over axis 0
# expect: did you take the argmax along the wrong axis
# visible: did you take the argmax along the wrong axis
# absent: keepdims
def accuracy(scores, labels):
    return float(np.mean(np.argmax(scores, axis=0) == labels))

# %% accuracy | mistake | percentage
# expect: percentage
def accuracy(scores, labels):
    return 100 * float(np.mean(np.argmax(scores, axis=1) == labels))

# %% accuracy | mistake | the count of right rows
# expect: number of right rows
def accuracy(scores, labels):
    return float(np.sum(np.argmax(scores, axis=1) == labels))

# %% accuracy | mistake | integer division
# expect: integer division
def accuracy(scores, labels):
    return np.sum(np.argmax(scores, axis=1) == labels) // len(labels)

# %% accuracy | mistake | the count of right rows, as a NumPy integer
# expect: number of right rows
def accuracy(scores, labels):
    return np.sum(np.argmax(scores, axis=1) == labels)
# %% exp_all | correct | np.exp itself, by assignment
exp_all = np.exp
# %% full_transpose | correct | np.transpose itself, by assignment
full_transpose = np.transpose
# %% column_sums | correct | a lambda with axis=0
column_sums = lambda a: np.asarray(a).sum(axis=0)
# %% row_sums | correct | einsum
def row_sums(a):
    return np.einsum("ij->i", a)
# %% accuracy | correct | reuses the notebook's own predict_classes
def accuracy(scores, labels):
    return float(np.mean(predict_classes(scores) == np.asarray(labels)))
# %% argmax_index | correct | max over the indices with a key
def argmax_index(values):
    return max(range(len(values)), key=lambda i: values[i])
# %% zeros_matrix | correct | np.full with 0.0
def zeros_matrix(rows, cols):
    return np.full((rows, cols), 0.0)
# %% total | correct | float of the flat iterator's sum
def total(a):
    return float(sum(np.asarray(a, dtype=float).flat))
# %% softmax | mistake | normalises a 2-D array by the sum of all its entries
# expect: each row needs its own sum
def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max())
    return e / e.sum()
# %% shuffled | mistake | returns the shuffled positions, not the values
# expect: these are the positions 0 to n-1
# visible: these are the positions 0 to n-1
# absent: rotation by seed
def shuffled(values, seed):
    return np.random.default_rng(seed).permutation(len(values))
# %% shuffle_together | mistake | shuffles x only; y comes back as given
# expect: or only one of them was
# visible: or only one of them was
def shuffle_together(x, y, seed):
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y):
        raise ValueError("x and y have different lengths")
    order = np.random.default_rng(seed).permutation(len(x))
    return x[order], y.copy()
# %% argmax_index | mistake | the index of the largest absolute value
# expect: returned 0, which is wrong
def argmax_index(values):
    return int(np.argmax(np.abs(values)))
# %% swap_last_two_axes | mistake | moves the last axis to the front (right for 2-D only)
# expect: the axes were moved the wrong way
def swap_last_two_axes(a):
    if a.ndim < 2:
        raise ValueError("needs at least two axes")
    return np.moveaxis(a, -1, 0)
# %% uint8_array | correct | np.fromiter after a check
def uint8_array(values):
    if any(v < 0 or v > 255 for v in values):
        raise ValueError("every value must be between 0 and 255")
    return np.fromiter(values, dtype=np.uint8, count=len(values))
# %% shape_and_size | correct | np.shape and np.size
def shape_and_size(a):
    return np.shape(a), int(np.size(a))
# %% softmax | correct | np.exp of differences with np.divide and where
def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return np.divide(e, np.sum(e, axis=-1, keepdims=True))
# %% random_normal | correct | Generator(PCG64(seed))
def random_normal(rows, cols, seed):
    return np.random.Generator(np.random.PCG64(seed)).standard_normal(size=(rows, cols))
# %% shuffled | correct | rng.choice without replacement
def shuffled(values, seed):
    return np.random.default_rng(seed).choice(np.asarray(values), size=len(values), replace=False)
# %% shuffle_together | correct | one permutation applied with np.take
def shuffle_together(x, y, seed):
    x, y = np.asarray(x), np.asarray(y)
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"x has {x.shape[0]} rows but y has {y.shape[0]} entries")
    p = np.random.default_rng(seed).permutation(x.shape[0])
    return np.take(x, p, axis=0), np.take(y, p, axis=0)
# %% add_column_vector | correct | np.add with a column made by [:, None]
def add_column_vector(m, v):
    v = np.asarray(v).reshape(-1)
    if v.shape[0] != m.shape[0]:
        raise ValueError(f"v has {v.shape[0]} entries but m has {m.shape[0]} rows")
    return m + v[:, None]
# %% predict_classes | correct | np.argmax with axis=-1
def predict_classes(scores):
    return np.argmax(scores, axis=-1)
# %% center_columns | correct | np.mean with axis=0 and keepdims
def center_columns(a):
    return a - np.mean(a, axis=0, keepdims=True)
# %% accuracy | mistake | compares the best score, not its class, with the label
# expect: but 0.75 was expected
def accuracy(scores, labels):
    return float(np.mean(np.max(scores, axis=1) == labels))
# %% uint8_array | mistake | upper bound off by one: 256 passes and wraps to 0
# expect: 256 is above 255
def uint8_array(values):
    if any(v < 0 or v > 256 for v in values):
        raise ValueError("values must be between 0 and 255")
    return np.array(values).astype(np.uint8)
# %% uint8_array | mistake | upper bound off by one: 255 is refused
# expect: your function raised ValueError
def uint8_array(values):
    if any(v < 0 or v >= 255 for v in values):
        raise ValueError("values must be between 0 and 255")
    return np.array(values, dtype=np.uint8)
# %% argmax_index | mistake | counts from 1
# expect: positions count from 0
def argmax_index(values):
    return int(np.argmax(values)) + 1
# %% predict_classes | mistake | argmax of the whole array (a flat index)
# expect: 1 was expected but 10 came back
def predict_classes(scores):
    return np.array([np.argmax(scores)] * len(scores))
# %% total | mistake | sums the first row only
# expect: but 10.0 was expected
def total(a):
    a = np.asarray(a, dtype=float)
    return float(a[0].sum()) if a.ndim > 1 else float(a.sum())
# %% zeros_matrix | mistake | np.empty: the values are whatever memory held
# expect: np.empty does not fill the array
# visible: np.empty does not fill the array
def zeros_matrix(rows, cols):
    return np.empty((rows, cols))
# %% zeros_matrix | correct | np.empty, then filled with zeros
def zeros_matrix(rows, cols):
    result = np.empty((rows, cols))
    result.fill(0.0)
    return result
# %% shape_and_size | mistake | the size written out for four axes
# expect: tuple index out of range
# visible: tuple index out of range
def shape_and_size(a):
    return a.shape, a.shape[0] * a.shape[1] * a.shape[2] * a.shape[3]
# %% argmax_index | mistake | list.index: fine for lists, not for arrays
# expect: arrays have no .index
# visible: arrays have no .index
def argmax_index(values):
    return values.index(max(values))
# %% center_columns | mistake | the row means without keepdims: they do not fit the columns
# expect: did you average along the wrong axis
# visible: did you average along the wrong axis
# absent: keepdims=True
def center_columns(a):
    return a - a.mean(axis=1)
# %% matrix_product | mistake | its own message, with the shapes written as 2x3
# expect: your message names the shapes another way
# visible: your message names the shapes another way
# absent: NumPy's own error
def matrix_product(a, b):
    if a.shape[1] != b.shape[0]:
        raise ValueError(f"cannot multiply {a.shape[0]}x{a.shape[1]} by {b.shape[0]}x{b.shape[1]}")
    return a @ b
# %% add_column_vector | mistake | m + v on a square matrix: no error, wrong answer
# expect: lines up with the COLUMNS of m
# visible: no error, but wrong
def add_column_vector(m, v):
    v = np.asarray(v)
    if v.shape[0] != m.shape[0]:
        raise ValueError(f"v has {v.shape[0]} entries but m has {m.shape[0]} rows")
    if v.ndim == 1 and m.shape[0] != m.shape[1]:
        v = v.reshape(-1, 1)
    return m + v
# %% swap_last_two_axes | mistake | np.swapaxes(a, 1, 2): the last two axes of a 3-D array only
# expect: count from the end instead
# visible: count from the end instead
def swap_last_two_axes(a):
    if a.ndim < 2:
        raise ValueError("need at least 2 axes")
    return np.swapaxes(a, 1, 2)
# %% random_normal | mistake | standard_normal(rows, cols): the shape as two arguments
# expect: the shape was passed as two arguments
# visible: the shape was passed as two arguments
def random_normal(rows, cols, seed):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(rows, cols)
# %% softmax | mistake | row maxima and sums without keepdims
# expect: keep the reduced axis
# visible: keep the reduced axis
def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=-1))
    return e / e.sum(axis=-1)
# %% predict_classes | mistake | np.max: the best scores, not their classes
# expect: those are the largest SCORES
# visible: those are the largest SCORES
def predict_classes(scores):
    return np.max(scores, axis=1)
# %% uint8_array | mistake | assert instead of raising ValueError
# expect: an assert statement raises AssertionError
# visible: an assert statement raises AssertionError
def uint8_array(values):
    for v in values:
        assert 0 <= v <= 255, f"{v} is outside 0..255"
    return np.array(values, dtype=np.uint8)
# %% shuffled | mistake | a generator's shuffle on the caller's list, then an array of it
# expect: reordered its argument number 1 in place
# visible: reordered its argument number 1 in place
def shuffled(values, seed):
    rng = np.random.default_rng(seed)
    rng.shuffle(values)
    return np.array(values)
# %% exp_all | mistake | math.exp element by element: right for 1-D arrays only
# expect: `math` works on single numbers only
import math


def exp_all(a):
    return np.array([math.exp(v) for v in a])
