"""The grading queue: every upload from a student's page, in order of arrival (table lti_submission).

A row's life:

    queued ──claim──> grading ──finish──> graded | withheld | failed
       └──a newer upload of the same student──> superseded

- `enqueue` records an upload in one transaction that first locks the student (an UPDATE of their
  lti_user row: SQLite takes its write lock there, PostgreSQL the row's), then applies the rate
  limit, checks that no other upload of the student arrived meanwhile, inserts the row and marks
  the student's queued rows superseded.  So a student has at most one queued row, the newest.
- `claim` hands a worker the oldest queued rows, at most `limit`, none of a student whose earlier
  upload is being graded: one UPDATE whose condition is `state = 'queued'`, so two workers never
  get the same row (the second one's UPDATE finds it claimed), and a student's uploads are graded
  in order of arrival.
- A worker beats (`heartbeat`) while it grades.  `requeue_stale` gives back the rows of a worker that
  is gone (its process is dead, or it has not beaten for `lease` seconds): queued again, superseded
  when a newer upload waits, failed after `attempts` tries.  Grading records nothing twice anyway:
  the engine grades a submission only when its timestamp is newer than the graded copy's.
- `finish` records the outcome, only for the worker that holds the claim.

Every statement that writes starts its transaction (no read first): with SQLite, a transaction that
reads and then writes while another writes fails at once with "database is locked".
"""

import dataclasses
import json
import time

from sqlalchemy import and_, exists, func, insert, select, update
from sqlalchemy.orm import aliased

from .store import Store, submissions, users

QUEUED, GRADING, GRADED, WITHHELD, FAILED, SUPERSEDED = (
    "queued", "grading", "graded", "withheld", "failed", "superseded")
FINISHED = (GRADED, WITHHELD, FAILED)
WAITING = (QUEUED, GRADING)


@dataclasses.dataclass
class Submission:
    id: int
    student_id: str
    issuer: str
    deployment_id: str
    context_id: str
    folder: str
    notebooks: list
    timestamp: str
    received_at: float
    state: str
    superseded_by: int | None
    worker: str
    heartbeat_at: float | None
    attempts: int
    finished_at: float | None
    score: float | None
    max_score: float | None
    result: dict
    lms: str
    detail: str

    @classmethod
    def of(cls, row):
        values = dict(row._mapping)
        values["notebooks"] = json.loads(values["notebooks"] or "[]")
        values["result"] = json.loads(values["result"] or "{}")
        return cls(**values)

    @property
    def finished(self):
        return self.state in FINISHED


class RateLimited(Exception):
    """The student has uploaded `limit` times within the window; `retry_after` seconds until one more."""

    def __init__(self, limit, window, retry_after):
        super().__init__(f"{limit} uploads within {window} s")
        self.limit, self.window, self.retry_after = limit, window, retry_after


class Overtaken(Exception):
    """Another upload of the same student was recorded while this one was being written."""


def _rows(store: Store, query):
    with store.engine.connect() as db:
        return [Submission.of(row) for row in db.execute(query)]


def get(store: Store, submission_id):
    found = _rows(store, select(submissions).where(submissions.c.id == submission_id))
    return found[0] if found else None


def latest(store: Store, student):
    """The student's newest upload, or None."""
    found = _rows(store, select(submissions).where(submissions.c.student_id == student)
                  .order_by(submissions.c.id.desc()).limit(1))
    return found[0] if found else None


def history(store: Store, student, limit=50):
    """The student's uploads, newest first."""
    return _rows(store, select(submissions).where(submissions.c.student_id == student)
                 .order_by(submissions.c.id.desc()).limit(limit))


def latest_per_student(store: Store):
    """{student: their newest upload}."""
    newest = select(func.max(submissions.c.id)).group_by(submissions.c.student_id)
    return {s.student_id: s for s in _rows(store, select(submissions).where(submissions.c.id.in_(newest)))}


def last_finished_per_student(store: Store):
    """{student: their newest graded, withheld or failed upload}."""
    newest = (select(func.max(submissions.c.id)).where(submissions.c.state.in_(FINISHED))
              .group_by(submissions.c.student_id))
    return {s.student_id: s for s in _rows(store, select(submissions).where(submissions.c.id.in_(newest)))}


def counts(store: Store):
    """{state: how many rows}."""
    with store.engine.connect() as db:
        return dict(db.execute(select(submissions.c.state, func.count()).group_by(submissions.c.state)).all())


def enqueue(store: Store, *, issuer, sub, student, deployment_id, context_id, folder, notebooks, timestamp,
            received_at, after, limit, window):
    """Record an upload whose folder is written; return its Submission.  `after`: the id of the student's
    newest upload when this one was built from it (None: none), else Overtaken.  RateLimited when the
    student has `limit` uploads within `window` seconds."""
    with store.engine.begin() as db:
        # First a write: the student's lock (SQLite: the database's write lock).
        db.execute(update(users).where(users.c.issuer == issuer, users.c.sub == sub).values(how=users.c.how))
        mine = submissions.c.student_id == student
        recent = db.execute(select(submissions.c.received_at)
                            .where(mine, submissions.c.received_at > received_at - window)
                            .order_by(submissions.c.received_at)).scalars().all()
        if len(recent) >= limit:
            raise RateLimited(limit, window, max(1, int(recent[len(recent) - limit] + window - received_at) + 1))
        newest = db.execute(select(func.max(submissions.c.id)).where(mine)).scalar()
        if newest != after:
            raise Overtaken(student)
        new_id = db.execute(insert(submissions).values(
            student_id=student, issuer=issuer, deployment_id=deployment_id, context_id=context_id, folder=folder,
            notebooks=json.dumps(list(notebooks)), timestamp=timestamp, received_at=received_at, state=QUEUED,
            result="{}")).inserted_primary_key[0]
        db.execute(update(submissions).where(mine, submissions.c.state == QUEUED, submissions.c.id != new_id)
                   .values(state=SUPERSEDED, superseded_by=new_id,
                           detail="a newer upload arrived before this one was graded"))
    return get(store, new_id)


