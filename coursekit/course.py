"""A course directory: its nbgrader configuration, its folders, its gradebook, and nbgrader run in it.

A leaf of the package (it imports only coursekit.spec and coursekit.fork_server).

- Folders: `CoursePaths` names every file of a course the way nbgrader does, through its own
  `CourseDirectory.format_path` and the folder names the course's nbgrader_config.py configures
  (`c.CourseDirectory.autograded_directory`, `directory_structure`, ...): nothing assembles
  `autograded/<student>/<assignment>/` by hand.
- nbgrader starts `alembic` (gradebook migrations) and Jupyter kernels through PATH, so the
  directory of the running Python (the virtual environment's bin/) goes first on PATH. The
  package itself is installed in that environment (scripts/setup.sh), so nbgrader finds the
  classes nbgrader_config.py names without any PYTHONPATH.
"""

import copy
import functools
import os
import shutil
import sys
from pathlib import Path

import sqlalchemy as sa
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from . import fork_server
from .spec import ASSIGNMENT

BIN = Path(sys.executable).parent


def environment():
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def nbgrader(*args, cwd, check=True, env=None):
    """Run `nbgrader ARGS` in the course directory `cwd` (environment: `env`, else environment());
    return the CompletedProcess.  A child of the fork server (coursekit.fork_server): a process of its
    own, without the 2 s of imports a new `nbgrader` process pays."""
    result = fork_server.run_nbgrader(args, cwd, env or environment())
    if check and result.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed ({result.returncode}):\n"
                           f"{result.stdout}\n{result.stderr}")
    return result


def config_of(course):
    """The traitlets Config of course/nbgrader_config.py (empty without one), as nbgrader loads it."""
    path = Path(course) / "nbgrader_config.py"
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return Config()
    return copy.deepcopy(_config_file(str(path.resolve()), stamp))  # a copy: callers may change theirs


@functools.lru_cache(maxsize=16)  # read once per course and version of the file, not once per notebook
def _config_file(path, stamp):
    return PyFileConfigLoader(Path(path).name, path=str(Path(path).parent)).load_config()


class CoursePaths:
    """Where a course keeps each file, as nbgrader names it (CourseDirectory.format_path).

    submitted: the folder of submissions when not the configured one (`coursekit-grade --submitted`).
    """

    def __init__(self, course, submitted=None, config=None):
        self.root = Path(course).resolve()
        self.coursedir = CourseDirectory(config=config or config_of(course), root=str(self.root))
        self.submitted = submitted or self.coursedir.submitted_directory

    def assignment(self, folder, student="."):
        """The assignment's folder of `student` under `folder` (a configured folder name)."""
        return Path(self.coursedir.format_path(folder, student, ASSIGNMENT))

    def submission(self, student):
        return self.assignment(self.submitted, student)

    def graded(self, student):
        return self.assignment(self.coursedir.autograded_directory, student)

    def feedback(self, student):
        return self.assignment(self.coursedir.feedback_directory, student)

    def source(self):
        return self.assignment(self.coursedir.source_directory)

    def release(self):
        return self.assignment(self.coursedir.release_directory)

    def submitted_folder(self):
        return self.root / self.submitted

    def students(self):
        """The students with a folder of submissions (sorted; links included, as the folder lists them)."""
        return _folders_in(self.submitted_folder())

    def graded_students(self):
        """The students with a folder of autograded notebooks (sorted)."""
        return _folders_in(self.root / self.coursedir.autograded_directory)


def _folders_in(folder):
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def gradebook_url(course):
    """The course's gradebook, as nbgrader finds it: CourseDirectory.db_url of its nbgrader_config.py
    (e.g. a PostgreSQL server), else SQLite's gradebook.db in the course directory."""
    config = config_of(course)
    if "CourseDirectory" in config and config.CourseDirectory.get("db_url"):
        return config.CourseDirectory.db_url
    return f"sqlite:///{Path(course).resolve() / 'gradebook.db'}"


def has_gradebook(course, db_url=None):
    """Whether the gradebook exists (an SQLite file; a server's is assumed to): opening a missing
    SQLite gradebook would create an empty one."""
    url = db_url or gradebook_url(course)
    return not url.startswith("sqlite:///") or Path(url.removeprefix("sqlite:///")).exists()


def new_gradebook(db_url):
    """Make the empty nbgrader gradebook `db_url` as nbgrader's Gradebook makes a new one: its tables,
    and alembic's version table holding the newest of nbgrader's migrations.  nbgrader asks alembic
    for that version by starting `alembic heads` (2 s of CPU, in every fresh course); alembic's own
    API reads it here from the same migration scripts.  A database that has tables is left alone."""
    from alembic.script import ScriptDirectory
    from nbgrader.api import Base
    from nbgrader.dbutil import ALEMBIC_DIR

    engine = sa.create_engine(db_url)
    try:
        if sa.inspect(engine).get_table_names():
            return
        head = ScriptDirectory(ALEMBIC_DIR).get_current_head()
        with engine.begin() as db:
            Base.metadata.create_all(bind=db)
            db.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
            db.execute(sa.text("INSERT INTO alembic_version (version_num) VALUES (:head)"), {"head": head})
    finally:
        engine.dispose()


def generate_release(course):
    """`nbgrader generate_assignment` into course/release (also registers it in the gradebook)."""
    if not has_gradebook(course):
        new_gradebook(gradebook_url(course))
    nbgrader("generate_assignment", ASSIGNMENT, "--force", cwd=course)
    return Path(course) / "release" / ASSIGNMENT


def new_course(root, repo):
    """A course directory `root` holding repo's nbgrader_config.py and source/, nothing else."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(Path(repo) / "nbgrader_config.py", root / "nbgrader_config.py")
    shutil.copytree(Path(repo) / "source", root / "source",
                    ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    return root
