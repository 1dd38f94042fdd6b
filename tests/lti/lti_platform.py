"""A real LMS for the tests: lti1p3platform's platform, served on 127.0.0.1 by this small Flask host.

lti1p3platform (PyPI) implements an LTI 1.3 platform as a library: OIDC login initiation, the
launch (the signed id_token and its auto-submitted form), the key set, the token endpoint, and the
Assignment and Grade Services and Names and Roles services, each leaving storage to its host
(abstract methods), as its Django and FastAPI adapters do.  This module is such a host: Flask
routes, in-memory line items, scores and members.  The platform logic is lti1p3platform's.

What its 0.1.8 release does not check, and a real LMS does, this host checks too:
- the token endpoint: the client-credentials assertion's iss == sub == client id, aud is the token
  URL, exp and iat present, a jti never seen before, and only the scopes registered for the tool
  (lti1p3platform checks the signature only, and grants any known scope);
- the authorization endpoint: redirect_uri is the tool's registered launch URL;
- scores: userId a member, scoreGiven and scoreMaximum numbers, the AGS enums, a timestamp, and none
  older than the one stored (409, lti1p3platform's OLD_TIMESTAMP status);
- the tool's key set is given inline (its newer code refuses http and loopback key-set URLs), unless
  a test asks for the URL (the deadlock test).
A course page (`/course?user=...`) shows the tool in an iframe, as an LMS does, and the launch form
posts itself.  Faults for the tests: `faults` (what the next score posts get: an HTTP status, or "drop" to close
the connection unanswered), `revoke_tokens()`, `claims` (launch claims overridden, as a platform
that signs a wrong id_token would), `jwks_padding` (an oversized key set).
"""

import datetime
import functools
import html
import itertools
import json
import logging
import socket
import threading
import time
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, redirect, request
from flask import Response as FlaskResponse
from lti1p3platform.exceptions import LineItemNotFoundException, LtiServiceException
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.membership import Context
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request
from lti1p3platform.response import generate_next_link
from lti1p3platform.score import UpdateScoreStatus
from lti1p3platform.service_connector import AssignmentsGradesService, NamesRoleProvisioningService
from werkzeug.serving import make_server

LIS = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
LEARNER, INSTRUCTOR, TA = LIS + "Learner", LIS + "Instructor", LIS + "Instructor#TeachingAssistant"
MENTOR = LIS + "Mentor"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
AGS_SCOPES = ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
              "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
              "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
              "https://purl.imsglobal.org/spec/lti-ags/scope/score"]
logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise

ACTIVITY = {"Initialized", "Started", "InProgress", "Submitted", "Completed"}
GRADING = {"FullyGraded", "Pending", "PendingManual", "Failed", "NotReady"}


class HostRegistration(Registration):
    """lti1p3platform's Registration with the platform's private key parsed once, as a host that keeps its
    key loaded: the library hands the PEM to PyJWT at every signature (the id_token of a launch, each
    access token) and to jwcrypto for its key id at every launch, and each parse of a 2048-bit RSA key
    (with its consistency check) costs about 60 ms of CPU.  The same key signs the same tokens."""

    def get_platform_private_key(self):
        pem = super().get_platform_private_key()
        return pem and parsed_private_key(pem)[0]

    def get_kid(self):
        pem = super().get_platform_private_key()
        return pem and parsed_private_key(pem)[1]


@functools.cache
def parsed_private_key(pem):
    """(the key, its key id as lti1p3platform computes it) of a private key's PEM: once per session."""
    return serialization.load_pem_private_key(pem.encode(), password=None), Registration.get_jwk(pem).get("kid")


