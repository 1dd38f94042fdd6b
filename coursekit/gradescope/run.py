"""`coursekit-gradescope run`: grade one Gradescope submission with nbgrader.

`run --root DIR` expects Gradescope's layout and adds one folder:

    DIR/source/        the unpacked zip: the course files (--course overrides it)
    DIR/submission/    the student's upload; notebooks are found by their exact names, anywhere
                       below (an uploaded folder works too); other files are ignored and listed
    DIR/submission_metadata.json   Gradescope's: when the student submitted, the due date
    DIR/grading/       a scratch nbgrader course, made afresh by each run: the course's config and
                       source/ (without solutions), the submission as submitted/student/ with its
                       timestamp.txt, `nbgrader generate_assignment`, the assignment's due date,
                       then the sandboxed autograde, one notebook at a time; kept for the instructor
    DIR/results/results.json

Late submissions: the submission time (created_at) goes into nbgrader's timestamp.txt and the due
date (the student's own, with an extension, else the assignment's) into the gradebook, so
nbgrader's late penalty (c.LateSubmissionPlugin, none by default) applies as it would on a server.

Limits.  Grading uses the bubblewrap sandbox (coursekit.grading.kernel.sandbox) when a probe shows that it can
start here.  Docker containers often cannot create the namespaces bwrap needs (no CAP_SYS_ADMIN,
Docker's seccomp profile); then (`--sandbox auto`, the default) grading goes on without it, but
never without limits: the grading step runs under `prlimit` with the limits of nbgrader's
config (c.LimitedExecute.memory_mb, cpu_seconds, processes, file_mb) and, when run as root (as
on Gradescope), as an unprivileged user (setpriv), because Linux does not apply the process
limit to root.  The container is the submission's own and is thrown away; it holds no solutions.
`--sandbox on` refuses to grade without the sandbox.

When grading itself fails (not the student's notebooks), results.json says so (no score to
trust) and the traceback goes to stdout, for the instructor; the run exits non-zero.
"""

import json
import os
import shutil
import subprocess
import sys
import time
import traceback
from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.utils import parse_utc

from .. import results
from ..course import environment, generate_release, new_course
from ..grading.batch.serial import autograde
from ..grading.kernel import sandbox
from ..grading.kernel.limits import prlimit
from ..grading.plugins.limited_execute import LimitedExecute, sandbox_limits
from ..review import withhold_doubtful
from ..spec import ASSIGNMENT, NOTEBOOKS
from ..submissions import statuses as read_statuses
from .build import course_config
from .results_json import STUDENT, exercise_results, failure_results, instructor_only_lines, results_json

UNPRIVILEGED = 65534  # nobody: the grading step's user when the run is root and the sandbox cannot start


def find_notebooks(folder):
    """({notebook: path}, [missing notebooks], [ignored files]) for a submission folder.

    A notebook counts when its file name is exact, at any depth (the shallowest copy wins).
    Everything else is ignored and listed, so that a student sees a renamed notebook.
    """
    files = sorted((p for p in Path(folder).rglob("*") if p.is_file()) if Path(folder).is_dir() else [],
                   key=lambda p: (len(p.relative_to(folder).parts), str(p)))
    found, ignored = {}, []
    for path in files:
        name = path.stem if path.suffix == ".ipynb" else None
        if name in NOTEBOOKS and name not in found:
            found[name] = path
        else:
            ignored.append(path.relative_to(folder).as_posix())
    return found, [nb for nb in NOTEBOOKS if nb not in found], sorted(ignored)


