"""The LTI tests' fixtures: keys and a course template once per session, a world (course, LMS, tool) per
test, a course where nbgrader generated the assignment (for the tests that grade).  Defined in world.py
with the helpers they share."""

from .world import pems, real_course, world  # noqa: F401 - fixtures
