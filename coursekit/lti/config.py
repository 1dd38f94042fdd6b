"""The LTI tool's settings: one Configurable, every setting a documented trait (nbgrader_config.py).

An LMS admin registers the tool (`coursekit-lti keys` prints what to paste) and the LMS then shows
the values the tool needs: its issuer, the client id it gave the tool, the deployment id(s) and the
platform's three URLs.  They go into the course's nbgrader_config.py, e.g.

    c.LtiTool.url = "https://grader.example.edu"
    c.LtiTool.issuer = "https://canvas.instructure.com"
    c.LtiTool.client_id = "10000000000042"
    c.LtiTool.deployment_ids = ["7:0a1b2c..."]
    c.LtiTool.login_url = "https://sso.canvaslms.com/api/lti/authorize_redirect"
    c.LtiTool.token_url = "https://sso.canvaslms.com/login/oauth2/token"
    c.LtiTool.key_set_url = "https://sso.canvaslms.com/api/lti/security/jwks"

`coursekit-settings` lists every setting with its default and help.
"""

from pathlib import Path
from urllib.parse import urlsplit

from traitlets import Bool, Dict, Float, Integer, List, Unicode
from traitlets.config import LoggingConfigurable

from ..course import config_of, gradebook_url
from ..spec import ASSIGNMENT

# What the LMS must tell the tool before any launch can be checked.
REQUIRED = ("url", "issuer", "client_id", "deployment_ids", "login_url", "token_url")


