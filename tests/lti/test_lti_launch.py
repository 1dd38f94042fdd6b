"""Login and launch against the test LMS: accepted for an instructor and a learner, and every forged,
expired, replayed or unregistered launch refused with a clear page and nothing written."""

import concurrent.futures
import time

import jwt
import pytest

from coursekit.lti.store import open_store

from .lti_platform import AGS_SCOPES
from .world import World


def test_an_instructors_launch_records_the_course_and_creates_the_line_item_once(world):
    world.lms.lineitems_per_page = 2
    for n in range(3):  # other columns of the LMS gradebook, so that ours is found on the second page
        world.lms.lineitems[f"{world.lms.base}/contexts/x/lineitems/other{n}"] = {
            "id": f"{world.lms.base}/contexts/x/lineitems/other{n}", "label": f"quiz {n}", "scoreMaximum": 10}
    page = world.browser().launch("u-prof")
    assert page.status_code == 200, page.text
    assert "Maths and NumPy for Deep Learning" in page.text and "Import the roster from the LMS" in page.text
    assert page.headers["X-Content-Type-Options"] == "nosniff" and "default-src 'none'" in page.headers[
        "Content-Security-Policy"]
    (created,) = world.lms.created
    item = world.lms.lineitems[created]
    assert (item["resourceId"], item["label"], item["scoreMaximum"], item["resourceLinkId"]) == (
        "math_numpy", "math_numpy", world.total, "link-1")
    store = open_store(world.path)
    (context,) = store.contexts()
    assert (context.context_id, context.lineitem_url, context.lineitem_maximum) == (
        world.lms.context_id, created, world.total)
    assert context.memberships_url.startswith(f"{world.lms.base}/contexts/Course-MNP-2026/memberships")
    assert context.ags_scopes and set(context.ags_scopes) <= set(AGS_SCOPES)
    store.close()
    # Launched again, from the link and after the recorded line item is forgotten: found, not created twice
    # (it sits on the second page of the LMS's line items, behind an unquoted rel=next Link header).
    store = open_store(world.path)
    store.set_lineitem(context.id, "", None)
    store.close()
    assert world.browser().launch("u-prof").status_code == 200
    assert world.lms.created == [created] and len(world.lms.lineitems) == 4


def test_a_learners_launch_enrols_them_as_the_roster_would(world):
    page = world.browser().launch("u-bao")
    assert page.status_code == 200, page.text
    assert "You are <strong>bao</strong>" in page.text  # by the CSV roster's email
    assert world.lms.created == []  # a learner's launch does not touch the LMS gradebook
    store = open_store(world.path)
    assert store.users() == {"bao": (world.lms.issuer, "u-bao")} and store.contexts() == []
    store.close()
    page = world.browser().launch("u-fay")
    assert "You are <strong>fay</strong>" in page.text  # new to the gradebook


def test_a_mentor_gets_a_page_for_their_role_and_is_not_enrolled(world):
    before = world.dump()
    page = world.browser().launch("u-mentor")
    assert page.status_code == 200 and "nothing here for your role" in page.text
    assert world.dump()["lti_user"] == before["lti_user"]