def claim(store: Store, worker, limit):
    """Up to `limit` queued rows for `worker` (a name no other claim uses), oldest first: never two workers
    the same row, never a student whose earlier upload is being graded."""
    busy = aliased(submissions)
    oldest = (select(submissions.c.id).where(
        submissions.c.state == QUEUED,
        ~exists().where(busy.c.student_id == submissions.c.student_id, busy.c.state == GRADING))
        .order_by(submissions.c.id).limit(limit)).scalar_subquery()
    with store.engine.begin() as db:
        db.execute(update(submissions).where(submissions.c.id.in_(oldest), submissions.c.state == QUEUED)
                   .values(state=GRADING, worker=worker, heartbeat_at=time.time()))
        rows = db.execute(select(submissions).where(submissions.c.worker == worker, submissions.c.state == GRADING)
                          .order_by(submissions.c.id)).all()
    return [Submission.of(row) for row in rows]


def heartbeat(store: Store, worker):
    with store.engine.begin() as db:
        db.execute(update(submissions).where(submissions.c.worker == worker, submissions.c.state == GRADING)
                   .values(heartbeat_at=time.time()))


def workers_grading(store: Store):
    """The workers that hold claims now."""
    with store.engine.connect() as db:
        return set(db.execute(select(submissions.c.worker).where(submissions.c.state == GRADING).distinct())
                   .scalars())


def requeue_stale(store: Store, dead_workers, lease, attempts):
    """Give back the claims of `dead_workers` and of any worker silent for `lease` seconds (module
    docstring); return how many rows were given back."""
    stale = and_(submissions.c.state == GRADING, (submissions.c.heartbeat_at < time.time() - lease)
                 | submissions.c.worker.in_(list(dead_workers)))
    newer = aliased(submissions)
    with store.engine.begin() as db:
        given = db.execute(update(submissions).where(stale).values(
            state=QUEUED, worker="", attempts=submissions.c.attempts + 1,
            detail="its grading was interrupted (the worker stopped); graded again")).rowcount
        if given:
            db.execute(update(submissions).where(submissions.c.state == QUEUED, submissions.c.attempts >= attempts)
                       .values(state=FAILED, finished_at=time.time(),
                               detail=f"its grading was interrupted {attempts} times: not graded"))
            has_newer = exists().where(newer.c.student_id == submissions.c.student_id, newer.c.id > submissions.c.id)
            db.execute(update(submissions).where(submissions.c.state == QUEUED, has_newer).values(
                state=SUPERSEDED, detail="a newer upload arrived before this one was graded"))
    return given


def finish(store: Store, submission_id, worker, state, **values):
    """Record a claimed row's outcome; False when the claim was taken back meanwhile (not recorded)."""
    with store.engine.begin() as db:
        values = {**values, "result": json.dumps(values.get("result", {}))}
        return db.execute(update(submissions).where(
            submissions.c.id == submission_id, submissions.c.worker == worker, submissions.c.state == GRADING)
            .values(state=state, finished_at=time.time(), **values)).rowcount == 1


def release(store: Store, submission_ids, worker, why, attempts):
    """Claimed rows that could not be graded now: queued again, or failed after `attempts` tries."""
    ids = list(submission_ids)
    with store.engine.begin() as db:
        mine = and_(submissions.c.id.in_(ids), submissions.c.worker == worker, submissions.c.state == GRADING)
        db.execute(update(submissions).where(mine, submissions.c.attempts + 1 >= attempts).values(
            state=FAILED, attempts=submissions.c.attempts + 1, finished_at=time.time(), detail=why[:2000]))
        db.execute(update(submissions).where(mine).values(
            state=QUEUED, worker="", attempts=submissions.c.attempts + 1, detail=why[:2000]))


def update_outcome(store: Store, submission_id, **values):
    """Change a finished row's recorded outcome (an instructor cleared it, a push sent it)."""
    if "result" in values:
        values["result"] = json.dumps(values["result"])
    with store.engine.begin() as db:
        db.execute(update(submissions).where(submissions.c.id == submission_id).values(**values))


def received_since(store: Store, student, since):
    """How many uploads of the student arrived after `since` (time.time())."""
    with store.engine.connect() as db:
        return db.execute(select(func.count()).select_from(submissions).where(
            submissions.c.student_id == student, submissions.c.received_at > since)).scalar()


def has_timestamp(store: Store, student, timestamp):
    """Whether one of the student's recorded uploads has this timestamp.txt."""
    with store.engine.connect() as db:
        return db.execute(select(submissions.c.id).where(submissions.c.student_id == student,
                                                         submissions.c.timestamp == timestamp).limit(1)).first() \
            is not None
