"""The Gradescope autograder: the zip it uploads, and results.json checked against Gradescope's spec.

Two real gradings, each by the zip's own run_autograder in a folder laid out like /autograder
(the zip unpacked in source/, the venv linked as venv/): alice (everything right) uploads her
notebooks inside a folder with two stray files; bao (partly right) uploads two notebooks and a
browser-renamed copy of the third, so one notebook is missing.  Both run at once.
"""

import datetime
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from coursekit import gradescope, notebooks, redaction
from coursekit.gradescope import results_json
from coursekit.results import NOT_ANSWERED
from coursekit.spec import ASSIGNMENT, EXERCISES, NOTEBOOKS
from devtools import examples
from devtools.scratch import REPO
from tests.support.course_files import secret_and_public_lines

# Gradescope's results.json format (https://gradescope-autograders.readthedocs.io/en/latest/specs/).
TOP_KEYS = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
            "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
TEST_KEYS = {"score", "max_score", "name", "name_format", "number", "output", "output_format", "tags",
             "visibility", "extra_data"}
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
EXAMPLE = examples.EXAMPLES
EXERCISE_COUNT = sum(len(ex) for ex in EXERCISES.values())


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory):
    return gradescope.build(tmp_path_factory.mktemp("dist") / "gradescope.zip", REPO)


def autograder_folder(root, autograder_zip):
    """A folder laid out as Gradescope's /autograder after setup.sh: source/ (the zip), venv/."""
    with zipfile.ZipFile(autograder_zip) as zf:
        zf.extractall(root / "source")
    (root / "source" / ".venv").symlink_to(Path(sys.prefix))  # what setup.sh (scripts/setup.sh) would install
    (root / "submission").mkdir()
    return root


def alice_uploads(submission):
    """Her assignment folder (notebooks and checks.py, as fetched), and a notes file beside it."""
    folder = submission / ASSIGNMENT
    folder.mkdir()
    for nb in NOTEBOOKS:
        (folder / f"{nb}.ipynb").write_bytes((EXAMPLE / "alice" / ASSIGNMENT / f"{nb}.ipynb").read_bytes())
    (folder / "checks.py").write_text("# her copy: the grader uses the course's own\n")
    (submission / "notes.txt").write_text("my notes\n")


def bao_uploads(submission):
    """01 and 03, and 02 renamed by the browser on download: 02 is missing."""
    for nb in NOTEBOOKS:
        name = f"{nb}.ipynb" if nb != "02_matrix_operations" else f"{nb} (1).ipynb"
        (submission / name).write_bytes((EXAMPLE / "bao" / ASSIGNMENT / f"{nb}.ipynb").read_bytes())


DUE, SUBMITTED = "2026-11-25T23:59:00.000000-08:00", "2026-11-26T03:30:00.000000-08:00"  # late


