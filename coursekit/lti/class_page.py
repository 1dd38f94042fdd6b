"""The instructor's page (an instructor's launch): the class at a glance, and its buttons.

    GET  /class    who handed in, when, the state and score, what is withheld and why, what the LMS
                   holds (the last score it accepted from the tool), the line item; the queue's counts
    POST /clear    a withheld grade cleared after review (coursekit-review clear), its score sent at once
    POST /push     every score that changed sent again (coursekit-lti push)
    POST /roster   the roster from Names and Roles (coursekit-lti roster)

Only an instructor's session opens it (coursekit/lti/guard.py); every button carries the CSRF token.
"""

import json

import requests
from flask import Blueprint, redirect, request, url_for
from nbgrader.api import Gradebook
from pylti1p3.exception import LtiException

from ..lms.roster import RosterError as CsvRosterError
from . import grading, lineitem, queue
from .guard import check_csrf, current
from .launch import Refused
from .push import push
from .push import summary as push_summary
from .push_now import PUSH_ERRORS, push_students
from .retry import Transient
from .roster import RosterError, import_roster
from .roster import summary as roster_summary
from .sessions import INSTRUCTOR
from .tool_state import page, state, when

blueprint = Blueprint("instructor", __name__)


def context_of(session):
    s = state()
    context = s.store.find_context(session.issuer, s.tool.client_id, session.deployment_id, session.context_id)
    if context is None:
        raise Refused("This launch recorded no course", "open the tool again from the course in the LMS")
    return context


def held_by_lms(context):
    """{student: (scoreGiven, scoreMaximum, when)} of the last score the LMS accepted from the tool."""
    if not context.lineitem_url:
        return {}
    held = {}
    for student, (accepted, _) in state().store.sent(context.lineitem_url).items():
        if accepted is not None:
            try:
                payload = json.loads(accepted.payload)
            except ValueError:
                payload = {}
            payload = payload if isinstance(payload, dict) else {}
            held[student] = (payload.get("scoreGiven"), payload.get("scoreMaximum"), accepted.timestamp)
    return held


def class_rows(context):
    s = state()
    with Gradebook(s.db_url) as gb:
        names = {st.id: " ".join(filter(None, [st.first_name, st.last_name])) for st in gb.students}
    newest, finished = queue.latest_per_student(s.store), queue.last_finished_per_student(s.store)
    withheld, held = grading.withheld_reasons(s.course), held_by_lms(context)
    sent = s.store.sent(context.lineitem_url) if context.lineitem_url else {}
    failed = {student: f"HTTP {last.status}" if last.status else "no answer"
              for student, (_, last) in sent.items() if last is not None and not last.ok}
    return [{"student": student, "name": names.get(student, ""), "newest": newest.get(student),
             "finished": finished.get(student), "withheld": withheld.get(student, {}), "lms": held.get(student),
             "lms_failed": failed.get(student)}
            for student in sorted(set(names) | set(newest))]


def render(session, notice=(), status=200):
    s = state()
    context = context_of(session)
    problem, maximum = "", None
    try:
        maximum = lineitem.assignment_maximum(s.db_url)
        lineitem.ensure(s.platform, s.store, context, s.db_url)
    except (lineitem.LineItemError, LtiException, Transient, requests.RequestException) as error:
        problem = str(error)
    return page("instructor.html", session=session, context=context, problem=problem, maximum=maximum,
                rows=class_rows(context), counts=queue.counts(s.store), notice=list(notice), when=when,
                words={queue.QUEUED: "queued", queue.GRADING: "being graded", queue.GRADED: "graded",
                       queue.WITHHELD: "withheld for review", queue.FAILED: "not graded",
                       queue.SUPERSEDED: "replaced"}), status


@blueprint.route("/class")
def class_page():
    session = current(state().store, INSTRUCTOR)
    cleared = request.args.get("cleared", "")
    notice = []
    if cleared:
        row = queue.last_finished_per_student(state().store).get(cleared)
        notice = [f"Cleared {cleared}" + (f": {row.lms}" if row is not None and row.lms else ".")]
    return render(session, notice)


@blueprint.route("/clear", methods=["POST"])
def clear():
    s = state()
    session = current(s.store, INSTRUCTOR)
    check_csrf(session)
    student = request.form.get("student", "")
    if student not in grading.withheld_reasons(s.course):
        raise Refused("Nothing of this student is withheld", "reload the class page")
    grading.clear(s.course, student, by=f"{session.name or session.sub} (LTI)")
    result = grading.student_result(s.course, student)
    row = queue.last_finished_per_student(s.store).get(student)
    where = (row.issuer, row.deployment_id, row.context_id) if row else (
        session.issuer, session.deployment_id, session.context_id)
    line = push_students(s.course, s.platform, s.store, {where: [student]}, s.tool.missing_as_zero).get(student, "")
    if row is not None:
        queue.update_outcome(s.store, row.id, state=queue.WITHHELD if result.withheld else queue.GRADED,
                             score=round(result.final_score, 6), max_score=round(result.max_score, 6),
                             result=grading.summary(result), lms=line,
                             detail=f"cleared by {session.name or session.sub}")
    return redirect(url_for("instructor.class_page", cleared=student), 303)


@blueprint.route("/push", methods=["POST"])
def push_again():
    s = state()
    session = current(s.store, INSTRUCTOR)
    check_csrf(session)
    try:
        report = push(s.course, s.platform, s.store, context_of(session), s.db_url, s.tool.missing_as_zero)
        lines = push_summary(report).splitlines()
    except PUSH_ERRORS as error:
        lines = [f"Nothing was sent: {error}"]
    return render(session, lines)


@blueprint.route("/roster", methods=["POST"])
def roster():
    s = state()
    session = current(s.store, INSTRUCTOR)
    check_csrf(session)
    context = context_of(session)
    try:
        members, done = import_roster(s.platform, s.store, context, s.course, s.db_url)
        lines = roster_summary(members, done)
    except (RosterError, CsvRosterError, LtiException, Transient, requests.RequestException, ValueError) as error:
        lines = [f"The roster could not be imported: {error}"]
    return page("roster.html", lines=lines)
