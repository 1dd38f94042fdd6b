"""A student hands in inside the LMS and reads graded feedback: Debian's Chromium (Playwright) against
the test LMS (lti1p3platform) and the tool over HTTPS, with real grading by the worker process.

One course, one LMS, one browser for the module; the tests follow a term's order:
- the student opens the assignment in the LMS's page (the tool in its iframe), sees the due date the
  LMS sent, downloads the release;
- a forged and a replayed launch are refused inside that iframe;
- she hands in her three notebooks; chidi hands in a notebook that kills its kernel; the service is
  restarted while both wait in the queue; then the worker starts and grades them in one claim;
- her page updates itself: graded, the score, the feedback pages (hers only); the LMS holds the score;
  chidi's is withheld with its status, and the LMS holds nothing for him;
- the instructor's page shows the class; clearing chidi's grade sends it; pushing again sends nothing new.
Screenshots go to test-output/lti/ (not committed).
"""

import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from nbgrader.api import Gradebook

from coursekit import notebooks
from coursekit.course import environment
from coursekit.lti import queue
from coursekit.lti.store import open_store
from coursekit.redaction import Markers
from coursekit.spec import ASSIGNMENT, NOTEBOOKS
from devtools import examples
from devtools.scratch import REPO
from tests.lti.test_lti_launch import forged
from tests.lti.world import World, csrf_of

from .chromium import PHONE, chromium, user

NB01, NB02, NB03 = NOTEBOOKS
SCREENSHOTS = REPO / "test-output" / "lti"
CUSTOM = "https://purl.imsglobal.org/spec/lti/claim/custom"
SETTINGS = """
c.LtiWorker.jobs = 2
c.LtiWorker.poll_interval = 0.2
c.LtiServer.status_poll_seconds = 1
"""


class Worker:
    """`coursekit-lti worker` as a process of its own, its output in a log file."""

    def __init__(self, course, log):
        self.course, self.log, self.process = course, log, None

    def start(self):
        with open(self.log, "ab") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen([sys.executable, "-m", "coursekit.lti.cli", "--course", str(self.course),
                                             "worker"], env=environment(), stdout=log, stderr=subprocess.STDOUT)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(120)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@pytest.fixture(scope="module")
def site(tmp_path_factory, pems, real_course):
    folder = tmp_path_factory.mktemp("browser")
    (folder / "course").mkdir()
    world = World(folder / "course", pems, template=real_course, settings=SETTINGS)
    world.lms.claims = {CUSTOM: {"due_at": "2026-12-20T23:59:00Z"}}
    world.lms.frame_height = 1900  # the tool's whole page in the LMS's iframe, for the screenshots
    worker = Worker(world.path, folder / "worker.log")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with chromium(pems["cert"]) as browser:
        yield world, browser, worker
    worker.stop()
    world.close()


def open_in_lms(context, world, user_id):
    """The LMS's page of the assignment for this user, the tool launched in its iframe."""
    page = context.new_page()
    page.goto(world.lms.url("/course", user=user_id))
    return page, page.frame_locator("#tool")


def signed_in(site, user_id, heading):
    """A browser user of their own, the tool open in the LMS's iframe at `heading`: (context, page, frame)."""
    world, browser, _ = site
    context = user(browser)
    page, frame = open_in_lms(context, world, user_id)
    frame.get_by_role("heading", name=heading).wait_for()
    yield context, page, frame
    context.close()


@pytest.fixture(scope="module")
def instructor(site):
    yield from signed_in(site, "u-prof", "Submissions")


def test_the_instructor_opens_the_class_page_first(site, instructor):
    """As in a term: the instructor's launch records the course and makes the line item, so that the
    students' scores have somewhere to go."""
    world, _, _ = site
    _, page, frame = instructor
    assert frame.get_by_text("Uploads waiting: 0 queued, 0 being graded.").is_visible()
    assert len(world.lms.created) == 1 and frame.get_by_text(world.lms.created[0]).is_visible()
    assert frame.get_by_role("button", name="Send the scores to the LMS again").is_visible()


