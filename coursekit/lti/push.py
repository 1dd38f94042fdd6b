"""Final scores to the LMS gradebook through Assignment and Grade Services: `coursekit-lti push`.

Each student's score is the results model's final score (coursekit/results.py: nbgrader's score less
its late penalty, at least 0), sent as an AGS Score to the assignment's line item: scoreGiven,
scoreMaximum (nbgrader's total; the LMS scales it to the line item's points), activityProgress
Completed, gradingProgress FullyGraded, a fresh timestamp and a comment with the points per notebook.

- A withheld grade (coursekit/review.py) sends nothing at all: a Score without scoreGiven would let the
  LMS clear the grade it holds.  `coursekit-review clear` makes it sendable.
- A student who submitted nothing is not sent (the LMS keeps what it has) unless missing_as_zero
  (LtiTool.missing_as_zero, --missing-as-zero): then 0, activityProgress Initialized.
- A student the LMS has not been mapped to (coursekit-lti roster, or their own launch) cannot be sent.
- Every try is recorded in the store (lti_score): the Score, its timestamp, the LMS's status and answer.
  A push compares each score with the last one the LMS accepted for the student and line item, and
  sends only what changed, so a re-run sends nothing; a score that failed is sent by the next push.
- 429, 5xx and dropped connections are tried again with backoff (coursekit/lti/retry.py), each try
  with a fresh timestamp, later than any sent before for the student: an LMS refuses a Score older
  than the one it holds (Canvas 400, lti1p3platform 409).
- The access token is reused until it expires (coursekit/lti/connector.py).
"""

import concurrent.futures
import dataclasses
import datetime
import hashlib
import json

import requests
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem

from ..lms.exporters import feedback_comment, points
from ..results import course_results, student_result
from . import lineitem
from .connector import answer_of
from .platform import Platform
from .retry import Transient, with_retries
from .store import Context, Store

SENDABLE = "to send"
RECORD_BATCH = 25


@dataclasses.dataclass
class Decision:
    student: str
    state: str  # to send | unchanged | withheld | no submission | not in the LMS
    detail: str = ""
    sub: str = ""
    content: dict | None = None  # the Score without its timestamp
    after: str = ""  # the latest timestamp sent before for this student


@dataclasses.dataclass
class Outcome:
    student: str
    ok: bool
    status: int | None
    answer: str
    payload: str
    timestamp: str


@dataclasses.dataclass
class Report:
    lineitem_url: str
    decisions: list
    outcomes: list = dataclasses.field(default_factory=list)

    def by_state(self, state):
        return [d for d in self.decisions if d.state == state]

    @property
    def failed(self):
        return [o for o in self.outcomes if not o.ok]

    @property
    def sent(self):
        return [o for o in self.outcomes if o.ok]


def fingerprint(content):
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def score_content(sub, result, missing):
    if missing:
        return {"userId": sub, "scoreGiven": 0.0, "scoreMaximum": round(result.max_score, 6),
                "activityProgress": "Initialized", "gradingProgress": "FullyGraded", "comment": "No submission."}
    return {"userId": sub, "scoreGiven": round(result.final_score, 6), "scoreMaximum": round(result.max_score, 6),
            "activityProgress": "Completed", "gradingProgress": "FullyGraded", "comment": feedback_comment(result)}


def decide(results, users, sent, missing_as_zero):
    """What to do for each student: results {student: StudentResult}; users {student: (issuer, sub)};
    sent: Store.sent() of the line item."""
    decisions = []
    for student, result in results.items():
        if result.withheld:
            decisions.append(Decision(student, "withheld", result.withheld))
            continue
        missing = not result.submitted
        if missing and not missing_as_zero:
            decisions.append(Decision(student, "no submission"))
            continue
        if student not in users:
            decisions.append(Decision(student, "not in the LMS", "import the roster: coursekit-lti roster"))
            continue
        sub = users[student][1]
        content = score_content(sub, result, missing)
        accepted, last = sent.get(student, (None, None))
        if accepted is not None and accepted.fingerprint == fingerprint(content):
            decisions.append(Decision(student, "unchanged", points(content["scoreGiven"])))
            continue
        detail = "not accepted last time" if last is not None and not last.ok else ""
        decisions.append(Decision(student, SENDABLE, detail, sub, content, last.timestamp if last else ""))
    return decisions


