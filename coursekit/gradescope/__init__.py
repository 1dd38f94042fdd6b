"""Grade on Gradescope with nbgrader (docs/gradescope.md is the instructor's guide).

    python -m coursekit.commands.gradescope build [--out dist/gradescope.zip]
    python -m coursekit.commands.gradescope run [--root /autograder] [--course DIR] [--sandbox auto|on|off]

- build.py:   the autograder zip: setup.sh and run_autograder (the files beside this module),
              the course's config, its source/ without solutions, the coursekit modules grading needs;
- run.py:     one submission: a scratch nbgrader course, its times from submission_metadata.json,
              autograde in the sandbox or under prlimit, results.json (also when grading fails);
- results.py: results.json, one test per exercise, plain text, nothing of the hidden tests.
"""

from . import run as run_module  # noqa: F401  (the module; `run` below is its function)
from .build import build  # noqa: F401
from .results_json import (  # noqa: F401
                      STUDENT,
                      Exercise,
                      Failure,
                      exercise_results,
                      failure_results,
                      instructor_only_lines,
                      redact,
                      results_json,
)
from .run import find_notebooks, limited_command, limits, run, sandbox_choice, sandbox_works, submission_times  # noqa: F401
