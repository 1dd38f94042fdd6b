"""What the pages read from a checked launch besides who: the link's title and the due date.

Claims are the LMS's, signed, but still only data: strings are bounded plain text (members.text), a
due date is kept only when it parses as an ISO 8601 time (Canvas sends the variable's own name,
`$Canvas.assignment.dueAt.iso8601`, when an assignment has no due date).
"""

import datetime

from .members import text

CUSTOM_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/custom"
RESOURCE_LINK_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/resource_link"
CONTEXT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/context"
DEPLOYMENT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"


def claim(body, name):
    value = body.get(name)
    return value if isinstance(value, dict) else {}


def link_title(body):
    return text(claim(body, RESOURCE_LINK_CLAIM).get("title"))


def context_id(body):
    return text(claim(body, CONTEXT_CLAIM).get("id"))


def deployment_id(body):
    return text(body.get(DEPLOYMENT_CLAIM))


def due_date(body, keys):
    """The first custom parameter of `keys` that is an ISO 8601 time, in UTC ISO form; "" when none is."""
    custom = claim(body, CUSTOM_CLAIM)
    for key in keys:
        value = custom.get(key)
        if not isinstance(value, str) or len(value) > 64:
            continue
        try:
            when = datetime.datetime.fromisoformat(value.strip())
        except ValueError:
            continue
        if when.tzinfo is None:
            when = when.replace(tzinfo=datetime.UTC)
        return when.astimezone(datetime.UTC).isoformat(timespec="seconds")
    return ""