class LtiTool(LoggingConfigurable):
    """The LTI 1.3 tool (coursekit/lti, docs/lti.md): the LMS registration and the push rules."""

    url = Unicode("", help="The tool's public base URL as browsers and the LMS reach it (https://...): the LMS "
                           "is told {url}/login, {url}/launch and {url}/jwks.").tag(config=True)
    issuer = Unicode("", help="The platform's issuer (the id_token's iss), as the LMS states it "
                              "(Canvas: https://canvas.instructure.com; Moodle: the site's URL).").tag(config=True)
    client_id = Unicode("", help="The client id the LMS gave this tool when it was registered (the id_token's "
                                 "aud).").tag(config=True)
    deployment_ids = List(Unicode(), help="The deployment ids the LMS gave this tool (Canvas: one per account "
                                          "or course where it is installed); a launch from any other is "
                                          "refused.").tag(config=True)
    login_url = Unicode("", help="The platform's OIDC authorization endpoint, where the tool sends the browser "
                                 "during a launch (Canvas: .../api/lti/authorize_redirect; Moodle: "
                                 ".../mod/lti/auth.php).").tag(config=True)
    token_url = Unicode("", help="The platform's OAuth2 token endpoint, for the access tokens of Names and Roles "
                                 "and of Assignment and Grade Services (Moodle: .../mod/lti/token.php)."
                        ).tag(config=True)
    token_audience = Unicode("", help="The aud of the tool's token request, when the platform wants another one "
                                      "than token_url (Brightspace does).").tag(config=True)
    key_set_url = Unicode("", help="The platform's public key set (JWKS) URL: launches are signed by one of its "
                                   "keys (Moodle: .../mod/lti/certs.php).").tag(config=True)
    key_set = Dict(help="The platform's public key set itself, for a platform whose key set cannot be fetched; "
                        "key_set_url is used when this is empty.").tag(config=True)
    private_key_file = Unicode("lti/private_key.pem", help="The tool's RSA private key (PEM), relative to the "
                                                           "course directory; `coursekit-lti keys` creates "
                                                           "it. Never commit it.").tag(config=True)
    public_key_file = Unicode("lti/public_key.pem", help="The tool's RSA public key (PEM), relative to the course "
                                                         "directory; served at {url}/jwks.").tag(config=True)
    db_url = Unicode("", help="The database of the tool's state (launch nonces, course contexts, the LMS users' "
                              "student ids, every score sent); empty: the gradebook's own database, in tables "
                              "named lti_*.").tag(config=True)
    resource_id = Unicode(ASSIGNMENT, help="The resourceId of the assignment's line item in the LMS gradebook: "
                                           "found by it (and label), or created with it.").tag(config=True)
    label = Unicode(ASSIGNMENT, help="The label (column title) of the assignment's line item in the LMS "
                                     "gradebook.").tag(config=True)
    push_after_grading = Bool(True, help="coursekit-grade pushes the final scores to the LMS at its end when "
                                         "LTI is configured; False: only `coursekit-lti push` does.").tag(config=True)
    missing_as_zero = Bool(False, help="Send 0 for a student with no submission; by default nothing is sent, "
                                       "so the LMS keeps whatever it holds.").tag(config=True)
    attempts = Integer(5, help="How many times a request is tried on 429, 5xx, a dropped connection or a "
                               "time-out before it is reported (and left for the next push).").tag(config=True)
    backoff = Float(1.0, help="Seconds before the first retry; each retry waits twice as long (plus jitter), "
                              "or what the LMS's Retry-After says, at most backoff_cap.").tag(config=True)
    backoff_cap = Float(60.0, help="The longest wait between two tries, in seconds.").tag(config=True)
    timeout = Float(30.0, help="Seconds to wait for the LMS to connect, and then for each read.").tag(config=True)
    max_response_bytes = Integer(16 * 2**20, help="The largest answer read from the LMS (key set, token, a "
                                                  "page of members or line items); larger is refused.").tag(config=True)
    push_threads = Integer(4, help="Scores sent at once by a push.").tag(config=True)
    launch_lifetime = Integer(8 * 3600, help="Seconds a launch stays usable after it was checked: the session of "
                                             "the student's or the instructor's page.").tag(config=True)
    due_date_keys = List(Unicode(), ["due_at", "due_date", "duedate"], help="Custom launch parameters that carry the "
                         "assignment's due date (ISO 8601), shown on the student's page. LTI 1.3 has no due date "
                         "claim: add one to the tool's custom fields in the LMS, e.g. Canvas "
                         "due_at=$Canvas.assignment.dueAt.iso8601, others due_at=$ResourceLink.submission.endDateTime. "
                         "The late penalty is nbgrader's, from the gradebook's due date.").tag(config=True)

    def missing(self):
        """The required settings still empty, by name."""
        return [name for name in REQUIRED if not getattr(self, name)] + (
            [] if self.key_set or self.key_set_url else ["key_set_url"])

    @property
    def configured(self):
        """Whether LTI is set up at all (an issuer and a client id): the tool then works or says what is
        missing."""
        return bool(self.issuer and self.client_id)

    def endpoint(self, name):
        """The URL of one of the tool's own pages: login, launch, jwks."""
        return f"{self.url.rstrip('/')}/{name}"

    def origin(self):
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    def key_path(self, course, private=True):
        return Path(course) / (self.private_key_file if private else self.public_key_file)

    def store_url(self, course):
        return self.db_url or gradebook_url(course)

    def pylti_config(self):
        """pylti1p3's ToolConfDict data: one issuer with one client (pylti1p3 then compares the id_token's
        aud with client_id itself)."""
        return {self.issuer: {
            "client_id": self.client_id,
            "auth_login_url": self.login_url,
            "auth_token_url": self.token_url,
            "auth_audience": self.token_audience or None,
            "key_set_url": self.key_set_url or None,
            "key_set": dict(self.key_set) or None,
            "deployment_ids": list(self.deployment_ids),
        }}


def settings_of(course, **overrides):
    """The course's LtiTool as nbgrader_config.py sets it (overrides: trait values, e.g. for a command line)."""
    tool = LtiTool(config=config_of(course))
    for name, value in overrides.items():
        if value is not None:
            setattr(tool, name, value)
    return tool
