"""The tool's own sessions: after a checked launch, who the browser is (table lti_web_session).

A launch is checked once (coursekit/lti/launch.py); the pages after it (the student's page, uploads,
feedback, the instructor's page and its buttons) know the user by a session cookie.  The cookie holds
a random token (256 bits); the store keeps only its SHA-256, with the user's role, LMS user, student
id and course as the verified launch gave them, and a CSRF token for the page's forms.  Nothing the
browser sends later can change who it is: a new launch makes a new session.

Inside the LMS's iframe the tool is a third party: its cookie is sent there only when it is
`SameSite=None; Secure` and, as Chromium now requires of third parties, `Partitioned` (CHIPS).
Served over plain HTTP (a test, or behind a proxy without behind_proxy), it is `SameSite=Lax` and
works only outside an iframe.
"""

import dataclasses
import hashlib
import hmac
import secrets
import time

from sqlalchemy import delete, insert, select

from .store import Store, web_sessions

COOKIE = "coursekit-session"
TOKEN_LENGTH = 43  # secrets.token_urlsafe(32)
LEARNER, INSTRUCTOR = "learner", "instructor"


@dataclasses.dataclass
class WebSession:
    token_hash: str
    role: str
    issuer: str
    sub: str
    student_id: str
    name: str
    deployment_id: str
    context_id: str
    title: str
    due: str
    csrf: str
    expires_at: float

    @property
    def is_instructor(self):
        return self.role == INSTRUCTOR

    def csrf_matches(self, sent):
        return isinstance(sent, str) and hmac.compare_digest(sent.encode(), self.csrf.encode())


def digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def create(store: Store, lifetime, **values):
    """A new session; returns (the cookie's token, the WebSession)."""
    token, now = secrets.token_urlsafe(32), time.time()
    row = {**values, "token_hash": digest(token), "csrf": secrets.token_urlsafe(32), "expires_at": now + lifetime}
    with store.engine.begin() as db:
        db.execute(delete(web_sessions).where(web_sessions.c.expires_at < now))
        db.execute(insert(web_sessions).values(**row))
    return token, WebSession(**{c.name: row.get(c.name, "") for c in web_sessions.columns})


def find(store: Store, token):
    """The live session of a cookie's token, or None."""
    if not isinstance(token, str) or len(token) != TOKEN_LENGTH:
        return None
    with store.engine.connect() as db:
        row = db.execute(select(web_sessions).where(web_sessions.c.token_hash == digest(token),
                                                    web_sessions.c.expires_at >= time.time())).first()
    return None if row is None else WebSession(**row._mapping)


def cookie_options(secure, lifetime):
    """set_cookie's arguments for the session cookie (module docstring)."""
    options = {"key": COOKIE, "max_age": int(lifetime), "path": "/", "httponly": True, "secure": secure}
    if secure:
        options.update(samesite="None", partitioned=True)
    else:
        options.update(samesite="Lax")
    return options
