"""OIDC third-party initiated login and the LTI launch, checked by pylti1p3 and then some.

Login (`/login`): the LMS names its issuer, client, deployment and target; anything not this tool's
registration is refused before the browser is sent on.  pylti1p3 then sends the browser to the
platform's authorization endpoint with a fresh state (a cookie of this browser) and nonce (stored,
coursekit/lti/storage.py).

Launch (`/launch`): pylti1p3 checks the state, the nonce was issued to this browser, the issuer and
client are registered, the id_token's signature against the platform's key set, the deployment id, the
message type and the LTI version.  It leaves out, and ToolLaunch adds before anything is stored:
- the id_token decoded again with every claim checked: exp and iat required (with LEEWAY seconds of
  clock difference), aud contains the client id, iss is the registered issuer, sub and nonce present
  (pylti1p3 decodes with verify_aud off and requires no claim);
- azp: required when aud names several clients, and then the client id;
- only resource link launches (LtiResourceLinkRequest), for a target on this tool's origin;
- the nonce is consumed, atomically: pylti1p3 never removes a used nonce, so the same id_token posted
  again from the same browser was accepted.
A refused launch raises Refused, with what an instructor or student reads; it writes nothing (the
nonce is consumed only once every check has passed).
"""

import jwt
from pylti1p3.contrib.flask import FlaskCookieService, FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.exception import LtiException, LtiInvalidNonceException, LtiMessageValidationException, OIDCException

from .config import LtiTool
from .storage import NonceConsumingSession, StoreLaunchData
from .transport import same_origin

LEEWAY = 10  # seconds of clock difference allowed between the LMS and the tool
RESOURCE_LINK = "LtiResourceLinkRequest"
MESSAGE_TYPE = "https://purl.imsglobal.org/spec/lti/claim/message_type"
TARGET = "https://purl.imsglobal.org/spec/lti/claim/target_link_uri"
REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub", "nonce"]


