"""A submitted/ folder: every student's notebooks, and Python files shipped beside them."""

from pathlib import Path

from ...spec import ASSIGNMENT
from ...submissions import is_linked
from .notebook_scan import scan_notebook
from .rules import Flag


def _extra_files(folder):
    """Python files a student ships beside the notebooks: the kernel imports them before any
    installed module of that name (a numpy.py would replace NumPy).  nbgrader overwrites checks.py."""
    flags = []
    for entry in sorted(folder.iterdir()):
        importable = entry.suffix in (".py", ".so", ".pyd") and entry.is_file() \
            or entry.is_dir() and (entry / "__init__.py").exists()
        if importable and entry.name != "checks.py":
            flags.append(Flag("extra-file", f"ships {entry.name}: the notebooks import it before an "
                              "installed module", notebook=str(entry)))
    return flags


def scan_submissions(submitted_dir, release_dir=None):
    """student -> flags, for every submitted/<student>/<assignment>/*.ipynb (and shipped .py files)."""
    results = {}
    for student in sorted(p for p in Path(submitted_dir).iterdir() if p.is_dir()):
        folder, flags = student / ASSIGNMENT, []
        try:
            if folder.is_dir():
                for nb in sorted(folder.glob("*.ipynb")):
                    if is_linked(submitted_dir, nb):  # never followed: statuses call it unreadable
                        continue
                    release = Path(release_dir) / nb.name if release_dir is not None else None
                    flags += scan_notebook(nb, release if release is not None and release.is_file() else None)
                flags += _extra_files(folder)
        except OSError as error:  # an unlistable folder is the student's problem, not the batch's
            flags.append(Flag("unreadable", f"unreadable notebook: cannot list {folder} ({error.strerror})",
                              notebook=str(folder)))
        results[student.name] = flags
    return results
