"""Where a student's uploads live on disk: every one kept, the newest as nbgrader's submission.

    lti/uploads/<student>/<folder>/math_numpy/   every accepted upload, complete, never changed
    submitted/<student>/math_numpy/               nbgrader's submission: a copy of the newest upload
    lti/grading/<claim>/<student>/math_numpy/     what one claim of the grading worker grades (removed after)
    lti/tmp/                                      folders being built (same file system: renames are atomic)

An upload may bring one notebook or all of them: it is completed with the notebooks of the student's
previous upload (or of the submission already in submitted/, e.g. from an LMS download), so every
upload folder is a whole submission with its own timestamp.txt, in nbgrader's format, so that
nbgrader's late penalty applies to it.  Folders are built under lti/tmp and moved into place by one
rename (coursekit/lti/atomic.py); submitted/<student> is swapped with the new copy in one step, and the
folder it held is kept in lti/uploads when it was not a copy of an upload already there.

Names: the student id comes from the verified launch and must be a plain folder name (STUDENT_ID);
notebook names come from coursekit.spec; folder names are made here.  Nothing on disk is ever named
after anything a browser sent.
"""

import datetime
import os
import re
import secrets
import shutil
from pathlib import Path

from ..spec import ASSIGNMENT, NOTEBOOKS
from .atomic import exchange, publish, sync_tree, write_durably

STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}")  # no glob character: nbgrader globs student ids
FOLDER = re.compile(r"\d{8}T\d{12}Z-[0-9a-f]{8}(-replaced)?")
TIMESTAMP_FILE = "timestamp.txt"


class UnusableStudentId(ValueError):
    """A student id that cannot name a folder (or would match others as nbgrader's glob)."""


def checked_student(student):
    if not isinstance(student, str) or not STUDENT_ID.fullmatch(student) or ".." in student:
        raise UnusableStudentId(f"the student id {student!r} cannot be a folder name")
    return student


def lti_folder(course, name):
    return Path(course) / "lti" / name


def upload_folder(course, student, folder):
    """The folder of one recorded upload (its math_numpy/ inside)."""
    if not FOLDER.fullmatch(folder):
        raise ValueError(f"not an upload folder name: {folder!r}")
    return lti_folder(course, "uploads") / checked_student(student) / folder


def submitted_folder(course, student):
    return Path(course) / "submitted" / checked_student(student)


def timestamp_text(moment):
    """timestamp.txt's text for `moment` (seconds since the epoch), as nbgrader writes it."""
    when = datetime.datetime.fromtimestamp(moment, datetime.UTC)
    return when.strftime("%Y-%m-%d %H:%M:%S.%f UTC")


def folder_name(moment):
    when = datetime.datetime.fromtimestamp(moment, datetime.UTC)
    return when.strftime("%Y%m%dT%H%M%S%fZ") + "-" + secrets.token_hex(4)


def notebooks_in(folder):
    """{notebook: path} of the assignment's notebooks that are regular files in `folder` (links never
    followed)."""
    found = {}
    for nb in NOTEBOOKS:
        path = Path(folder) / f"{nb}.ipynb"
        if not path.is_symlink() and path.is_file():
            found[nb] = path
    return found


def previous_notebooks(course, student, latest_folder):
    """The notebooks an upload is completed with: those of the student's newest upload (its folder
    name), else of their submission in submitted/ when it is a plain folder."""
    if latest_folder:
        return notebooks_in(upload_folder(course, student, latest_folder) / ASSIGNMENT)
    current = submitted_folder(course, student)
    if current.is_symlink() or (current / ASSIGNMENT).is_symlink():
        return {}
    return notebooks_in(current / ASSIGNMENT)


def scratch(course):
    folder = lti_folder(course, "tmp") / secrets.token_hex(8)
    folder.mkdir(parents=True)
    return folder


