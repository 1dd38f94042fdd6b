"""The tool's state, in the database beside the gradebook (by default the gradebook's own, tables lti_*).

Everything the tool must remember between a launch and a later command lives here, so that a restart
of the web process, or a push from another process, loses nothing:

- lti_session_data: short-lived launch data keyed as pylti1p3 keys it (state, nonce, the checked launch),
  each with an expiry (coursekit/lti/storage.py adapts it to pylti1p3);
- lti_context:      the course contexts an instructor launched from: the Names and Roles URL, the
                    Assignment and Grade Services endpoint and the assignment's line item;
- lti_user:         which LMS user (issuer, sub) is which nbgrader student; a student id belongs to one
                    LMS user only (a unique constraint, not a convention);
- lti_score:        every score the tool tried to send: what, when, and what the LMS answered;
- lti_submission:   every notebook upload of a student's page, in order of arrival: the queue the grading
                    worker takes them from (coursekit/lti/queue.py), and each one's outcome;
- lti_web_session:  the tool's own sessions after a checked launch (coursekit/lti/sessions.py): who, in
                    which course, the page's CSRF token; the browser holds only a random token whose
                    digest is the key.

Values that came from the network are stored as JSON text, never pickled.
"""

import dataclasses
import datetime
import json
import time

from nbgrader.api import Gradebook
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    create_engine,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from ..course import gradebook_url

metadata = MetaData()

