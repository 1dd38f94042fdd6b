"""Shared fixtures: one nbgrader autograde batch serves the whole suite.

Grading is the slow part (a kernel start per notebook), so the session generates the release
once and autogrades every corpus case, the reference solutions and a blank submission in one
sharded batch; the tests then read verdicts from it.
"""

import pytest

from coursekit import corpus


@pytest.fixture(scope="session")
def cases():
    return corpus.load()


@pytest.fixture(scope="session")
def graded(cases, tmp_path_factory):
    """The result of coursekit.corpus.grade: a fresh release and every student's per-cell scores."""
    return corpus.grade(cases, tmp_path_factory.mktemp("grading"))


@pytest.fixture(scope="session")
def graded_examples(tmp_path_factory):
    """A scratch course where the three example students (alice, bao, chidi) are autograded.

    For tests of what comes after grading (feedback, exports, reports): grading runs once.
    """
    import shutil

    from coursekit import examples, grade
    from coursekit.nbgrader import generate_release, new_course
    from coursekit.spec import ASSIGNMENT

    course = new_course(tmp_path_factory.mktemp("examples") / "course")
    generate_release(course)
    for student in examples.STUDENTS:
        shutil.copytree(examples.EXAMPLES / student, course / "submitted" / student)
    runs = grade.autograde(course, force=True)
    assert all(r.returncode == 0 for r in runs.values()), [r.stderr[-2000:] for r in runs.values()]
    assert (course / "autograded" / "alice" / ASSIGNMENT).is_dir()
    return course
