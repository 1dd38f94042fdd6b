"""Shared fixtures: one nbgrader autograde batch serves the whole suite; the two test tiers.

Grading is the slow part (a kernel start per notebook), so the session generates the release
once and autogrades every corpus case, the reference solutions and a blank submission in one
sharded batch; the tests then read verdicts from it.

Tiers (docs/development.md): a test is `slow` when it runs nbgrader or a kernel: through a
fixture that grades (SLOW_FIXTURES), in a module that grades throughout (SLOW_MODULES), or
marked `@pytest.mark.slow` itself. `bash scripts/test.sh -m "not slow"` runs the rest.
"""

import pytest

from devtools import corpus


@pytest.fixture(scope="session")
def cases():
    return corpus.load()


@pytest.fixture(scope="session")
def graded(cases, tmp_path_factory):
    """The result of devtools.corpus.grade: a fresh release and every student's per-cell scores."""
    return corpus.grade(cases, tmp_path_factory.mktemp("grading"))


@pytest.fixture(scope="session")
def graded_examples(tmp_path_factory):
    """A scratch course where the three example students (alice, bao, chidi) are autograded.

    For tests of what comes after grading (feedback, exports, reports): grading runs once.
    """
    import shutil

    from coursekit.course import generate_release
    from coursekit.grading import batch as grade
    from devtools import examples
    from devtools.scratch import new_course
    from coursekit.spec import ASSIGNMENT

    course = new_course(tmp_path_factory.mktemp("examples") / "course")
    generate_release(course)
    for student in examples.STUDENTS:
        shutil.copytree(examples.EXAMPLES / student, course / "submitted" / student)
    runs = grade.autograde(course, force=True)
    assert all(r.returncode == 0 for r in runs.values()), [r.stderr[-2000:] for r in runs.values()]
    assert (course / "autograded" / "alice" / ASSIGNMENT).is_dir()
    return course


# Fixtures (of any test module) that run nbgrader: every test using one is slow.
SLOW_FIXTURES = {"graded", "graded_examples", "batch", "runs", "autograder_zip", "exported", "blank_course"}
# Modules whose every test runs nbgrader, a kernel or the sandbox.
SLOW_MODULES = {"test_adversarial.py", "test_exchange.py", "test_demo.py", "test_sandbox.py"}


def pytest_collection_modifyitems(items):
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())) or item.path.name in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