@pytest.fixture(scope="module")
def alice(site):
    yield from signed_in(site, "u-alice", "Your grade")


def test_the_student_opens_the_assignment_in_the_lms_and_downloads_the_release(site, alice):
    world, _, _ = site
    _, page, frame = alice
    assert "You are alice in this course" in frame.locator("main").inner_text()
    assert frame.get_by_text("Due 2026-12-20 23:59:00 UTC").is_visible()  # the LMS's custom due_at
    assert frame.get_by_text("Nothing handed in yet.").is_visible()
    page.set_viewport_size({"width": 1100, "height": 1300})
    page.screenshot(path=SCREENSHOTS / "student_before.png")
    page.set_viewport_size({"width": 1100, "height": 900})
    with page.expect_download() as download:
        frame.get_by_role("link", name=f"{NB02}.ipynb").click()
    assert download.value.suggested_filename == f"{NB02}.ipynb"
    release = world.path / "release" / ASSIGNMENT / f"{NB02}.ipynb"
    assert Path(download.value.path()).read_bytes() == release.read_bytes()
    label = frame.get_by_label("Notebooks to hand in")  # the file input has its label
    assert label.get_attribute("accept") == ".ipynb" and label.get_attribute("multiple") is not None


def replay_in_frame(page, action, fields):
    """Post a launch form into the LMS page's iframe, as a replaying or forging page would."""
    page.evaluate("""([action, fields]) => {
        const form = Object.assign(document.createElement('form'), {method: 'post', action, target: 'tool'});
        for (const [name, value] of Object.entries(fields)) {
            form.appendChild(Object.assign(document.createElement('input'), {type: 'hidden', name, value}));
        }
        document.body.appendChild(form);
        form.submit();
    }""", [action, fields])


def test_a_replayed_or_forged_launch_is_refused_in_the_browser(site, pems):
    world, browser, _ = site
    context = user(browser)
    posted = []
    context.on("request", lambda r: posted.append(r.post_data)
               if r.method == "POST" and r.url.endswith("/launch") else None)
    page, frame = open_in_lms(context, world, "u-bao")
    frame.get_by_role("heading", name="Your grade").wait_for()
    action = f"{world.tool_url}/launch"
    launched = {k: v[0] for k, v in parse_qs(posted[0]).items()}
    before = world.dump()
    replay_in_frame(page, action, launched)  # the same id_token again, from the same browser
    frame.get_by_role("heading", name="This launch was used already, or was not started here").wait_for()
    assert world.dump() == before
    # A fresh launch, stopped before it reaches the tool, then posted re-signed with another key.
    context.route("**/launch", lambda route: route.abort())
    page.reload()
    deadline = time.monotonic() + 30
    while parse_qs(posted[-1])["id_token"][0] == launched["id_token"] and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    context.unroute("**/launch")
    fresh = {k: v[0] for k, v in parse_qs(posted[-1]).items()}
    assert fresh["id_token"] != launched["id_token"]
    before = world.dump()
    replay_in_frame(page, action, forged(fresh, pems))
    frame.get_by_role("heading", name="The launch is not signed by the LMS").wait_for()
    assert world.dump() == before
    context.close()


KILLER = "import os\nos._exit(3)"