@pytest.fixture(scope="module")
def runs(tmp_path_factory, autograder_zip):
    """student -> (autograder folder, results.json object, the run's stdout); graded in parallel.

    alice through run_autograder, as Gradescope runs it (the sandbox starts on this machine);
    bao with `--sandbox off`, the path taken where bubblewrap cannot start (prlimit, as nobody),
    and a submission_metadata.json that makes him late."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    started, cleanup = {}, []
    for student, upload in (("alice", alice_uploads), ("bao", bao_uploads)):
        if student == "alice":
            root = autograder_folder(tmp_path_factory.mktemp(student) / "autograder", autograder_zip)
            command = ["bash", str(root / "source" / "run_autograder")]
        else:
            # Readable by all, as /autograder is: the unprivileged grading user reads the source.  Not
            # below pytest's own temporary folder, which every pytest session resets to mode 0700.
            outside = Path(tempfile.mkdtemp(prefix="gradescope-test-"))
            outside.chmod(0o755)
            cleanup.append(outside)
            root = autograder_folder(outside / "autograder", autograder_zip)
            (root / "submission_metadata.json").write_text(json.dumps({
                "created_at": SUBMITTED, "assignment": {"due_date": DUE, "late_due_date": None},
                "users": [{"email": "bao@example.edu", "assignment": {"due_date": None}}]}))
            command = [str(root / "source" / ".venv" / "bin" / "python"), "-m", "coursekit.commands.gradescope", "run",
                       "--root", str(root), "--sandbox", "off"]
        upload(root / "submission")
        started[student] = root, subprocess.Popen(
            command, cwd=root / "source", text=True, env={**env, "AUTOGRADER_ROOT": str(root)},
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    done = {}
    for student, (root, process) in started.items():
        stdout, _ = process.communicate(timeout=900)
        assert process.returncode == 0, stdout[-3000:]
        done[student] = root, json.loads((root / "results" / "results.json").read_text()), stdout
    yield done
    for folder in cleanup:
        shutil.rmtree(folder, ignore_errors=True)


def gradebook_score(root):
    with Gradebook(f"sqlite:///{root / 'grading' / 'gradebook.db'}") as gb:
        return gb.find_submission(ASSIGNMENT, gradescope.STUDENT).score, gb.find_assignment(ASSIGNMENT).max_score


def number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def all_outputs(results):
    return [results["output"]] + [t["output"] for t in results["tests"]]


# ---------------------------------------------------------------- results.json


@pytest.mark.slow
@pytest.mark.parametrize("student", ["alice", "bao"])
def test_results_follow_gradescope_spec(runs, student):
    root, results, stdout = runs[student]
    assert f"course files: {root / 'source'}" in stdout, "graded with the zip's own course files"
    assert set(results) <= TOP_KEYS
    assert number(results["score"]) and isinstance(results["execution_time"], int) and results["execution_time"] >= 0
    assert isinstance(results["output"], str) and results["output"]
    assert results["visibility"] in VISIBILITY and results["stdout_visibility"] in VISIBILITY
    assert results["stdout_visibility"] != "visible", "stdout holds nbgrader's log: instructors only"
    # Gradescope's default "simple_format" would read "<lambda>" or "<class 'float'>" as HTML
    assert results["output_format"] == results["test_output_format"] == "text"

    tests = results["tests"]
    assert isinstance(tests, list) and len(tests) == EXERCISE_COUNT
    for test in tests:
        assert set(test) <= TEST_KEYS and {"score", "max_score", "name", "output", "visibility"} <= set(test)
        assert number(test["score"]) and number(test["max_score"]) and 0 <= test["score"] <= test["max_score"]
        assert test["max_score"] > 0
        assert isinstance(test["name"], str) and isinstance(test["number"], str) and isinstance(test["output"], str)
        # Every exercise's score includes hidden tests: shown only once grades are published.
        assert test["visibility"] == "after_published"
        assert test["output_format"] == "text"
    assert [t["name"] for t in tests] == [f"{nb[:2]} {ex}" for nb in NOTEBOOKS for ex in EXERCISES[nb]]
    assert len({t["number"] for t in tests}) == EXERCISE_COUNT

    total, top = gradebook_score(root)
    assert sum(t["score"] for t in tests) == pytest.approx(results["score"]) == pytest.approx(total)
    assert sum(t["max_score"] for t in tests) == pytest.approx(top)


@pytest.mark.slow
def test_alice_gets_full_marks_and_sees_her_stray_files(runs):
    _, results, _ = runs["alice"]
    assert results["score"] == sum(t["max_score"] for t in results["tests"])
    assert all(t["output"] == "All tests passed." for t in results["tests"])
    summary = results["output"]
    assert "Received: " + ", ".join(f"{nb}.ipynb" for nb in NOTEBOOKS) in summary
    assert "Missing" not in summary
    assert f"Ignored, not part of the assignment: {ASSIGNMENT}/checks.py, notes.txt." in summary
    assert f"{EXERCISE_COUNT} of {EXERCISE_COUNT} exercises pass them" in summary


def bao_kinds(cases):
    """(notebook, exercise) -> "correct", "mistake" or None (not started), as examples.py built bao."""
    kinds = {}
    for nb in NOTEBOOKS:
        chosen = examples.answers("bao", nb, cases)
        for ex in EXERCISES[nb]:
            kinds[nb, ex] = next((c.kind for c in cases if c.notebook == nb and c.exercise == ex
                                  and c.code == chosen[ex]), None) if ex in chosen else None
    return kinds


@pytest.mark.slow
def test_bao_scores_exercise_by_exercise(runs, cases):
    """Each exercise scores what bao did in it; the missing notebook's exercises say so."""
    _, results, _ = runs["bao"]
    tests = {t["name"]: t for t in results["tests"]}
    assert 0 < results["score"] < sum(t["max_score"] for t in results["tests"])
    for (nb, ex), kind in bao_kinds(cases).items():
        test = tests[f"{nb[:2]} {ex}"]
        if nb == "02_matrix_operations":  # missing: withheld for review, and why
            assert test["score"] == 0 and test["output"] == (
                results_json.WITHHELD_NOTE.format(notebook=nb) + f"\nNot graded: {nb}.ipynb was not submitted.")
        elif kind == "correct":
            assert test["score"] == test["max_score"] and test["output"] == "All tests passed.", test
        elif kind == "mistake":
            assert test["score"] < test["max_score"] and test["output"] != "All tests passed.", test
            assert "points" in test["output"] and ": " in test["output"], test
        else:
            assert test["score"] == 0 and NOT_ANSWERED in test["output"], test


