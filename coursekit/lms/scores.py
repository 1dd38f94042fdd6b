"""Scores as the LMS exports read them from nbgrader's gradebook: the one place that adds them up.

(To be replaced by the course's results model, coursekit/results.py, once it exists.)
"""

from nbgrader.api import MissingEntry

from ..spec import EXERCISES, NOTEBOOKS, exercise_of


def submission(gb, assignment, student_id):
    """nbgrader's submission of a student, or None when there is none."""
    try:
        return gb.find_submission(assignment, student_id)
    except MissingEntry:
        return None


def final_score(sub):
    """nbgrader's score minus its late penalty, never below 0."""
    return max(0.0, (sub.score or 0.0) - (sub.late_submission_penalty or 0.0))


def exercise_scores(sub):
    """{exercise: points} over the spec's exercises; a grade cell outside the spec raises ValueError."""
    scores = {name: 0.0 for nb in NOTEBOOKS for name in EXERCISES[nb]}
    for nb in sub.notebooks:
        for grade in nb.grades:
            name = exercise_of(grade.name, nb.name) if nb.name in EXERCISES else None
            if name is None:  # the columns would not add up to the total
                raise ValueError(f"grade cell {grade.name} of {nb.name} belongs to no exercise of coursekit.spec")
            scores[name] += grade.score or 0.0
    return scores
