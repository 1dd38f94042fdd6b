"""The course's release, generated once per test run.

`nbgrader generate_assignment` costs about 10 s of CPU (nbgrader's start, a new gradebook, a commit
per cell), and most tests release the very same source/ under the very same nbgrader_config.py.
`released(course)` leaves `course` as coursekit.course.generate_release leaves it: when its config
and source/ are byte for byte the ones of the run's first release (tests/support/shared.py), and it
holds no release or gradebook yet, it gets a copy of that release folder and gradebook; otherwise
nbgrader generates the assignment there itself.  The committed release is checked against a real
run in tests/corpus/test_corpus.py.
"""

import hashlib
import shutil
from pathlib import Path

from coursekit.course import generate_release, new_course
from coursekit.spec import ASSIGNMENT

from . import shared

SKIP = {"__pycache__", ".ipynb_checkpoints"}


def course_digest(course):
    """A digest of what generate_assignment reads: nbgrader_config.py and every file of source/."""
    course = Path(course)
    digest = hashlib.sha256((course / "nbgrader_config.py").read_bytes())
    for path in sorted((course / "source").rglob("*")):
        if path.is_file() and not SKIP & set(path.relative_to(course).parts):
            digest.update(str(path.relative_to(course)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def released(course):
    """generate_release(course), from the run's copy when that is the same; the release folder."""
    course = Path(course)
    if (course / "release").exists() or (course / "gradebook.db").exists():
        return generate_release(course)
    digest = course_digest(course)

    def make(folder):
        template = new_course(folder / "course", course)  # this course's config and source/
        generate_release(template)
        return str(template)

    template = Path(shared.once_per_run(f"release-{digest}", make))
    if not (template / "gradebook.db").exists():  # a gradebook on a server: only nbgrader registers there
        return generate_release(course)
    shutil.copytree(template / "release", course / "release")
    shutil.copyfile(template / "gradebook.db", course / "gradebook.db")
    return course / "release" / ASSIGNMENT