class Timestamps:
    """ISO 8601 timestamps (UTC, milliseconds), each later than the one before and than `after`."""

    def __init__(self, after="", clock=None):
        self.clock = clock or (lambda: datetime.datetime.now(datetime.UTC))
        self.last = datetime.datetime.fromisoformat(after) if after else None

    def next(self):
        now = self.clock()
        stamp = now.replace(microsecond=now.microsecond // 1000 * 1000)
        if self.last is not None and stamp <= self.last:
            stamp = self.last + datetime.timedelta(milliseconds=1)
        self.last = stamp
        return stamp.isoformat(timespec="milliseconds")


def send(platform: Platform, context: Context, lineitem_url, decision: Decision):
    """One Score, tried again on 429, 5xx and dropped connections, each try freshly timestamped."""
    ags, stamps, tried = platform.ags(context), Timestamps(decision.after), {}

    def attempt():
        grade = Grade()
        content = decision.content
        (grade.set_user_id(content["userId"]).set_score_given(content["scoreGiven"])
         .set_score_maximum(content["scoreMaximum"]).set_activity_progress(content["activityProgress"])
         .set_grading_progress(content["gradingProgress"]).set_comment(content["comment"])
         .set_timestamp(stamps.next()))
        tried.update(payload=grade.get_value(), timestamp=grade.get_timestamp())
        ags.put_grade(grade, LineItem({"id": lineitem_url}))
        return platform.connector().last_response

    try:
        response = with_retries(attempt, platform.backoff, platform.sleep)
        return Outcome(decision.student, True, response.status_code, answer_of(response), tried["payload"],
                       tried["timestamp"])
    except Transient as failure:
        answer = f"{failure}" + (f": {failure.answer}" if failure.answer else "")
        return Outcome(decision.student, False, failure.status, answer, tried.get("payload", ""),
                       tried.get("timestamp", ""))
    except LtiServiceException as error:
        return Outcome(decision.student, False, error.response.status_code, answer_of(error.response),
                       tried.get("payload", ""), tried.get("timestamp", ""))
    except (LtiException, requests.RequestException) as error:
        return Outcome(decision.student, False, None, str(error)[:500], tried.get("payload", ""),
                       tried.get("timestamp", ""))


def push(course, platform: Platform, store: Store, context: Context, db_url, missing_as_zero=False, students=None):
    """Send what the rules above say to send; return the Report (every decision and every outcome).
    students: only these (the grading worker's, just graded), else the whole class."""
    lineitem_url, _ = lineitem.ensure(platform, store, context, db_url)
    if students is None:
        results = course_results(course, db_url=db_url)
    else:
        results = {s: student_result(course, s, db_url=db_url) for s in students}
    decisions = decide(results, store.users(context.issuer), store.sent(lineitem_url), missing_as_zero)
    report = Report(lineitem_url, decisions)
    todo = [d for d in decisions if d.state == SENDABLE]
    by_student = {d.student: d for d in todo}
    pending = []
    try:
        with concurrent.futures.ThreadPoolExecutor(max(1, platform.tool.push_threads)) as pool:
            futures = [pool.submit(send, platform, context, lineitem_url, d) for d in todo]
            for future in concurrent.futures.as_completed(futures):
                outcome = future.result()
                decision = by_student[outcome.student]
                pending.append(dict(lineitem_url=lineitem_url, student_id=outcome.student, sub=decision.sub,
                                    fingerprint=fingerprint(decision.content), payload=outcome.payload,
                                    timestamp=outcome.timestamp, ok=outcome.ok, status=outcome.status,
                                    answer=outcome.answer))
                report.outcomes.append(outcome)
                # Recorded RECORD_BATCH at a time: a commit per score cost more than sending it (300
                # scores: 5 s of SQLite commits).  A push killed in between sends those again next time:
                # the same scores, with later timestamps.
                if len(pending) >= RECORD_BATCH:
                    store.record_scores(pending)
                    pending = []
    finally:
        store.record_scores(pending)
    report.outcomes.sort(key=lambda o: o.student)
    return report


def summary(report: Report):
    """The lines a push prints: counts, then who was not sent and why."""
    lines = [f"Scores to the LMS line item {report.lineitem_url}:",
             f"  sent {len(report.sent)}, unchanged since the last push {len(report.by_state('unchanged'))}, "
             f"failed {len(report.failed)}"]
    withheld = report.by_state("withheld")
    if withheld:
        lines.append(f"  withheld for review, nothing sent (the LMS keeps what it has; `coursekit-review` lists, "
                     f"`coursekit-review clear` clears): {', '.join(d.student for d in withheld)}")
    missing = report.by_state("no submission")
    if missing:
        lines.append("  no submission, nothing sent (--missing-as-zero sends 0): "
                     + ", ".join(d.student for d in missing))
    unknown = report.by_state("not in the LMS")
    if unknown:
        lines.append(f"  no LMS user known (run `coursekit-lti roster`): {', '.join(d.student for d in unknown)}")
    for outcome in report.failed:
        status = f"HTTP {outcome.status}" if outcome.status else "no answer"
        lines.append(f"  NOT SENT {outcome.student}: {status}: {outcome.answer} (the next push sends it)")
    return "\n".join(lines)
