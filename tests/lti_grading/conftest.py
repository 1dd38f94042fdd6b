"""Fixtures of the grading LTI tests: tests/lti's keys (pems), and a course where nbgrader generated the
assignment (real_course), what the worker's grading needs."""

import pytest

from devtools.scratch import new_course
from tests.lti.world import pems  # noqa: F401 - fixture
from tests.support.released import released


@pytest.fixture(scope="session")
def real_course(tmp_path_factory):
    """A course where `nbgrader generate_assignment` ran (source/, release/, the gradebook with the test
    cells split grading runs): what real grading needs."""
    course = new_course(tmp_path_factory.mktemp("real") / "course")
    released(course)
    return course
