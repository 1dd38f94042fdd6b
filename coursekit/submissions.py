"""A submission on disk: what of it grading reads (its own regular files, never a symbolic link),
and what grading made of each of its notebooks (a coursekit.status.Status, read from the files).

A submission folder comes from outside (an LMS download, an unpacked archive, a hand copy) and
may hold symbolic links.  nbgrader follows them: `nbgrader autograde` copies a submission's other
files into autograded/ with shutil.copy, and reads a linked notebook as the student's.  So a link
could bring any file of the grading machine into a student's autograded folder (and from there
into the feedback folder, which nbgrader fills the same way), grade another student's notebook as
the linker's, or never end (a link to /dev/zero); a dangling one failed the student's whole
submission.  Here a linked notebook is unreadable, other linked files and everything below a
linked folder are left out, and both grading paths grade only the rest:

- the parallel path sends the worker `files(submitted, student, max_bytes)`;
- the serial path (`coursekit-grade --jobs 1`) runs nbgrader on `regular_copy(submitted)`, a
  temporary copy of the submissions folder made of those same files.

Statuses come from the files themselves: the submitted notebook (missing, unreadable) and its
autograded copy (not graded, or what grading marked in it: stopped, timed out, a check asking for
review; coursekit.status). They are read as plain JSON, without nbformat's validation, which cost
the most of a batch's recording process (statuses are read for every notebook, several times).

Nothing under the submitted folder is written.
"""

import contextlib
import json
import tempfile
from pathlib import Path

from .course import CoursePaths
from .spec import ASSIGNMENT, NOTEBOOKS
from .status import State, Status, graded_state, review_requests


def is_linked(root, path):
    """Whether `path`, or a folder between `root` and it, is a symbolic link."""
    relative = Path(path).relative_to(root)
    return any((Path(root) / part).is_symlink() for part in (relative, *relative.parents) if part != Path("."))


def is_own_file(root, path):
    """Whether `path`, below `root`, is a regular file reached through no symbolic link: what may
    be opened (a named pipe would block the reader for ever, a device never end)."""
    return not is_linked(root, path) and Path(path).is_file()


def files(submitted, student, max_bytes):
    """{relative path: bytes} of the regular files in `student`'s assignment folder under the
    submissions folder `submitted`: symbolic links, and all below a linked folder (the student's
    own included), left out.  ValueError if they come to more than max_bytes
    (LimitedExecute.submission_mb)."""
    folder = Path(submitted) / student / ASSIGNMENT
    found, total = {}, 0
    if not folder.is_dir() or is_linked(submitted, folder):
        return found
    for item in sorted(folder.rglob("*")):  # rglob does not descend into linked folders
        if item.is_file() and not is_linked(folder, item):
            total += item.stat().st_size
            if total > max_bytes:
                raise ValueError(f"the submission is larger than {max_bytes / 2**20:g} MiB")
            found[str(item.relative_to(folder))] = item.read_bytes()
    return found


@contextlib.contextmanager
def regular_copy(submitted, max_bytes):
    """A temporary copy of the submissions folder `submitted`: each student's assignment folder
    with only `files` of it.  Yields (copy's path, {student: why nothing of theirs was copied})."""
    skipped = {}
    with tempfile.TemporaryDirectory(prefix="coursekit-submitted-") as copy:
        for student in sorted(Path(submitted).iterdir()) if Path(submitted).is_dir() else []:
            if student.is_symlink() or not student.is_dir():
                continue
            (Path(copy) / student.name).mkdir()
            try:
                found = files(submitted, student.name, max_bytes)
            except ValueError as error:
                skipped[student.name] = str(error)
                continue
            for relative, data in found.items():
                target = Path(copy) / student.name / ASSIGNMENT / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
        yield Path(copy), skipped


# ---------------------------------------------------------------- what grading made of each notebook


def read_json(path):
    """The notebook's JSON, or the reason it cannot be read as one."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        return None, f"not a notebook file: {type(error).__name__}"
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        return None, "not a notebook file: no list of cells"
    return data, ""


def unfinished_cells(cells):
    """Whether no code cell of an autograded notebook ran: nbgrader's first, sanitized copy, left by
    a killed batch. Every finished copy has a run code cell (an execution count or an output)."""
    return not any(isinstance(c, dict) and c.get("cell_type") == "code"
                   and (c.get("outputs") or c.get("execution_count")) for c in cells)


def unfinished(graded):
    data, _ = read_json(graded)
    return data is None or unfinished_cells(data["cells"])


def notebook_status(paths, student, nb):
    """The Status of one notebook of `student` (paths: a coursekit.course.CoursePaths)."""
    source = paths.submission(student) / f"{nb}.ipynb"
    graded = paths.graded(student) / f"{nb}.ipynb"
    if is_linked(paths.submitted_folder(), source):
        return Status(nb, State.UNREADABLE, "a symbolic link, not the notebook itself: it is not followed")
    if not source.exists():
        return Status(nb, State.MISSING)
    if not source.is_file():
        return Status(nb, State.UNREADABLE, "not a regular file")
    data, problem = read_json(source)
    if data is None:
        return Status(nb, State.UNREADABLE, problem)
    if not graded.exists():
        return Status(nb, State.NOT_GRADED, "nbgrader could not grade it: see its log")
    data, _ = read_json(graded)
    if data is None or unfinished_cells(data["cells"]):
        return Status(nb, State.NOT_GRADED, "grading was interrupted: grade again (without --force) to finish")
    state, detail = graded_state(data)
    return Status(nb, state, detail, review_requests(data))


def statuses(course, submitted=None):
    """student -> [Status per notebook], and a Status of the pseudo-notebook "files" (UNEXPECTED)
    for a submission holding files under other names."""
    paths = CoursePaths(course, submitted)
    result = {}
    for student in paths.students():
        result[student] = [notebook_status(paths, student, nb) for nb in NOTEBOOKS]
        assignment, expected = paths.submission(student), {f"{nb}.ipynb" for nb in NOTEBOOKS}
        if assignment.is_dir():  # notebooks under other names
            strays = sorted(p.name for p in assignment.glob("*.ipynb") if p.name not in expected)
        else:  # no assignment folder at all: everything the student handed in is misplaced
            strays = sorted(p.name for p in (paths.submitted_folder() / student).iterdir())
        if strays:
            result[student].append(Status("files", State.UNEXPECTED, ", ".join(strays)
                                          + f" (expected {ASSIGNMENT}/<notebook>.ipynb names)"))
    return result