def write_upload(course, student, uploaded, previous, moment):
    """Record an upload: `uploaded` {notebook: bytes} completed with `previous` {notebook: path}, and
    timestamp.txt for `moment`; returns the new folder's name (lti/uploads/<student>/<name>)."""
    name = folder_name(moment)
    built = scratch(course)
    try:
        target = built / ASSIGNMENT
        target.mkdir()
        for nb in NOTEBOOKS:
            if nb in uploaded:
                write_durably(target / f"{nb}.ipynb", uploaded[nb])
            elif nb in previous:
                write_durably(target / f"{nb}.ipynb", previous[nb].read_bytes())
        write_durably(target / TIMESTAMP_FILE, timestamp_text(moment).encode())
        sync_tree(built)
        publish(built, upload_folder(course, student, name))
    finally:
        shutil.rmtree(built, ignore_errors=True)
    return name


def remove_upload(course, student, folder):
    shutil.rmtree(upload_folder(course, student, folder), ignore_errors=True)


def copy_upload(course, student, folder, target):
    """A plain copy of an upload's files at `target`/math_numpy."""
    source = upload_folder(course, student, folder) / ASSIGNMENT
    (Path(target) / ASSIGNMENT).mkdir(parents=True)
    for item in source.iterdir():
        if item.is_file() and not item.is_symlink():
            shutil.copyfile(item, Path(target) / ASSIGNMENT / item.name)


def make_current(course, student, folder, is_recorded):
    """Put a copy of the upload `folder` in submitted/<student>, in one step.  The folder it replaces is
    removed when `is_recorded(its timestamp.txt text)` says it is a copy of a recorded upload, else kept
    as lti/uploads/<student>/<...>-replaced."""
    built = scratch(course)
    new = built / "new"
    copy_upload(course, student, folder, new)
    sync_tree(new)
    current = submitted_folder(course, student)
    current.parent.mkdir(parents=True, exist_ok=True)
    try:
        if not os.path.lexists(current):
            publish(new, current)
            return
        if current.is_symlink() or not current.is_dir():
            os.unlink(current)  # a link is never followed: replaced as a name
            publish(new, current)
            return
        exchange(new, current)  # `new` now holds the old submission
        stamp = new / ASSIGNMENT / TIMESTAMP_FILE
        text = stamp.read_text(encoding="utf-8", errors="replace").strip() if stamp.is_file() else ""
        if not (text and is_recorded(text)):
            publish(new, upload_folder(course, student, folder_name(os.path.getmtime(new)) + "-replaced"))
    finally:
        shutil.rmtree(built, ignore_errors=True)


def stage_claim(course, claim, rows):
    """The folder one claim grades: each row's upload as <student>/math_numpy (a submitted/ of its own)."""
    folder = lti_folder(course, "grading") / claim
    folder.mkdir(parents=True)
    for row in rows:
        copy_upload(course, row.student_id, row.folder, folder / row.student_id)
    return folder


def feedback_aside(course):
    """A folder (relative to the course) where the worker writes a student's feedback pages before they
    are put in place: the page never links to a set of pages half written."""
    return scratch(course).relative_to(Path(course))


def publish_feedback(course, student, aside):
    """Put the pages written in `aside` (feedback_aside) at feedback/<student>/math_numpy, in one step."""
    built = Path(course) / aside / checked_student(student) / ASSIGNMENT
    target = Path(course) / "feedback" / student / ASSIGNMENT
    try:
        if target.is_dir() and not target.is_symlink():
            exchange(built, target)
        else:
            if os.path.lexists(target):
                os.unlink(target)
            publish(built, target)
    finally:
        shutil.rmtree(Path(course) / aside, ignore_errors=True)


def feedback_timestamp(course, student):
    """timestamp.txt of the student's feedback pages (the submission they describe), or ""."""
    stamp = Path(course) / "feedback" / checked_student(student) / ASSIGNMENT / TIMESTAMP_FILE
    return stamp.read_text(encoding="utf-8", errors="replace").strip() if stamp.is_file() else ""


def feedback_page(course, student, notebook):
    """The path of a feedback page nbgrader generate_feedback writes, or None when there is none."""
    if notebook not in NOTEBOOKS:
        return None
    path = Path(course) / "feedback" / checked_student(student) / ASSIGNMENT / f"{notebook}.html"
    return path if path.is_file() and not path.is_symlink() else None
