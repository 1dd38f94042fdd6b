"""The grading worker: takes uploads from the queue, grades them as coursekit-grade does, sends the scores.

`coursekit-lti worker` (and `coursekit-lti serve`, which starts it beside the web server): a process of
its own, so the web process never runs student code.  Its loop:

1. claim up to LtiWorker.batch_size queued uploads (coursekit/lti/queue.py: oldest first, one per
   student, none of a student being graded);
2. copy them into a submissions folder of the claim's own (lti/grading/<claim>/) and grade it
   through coursekit/lti/grading.py: the sandbox, split grading, the local pool (LtiWorker.jobs) or
   the Dask cluster (LtiWorker.scheduler), then the review that withholds every doubtful notebook;
3. read each student's result (final score, statuses, withheld or not) and send the scores to the
   LMS at once (coursekit/lti/push_now.py; withheld ones send nothing), then record each outcome;
4. write the students' feedback pages (nbgrader's GenerateFeedback with the course's configuration).

It beats while it grades; claims of a worker that died are given back when a worker starts and
between claims (its process is gone from this machine, or silent for LtiWorker.lease seconds).  A
submission is graded only when newer than its graded copy, so one recorded before a crash is not
graded again.  Before anything, the sandbox's live self-check (as coursekit-grade): a failure grades
nothing.  SIGTERM or SIGINT: the claim in hand is finished, then the worker stops.
"""

import itertools
import logging
import os
import secrets
import shutil
import signal
import socket
import sys
import threading
import time

from sqlalchemy.exc import OperationalError
from traitlets import Bool, Float, Integer, Unicode
from traitlets.config import LoggingConfigurable

from ..course import config_of
from . import grading, queue, submissions
from .config import settings_of
from .keys import KeysError
from .platform import Platform
from .push_now import push_students
from .store import open_store

LOCKED_TRIES = 5  # SQLite: a step that met "database is locked" (another writer) is tried again


class LtiWorker(LoggingConfigurable):
    """The grading worker of the student's page (coursekit/lti/worker.py, docs/lti.md)."""

    jobs = Integer(os.cpu_count() or 1, help="Students graded at once on this machine, each in its own sandbox "
                                             "(coursekit-grade --jobs).").tag(config=True)
    scheduler = Unicode("", help="Grade on this Dask cluster instead, e.g. tcp://grader1:8786 (coursekit-grade "
                                 "--scheduler).").tag(config=True)
    batch_size = Integer(24, help="The most uploads one claim takes: a burst is graded in batches this large, "
                                  "each student's scores sent when their batch is graded.").tag(config=True)
    poll_interval = Float(0.5, help="Seconds between two looks at the queue when it is empty.").tag(config=True)
    heartbeat_interval = Float(10.0, help="Seconds between two signs of life while grading.").tag(config=True)
    lease = Float(600.0, help="A claim whose worker gave no sign of life for this many seconds is given back to "
                              "the queue (a worker on another machine that died).").tag(config=True)
    attempts = Integer(3, help="An upload whose grading was interrupted this many times is marked failed "
                               "instead of being tried again.").tag(config=True)
    start_with_server = Bool(True, help="`coursekit-lti serve` starts the worker as a second process; False: "
                                        "run `coursekit-lti worker` yourself (or several, on any machine that "
                                        "shares the course directory and database).").tag(config=True)