@pytest.mark.slow
def test_bao_sees_missing_renamed_and_visible_failures(runs, cases):
    _, results, _ = runs["bao"]
    summary = results["output"]
    assert "Missing: 02_matrix_operations.ipynb." in summary
    assert "Withheld for review (no points until your instructor has looked): 02_matrix_operations.ipynb." in summary
    assert "Ignored, not part of the assignment: 02_matrix_operations (1).ipynb." in summary
    kinds = bao_kinds(cases)
    submitted = [key for key in kinds if key[0] != "02_matrix_operations"]
    not_started = [f"{nb[:2]} {ex}" for nb, ex in submitted if kinds[nb, ex] is None]
    assert f"- Not answered yet: {', '.join(not_started)}." in summary
    tests = {t["name"]: t for t in results["tests"]}
    failing = [line.split(" fails: ")[0][2:] for line in summary.splitlines() if " fails: " in line]
    assert failing, "some of bao's mistakes are caught by the visible checks"
    for name in failing:
        nb, ex = next(key for key in submitted if f"{key[0][:2]} {key[1]}" == name)
        assert kinds[nb, ex] == "mistake" and "visible check" in tests[name]["output"]
    unchecked = next((line for line in summary.splitlines() if line.startswith("- Not checked here")), "")
    unchecked = unchecked.split(": ", 1)[1].rstrip(".").split(", ") if unchecked else []
    correct = [f"{nb[:2]} {ex}" for nb, ex in submitted if kinds[nb, ex] == "correct"]
    assert not set(correct) & set(failing + not_started + unchecked)
    passing = len(submitted) - len(failing) - len(not_started) - len(unchecked)
    assert f"Visible checks (the tests in your notebook): {passing} of {len(submitted)} exercises pass them" in summary
    assert "hidden test" not in summary


@pytest.mark.slow
def test_gradescope_times_reach_nbgrader_so_its_late_penalty_can_apply(runs):
    root, _, stdout = runs["bao"]
    assert "grading under limits: prlimit" in stdout
    if os.geteuid() == 0:  # as nobody, unless nobody cannot run this machine's Python (then said so)
        assert "-- setpriv --reuid=65534" in stdout or "user 65534 cannot run" in stdout
    with Gradebook(f"sqlite:///{root / 'grading' / 'gradebook.db'}") as gb:
        submission = gb.find_submission(ASSIGNMENT, gradescope.STUDENT)
        late = datetime.datetime.fromisoformat(SUBMITTED) - datetime.datetime.fromisoformat(DUE)
        assert late.total_seconds() > 0
        assert submission.total_seconds_late == pytest.approx(late.total_seconds())


@pytest.mark.slow
def test_no_output_quotes_solutions_or_hidden_tests(runs):
    secret = set()
    for nb in NOTEBOOKS:
        secret |= secret_and_public_lines(notebooks.read(REPO / "source" / ASSIGNMENT / f"{nb}.ipynb"))[0]
    assert secret
    for student in runs:
        for output in all_outputs(runs[student][1]):
            for line in output.splitlines():
                assert not any(s in line for s in secret), (student, line)


# ---------------------------------------------------------------- the pieces, without grading


SOLUTION = re.compile(r"### BEGIN SOLUTION(.*?)### END SOLUTION", re.S)


