"""pylti1p3's ServiceConnector with what it leaves to the tool: token caching, retries, bounded reads.

- Access tokens (client credentials, signed with the tool's key) are cached per token URL, client and
  scopes until shortly before they expire (expires_in), shared by all threads of the process.  pylti1p3
  2.0.0 kept one token for the connector's whole life (only 401s once it expired); its fork leaves
  caching to the tool.  A 401 all the same (a token the LMS revoked) drops the token and tries once
  more with a new one.
- A GET that meets 429, a 5xx or a dropped connection (its token request included) is tried again
  (coursekit/lti/retry.py); a POST is tried once here: a score is tried again by the push with a fresh
  timestamp, a line item by looking for it again first (a POST whose answer was lost may have made it).
- The next page comes from coursekit/lti/transport.next_link (pylti1p3's reading mangles it).
- The tool's private key is parsed once per process, not at every token request: pylti1p3 hands
  PyJWT the PEM, and parsing a 2048-bit RSA key (with its consistency check) costs about 60 ms of CPU,
  more than the rest of the request.
"""

import functools
import threading
import time

import requests
from cryptography.hazmat.primitives import serialization
from pylti1p3.exception import LtiServiceException
from pylti1p3.service_connector import ServiceConnector

from .retry import RETRYABLE_STATUS, Backoff, Transient, retry_after, with_retries
from .transport import next_link


class TokenCache:
    """Access tokens by (token URL, client id, scopes), each until `margin` before it expires."""

    def __init__(self, clock=time.monotonic):
        self.clock, self.tokens, self.lock = clock, {}, threading.Lock()
        # One thread asks the LMS for a token while the others wait for it (a push's threads all need
        # the same token at their start).
        self.fetching = threading.Lock()
        self.fetched = 0  # tokens asked of the LMS (the tests count them)

    def get(self, key):
        with self.lock:
            token, expires = self.tokens.get(key, (None, 0.0))
            return token if token and self.clock() < expires else None

    def put(self, key, token, expires_in):
        # A token without a lifetime is used for this request only.
        lifetime = float(expires_in or 0)
        margin = min(60.0, lifetime / 10)
        with self.lock:
            self.fetched += 1
            if lifetime > 0:
                self.tokens[key] = (token, self.clock() + lifetime - margin)

    def drop(self, key, token):
        with self.lock:
            if self.tokens.get(key, (None,))[0] == token:
                del self.tokens[key]


@functools.lru_cache(maxsize=8)
def signing_key(pem):
    """The private key of a PEM (str or bytes), parsed once per process."""
    return serialization.load_pem_private_key(pem.encode("ascii") if isinstance(pem, str) else pem, password=None)


def answer_of(response, limit=500):
    """The start of what the LMS answered, for reports and the record of what was sent."""
    return response.text[:limit].strip() if response is not None else ""


class Connector(ServiceConnector):
    """One registration's service connector; one per thread (each has its own requests session)."""

    def __init__(self, registration, session, tokens: TokenCache, backoff: Backoff, sleep=time.sleep):
        super().__init__(registration, session)
        self.tokens, self.backoff, self.sleep = tokens, backoff, sleep
        self.last_response = None

    def _cache_key(self, scope_key):
        return (self._registration.get_auth_token_url(), self._registration.get_client_id(), scope_key)

    def _get_cached_access_token(self, scope_key):
        return self.tokens.get(self._cache_key(scope_key))

    def _cache_access_token(self, scope_key, access_token, expires_in):
        self.tokens.put(self._cache_key(scope_key), access_token, expires_in)

    def encode_jwt(self, message, private_key, headers):
        """pylti1p3's signature of the client-credentials assertion, with the key parsed once."""
        if isinstance(private_key, (str, bytes)):
            private_key = signing_key(private_key)
        return super().encode_jwt(message, private_key, headers)

    def access_token(self, scopes):
        """pylti1p3's get_access_token (cached above); Transient on 429, 5xx or a dropped connection, which
        the caller's retries try again with the rest of its request."""
        try:
            with self.tokens.fetching:
                return self.get_access_token(scopes)
        except LtiServiceException as error:
            response = error.response
            if response.status_code in RETRYABLE_STATUS:
                raise Transient(f"token: HTTP {response.status_code}", response.status_code,
                                retry_after(response.headers.get("Retry-After")), answer_of(response)) from error
            raise LtiServiceException(f"the LMS gave no access token for {' '.join(sorted(scopes))} "
                                      f"(is the service enabled for the tool?): {answer_of(response, 200)}",
                                      response) from error
        except (requests.ConnectionError, requests.Timeout) as error:
            raise Transient(f"token: {error}") from error

    def call(self, scopes, method, url, *, data=None, content_type=None, accept="application/json"):
        """One request with the access token (a 401 gets a new token and one more try).  Returns the
        response when it is OK; raises Transient (429, 5xx, no answer) or LtiServiceException."""
        key = self._cache_key(self._scope_key(sorted(scopes)))
        for fresh in (False, True):
            token = self.access_token(scopes)
            headers = {"Authorization": "Bearer " + token, "Accept": accept}
            if content_type:
                headers["Content-Type"] = content_type
            try:
                response = self._requests_session.request(method, url, data=data, headers=headers)
            except (requests.ConnectionError, requests.Timeout) as error:
                raise Transient(f"{method} {url}: {error}") from error
            if response.status_code == 401 and not fresh:
                self.tokens.drop(key, token)
                continue
            break
        if response.status_code in RETRYABLE_STATUS:
            raise Transient(f"{method} {url}: HTTP {response.status_code}", response.status_code,
                            retry_after(response.headers.get("Retry-After")), answer_of(response))
        if not response.ok:
            raise LtiServiceException(f"{method} {url} was refused: {answer_of(response, 200)}", response)
        return response

    def make_service_request(self, scopes, url, *, is_post=False, data=None, content_type="application/json",
                             accept="application/json", case_insensitive_headers=False):
        """pylti1p3's entry point for its services (Names and Roles, line items, scores)."""
        if is_post:
            response = self.call(scopes, "POST", url, data=data or None, content_type=content_type, accept=accept)
        else:
            response = with_retries(lambda: self.call(scopes, "GET", url, accept=accept), self.backoff, self.sleep)
        self.last_response = response  # the push records the LMS's status and answer
        try:
            body = response.json() if response.content else None
        except ValueError as error:
            raise LtiServiceException(f"{url} did not answer JSON", response) from error
        return {
            "headers": response.headers if case_insensitive_headers else dict(response.headers),
            "body": body,
            "next_page_url": next_link(response.headers.get("Link", ""), url),
        }