def process_is_gone(worker, host=None):
    """Whether a worker named host:pid:token runs on this machine and its process is gone."""
    parts = worker.split("/", 1)[0].split(":")
    if len(parts) != 3 or parts[0] != (host or socket.gethostname()) or not parts[1].isdigit():
        return False
    try:
        os.kill(int(parts[1]), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def tried_while_locked(step, *args):
    """step(*args), tried again when SQLite answers "database is locked" (a writer of the web process)."""
    for attempt in range(LOCKED_TRIES):
        try:
            return step(*args)
        except OperationalError as error:
            if "locked" not in str(error) or attempt == LOCKED_TRIES - 1:
                raise
            time.sleep(0.5 * (attempt + 1))


class Worker:
    """`engine`: the grading engine's entry points, coursekit/lti/grading.py (a test may pass an object with
    the same functions, to drive this loop with a cheaper grading step)."""

    def __init__(self, course, settings: LtiWorker, log=None, out=None, engine=grading):
        self.course, self.settings, self.engine = course, settings, engine
        self.log = log or logging.getLogger("coursekit.lti.worker")
        self.out = out or sys.stdout
        self.tool = settings_of(course)
        self.store = open_store(course, self.tool.db_url or None)
        self.name = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.claims = itertools.count(1)
        self.current = None  # the claim being graded
        self.stopping = threading.Event()
        self.platform = self.lms_platform()

    def say(self, text):
        print(f"[{time.strftime('%H:%M:%S')}] {text}", file=self.out, flush=True)

    def lms_platform(self):
        if not self.tool.configured or self.tool.missing():
            return None
        try:
            return Platform(self.course, self.tool)
        except KeysError as error:
            self.say(f"scores will not be sent: {error}")
            return None

    # ------------------------------------------------------------ the loop

    def run(self, once=False):
        problems = self.engine.sandbox_problems(self.course)
        if problems:
            self.say("the grading sandbox failed its self-check, so nothing is graded:\n  " + "\n  ".join(problems))
            return 2
        beating = threading.Thread(target=self.beat, name="coursekit-lti-heartbeat", daemon=True)
        beating.start()
        self.say(f"worker {self.name} grading {self.course} ({self.settings.jobs} at once"
                 + (f", on {self.settings.scheduler}" if self.settings.scheduler else "") + ")")
        self.give_back_stale()
        self.write_missing_feedback()
        try:
            while not self.stopping.is_set():
                self.give_back_stale()
                claim = f"{self.name}/{next(self.claims)}"
                rows = queue.claim(self.store, claim, self.settings.batch_size)
                if rows:
                    self.grade(claim, rows)
                elif once:
                    break
                else:
                    self.stopping.wait(self.settings.poll_interval)
        finally:
            self.stopping.set()
            self.store.close()
        return 0

    def beat(self):
        while not self.stopping.wait(self.settings.heartbeat_interval):
            claim = self.current
            if claim is not None:
                try:
                    queue.heartbeat(self.store, claim)
                except OperationalError as error:  # a busy SQLite: the next beat comes soon
                    self.log.warning("heartbeat: %s", error)

    def give_back_stale(self):
        dead = {w for w in queue.workers_grading(self.store) if process_is_gone(w)}
        given = queue.requeue_stale(self.store, dead, self.settings.lease, self.settings.attempts)
        if given:
            self.say(f"gave back {given} upload(s) of a worker that stopped")

    # ------------------------------------------------------------ one claim

    def grade(self, claim, rows):
        self.current = claim
        folder = submissions.stage_claim(self.course, claim.replace(":", "-").replace("/", "-"), rows)
        students = [row.student_id for row in rows]
        self.say(f"grading {len(rows)} upload(s): {', '.join(students)}")
        started = time.monotonic()
        try:
            outcome = self.engine.autograde(self.course, folder, self.settings.jobs, self.settings.scheduler)
            tried_while_locked(self.engine.withhold_doubtful, self.course, folder)
            graded = {row.student_id: tried_while_locked(self.engine.student_result, self.course, row.student_id,
                                                         folder) for row in rows}
            lines = self.send(rows, graded)
            for row in rows:
                self.record(claim, row, graded[row.student_id], outcome, lines.get(row.student_id, ""))
        except Exception as error:
            self.log.exception("grading failed")
            queue.release(self.store, [row.id for row in rows], claim, f"grading failed: {type(error).__name__}: "
                          f"{error}", self.settings.attempts)
            self.say(f"grading failed ({type(error).__name__}: {error}); the uploads go back to the queue")
            return
        finally:
            self.current = None
            shutil.rmtree(folder, ignore_errors=True)
        self.say(f"graded {len(rows)} in {time.monotonic() - started:.1f} s")
        for student in students:
            self.write_feedback(student)

    def send(self, rows, graded):
        if self.platform is None:
            return {row.student_id: "not sent: LTI is not configured (c.LtiTool in nbgrader_config.py)" for row in rows}
        groups = {}
        for row in rows:
            groups.setdefault((row.issuer, row.deployment_id, row.context_id), []).append(row.student_id)
        return push_students(self.course, self.platform, self.store, groups, self.tool.missing_as_zero)

    def record(self, claim, row, result, outcome, lms):
        why = [f"{nb}: {text}" for (student, nb), text in outcome.items() if student == row.student_id and text]
        state = queue.WITHHELD if result.withheld else queue.GRADED
        detail = "; ".join(filter(None, [result.withheld, *why]))
        recorded = queue.finish(self.store, row.id, claim, state, score=round(result.final_score, 6),
                                max_score=round(result.max_score, 6), result=self.engine.summary(result), lms=lms,
                                detail=detail[:4000])
        self.say(f"{row.student_id} (upload {row.id}): {state} {result.final_score:g}/{result.max_score:g}; {lms}"
                 + ("" if recorded else " [not recorded: the claim was given back meanwhile]"))

    # ------------------------------------------------------------ feedback pages

    def write_feedback(self, student):
        """The student's feedback pages, written aside and put in place in one step (the page links to them
        once their timestamp is the graded upload's: never to a set half written)."""
        aside = submissions.feedback_aside(self.course)
        try:
            self.engine.generate_feedback(self.course, student, self.log, into=aside)
            submissions.publish_feedback(self.course, student, aside)
        except Exception as error:  # the grade stands; the page says the feedback is missing
            self.log.exception("feedback for %s", student)
            self.say(f"feedback pages of {student} could not be written: {type(error).__name__}: {error}")
        finally:
            shutil.rmtree(os.path.join(self.course, aside), ignore_errors=True)

    def write_missing_feedback(self):
        """Feedback pages a worker that stopped did not write (their timestamp is not the graded upload's)."""
        for student, row in queue.last_finished_per_student(self.store).items():
            if row.state != queue.FAILED and submissions.feedback_timestamp(self.course, student) != row.timestamp:
                self.write_feedback(student)


def main(course, once=False, jobs=None, out=None):
    settings = LtiWorker(config=config_of(course))
    if jobs is not None:
        settings.jobs = jobs
    worker = Worker(course, settings, out=out)

    def stop(signum, frame):
        worker.say("stopping after the uploads in hand")
        worker.stopping.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
    return worker.run(once)
