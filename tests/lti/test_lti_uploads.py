"""The student's page without grading (no worker runs here): uploads recorded as nbgrader submissions,
every refusal with its answer and nothing changed, sessions, CSRF, feedback of one's own only, headers.

Driven over HTTPS by the tests' requests-based browser (tests/lti/world.py) through the test LMS's
launches; the grading and the real browser are in test_lti_browser.py."""

import concurrent.futures
import hashlib
import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from nbgrader.coursedir import CourseDirectory

from coursekit.lti import queue
from coursekit.lti.sessions import COOKIE
from coursekit.lti.store import open_store
from coursekit.spec import ASSIGNMENT, NOTEBOOKS
from devtools import examples
from devtools.scratch import REPO

from .world import World, csrf_of

NB01, NB02, NB03 = NOTEBOOKS
LIMITS = "c.LtiUploads.max_notebook_bytes = 100_000\nc.LtiUploads.rate_limit = 4\n"


def notebook(student, nb):
    return (examples.EXAMPLES / student / ASSIGNMENT / f"{nb}.ipynb").read_bytes()


def hand_in(browser, world, files, token):
    """POST the upload form: files [(name, bytes)]; the answer, redirects not followed."""
    data = {} if token is None else {"csrf": token}
    return browser.session.post(f"{world.tool_url}/upload", data=data, allow_redirects=False, timeout=60,
                                files=[("notebooks", (name, body, "application/x-ipynb+json")) for name, body in files])


def on_disk(world):
    """Every file a hand-in may write, with its digest, and every row of the tool's tables."""
    files = {str(p.relative_to(world.path)): hashlib.sha256(p.read_bytes()).hexdigest()
             for top in ("submitted", "lti/uploads", "feedback") for p in (world.path / top).rglob("*") if p.is_file()}
    return files, world.dump()


@pytest.fixture
def limited(tmp_path, pems):
    made = World(tmp_path, pems, settings=LIMITS)
    yield made
    made.close()


def launched(world, user="u-bao"):
    browser = world.browser()
    page = browser.launch(user)
    assert page.status_code == 200, page.text
    return browser, page


def test_a_hand_in_becomes_a_queued_nbgrader_submission_and_the_earlier_one_is_kept(world):
    browser, page = launched(world)
    assert "You are <strong>bao</strong>" in page.text and "Nothing handed in yet." in page.text
    assert page.url == f"{world.tool_url}/assignment"  # a GET page after the launch: reloading it works
    token = csrf_of(page.text)
    # The release, as the page offers it.
    download = browser.session.get(f"{world.tool_url}/release/{NB02}.ipynb")
    assert download.content == (REPO / "release" / ASSIGNMENT / f"{NB02}.ipynb").read_bytes()
    assert "attachment" in download.headers["Content-Disposition"]

    first = hand_in(browser, world, [(f"{NB02}.ipynb", notebook("bao", NB02))], token)
    assert first.status_code == 303 and first.headers["Location"].startswith("/assignment?received=")
    shown = browser.session.get(world.tool_url + first.headers["Location"])
    assert f"Received {NB02}" in shown.text and "is queued" in shown.text
    store = open_store(world.path)
    (row,) = queue.history(store, "bao")
    assert (row.state, row.notebooks) == (queue.QUEUED, [NB02])
    kept = world.path / "lti" / "uploads" / "bao" / row.folder / ASSIGNMENT
    current = world.path / "submitted" / "bao" / ASSIGNMENT
    assert (kept / f"{NB02}.ipynb").read_bytes() == notebook("bao", NB02)
    assert sorted(p.name for p in current.iterdir()) == [f"{NB02}.ipynb", "timestamp.txt"]
    assert (current / f"{NB02}.ipynb").read_bytes() == notebook("bao", NB02)
    # nbgrader reads the timestamp (its late penalty counts from it)
    stamp = CourseDirectory().get_existing_timestamp(str(current))
    assert stamp.timestamp() == pytest.approx(row.received_at, abs=1e-3)

    # Notebook 01 alone: the submission is 01 as uploaded with 02 as before; the first upload stays as it was.
    second = hand_in(browser, world, [(f"{NB01}.ipynb", notebook("alice", NB01))], token)
    assert second.status_code == 303
    newer, older = queue.history(store, "bao")
    store.close()
    assert (newer.state, newer.notebooks, older.state, older.superseded_by) == (
        queue.QUEUED, [NB01], queue.SUPERSEDED, newer.id)
    assert sorted(p.name for p in kept.iterdir()) == [f"{NB02}.ipynb", "timestamp.txt"]
    assert (current / f"{NB01}.ipynb").read_bytes() == notebook("alice", NB01)
    assert (current / f"{NB02}.ipynb").read_bytes() == notebook("bao", NB02)
    assert (current / "timestamp.txt").read_text() == newer.timestamp != older.timestamp
    page = browser.session.get(f"{world.tool_url}/assignment").text
    assert page.count('class="state state-superseded"') == 1 and 'data-poll="3"' in page


