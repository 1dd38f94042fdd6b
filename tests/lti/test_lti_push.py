"""Final scores to the test LMS through Assignment and Grade Services: exactly the expected scores,
withheld and missing ones not sent, only changes re-sent, failures retried and never lost."""

import datetime

import pytest
from nbgrader.api import Gradebook

from coursekit import review
from coursekit.lti.hook import push_after_grading
from coursekit.lti.store import open_store
from coursekit.spec import ASSIGNMENT, NOTEBOOKS

from .world import World, csrf_of, expected_scores


def launched(world):
    """An instructor's launch and the roster imported: what every push starts from."""
    assert world.browser().launch("u-prof").status_code == 200
    assert world.cli("roster")[0] == 0
    return world


def scores(world):
    (item,) = world.lms.created
    return world.lms.scores[item]


def test_a_class_is_pushed_then_only_what_changes(world):
    launched(world)
    tokens_before = len(world.lms.token_requests)
    code, out, err = world.cli("push")
    assert code == 0, out + err
    assert world.lms.held() == expected_scores(world.total)  # alice, bao (less 10 late), chidi; not dana, eve
    assert "sent 3, unchanged since the last push 0, failed 0" in out
    assert "withheld for review, nothing sent" in out and ": dana" in out
    assert "no submission, nothing sent (--missing-as-zero sends 0): eve, fay" in out
    bao = scores(world)["u-bao"]
    assert (bao["activityProgress"], bao["gradingProgress"]) == ("Completed", "FullyGraded")
    assert f"{NOTEBOOKS[0]}: " in bao["comment"] and "Late penalty: 10." in bao["comment"]
    assert datetime.datetime.fromisoformat(bao["timestamp"]).tzinfo is not None
    assert len(world.lms.token_requests) == tokens_before + 1  # one token for every score, threads and all
    posts = world.lms.score_posts

    code, out, _ = world.cli("push")  # nothing changed: nothing sent
    assert code == 0 and "sent 0, unchanged since the last push 3, failed 0" in out
    assert world.lms.score_posts == posts

    review.clear(world.path, "dana", by="test")  # reviewed: now sendable
    code, out, _ = world.cli("push")
    assert "sent 1, unchanged since the last push 3" in out
    assert world.lms.held()["u-dana"] == (pytest.approx(world.total * 0.8), pytest.approx(world.total))

    # bao is regraded: only bao is sent again, with a timestamp later than the one the LMS holds.
    with Gradebook(world.db_url) as gb:
        for grade in gb.find_submission_notebook(NOTEBOOKS[2], ASSIGNMENT, "bao").grades:
            grade.manual_score = grade.max_score
        gb.db.commit()
    old = scores(world)["u-bao"]["timestamp"]
    posts = world.lms.score_posts
    code, out, _ = world.cli("push")
    assert code == 0 and "sent 1, unchanged since the last push 3" in out and world.lms.score_posts == posts + 1
    assert scores(world)["u-bao"]["timestamp"] > old and scores(world)["u-bao"]["scoreGiven"] > bao["scoreGiven"]


def test_missing_as_zero_sends_zero_for_no_submission(world):
    launched(world)
    code, out, _ = world.cli("push", "--missing-as-zero")
    assert code == 0 and "sent 5" in out
    eve = scores(world)["u-eve"]
    assert (eve["scoreGiven"], eve["activityProgress"], eve["comment"]) == (0, "Initialized", "No submission.")
    assert "u-dana" not in scores(world)  # withheld is withheld, missing or not


def test_busy_and_dropped_answers_are_retried_with_fresh_timestamps(world):
    launched(world)
    world.lms.faults = [503, 429, "drop", 503]
    code, out, err = world.cli("push")
    assert code == 0, out + err
    assert world.lms.held() == expected_scores(world.total)
    assert world.lms.score_posts == 3 + 4 and world.lms.faults == []
    # Each try of a student is freshly timestamped, later than the one before (students are sent in
    # parallel threads: two students' scores may share a millisecond, which an LMS accepts).
    tries = {}
    for user, stamp in world.lms.received:
        tries.setdefault(user, []).append(datetime.datetime.fromisoformat(stamp))
    assert sum(len(stamps) for stamps in tries.values()) == 3 + 4 and max(map(len, tries.values())) > 1
    assert all(stamps == sorted(set(stamps)) for stamps in tries.values()), tries


