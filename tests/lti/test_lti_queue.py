"""The grading queue: claims never give one upload twice, a student's uploads are graded in order of
arrival, a worker that died gives its claims back, and a burst of 300 uploads over HTTPS is accepted
and queued with none lost.  No grading here (test_lti_browser.py grades)."""

import concurrent.futures
import json
import os
import socket
import time

import pytest

from coursekit.lti import queue
from coursekit.lti.store import Store
from coursekit.lti.worker import process_is_gone
from coursekit.spec import ASSIGNMENT, NOTEBOOKS
from devtools import examples

from .lti_platform import LEARNER
from .test_lti_uploads import hand_in
from .world import World, csrf_of

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


def test_a_burst_of_300_uploads_is_accepted_and_queued_none_lost(tmp_path, pems):
    world = World(tmp_path, pems, settings="c.LtiUploads.rate_limit = 20")
    try:
        students = [f"burst{n:02d}" for n in range(30)]
        for student in students:
            world.lms.add_user(f"u-{student}", [LEARNER], "Burst", student, f"{student}@example.edu")
        browsers = {}
        for student in students:
            browser = world.browser()
            page = browser.launch(f"u-{student}")
            browsers[student] = (browser, csrf_of(page.text))
        base = (examples.EXAMPLES / "bao" / ASSIGNMENT / f"{NB02}.ipynb").read_bytes()
        bodies = [variant(base, n) for n in range(300)]

        def post(n):
            browser, token = browsers[students[n % 30]]
            return hand_in(browser, world, [(f"{NB02}.ipynb", bodies[n])], token).status_code

        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(post, range(300)))
        took = time.monotonic() - started
        assert codes == [303] * 300, {c: codes.count(c) for c in set(codes)}
        print(f"300 uploads accepted in {took:.1f} s")
        store = Store(world.db_url)
        kept = []
        for student in students:
            rows = queue.history(store, student)  # newest first
            assert len(rows) == 10 and [r.state for r in rows] == [queue.QUEUED] + [queue.SUPERSEDED] * 9
            assert [r.superseded_by for r in rows[1:]] == [r.id for r in rows[:-1]]  # in order of arrival
            for row in rows:
                kept_file = world.path / "lti" / "uploads" / student / row.folder / ASSIGNMENT / f"{NB02}.ipynb"
                kept.append(json.loads(kept_file.read_text())["cells"][-1]["source"])
            current = world.path / "submitted" / student / ASSIGNMENT
            assert (current / "timestamp.txt").read_text() == rows[0].timestamp
        assert sorted(kept) == sorted(f"upload {n}" for n in range(300))  # none lost, none twice
        claimed = queue.claim(store, f"{HOST}:1:w/1", 1000)
        assert sorted(r.student_id for r in claimed) == students  # one per student: the newest
        assert all(r.id == queue.latest(store, r.student_id).id for r in claimed)
        assert queue.claim(store, f"{HOST}:1:w/2", 1000) == []
        store.close()
    finally:
        world.close()