session_data = Table(
    "lti_session_data", metadata,
    Column("key", String(255), primary_key=True),
    Column("value", Text, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
)

contexts = Table(
    "lti_context", metadata,
    Column("id", Integer, primary_key=True),
    Column("issuer", String(255), nullable=False),
    Column("client_id", String(255), nullable=False),
    Column("deployment_id", String(255), nullable=False),
    Column("context_id", String(255), nullable=False),
    Column("title", String(255), nullable=False, default=""),
    Column("resource_link_id", String(255), nullable=False, default=""),
    Column("memberships_url", Text, nullable=False, default=""),
    Column("ags_scopes", Text, nullable=False, default="[]"),  # JSON list, as the launch granted them
    Column("lineitems_url", Text, nullable=False, default=""),
    Column("launch_lineitem_url", Text, nullable=False, default=""),  # the LMS's own line item of the link
    Column("lineitem_url", Text, nullable=False, default=""),  # the assignment's, found or created
    Column("lineitem_maximum", Float),
    Column("launched_by", String(255), nullable=False, default=""),
    Column("launched_at", DateTime(timezone=True)),
    UniqueConstraint("issuer", "client_id", "deployment_id", "context_id"),
)

users = Table(
    "lti_user", metadata,
    Column("issuer", String(255), primary_key=True),
    Column("sub", String(255), primary_key=True),
    Column("student_id", String(255), nullable=False, unique=True),
    Column("email", String(255), nullable=False, default=""),
    Column("name", String(255), nullable=False, default=""),
    Column("how", String(255), nullable=False, default=""),  # how the student id was chosen
    Column("mapped_at", DateTime(timezone=True)),
)

scores = Table(
    "lti_score", metadata,
    Column("id", Integer, primary_key=True),
    Column("lineitem_url", Text, nullable=False),
    Column("student_id", String(255), nullable=False, index=True),
    Column("sub", String(255), nullable=False),
    Column("fingerprint", String(64), nullable=False),  # of what was sent, its timestamp left out
    Column("payload", Text, nullable=False),  # the Score as sent (JSON)
    Column("timestamp", String(64), nullable=False),  # its timestamp
    Column("ok", Boolean, nullable=False),
    Column("status", Integer),  # the LMS's HTTP status; None: no answer (connection)
    Column("answer", Text, nullable=False, default=""),  # the LMS's answer or the error, shortened
    Column("sent_at", DateTime(timezone=True), nullable=False),
)


submissions = Table(
    "lti_submission", metadata,
    Column("id", Integer, primary_key=True),  # the order of arrival
    Column("student_id", String(255), nullable=False, index=True),
    Column("issuer", String(255), nullable=False, default=""),  # the launch's, for the push
    Column("deployment_id", String(255), nullable=False, default=""),
    Column("context_id", String(255), nullable=False, default=""),
    Column("folder", String(64), nullable=False),  # its folder's name, made by the tool (never from the upload)
    Column("notebooks", Text, nullable=False),  # JSON list: the notebooks this upload brought
    Column("timestamp", String(64), nullable=False),  # its timestamp.txt, as nbgrader writes one
    Column("received_at", Float, nullable=False),  # time.time() (the rate limit counts by it)
    Column("state", String(16), nullable=False, index=True),  # queued | grading | graded | withheld | ...
    Column("superseded_by", Integer),
    Column("worker", String(255), nullable=False, default=""),  # who claimed it: host:pid:token
    Column("heartbeat_at", Float),  # time.time() of the claim's last sign of life
    Column("attempts", Integer, nullable=False, default=0),  # claims that ended without a result
    Column("finished_at", Float),
    Column("score", Float),  # the final score when graded (late penalty applied)
    Column("max_score", Float),
    Column("result", Text, nullable=False, default="{}"),  # JSON: per notebook its status and points
    Column("lms", Text, nullable=False, default=""),  # what the push did with it
    Column("detail", Text, nullable=False, default=""),  # why it is withheld, failed or superseded
)

web_sessions = Table(
    "lti_web_session", metadata,
    Column("token_hash", String(64), primary_key=True),  # sha256 of the cookie's random token
    Column("role", String(16), nullable=False),  # learner | instructor
    Column("issuer", String(255), nullable=False),
    Column("sub", String(255), nullable=False),
    Column("student_id", String(255), nullable=False, default=""),
    Column("name", String(255), nullable=False, default=""),
    Column("deployment_id", String(255), nullable=False, default=""),
    Column("context_id", String(255), nullable=False, default=""),
    Column("title", String(255), nullable=False, default=""),  # the resource link's title
    Column("due", String(64), nullable=False, default=""),  # ISO 8601, when the LMS sent a due date
    Column("csrf", String(64), nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
)


def now():
    return datetime.datetime.now(datetime.UTC)


@dataclasses.dataclass
class Context:
    id: int
    issuer: str
    client_id: str
    deployment_id: str
    context_id: str
    title: str
    resource_link_id: str
    memberships_url: str
    ags_scopes: list
    lineitems_url: str
    launch_lineitem_url: str
    lineitem_url: str
    lineitem_maximum: float | None
    launched_by: str
    launched_at: datetime.datetime | None

    @classmethod
    def of(cls, row):
        values = dict(row._mapping)
        values["ags_scopes"] = json.loads(values["ags_scopes"] or "[]")
        return cls(**values)

    @property
    def ags_endpoint(self):
        """The AGS claim as pylti1p3's AssignmentsGradesService reads it."""
        endpoint = {"scope": list(self.ags_scopes)}
        if self.lineitems_url:
            endpoint["lineitems"] = self.lineitems_url
        if self.launch_lineitem_url:
            endpoint["lineitem"] = self.launch_lineitem_url
        return endpoint


@dataclasses.dataclass
class Sent:
    fingerprint: str
    timestamp: str
    ok: bool
    status: int | None
    answer: str
    payload: str = "{}"  # the Score as sent (JSON)


class DuplicateStudent(Exception):
    """A student id that another LMS user has already."""


class Store:
    """The tables above in one database; safe to share between the web server's threads."""

    def __init__(self, url):
        self.url = url
        # SQLite: a writer waits up to 30 s for another (the grading worker records while the web
        # process takes uploads), instead of pysqlite's 5 s.
        options = {"connect_args": {"timeout": 30}} if url.startswith("sqlite") else {}
        self.engine = create_engine(url, future=True, **options)
        metadata.create_all(self.engine)

    def close(self):
        self.engine.dispose()

    # ------------------------------------------------------------ launch data (pylti1p3's keys)

    def set_value(self, key, value, lifetime):
        expires = time.time() + lifetime
        text = json.dumps(value)
        with self.engine.begin() as db:
            db.execute(delete(session_data).where(session_data.c.expires_at < time.time()))
            done = db.execute(update(session_data).where(session_data.c.key == key)
                              .values(value=text, expires_at=expires)).rowcount
            if not done:
                db.execute(insert(session_data).values(key=key, value=text, expires_at=expires))

    def get_value(self, key):
        with self.engine.connect() as db:
            text = db.execute(select(session_data.c.value).where(
                session_data.c.key == key, session_data.c.expires_at >= time.time())).scalar()
        return None if text is None else json.loads(text)

    def consume(self, key):
        """Remove a live key; True only for the one caller that removed it (a nonce is used once, even by
        two requests at the same moment)."""
        with self.engine.begin() as db:
            return db.execute(delete(session_data).where(
                session_data.c.key == key, session_data.c.expires_at >= time.time())).rowcount == 1

    # ------------------------------------------------------------ contexts

    def record_context(self, *, issuer, client_id, deployment_id, context_id, **values):
        """Create or update the context of an instructor's launch; return it.  A line item found before
        is kept unless the launch's AGS endpoint changed (then it is looked up again)."""
        key = and_(contexts.c.issuer == issuer, contexts.c.client_id == client_id,
                   contexts.c.deployment_id == deployment_id, contexts.c.context_id == context_id)
        values["ags_scopes"] = json.dumps(list(values.get("ags_scopes", [])))
        values["launched_at"] = now()
        with self.engine.begin() as db:
            old = db.execute(select(contexts).where(key)).first()
            if old is None:
                db.execute(insert(contexts).values(issuer=issuer, client_id=client_id, deployment_id=deployment_id,
                                                   context_id=context_id, **values))
            else:
                moved = (old.lineitems_url != values.get("lineitems_url", "")
                         or old.launch_lineitem_url != values.get("launch_lineitem_url", ""))
                if moved:
                    values.update(lineitem_url="", lineitem_maximum=None)
                db.execute(update(contexts).where(key).values(**values))
            return Context.of(db.execute(select(contexts).where(key)).one())

    def find_context(self, issuer, client_id, deployment_id, context_id):
        with self.engine.connect() as db:
            row = db.execute(select(contexts).where(
                contexts.c.issuer == issuer, contexts.c.client_id == client_id,
                contexts.c.deployment_id == deployment_id, contexts.c.context_id == context_id)).first()
        return None if row is None else Context.of(row)

    def set_lineitem(self, context_id, url, maximum):
        with self.engine.begin() as db:
            db.execute(update(contexts).where(contexts.c.id == context_id)
                       .values(lineitem_url=url, lineitem_maximum=maximum))

    def contexts(self):
        with self.engine.connect() as db:
            return [Context.of(row) for row in db.execute(select(contexts).order_by(contexts.c.id))]

    # ------------------------------------------------------------ LMS users and students

    def student_of(self, issuer, sub):
        with self.engine.connect() as db:
            return db.execute(select(users.c.student_id).where(users.c.issuer == issuer, users.c.sub == sub)).scalar()

    def users(self, issuer=None):
        """{student_id: (issuer, sub)}."""
        query = select(users.c.student_id, users.c.issuer, users.c.sub)
        if issuer is not None:
            query = query.where(users.c.issuer == issuer)
        with self.engine.connect() as db:
            return {row.student_id: (row.issuer, row.sub) for row in db.execute(query)}

    def map_user(self, issuer, sub, student_id, email="", name="", how=""):
        """Record that the LMS user (issuer, sub) is `student_id`; raise DuplicateStudent when the id
        belongs to another LMS user."""
        try:
            with self.engine.begin() as db:
                db.execute(insert(users).values(issuer=issuer, sub=sub, student_id=student_id, email=email,
                                                name=name, how=how, mapped_at=now()))
        except IntegrityError as error:
            raise DuplicateStudent(student_id) from error

    # ------------------------------------------------------------ scores sent

    def record_scores(self, rows):
        """Record tries, each a dict of lti_score's columns but id and sent_at, in one transaction."""
        if rows:
            with self.engine.begin() as db:
                db.execute(insert(scores), [{**row, "sent_at": now()} for row in rows])

    def sent(self, lineitem_url):
        """{student_id: (the last Sent that the LMS accepted or None, the last attempt's Sent)} for one line
        item: what a push compares with, and the latest timestamp each student was sent with."""
        last_ok, last = {}, {}
        with self.engine.connect() as db:
            rows = db.execute(select(scores).where(scores.c.lineitem_url == lineitem_url).order_by(scores.c.id))
            for row in rows:
                sent = Sent(row.fingerprint, row.timestamp, row.ok, row.status, row.answer, row.payload)
                last[row.student_id] = sent
                if row.ok:
                    last_ok[row.student_id] = sent
        return {student: (last_ok.get(student), attempt) for student, attempt in last.items()}

    def score_count(self):
        with self.engine.connect() as db:
            return db.execute(select(func.count()).select_from(scores)).scalar()


def open_store(course, url=None):
    """The course's store: `url`, else the gradebook's own database.  nbgrader must create the gradebook
    first (it stamps its schema version only into a database without tables), so the gradebook is
    opened once before the tool's tables are added to it."""
    url = url or gradebook_url(course)
    if url == gradebook_url(course):
        Gradebook(url).close()
    return Store(url)