def solution_lines(nb):
    """The lines of a notebook's solution regions that say something (longer than 12 characters)."""
    return {line.strip() for cell in nb.cells for m in SOLUTION.finditer(cell.source)
            for line in m.group(1).splitlines() if len(line.strip()) > 12}


def test_a_grader_failure_still_writes_a_results_json_that_says_so(tmp_path):
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    with pytest.raises(FileNotFoundError):  # the course files are missing
        gradescope.run(root, course_files=tmp_path / "no-course-here", use_sandbox="off")
    results = json.loads((root / "results" / "results.json").read_text())
    assert set(results) <= TOP_KEYS and results["tests"] == [] and results["score"] == 0
    assert "failed before it could grade" in results["output"] and "not a grade" in results["output"]
    assert results["visibility"] == "visible" and results["output_format"] == "text"


def test_submission_times_come_from_gradescope_metadata(tmp_path):
    assert gradescope.submission_times(tmp_path) == (None, None)
    meta = {"created_at": "2026-11-26T03:30:00-08:00", "assignment": {"due_date": "2026-11-25T23:59:00-08:00"},
            "users": [{"assignment": {"due_date": None}}]}
    (tmp_path / "submission_metadata.json").write_text(json.dumps(meta))
    assert gradescope.submission_times(tmp_path) == ("2026-11-26T03:30:00-08:00", "2026-11-25T23:59:00-08:00")
    meta["users"] = [{"assignment": {"due_date": "2026-11-28T23:59:00-08:00"}}]  # an extension
    (tmp_path / "submission_metadata.json").write_text(json.dumps(meta))
    assert gradescope.submission_times(tmp_path)[1] == "2026-11-28T23:59:00-08:00"


def test_limits_without_the_sandbox_are_applied_by_prlimit_as_an_unprivileged_user():
    limit = gradescope.limits(REPO)  # the limits of the course config
    assert limit == {"memory_mb": 2048, "cpu_seconds": 120, "processes": 64, "file_mb": 64, "folder_mb": 32}
    probe = ("import os, resource as r; print(os.getuid(), *(r.getrlimit(getattr(r, 'RLIMIT_' + k))[0] "
             "for k in ('AS', 'CPU', 'NPROC', 'FSIZE')))")
    as_user = 65534 if os.geteuid() == 0 else None
    done = subprocess.run(gradescope.limited_command([sys.executable, "-c", probe], limit, as_user),
                          capture_output=True, text=True, check=True)
    uid, memory, cpu, nproc, fsize = map(int, done.stdout.split())
    assert (memory, cpu, nproc, fsize) == (2048 * 2**20, 120, 64, 64 * 2**20)
    assert uid == (65534 if as_user else os.getuid())


def test_an_output_quoting_instructor_lines_is_redacted():
    secret = gradescope.instructor_only_lines(REPO / "source" / ASSIGNMENT)
    hidden, _ = secret_and_public_lines(notebooks.read(REPO / "source" / ASSIGNMENT / "03_numpy_essentials.ipynb"))
    assert hidden <= secret
    leak = sorted(hidden)[0]
    failure = gradescope.Failure("softmax_rows", 0, 2, f"ValueError: here it is\n{leak}", "hidden")
    exercise = gradescope.Exercise("03_numpy_essentials", "softmax", 0, 2, [failure])
    output = exercise.output(secret)
    assert leak not in output and "ValueError: here it is" in output and redaction.REDACTED in output


def test_a_failure_says_its_points_and_which_part_of_the_cell_failed():
    hidden = gradescope.Failure("f_values", 0, 2, "f(x) is wrong", "hidden")
    assert str(hidden) == "f_values (0/2 points, hidden test): f(x) is wrong"
    assert str(gradescope.Failure("f_values", 1, 2, "f(x) is wrong", None)) == "f_values (1/2 points): f(x) is wrong"


def test_sandbox_choice(monkeypatch):
    monkeypatch.setattr(gradescope.run_module, "sandbox_works", lambda: False)
    assert gradescope.sandbox_choice("auto") is False and gradescope.sandbox_choice("off") is False
    with pytest.raises(SystemExit):
        gradescope.sandbox_choice("on")
    monkeypatch.setattr(gradescope.run_module, "sandbox_works", lambda: True)
    assert gradescope.sandbox_choice("auto") is gradescope.sandbox_choice("on") is True
    assert gradescope.sandbox_choice("off") is False


