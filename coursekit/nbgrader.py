"""Run nbgrader commands with this package's own environment, activated or not.

nbgrader starts `alembic` (gradebook migrations) and Jupyter kernels through PATH, so the
directory of the running Python (the virtual environment's bin/) goes first on PATH.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .spec import ASSIGNMENT

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parent.parent


def environment():
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    # nbgrader_config.py names coursekit's preprocessors: importable from scratch course copies too.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def nbgrader(*args, cwd, check=True):
    """Run `nbgrader ARGS` in the course directory `cwd`; return the CompletedProcess."""
    result = subprocess.run([str(BIN / "nbgrader"), *args], cwd=cwd, env=environment(),
                            capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed ({result.returncode}):\n"
                           f"{result.stdout}\n{result.stderr}")
    return result


def new_course(root, repo=REPO):
    """A scratch course directory holding the repo's config and source/, nothing else."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(repo / "nbgrader_config.py", root / "nbgrader_config.py")
    shutil.copytree(repo / "source", root / "source",
                    ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    return root


def generate_release(course):
    """`nbgrader generate_assignment` into course/release (also registers it in the gradebook)."""
    nbgrader("generate_assignment", ASSIGNMENT, "--force", cwd=course)
    return Path(course) / "release" / ASSIGNMENT
