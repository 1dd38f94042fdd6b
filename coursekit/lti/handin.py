"""Handing in: a checked upload recorded as a whole submission, queued, and made nbgrader's submission.

1. the student's newest upload is the base: the new folder is it with the uploaded notebooks replaced
   (coursekit/lti/submissions.py), with a timestamp later than the base's;
2. the folder is written (synced, then renamed into lti/uploads/), then queued in one transaction
   (coursekit/lti/queue.py: rate limit, superseding); a refusal there removes the folder again;
3. submitted/<student> becomes a copy of the student's newest upload, in one step.
One student's uploads are handled one at a time in this process (a lock per student); across
processes the queue's transaction refuses an upload built on a base that is no longer the newest
(Overtaken), and it is built again.  The student id is the verified launch's (the session's).
"""

import threading
import time

from . import queue, submissions
from .sessions import WebSession
from .store import Store
from .uploads import LtiUploads, UploadRefused

_LOCKS = {}
_LOCKS_LOCK = threading.Lock()
REBUILDS = 3


def student_lock(student):
    with _LOCKS_LOCK:
        return _LOCKS.setdefault(student, threading.Lock())


def rate_limited(error: queue.RateLimited):
    minutes = max(1, round(error.retry_after / 60))
    return UploadRefused(f"You have handed in {error.limit} times in the last {error.window // 60} minutes, the most "
                         f"this assignment takes: try again in about {minutes} minute{'s' if minutes > 1 else ''}.",
                         status=429, retry_after=error.retry_after)


def hand_in(course, store: Store, session: WebSession, uploaded, settings: LtiUploads, clock=time.time):
    """Record `uploaded` ({notebook: bytes}, checked) for the session's student; return the queued
    Submission.  UploadRefused (429) past the rate limit."""
    student = submissions.checked_student(session.student_id)
    with student_lock(student):
        for _ in range(REBUILDS):
            moment = clock()
            recent = queue.received_since(store, student, moment - settings.rate_window)
            if recent >= settings.rate_limit:
                raise rate_limited(queue.RateLimited(settings.rate_limit, settings.rate_window, settings.rate_window))
            newest = queue.latest(store, student)
            if newest is not None and moment <= newest.received_at:
                moment = newest.received_at + 0.001  # the clock went back: still after the base
            previous = submissions.previous_notebooks(course, student, newest.folder if newest else None)
            folder = submissions.write_upload(course, student, uploaded, previous, moment)
            try:
                row = queue.enqueue(store, issuer=session.issuer, sub=session.sub, student=student,
                                    deployment_id=session.deployment_id, context_id=session.context_id, folder=folder,
                                    notebooks=sorted(uploaded), timestamp=submissions.timestamp_text(moment),
                                    received_at=moment, after=newest.id if newest else None,
                                    limit=settings.rate_limit, window=settings.rate_window)
            except queue.Overtaken:
                submissions.remove_upload(course, student, folder)
                continue
            except queue.RateLimited as error:
                submissions.remove_upload(course, student, folder)
                raise rate_limited(error) from None
            except BaseException:
                submissions.remove_upload(course, student, folder)
                raise
            break
        else:
            raise UploadRefused("Other uploads of yours arrived at the same moment: hand in again.", status=409)
        newest = queue.latest(store, student)
        submissions.make_current(course, student, newest.folder,
                                 lambda text: queue.has_timestamp(store, student, text))
    return row