def rsa_pair():
    """(private, public) PEM of a new 2048-bit RSA key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HostRequest(Request):
    """lti1p3platform's Request from Flask's; page and limit as numbers (its paging adds 1 to them)."""

    def build_metadata(self, flask_request):
        query = flask_request.args.to_dict()
        for name in ("page", "limit"):
            if name in query:
                query[name] = int(query[name])
        return {"method": flask_request.method, "form_data": flask_request.form.to_dict(), "get_data": query,
                "headers": flask_request.headers, "content_type": flask_request.content_type,
                "path": flask_request.path, "json": flask_request.get_json(silent=True)}


class Config(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs):
        self.lms = kwargs["lms"]

    def get_registration_by_params(self, **kwargs):
        return self.lms.registration

    def validate_token(self, token, allowed_scopes=None, audience=None):
        # A revoked token (a real LMS may drop tokens early): 401, as for an expired one.  lti1p3platform's
        # tokens have no jti: two issued in the same second are the same string, so the latest issue counts.
        if self.lms.issued_at.get(token, 0.0) < self.lms.revoked_before:
            self.lms.refused_tokens += 1
            return False
        return super().validate_token(token, allowed_scopes, audience)


class Login(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs):
        self._lti_message_hint = kwargs["link"]

    def get_redirect(self, url):
        return redirect(url)


class Launch(LTIAdvantageMessageLaunchAbstract):
    """The platform's side of a launch: the id_token for the user the login hint names."""

    def __init__(self, request_, config, lms):
        super().__init__(request_, config)
        self.lms = lms
        self.set_id_token_expiration(lms.id_token_expiration)

    def prepare_launch(self, preflight):
        lms = self.lms
        if preflight.get("redirect_uri") != lms.registration.get_launch_url():
            raise PermissionError(f"redirect_uri {preflight.get('redirect_uri')!r} is not registered")
        if (preflight.get("scope"), preflight.get("response_type"), preflight.get("response_mode")) != (
                "openid", "id_token", "form_post"):
            raise PermissionError("not an OIDC implicit flow with form_post")
        user = lms.users[preflight["login_hint"]]
        self.set_user_data(preflight["login_hint"], user["roles"], user.get("name"), user.get("email"))
        self.set_extra_claims({k: user[k] for k in ("given_name", "family_name") if user.get(k)})
        self.set_resource_link_claim(preflight["lti_message_hint"], title="Maths and NumPy")
        self.set_launch_context_claim(lms.context_id, ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
                                      lms.context_title, "MNP")
        self.set_ags(lms.url(f"/contexts/{lms.context_id}/lineitems"),
                     lineitem_url=lms.launch_lineitem, allow_creating_lineitems=True)
        self.set_nrps(lms.url(f"/contexts/{lms.context_id}/memberships") + f"?limit={lms.members_per_page}")

    def get_launch_message(self, include_extra_claims=True):
        message = super().get_launch_message(include_extra_claims)
        message.update(self.lms.claims)
        if self.lms.omit_azp:
            del message["azp"]
        return message

    def render_launch_form(self, launch_data, **kwargs):
        # Posted by its script, as an LMS's is (a browser); the tests' requests-based browser posts it itself.
        fields = "".join(f'<input type="hidden" name="{name}" value="{html.escape(launch_data[name])}">'
                         for name in ("id_token", "state"))
        return (f'<!doctype html><form method="post" action="{html.escape(launch_data["launch_url"])}">'
                f"{fields}</form><script>document.forms[0].submit()</script>")


