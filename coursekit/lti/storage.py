"""pylti1p3's launch data in the tool's store, bound to the browser's session cookie, nonces used once.

pylti1p3 keeps the OIDC state's parameters, the nonces it issued and each checked launch through a
LaunchDataStorage.  Its stock choice, the framework's session, lives in a cookie and is lost when
the LMS's iframe drops third-party cookies; here it lives in the store (coursekit/lti/store.py),
keyed by pylti1p3's own session-id cookie, so a key written for one browser is not found from
another, and survives a restart of the tool.

pylti1p3's SessionService only ever checks that a nonce exists (2.0.0 and the fork's 2.0.2): it
never removes one, so the same id_token posted again from the same browser was accepted.
`NonceConsumingSession.consume_nonce` removes it, atomically, when a launch is accepted.
"""

from pylti1p3.launch_data_storage.base import LaunchDataStorage
from pylti1p3.session import SessionService

from .store import Store


class StoreLaunchData(LaunchDataStorage):
    """A LaunchDataStorage in the tool's store; keys expire (pylti1p3 passes their lifetime)."""

    _session_cookie_name = "session-id"
    default_lifetime = 3600

    def __init__(self, store: Store):
        super().__init__()
        self.store = store

    def can_set_keys_expiration(self):
        return True

    def get_value(self, key):
        return self.store.get_value(self._prepare_key(key))

    def set_value(self, key, value, exp=None):
        self.store.set_value(self._prepare_key(key), value, exp or self.default_lifetime)

    def check_value(self, key):
        return self.get_value(key) is not None

    def consume(self, key):
        return self.store.consume(self._prepare_key(key))


class NonceConsumingSession(SessionService):
    """pylti1p3's SessionService, plus the removal of a used nonce."""

    def consume_nonce(self, nonce):
        """True once per issued nonce: the first launch that uses it removes it."""
        return self.data_storage.consume(self._get_key("nonce", nonce))