def bad_notebook():
    node = json.loads(notebook("bao", NB02))
    node["cells"][0]["cell_type"] = "sideways"
    return json.dumps(node).encode()


# name: (files of the upload, HTTP status, what the page says)
REFUSALS = {
    "a file of another name": ([("homework.ipynb", b"{}")], 400, "is not a notebook of this assignment"),
    "a name with a path": ([(f"../../{NB02}.ipynb", b"{}")], 400, "is not a notebook of this assignment"),
    "not JSON": ([(f"{NB02}.ipynb", b"\x89PNG\r\n\x1a\n")], 400, "is not a notebook file"),
    "JSON, not a notebook": ([(f"{NB02}.ipynb", b'{"cells": 7}')], 400, "is not a valid Jupyter notebook"),
    "nbformat 4, cells not a list": ([(f"{NB02}.ipynb", b'{"nbformat": 4, "nbformat_minor": 5, "cells": 7, '
                                                         b'"metadata": {}}')], 400, "is not a valid Jupyter notebook"),
    "a broken cell": ([(f"{NB02}.ipynb", None)], 400, "is not a valid Jupyter notebook (its cell 1 is not a notebook"),
    "another notebook under its name": ([(f"{NB02}.ipynb", NB01)], 400, f"It looks like {NB01}.ipynb"),
    "the same notebook twice": ([(f"{NB02}.ipynb", NB02), (f"{NB02}.ipynb", NB02)], 400, "was chosen twice"),
    "no file": ([], 400, "No file was chosen"),
    "larger than a notebook may be": ([(f"{NB03}.ipynb", NB03)], 413, "is larger than 100 kB"),
}


def test_every_bad_upload_is_refused_with_a_clear_message_and_changes_nothing(limited):
    world = limited
    browser, page = launched(world)
    token = csrf_of(page.text)
    assert hand_in(browser, world, [(f"{NB02}.ipynb", notebook("bao", NB02))], token).status_code == 303
    before = on_disk(world)
    for case, (files, status, words) in REFUSALS.items():
        files = [(name, bad_notebook() if body is None else notebook("bao", body) if isinstance(body, str) else body)
                 for name, body in files]
        answer = hand_in(browser, world, files, token)
        assert answer.status_code == status, (case, answer.status_code)
        error = BeautifulSoup(answer.text, "html.parser").find(class_="error")
        assert error is not None and words in error.get_text(" "), (case, error)
        assert "Nothing was kept of this upload" in error.get_text(" ")
        assert on_disk(world) == before, case
    # More than a whole upload may be: cheroot passes it, the app refuses it before reading it.
    huge = hand_in(browser, world, [(f"{NB02}.ipynb", b"x" * (3 * 100_000 + 70_000))], token)
    assert huge.status_code == 413 and "The upload is too large" in huge.text
    assert on_disk(world) == before


def test_forms_need_the_session_and_its_token(limited):
    world = limited
    browser, page = launched(world)
    other, other_page = launched(world, "u-chidi")
    files = [(f"{NB02}.ipynb", notebook("bao", NB02))]
    before = on_disk(world)
    cases = {
        "no token": (browser, None, "did not come from the tool"),
        "another session's token": (browser, csrf_of(other_page.text), "did not come from the tool"),
        "no session": (world.browser(), csrf_of(page.text), "Open the assignment from the LMS"),
    }
    for case, (who, token, words) in cases.items():
        answer = hand_in(who, world, files, token)
        assert answer.status_code == 403 and words in answer.text, case
        assert on_disk(world) == before, case
    teacher, teacher_page = launched(world, "u-prof")
    answer = hand_in(teacher, world, files, csrf_of(teacher_page.text))
    assert answer.status_code == 403 and "This page is a student" in answer.text
    for who in (browser, world.browser()):  # the class page: instructors only
        assert who.session.get(f"{world.tool_url}/class").status_code == 403
    assert on_disk(world)[0] == before[0]


