"""What a batch grades: the notebooks nbgrader would grade, and the copies a killed batch left unfinished."""

from nbgrader.coursedir import CourseDirectory

from ...course import CoursePaths
from ...spec import NOTEBOOKS
from ...submissions import is_own_file, unfinished


def remove_unfinished(course):
    """Remove autograded copies a killed run left unrun, or nbgrader would skip them as done."""
    paths = CoursePaths(course)
    for student in paths.graded_students():
        for copy in paths.graded(student).glob("*.ipynb"):
            if unfinished(copy):
                copy.unlink()


def pending(course, submitted=None, force=False):
    """The (student, notebook) pairs an autograde run grades, as nbgrader selects them.

    A submitted notebook is graded when forced, when it has no finished autograded copy, or when
    the submission's timestamp.txt is newer than the graded one's (nbgrader then grades it again).
    """
    paths = CoursePaths(course, submitted)
    todo = []
    for student in paths.students():
        submission, graded_dir = paths.submission(student), paths.graded(student)
        for nb in NOTEBOOKS:
            if not is_own_file(paths.submitted_folder(), submission / f"{nb}.ipynb"):
                continue
            graded = graded_dir / f"{nb}.ipynb"
            if force or not graded.exists() or unfinished(graded) or newer(submission, graded_dir):
                todo.append((student, nb))
    return todo


def newer(submission, graded):
    """Whether the submission's timestamp.txt is newer than the graded copy's (nbgrader's test)."""
    try:
        coursedir = CourseDirectory()
        new, old = coursedir.get_existing_timestamp(str(submission)), coursedir.get_existing_timestamp(str(graded))
    except Exception:  # noqa: BLE001 - an unreadable timestamp fails the student in nbgrader itself
        return False
    return new is not None and old is not None and new > old
