"""The steps of `coursekit-grade` (coursekit/commands/grade.py), shared with the LTI tool's grading
worker (coursekit/lti/grading.py) and the demo: the sandbox's live self-check, the batch with its
progress, and the report after grading that withholds every doubtful notebook.
"""

import os
import sys
import time
from pathlib import Path

from ..course import CoursePaths, config_of, gradebook_url
from ..grading.batch.parallel import autograde as autograde_parallel
from ..grading.batch.progress import Progress, summary
from ..grading.batch.selection import pending
from ..grading.batch.serial import autograde as autograde_serial
from ..grading.kernel import sandbox
from ..grading.plugins.limited_execute import LimitedExecute, sandbox_limits
from ..lti.hook import push_after_grading
from ..results import course_results
from ..review import adopt_formgrader_clearances, withhold_doubtful
from ..spec import ASSIGNMENT
from ..submissions import notebook_status
from ..summary import table


def run(args):
    """coursekit-grade in the current folder, with the parsed command-line `args`; returns the exit status."""
    course = Path.cwd()
    problems = sandbox_problems(course)
    if problems:
        print("coursekit-grade: the grading sandbox failed its self-check, so nothing was graded:\n  "
              + "\n  ".join(problems), file=sys.stderr)
        return 2
    adopt_formgrader_clearances(course)  # before autograde marks manually scored cells again
    todo = pending(course, args.submitted, args.force)
    started = time.perf_counter()
    if args.jobs == 1 and not args.scheduler:
        for nb, process in autograde_serial(course, args.submitted, args.force).items():
            print(f"nbgrader autograde {ASSIGNMENT} --notebook={nb}: "
                  + ("done" if process.returncode == 0 else "some submissions failed (statuses below)"))
    else:
        outcome = autograde_with_progress(course, args.submitted, args.force, args.jobs, args.scheduler, len(todo))
        for (student, nb), why in outcome.items():
            if why:
                print(f"  {student} {nb}: not graded: {why}")
    paths = CoursePaths(course, args.submitted)
    print(summary([notebook_status(paths, student, nb).state for student, nb in todo], time.perf_counter() - started))
    print()
    report(course, args.submitted)
    print("\nScores (points per notebook):\n")
    print(table(course_results(course, args.submitted)))
    # The final scores to the LMS when LTI is configured (coursekit/lti/hook.py; off with
    # c.LtiTool.push_after_grading = False); whatever the LMS answers, grading has succeeded.
    push_after_grading(course)
    return 0


def sandbox_problems(course):
    """What is wrong with the sandbox grading would use in `course` ([] if nothing, or if the
    course turned it off): a live check before anything is graded (coursekit.grading.kernel.sandbox)."""
    settings = LimitedExecute(config=config_of(course))
    if not settings.use_sandbox:
        print("coursekit-grade: the sandbox is turned off (LimitedExecute.use_sandbox = False): student code "
              "runs unconfined.", file=sys.stderr)
        return []
    paths = CoursePaths(course)
    hidden = [paths.source(), paths.source() / settings.checks_module, paths.submitted_folder()]
    database = gradebook_url(course)
    if database.startswith("sqlite:///"):
        hidden.append(Path(database.removeprefix("sqlite:///")))
    return sandbox.self_check(sandbox_limits(settings), hidden)


def autograde_with_progress(course, submitted=None, force=False, jobs=None, scheduler=None, total=None):
    """The parallel batch, counted on a progress bar (plain lines when not on a terminal); `total`:
    the notebooks it will grade, if already known (pending)."""
    jobs = jobs or os.cpu_count() or 1
    where = f"on the Dask cluster at {scheduler}" if scheduler else f"{jobs} at once"
    total = len(pending(course, submitted, force)) if total is None else total
    progress = Progress(total, desc=f"grading ({where})")
    try:
        return autograde_parallel(course, submitted, force, jobs=jobs, scheduler=scheduler, progress=progress)
    finally:
        progress.close()


def report(course, submitted=None, out=sys.stdout):
    """What an instructor should look at after grading, with every doubtful notebook withheld
    (coursekit.review.withhold_doubtful): statuses that are not plainly graded, the tamper scan's
    flags, what was withheld. Returns the scan's review flags by student."""
    statuses, flagged, withheld = withhold_doubtful(course, submitted)
    problems = {student: [x for x in items if x.doubtful] for student, items in statuses.items()}
    problems = {student: items for student, items in problems.items() if items}
    if not problems:
        print("Every submission was graded normally.", file=out)
    else:
        print("Submissions that need a look:", file=out)
        for student, items in problems.items():
            print(f"  {student}: " + "; ".join(str(x) for x in items), file=out)
    if flagged:
        print(f"Flagged for review by the tamper scan (details: coursekit-scan {submitted or ''}):".replace(" )", ")"),
              file=out)
        for student, items in flagged.items():
            print(f"  {student}: {len(items)} finding(s): " + ", ".join(sorted({f.rule for f in items})), file=out)
    else:
        print("The tamper scan flagged no submission.", file=out)
    if withheld:
        print(f"Withheld for review, in no export until cleared: {len(withheld)} notebook(s) of "
              f"{', '.join(sorted({s for s, _ in withheld}))} (coursekit-review lists and clears them).", file=out)
    return flagged
