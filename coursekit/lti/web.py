"""The tool's web pages: a Flask app factory (coursekit-lti serve runs it in cheroot: server.py).

    GET  /         what this is
    GET  /jwks     the tool's public key set (the LMS checks the tool's token requests with it)
    GET|POST /login  OIDC third-party initiated login (coursekit/lti/launch.py)
    POST /launch   the LTI launch, checked: a session for the user (coursekit/lti/sessions.py), then
                   - an instructor's records the course context, finds or creates the assignment's
                     line item, and goes to the class page (coursekit/lti/class_page.py);
                   - a learner's enrols them as the roster import would and goes to their page
                     (coursekit/lti/student_page.py)
    GET  /static/  the pages' style sheet and the small script that reloads a page when a state changes

A launch answers with a redirect to a GET page, so that reloading it shows the latest state (posting
the id_token again would be a replay).  A refused request gets a page that says why (403) and changes
nothing.  State lives in the store, not in the process, so the service can restart at any time; it
serves requests on several threads, as the LMS may fetch /jwks while the tool, inside a launch, waits
for an access token (one thread would wait on itself until the LMS gives up).  Every page is
rendered with autoescaping: names come from the LMS, file names from students.
"""

from pathlib import Path

import requests
from flask import Flask, current_app, jsonify, make_response, redirect, request, url_for
from pylti1p3.contrib.flask import FlaskRequest
from pylti1p3.exception import LtiException
from werkzeug.exceptions import RequestEntityTooLarge

from ..course import config_of, gradebook_url
from . import claims, guard, keys, lineitem, sessions
from . import launch as lti_launch
from .class_page import blueprint as class_blueprint
from .config import LtiTool, settings_of
from .enrol import learner_of_launch
from .launch import Refused
from .members import member_of, text
from .retry import Transient
from .server import LtiServer
from .store import Store, open_store
from .student_page import blueprint as student_blueprint
from .tool_state import EXTENSION, ToolState, page, state
from .uploads import LtiUploads, size_text

NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
# A form's text fields, and Werkzeug's multipart buffer (it reads 64 KiB at a time, and a buffer past this
# limit is refused too: at 64 KiB, Chromium's uploads of several files were).
FORM_FIELDS_BYTES = 512 * 1024


class ConfigError(Exception):
    """Settings missing: the tool cannot check a launch without them."""


def create_app(course, tool: LtiTool | None = None, store: Store | None = None):
    course = Path(course).resolve()
    tool = tool or settings_of(course)
    if tool.missing():
        raise ConfigError("LTI settings missing in nbgrader_config.py: "
                          + ", ".join(f"c.LtiTool.{name}" for name in tool.missing()))
    store = store or open_store(course, tool.db_url or None)
    config = config_of(course)
    uploads, server = LtiUploads(config=config), LtiServer(config=config)
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=uploads.max_request_bytes, MAX_FORM_MEMORY_SIZE=FORM_FIELDS_BYTES)
    app.extensions[EXTENSION] = ToolState(course, tool, store, keys.tool_conf(course, tool),
                                          tool.db_url or gradebook_url(course), uploads, server)
    app.add_url_rule("/", view_func=index)
    app.add_url_rule("/jwks", view_func=jwks)
    app.add_url_rule("/login", view_func=login, methods=["GET", "POST"])
    app.add_url_rule("/launch", view_func=launch, methods=["POST"])
    app.register_blueprint(student_blueprint)
    app.register_blueprint(class_blueprint)
    app.register_error_handler(Refused, refused)
    app.register_error_handler(RequestEntityTooLarge, too_large)
    app.after_request(lambda response: guard.headers(response, server.frame_ancestors))
    return app


def refused(error: Refused):
    current_app.logger.warning("refused %s: %s", request.path, error)
    return page("refused.html", reason=error.reason, detail=error.detail), 403


def too_large(error):
    limit = size_text(state().uploads.max_notebook_bytes)
    return page("refused.html", reason="The upload is too large",
                detail=f"this assignment takes notebooks of at most {limit} each; nothing was kept"), 413


def index():
    return page("index.html")


def jwks():
    response = jsonify(keys.jwks(state().course, state().tool))
    response.headers["Cache-Control"] = "max-age=300"
    return response


def login():
    s = state()
    return lti_launch.login(FlaskRequest(), s.conf, s.tool, s.store)


def url_or_empty(value):
    """A service URL from a claim: an http(s) string of sane length, else ""."""
    if isinstance(value, str) and len(value) <= 2048 and value.startswith(("https://", "http://")):
        return value
    return ""


def launch():
    s = state()
    checked = lti_launch.launch(FlaskRequest(), s.conf, s.tool, s.store, s.session())
    body = checked.get_launch_data()
    member = member_of(body)
    common = dict(issuer=body["iss"], sub=text(body["sub"]), name=member.display if member else "",
                  deployment_id=claims.deployment_id(body), context_id=claims.context_id(body),
                  title=claims.link_title(body), due=claims.due_date(body, s.tool.due_date_keys))
    if checked.check_teacher_access() or checked.check_teaching_assistant_access():
        record_instructor_context(body)
        return signed_in(sessions.INSTRUCTOR, url_for("instructor.class_page"), common)
    if member is not None and member.is_learner:
        student, done = learner_of_launch(s.store, body["iss"], member, s.course, s.db_url)
        if student is None:
            why = "; ".join(reason for _, reason in done.refused)
            return page("learner.html", student=None, name=member.display, why=why)
        return signed_in(sessions.LEARNER, url_for("student.assignment"), {**common, "student_id": student})
    return page("other.html", roles=member.role_names if member else "no role")


def signed_in(role, target, values):
    """A new session for this browser, and the way to its page."""
    s = state()
    token, _ = sessions.create(s.store, s.tool.launch_lifetime, role=role, **values)
    response = make_response(redirect(target, 303))
    response.set_cookie(value=token, **sessions.cookie_options(request.is_secure, s.tool.launch_lifetime))
    return response


def record_instructor_context(body):
    """An instructor's launch records its course (the Names and Roles URL, the grade service) and finds
    or creates the assignment's line item, so that later work needs no browser."""
    s = state()
    context, nrps, ags = (body.get(claim) for claim in (claims.CONTEXT_CLAIM, NRPS_CLAIM, AGS_CLAIM))
    if not isinstance(context, dict) or not text(context.get("id")):
        raise Refused("This launch names no course", "an instructor's launch must come from a course (context claim)")
    nrps = nrps if isinstance(nrps, dict) else {}
    ags = ags if isinstance(ags, dict) else {}
    scopes = ags.get("scope") if isinstance(ags.get("scope"), list) else []
    link = body.get(claims.RESOURCE_LINK_CLAIM) or {}
    recorded = s.store.record_context(
        issuer=body["iss"], client_id=s.tool.client_id, deployment_id=text(body[claims.DEPLOYMENT_CLAIM]),
        context_id=text(context["id"]), title=text(context.get("title") or context.get("label")),
        resource_link_id=text(link.get("id")) if isinstance(link, dict) else "",
        memberships_url=url_or_empty(nrps.get("context_memberships_url")),
        ags_scopes=[text(s) for s in scopes if isinstance(s, str)][:20],
        lineitems_url=url_or_empty(ags.get("lineitems")), launch_lineitem_url=url_or_empty(ags.get("lineitem")),
        launched_by=text(body["sub"]))
    try:
        lineitem.assignment_maximum(s.db_url)
        lineitem.ensure(s.platform, s.store, recorded, s.db_url)
    except (lineitem.LineItemError, LtiException, Transient, requests.RequestException):
        pass  # the class page says why, and tries again
    return recorded
