"""Parallel and distributed grading give exactly the result of a serial run.

One small batch of notebooks 02 and 03 (the quick ones; alice: everything right; chidi: the
untouched release; dora: a notebook whose code kills its kernel, a corrupt one, none for 01;
erin: bao's work, with symbolic links to a file of the grading machine and to nothing; fay: a
link to alice's notebook) is graded in copies of one course:
- serially, by `coursekit-grade --jobs 1`: `nbgrader autograde` itself (the reference);
- with `coursekit-grade --jobs 2`, killed after its first recorded student, then resumed;
- again with --force, over that run, one pool worker killed while it grades;
- with a PostgreSQL gradebook, a real server started here, the workers writing to it;
- on a real Dask cluster (a scheduler and two worker processes), one worker killed mid-batch.
Every one must agree with the reference on every gradebook row (through nbgrader's API), every
status, the review list and every test cell's output.  The checks on a worker's result (rows,
files) have quick tests with no kernel.
"""

import base64
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
import sqlalchemy as sa
from nbgrader.api import Gradebook

from coursekit import fork_server, notebooks, submissions
from coursekit.commands.grade_steps import report
from coursekit.course import BIN, environment, generate_release, nbgrader
from coursekit.grading.batch import parallel, rows, selection, worker
from coursekit.grading.batch.progress import Progress, summary
from coursekit.spec import ASSIGNMENT, NOTEBOOKS
from devtools import examples
from devtools.scratch import new_course
from tests.support import stand_in_tasks
from tests.support.leftovers import wait_for_no_sandbox_processes
from tests.support.released import released

NB02, NB03 = "02_matrix_operations", "03_numpy_essentials"
SECRET = "a file of the grading machine, not of any student"


def build_course(root):
    course = new_course(root)
    released(course)
    for student, like in (("alice", "alice"), ("chidi", "chidi"), ("erin", "bao")):
        shutil.copytree(examples.EXAMPLES / like, course / "submitted" / student,
                        ignore=shutil.ignore_patterns(f"{NOTEBOOKS[0]}.ipynb"))
    dora = course / "submitted" / "dora" / ASSIGNMENT
    dora.mkdir(parents=True)
    (dora / f"{NB03}.ipynb").write_text('{"cells": [', encoding="utf-8")  # a truncated upload
    hostile = notebooks.read(examples.EXAMPLES / "alice" / ASSIGNMENT / f"{NB02}.ipynb")
    hostile.cells.insert(3, nbformat.v4.new_code_cell("import os\nos._exit(3)"))
    notebooks.write(hostile, dora / f"{NB02}.ipynb")
    # Symbolic links, as an unpacked archive may hold: to a file of the grading machine, to nothing,
    # and (fay's only notebook) to another student's notebook.
    (root.parent / "grader-secret.txt").write_text(SECRET, encoding="utf-8")
    (course / "submitted" / "erin" / ASSIGNMENT / "notes.txt").symlink_to(root.parent / "grader-secret.txt")
    (course / "submitted" / "erin" / ASSIGNMENT / "gone.csv").symlink_to(root.parent / "no-such-file")
    fay = course / "submitted" / "fay" / ASSIGNMENT
    fay.mkdir(parents=True)
    (fay / f"{NB02}.ipynb").symlink_to(Path("..", "..", "alice", ASSIGNMENT, f"{NB02}.ipynb"))
    return course


def gradebook_rows(course, db_url=None):
    """Every row grading writes, as plain values: per notebook its scores, comments, penalty, flags."""
    found = {}
    with Gradebook(db_url or f"sqlite:///{course}/gradebook.db") as gb:
        for submission in gb.find_assignment(ASSIGNMENT).submissions:
            found[submission.student.id] = (submission.timestamp, submission.late_submission_penalty)
            for nb in submission.notebooks:
                found[submission.student.id, nb.name] = {
                    "score": nb.score, "late": nb.late_submission_penalty, "flagged": nb.flagged,
                    "grades": {g.name: (g.auto_score, g.manual_score, g.extra_credit, g.needs_manual_grade)
                               for g in nb.grades},
                    "comments": {c.name: (c.auto_comment, c.manual_comment) for c in nb.comments}}
    return found


