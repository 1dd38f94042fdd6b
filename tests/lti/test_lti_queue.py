"""The grading queue: claims never give one upload twice, a student's uploads are graded in order of
arrival, a worker that died gives its claims back, and a burst of 300 uploads goes through the real
hand-in and the real worker loop with none lost and each graded once.  No kernel here: the worker's
grading step is a cheap stand-in (tests/lti_grading grades for real; devtools.bench_lti_submit times
the burst over HTTPS, graded for real)."""

import concurrent.futures
import io
import json
import os
import socket
import threading
import time
from pathlib import Path

import pytest

from coursekit.lti import grading, handin, queue
from coursekit.lti.sessions import LEARNER, WebSession
from coursekit.lti.store import Store
from coursekit.lti.uploads import LtiUploads
from coursekit.lti.worker import LtiWorker, Worker, process_is_gone
from coursekit.results import StudentResult
from coursekit.spec import ASSIGNMENT, NOTEBOOKS
from devtools import examples

NB02 = NOTEBOOKS[1]
HOST = socket.gethostname()


@pytest.fixture
def store(tmp_path):
    made = Store(f"sqlite:///{tmp_path / 'queue.db'}")
    yield made
    made.close()


def upload(store, student, moment=None):
    moment = moment or time.time()
    newest = queue.latest(store, student)
    return queue.enqueue(store, issuer="lms", sub=f"u-{student}", student=student, deployment_id="d", context_id="c",
                         folder=f"f{moment}", notebooks=[NB02], timestamp=str(moment), received_at=moment,
                         after=newest.id if newest else None, limit=100, window=60)


def test_claims_at_once_never_give_one_upload_twice(store):
    for n in range(60):
        upload(store, f"s{n:02d}")
    claimed = []

    def take(worker):
        mine = []
        for n in range(1, 100):  # each claim has a name of its own, as a worker's do
            rows = queue.claim(store, f"{HOST}:1:{worker}/{n}", 4)
            if not rows:
                return mine
            mine += [row.id for row in rows]
        raise AssertionError("the queue never emptied")

    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        for mine in pool.map(take, range(6)):
            claimed += mine
    assert sorted(claimed) == list(range(1, 61))  # each once, none left


def test_a_students_uploads_are_graded_one_at_a_time_in_arrival_order(store):
    first = upload(store, "ana")
    upload(store, "ben")
    assert [r.id for r in queue.claim(store, "w:1:a/1", 1)] == [first.id]  # the oldest first
    second = upload(store, "ana")  # arrives while the first is graded: waits for it
    assert [r.student_id for r in queue.claim(store, "w:1:a/2", 10)] == ["ben"]
    assert queue.claim(store, "w:1:a/3", 10) == []
    assert queue.finish(store, first.id, "w:1:a/1", queue.GRADED, score=1.0, max_score=2.0)
    assert not queue.finish(store, first.id, "w:1:a/1", queue.GRADED)  # once
    assert [r.id for r in queue.claim(store, "w:1:a/4", 10)] == [second.id]


def test_a_newer_upload_supersedes_the_queued_one_and_the_rate_limit_counts_each(store):
    rows = [upload(store, "ana", 1000.0 + n) for n in range(3)]
    states = [queue.get(store, r.id) for r in rows]
    assert [s.state for s in states] == [queue.SUPERSEDED, queue.SUPERSEDED, queue.QUEUED]
    assert [s.superseded_by for s in states[:2]] == [rows[1].id, rows[2].id]
    with pytest.raises(queue.RateLimited) as limited:
        queue.enqueue(store, issuer="lms", sub="u-ana", student="ana", deployment_id="d", context_id="c",
                      folder="x", notebooks=[NB02], timestamp="t", received_at=1003.0, after=rows[2].id, limit=3,
                      window=60)
    assert limited.value.retry_after == 58  # the oldest of the three leaves the window at 1060
    with pytest.raises(queue.Overtaken):  # built on an upload that is no longer the newest
        queue.enqueue(store, issuer="lms", sub="u-ana", student="ana", deployment_id="d", context_id="c",
                      folder="y", notebooks=[NB02], timestamp="t", received_at=1004.0, after=rows[1].id, limit=9,
                      window=60)
    assert len(queue.history(store, "ana")) == 3


def test_the_claims_of_a_worker_that_died_are_given_back(store):
    gone = f"{HOST}:{2**22 + 12345}:dead"  # no such process
    alive = f"{HOST}:{os.getpid()}:alive"
    elsewhere = f"another-host:{os.getpid()}:x"
    assert process_is_gone(gone + "/1") and not process_is_gone(alive + "/1") and not process_is_gone(elsewhere)
    ana, ben, cay, dot = (upload(store, s) for s in ("ana", "ben", "cay", "dot"))
    queue.claim(store, gone + "/1", 2)  # ana, ben
    queue.claim(store, alive + "/1", 1)  # cay
    queue.claim(store, elsewhere + "/1", 1)  # dot
    newer_ben = upload(store, "ben")
    dead = {w for w in queue.workers_grading(store) if process_is_gone(w)}
    assert dead == {gone + "/1"}
    assert queue.requeue_stale(store, dead, lease=600, attempts=3) == 2
    assert (queue.get(store, ana.id).state, queue.get(store, ana.id).attempts) == (queue.QUEUED, 1)
    assert queue.get(store, ben.id).state == queue.SUPERSEDED and queue.get(store, newer_ben.id).state == queue.QUEUED
    assert queue.get(store, cay.id).state == queue.GRADING  # its worker lives
    # dot's worker, on another machine, stops beating: after the lease it is given back too.
    assert queue.requeue_stale(store, set(), lease=-1, attempts=3) == 2  # (cay's too: lease -1 s)
    assert queue.get(store, dot.id).state == queue.QUEUED
    for n in range(2):  # ana's grading interrupted twice more: failed, not tried again
        queue.claim(store, f"{gone}/{n + 2}", 10)
        queue.requeue_stale(store, {f"{gone}/{n + 2}"}, lease=600, attempts=3)
    assert queue.get(store, ana.id).state == queue.FAILED and "interrupted 3 times" in queue.get(store, ana.id).detail


