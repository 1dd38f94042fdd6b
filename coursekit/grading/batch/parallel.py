"""Grade a batch on several processes, or on a Dask cluster, with one process recording.

nbgrader's SQLite gradebook takes one writer at a time, and its update_or_create_* read then
insert, so concurrent `nbgrader autograde` runs on one gradebook collide.  Here:

1. the recording process (this module, in the course) decides what to grade exactly as nbgrader
   would (coursekit.grading.batch.selection.pending) and sends one task per student, as plain data
   (coursekit.grading.batch.worker);
2. workers grade: local processes (`--jobs N`), or Dask workers on any machine
   (`--scheduler tcp://HOST:8786`), each in a scratch course, with the sandbox and limits;
3. as each student's result arrives, this process checks it (a JSON text: files under the
   student's autograded folder only, gradebook rows of that student only: coursekit.grading.batch.rows)
   and records it: the old autograded copies of those notebooks go first, then the rows (one
   transaction), then the files.  A run killed at any point leaves each notebook either
   recorded or without an autograded copy, so running again without --force finishes the batch.

With a gradebook on a server (PostgreSQL) the workers write their own students' rows to it
directly; the students are created before the fan-out, so no two writers touch one row.

A worker that dies loses nothing: Dask runs its tasks again on another worker; a local pool is
rebuilt and its unfinished tasks sent again, those it was grading each alone (a student whose
grading kills its worker three times is reported, not graded, and no other student with it).
Nothing under the submitted folder is written.
"""

import base64
import concurrent.futures
import json
import os
import tempfile
from pathlib import Path, PurePosixPath

import sqlalchemy as sa
from nbgrader.api import Gradebook

from ... import fork_server
from ...course import CoursePaths, config_of, gradebook_url, has_gradebook
from ...spec import ASSIGNMENT
from ...status import State
from ...submissions import files as submission_files
from ...submissions import notebook_status
from ..plugins.limited_execute import LimitedExecute
from . import rows, worker
from .selection import pending, remove_unfinished

ATTEMPTS = 3  # a local task is sent this many times before it is reported as failed
DASK_RESENDS = 2  # a Dask task cancelled with its lost inputs is sent again this many times


def autograde(course, submitted=None, force=False, extra=(), jobs=2, scheduler=None, progress=None):
    """Grade what a serial run would grade, on `jobs` local processes or the Dask `scheduler`.

    Returns {(student, notebook): None if nbgrader finished it, else why not}.
    progress: a coursekit.grading.batch.progress.Progress counting recorded notebooks, or None.
    """
    course = Path(course).resolve()
    paths = CoursePaths(course, submitted)
    max_bytes = LimitedExecute(config=config_of(course)).submission_mb * 2**20
    db_url = gradebook_url(course)
    if not has_gradebook(course, db_url):
        raise RuntimeError(f"no gradebook in {course}: run `nbgrader generate_assignment {ASSIGNMENT}` first")
    if not force:
        remove_unfinished(course)
    todo = pending(course, submitted, force)
    wanted = {}
    for student, nb in todo:
        wanted.setdefault(student, []).append(nb)
    shared = not db_url.startswith("sqlite")
    with Gradebook(db_url) as gb:  # creates the course row, and on a server the students, before the fan-out
        if shared:
            for student in wanted:
                gb.update_or_create_student(student)
    engine = sa.create_engine(db_url)
    outcome = {}
    try:
        kit = worker.course_kit(course, db_url)
        tasks = {}
        for student, nbs in wanted.items():
            try:
                files = submission_files(paths.submitted_folder(), student, max_bytes)
            except ValueError as error:
                outcome.update(_failed(paths, student, nbs, str(error), progress))
                continue
            current = None
            if not shared:
                with engine.connect() as connection:
                    current = rows.export(connection, student, ASSIGNMENT)
            tasks[student] = {"student": student, "notebooks": nbs, "files": files, "rows": current,
                              "db_url": db_url if shared else None, "course_root": str(course),
                              "extra": list(extra)}
        run = _run_dask(kit, tasks, scheduler) if scheduler else _run_local(kit, tasks, jobs)
        for student, text in run:
            task = tasks.pop(student)
            try:
                if isinstance(text, BaseException):
                    raise text
                result = _parse(text, task)
                _record(paths, engine, task, result, shared)
            except Exception as error:  # noqa: BLE001 - one student's failure never stops the batch
                outcome.update(_failed(paths, student, task["notebooks"], f"{type(error).__name__}: {error}",
                                       progress))
                continue
            for nb in task["notebooks"]:
                finished = result["notebooks"][nb]["finished"]
                outcome[student, nb] = None if finished else _last_error(result["notebooks"][nb]["log"])
                if progress:
                    progress.done(student, nb, notebook_status(paths, student, nb).state)
    finally:
        engine.dispose()
    return outcome


