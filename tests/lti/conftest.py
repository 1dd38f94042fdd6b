"""The LTI tests' fixtures: keys and a course template once per test run, a world (course, LMS, tool) per
test.  Defined in world.py with the helpers they share."""

from .world import pems, world  # noqa: F401 - fixtures
