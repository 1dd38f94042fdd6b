"""The student's page (a learner's resource link launch): the assignment, uploads, states, feedback.

    GET  /assignment                  the page: release to download, due date, upload form, submissions
    POST /upload                      hand in one notebook or several (coursekit/lti/handin.py)
    GET  /status                      what the page's script polls: a version of the student's states
    GET  /release/<file>, /release.zip  the release's files (release/math_numpy/)
    GET  /feedback/<student>/<notebook>  a feedback page nbgrader wrote: one's own only (instructors: any)

Plain server-rendered HTML, usable without JavaScript (the script only reloads the page when a state
changes).  The student is always the session's (the verified launch's): no page or form takes a
student id from the browser; the feedback URL's is compared with the session's.
"""

import hashlib
import io
import json
import zipfile
from pathlib import Path

from flask import Blueprint, Response, redirect, request, send_file, url_for

from ..spec import ASSIGNMENT, NOTEBOOKS
from . import grading, handin, queue, submissions
from .guard import FEEDBACK_POLICY, check_csrf, current
from .launch import Refused
from .sessions import LEARNER
from .tool_state import page, state, when
from .uploads import UploadRefused, check_upload

blueprint = Blueprint("student", __name__)
STATE_WORDS = {queue.QUEUED: "queued", queue.GRADING: "being graded", queue.GRADED: "graded",
               queue.WITHHELD: "under review", queue.FAILED: "not graded", queue.SUPERSEDED: "replaced"}


def release_files():
    """{file name: path} of the release's regular files (the notebooks, checks.py)."""
    folder = state().course / "release" / ASSIGNMENT
    if not folder.is_dir():
        return {}
    return {p.name: p for p in sorted(folder.iterdir()) if p.is_file() and not p.is_symlink()
            and not p.name.startswith(".")}


def notebook_lines(row, withheld_now):
    """Per notebook what the student reads: its status and points; why a grade is held back, in words
    that give nothing of the tamper scan away."""
    lines = []
    for nb in NOTEBOOKS:
        item = row.result.get(nb)
        if not item:
            continue
        if item["status"] == grading.MISSING:
            words = "not handed in"
        elif item["status"] != grading.GRADED:
            words = item["status"] + (f": {item['detail']}" if item.get("detail") else "")
        elif item.get("withheld") and withheld_now:
            words = "graded, held for a check by your instructor"
        else:
            words = "graded"
        points = None if withheld_now or item["status"] == grading.MISSING else f"{item['score']:g} / {item['max']:g}"
        lines.append({"notebook": nb, "words": words, "points": points})
    return lines


def latest_finished(rows):
    return next((row for row in rows if row.finished), None)


def still_withheld(row):
    """A withheld row may have been cleared since (coursekit-review clear): the results model says."""
    if row is None or row.state != queue.WITHHELD:
        return False
    return bool(grading.student_result(state().course, row.student_id).withheld)


def version_of(rows, feedback_ready):
    """A short digest of what the page shows of the queue: the script reloads when it changes."""
    text = json.dumps([[row.id, row.state] for row in rows[:10]] + [feedback_ready])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def page_facts(session):
    s = state()
    rows = queue.history(s.store, session.student_id)
    finished = latest_finished(rows)
    withheld = still_withheld(finished)
    ready = bool(finished and finished.state != queue.FAILED
                 and submissions.feedback_timestamp(s.course, session.student_id) == finished.timestamp)
    waiting = any(row.state in queue.WAITING for row in rows) or bool(finished and not ready and
                                                                      finished.state != queue.FAILED)
    return rows, finished, withheld, ready, waiting


def render(session, error=None, status=200, received=None):
    s = state()
    rows, finished, withheld, ready, waiting = page_facts(session)
    try:
        usable = bool(submissions.checked_student(session.student_id))
    except submissions.UnusableStudentId:
        usable = False
    answer = page("student.html", session=session, rows=rows, finished=finished, withheld=withheld,
                  feedback_ready=ready and not withheld, notebooks=NOTEBOOKS, files=list(release_files()),
                  lines=notebook_lines(finished, withheld) if finished else [], words=STATE_WORDS, when=when,
                  due=when(session.due), error=error, received=received, usable=usable,
                  max_mib=s.uploads.max_notebook_bytes / 2**20, version=version_of(rows, ready),
                  poll=s.server.status_poll_seconds if waiting else 0)
    return answer, status


@blueprint.route("/assignment")
def assignment():
    session = current(state().store, LEARNER)
    received = request.args.get("received", "")
    row = queue.get(state().store, int(received)) if received.isdigit() and len(received) < 12 else None
    return render(session, received=row if row is not None and row.student_id == session.student_id else None)


@blueprint.route("/upload", methods=["POST"])
def upload():
    s = state()
    session = current(s.store, LEARNER)
    check_csrf(session)
    try:
        files = [(f.filename, f.stream) for f in request.files.getlist("notebooks")]
        uploaded = check_upload(files, s.uploads)
        row = handin.hand_in(s.course, s.store, session, uploaded, s.uploads)
    except submissions.UnusableStudentId as error:
        raise Refused("Your student id cannot be used for uploads", f"{error}: tell your instructor") from None
    except UploadRefused as refusal:
        answer, status = render(session, error=refusal.reason, status=refusal.status)
        response = Response(answer, status=status)
        if refusal.retry_after:
            response.headers["Retry-After"] = str(int(refusal.retry_after))
        return response
    return redirect(url_for("student.assignment", received=row.id), 303)


@blueprint.route("/status")
def status():
    session = current(state().store, LEARNER)
    rows, _, _, ready, waiting = page_facts(session)
    return {"version": version_of(rows, ready), "waiting": waiting}


@blueprint.route("/release/<name>")
def release(name):
    current(state().store)
    files = release_files()
    if name not in files:  # the name only selects one of the listed files
        raise Refused("No such file in this assignment's release")
    return send_file(files[name], as_attachment=True, download_name=name)


@blueprint.route("/release.zip")
def release_zip():
    current(state().store)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, path in release_files().items():
            archive.write(path, f"{ASSIGNMENT}/{name}")
    buffer.seek(0)
    return send_file(buffer, mimetype="application/zip", as_attachment=True, download_name=f"{ASSIGNMENT}.zip")


@blueprint.route("/feedback/<student>/<notebook>")
def feedback(student, notebook):
    s = state()
    session = current(s.store)
    if not session.is_instructor:
        if student != session.student_id:
            raise Refused("This is not your feedback", "a student sees only their own feedback pages")
        if still_withheld(latest_finished(queue.history(s.store, student, 20))):
            raise Refused("Your grade is under review", "the feedback pages show once your instructor has checked it")
    try:
        path = submissions.feedback_page(s.course, student, notebook)
    except submissions.UnusableStudentId:
        path = None
    if path is None:
        raise Refused("No feedback page here", "feedback pages are written once a submission is graded")
    response = send_file(Path(path), mimetype="text/html")
    response.headers["Content-Security-Policy"] = FEEDBACK_POLICY
    return response