class Grades(AssignmentsGradesService):
    """Line items and scores, in memory."""

    def __init__(self, request_, config, lms):
        super().__init__(request_, config, lms.url(f"/contexts/{lms.context_id}/lineitems"))
        self.lms = lms

    def find_lineitems(self, page=1, limit=None, line_item_id=None, resource_link_id=None, resource_id=None,
                       tag=None):
        limit = limit or self.lms.lineitems_per_page
        items = list(self.lms.lineitems.values())
        start = (page - 1) * limit
        return {"content": items[start:start + limit], "has_next": start + limit < len(items)}

    def find_lineitem(self, line_item_id):
        if line_item_id not in self.lms.lineitems:
            raise LineItemNotFoundException(line_item_id)
        return self.lms.lineitems[line_item_id]

    def create_lineitem(self, creation_data):
        if not isinstance(creation_data, dict) or not isinstance(creation_data.get("scoreMaximum"), (int, float)) \
                or creation_data["scoreMaximum"] <= 0 or not creation_data.get("label"):
            raise LtiServiceException("a line item needs a label and a positive scoreMaximum", 400)
        with self.lms.lock:
            item = {**creation_data, "id": self.lms.url(f"/contexts/{self.lms.context_id}/lineitems/"
                                                         f"{next(self.lms.numbers)}")}
            self.lms.lineitems[item["id"]] = item
            self.lms.created.append(item["id"])
        return item

    def update_lineitem(self, update_data):
        raise LtiServiceException("not supported here", 405)

    def delete_lineitem(self, line_item_id):
        raise LtiServiceException("not supported here", 405)

    def update_score(self, line_item_id, score):
        lms = self.lms
        self.find_lineitem(line_item_id)
        problem = invalid_score(score, lms.users)
        if problem:
            raise LtiServiceException(problem, 400)
        when = datetime.datetime.fromisoformat(score["timestamp"])
        with lms.lock:
            held = lms.scores.setdefault(line_item_id, {})
            old = held.get(score["userId"])
            if old is not None and when < datetime.datetime.fromisoformat(old["timestamp"]):
                return UpdateScoreStatus.OLD_TIMESTAMP
            held[score["userId"]] = dict(score)
            lms.accepted.append(dict(score))
        return UpdateScoreStatus.SUCCESS if old else UpdateScoreStatus.CREATED

    def get_results(self, line_item_id, page=1, limit=None, user_id=None):
        return {"content": [], "has_next": False}


def invalid_score(score, users):
    """Why a Score is not one this platform stores, or ""."""
    if not isinstance(score, dict):
        return "a Score is a JSON object"
    if score.get("userId") not in users:
        return f"no member {score.get('userId')!r}"
    if score.get("activityProgress") not in ACTIVITY or score.get("gradingProgress") not in GRADING:
        return "activityProgress and gradingProgress must be AGS values"
    if "scoreGiven" in score and (not isinstance(score["scoreGiven"], (int, float))
                                  or not isinstance(score.get("scoreMaximum"), (int, float))
                                  or score["scoreGiven"] < 0 or score["scoreMaximum"] <= 0):
        return "scoreGiven needs a scoreMaximum, both numbers"
    try:
        when = datetime.datetime.fromisoformat(score.get("timestamp", ""))
    except (TypeError, ValueError):
        return "timestamp must be ISO 8601"
    return "" if when.tzinfo else "timestamp needs a time zone"


class Members(NamesRoleProvisioningService):
    def __init__(self, request_, config, lms):
        super().__init__(request_, config, lms.url(f"/contexts/{lms.context_id}/memberships"))
        self.lms = lms

    def get_context_by_id(self):
        return Context(id=self.lms.context_id, label="MNP", title=self.lms.context_title)

    def get_member_data_page(self, page=1, limit=None, role=None, since=None, **kwargs):
        members = [{"user_id": user_id, **user} for user_id, user in self.lms.users.items()]
        limit = limit or len(members)
        start = (page - 1) * limit
        return {"content": members[start:start + limit], "has_next": start + limit < len(members)}


def flask_response(result):
    """lti1p3platform's Response as its Django adapter answers it (Link header for the next page)."""
    if 200 <= result.code < 300:
        data = result.result["content"] if isinstance(result.result, dict) and "content" in result.result \
            else result.result
        answer = FlaskResponse(json.dumps(data), status=result.code, content_type=result.media_type)
        if isinstance(result.result, dict) and result.result.get("next"):
            answer.headers["Link"] = generate_next_link(result.result["next"])
        return answer
    return FlaskResponse(json.dumps({"error": result.message}), status=result.code, content_type="application/json")


