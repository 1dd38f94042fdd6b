"""What of a student's submission grading reads: its own regular files, never a symbolic link.

A submission folder comes from outside (an LMS download, an unpacked archive, a hand copy) and
may hold symbolic links.  nbgrader follows them: `nbgrader autograde` copies a submission's other
files into autograded/ with shutil.copy, and reads a linked notebook as the student's.  So a link
could bring any file of the grading machine into a student's autograded folder (and from there
into the feedback folder, which nbgrader fills the same way), grade another student's notebook as
the linker's, or never end (a link to /dev/zero); a dangling one failed the student's whole
submission.  Here a linked notebook is unreadable, other linked files and everything below a
linked folder are left out, and both grading paths grade only the rest:

- the parallel path sends the worker `files(submitted, student)`;
- the serial path (`coursekit-grade --jobs 1`) runs nbgrader on `regular_copy(submitted)`, a
  temporary copy of the submissions folder made of those same files.

Nothing under the submitted folder is written.
"""

import contextlib
import tempfile
from pathlib import Path

from ..spec import ASSIGNMENT

# The most of one submission that is graded: a student's notebooks and data are far smaller.
MAX_BYTES = 256 * 2**20


def is_linked(root, path):
    """Whether `path`, or a folder between `root` and it, is a symbolic link."""
    relative = Path(path).relative_to(root)
    return any((Path(root) / part).is_symlink() for part in (relative, *relative.parents) if part != Path("."))


def is_own_file(root, path):
    """Whether `path`, below `root`, is a regular file reached through no symbolic link: what may
    be opened (a named pipe would block the reader for ever, a device never end)."""
    return not is_linked(root, path) and Path(path).is_file()


def files(submitted, student):
    """{relative path: bytes} of the regular files in `student`'s assignment folder under the
    submissions folder `submitted`: symbolic links, and all below a linked folder (the student's
    own included), left out.  ValueError if it is implausibly large."""
    folder = Path(submitted) / student / ASSIGNMENT
    found, total = {}, 0
    if not folder.is_dir() or is_linked(submitted, folder):
        return found
    for item in sorted(folder.rglob("*")):  # rglob does not descend into linked folders
        if item.is_file() and not is_linked(folder, item):
            total += item.stat().st_size
            if total > MAX_BYTES:
                raise ValueError(f"the submission is larger than {MAX_BYTES // 2**20} MiB")
            found[str(item.relative_to(folder))] = item.read_bytes()
    return found


@contextlib.contextmanager
def regular_copy(submitted):
    """A temporary copy of the submissions folder `submitted`: each student's assignment folder
    with only `files` of it.  Yields (copy's path, {student: why nothing of theirs was copied})."""
    skipped = {}
    with tempfile.TemporaryDirectory(prefix="coursekit-submitted-") as copy:
        for student in sorted(Path(submitted).iterdir()) if Path(submitted).is_dir() else []:
            if student.is_symlink() or not student.is_dir():
                continue
            (Path(copy) / student.name).mkdir()
            try:
                found = files(submitted, student.name)
            except ValueError as error:
                skipped[student.name] = str(error)
                continue
            for relative, data in found.items():
                target = Path(copy) / student.name / ASSIGNMENT / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
        yield Path(copy), skipped