def shown(cell):
    """A cell's outputs as text.  Streams are joined as they were printed: a kernel may send one
    print in one message or in two, in serial runs too."""
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type == "error":
            parts.append("\n".join(out.traceback) + "\n")
        else:
            parts.append(f"{out.output_type}: {json.dumps(out.get('data', {}), sort_keys=True)}\n")
    return "".join(parts)


def outputs_of_test_cells(course):
    """(student, notebook, grade_id) -> the test cell's outputs, with the course's path neutral."""
    outputs = {}
    for path in sorted((course / "autograded").glob(f"*/{ASSIGNMENT}/*.ipynb")):
        for cell in notebooks.read(path).cells:
            if notebooks.is_test(cell):
                text = shown(cell).replace(str(course), "<course>")
                outputs[path.parts[-3], path.stem, notebooks.grade_id(cell)] = text
    return outputs


def review_text(course):
    out = io.StringIO()
    report(course, out=out)
    return out.getvalue()


def grade(course, *args, env=None):
    return subprocess.run([sys.executable, "-m", "coursekit.commands.grade", *args], cwd=course,
                          env=env or environment(), capture_output=True, text=True, timeout=600)


def ungraded_copy(serial, course, release=True):
    """The serial course's submissions and configuration in `course`, nothing graded yet (and when
    `release`, released again)."""
    ignored = ("autograded", "gradebook.db", *(("release",) if release else ()))
    shutil.copytree(serial, course, symlinks=True, ignore=shutil.ignore_patterns(*ignored))
    if release:
        released(course)
    return course


def assert_graded_as(course, serial):
    """Every gradebook row, status and test-cell output equals the serial run's."""
    assert gradebook_rows(course) == gradebook_rows(serial)
    assert submissions.statuses(course) == submissions.statuses(serial)
    assert outputs_of_test_cells(course) == outputs_of_test_cells(serial)


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    course = build_course(tmp_path_factory.mktemp("serial") / "course")
    run = grade(course, "--jobs", "1")  # nbgrader autograde itself, then the statuses and review
    assert run.returncode == 0, run.stderr
    return course


@pytest.fixture(scope="module")
def resumed(serial, tmp_path_factory):
    """A --jobs 2 run killed once its first student is recorded, then run again to the end."""
    course = ungraded_copy(serial, tmp_path_factory.mktemp("parallel") / "course")
    run = subprocess.Popen([sys.executable, "-m", "coursekit.commands.grade", "--jobs", "2"], cwd=course,
                           env=environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           start_new_session=True)
    deadline = time.monotonic() + 300
    while not [p for p in course.glob(f"autograded/*/{ASSIGNMENT}/*.ipynb") if not submissions.unfinished(p)] \
            and run.poll() is None:
        assert time.monotonic() < deadline, "the parallel run recorded nothing in 300 s"
        time.sleep(0.02)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    interrupted = selection.pending(course)
    finished = grade(course, "--jobs", "2")
    assert finished.returncode == 0, finished.stderr
    return course, interrupted, finished.stdout


@pytest.mark.slow
def test_the_killed_parallel_run_had_left_work_undone(resumed):
    course, interrupted, _ = resumed
    assert len(interrupted) > 1, "the run was killed after it had finished: the resume proved nothing"
    assert selection.pending(course) == [("dora", NB03)]  # unreadable: every run tries it again


@pytest.mark.slow
def test_parallel_gradebook_rows_equal_serial(serial, resumed):
    rows_ = gradebook_rows(serial)
    assert rows_[("alice", NB02)]["score"] > rows_[("erin", NB02)]["score"] > 0 and ("dora", NB02) in rows_
    assert gradebook_rows(resumed[0]) == rows_


@pytest.mark.slow
def test_parallel_statuses_and_review_equal_serial(serial, resumed):
    states = submissions.statuses(serial)
    assert [s.state for s in states["dora"]] == ["missing", "stopped", "unreadable"]
    assert submissions.statuses(resumed[0]) == states
    assert review_text(resumed[0]) == review_text(serial)


@pytest.mark.slow
def test_parallel_test_cell_outputs_equal_serial(serial, resumed):
    outputs = outputs_of_test_cells(serial)
    assert any("Passed" in text for text in outputs.values())
    assert outputs_of_test_cells(resumed[0]) == outputs
    # The workers ran in scratch copies, but student code saw the course's own folders.
    assert not any("coursekit-worker-" in text for text in outputs.values())


