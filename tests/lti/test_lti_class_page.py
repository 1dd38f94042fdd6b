"""The instructor's page (an instructor's launch) without grading: the class at a glance from the queue,
the gradebook, the review and what the LMS accepted; its buttons (clear a withheld grade, push again)
work with the session's CSRF token and only for instructors.  Every refusal leaves everything as it was."""

import time

import pytest
from bs4 import BeautifulSoup

from coursekit.lti import queue
from coursekit.lti.store import open_store
from coursekit.spec import NOTEBOOKS

from .world import csrf_of, expected_scores

NB02 = NOTEBOOKS[1]
WORKER = "host:1:w/1"


def launched(world, user):
    browser = world.browser()
    page = browser.launch(user)
    assert page.status_code == 200, page.text
    return browser, csrf_of(page.text)


def graded_upload(world, student, score, maximum):
    """alice's upload as the worker leaves it once graded (no kernel here)."""
    store = open_store(world.path)
    try:
        row = queue.enqueue(store, issuer=world.lms.issuer, sub=f"u-{student}", student=student, deployment_id="d",
                            context_id="c", folder="20260101T000000000000Z-00000000", notebooks=[NB02],
                            timestamp="2026-01-01 00:00:00.000000 UTC", received_at=time.time(), after=None,
                            limit=10, window=600)
        assert [r.id for r in queue.claim(store, WORKER, 10)] == [row.id]
        assert queue.finish(store, row.id, WORKER, queue.GRADED, score=score, max_score=maximum,
                            result={NB02: {"status": "graded", "detail": "", "score": score, "max": maximum,
                                           "withheld": False}}, lms="")
    finally:
        store.close()


def row_of(page, student):
    soup = BeautifulSoup(page, "html.parser")
    header = soup.find("th", scope="row", string=lambda s: s and s.strip() == student) or next(
        th for th in soup.find_all("th", scope="row") if th.get_text(" ").split()[0] == student)
    return [cell.get_text(" ", strip=True) for cell in header.parent.find_all(["th", "td"])]


def test_the_class_page_shows_the_class_and_its_buttons_clear_and_push(world):
    teacher, token = launched(world, "u-prof")
    assert world.cli("roster")[0] == 0
    graded_upload(world, "alice", 6.5, 10.0)
    page = teacher.session.get(f"{world.tool_url}/class")
    assert page.status_code == 200
    alice, dana, eve = (row_of(page.text, s) for s in ("alice", "dana", "eve"))
    assert alice[0].startswith("alice Alice O'Neil") and NB02 in alice[1] and alice[2] == "graded"
    assert alice[3] == "6.5 / 10" and alice[4] == "no" and alice[5] == "nothing"  # the LMS holds nothing yet
    assert f"{NB02}: stopped (memory limit)" in dana[4] and "Clear after review" in dana[4]  # coursekit-review's rule
    assert eve[1] == "none" and eve[5] == "nothing"
    assert "Uploads waiting: 0 queued, 0 being graded. Graded: 1;" in " ".join(page.text.split())

    pushed = teacher.session.post(f"{world.tool_url}/push", data={"csrf": token})
    assert pushed.status_code == 200 and "sent 3, unchanged since the last push 0, failed 0" in pushed.text
    assert world.lms.held() == expected_scores(world.total)  # dana withheld: nothing sent for her
    held = row_of(pushed.text, "bao")[5]
    assert held == f"{world.lms.held()['u-bao'][0]:g} / {world.total:g}"  # what the LMS accepted

    cleared = teacher.session.post(f"{world.tool_url}/clear", data={"csrf": token, "student": "dana"})
    assert cleared.status_code == 200 and "Cleared dana" in cleared.text
    assert world.lms.held()["u-dana"] == (pytest.approx(world.total * 0.8), pytest.approx(world.total))
    assert row_of(cleared.text, "dana")[4] == "no"


def test_students_and_forged_forms_never_reach_the_class_page_or_its_buttons(world):
    teacher, token = launched(world, "u-prof")
    student, student_token = launched(world, "u-bao")
    stranger = world.browser()
    before, posts = world.dump(), world.lms.score_posts
    ledger = (world.path / "withheld.json").read_text()
    cases = {
        "a student opens the class page": (student, "get", "/class", {}, "Only the course's instructors"),
        "no session opens the class page": (stranger, "get", "/class", {}, "Open the assignment from the LMS"),
        "a student pushes, with their own token": (student, "post", "/push", {"csrf": student_token},
                                                   "Only the course's instructors"),
        "a student clears a grade": (student, "post", "/clear", {"csrf": student_token, "student": "dana"},
                                     "Only the course's instructors"),
        "a student imports the roster": (student, "post", "/roster", {"csrf": student_token},
                                         "Only the course's instructors"),
        "push without the token": (teacher, "post", "/push", {}, "did not come from the tool"),
        "push with a student's token": (teacher, "post", "/push", {"csrf": student_token},
                                        "did not come from the tool"),
        "clear without the token": (teacher, "post", "/clear", {"student": "dana"}, "did not come from the tool"),
        "clear a grade that is not withheld": (teacher, "post", "/clear", {"csrf": token, "student": "alice"},
                                               "Nothing of this student is withheld"),
        "an instructor on the student's page": (teacher, "get", "/assignment", {}, "This page is a student"),
    }
    for case, (who, method, path, data, words) in cases.items():
        answer = getattr(who.session, method)(f"{world.tool_url}{path}", data=data, allow_redirects=False)
        shown = BeautifulSoup(answer.text, "html.parser").get_text(" ")
        assert answer.status_code == 403 and words in shown, case
        assert "Clear after review" not in shown and "dana" not in shown, case
    assert world.dump() == before and world.lms.score_posts == posts
    assert (world.path / "withheld.json").read_text() == ledger
