"""Grade one student in a scratch course: the unit of work of parallel and distributed grading.

`grade_student(kit, task)` runs in a worker process (a local pool, or a Dask worker on another
machine): plain data in, one JSON text out, so that nothing a student's code produced is ever
unpickled on the recording side (Dask pickles only that string).

- kit (`course_kit`): what grading needs of the course, read once by the recording process:
  nbgrader_config.py, source/ (nbgrader copies its non-notebook files, checks.py, into every
  autograded folder), and a template gradebook: the course's, with every student and
  submission removed (SQLite courses).  A course whose gradebook is a server (PostgreSQL) sends
  no template: workers then write to it directly, each for its own students.
- task: the student, the notebooks to grade, every file of the submission that is graded
  (coursekit.submissions; nbgrader zeroes the notebooks it does not find, so all are sent),
  and the student's current gradebook rows.

The worker unpacks the kit into a fresh scratch course, seeds its gradebook with the student's
rows, and runs nbgrader's own Autograde converter in this process (nbgrader imported once per
worker, not once per notebook), one notebook at a time as the serial path does.  It returns the
autograded folder's files, the student's rows after grading (coursekit.grading.batch.rows) and, per
notebook, whether nbgrader finished it and its log.
"""

import base64
import contextlib
import hashlib
import io
import json
import logging
import os
import shutil
import sqlite3
import tempfile
import threading
from pathlib import Path

import nbgrader.api
import sqlalchemy as sa
from nbgrader.converters import Autograde
from nbgrader.coursedir import CourseDirectory
from traitlets.config.loader import KVArgParseConfigLoader

from ...course import CoursePaths, config_of, environment
from ...spec import ASSIGNMENT
from ..kernel.sandbox import folders_of_dead_processes
from . import rows

# nbgrader's own files in a course folder; anything else of the course a worker never needs.
KIT_FILES = ("nbgrader_config.py", "source")
KIT_SKIP = {"__pycache__", ".ipynb_checkpoints"}
# Scratch courses go to shared memory when there is room: nbgrader commits the gradebook once per
# test cell, and on a disk each commit waits for fsync (about 4 ms here, a fifth of a notebook's
# wall time); the scratch gradebook is thrown away after the student, so it needs no durability.
MEMORY_FOLDER = Path("/dev/shm")
MEMORY_NEEDED = 2**30


def course_kit(course, db_url):
    """What a worker needs of `course`; `db_url` is the course's gradebook (a template is made of
    an SQLite one)."""
    course = Path(course)
    files = {}
    for name in KIT_FILES:
        path = course / name
        if path.is_file():
            files[name] = path.read_bytes()
        elif path.is_dir():
            for item in sorted(path.rglob("*")):
                rel = item.relative_to(course)
                if item.is_file() and not item.is_symlink() and not KIT_SKIP & set(rel.parts) and item.suffix != ".pyc":
                    files[str(rel)] = item.read_bytes()
    template = _template(db_url) if db_url.startswith("sqlite") else None
    digest = hashlib.sha256(json.dumps(sorted((k, hashlib.sha256(v).hexdigest()) for k, v in files.items()))
                            .encode() + (template or b"")).hexdigest()[:16]
    return {"id": digest, "files": files, "template": template}


def kit_to_json(kit):
    """The kit as JSON text (bytes as base64), to hand to local worker processes in a file."""
    return json.dumps({"id": kit["id"], "files": {k: base64.b64encode(v).decode() for k, v in kit["files"].items()},
                       "template": None if kit["template"] is None else base64.b64encode(kit["template"]).decode()})


def kit_from_json(text):
    data = json.loads(text)
    return {"id": data["id"], "files": {k: base64.b64decode(v) for k, v in data["files"].items()},
            "template": None if data["template"] is None else base64.b64decode(data["template"])}


def _template(db_url):
    """The bytes of a copy of the SQLite gradebook at `db_url` without students or submissions."""
    source = sa.engine.make_url(db_url).database
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "gradebook.db"
        with contextlib.closing(sqlite3.connect(source)) as src, contextlib.closing(sqlite3.connect(copy)) as dst:
            src.backup(dst)  # consistent even while another process reads it
        engine = sa.create_engine(f"sqlite:///{copy}")
        with engine.begin() as connection:
            rows.clear_submissions(connection)
        with engine.connect() as connection:
            connection.exec_driver_sql("VACUUM")
        engine.dispose()
        return copy.read_bytes()


def _scratch_parent():
    """Shared memory if it is there, writable and roomy; else the system's temporary folder."""
    try:
        stats = os.statvfs(MEMORY_FOLDER)
    except OSError:
        return None
    roomy = stats.f_bavail * stats.f_frsize >= MEMORY_NEEDED
    return str(MEMORY_FOLDER) if roomy and os.access(MEMORY_FOLDER, os.W_OK | os.X_OK) else None


SCRATCH_PREFIX = "coursekit-worker-"  # then the worker's process id: a dead worker's folder is found by it


def remove_stale_scratch(parent):
    """Remove the scratch courses of workers that were killed before they could (kill -9, a
    lost Dask worker): in shared memory they would hold the machine's memory until a reboot."""
    for folder in folders_of_dead_processes(parent or tempfile.gettempdir(), SCRATCH_PREFIX):
        shutil.rmtree(folder, ignore_errors=True)