class Refused(Exception):
    """A login or launch this tool does not accept: `reason` for the page's heading, `detail` below it."""

    def __init__(self, reason, detail=""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason, self.detail = reason, detail


# What pylti1p3 (and ToolLaunch) say, and what a person reads: (words in the message, reason).
# The first match counts: PyJWT's "Signature has expired" is an expiry, not a bad signature.
REASONS = (
    ("expired", "The launch has expired"),
    ("not yet valid", "The launch was issued in the future"),
    ("nonce", "This launch was used already, or was not started here"),
    ("state", "This launch did not start from this browser's login"),
    ("missing cookie", "This launch did not start from this browser's login"),
    ("fetching the public key", "The LMS's key set could not be read"),
    ("signature", "The launch is not signed by the LMS"),
    ("public key", "The launch is not signed by the LMS"),
    ("deployment", "This LMS deployment is not registered with the tool"),
    ("audience", "This launch is for another tool"),
    ("client id", "This launch is for another tool"),
    ("azp", "This launch is for another tool"),
    ("target link", "This launch is for another tool"),
    ("registration", "This LMS is not registered with the tool"),
    ("issuer", "This LMS is not registered with the tool"),
    ("message type", "This kind of launch is not supported"),
    ("version", "This kind of launch is not supported"),
)


def explain(error):
    """A Refused for a pylti1p3 (or PyJWT) error."""
    text = str(error)
    lowered = text.lower()
    for words, reason in REASONS:
        if words in lowered:
            return Refused(reason, text)
    return Refused("The launch could not be checked", text)


def services(request, store):
    """pylti1p3's session service over the tool's store, its storage, and its Flask cookie service."""
    storage = StoreLaunchData(store)
    session = NonceConsumingSession(request)
    session.set_data_storage(storage)
    return session, storage, FlaskCookieService(request)


class ToolLaunch(FlaskMessageLaunch):
    """pylti1p3's launch, with the checks it leaves out (module docstring)."""

    def __init__(self, request, tool_conf, tool: LtiTool, store, requests_session, **kwargs):
        session, storage, cookies = services(request, store)
        super().__init__(request, tool_conf, session_service=session, cookie_service=cookies,
                         launch_data_storage=storage, requests_session=requests_session, **kwargs)
        self.tool = tool
        self.set_launch_data_lifetime(tool.launch_lifetime)

    @classmethod
    def restore(cls, launch_id, request, tool_conf, tool, store, requests_session):
        """A checked launch of this browser, by its id (the instructor page's buttons)."""
        launch = cls(request, tool_conf, tool, store, requests_session)
        data = launch.get_session_service().get_launch_data(launch_id)
        if not data:
            raise Refused("This page has expired", "open the tool again from the LMS")
        return launch.set_launch_id(launch_id).set_auto_validation(enable=False).set_jwt({"body": data}) \
            .set_restored().validate_registration()

    def validate_message(self):
        super().validate_message()
        self.validate_claims()
        return self

    def validate_claims(self):
        body = self._jwt.get("body", {})
        client_id = self._registration.get_client_id()
        key, alg = self.get_public_key()
        try:
            jwt.decode(self._get_id_token(), key, algorithms=[alg], audience=client_id,
                       issuer=self._registration.get_issuer(), leeway=LEEWAY,
                       options={"require": REQUIRED_CLAIMS})
        except jwt.InvalidTokenError as error:
            raise LtiMessageValidationException(f"id_token: {error}") from error
        audiences = body["aud"] if isinstance(body["aud"], list) else [body["aud"]]
        if len(audiences) > 1 and "azp" not in body:
            raise LtiMessageValidationException("azp is required when aud names several clients")
        if "azp" in body and body["azp"] != client_id:
            raise LtiMessageValidationException(f"azp {body['azp']!r} is not this tool's client id")
        if body.get(MESSAGE_TYPE) != RESOURCE_LINK:
            raise LtiMessageValidationException(f"message type {body.get(MESSAGE_TYPE)!r}: this tool takes "
                                                f"{RESOURCE_LINK} only")
        target = body.get(TARGET)
        if not isinstance(target, str) or not same_origin(target, self.tool.url):
            raise LtiMessageValidationException(f"the target link URI {target!r} is not on this tool "
                                                f"({self.tool.origin()})")

    def save_launch_data(self):
        # Every check has passed: use the nonce up (the first of two identical posts wins), then store.
        if not self._session_service.consume_nonce(self._jwt["body"]["nonce"]):
            raise LtiInvalidNonceException("Invalid nonce: this id_token was used already")
        return super().save_launch_data()


def check_login(request: FlaskRequest, tool: LtiTool):
    """Refuse a login that is not for this registration, before the browser is sent anywhere."""
    iss, client_id = request.get_param("iss"), request.get_param("client_id")
    deployment, target = request.get_param("lti_deployment_id"), request.get_param("target_link_uri")
    if not iss or not request.get_param("login_hint"):
        raise Refused("This is not an LTI login", "the LMS must send iss and login_hint")
    if iss != tool.issuer:
        raise Refused("This LMS is not registered with the tool", f"issuer {iss!r}")
    if client_id and client_id != tool.client_id:
        raise Refused("This launch is for another tool", f"client id {client_id!r}")
    if deployment and deployment not in tool.deployment_ids:
        raise Refused("This LMS deployment is not registered with the tool", f"deployment id {deployment!r}")
    if target and not same_origin(target, tool.url):
        raise Refused("This launch is for another tool", f"target link URI {target!r}")


def login(request: FlaskRequest, tool_conf, tool: LtiTool, store):
    """The redirect to the platform's authorization endpoint (a Flask response with the state cookie)."""
    check_login(request, tool)
    session, storage, cookies = services(request, store)
    session.set_launch_data_lifetime(tool.launch_lifetime)
    oidc = FlaskOIDCLogin(request, tool_conf, session_service=session, cookie_service=cookies,
                          launch_data_storage=storage)
    try:
        return oidc.redirect(tool.endpoint("launch"))
    except (OIDCException, LtiException) as error:
        raise explain(error) from error


def launch(request: FlaskRequest, tool_conf, tool: LtiTool, store, requests_session):
    """The checked launch (a ToolLaunch), or Refused."""
    try:
        checked = ToolLaunch(request, tool_conf, tool, store, requests_session)
        checked.validate()
    except (LtiException, OIDCException, jwt.InvalidTokenError) as error:
        raise explain(error) from error
    return checked