class Lms:
    """The platform, its registration of the tool, its course, and what it received."""

    def __init__(self, tool_url, tool_jwks, platform_private, platform_public, client_id="tool-client",
                 deployment_id="deployment-1", tool_key_set_url=None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.issuer = f"{self.base}/Issuer"
        self.context_id, self.context_title = "Course-MNP-2026", "Maths and NumPy for Deep Learning"
        self.users, self.lineitems, self.scores = {}, {}, {}
        self.accepted, self.created, self.token_requests, self.score_posts = [], [], [], 0
        self.received = []
        self.jtis, self.faults, self.claims, self.omit_azp = set(), [], {}, False
        self.granted_scopes = set(AGS_SCOPES) | {NRPS_SCOPE}
        self.id_token_expiration = 300
        self.issued, self.issued_at, self.revoked_before = [], {}, 0.0
        self.refused_tokens, self.revoke_after = 0, 0
        self.members_per_page, self.lineitems_per_page = 2, 2
        self.launch_lineitem = None
        self.jwks_padding = 0
        self.frame_height = 1500  # the course page's iframe
        self.numbers = itertools.count(1)
        self.lock = threading.Lock()
        self.registration = (HostRegistration().set_iss(self.issuer).set_client_id(client_id)
                             .set_deployment_id(deployment_id).set_oidc_login_url(f"{tool_url}/login")
                             .set_launch_url(f"{tool_url}/launch").set_platform_public_key(platform_public)
                             .set_platform_private_key(platform_private))
        if tool_key_set_url:
            self.registration.set_tool_key_set_url(tool_key_set_url)
        else:
            self.registration.set_tool_key_set(tool_jwks)
        self.config = Config(lms=self)
        self.config.get_registration()
        self.app = self.flask_app()
        self.server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def url(self, path, **query):
        return self.base + path + (f"?{urlencode(query)}" if query else "")

    @property
    def tool_settings(self):
        """What the LMS shows its admin after registration: the tool's c.LtiTool settings."""
        return {"issuer": self.issuer, "client_id": self.registration.get_client_id(),
                "deployment_ids": [self.registration.get_deployment_id()], "login_url": self.url("/auth"),
                "token_url": self.url("/token"), "key_set_url": self.url("/jwks")}

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def revoke_tokens(self):
        self.revoked_before = time.monotonic()

    def add_user(self, user_id, roles, given_name="", family_name="", email="", status="Active"):
        self.users[user_id] = {"roles": roles, "given_name": given_name, "family_name": family_name,
                               "name": f"{given_name} {family_name}".strip(), "email": email, "status": status}

    def held(self, lineitem_id=None):
        """{user id: (scoreGiven, scoreMaximum)} the platform holds for the line item (ours by default)."""
        lineitem_id = lineitem_id or next(iter(self.created), None)
        held = self.scores.get(lineitem_id, {})
        return {user: (s.get("scoreGiven"), s.get("scoreMaximum")) for user, s in held.items()}

    # ------------------------------------------------------------ the routes

    def flask_app(self):
        app = Flask("test-lms")
        app.add_url_rule("/initiate", view_func=self.initiate)
        app.add_url_rule("/course", view_func=self.course_page)
        app.add_url_rule("/auth", view_func=self.authorize, methods=["GET", "POST"])
        app.add_url_rule("/jwks", view_func=self.jwks)
        app.add_url_rule("/token", view_func=self.token, methods=["POST"])
        app.add_url_rule("/contexts/<context>/lineitems", view_func=self.lineitems_route, methods=["GET", "POST"])
        app.add_url_rule("/contexts/<context>/lineitems/<int:number>", view_func=self.lineitem_route)
        app.add_url_rule("/contexts/<context>/lineitems/<int:number>/scores", view_func=self.scores_route,
                         methods=["POST"])
        app.add_url_rule("/contexts/<context>/memberships", view_func=self.members_route)
        return app

    def course_page(self):
        """The LMS's page of the assignment for a user: the tool in an iframe, launched as an LMS launches
        it (the iframe's document is the tool's, a third party to this page)."""
        start = html.escape(self.url("/initiate", user=request.args["user"], link=request.args.get("link", "link-1")))
        return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{self.context_title}</title>'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">'
                f'<style>body{{margin:0;font-family:sans-serif}}'
                f' header{{background:#394b58;color:#fff;padding:.6rem 1rem}}'
                f' iframe{{border:0;width:100%;height:{self.frame_height}px}}</style></head><body>'
                f'<header>Test LMS · {html.escape(self.context_title)} · Assignments</header>'
                f'<iframe id="tool" name="tool" title="Maths and NumPy" src="{start}"></iframe></body></html>')

    def initiate(self):
        """What the LMS does when a user clicks the tool's link: OIDC third-party initiated login."""
        login = Login(HostRequest(request), self.config)
        login.set_lti_message_hint(link=request.args.get("link", "link-1"))
        return login.initiate_login(request.args["user"])

    def authorize(self):
        try:
            return Launch(HostRequest(request), self.config, self).lti_launch()
        except (PermissionError, KeyError) as error:
            return FlaskResponse(f"refused: {error}", status=400)

    def jwks(self):
        keys = self.config.get_jwks()
        if self.jwks_padding:
            keys["padding"] = "x" * self.jwks_padding
        return FlaskResponse(json.dumps(keys), content_type="application/json")

    def token(self):
        form = request.form.to_dict()
        self.token_requests.append(form.get("scope", ""))
        assertion = form.get("client_assertion", "")
        try:
            self.config.validate_jwt_format(assertion)
            claims = jwt.decode(assertion, self.config.get_tool_public_key(), algorithms=["RS256"],
                                audience=self.url("/token"),
                                options={"require": ["iss", "sub", "aud", "exp", "iat", "jti"]})
        except Exception as error:  # noqa: BLE001 - any bad assertion is the client's fault
            return FlaskResponse(json.dumps({"error": "invalid_client", "detail": str(error)}), status=401,
                                 content_type="application/json")
        client_id = self.registration.get_client_id()
        problem = ("iss and sub must be the client id" if not claims["iss"] == claims["sub"] == client_id
                   else "jti used before" if claims["jti"] in self.jtis else "")
        requested = set(form.get("scope", "").split())
        if not problem and not requested <= self.granted_scopes:
            return FlaskResponse(json.dumps({"error": "invalid_scope"}), status=400, content_type="application/json")
        if problem:
            return FlaskResponse(json.dumps({"error": "invalid_client", "detail": problem}), status=401,
                                 content_type="application/json")
        self.jtis.add(claims["jti"])
        answer = self.config.get_access_token(form)
        self.issued.append(answer["access_token"])
        self.issued_at[answer["access_token"]] = time.monotonic()
        return FlaskResponse(json.dumps(answer), content_type="application/json")

    def grades(self):
        return Grades(HostRequest(request), self.config, self)

    def lineitems_route(self, context):
        service = self.grades()
        handler = service.handle_get_lineitems if request.method == "GET" else service.handle_create_lineitem
        return flask_response(service.handle_resp(handler))

    def lineitem_route(self, context, number):
        service = self.grades()
        return flask_response(service.handle_resp(service.handle_get_lineitem, line_item_id=self.item_id(number)))

    def item_id(self, number):
        return self.url(f"/contexts/{self.context_id}/lineitems/{number}")

    def scores_route(self, context, number):
        body = request.get_json(silent=True, force=True)
        with self.lock:
            self.score_posts += 1
            if isinstance(body, dict):  # every try as it came, faulted or not: (user, its timestamp)
                self.received.append((body.get("userId"), body.get("timestamp")))
            fault = self.faults.pop(0) if self.faults else None
        if fault == "drop":
            # Close the connection with no answer at all, as a proxy or a crashed worker does.
            request.environ["werkzeug.socket"].shutdown(socket.SHUT_RDWR)
            return FlaskResponse("", status=500)
        if fault:
            answer = FlaskResponse(json.dumps({"error": "busy"}), status=fault, content_type="application/json")
            if fault == 429:
                answer.headers["Retry-After"] = "0"
            return answer
        service = self.grades()
        answer = flask_response(service.handle_resp(service.handle_update_score, line_item_id=self.item_id(number)))
        if self.revoke_after and len(self.accepted) == self.revoke_after and not self.revoked_before:
            self.revoke_tokens()  # mid-push: the next score comes with a token the LMS dropped
        return answer

    def members_route(self, context):
        service = Members(HostRequest(request), self.config, self)
        return flask_response(service.handle_resp(service.handle_get_members))