def _failed(paths, student, notebooks, why, progress):
    """A student the workers could not grade: no autograded copy (status 'not graded'), the reason."""
    for nb in notebooks:
        (paths.graded(student) / f"{nb}.ipynb").unlink(missing_ok=True)
        if progress:
            progress.done(student, nb, State.NOT_GRADED)
    return {(student, nb): why for nb in notebooks}


def _last_error(log):
    errors = [line for line in log.splitlines() if line.startswith("[ERROR]")]
    return errors[-1].removeprefix("[ERROR] ") if errors else "nbgrader could not grade it"


def _parse(text, task):
    """A worker's JSON result, checked against its task; ValueError if anything is out of place."""
    result = json.loads(text)
    if not isinstance(result, dict) or result.get("student") != task["student"]:
        raise ValueError("a result for another student")
    notebooks = result.get("notebooks")
    if not isinstance(notebooks, dict) or set(notebooks) != set(task["notebooks"]) or not all(
            isinstance(v, dict) and isinstance(v.get("finished"), bool) and isinstance(v.get("log"), str)
            for v in notebooks.values()):
        raise ValueError("a result that does not answer for exactly the notebooks sent")
    files = result.get("files")
    if not isinstance(files, dict):
        raise ValueError("a result without its files")
    for rel, item in files.items():
        parts = PurePosixPath(rel).parts
        if not parts or PurePosixPath(rel).is_absolute() or any(p in ("", ".", "..") for p in parts) \
                or "\\" in rel or "\0" in rel:
            raise ValueError(f"a file outside the student's autograded folder: {rel!r}")
        if not (isinstance(item, dict) and isinstance(item.get("data"), str) and isinstance(item.get("mode"), int)):
            raise ValueError(f"a malformed file entry: {rel!r}")
        stem, suffix = os.path.splitext(rel)
        if suffix == ".ipynb" and stem not in task["notebooks"]:
            raise ValueError(f"a notebook that was not to be graded: {rel!r}")
    return result


def _record(paths, engine, task, result, shared):
    student = task["student"]
    folder = paths.graded(student)
    for nb in task["notebooks"]:  # first: a run killed below leaves these to be graded again
        (folder / f"{nb}.ipynb").unlink(missing_ok=True)
    if not shared:
        with engine.begin() as connection:
            rows.replace(connection, student, ASSIGNMENT, result["rows"])
    for rel, item in result["files"].items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)  # nbgrader leaves its copies read-only
        path.write_bytes(base64.b64decode(item["data"], validate=True))
        path.chmod(item["mode"] & 0o777)


def _grade_in_pool(task):
    return worker.grade_student(_KIT, task)


_KIT = None


def _set_kit(kit_file):
    """A local worker's start: the kit, and its output silenced (kernels write their start-up and
    interrupt notes there; a serial run's nbgrader keeps them in its captured log)."""
    global _KIT
    _KIT = worker.kit_from_json(Path(kit_file).read_text(encoding="utf-8"))
    # A worker forked from the fork server starts in the folder the server started in, which may
    # have gone since (a test's scratch folder): the kit's folder exists while the pool does.
    os.chdir(os.path.dirname(kit_file))
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)


def _run_local(kit, tasks, jobs):
    """Yield (student, result text or exception) as local worker processes finish them.

    A worker process that dies breaks Python's pool: a new pool gets the unfinished tasks."""
    context = fork_server.pool_context()
    # The kit goes by file: passed as an argument it is written down each new worker's start-up
    # pipe, which blocks until that worker has imported this program (a second or two), one worker
    # after the other.  (NamedTemporaryFile: mode 0600.)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", prefix="coursekit-kit-") as kit_file, \
            fork_server.main_importable_by_children():
        kit_file.write(worker.kit_to_json(kit))
        kit_file.flush()
        yield from _pooled(tasks, jobs, context, _grade_in_pool, _set_kit, (kit_file.name,))