@pytest.mark.slow
def test_a_parallel_run_prints_progress_and_a_summary(resumed):
    _, interrupted, out = resumed
    total = len(interrupted)
    assert f"[1/{total}] " in out and f"[{total}/{total}] " in out  # plain lines: not a terminal
    assert f"dora {NB03}: unreadable" in out
    assert f"Graded {total} notebooks in" in out and "1 unreadable" in out


@pytest.mark.slow
def test_a_submissions_symbolic_links_are_never_followed(serial, resumed):
    # nbgrader itself copied erin's linked file into autograded/, failed her whole submission on
    # the dangling link, and graded alice's notebook as fay's.
    parallel, _, _ = resumed
    for course in (serial, parallel):
        erin = course / "autograded" / "erin" / ASSIGNMENT
        assert not (erin / "notes.txt").exists() and not (erin / "gone.csv").exists()
        assert not [p for p in (course / "autograded").rglob("*") if p.is_file() and SECRET.encode() in p.read_bytes()]
        assert [s.state for s in submissions.statuses(course)["erin"]] == ["missing", "graded", "graded"]
        assert [str(s) for s in submissions.statuses(course)["fay"]] == [
            f"{NOTEBOOKS[0]}: missing",
            f"{NB02}: unreadable (a symbolic link, not the notebook itself: it is not followed)",
            f"{NB03}: missing"]
        assert not (course / "autograded" / "fay").exists()
    assert (serial / "submitted" / "erin" / ASSIGNMENT / "notes.txt").is_symlink()  # submitted/ untouched


