"""The LTI tool's tests.  A package, so that its modules and its conftest have names of their own
(lti.conftest, lti.test_lti_roster): the suite imports test modules by their file names, and
tests/examples/test_demo.py imports the root conftest by name."""
