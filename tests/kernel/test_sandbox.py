"""The grading sandbox: what the kernel can see, and the refusal when bubblewrap is missing."""

import os
import shutil
import subprocess
import sys
import time

import pytest

from coursekit.commands import grade, grade_steps
from coursekit.course import environment, nbgrader
from coursekit.grading.batch.serial import autograde
from coursekit.grading.kernel import sandbox
from coursekit.grading.kernel.limits import defaults
from coursekit.spec import ASSIGNMENT
from coursekit.submissions import statuses
from devtools.scratch import REPO, new_course
from tests.support.released import released


def test_the_sandbox_binds_no_course_folder(tmp_path):
    connection = tmp_path / "connection.json"
    connection.write_text("{}")
    workdir = tmp_path / "autograded" / "alice" / ASSIGNMENT
    workdir.mkdir(parents=True)
    (workdir / "checks.py").write_text("")
    args = sandbox.command(connection, workdir, defaults())
    binds = [args[i + 2] for i, a in enumerate(args) if a in ("--bind", "--ro-bind")]
    for place in binds:
        assert not str(REPO).startswith(place), f"{place} would expose the course folder"
        assert not place.startswith(str(REPO / "source")) and "gradebook" not in place
    assert "--unshare-net" in args and "--unshare-pid" in args and "--clearenv" in args
    tmpfs_mounts = [args[i + 1] for i, a in enumerate(args) if a == "--tmpfs"]
    assert str(workdir) in tmpfs_mounts, "the notebook folder must be a private copy, not the real one"


def test_tmp_is_mounted_before_anything_that_may_lie_below_it(tmp_path):
    """A clone (and so .venv) or a course under /tmp must stay visible: a later tmpfs would hide it."""
    connection = tmp_path / "connection.json"
    connection.write_text("{}")
    args = sandbox.command(connection, tmp_path, defaults())
    tmp_mount = next(i for i, a in enumerate(args) if a == "--tmpfs" and args[i + 1] == "/tmp")
    binds = [i for i, a in enumerate(args) if a in ("--bind", "--ro-bind", "--dir", "--file")]
    assert binds and all(i > tmp_mount for i in binds if not args[i + 1].startswith(("/usr", "/etc")))


@pytest.fixture(scope="module")
def blank_course(tmp_path_factory):
    course = new_course(tmp_path_factory.mktemp("sandbox") / "course")
    release = released(course)
    shutil.copytree(release, course / "submitted" / "chidi" / ASSIGNMENT,
                    ignore=shutil.ignore_patterns("*.py"))
    return course


def test_grading_refuses_without_bubblewrap(blank_course):
    env = environment()
    env["PATH"] = env["PATH"].split(os.pathsep)[0]  # the venv's bin/ only: no /usr/bin/bwrap
    assert shutil.which("bwrap", path=env["PATH"]) is None
    run = nbgrader("autograde", ASSIGNMENT, "--notebook=02_matrix_operations", "--force", cwd=blank_course, env=env,
                   check=False)
    assert run.returncode != 0
    assert "bubblewrap (bwrap) is not installed" in run.stderr
    assert "apt-get install bubblewrap" in run.stderr and "use_sandbox = False" in run.stderr
    assert not (blank_course / "autograded" / "chidi" / ASSIGNMENT / "02_matrix_operations.ipynb").exists()


def test_grading_without_the_sandbox_is_an_explicit_opt_out(blank_course):
    runs = autograde(blank_course, force=True, extra=["--LimitedExecute.use_sandbox=False"])
    assert all(r.returncode == 0 for r in runs.values())
    states = {s.notebook: s.state for s in statuses(blank_course)["chidi"]}
    assert set(states.values()) == {"graded"}


def run_in_sandbox(tmp_path, code):
    """Run `code` with the kernel's Python, in the sandbox the kernel gets (sandbox.command)."""
    return sandbox.run_python(code, tmp_path, defaults())


# ---------------------------------------------------------------- the self-check coursekit-grade starts with


