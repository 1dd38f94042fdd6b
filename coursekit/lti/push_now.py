"""Scores sent the moment they change: after the grading worker has graded, or an instructor cleared.

The same push as `coursekit-lti push` (coursekit/lti/push.py: withheld and missing scores never sent,
only what changed, retries, every try recorded), for a few students, to the course context their own
launch came from (the instructor's launch recorded its line item).  What happened to each student's
score comes back as one line for their page.
"""

import requests
from pylti1p3.exception import LtiException

from .config import LtiTool
from .context import ContextError, choose
from .lineitem import LineItemError
from .platform import Platform
from .push import SENDABLE, push
from .retry import Transient
from .store import Store

NOT_RECORDED = ("not sent yet: the LMS course is not recorded (an instructor opens the tool once from the "
                "course); the next push sends it")
# What a push can meet on the way: reported on the page, sent by the next push.
PUSH_ERRORS = (ContextError, LineItemError, LtiException, Transient, requests.RequestException, ValueError)


def context_of(store: Store, tool: LtiTool, issuer, deployment_id, context_id):
    """The recorded course context of a launch, else the only one recorded, else None."""
    if context_id:
        found = store.find_context(issuer, tool.client_id, deployment_id, context_id)
        if found is not None:
            return found
    try:
        return choose(store, tool)
    except ContextError:
        return None


def outcome_lines(report):
    """{student: what happened to their score}."""
    lines = {}
    for decision in report.decisions:
        if decision.state == "unchanged":
            lines[decision.student] = f"the LMS holds this score already ({decision.detail})"
        elif decision.state == "withheld":
            lines[decision.student] = "nothing sent: withheld for review"
        elif decision.state != SENDABLE:
            lines[decision.student] = f"nothing sent: {decision.state}"
    for outcome in report.outcomes:
        if outcome.ok:
            lines[outcome.student] = f"sent to the LMS (HTTP {outcome.status})"
        else:
            status = f"HTTP {outcome.status}" if outcome.status else "no answer"
            lines[outcome.student] = f"not sent: the LMS answered {status}; the next push sends it"
    return lines


def push_students(course, platform: Platform, store: Store, groups, missing_as_zero=False):
    """groups: {(issuer, deployment_id, context_id): [students]}; returns {student: line}."""
    tool, lines = platform.tool, {}
    for (issuer, deployment_id, context_id), students in groups.items():
        context = context_of(store, tool, issuer, deployment_id, context_id)
        if context is None:
            lines.update({student: NOT_RECORDED for student in students})
            continue
        try:
            report = push(course, platform, store, context, tool.store_url(course), missing_as_zero,
                          students=list(students))
            lines.update(outcome_lines(report))
        except PUSH_ERRORS as error:
            lines.update({student: f"not sent: {str(error)[:300]}; the next push sends it" for student in students})
    return lines
