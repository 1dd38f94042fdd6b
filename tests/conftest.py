"""Shared fixtures: one nbgrader autograde batch serves the whole suite; the two test tiers.

Grading is the slow part (a kernel start per notebook), so the session generates the release
once and autogrades every corpus case, the reference solutions and a blank submission in one
sharded batch; the tests then read verdicts from it.

Tiers (docs/development.md): a test is `slow` when it runs nbgrader or a kernel: through a
fixture that grades (SLOW_FIXTURES), in a module that grades throughout (SLOW_MODULES), or
marked `@pytest.mark.slow` itself. `bash scripts/test.sh -m "not slow"` runs the rest.

scripts/test.sh runs the tests in parallel (pytest-xdist, one worker per core): grading waits on
kernels much of the time, so the batches overlap. Each test gets an xdist group below.
"""

import os

import pytest

from coursekit.course import environment
from devtools import corpus

# nbgrader's Gradebook runs `alembic` through PATH, in this process too: the venv's bin/ goes first
# (as scripts/setup.sh does), so `.venv/bin/python -m pytest` works without an activated venv.
os.environ["PATH"] = environment()["PATH"]


@pytest.fixture(scope="session")
def cases():
    return corpus.load()


@pytest.fixture(scope="session")
def graded(cases, tmp_path_factory):
    """The result of devtools.corpus.grade: a fresh release and every student's per-cell scores."""
    return corpus.grade(cases, tmp_path_factory.mktemp("grading"))


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """The README's main command, `python -m devtools.demo`, run once in a copy of the repository's files.

    Returns (the copy, the finished process, a digest of the copy's examples/submitted before the
    run). Its course (copy/demo) is where the example students were graded, once for the suite.
    """
    import shutil
    import subprocess
    import sys

    from coursekit.course import environment
    from devtools.scratch import REPO

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


def digest(folder):
    import hashlib

    return {p.relative_to(folder): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


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


# Fixtures (of any test module) that run nbgrader: every test using one is slow.
SLOW_FIXTURES = {"graded", "graded_examples", "demo_run", "batch", "runs", "autograder_zip", "exported", "blank_course",
                 "serial"}
# Modules whose every test runs nbgrader, a kernel or the sandbox.
SLOW_MODULES = {"test_adversarial.py", "test_sabotage.py", "test_exchange.py", "test_demo.py", "test_sandbox.py"}


# Session fixtures that grade: the tests that use one run in one pytest-xdist worker, so that it
# grades once (each worker is a session of its own).
SHARED_BATCHES = {"demo_run": "examples", "graded_examples": "examples", "graded": "corpus"}


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's own hook, which reads the groups
def pytest_collection_modifyitems(items):
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if SLOW_FIXTURES & fixtures or item.path.name in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
        # Parallel runs (scripts/test.sh: pytest-xdist, --dist loadgroup) keep a module together,
        # for its module fixtures, and every user of a shared batch together.
        batch = next((group for fixture, group in SHARED_BATCHES.items() if fixture in fixtures), None)
        item.add_marker(pytest.mark.xdist_group(batch or str(item.path.relative_to(item.config.rootpath))))