def test_the_self_check_passes_on_the_sandbox_grading_uses(blank_course):
    assert grade_steps.sandbox_problems(blank_course) == []


@pytest.mark.parametrize("sabotage, problem", [
    (lambda args: [a for a in args if a != "--unshare-net"], "reaches the network"),
    (lambda args: args[:args.index("/usr/bin/prlimit")] + args[args.index("/usr/bin/setpriv"):], "limits"),
    (lambda args: args[:args.index("/usr/bin/setpriv")] + args[args.index("/usr/bin/setpriv") + 7:], "user id"),
    (lambda args: args[:args.index("--chdir")] + ["--ro-bind", str(REPO), str(REPO)] + args[args.index("--chdir"):],
     "can read"),
], ids=["network", "limits", "uid", "course"])
def test_the_self_check_fails_when_the_sandbox_is_broken(monkeypatch, sabotage, problem):
    """Each of the sandbox's promises, broken on purpose in the command that starts it, is caught."""
    command = sandbox.command
    monkeypatch.setattr(sandbox, "command", lambda *a, **k: sabotage(command(*a, **k)))
    problems = sandbox.self_check(defaults(), [REPO / "source", REPO / "README.md"])
    assert any(problem in p for p in problems), problems


def test_coursekit_grade_refuses_to_grade_when_the_self_check_fails(tmp_path, monkeypatch, capsys):
    course = new_course(tmp_path / "course")
    release = released(course)
    shutil.copytree(release, course / "submitted" / "chidi" / ASSIGNMENT, ignore=shutil.ignore_patterns("*.py"))
    monkeypatch.setattr(sandbox, "self_check", lambda limits, hidden: ["it reaches the network: the host"])
    monkeypatch.chdir(course)
    assert grade.main(["--force"]) == 2
    assert "failed its self-check" in capsys.readouterr().err
    assert not (course / "autograded").exists()


def test_the_kernel_has_no_debugger(tmp_path):
    imported = run_in_sandbox(tmp_path, "import debugpy.server")
    assert imported.returncode != 0 and "ModuleNotFoundError" in imported.stderr, imported.stderr
    available = run_in_sandbox(tmp_path, "from ipykernel.debugger import _is_debugpy_available as a; print(a)")
    assert available.stdout.strip() == "False", available.stderr
    assert run_in_sandbox(tmp_path, "import numpy, IPython; print('ok')").stdout.strip() == "ok"


# Started by a grader that dies at once; becomes the kernel's launcher only once it is orphaned, as
# when the grader is killed (kill -9) in the tenth of a second the launcher takes to reach bwrap.
ORPHANED_LAUNCH = """
import os, sys, time
grader = os.getpid()
child = os.fork()
if child:
    print(child, flush=True)
    os._exit(0)
while os.getppid() == grader:
    time.sleep(0.01)
log = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT)  # not the pipe the test reads: it would wait on a sandbox
os.dup2(log, 1)
os.dup2(log, 2)
env = dict(os.environ, JPY_PARENT_PID=str(grader))
os.execve(sys.executable, [sys.executable, "-m", "coursekit.grading.kernel.sandbox", "-f", sys.argv[1]], env)
"""


def test_a_launcher_whose_grader_has_died_starts_no_sandbox(tmp_path):
    import psutil

    connection = tmp_path / "connection.json"
    connection.write_text("{}")
    log = tmp_path / "launcher.log"
    grader = subprocess.run([sys.executable, "-c", ORPHANED_LAUNCH, str(connection), str(log)], cwd=tmp_path,
                            env=environment(), capture_output=True, text=True, timeout=60)
    launcher = psutil.Process(int(grader.stdout))
    try:
        deadline = time.monotonic() + 20
        while launcher.is_running() and launcher.status() != psutil.STATUS_ZOMBIE and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not launcher.is_running() or launcher.status() == psutil.STATUS_ZOMBIE, \
            f"an orphaned sandbox lives on: {launcher.cmdline()[:3]}"
        assert "the grader that started this kernel has ended" in log.read_text()
    finally:
        if launcher.is_running():
            launcher.kill()
