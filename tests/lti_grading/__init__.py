"""The LTI tool's tests that really grade: the worker grades uploads in sandboxed kernels, and Debian's
Chromium drives the pages.  A slow folder (tests/conftest.py's SLOW_FOLDERS); tests/lti/ is quick."""