def test_uploads_past_the_rate_limit_are_refused_with_when_to_try_again(limited):
    world = limited
    browser, page = launched(world)
    token = csrf_of(page.text)
    for _ in range(4):
        assert hand_in(browser, world, [(f"{NB02}.ipynb", notebook("bao", NB02))], token).status_code == 303
    before = on_disk(world)
    answer = hand_in(browser, world, [(f"{NB02}.ipynb", notebook("bao", NB02))], token)
    assert answer.status_code == 429 and 0 < int(answer.headers["Retry-After"]) <= 601
    assert "You have handed in 4 times in the last 10 minutes" in answer.text
    assert on_disk(world) == before
    other, other_page = launched(world, "u-chidi")  # per student: chidi is not limited by bao's uploads
    assert hand_in(other, world, [(f"{NB02}.ipynb", notebook("chidi", NB02))], csrf_of(other_page.text)) \
        .status_code == 303


def test_a_student_reads_only_their_own_feedback(world):
    for student in ("bao", "chidi"):
        folder = world.path / "feedback" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / f"{NB02}.html").write_text(f"<html><body>feedback of {student}</body></html>")
    bao, _ = launched(world)
    own = bao.session.get(f"{world.tool_url}/feedback/bao/{NB02}")
    assert own.status_code == 200 and "feedback of bao" in own.text
    assert own.headers["Content-Security-Policy"].startswith("sandbox allow-scripts;")  # an origin of its own
    for path in (f"chidi/{NB02}", f"..%2Fchidi/{NB02}", f"bao/..%2F..%2Fchidi%2F{ASSIGNMENT}%2F{NB02}",
                 "bao/checks", f"bao/{NB02}.html"):
        answer = bao.session.get(f"{world.tool_url}/feedback/{path}")
        assert answer.status_code in (403, 404) and "feedback of chidi" not in answer.text, path
    assert "This is not your feedback" in bao.session.get(f"{world.tool_url}/feedback/chidi/{NB02}").text
    teacher, _ = launched(world, "u-prof")  # instructors read anyone's
    assert "feedback of chidi" in teacher.session.get(f"{world.tool_url}/feedback/chidi/{NB02}").text


def test_the_session_cookie_works_in_an_lms_iframe_and_pages_carry_security_headers(world):
    browser = world.browser()
    action, fields = browser.authorize("u-bao")
    launch = browser.session.post(action, data=fields, allow_redirects=False)
    assert launch.status_code == 303 and launch.headers["Location"] == "/assignment"
    cookie = launch.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}=") and all(
        part in cookie for part in ("; Secure", "; HttpOnly", "; SameSite=None", "; Partitioned", "; Path=/"))
    page = browser.session.get(f"{world.tool_url}/assignment")
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert f"frame-ancestors 'self' {world.lms.base}" in policy
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    assert (page.headers["X-Content-Type-Options"], page.headers["Referrer-Policy"], page.headers["Cache-Control"]) \
        == ("nosniff", "no-referrer", "no-store")
    # Nothing secret on the page: not the tool's key, not the other students.
    private_key = "".join(world.pems["tool"][0].strip().splitlines()[1:-1])
    text = page.text.replace("\n", "")
    assert private_key[:40] not in text and not re.search(r"alice|chidi|dana|O'Neil", page.text)


def test_each_upload_is_checked_and_kept_in_arrival_order_under_a_burst(world):
    """Four uploads of one student posted at once: each recorded, one after the other, every one kept; the
    newest is the only one queued and is nbgrader's submission."""
    browser, page = launched(world)
    token = csrf_of(page.text)
    bodies = [notebook(s, NB02) for s in ("alice", "bao", "chidi", "alice")]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda body: hand_in(browser, world, [(f"{NB02}.ipynb", body)], token), bodies))
    assert [a.status_code for a in answers] == [303] * 4
    store = open_store(world.path)
    rows = queue.history(store, "bao")
    store.close()
    assert [r.state for r in rows] == [queue.QUEUED] + [queue.SUPERSEDED] * 3
    assert [r.superseded_by for r in rows[1:]] == [rows[0].id, rows[1].id, rows[2].id]
    folders = [world.path / "lti" / "uploads" / "bao" / r.folder / ASSIGNMENT for r in rows]
    assert sorted((f / f"{NB02}.ipynb").read_bytes() for f in folders) == sorted(bodies)
    current = world.path / "submitted" / "bao" / ASSIGNMENT
    assert (current / "timestamp.txt").read_text() == rows[0].timestamp
    assert (current / f"{NB02}.ipynb").read_bytes() == (folders[0] / f"{NB02}.ipynb").read_bytes()
    assert Path(world.path / "lti" / "tmp").is_dir() and not any((world.path / "lti" / "tmp").iterdir())