@pytest.mark.slow
def test_force_grades_everything_again_and_a_worker_that_dies_is_replaced(serial, resumed, tmp_path):
    """A second parallel run over the first (the resumed run), with --force, and one pool worker
    SIGKILLed while it grades (its kernel dies with it): every notebook is graded again, a new pool
    grades what the dead worker held, the result equals the first run's and the serial run's, and
    the dead worker's scratch course is removed."""
    import psutil

    course = tmp_path / "course"
    shutil.copytree(resumed[0], course, symlinks=True)
    first = gradebook_rows(course)
    graded = {p: p.stat().st_mtime_ns for p in course.glob(f"autograded/*/{ASSIGNMENT}/*.ipynb")}
    run = subprocess.Popen([sys.executable, "-m", "coursekit.commands.grade", "--jobs", "2", "--force"], cwd=course,
                           env=environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    killed = None
    deadline = time.monotonic() + 120
    while killed is None and time.monotonic() < deadline and run.poll() is None:
        try:  # the pool's workers: children of multiprocessing's fork server, itself a child of the run
            servers = [p for p in psutil.Process(run.pid).children() if "forkserver" in " ".join(p.cmdline())]
            for child in [w for server in servers for w in server.children()]:
                if child.children():  # a worker with a kernel
                    time.sleep(0.5)
                    child.kill()
                    killed = child.pid
                    break
        except psutil.NoSuchProcess:
            pass
        time.sleep(0.05)
    out, err = run.communicate(timeout=600)
    assert killed is not None, "no worker was caught grading"
    assert run.returncode == 0, err
    assert graded and all(p.stat().st_mtime_ns > when for p, when in graded.items())  # every one graded again
    assert gradebook_rows(course) == first
    assert_graded_as(course, serial)
    scratch = Path(worker._scratch_parent() or tempfile.gettempdir())
    assert not list(scratch.glob(f"{worker.SCRATCH_PREFIX}{killed}-*"))
    assert wait_for_no_sandbox_processes(f"{worker.SCRATCH_PREFIX}{killed}-") == []


# ---------------------------------------------------------------- PostgreSQL, a real server


def postgres_bin():
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if found:
        return found[-1].parent
    which = shutil.which("pg_ctl")
    return Path(which).parent if which else None


@pytest.fixture(scope="module")
def postgres():
    """A PostgreSQL server of its own, on a Unix socket only, for this module: its URL pattern."""
    bindir = postgres_bin()
    assert bindir, "PostgreSQL is not installed (.ci/run installs Debian's postgresql)"
    # Not under pytest's folder, which only root may enter: the server may not run as root.
    folder = Path(tempfile.mkdtemp(prefix="coursekit-postgres-"))
    data, sockets = folder / "data", folder / "run"
    sockets.mkdir()
    as_user = []
    if os.geteuid() == 0:  # the server refuses to run as root: as Debian's postgres user
        shutil.chown(folder, "postgres")
        shutil.chown(sockets, "postgres")
        as_user = ["/usr/sbin/runuser", "-u", "postgres", "--"]
    subprocess.run([*as_user, bindir / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"],
                   check=True, capture_output=True)
    subprocess.run([*as_user, bindir / "pg_ctl", "-D", data, "-w", "-l", folder / "log", "start", "-o",
                    f"-c listen_addresses='' -k {sockets} -p 5432"], check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://postgres@/{{}}?host={sockets}&port=5432"
    finally:
        subprocess.run([*as_user, bindir / "pg_ctl", "-D", data, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def new_database(postgres, name):
    engine = sa.create_engine(postgres.format("postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    engine.dispose()
    return postgres.format(name)


@pytest.mark.slow
def test_a_postgresql_gradebook_grades_and_exports_as_sqlite_does(serial, postgres, tmp_path):
    db_url = new_database(postgres, "grading")
    course = ungraded_copy(serial, tmp_path / "course", release=False)
    with open(course / "nbgrader_config.py", "a") as config:
        # A course id too: PostgreSQL enforces the assignment's link to a course row, SQLite does not.
        config.write(f"\nc.CourseDirectory.db_url = {db_url!r}\nc.CourseDirectory.course_id = 'math_numpy'\n")
    generate_release(course)  # registers the assignment in the server's gradebook
    run = grade(course, "--jobs", "2")
    assert run.returncode == 0, run.stderr
    assert not (course / "gradebook.db").exists(), "grading wrote an SQLite gradebook beside the server"
    assert gradebook_rows(course, db_url) == gradebook_rows(serial)
    assert submissions.statuses(course) == submissions.statuses(serial)
    assert review_text(course) == review_text(serial)  # withholding: written to the server
    for folder in (course, serial):
        nbgrader("generate_feedback", ASSIGNMENT, "--force", cwd=folder)
        nbgrader("export", cwd=folder)
    assert (course / "grades.csv").read_text() == (serial / "grades.csv").read_text()
    pages = sorted(p.relative_to(course) for p in course.glob("feedback/*/*/*.html"))
    assert pages and pages == sorted(p.relative_to(serial) for p in serial.glob("feedback/*/*/*.html"))


# ---------------------------------------------------------------- Dask, a real cluster


@pytest.fixture
def dask_cluster(tmp_path):
    """`dask scheduler` and two `dask worker` processes on this machine: (address, workers)."""
    scheduler_file = tmp_path / "scheduler.json"
    env = environment()
    started = [subprocess.Popen([BIN / "dask", "scheduler", "--host", "127.0.0.1", "--port", "0",
                                 "--no-dashboard", "--scheduler-file", scheduler_file], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists():
            assert time.monotonic() < deadline, "the Dask scheduler did not start"
            time.sleep(0.1)
        for _ in range(2):
            started.append(subprocess.Popen([BIN / "dask", "worker", "--scheduler-file", scheduler_file,
                                             "--nthreads", "1", "--no-nanny", "--no-dashboard"],
                                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                            start_new_session=True))
        address = json.loads(scheduler_file.read_text())["address"]
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
        yield address, started[1:]
    finally:
        for process in started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.mark.slow
def test_a_dask_cluster_grades_as_serial_even_when_a_worker_dies(serial, dask_cluster, tmp_path):
    address, workers = dask_cluster
    course = ungraded_copy(serial, tmp_path / "course")
    run = subprocess.Popen([sys.executable, "-m", "coursekit.commands.grade", "--scheduler", address], cwd=course,
                           env=environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    from distributed import Client

    killed = None
    with Client(address) as client:  # kill a worker while it grades a student
        deadline = time.monotonic() + 120
        pids = client.run(os.getpid)  # {worker address: its process id}
        while killed is None and time.monotonic() < deadline and run.poll() is None:
            busy = [w for w, keys in client.processing().items() if keys]
            for process in workers:
                if any(pids.get(w) == process.pid for w in busy):
                    time.sleep(0.5)  # let it start the student's kernel
                    os.killpg(process.pid, signal.SIGKILL)
                    killed = process
                    break
            time.sleep(0.05)
    out, err = run.communicate(timeout=600)
    assert killed is not None, "no worker was caught grading"
    assert run.returncode == 0, err
    assert_graded_as(course, serial)
    assert wait_for_no_sandbox_processes(f"{worker.SCRATCH_PREFIX}{killed.pid}-") == []


def test_a_student_whose_grading_kills_its_worker_is_reported_and_no_other_student_is():
    # Real pool workers, as grading forks them; the stand-in kills its own process.  The pool broke with one innocent
    # being graded and four waiting: those used to be charged for each break and reported with it.
    tasks = {name: {"student": name} for name in ("killer", "ann", "ben", "cat", "dan", "eve")}
    outcome = dict(parallel._pooled(tasks, 2, fork_server.pool_context(), stand_in_tasks.grade_or_kill_the_worker))
    killed = outcome.pop("killer")
    assert isinstance(killed, RuntimeError) and f"died {parallel.ATTEMPTS} times" in str(killed)
    assert outcome == {name: f"graded {name}" for name in tasks if name != "killer"}


def test_workers_that_cannot_start_end_the_batch_with_a_reason():
    # No task ever begins: without a limit, pools would be rebuilt for ever.
    tasks = {name: {"student": name} for name in ("ann", "ben")}
    outcome = dict(parallel._pooled(tasks, 2, fork_server.pool_context(),
                                    stand_in_tasks.grade_or_kill_the_worker, stand_in_tasks.cannot_start))
    assert set(outcome) == set(tasks)
    assert all(isinstance(why, RuntimeError) and "no worker process could start" in str(why)
               for why in outcome.values())


def test_a_program_read_from_standard_input_grades_in_parallel(serial, tmp_path):
    # Its main file is "<stdin>": spawned workers used to fail on opening it, for every student.
    course = ungraded_copy(serial, tmp_path / "course")
    for student in (course / "submitted").iterdir():
        if student.name != "chidi":  # the untouched release: the quickest to grade
            shutil.rmtree(student)
    script = "from coursekit.grading.batch import parallel\nprint(sorted(parallel.autograde('.', jobs=2).items()))\n"
    run = subprocess.run([sys.executable, "-"], input=script, cwd=course, env=environment(),
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == str([(("chidi", nb), None) for nb in (NB02, NB03)])
    assert submissions.statuses(course)["chidi"] == submissions.statuses(serial)["chidi"]


def test_only_dead_workers_scratch_courses_are_removed(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    stale = tmp_path / f"{worker.SCRATCH_PREFIX}{dead}-kit-abc"
    alive = tmp_path / f"{worker.SCRATCH_PREFIX}{os.getpid()}-kit-def"
    other = tmp_path / "someone-elses-folder"
    for folder in (stale, alive, other):
        (folder / "source").mkdir(parents=True)
    worker.remove_stale_scratch(tmp_path)
    assert not stale.exists() and alive.exists() and other.exists()


def test_gradebooks_opened_for_one_student_share_an_engine_and_stay_independent(tmp_path):
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with worker.one_engine_per_database():
        first, second = Gradebook(url), Gradebook(url)
        assert first.engine is second.engine
        first.add_student("s1")
        first.close()  # nbgrader disposes the engine when it closes a Gradebook
        second.add_student("s2")
        assert sorted(s.id for s in second.students) == ["s1", "s2"]
        second.close()
    after = Gradebook(url)
    assert after.engine is not first.engine  # nbgrader's own create_engine is back
    assert sorted(s.id for s in after.students) == ["s1", "s2"]
    after.close()


# ---------------------------------------------------------------- results crossing processes, no kernel


@pytest.fixture(scope="module")
def alice_graded(tmp_path_factory):
    """A course gradebook with the assignment and alice's submission, scored."""
    course = new_course(tmp_path_factory.mktemp("rows") / "course")
    released(course)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        gb.update_or_create_student("alice", first_name="Alice")
        gb.add_submission(ASSIGNMENT, "alice")
        for grade in gb.find_submission_notebook(NB02, ASSIGNMENT, "alice").grades:
            grade.auto_score = 1.0
        gb.db.commit()
    return course / "gradebook.db"


@pytest.fixture
def gradebook_engine(alice_graded, tmp_path):
    """A fresh copy of that gradebook, as an SQLAlchemy engine."""
    shutil.copy(alice_graded, tmp_path / "gradebook.db")
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'gradebook.db'}")
    yield engine
    engine.dispose()


def exported(engine, student="alice"):
    with engine.connect() as connection:
        return rows.export(connection, student, ASSIGNMENT)


def test_rows_round_trip_through_json(gradebook_engine):
    before = exported(gradebook_engine)
    assert before["grade"] and before["student"][0]["first_name"] == "Alice"
    with gradebook_engine.begin() as connection:
        rows.replace(connection, "alice", ASSIGNMENT, json.loads(json.dumps(before)))
    assert exported(gradebook_engine) == before


def test_rows_replace_changes_scores_and_keeps_the_roster_name(gradebook_engine):
    changed = exported(gradebook_engine)
    changed["grade"][0]["auto_score"] = 0.5
    changed["student"][0]["first_name"] = "Mallory"
    with gradebook_engine.begin() as connection:
        rows.replace(connection, "alice", ASSIGNMENT, changed)
    after = exported(gradebook_engine)
    assert after["grade"][0]["auto_score"] == 0.5 and after["student"][0]["first_name"] == "Alice"


@pytest.mark.parametrize("damage", ["other student", "unknown cell", "score as text", "nan score",
                                    "extra column", "missing table"])
def test_rows_refuses_what_is_not_this_students_and_writes_nothing(gradebook_engine, damage):
    bad = exported(gradebook_engine)
    if damage == "other student":
        bad["submitted_assignment"][0]["student_id"] = "bob"
    elif damage == "unknown cell":
        bad["grade"][0]["cell_id"] = "0" * 32
    elif damage == "score as text":
        bad["grade"][0]["auto_score"] = "1.0"
    elif damage == "nan score":
        bad["grade"][0]["auto_score"] = float("nan")
    elif damage == "extra column":
        bad["grade"][0]["evil"] = 1
    else:
        del bad["comment"]
    before = exported(gradebook_engine)
    with pytest.raises(ValueError), gradebook_engine.begin() as connection:
        rows.replace(connection, "alice", ASSIGNMENT, bad)
    assert exported(gradebook_engine) == before


def result_of(files, notebooks_=(NB02,)):
    return json.dumps({"student": "alice", "rows": None,
                       "notebooks": {nb: {"finished": True, "log": ""} for nb in notebooks_},
                       "files": {name: {"data": base64.b64encode(b"x").decode(), "mode": 0o444} for name in files}})


@pytest.mark.parametrize("name", ["../bob/math_numpy/02_matrix_operations.ipynb", "/etc/passwd", "a/../../x",
                                  f"{NB03}.ipynb", ""])
def test_a_worker_result_may_not_write_outside_its_notebooks(name):
    with pytest.raises(ValueError):
        parallel._parse(result_of([name]), {"student": "alice", "notebooks": [NB02]})


def test_a_worker_result_for_another_student_or_notebook_is_refused():
    task = {"student": "bob", "notebooks": [NB02]}
    with pytest.raises(ValueError):
        parallel._parse(result_of([f"{NB02}.ipynb"]), task)
    with pytest.raises(ValueError):
        parallel._parse(result_of([f"{NB02}.ipynb"], [NB03]), {"student": "alice", "notebooks": [NB02]})
    assert parallel._parse(result_of([f"{NB02}.ipynb", "checks.py"]), {"student": "alice", "notebooks": [NB02]})


# ---------------------------------------------------------------- progress, no kernel


def test_progress_prints_one_line_per_notebook_when_not_a_terminal():
    out = io.StringIO()
    progress = Progress(12, out=out)
    progress.done("alice", NB02, "graded")
    progress.close()
    assert out.getvalue() == f"[ 1/12] alice {NB02}: graded\n"


def test_summary_counts_states_and_says_the_wall_time():
    line = summary(["graded", "graded", "stopped", "not graded"], 83.0)
    assert line.startswith("Graded 4 notebooks in 1 min 23 s")
    assert "2 graded, 1 not graded, 1 stopped" in line  # in the order of status.State
