"""HTTP to the LMS: bounded answers, time-outs, and the next page of a paged answer.

Everything the LMS sends is untrusted input.  requests reads a whole body into memory and waits for
ever by default; BoundedSession gives every request LtiTool.timeout and reads at most
LtiTool.max_response_bytes (a larger answer raises ResponseTooLarge before it is held in memory).
pylti1p3 uses this session for everything it asks the LMS: the platform's key set, access tokens,
Names and Roles pages, line items and scores.

Paging (Names and Roles, line items) is a `Link: <url>; rel="next"` header (RFC 8288).  pylti1p3
2.0.0 lowercased the whole header before reading it, so a next page's URL with capitals in it was
fetched wrongly; its fork keeps the URL but requires the quotes around next, which lti1p3platform
leaves out (`<url>; rel=next`).  `next_link` reads both, and accepts only a URL on the LMS's own
origin: the access token goes with every page request.
"""

import re
from urllib.parse import urljoin, urlsplit

import requests

USER_AGENT = "coursekit-lti"
LINK_VALUE = re.compile(r"<([^>]*)>((?:\s*;\s*[^;,]+)*)")
LINK_PARAM = re.compile(r';\s*([^=;,\s]+)\s*=\s*(?:"([^"]*)"|([^;,\s]*))')


class ResponseTooLarge(requests.RequestException):
    """An answer from the LMS over LtiTool.max_response_bytes."""


class BoundedSession(requests.Session):
    """A requests Session whose every request has a time-out and a bounded body."""

    def __init__(self, timeout, max_bytes):
        super().__init__()
        self.timeout, self.max_bytes = timeout, max_bytes
        self.headers["User-Agent"] = USER_AGENT

    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", self.timeout)
        kwargs["stream"] = True  # read below, bounded
        response = super().request(method, url, **kwargs)
        try:
            read_bounded(response, self.max_bytes)
        finally:
            response.close()
        return response


def read_bounded(response, limit):
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ResponseTooLarge(f"{response.url} answered {declared} bytes, more than the {limit} read")
    body, size = [], 0
    for chunk in response.iter_content(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise ResponseTooLarge(f"{response.url} answered more than the {limit} bytes read")
        body.append(chunk)
    # requests' own cache of the body: .content, .text and .json() read it from here.
    response._content = b"".join(body)
    response._content_consumed = True


def same_origin(url, base):
    a, b = urlsplit(url), urlsplit(base)
    return (a.scheme, a.netloc.lower()) == (b.scheme, b.netloc.lower())


def next_link(header, base_url):
    """The URL of the Link header's rel="next" (quoted or not, any case), resolved against base_url;
    None when there is none or it points to another origin."""
    for match in LINK_VALUE.finditer(header or ""):
        target, params = match.group(1).strip(), match.group(2)
        for name, quoted, bare in LINK_PARAM.findall(params):
            rels = (quoted or bare).lower().split()
            if name.lower() == "rel" and "next" in rels:
                url = urljoin(base_url, target)
                return url if same_origin(url, base_url) else None
    return None
