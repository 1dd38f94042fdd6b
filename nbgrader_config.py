"""nbgrader settings for this course: only what differs from nbgrader's defaults."""

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

# Every release notebook opens with the same student note (how to work, that hidden tests decide
# the grade); keeping it in one header notebook avoids three drifting copies.
c.IncludeHeaderFooter.header = "source/header.ipynb"