def sandbox_works():
    """Can bubblewrap make the namespaces the grading sandbox needs, in this container?"""
    if not sandbox.bwrap_path():
        return False
    probe = [sandbox.bwrap_path(), "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
             "--die-with-parent", "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "true"]
    try:
        return subprocess.run(probe, capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def sandbox_choice(use_sandbox):
    """Grade in the bubblewrap sandbox? For `--sandbox auto|on|off` (the module docstring says why
    auto falls back, and to what)."""
    if use_sandbox == "off":
        return False
    if sandbox_works():
        return True
    if use_sandbox == "on":
        raise SystemExit("--sandbox on: bubblewrap cannot start its sandbox in this container")
    print("bubblewrap cannot start its sandbox in this container: grading under prlimit instead, "
          "in this submission's own throw-away container")
    return False




def limits(course_files):
    """The kernel limits of the course's nbgrader config (LimitedExecute's settings)."""
    return sandbox_limits(LimitedExecute(config=course_config(course_files)))


def limited_command(command, limit, as_user=None):
    """`command` under prlimit (and setpriv to `as_user`), as the sandbox applies them inside bwrap."""
    wrapped = prlimit(limit, prlimit="prlimit")
    if as_user is not None:
        wrapped += ["setpriv", f"--reuid={as_user}", f"--regid={as_user}", "--clear-groups", "--"]
    return wrapped + command


def can_run_as(user, env):
    """Can `user` do what the grading step does: start this Python, import coursekit, start nbgrader
    (every folder on the way readable, the interpreter too)?"""
    nbgrader_command = str(Path(sys.executable).parent / "nbgrader")
    probe = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", "--", sys.executable, "-c",
             "import subprocess, sys, coursekit.gradescope; "
             f"sys.exit(subprocess.run([{nbgrader_command!r}, '--version'], capture_output=True).returncode)"]
    try:
        return subprocess.run(probe, env=env, capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def grade_without_sandbox(course, limit):
    """The grading step in a child process under prlimit (and as nobody when this run is root)."""
    env = environment()
    as_user = UNPRIVILEGED if os.geteuid() == 0 else None
    if as_user is not None and not can_run_as(as_user, env):
        print(f"user {as_user} cannot run {sys.executable} here: grading as root under prlimit, where Linux "
              "does not apply the process limit (on Gradescope, Python is installed for all users)")
        as_user = None
    if as_user is not None:
        home = course / ".home"  # nbgrader and Jupyter write their runtime files under HOME
        home.mkdir(exist_ok=True)
        for folder, _dirs, files in os.walk(course):
            for name in [folder, *(os.path.join(folder, f) for f in files)]:
                os.chown(name, as_user, as_user)
        env["HOME"] = str(home)
    command = [sys.executable, "-m", "coursekit.commands.gradescope", "grade-step", str(course)]
    print(f"grading under limits: {' '.join(limited_command(['...'], limit, as_user))}")
    done = subprocess.run(limited_command(command, limit, as_user), env=env, text=True, capture_output=True)
    print(done.stdout[-5000:], done.stderr[-5000:], sep="\n")
    if done.returncode != 0:
        raise RuntimeError(f"the limited grading step failed ({done.returncode})")


def grade_step(course, use_sandbox):
    """nbgrader autograde of each notebook (coursekit.grading.batch.serial.autograde); failures are in stdout."""
    extra = [] if use_sandbox else ["--LimitedExecute.use_sandbox=False"]
    for nb, done in autograde(Path(course), force=True, extra=extra).items():
        if done.returncode != 0 and (Path(course) / "submitted" / STUDENT / ASSIGNMENT / f"{nb}.ipynb").exists():
            print(f"nbgrader autograde --notebook={nb} failed:\n{done.stderr[-3000:]}")


def submission_times(root):
    """(created_at, due date) from Gradescope's submission_metadata.json, either may be None."""
    path = Path(root) / "submission_metadata.json"
    if not path.is_file():
        return None, None
    meta = json.loads(path.read_text())
    users = [u.get("assignment") or {} for u in meta.get("users") or []]
    own_due = next((u.get("due_date") for u in users if u.get("due_date")), None)  # an extension
    return meta.get("created_at"), own_due or (meta.get("assignment") or {}).get("due_date")


def record_times(course, created_at, due):
    """The submission time as nbgrader's timestamp.txt, the due date in the gradebook."""
    if created_at:
        (course / "submitted" / STUDENT / ASSIGNMENT / "timestamp.txt").write_text(created_at)
    if due:
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
            gb.update_or_create_assignment(ASSIGNMENT, duedate=parse_utc(due))
    print(f"submitted at: {created_at or 'unknown'}; due: {due or 'none'}")


def run(root, course_files=None, use_sandbox="auto"):
    """Grade DIR/submission into DIR/results/results.json; return the results object."""
    start = time.monotonic()
    root = Path(root)
    out = root / "results" / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        results = grade_submission(root, Path(course_files) if course_files else root / "source", use_sandbox, start)
    except BaseException:
        out.write_text(json.dumps(failure_results(time.monotonic() - start), indent=1) + "\n")
        print(f"grading failed; wrote the failure to {out}\n{traceback.format_exc()}")
        raise
    out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"score {results['score']:g} / {sum(t['max_score'] for t in results['tests']):g}; wrote {out}")
    return results


def grade_submission(root, course_files, use_sandbox, start):
    found, missing, ignored = find_notebooks(root / "submission")
    print(f"course files: {course_files}\nnotebooks found: {', '.join(map(str, found.values())) or 'none'}")
    sandboxed = sandbox_choice(use_sandbox)

    # A scratch nbgrader course: the course's config and source/, this submission as one student.
    course = root / "grading"
    shutil.rmtree(course, ignore_errors=True)
    new_course(course, repo=course_files)
    generate_release(course)
    folder = course / "submitted" / STUDENT / ASSIGNMENT
    folder.mkdir(parents=True)
    for nb, path in found.items():
        shutil.copy(path, folder / f"{nb}.ipynb")
    record_times(course, *submission_times(root))
    if sandboxed:
        grade_step(course, use_sandbox=True)
    else:
        grade_without_sandbox(course, limits(course_files))
    # Statuses and the tamper scan, doubtful notebooks withheld; stdout is for the instructor.
    for status in withhold_doubtful(course)[0].get(STUDENT, []):
        print(status)

    exercises = exercise_results(course, found)
    secret = instructor_only_lines(course / "source" / ASSIGNMENT)
    statuses = read_statuses(course).get(STUDENT, [])
    final = results.student_result(course, STUDENT).released_final_score
    return results_json(exercises, found, missing, ignored, statuses, time.monotonic() - start, secret, final)
