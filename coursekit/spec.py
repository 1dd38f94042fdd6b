"""The names the course's spec fixes: the assignment, its notebooks, their exercises.

Every test cell of an exercise has a grade_id starting with ``<exercise>_``; its solution cell's
grade_id is the exercise name itself.  The lists are in the order the notebooks teach them.
"""

import functools

ASSIGNMENT = "math_numpy"

EXERCISES = {
    "01_derivatives_and_gradients": [
        "derivative_answers", "partial_answers",
        "d_constant", "d_identity", "d_exp", "d_square", "d_reciprocal", "d_log",
        "partials_sum", "partials_product", "gradient_product",
        "d_inverse_exp", "chain_rule",
        "numerical_derivative", "numerical_gradient", "gradient_descent",
    ],
    "02_matrix_operations": [
        "scale", "transpose", "matrix_add", "matrix_subtract", "product_shape", "matmul_loops", "commutes",
        "is_solution",
    ],
    "03_numpy_essentials": [
        "uint8_array", "zeros_matrix", "shape_and_size", "full_transpose", "swap_last_two_axes",
        "matrix_product", "elementwise_product", "add_scalar", "add_column_vector", "center_columns",
        "random_normal", "shuffled", "shuffle_together",
        "total", "column_sums", "row_sums", "exp_all", "softmax",
        "argmax_index", "predict_classes", "accuracy",
    ],
}

NOTEBOOKS = list(EXERCISES)


@functools.lru_cache(maxsize=4096)  # the results model asks for every cell of every student's notebook
def exercise_of(grade_id, notebook):
    """The exercise a grade cell belongs to: the longest exercise name that prefixes its id.

    Returns None for cells that belong to no exercise (explanations, setup, header).
    """
    owners = [name for name in EXERCISES[notebook] if grade_id == name or grade_id.startswith(name + "_")]
    return max(owners, key=len) if owners else None
