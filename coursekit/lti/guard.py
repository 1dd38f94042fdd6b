"""What every page of the tool checks and sends: the session, CSRF tokens, security headers.

- `current(role)`: the request's session (coursekit/lti/sessions.py) or Refused; a learner's page
  refuses an instructor's session and the other way round.
- `check_csrf(session)`: every form that changes something carries the session's CSRF token (field
  `csrf`); a form without it, or with another session's, is refused and changes nothing.  The
  session cookie is `SameSite=None` (it must reach the tool inside the LMS's iframe), so a page of
  any site could post a form to the tool with it: the token is what such a form cannot know.
- `headers(response, frame_ancestors)`: nosniff, no referrer, no caching, HSTS on HTTPS, a
  Content-Security-Policy that allows only the tool's own script, style and forms, and only the
  LMS (LtiServer.frame_ancestors) to show it in a frame.  Feedback pages hold what a student's
  notebook printed, HTML included: they are served sandboxed (`sandbox allow-scripts`: an origin of
  their own, no cookies, no forms, no requests), their inline MathJax the only script that runs.
"""

from flask import request

from .launch import Refused
from .sessions import COOKIE, INSTRUCTOR, LEARNER, find

PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
               "form-action 'self'; base-uri 'none'")
FEEDBACK_POLICY = ("sandbox allow-scripts; default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                   "img-src data:; font-src data:; form-action 'none'; base-uri 'none'")
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
NO_SESSION = ("Open the assignment from the LMS", "this page needs the session a launch from the LMS starts (if the "
              "LMS shows the tool inside its page, the browser may have blocked the tool's cookie: open the "
              "assignment again)")


def current(store, role=None):
    """The session of this request, of `role` if given; else Refused."""
    session = find(store, request.cookies.get(COOKIE))
    if session is None:
        raise Refused(*NO_SESSION)
    if role == INSTRUCTOR and not session.is_instructor:
        raise Refused("Only the course's instructors can open this page")
    if role == LEARNER and session.is_instructor:
        raise Refused("This page is a student's", "instructors open the class page from the LMS")
    return session


def check_csrf(session):
    if not session.csrf_matches(request.form.get("csrf")):
        raise Refused("This form has expired or did not come from the tool's page",
                      "reload the page and try again; nothing was changed")


def frame_policy(frame_ancestors):
    return "frame-ancestors " + " ".join(["'self'", *frame_ancestors])


def headers(response, frame_ancestors):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    policy = response.headers.get("Content-Security-Policy", PAGE_POLICY)
    if "frame-ancestors" not in policy:
        policy = f"{policy}; {frame_policy(frame_ancestors)}"
    response.headers["Content-Security-Policy"] = policy
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response