@pytest.fixture(scope="module")
def handed_in(site, alice, tmp_path_factory):
    """alice hands in her three notebooks in the browser; chidi a notebook that kills its kernel; the
    service restarts while both wait (no worker yet)."""
    world, _, _ = site
    _, page, frame = alice
    files = [examples.EXAMPLES / "alice" / ASSIGNMENT / f"{nb}.ipynb" for nb in NOTEBOOKS]
    frame.get_by_label("Notebooks to hand in").set_input_files(files)
    frame.get_by_role("button", name="Hand in", exact=True).click()
    frame.get_by_text(f"Received {', '.join(NOTEBOOKS)}").wait_for()
    chidi = world.browser()
    token = csrf_of(chidi.launch("u-chidi").text)
    hostile = notebooks.read(examples.EXAMPLES / "alice" / ASSIGNMENT / f"{NB02}.ipynb")
    hostile.cells.insert(3, notebooks.nbformat.v4.new_code_cell(KILLER))
    folder = tmp_path_factory.mktemp("chidi")
    notebooks.write(hostile, folder / f"{NB02}.ipynb")
    answer = chidi.session.post(f"{world.tool_url}/upload", data={"csrf": token}, files=[
        ("notebooks", (f"{NB02}.ipynb", (folder / f"{NB02}.ipynb").read_bytes()))])
    assert answer.status_code == 200 and "is queued" in answer.text
    world.stop_tool()
    world.start_tool()
    return chidi


def finished_rows(world):
    store = open_store(world.path)
    try:
        return queue.last_finished_per_student(store)
    finally:
        store.close()


def test_uploads_wait_in_the_queue_across_a_restart_of_the_service(site, alice, handed_in):
    world, _, worker = site
    _, page, frame = alice
    page.reload()
    frame.get_by_text("Your upload of").wait_for()
    assert frame.locator(".state-queued").first.is_visible()
    store = open_store(world.path)
    states = {s: queue.latest(store, s).state for s in ("alice", "chidi")}
    store.close()
    assert states == {"alice": queue.QUEUED, "chidi": queue.QUEUED}
    worker.start()  # grades both in one claim: two at once


@pytest.fixture(scope="module")
def grading_done(site, handed_in):
    world, _, worker = site
    deadline = time.monotonic() + 600
    while len(finished_rows(world)) < 2:
        assert time.monotonic() < deadline, (world.path.parent / "worker.log").read_text()[-3000:]
        assert worker.process.poll() is None, (world.path.parent / "worker.log").read_text()[-3000:]
        time.sleep(1)
    return finished_rows(world)


def test_the_page_updates_itself_to_the_grade_and_the_feedback_and_the_lms_holds_the_score(site, alice, grading_done):
    world, _, _ = site
    _, page, frame = alice
    row = grading_done["alice"]
    assert row.state == queue.GRADED and row.score > 0.9 * row.max_score
    # No reload here: the page's script notices the grade, then the feedback pages, and reloads.
    frame.get_by_role("link", name=f"Feedback on {NB02}").wait_for(timeout=120_000)
    assert frame.locator(".score").inner_text() == f"Score: {row.score:g} of {row.max_score:g} points"
    assert "sent to the LMS" in frame.locator("main").inner_text()
    user_id = "u-alice"
    assert world.lms.held()[user_id] == (pytest.approx(row.score), pytest.approx(row.max_score))
    with Gradebook(world.db_url) as gb:  # what nbgrader's gradebook says, late penalty applied
        assert gb.find_submission(ASSIGNMENT, "alice").score == pytest.approx(row.score)
    page.set_viewport_size({"width": 1100, "height": 1900})  # the whole page painted
    page.screenshot(path=SCREENSHOTS / "student_graded.png")
    page.set_viewport_size(PHONE)
    page.screenshot(path=SCREENSHOTS / "student_graded_phone.png")
    page.set_viewport_size({"width": 1100, "height": 900})
    frame.get_by_role("link", name=f"Feedback on {NB02}").click()
    frame.get_by_text("Your results, exercise by exercise").wait_for()
    page.screenshot(path=SCREENSHOTS / "student_feedback.png")
    shown = page.frames[1]
    assert shown.evaluate("self.origin") == "null"  # sandboxed: the student's outputs run nowhere that matters
    text = shown.locator("body").inner_text()
    assert "Hidden tests ran here too" in text
    # No hidden test's code on her page (tests/examples/test_feedback_redaction.py's rule): a line of a hidden
    # test that the release shows too (a hint, a stub) is no secret.
    source = notebooks.read(world.path / "source" / ASSIGNMENT / f"{NB02}.ipynb")
    tests = [c.source for c in source.cells if notebooks.is_test(c) and not notebooks.is_solution(c)]
    secrets = Markers.of_course(world.path).secret_lines(tests)
    released = (world.path / "release" / ASSIGNMENT / f"{NB02}.ipynb").read_text(encoding="utf-8")
    assert len(secrets) > 20 and not sorted(line for line in secrets if line in text and line not in released)


