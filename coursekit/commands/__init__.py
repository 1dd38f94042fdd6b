"""The console commands, one module each (pyproject.toml's [project.scripts]): grade, review, report,
scan, lms, gradescope, settings. They parse arguments and print; the work is done below them."""
