"""The roster from Names and Roles into the gradebook: learners enrolled with ids chosen once, staff and
inactive members listed and left out, never two LMS users on one student id."""

from nbgrader.api import Gradebook

from coursekit.lti.store import open_store

from .lti_platform import LEARNER, NRPS_SCOPE
from .world import LEARNER_IDS, csrf_of


def students(world):
    with Gradebook(world.db_url) as gb:
        return {s.id: (s.first_name, s.last_name, s.email, s.lms_user_id) for s in gb.students}


def test_the_roster_needs_an_instructors_launch_first(world):
    code, _, err = world.cli("roster")
    assert code == 1 and "launch the tool once as instructor" in err


def test_the_roster_enrols_learners_lists_staff_and_agrees_with_the_csv_roster(world):
    assert world.browser().launch("u-prof").status_code == 200
    tokens_before = len(world.lms.token_requests)
    code, out, err = world.cli("roster")
    assert code == 0, out + err
    store = open_store(world.path)
    assert {student: sub for student, (_, sub) in store.users().items()} == {v: k for k, v in LEARNER_IDS.items()}
    store.close()
    found = students(world)
    assert set(found) == {"alice", "bao", "chidi", "dana", "eve", "fay"}  # no staff, no inactive member
    assert found["bao"] == ("Bảo", "Nguyễn", "Bao.Nguyen@Example.edu", "48227")  # the CSV's Canvas id is kept
    assert found["alice"][3] == "u-alice" and found["fay"] == ("Fay", "Newcomer", "fay@example.edu", "u-fay")
    assert "new  chidi" in out and "by the gradebook student with this email" in out
    assert "new  fay" in out and "by a new id" in out and "new  bao" in out and "by the CSV roster" in out
    assert ("Staff, not students (3): Ada Lovelace (Instructor); Tim Assistant (TeachingAssistant); "
            "Mo Parent (Mentor)") in out
    assert "Not active in the LMS, left alone (1): Gus Gone (Inactive)" in out
    # Ten members on pages of two, behind lti1p3platform's unquoted rel=next; one token, for NRPS only.
    assert world.lms.token_requests[tokens_before:] == [NRPS_SCOPE]
    before = world.dump()
    code, out, _ = world.cli("roster")
    assert code == 0 and "Learners: 6 (0 new, 6 known before)" in out
    assert world.dump() == before


def test_two_lms_users_never_share_a_student_id(world):
    assert world.browser().launch("u-prof").status_code == 200
    assert world.cli("roster")[0] == 0
    # A second account with alice's email (the CSV roster says: alice), and eve's email changed to dana's.
    world.lms.add_user("u-alice-2", [LEARNER], "Alice", "Again", "alice@example.edu")
    world.lms.users["u-eve"]["email"] = "dana@example.edu"
    code, out, _ = world.cli("roster")
    assert code == 1
    assert "NOT ENROLLED Alice Again <alice@example.edu>: the CSV roster says alice, whom another LMS user has" in out
    assert "CHECK Eve Absent: enrolled as eve, the CSV roster says dana" in out  # never chosen twice
    store = open_store(world.path)
    users = store.users()
    store.close()
    assert users["alice"][1] == "u-alice" and users["eve"][1] == "u-eve" and "u-alice-2" not in {
        sub for _, sub in users.values()}


def test_the_roster_needs_the_names_and_roles_scope(world):
    world.lms.granted_scopes.discard(NRPS_SCOPE)
    assert world.browser().launch("u-prof").status_code == 200
    before = world.dump()
    code, _, err = world.cli("roster")
    assert code == 1 and "invalid_scope" in err
    assert world.dump() == before


def test_the_instructor_pages_button_imports_the_roster(world):
    browser = world.browser()
    page = browser.launch("u-prof")
    token = csrf_of(page.text)
    result = browser.session.post(f"{world.tool_url}/roster", data={"csrf": token})
    assert result.status_code == 200 and "Learners: 6 (6 new, 0 known before)" in result.text
    assert "Staff, not students (3)" in result.text
    # Another browser (no session cookie), a made-up token, no token: refused, nothing imported.
    before = world.dump()
    for who, data in ((world.browser(), {"csrf": token}), (browser, {"csrf": "x" * len(token)}), (browser, {})):
        refused = who.session.post(f"{world.tool_url}/roster", data=data)
        assert refused.status_code == 403, refused.text
    assert world.dump() == before