def _unpack(kit, root):
    for rel, data in kit["files"].items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _config(root, db_url, course_root, extra):
    config = config_of(root)
    config.merge(KVArgParseConfigLoader(argv=list(extra)).load_config())
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.db_url = db_url
    # The scratch course keeps the course's folder names. A folder configured outside the course (an
    # absolute path) would be the real one: there the scratch course takes nbgrader's default name.
    for name in ("submitted_directory", "autograded_directory"):
        if os.path.isabs(getattr(CourseDirectory(config=config), name)):
            config.CourseDirectory[name] = CourseDirectory.class_traits()[name].default_value
    # Student code sees the course's own folders, so its outputs are a serial run's.
    config.LimitedExecute.kernel_course_root = course_root
    return config


def _autograde(config, student, notebook):
    """nbgrader's Autograde converter for one notebook, in this process: (finished, log text)."""
    log = logging.getLogger(f"coursekit.worker.{student}.{notebook}")
    log.propagate = False
    text = io.StringIO()
    handler = logging.StreamHandler(text)
    handler.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO)
    coursedir = CourseDirectory(config=config, log=log)
    coursedir.assignment_id, coursedir.student_id, coursedir.notebook_id = ASSIGNMENT, student, notebook
    converter = Autograde(coursedir=coursedir, config=config, log=log)
    converter.force = True  # the scratch course is fresh: the recording side chose what to grade
    converter.create_student = True
    try:
        converter.start()
        finished = True
    except Exception as error:  # noqa: BLE001 - nbgrader failed this notebook: the batch goes on
        log.error("%s: %s", type(error).__name__, error)
        finished = False
    return finished, text.getvalue()


@contextlib.contextmanager
def one_engine_per_database():
    """While it lasts, the Gradebooks that nbgrader opens share one SQLAlchemy engine per database.

    nbgrader opens about ten Gradebooks per notebook, each creating an engine of its own, whose
    cache of compiled SQL starts empty: compiling the same statements again cost 0.3 s of CPU
    per notebook, a tenth of grading one.  Each Gradebook still has its own session and
    connection; one that closes (nbgrader disposes its engine) leaves the others' connections
    open.  Scoped to one student: the engines, on that student's scratch gradebook, go with it.
    """
    create = nbgrader.api.create_engine
    engines = {}

    def shared(url, **kwargs):
        key = (str(url), tuple(sorted(kwargs.items())))
        if key not in engines:
            engines[key] = create(url, **kwargs)
        return engines[key]

    nbgrader.api.create_engine = shared
    try:
        yield
    finally:
        nbgrader.api.create_engine = create
        for engine in engines.values():
            engine.dispose()


# One student at a time per process: grading changes the working directory (as nbgrader expects),
# so a Dask worker started with several threads still grades in turn (start it with --nthreads 1).
_ONE_AT_A_TIME = threading.Lock()


def grade_student(kit, task):
    """Grade task["notebooks"] of task["student"]; return the JSON text described above."""
    with _ONE_AT_A_TIME:
        return _grade_student(kit, task)


def _grade_student(kit, task):
    student = task["student"]
    os.environ["PATH"] = environment()["PATH"]  # kernels and alembic are found on PATH
    parent = _scratch_parent()
    remove_stale_scratch(parent)
    with tempfile.TemporaryDirectory(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-{kit['id']}-", dir=parent) as tmp:
        root = Path(tmp).resolve()
        _unpack(kit, root)
        config = _config(root, task.get("db_url") or f"sqlite:///{root / 'gradebook.db'}", task["course_root"],
                         task.get("extra", ()))
        paths = CoursePaths(root, config=config)
        folder = paths.submission(student)
        for rel, data in task["files"].items():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_bytes(data)
        db_url = task.get("db_url")
        if db_url is None:  # a scratch gradebook: the template, with this student's current rows
            (root / "gradebook.db").write_bytes(kit["template"])
            db_url = f"sqlite:///{root / 'gradebook.db'}"
            engine = sa.create_engine(db_url)
            with engine.begin() as connection:
                rows.replace(connection, student, ASSIGNMENT, task["rows"])
            engine.dispose()
        outcome = {}
        previous = os.getcwd()
        os.chdir(root)  # as `nbgrader autograde` runs: in the course directory
        try:
            with one_engine_per_database():
                for notebook in task["notebooks"]:
                    finished, log = _autograde(config, student, notebook)
                    outcome[notebook] = {"finished": finished, "log": log}
        finally:
            os.chdir(previous)
        graded = paths.graded(student)
        files = {str(p.relative_to(graded)): {"data": base64.b64encode(p.read_bytes()).decode(),
                                              "mode": p.stat().st_mode & 0o777}
                 for p in sorted(graded.rglob("*")) if p.is_file()} if graded.is_dir() else {}
        result_rows = None
        if task.get("db_url") is None:
            engine = sa.create_engine(db_url)
            with engine.connect() as connection:
                result_rows = rows.export(connection, student, ASSIGNMENT)
            engine.dispose()
    return json.dumps({"student": student, "notebooks": outcome, "files": files, "rows": result_rows})