def test_a_score_that_cannot_be_sent_is_reported_and_sent_by_the_next_push(tmp_path, pems):
    world = World(tmp_path, pems, settings="c.LtiTool.push_threads = 1")
    try:
        launched(world)
        world.lms.faults = [503] * 4  # every try of the first student (alice): attempts = 4
        code, out, _ = world.cli("push")
        assert code == 1 and "NOT SENT alice: HTTP 503" in out and "(the next push sends it)" in out
        assert "u-alice" not in world.lms.held() and len(world.lms.held()) == 2
        store = open_store(world.path)
        last_ok, last = store.sent(world.lms.created[0])["alice"]
        store.close()
        assert last_ok is None and (last.ok, last.status) == (False, 503)
        code, out, _ = world.cli("push")
        assert code == 0 and "sent 1, unchanged since the last push 2" in out
        assert world.lms.held() == expected_scores(world.total)
    finally:
        world.close()


def test_a_revoked_token_is_replaced(world):
    launched(world)
    with open(world.path / "nbgrader_config.py", "a") as fh:
        fh.write("c.LtiTool.push_threads = 1\n")
    tokens = len(world.lms.issued)
    world.lms.revoke_after = 1  # the LMS drops every token once it has stored the first score: 401
    code, out, _ = world.cli("push")
    assert code == 0, out
    assert world.lms.held() == expected_scores(world.total)
    # The push's own token, then one 401 and one new token for the rest of the class.
    assert world.lms.refused_tokens == 1 and len(world.lms.issued) == tokens + 2


def test_the_tool_restarted_between_launch_and_push_still_pushes(world):
    """Everything a launch learnt is in the store: after a restart of the tool (a new app, a new store
    engine, nothing kept in any object) the instructor page's button still works for the browser that
    launched, and the push finds the course, its members and its line item."""
    browser = world.browser()
    page = browser.launch("u-prof")
    token = csrf_of(page.text)
    world.stop_tool()
    world.start_tool()
    imported = browser.session.post(f"{world.tool_url}/roster", data={"csrf": token})
    assert imported.status_code == 200 and "Learners: 6 (6 new" in imported.text
    world.stop_tool()
    code, out, err = world.cli("push")
    assert code == 0, out + err
    assert world.lms.held() == expected_scores(world.total)


def test_coursekit_grade_pushes_at_its_end_unless_turned_off(tmp_path, pems):
    world = World(tmp_path, pems, settings="c.LtiTool.push_after_grading = False")
    try:
        assert push_after_grading(world.path) is None  # no context yet, and turned off: nothing asked
        launched(world)
        assert push_after_grading(world.path) is None and world.lms.held() == {}
        with open(world.path / "nbgrader_config.py", "a") as fh:
            fh.write("c.LtiTool.push_after_grading = True\n")
        report = push_after_grading(world.path)
        assert len(report.sent) == 3 and world.lms.held() == expected_scores(world.total)
    finally:
        world.close()


def test_an_lms_that_is_down_costs_the_grading_hook_nothing_but_a_report(world, capsys):
    launched(world)
    world.lms.stop()
    report = push_after_grading(world.path)
    assert [o.student for o in report.failed] == ["alice", "bao", "chidi"] and report.sent == []
    assert "NOT SENT alice: no answer" in capsys.readouterr().out
    store = open_store(world.path)
    assert all(last is not None and not last.ok for _, last in store.sent(world.lms.created[0]).values())
    store.close()


def test_without_a_course_context_the_grading_hook_reports_and_sends_nothing(world, capsys):
    assert push_after_grading(world.path) is None
    assert "nothing sent: no course context is recorded yet" in capsys.readouterr().out


def test_the_lms_s_own_line_item_of_the_link_is_used(world):
    item = world.lms.url(f"/contexts/{world.lms.context_id}/lineitems/900")
    world.lms.lineitems[item] = {"id": item, "label": "Assignment 3 (made in the LMS)", "scoreMaximum": 50,
                                 "resourceLinkId": "link-1"}
    world.lms.created.append(item)
    world.lms.launch_lineitem = item
    launched(world)
    assert world.lms.created == [item]  # found, not created
    code, out, _ = world.cli("push")
    assert code == 0 and item in out and world.lms.held(item) == expected_scores(world.total)


def test_no_deadlock_when_the_lms_fetches_the_tools_key_set_during_a_launch(tmp_path, pems):
    """The LMS fetches {url}/jwks to check the token request the tool makes inside the launch request:
    a single-threaded server would wait on itself until the LMS gave up (lti1p3platform: 5 s) and the
    line item would not be made."""
    world = World(tmp_path, pems, scheme="http", key_set_by_url=True)
    try:
        page = world.browser().launch("u-prof")
        assert page.status_code == 200 and "No line item yet" not in page.text
        assert len(world.lms.created) == 1
    finally:
        world.close()
