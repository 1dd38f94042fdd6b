"""Grade a batch of submissions one notebook at a time, so that no bad input costs anything it should not.

`nbgrader autograde` runs once per notebook (`--notebook`), so that:
- a broken notebook (corrupt JSON, a crash inside nbgrader) fails only itself: nbgrader removes a
  failed student's whole output when it grades all notebooks in one go;
- an interrupted batch resumes where it stopped: nbgrader grades a notebook again only when its
  autograded copy is missing.  nbgrader writes that copy twice, once before running it (sanitized,
  no outputs) and once after the scores; a copy left unrun by a killed batch is removed first, or
  nbgrader would skip it as done, with no scores.
What grading made of each notebook is then read from the files (coursekit.submissions.statuses), and
coursekit.review withholds the doubtful ones. `coursekit-grade --jobs 1` runs this; the default, on
every core, is coursekit.grading.batch.parallel. Nothing under the submitted folder is ever written.
"""

import sys

from ...course import CoursePaths, config_of, nbgrader
from ...spec import ASSIGNMENT, NOTEBOOKS
from ...submissions import regular_copy
from ..plugins.limited_execute import LimitedExecute
from .selection import remove_unfinished


def autograde(course, submitted=None, force=False, extra=()):
    """Run nbgrader autograde notebook by notebook; return each run's CompletedProcess.

    extra: more nbgrader arguments, e.g. "--LimitedExecute.timeout=5".
    """
    if not force:
        remove_unfinished(course)
    runs = {}
    # nbgrader follows a submission's symbolic links: it grades a copy without them (coursekit.submissions).
    max_bytes = LimitedExecute(config=config_of(course)).submission_mb * 2**20
    with regular_copy(CoursePaths(course, submitted).submitted_folder(), max_bytes) as (copy, skipped):
        for student, why in skipped.items():
            print(f"  {student}: not graded: {why}", file=sys.stderr)
        for nb in NOTEBOOKS:
            args = ["autograde", ASSIGNMENT, f"--notebook={nb}", f"--CourseDirectory.submitted_directory={copy}",
                    *(["--force"] if force else []), *extra]
            runs[nb] = nbgrader(*args, cwd=course, check=False)
    return runs
