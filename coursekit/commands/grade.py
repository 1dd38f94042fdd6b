"""`coursekit-grade [--force] [--submitted DIR] [--jobs N | --scheduler ADDRESS]`: grade the course's submissions.

In the course directory: a live self-check of the sandbox (nothing is graded if it fails); then
every submission graded (coursekit.grading.batch: on every core by default, `--jobs 1` one
nbgrader run per notebook, `--scheduler` on a Dask cluster); then what needs a look (statuses, the
tamper scan, what a check asked to review), every doubtful notebook withheld (coursekit.review),
the score table, and the final scores pushed to the LMS when LTI is configured.  The steps are in
coursekit/commands/grade_steps.py.
"""

import argparse
import os
import sys

from .. import fork_server


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0].split(": ", 1)[1])
    parser.add_argument("--force", action="store_true", help="grade again the notebooks already graded")
    parser.add_argument("--submitted", help="folder of submissions (default: the course's, submitted/)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="students graded at once, each in its own sandbox (default: the machine's cores; "
                             "1: nbgrader autograde itself, one notebook after another)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="grade on the Dask cluster of this scheduler, e.g. tcp://grader1:8786 (docs/grading.md)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    if not args.scheduler:
        # The fork server imports the grader (about 2 s) on another core while this process imports
        # it too and runs the sandbox's self-check: the local pool's workers (or, with --jobs 1, the
        # `nbgrader autograde` of each notebook) are then ready at once.
        fork_server.start()
    # Imported here, after the server has started: the steps import nbgrader and the grader.
    from . import grade_steps

    return grade_steps.run(args)


if __name__ == "__main__":
    sys.exit(main())