def variant(base, n):
    """Notebook 02 with a cell that says which upload it is: every upload's content is its own."""
    node = json.loads(base)
    node["cells"].append({"cell_type": "markdown", "id": f"upload-{n}", "metadata": {}, "source": f"upload {n}"})
    return json.dumps(node).encode()


class CheapEngine:
    """coursekit/lti/grading.py's functions with a real but cheap grading step: each staged submission is
    read from the claim's folder, as nbgrader would read it, and which upload it holds is recorded; its
    result is the results model's (an empty one: no notebook graded, 0 of 0 points)."""

    def __init__(self):
        self.graded, self.lock = [], threading.Lock()  # (student, upload number) in grading order

    def sandbox_problems(self, course):
        return []

    def autograde(self, course, folder, jobs, scheduler=None):
        for submission in sorted(Path(folder).iterdir()):
            node = json.loads((submission / ASSIGNMENT / f"{NB02}.ipynb").read_text())
            with self.lock:
                self.graded.append((submission.name, int(node["cells"][-1]["source"].split()[1])))
        time.sleep(0.02)  # a claim takes a moment: uploads keep arriving meanwhile
        return {}

    def withhold_doubtful(self, course, folder):
        return ""

    def student_result(self, course, student, folder=None):
        return StudentResult(student)

    summary = staticmethod(grading.summary)

    def generate_feedback(self, course, student, log=None, into=None):
        folder = Path(course) / into / student / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / "timestamp.txt").write_text("graded")


def start_worker(course, engine):
    settings = LtiWorker(batch_size=8, poll_interval=0.02, jobs=1)
    worker = Worker(course, settings, out=io.StringIO(), engine=engine)
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    return worker, thread


STUDENTS, EACH = 12, 5  # the quick tier's burst; devtools.bench_lti_submit sends 300 over HTTPS, graded for real


def test_a_burst_of_uploads_none_lost_each_graded_once_in_order_across_a_worker_restart(tmp_path):
    """60 uploads of 12 students at once through the real hand-in (files, queue) while the real worker loop grades
    with a cheap step; the worker is stopped and another started halfway, and a claim of a worker that
    died is left behind: every upload ends graded or superseded by a newer one, none graded twice, each
    student's in order of arrival, each student's last one graded."""
    course = tmp_path / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text(f"c.LtiTool.db_url = 'sqlite:///{tmp_path / 'tool.db'}'\n")
    store = Store(f"sqlite:///{tmp_path / 'tool.db'}")
    students, total = [f"burst{n:02d}" for n in range(STUDENTS)], STUDENTS * EACH
    sessions = {s: WebSession("", LEARNER, "lms", f"u-{s}", s, s, "d", "c", "", "", "", 0.0) for s in students}
    base = (examples.EXAMPLES / "bao" / ASSIGNMENT / f"{NB02}.ipynb").read_bytes()
    limits = LtiUploads(rate_limit=20)
    engine = CheapEngine()

    def post(n):
        student = students[n % STUDENTS]
        return handin.hand_in(course, store, sessions[student], {NB02: variant(base, n)}, limits).id

    first, thread = start_worker(course, engine)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(post, range(total // 2)))
        first.stopping.set()  # a restart: the claim in hand is finished, then the worker stops
        thread.join(30)
        dead = f"{HOST}:{2**22 + 4321}:dead/1"  # a worker that died holding a claim
        left = queue.claim(store, dead, 3)
        second, thread = start_worker(course, engine)
        ids += list(pool.map(post, range(total // 2, total)))
    deadline = time.monotonic() + 60
    while any(queue.counts(store).get(state) for state in queue.WAITING):
        assert time.monotonic() < deadline and thread.is_alive(), queue.counts(store)
        time.sleep(0.05)
    second.stopping.set()
    thread.join(30)

    assert len(set(ids)) == total and queue.counts(store) == {
        queue.GRADED: len(engine.graded), queue.SUPERSEDED: total - len(engine.graded)}
    assert len(engine.graded) == len(set(engine.graded))  # none graded twice
    assert {student for student, _ in engine.graded} >= {row.student_id for row in left}  # given back, graded
    for index, student in enumerate(students):
        mine = [n for n in range(total) if n % STUDENTS == index]
        rows = queue.history(store, student)[::-1]  # in order of arrival
        kept = [json.loads((course / "lti" / "uploads" / student / row.folder / ASSIGNMENT / f"{NB02}.ipynb")
                           .read_text())["cells"][-1]["source"] for row in rows]
        assert sorted(kept) == sorted(f"upload {n}" for n in mine)  # every upload kept, as sent
        # Eight threads post at once, so a student's uploads may arrive out of the order they were
        # numbered in: the queue's order is the order of arrival.
        arrived = [int(text.removeprefix("upload ")) for text in kept]
        numbers = [n for s, n in engine.graded if s == student]
        assert numbers == [n for n in arrived if n in numbers]  # graded in order of arrival
        assert numbers[-1] == arrived[-1]  # the last to arrive is graded
        for row in rows:
            if row.state == queue.SUPERSEDED:
                assert row.superseded_by is not None and row.superseded_by > row.id
        assert (course / "feedback" / student / ASSIGNMENT / "timestamp.txt").read_text() == "graded"
    assert not any((course / "lti" / "tmp").iterdir())  # feedback written aside, then moved in place
    store.close()
