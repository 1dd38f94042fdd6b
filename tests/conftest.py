"""The two tiers, by folder; shared fixtures: the graded corpus and the graded example students.

The folders mirror the package's layers (docs/development.md). A test is `slow` when its folder is
one of SLOW_FOLDERS: those start kernels or run nbgrader (kernel/, batch/, corpus/, examples/, apps/, lti_grading/).
Every other folder is the quick tier (`bash scripts/test.sh -m "not slow"`), where starting a
kernel or an nbgrader command fails the test: the rule is enforced, not hoped for.

Grading is the slow part (a kernel start per notebook), so the session autogrades every corpus
case (the `graded` fixture) and the example students (the demo, `demo_run`) once; the tests read
verdicts from them. scripts/test.sh runs the tests in parallel (pytest-xdist, one worker per core):
grading waits on kernels much of the time, so the batches overlap. The xdist groups are set below.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# The package (nbgrader with it) and the corpus are imported where they are used, not here: the
# pytest-xdist controller loads this file too, and it runs no test (its imports are seconds of start-up
# before any worker starts).

# lti_grading: the LTI tool's worker grades uploads in sandboxed kernels (tests/lti, the tool without
# grading, stays quick).
SLOW_FOLDERS = {"kernel", "batch", "corpus", "examples", "apps", "lti_grading"}
QUICK_TIER = "not slow"  # the -m expression of the quick tier


def runs_tests(config):
    """False in a pytest-xdist controller (its workers run the tests), True in a worker or a lone pytest."""
    return hasattr(config, "workerinput") or not config.getoption("numprocesses", None)


def pytest_configure(config):
    if runs_tests(config):
        from coursekit.course import environment
        from tests.support import shared

        # nbgrader's Gradebook runs `alembic` through PATH, in this process too: the venv's bin/ goes first
        # (as scripts/setup.sh does), so `.venv/bin/python -m pytest` works without an activated venv.
        os.environ["PATH"] = environment()["PATH"]
        # At its end a pytest process runs gc.collect() five times, for exceptions raised in objects'
        # finalizers (pytest's unraisableexception plugin): seconds over this suite's heap, in each
        # worker.  One full collection finds them; only those in cycles a later pass frees are lost.
        from _pytest.unraisableexception import gc_collect_iterations_key

        config.stash[gc_collect_iterations_key] = 1
        if hasattr(config, "workerinput"):  # the run's folder, parent of each pytest-xdist worker's own
            shared.FOLDER = Path(config.option.basetemp).parent


def pytest_ignore_collect(collection_path, config):
    """The quick tier (-m "not slow") does not import the slow folders: every test there is marked slow
    (below), so all of them would be deselected after seconds of imports in each worker."""
    if (config.option.markexpr.strip() == QUICK_TIER and collection_path.parent == Path(__file__).parent
            and collection_path.name in SLOW_FOLDERS and collection_path.is_dir()):
        return True
    return None


@pytest.fixture(scope="session")
def cases():
    from devtools import corpus

    return corpus.load()


@pytest.fixture(scope="session")
def graded(cases, tmp_path_factory):
    """The result of devtools.corpus.grade: a fresh release and every student's per-cell scores."""
    from devtools import corpus

    return corpus.grade(cases, tmp_path_factory.mktemp("grading"))


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """The README's main command, `python -m devtools.demo`, run once in a copy of the repository's files.

    Returns (the copy, the finished process, a digest of the copy's examples/submitted before the
    run). Its course (copy/demo) is where the example students were graded, once for the suite.
    """
    from coursekit.course import environment
    from devtools.scratch import REPO
    from tests.support.digest import digest

    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                            cwd=REPO, capture_output=True, text=True, check=True).stdout.split("\n")
    clone = tmp_path_factory.mktemp("demo") / "repository"
    for name in filter(None, listed):
        if (REPO / name).is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, clone / name)
    before = digest(clone / "examples" / "submitted")
    run = subprocess.run([sys.executable, "-m", "devtools.demo"], cwd=clone, env=environment(),
                         capture_output=True, text=True)
    return clone, run, before


