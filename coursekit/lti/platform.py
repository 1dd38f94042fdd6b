"""The LMS as the tool's commands reach it: one registration, its services, a connector per thread.

Built from the course's settings and keys (no launch needed), so that `coursekit-lti roster` and
`push`, and coursekit-grade, work from the context an instructor's launch recorded (store.Context).
"""

import threading
import time

from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.names_roles import NamesRolesProvisioningService

from . import keys
from .config import LtiTool
from .connector import Connector, TokenCache
from .retry import Backoff
from .store import Context
from .transport import BoundedSession


class Platform:
    def __init__(self, course, tool: LtiTool, sleep=time.sleep):
        self.tool = tool
        self.registration = keys.tool_conf(course, tool).find_registration(tool.issuer)
        self.tokens = TokenCache()
        self.backoff = Backoff.of(tool)
        self.sleep = sleep
        self.local = threading.local()

    def session(self):
        return BoundedSession(self.tool.timeout, self.tool.max_response_bytes)

    def connector(self):
        """This thread's connector (requests sessions are not shared between threads); the tokens are."""
        if not hasattr(self.local, "connector"):
            self.local.connector = Connector(self.registration, self.session(), self.tokens, self.backoff,
                                             self.sleep)
        return self.local.connector

    def ags(self, context: Context):
        return AssignmentsGradesService(self.connector(), context.ags_endpoint)

    def nrps(self, context: Context):
        return NamesRolesProvisioningService(self.connector(), {"context_memberships_url": context.memberships_url})