def test_a_kernel_killing_submission_is_withheld_with_a_clear_status_and_sends_nothing(site, handed_in, grading_done):
    world, _, _ = site
    row = grading_done["chidi"]
    assert row.state == queue.WITHHELD and "stopped" in row.result[NB02]["status"]
    assert row.result[NB01]["status"] == "missing"
    assert "u-chidi" not in world.lms.held()
    page = handed_in.session.get(f"{world.tool_url}/assignment").text
    assert "Under review" in page and "stopped" in page and "not handed in" in page
    assert "Feedback on" not in page and "tamper" not in page
    own = handed_in.session.get(f"{world.tool_url}/feedback/chidi/{NB02}")  # written, but not his to read yet
    assert (world.path / "feedback" / "chidi" / ASSIGNMENT / f"{NB02}.html").is_file()
    assert own.status_code == 403 and "Your grade is under review" in own.text


def test_a_student_cannot_open_another_students_feedback(site, alice, grading_done):
    world, _, _ = site
    _, page, frame = alice
    assert (world.path / "feedback" / "chidi" / ASSIGNMENT / f"{NB02}.html").is_file()
    page.goto(world.lms.url("/course", user="u-alice"))  # her page again, in the LMS
    frame = page.frame_locator("#tool")
    frame.get_by_role("heading", name="Your grade").wait_for()
    page.frames[1].goto(f"{world.tool_url}/feedback/chidi/{NB02}")
    frame.get_by_role("heading", name="This is not your feedback").wait_for()


def test_the_instructor_sees_the_class_clears_a_withheld_grade_and_pushes_again(site, instructor, grading_done):
    world, _, _ = site
    _, page, frame = instructor
    page.reload()
    frame.get_by_role("heading", name="Submissions").wait_for()
    table = frame.locator("table").first.inner_text()
    alice_row = frame.locator("tr", has=frame.locator("th", has_text="alice")).inner_text()
    chidi_row = frame.locator("tr", has=frame.locator("th", has_text="chidi")).inner_text()
    alice_score = f"{grading_done['alice'].score:g} / {grading_done['alice'].max_score:g}"
    assert "graded" in alice_row and alice_score in alice_row
    assert alice_row.count(alice_score) == 2  # the LMS holds it
    assert "withheld for review" in chidi_row and "stopped" in chidi_row and chidi_row.endswith("nothing")
    assert "Alice O'Neil" in table
    page.set_viewport_size({"width": 1400, "height": 1900})  # the whole page painted, the table at full width
    page.screenshot(path=SCREENSHOTS / "instructor.png")
    page.set_viewport_size({"width": 1100, "height": 900})
    frame.get_by_role("button", name="Clear chidi's withheld grade and send it").click()
    frame.get_by_text("Cleared chidi: sent to the LMS").wait_for()
    assert "u-chidi" in world.lms.held()
    posts = world.lms.score_posts
    frame.get_by_role("button", name="Send the scores to the LMS again").click()
    frame.get_by_text("sent 0, unchanged since the last push 2, failed 0").wait_for()
    assert world.lms.score_posts == posts
    log = (world.path.parent / "worker.log").read_text()
    assert "Traceback" not in log and "alice (upload" in log and "chidi (upload" in log