@pytest.mark.slow
def test_sandbox_probe_agrees_with_this_machine():
    """Here bubblewrap is installed and namespaces are allowed (the sandbox tests rely on it)."""
    assert gradescope.sandbox_works()


def test_zip_has_what_gradescope_and_grading_need_and_nothing_else(autograder_zip, tmp_path):
    with zipfile.ZipFile(autograder_zip) as zf:
        infos = {info.filename: info for info in zf.infolist()}
        for script in ("setup.sh", "run_autograder"):
            mode = infos[script].external_attr >> 16
            assert stat.S_ISREG(mode) and mode & 0o111 == 0o111, f"{script} must be executable"
            assert zf.read(script).startswith(b"#!/usr/bin/env bash\n")
            (tmp_path / script).write_bytes(zf.read(script))
            subprocess.run(["bash", "-n", str(tmp_path / script)], check=True)
        names = set(infos)
    assert b"scripts/setup.sh" in (tmp_path / "setup.sh").read_bytes()  # the course's own set-up, not a copy
    assert b"-m coursekit.commands.gradescope run --root" in (tmp_path / "run_autograder").read_bytes()

    shipped = {p.relative_to(REPO).as_posix() for p in (REPO / "source").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts}
    assert shipped | {"nbgrader_config.py", "pyproject.toml", "requirements.txt", "scripts/setup.sh"} <= names
    assert {"coursekit/commands/gradescope.py", "coursekit/grading/batch/serial.py",
            "coursekit/grading/plugins/limited_execute.py", "coursekit/grading/kernel/sandbox.py",
            "coursekit/grading/scan/checker.py", f"source/{ASSIGNMENT}/checks.py"} <= names
    for name in names:
        assert not name.startswith(("/", "tests/", "examples/", ".venv/", "dist/", ".git/", "release/")) \
            and ".." not in name
        assert "__pycache__" not in name and not name.endswith((".pyc", "gradebook.db"))
    assert not {n for n in names if n.startswith(("devtools/", "coursekit/lms/", "coursekit/report.py"))}
    # The source notebooks keep their hidden tests for nbgrader, but not one line of a solution.
    with zipfile.ZipFile(autograder_zip) as zf:
        for nb in NOTEBOOKS:
            shipped_text = zf.read(f"source/{ASSIGNMENT}/{nb}.ipynb").decode()
            source = notebooks.read(REPO / "source" / ASSIGNMENT / f"{nb}.ipynb")
            elsewhere = {line.strip() for cell in source.cells  # in the tests or the release too
                         for line in SOLUTION.sub("", cell.source).splitlines()}
            solutions = solution_lines(source) - elsewhere
            shipped_lines = {line.strip() for cell in nbformat.reads(shipped_text, as_version=4).cells
                             for line in cell.source.splitlines()}
            assert solutions and not solutions & shipped_lines, nb
            assert "### BEGIN HIDDEN TESTS" in shipped_text and "### BEGIN SOLUTION" not in shipped_text
    first, again = (gradescope.build(tmp_path / name, REPO).read_bytes() for name in ("first.zip", "again.zip"))
    assert first == again, "the same files make the same zip"


@pytest.mark.slow
def test_the_zip_installs_as_the_package_that_grading_imports(autograder_zip, tmp_path):
    """Gradescope's setup installs the package from the zip (scripts/setup.sh: pip install -e); the
    runs above use the repository's install, so this checks that the zip alone is enough."""
    with zipfile.ZipFile(autograder_zip) as zf:
        zf.extractall(tmp_path / "source")
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps",
                    "--target", str(target), str(tmp_path / "source")], check=True)
    probe = ("import sys; sys.path.insert(0, sys.argv[1]); import coursekit, coursekit.commands.gradescope, "
             "coursekit.grading.batch, coursekit.grading.plugins.limited_execute, coursekit.grading.scan, "
             "coursekit.feedback; print(coursekit.__file__)")
    where = subprocess.run([sys.executable, "-c", probe, str(target)], capture_output=True, text=True, check=True)
    assert where.stdout.strip().startswith(str(target)), where.stdout
