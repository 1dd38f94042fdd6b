"""Running nbgrader commands from this package's environment, activated or not.

nbgrader starts `alembic` (gradebook migrations) and Jupyter kernels through PATH, so the
directory of the running Python (the virtual environment's bin/) goes first on PATH. The
package itself is installed in that environment (scripts/setup.sh), so nbgrader finds the
classes nbgrader_config.py names without any PYTHONPATH.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .spec import ASSIGNMENT

BIN = Path(sys.executable).parent


def environment():
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def nbgrader(*args, cwd, check=True):
    """Run `nbgrader ARGS` in the course directory `cwd`; return the CompletedProcess."""
    result = subprocess.run([str(BIN / "nbgrader"), *args], cwd=cwd, env=environment(),
                            capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed ({result.returncode}):\n"
                           f"{result.stdout}\n{result.stderr}")
    return result


def config_of(course):
    """The traitlets Config of course/nbgrader_config.py (empty without one), as nbgrader loads it."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    if not (Path(course) / "nbgrader_config.py").exists():
        return Config()
    return PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()


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


def generate_release(course):
    """`nbgrader generate_assignment` into course/release (also registers it in the gradebook)."""
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
