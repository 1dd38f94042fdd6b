"""Grade a batch of submissions so that no bad input costs anything it should not.

`nbgrader autograde` runs once per notebook (`--notebook`), so that:
- a broken notebook (corrupt JSON, a crash inside nbgrader) fails only itself: nbgrader removes a
  failed student's whole output when it grades all notebooks in one go;
- an interrupted batch resumes where it stopped: nbgrader grades a notebook again only when its
  autograded copy is missing.  nbgrader writes that copy twice, once before running it (sanitized,
  no outputs) and once after the scores; a copy left unrun by a killed batch is removed first, or
  nbgrader would skip it as done, with no scores.
Then every submission gets a status an instructor can read, from the files themselves
(missing, unreadable, stopped by a limit, timed out), and the static scan's flags
(coursekit.grading.scan) for review.  Every doubtful notebook (not plainly graded, or flagged) is
then withheld: marked `needs_manual_grade` in the gradebook, so that no export carries its score
until an instructor clears it (coursekit/review.py: the rule, and `coursekit-review`).
Nothing under the submitted folder is ever written.

`coursekit-grade [--force] [--submitted DIR]` (python -m coursekit.grading.batch) runs it in the current course directory.
"""

import argparse
import dataclasses
import json
import os
import sys
import time
from pathlib import Path

from .. import notebooks, review as withhold
from ..course import has_gradebook, nbgrader
from ..spec import ASSIGNMENT, NOTEBOOKS
from . import sandbox, submission
from .execute import METADATA_KEY, STOPPED
from .progress import Progress, summary


@dataclasses.dataclass
class Status:
    notebook: str
    state: str  # graded | missing | unreadable | not graded | stopped | timed out
    detail: str = ""
    review: str = ""  # why a check asked for an instructor's review ("" when none did)

    def __str__(self):
        return (f"{self.notebook}: {self.state}" + (f" ({self.detail})" if self.detail else "")
                + (f"; a check asks for review: {self.review}" if self.review else ""))


def autograde(course, submitted="submitted", force=False, extra=()):
    """Run nbgrader autograde notebook by notebook; return each run's CompletedProcess.

    extra: more nbgrader arguments, e.g. "--LimitedExecute.timeout=5".
    """
    if not force:
        remove_unfinished(course)
    runs = {}
    # nbgrader follows a submission's symbolic links: it grades a copy without them (submission.py).
    with submission.regular_copy(Path(course) / submitted) as (copy, skipped):
        for student, why in skipped.items():
            print(f"  {student}: not graded: {why}", file=sys.stderr)
        for nb in NOTEBOOKS:
            args = ["autograde", ASSIGNMENT, f"--notebook={nb}", f"--CourseDirectory.submitted_directory={copy}",
                    *(["--force"] if force else []), *extra]
            runs[nb] = nbgrader(*args, cwd=course, check=False)
    return runs


def remove_unfinished(course):
    """Remove autograded copies a killed run left unrun, or nbgrader would skip them as done."""
    for copy in Path(course).glob(f"autograded/*/{ASSIGNMENT}/*.ipynb"):
        if unfinished(copy):
            copy.unlink()


def pending(course, submitted="submitted", force=False):
    """The (student, notebook) pairs an autograde run grades, as nbgrader selects them.

    A submitted notebook is graded when forced, when it has no finished autograded copy, or when
    the submission's timestamp.txt is newer than the graded one's (nbgrader then grades it again).
    """
    folder = Path(course) / submitted
    todo = []
    for student_dir in sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []:
        graded_dir = Path(course) / "autograded" / student_dir.name / ASSIGNMENT
        for nb in NOTEBOOKS:
            source = student_dir / ASSIGNMENT / f"{nb}.ipynb"
            if not submission.is_own_file(folder, source):
                continue
            graded = graded_dir / f"{nb}.ipynb"
            if force or not graded.exists() or unfinished(graded) or newer(student_dir / ASSIGNMENT, graded_dir):
                todo.append((student_dir.name, nb))
    return todo


def newer(submission, graded):
    """Whether the submission's timestamp.txt is newer than the graded copy's (nbgrader's test)."""
    from nbgrader.coursedir import CourseDirectory

    try:
        coursedir = CourseDirectory()
        new, old = coursedir.get_existing_timestamp(str(submission)), coursedir.get_existing_timestamp(str(graded))
    except Exception:  # noqa: BLE001 - an unreadable timestamp fails the student in nbgrader itself
        return False
    return new is not None and old is not None and new > old


