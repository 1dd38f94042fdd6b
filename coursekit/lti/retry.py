"""Trying again: which failures are worth another try, and how long to wait before it.

An LMS under load answers 429 (with Retry-After) or a 5xx, or drops the connection; all pass.  Each
try waits twice as long as the one before (from LtiTool.backoff, with jitter so that many tools do
not retry in step), or as long as the LMS's Retry-After asks, never more than LtiTool.backoff_cap.
What still fails after LtiTool.attempts tries is raised to the caller, which reports it.
"""

import dataclasses
import email.utils
import random
import time

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


class Transient(Exception):
    """A failure worth another try; `status` is None when no answer came (a dropped connection)."""

    def __init__(self, message, status=None, retry_after=None, answer=""):
        super().__init__(message)
        self.status, self.retry_after, self.answer = status, retry_after, answer


@dataclasses.dataclass
class Backoff:
    attempts: int = 5
    base: float = 1.0
    cap: float = 60.0

    @classmethod
    def of(cls, tool):
        return cls(max(1, tool.attempts), tool.backoff, tool.backoff_cap)

    def delay(self, attempt, retry_after=None):
        """Seconds to wait after failed try number `attempt` (0 for the first)."""
        if retry_after is not None:
            return min(self.cap, max(0.0, retry_after))
        return min(self.cap, self.base * 2 ** attempt * random.uniform(1.0, 1.5))


def retry_after(value, clock=time.time):
    """Retry-After's seconds (delay-seconds or an HTTP date), or None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - clock()) if when else None


def with_retries(attempt, backoff: Backoff, sleep=time.sleep, on_retry=None):
    """attempt() until it returns, raising Transient at most backoff.attempts - 1 times; the last
    Transient is raised.  on_retry(failure, delay) is told of each retry."""
    for number in range(backoff.attempts):
        try:
            return attempt()
        except Transient as failure:
            if number == backoff.attempts - 1:
                raise
            delay = backoff.delay(number, failure.retry_after)
            if on_retry:
                on_retry(failure, delay)
            sleep(delay)
    raise AssertionError("unreachable")