def forged(fields, pems):
    """The id_token re-signed with another key, under the platform's key id."""
    token = fields["id_token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    kid = jwt.get_unverified_header(token)["kid"]
    return {**fields, "id_token": jwt.encode(claims, pems["forger"][0], algorithm="RS256", headers={"kid": kid})}


REFUSALS = {
    # name: (how the launch goes wrong, what the page says)
    "forged": ("re-signed with another key", "not signed by the LMS"),
    "expired": ("id_token expired five minutes ago", "has expired"),
    "unknown deployment": ("the LMS signs a deployment id the tool does not know", "deployment is not registered"),
    "wrong audience": ("the LMS signs the token for another client", "for another tool"),
    "azp of another client": ("aud lists the tool first, then another client, azp the other", "for another tool"),
    "several audiences, no azp": ("aud lists the tool and another client, no azp", "for another tool"),
    "no exp": ("the id_token carries no exp", "could not be checked"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_a_bad_launch_is_refused_with_a_clear_page_and_writes_nothing(world, pems, case):
    lms = world.lms
    if case == "expired":
        lms.id_token_expiration = -300
    elif case == "unknown deployment":
        lms.claims = {"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "deployment-elsewhere"}
    elif case == "wrong audience":
        lms.claims = {"aud": "another-tool", "azp": "another-tool"}
    elif case == "azp of another client":  # pylti1p3 alone takes aud[0] for the client and never reads azp
        lms.claims = {"aud": ["tool-client", "another-tool"], "azp": "another-tool"}
    elif case == "several audiences, no azp":
        lms.claims = {"aud": ["tool-client", "another-tool"]}
        lms.omit_azp = True
    browser = world.browser()
    action, fields = browser.authorize("u-prof")
    if case == "forged":
        fields = forged(fields, pems)
    elif case == "no exp":
        claims = jwt.decode(fields["id_token"], options={"verify_signature": False})
        del claims["exp"]
        kid = jwt.get_unverified_header(fields["id_token"])["kid"]
        fields = {**fields, "id_token": jwt.encode(claims, pems["platform"][0], algorithm="RS256",
                                                   headers={"kid": kid})}
    before = world.dump()
    page = browser.post(action, fields)
    assert page.status_code == 403, page.text
    assert REFUSALS[case][1] in page.text and "recorded nothing" in page.text
    assert world.dump() == before
    assert lms.created == [] and lms.token_requests == []


def test_a_replayed_launch_is_refused_in_the_same_browser_and_in_another(world):
    browser = world.browser()
    action, fields = browser.authorize("u-prof")
    assert browser.post(action, fields).status_code == 200
    before = world.dump()
    again = browser.post(action, fields)  # pylti1p3 alone accepts this one: its nonce is never removed
    assert again.status_code == 403 and "used already" in again.text
    elsewhere = world.browser().post(action, fields)  # no state cookie, no session of that browser
    assert elsewhere.status_code == 403 and "did not start from this browser" in elsewhere.text
    assert world.dump() == before


def test_four_posts_of_one_launch_at_once_accept_one(world):
    browser = world.browser()
    action, fields = browser.authorize("u-alice")
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        codes = sorted(pool.map(lambda _: browser.post(action, fields).status_code, range(4)))
    assert codes == [200, 403, 403, 403]


@pytest.mark.parametrize("registration, words", [
    ({"client_id": "another-tool"}, "for another tool"),
    ({"deployment_id": "deployment-elsewhere"}, "deployment is not registered"),
])
def test_a_login_for_another_registration_is_refused_before_the_lms_is_asked(tmp_path, pems, registration, words):
    world = World(tmp_path, pems)
    try:
        if "client_id" in registration:
            world.lms.registration.set_client_id(registration["client_id"])
        else:
            world.lms.registration.set_deployment_id(registration["deployment_id"])
        before = world.dump()
        page = world.browser().authorize("u-prof")
        assert page.status_code == 403 and words in page.text
        assert world.dump() == before
    finally:
        world.close()


def test_a_launch_from_an_unknown_issuer_is_refused(world):
    page = world.browser().session.get(f"{world.tool_url}/login", params={
        "iss": "https://lms.example.org", "login_hint": "x", "target_link_uri": f"{world.tool_url}/launch"},
        allow_redirects=False)
    assert page.status_code == 403 and "not registered" in page.text


def test_an_oversized_key_set_is_not_read(tmp_path, pems):
    world = World(tmp_path, pems, settings="c.LtiTool.max_response_bytes = 100000")
    try:
        world.lms.jwks_padding = 200_000
        started = time.monotonic()
        page = world.browser().launch("u-prof")
        assert page.status_code == 403 and "key set could not be read" in page.text
        assert "more than the 100000" in page.text
        assert time.monotonic() - started < 30
    finally:
        world.close()
