"""An LTI 1.3 tool (LTI Advantage): the roster from the LMS, the final scores back to its gradebook.

- config:    LtiTool, every setting (nbgrader_config.py: c.LtiTool.*)
- keys:      the tool's RSA key pair, its key set, what an LMS admin pastes (`coursekit-lti keys`)
- store:     the tool's state in the database beside the gradebook (tables lti_*)
- storage:   pylti1p3's launch data in the store; nonces used once
- launch:    OIDC login and the launch, checked (pylti1p3, plus what it leaves out)
- web:       the Flask app (login, launch, key set, the instructor's roster button)
- server:    LtiServer, cheroot serving the app (HTTPS) (`coursekit-lti serve`)
- transport, retry, connector, platform: HTTP to the LMS (bounded, timed out, retried, tokens cached)
- members, enrol, roster: Names and Roles into the gradebook (`coursekit-lti roster`)
- context, lineitem, push: Assignment and Grade Services (`coursekit-lti push`)
- hook:      coursekit-grade's push at its end
- cli:       `coursekit-lti`
docs/lti.md is the guide.
"""

from .config import LtiTool  # noqa: F401
from .server import LtiServer  # noqa: F401