@pytest.fixture(scope="session")
def graded_examples(demo_run):
    """A course where the three example students (alice, bao, chidi) are autograded: the demo's.

    For tests of what comes after grading (feedback, exports, reports): the examples are graded
    once, by the demo (collected from the Canvas download, roster loaded). Tests that change the
    course work on a copy.
    """
    from coursekit.spec import ASSIGNMENT

    clone, run, _ = demo_run
    assert run.returncode == 0, run.stdout + run.stderr
    course = clone / "demo"
    assert (course / "autograded" / "alice" / ASSIGNMENT).is_dir()
    return course


# Session fixtures that grade: the tests that use one run in one pytest-xdist worker, so that it
# grades once (each worker is a session of its own).
SHARED_BATCHES = {"demo_run": "examples", "graded_examples": "examples", "graded": "corpus"}


def tier_folder(item):
    """The folder below tests/ that a test lives in ("" for tests/ itself)."""
    parts = item.path.relative_to(Path(__file__).parent).parts
    return parts[0] if len(parts) > 1 else ""


# The groups that grade the most, longest first (measured in a full run: tests/batch/test_parallel.py about
# 450 s of a worker, the attack batch 300 s, the example students 175 s, the corpus 160 s).  scripts/test.sh
# starts groups in collection order (--no-loadscope-reorder) and each worker takes two at a time: the
# longest go first, one pair to each worker, and the quick tier's many small groups fill the end, so
# that no worker is left with a long batch while the other waits.
LONGEST_FIRST = ["tests/batch/test_parallel.py", "tests/batch/test_adversarial.py", "examples", "corpus"]


def start_order(item):
    """Sort key: the longest groups, then the other slow folders, then the quick tier."""
    group = next((m.args[0] for m in item.iter_markers("xdist_group")), "")
    if group in LONGEST_FIRST:
        return 0, LONGEST_FIRST.index(group)
    return (1, 0) if item.get_closest_marker("slow") else (2, 0)


def shares_module_fixtures(item):
    """Whether the test uses a fixture made once per module, class or package (True if pytest does not say)."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return True
    return any(defs and defs[-1].scope in ("module", "class", "package")
               for defs in (info.name2fixturedefs.get(name) for name in item.fixturenames))


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's own hook, which reads the groups
def pytest_collection_modifyitems(items):
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        slow = tier_folder(item) in SLOW_FOLDERS
        if slow:
            item.add_marker(pytest.mark.slow)
        # Parallel runs (scripts/test.sh: pytest-xdist, --dist loadgroup) keep every user of a shared batch
        # together, and a module together for its module fixtures (a slow module always). A quick test that
        # shares nothing but session fixtures is taken by the workers on its own, so that no large module
        # makes one worker the last to finish; a module whose tests share in-process caches says so with
        # an xdist_group mark of its own.
        batch = next((group for fixture, group in SHARED_BATCHES.items() if fixture in fixtures), None)
        if batch or slow or (not item.get_closest_marker("xdist_group") and shares_module_fixtures(item)):
            item.add_marker(pytest.mark.xdist_group(batch or str(item.path.relative_to(item.config.rootpath))))
    items.sort(key=start_order)  # stable: each module's tests keep their order


@pytest.fixture(autouse=True)
def quick_tests_start_no_kernel_and_no_nbgrader(request, monkeypatch):
    """In the quick tier, a kernel start or an nbgrader command fails the test at once."""
    if request.node.get_closest_marker("slow"):
        return
    from jupyter_client.provisioning import local_provisioner

    def refuse(*args, **kwargs):
        raise AssertionError(f"a quick test ({request.node.nodeid}) started a kernel or nbgrader: it belongs in one "
                             f"of {sorted(SLOW_FOLDERS)}")

    class NoNbgrader(subprocess.Popen):
        def __init__(self, args, *rest, **kwargs):
            command = args if isinstance(args, (list, tuple)) else [args]
            if command and os.path.basename(str(command[0])) == "nbgrader":
                refuse()
            super().__init__(args, *rest, **kwargs)

    from coursekit import fork_server

    monkeypatch.setattr(local_provisioner, "launch_kernel", refuse)
    monkeypatch.setattr(subprocess, "Popen", NoNbgrader)
    monkeypatch.setattr(fork_server, "run_nbgrader", refuse)  # coursekit.course.nbgrader's way