def unfinished(graded):
    """Whether an autograded notebook was never run: nbgrader's first, sanitized copy.

    Every finished copy has a run code cell (an execution count or an output; a notebook stopped
    by a limit has the GradingStopped output).
    """
    data, _ = read_json(graded)
    return data is None or unfinished_cells(data["cells"])


def unfinished_cells(cells):
    return not any(isinstance(c, dict) and c.get("cell_type") == "code" and (c.get("outputs") or c.get("execution_count"))
                   for c in cells)


def read_json(path):
    """The notebook's JSON, or the reason it cannot be read as one."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        return None, f"not a notebook file: {type(error).__name__}"
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        return None, "not a notebook file: no list of cells"
    return data, ""


def notebook_status(course, submitted, student, nb):
    source = Path(course) / submitted / student / ASSIGNMENT / f"{nb}.ipynb"
    graded = Path(course) / "autograded" / student / ASSIGNMENT / f"{nb}.ipynb"
    if submission.is_linked(Path(course) / submitted, source):
        return Status(nb, "unreadable", "a symbolic link, not the notebook itself: it is not followed")
    if not source.exists():
        return Status(nb, "missing")
    if not source.is_file():
        return Status(nb, "unreadable", "not a regular file")
    data, problem = read_json(source)
    if data is None:
        return Status(nb, "unreadable", problem)
    if not graded.exists():
        return Status(nb, "not graded", "nbgrader could not grade it: see its log")
    # The JSON as nbgrader wrote it: read without nbformat's validation, which cost the most of a
    # run's recording process (statuses are read for every notebook, several times).
    data, _ = read_json(graded)
    if data is None or unfinished_cells(data["cells"]):
        return Status(nb, "not graded", "grading was interrupted: grade again (without --force) to finish")
    cells = [c for c in data["cells"] if isinstance(c, dict)]
    review = "; ".join(f"{notebooks.grade_id(c) or f'cell {i}'}: {c['metadata'][METADATA_KEY]['review']}"
                       for i, c in enumerate(cells) if _review_of(c))
    status = _state(nb, cells)
    status.review = review
    return status


def _review_of(cell):
    mark = cell.get("metadata", {}).get(METADATA_KEY) if isinstance(cell.get("metadata"), dict) else None
    return isinstance(mark, dict) and isinstance(mark.get("review"), str) and mark["review"]


def _state(nb, cells):
    for cell in cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error" and out.get("ename") == STOPPED \
                    and not out.get("evalue", "").startswith("Not run"):
                return Status(nb, "stopped", out.get("evalue", "").removeprefix(
                    "Grading of this notebook stopped here: ").rstrip("."))
    timeouts = [notebooks.grade_id(c) or f"cell {i}" for i, c in enumerate(cells)
                if any(o.get("ename") == "CellTimeoutError" for o in c.get("outputs", []))]
    if timeouts:
        return Status(nb, "timed out", ", ".join(timeouts))
    return Status(nb, "graded")


def statuses(course, submitted="submitted"):
    """student -> [Status per notebook], plus a pseudo-status for files with unexpected names."""
    folder = Path(course) / submitted
    result = {}
    for student_dir in sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []:
        student = student_dir.name
        result[student] = [notebook_status(course, submitted, student, nb) for nb in NOTEBOOKS]
        assignment = student_dir / ASSIGNMENT
        expected = {f"{nb}.ipynb" for nb in NOTEBOOKS}
        if assignment.is_dir():  # notebooks under other names
            strays = sorted(p.name for p in assignment.glob("*.ipynb") if p.name not in expected)
        else:  # no assignment folder at all: everything the student handed in is misplaced
            strays = sorted(p.name for p in student_dir.iterdir())
        if strays:
            result[student].append(Status("files", "unexpected", ", ".join(strays)
                                          + f" (expected {ASSIGNMENT}/<notebook>.ipynb names)"))
    return result


def main(argv=None):
    from ..lti.hook import push_after_grading
    from ..results import course_results
    from ..summary import table

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="grade again the notebooks already graded")
    parser.add_argument("--submitted", default="submitted", help="folder of submissions (default: submitted)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="students graded at once, each in its own sandbox (default: the machine's cores; "
                             "1: nbgrader autograde itself, one notebook after another)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="grade on the Dask cluster of this scheduler, e.g. tcp://grader1:8786 (docs/grading.md)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    course = Path.cwd()
    problems = sandbox_problems(course)
    if problems:
        print("coursekit-grade: the grading sandbox failed its self-check, so nothing was graded:\n  "
              + "\n  ".join(problems), file=sys.stderr)
        return 2
    withhold.adopt_formgrader_clearances(course)  # before autograde marks manually scored cells again
    todo = pending(course, args.submitted, args.force)
    started = time.perf_counter()
    if args.jobs == 1 and not args.scheduler:
        for nb, run in autograde(course, args.submitted, args.force).items():
            print(f"nbgrader autograde {ASSIGNMENT} --notebook={nb}: "
                  + ("done" if run.returncode == 0 else "some submissions failed (statuses below)"))
    else:
        outcome = autograde_with_progress(course, args.submitted, args.force, args.jobs, args.scheduler, len(todo))
        for (student, nb), why in outcome.items():
            if why:
                print(f"  {student} {nb}: not graded: {why}")
    print(summary([notebook_status(course, args.submitted, student, nb).state for student, nb in todo],
                  time.perf_counter() - started))
    print()
    review(course, args.submitted)
    print("\nScores (points per notebook):\n")
    print(table(course_results(course, args.submitted)))
    # The final scores to the LMS when LTI is configured (coursekit/lti/hook.py; off with
    # c.LtiTool.push_after_grading = False); whatever the LMS answers, grading has succeeded.
    push_after_grading(course)
    return 0


def sandbox_problems(course):
    """What is wrong with the sandbox grading would use in `course` ([] if nothing, or if the
    course turned it off): a live check before anything is graded (coursekit.grading.sandbox)."""
    from nbgrader.coursedir import CourseDirectory

    from ..course import config_of, gradebook_url
    from .execute import SANDBOX_LIMITS, LimitedExecute

    config = config_of(course)
    settings = LimitedExecute(config=config)
    if not settings.use_sandbox:
        print("coursekit-grade: the sandbox is turned off (LimitedExecute.use_sandbox = False): student code "
              "runs unconfined.", file=sys.stderr)
        return []
    coursedir = CourseDirectory(config=config, root=str(course))
    source = Path(coursedir.format_path(coursedir.source_directory, ".", ASSIGNMENT))
    hidden = [source, source / settings.checks_module, Path(course) / "submitted"]
    database = gradebook_url(course)
    if database.startswith("sqlite:///"):
        hidden.append(Path(database.removeprefix("sqlite:///")))
    return sandbox.self_check({name: getattr(settings, name) for name in SANDBOX_LIMITS}, hidden)


def autograde_with_progress(course, submitted="submitted", force=False, jobs=os.cpu_count() or 1, scheduler=None,
                            total=None):
    """coursekit.grading.parallel's autograde, counted on a progress bar (plain lines when not on
    a terminal); `total`: the notebooks it will grade, if already known (pending)."""
    from .parallel import autograde as autograde_parallel

    where = f"on the Dask cluster at {scheduler}" if scheduler else f"{jobs} at once"
    total = len(pending(course, submitted, force)) if total is None else total
    progress = Progress(total, desc=f"grading ({where})")
    try:
        return autograde_parallel(course, submitted, force, jobs=jobs, scheduler=scheduler, progress=progress)
    finally:
        progress.close()


def review(course, submitted="submitted", out=sys.stdout):
    """What an instructor should look at after grading: statuses, then the tamper scan's flags;
    every doubtful notebook is withheld in the gradebook (coursekit.review.mark)."""
    from .scan import REVIEW, scan_submissions

    report(course, submitted, out)
    flags = scan_submissions(Path(course) / submitted, Path(course) / "release" / ASSIGNMENT)
    flagged = {student: [f for f in items if f.severity == REVIEW] for student, items in flags.items()}
    flagged = {student: items for student, items in flagged.items() if items}
    if flagged:
        print(f"Flagged for review by the tamper scan (details: coursekit-scan {submitted}):", file=out)
        for student, items in flagged.items():
            print(f"  {student}: {len(items)} finding(s): " + ", ".join(sorted({f.rule for f in items})), file=out)
    else:
        print("The tamper scan flagged no submission.", file=out)
    if has_gradebook(course):
        withheld = withhold.mark(course, submitted, statuses(course, submitted), flagged)
        if withheld:
            print(f"Withheld for review, in no export until cleared: {len(withheld)} notebook(s) of "
                  f"{', '.join(sorted({s for s, _ in withheld}))} (coursekit-review lists and clears them).", file=out)
    return flagged


def report(course, submitted="submitted", out=sys.stdout):
    """Print every submission whose status is not plainly 'graded'."""
    problems = {s: [x for x in st if x.state != "graded" or x.review] for s, st in statuses(course, submitted).items()}
    problems = {s: p for s, p in problems.items() if p}
    if not problems:
        print("Every submission was graded normally.", file=out)
    else:
        print("Submissions that need a look:", file=out)
        for student, items in problems.items():
            print(f"  {student}: " + "; ".join(str(x) for x in items), file=out)
    return problems


if __name__ == "__main__":
    sys.exit(main())
