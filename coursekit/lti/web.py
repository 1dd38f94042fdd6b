"""The tool's web pages: a Flask app factory (coursekit-lti serve runs it in cheroot: server.py).

    GET  /         what this is
    GET  /jwks     the tool's public key set (the LMS checks the tool's token requests with it)
    GET|POST /login  OIDC third-party initiated login (coursekit/lti/launch.py)
    POST /launch   the LTI launch: an instructor's records the course context and finds or creates the
                   assignment's line item; a learner's enrols them as the roster import would
    POST /roster   the instructor page's button: the roster from Names and Roles

A refused request gets a page that says why (403) and changes nothing.  State lives in the store, not
in the process, so the service can restart at any time; it serves requests on several threads, as the
LMS may fetch /jwks while the tool, inside a launch, waits for an access token (one thread would wait
on itself until the LMS gives up).  Every page is rendered with autoescaping: names come from the LMS.
"""

import dataclasses
import threading
from pathlib import Path

import requests
from flask import Flask, current_app, jsonify, render_template, request
from pylti1p3.contrib.flask import FlaskRequest
from pylti1p3.exception import LtiException

from ..course import gradebook_url
from ..lms.roster import RosterError as CsvRosterError
from . import keys, lineitem
from . import launch as lti_launch
from .config import LtiTool, settings_of
from .enrol import learner_of_launch
from .launch import Refused
from .members import member_of, text
from .platform import Platform
from .retry import Transient
from .roster import RosterError, import_roster, summary
from .store import Store, open_store

EXTENSION = "coursekit.lti"
CONTEXT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/context"
DEPLOYMENT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
RESOURCE_LINK_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/resource_link"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'",
    "Cache-Control": "no-store",
}


class ConfigError(Exception):
    """Settings missing: the tool cannot check a launch without them."""


@dataclasses.dataclass
class ToolState:
    course: Path
    tool: LtiTool
    store: Store
    conf: object  # pylti1p3's ToolConfDict
    db_url: str
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)
    _platform: Platform | None = None

    @property
    def platform(self):
        with self.lock:
            if self._platform is None:
                self._platform = Platform(self.course, self.tool)
            return self._platform

    def session(self):
        return self.platform.session()


def state() -> ToolState:
    return current_app.extensions[EXTENSION]


def create_app(course, tool: LtiTool | None = None, store: Store | None = None):
    course = Path(course).resolve()
    tool = tool or settings_of(course)
    if tool.missing():
        raise ConfigError("LTI settings missing in nbgrader_config.py: "
                          + ", ".join(f"c.LtiTool.{name}" for name in tool.missing()))
    store = store or open_store(course, tool.db_url or None)
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=256 * 1024, MAX_FORM_MEMORY_SIZE=64 * 1024)
    app.extensions[EXTENSION] = ToolState(course, tool, store, keys.tool_conf(course, tool),
                                          tool.db_url or gradebook_url(course))
    app.add_url_rule("/", view_func=index)
    app.add_url_rule("/jwks", view_func=jwks)
    app.add_url_rule("/login", view_func=login, methods=["GET", "POST"])
    app.add_url_rule("/launch", view_func=launch, methods=["POST"])
    app.add_url_rule("/roster", view_func=roster, methods=["POST"])
    app.register_error_handler(Refused, refused)
    app.after_request(security_headers)
    return app


def page(template, **values):
    return render_template(template, label=state().tool.label, **values)


def refused(error: Refused):
    current_app.logger.warning("refused %s: %s", request.path, error)
    return page("refused.html", reason=error.reason, detail=error.detail), 403


def security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


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
    if checked.check_teacher_access() or checked.check_teaching_assistant_access():
        return instructor(checked, body)
    member = member_of(body)
    if member is not None and member.is_learner:
        student, done = learner_of_launch(s.store, body["iss"], member, s.course, s.db_url)
        why = "; ".join(reason for _, reason in done.refused)
        return page("learner.html", student=student, name=member.display, why=why)
    return page("other.html", roles=member.role_names if member else "no role")


def record_context(body, client_id):
    context, nrps, ags = (body.get(claim) for claim in (CONTEXT_CLAIM, NRPS_CLAIM, AGS_CLAIM))
    if not isinstance(context, dict) or not text(context.get("id")):
        raise Refused("This launch names no course", "an instructor's launch must come from a course (context claim)")
    nrps = nrps if isinstance(nrps, dict) else {}
    ags = ags if isinstance(ags, dict) else {}
    scopes = ags.get("scope") if isinstance(ags.get("scope"), list) else []
    link = body.get(RESOURCE_LINK_CLAIM) or {}
    return state().store.record_context(
        issuer=body["iss"], client_id=client_id, deployment_id=text(body[DEPLOYMENT_CLAIM]),
        context_id=text(context["id"]), title=text(context.get("title") or context.get("label")),
        resource_link_id=text(link.get("id")) if isinstance(link, dict) else "",
        memberships_url=url_or_empty(nrps.get("context_memberships_url")),
        ags_scopes=[text(s) for s in scopes if isinstance(s, str)][:20],
        lineitems_url=url_or_empty(ags.get("lineitems")), launch_lineitem_url=url_or_empty(ags.get("lineitem")),
        launched_by=text(body["sub"]))


def instructor(checked, body):
    s = state()
    context = record_context(body, s.tool.client_id)
    problem, maximum = "", None
    try:
        maximum = lineitem.assignment_maximum(s.db_url)
        lineitem.ensure(s.platform, s.store, context, s.db_url)
    except (lineitem.LineItemError, LtiException, Transient, requests.RequestException) as error:
        problem = str(error)
    return page("instructor.html", context=context, problem=problem, maximum=maximum,
                launch_id=checked.get_launch_id())


def roster():
    s = state()
    launch_id = request.form.get("launch_id", "")
    if not launch_id.startswith("lti1p3-launch-") or len(launch_id) > 64:
        raise Refused("This page has expired", "open the tool again from the LMS")
    try:
        restored = lti_launch.ToolLaunch.restore(launch_id, FlaskRequest(), s.conf, s.tool, s.store, s.session())
    except LtiException as error:
        raise lti_launch.explain(error) from error
    if not (restored.check_teacher_access() or restored.check_teaching_assistant_access()):
        raise Refused("Only the course's instructors can import the roster")
    body = restored.get_launch_data()
    claim = body.get(CONTEXT_CLAIM) if isinstance(body.get(CONTEXT_CLAIM), dict) else {}
    context = s.store.find_context(body["iss"], s.tool.client_id, text(body.get(DEPLOYMENT_CLAIM)),
                                   text(claim.get("id")))
    if context is None:
        raise Refused("This launch recorded no course", "open the tool again from the course in the LMS")
    try:
        members, done = import_roster(s.platform, s.store, context, s.course, s.db_url)
        lines = summary(members, done)
    except (RosterError, CsvRosterError, LtiException, Transient, requests.RequestException, ValueError) as error:
        lines = [f"The roster could not be imported: {error}"]
    return page("roster.html", lines=lines)