def _pooled(tasks, jobs, context, grade, initializer=None, initargs=()):
    """Yield (student, grade(task) or exception) from pools of `jobs` processes.

    A worker that dies breaks its pool, and Python then stops the other workers too.  Students
    whose grading had not begun go into the next pool uncharged.  Those being graded at that
    moment are graded again each in a pool of its own, where a death can only be its own student's:
    a student whose grading kills its worker ATTEMPTS times is reported, and no other student is
    charged for it."""
    attempts = {student: 0 for student in tasks}
    left = dict(tasks)
    suspects = []  # graded when a pool broke: next, each alone
    barren = 0  # pools in a row that broke before any task began
    with tempfile.TemporaryDirectory(prefix="coursekit-started-") as started:
        while left:
            group = [suspects[0]] if suspects else list(left)
            for marker in Path(started).iterdir():
                marker.unlink()
            markers = {student: os.path.join(started, str(number)) for number, student in enumerate(group)}
            broken = []
            with concurrent.futures.ProcessPoolExecutor(max(1, min(jobs, len(group))), mp_context=context,
                                                        initializer=initializer, initargs=initargs) as pool:
                futures = {pool.submit(_started_then, grade, markers[student], left[student]): student
                           for student in group}
                for future in concurrent.futures.as_completed(futures):
                    student = futures[future]
                    try:
                        outcome = future.result()
                    except concurrent.futures.process.BrokenProcessPool as error:
                        broken.append((student, error))
                        continue
                    except Exception as error:  # noqa: BLE001 - reported for this student only
                        outcome = error
                    del left[student]
                    if student in suspects:
                        suspects.remove(student)
                    yield student, outcome
            begun = [(student, error) for student, error in broken if os.path.exists(markers[student])]
            if broken and not begun:  # the workers died before any task began: they cannot start
                barren += 1
                if barren >= ATTEMPTS:
                    for student in list(left):
                        del left[student]
                        yield student, RuntimeError(f"no worker process could start: {broken[0][1]}")
                continue
            barren = 0
            for student, error in begun:  # those still waiting for a worker are not at fault
                attempts[student] += 1
                if attempts[student] >= ATTEMPTS:
                    del left[student]
                    if student in suspects:
                        suspects.remove(student)
                    yield student, RuntimeError(f"its worker process died {ATTEMPTS} times: {error}")
                elif student not in suspects:
                    suspects.append(student)


def _started_then(grade, marker, task):
    """In a pool worker: note that this task has begun (see _pooled), then grade it."""
    Path(marker).touch()
    return grade(task)


def _run_dask(kit, tasks, scheduler):
    """Yield (student, result text or exception) as the Dask cluster at `scheduler` finishes them.

    Dask runs again elsewhere the tasks of a worker that dies (distributed.scheduler.allowed-failures).
    A worker that dies while the scattered kit is still on its way can take the kit with it: the
    scheduler then cancels every task that needs it ("already forgotten"). Such a task is sent
    again, with the kit inside it, up to DASK_RESENDS times."""
    from distributed import Client, as_completed

    def submit(kit_or_future, student, task):
        return client.submit(worker.grade_student, kit_or_future, task, pure=False,
                             key=f"grade-{student}-{os.urandom(4).hex()}")

    with Client(scheduler, set_as_default=False) as client:
        shared_kit = client.scatter(kit, broadcast=True, hash=False)
        futures = {submit(shared_kit, student, task): student for student, task in tasks.items()}
        resent = dict.fromkeys(tasks, 0)
        finished = as_completed(futures, loop=client.loop)
        for future in finished:
            student = futures.pop(future)
            try:
                yield student, future.result()
            except concurrent.futures.CancelledError as error:
                if resent[student] >= DASK_RESENDS:
                    yield student, error
                    continue
                resent[student] += 1
                again = submit(kit, student, tasks[student])
                futures[again] = student
                finished.add(again)
            except Exception as error:  # noqa: BLE001 - e.g. KilledWorker: reported for this student only
                yield student, error

