"""The LTI tool's parts on their own: paging links, retries, timestamps, tokens, roles, ids, keys, commands."""

import datetime
import os
import stat
from importlib.metadata import entry_points

import pytest

from coursekit.lti import cli, keys
from coursekit.lti.config import LtiTool
from coursekit.lti.connector import TokenCache
from coursekit.lti.enrol import new_id
from coursekit.lti.launch import explain
from coursekit.lti.members import Member, member_of, sort_members
from coursekit.lti.push import Timestamps
from coursekit.lti.retry import Backoff, Transient, retry_after, with_retries
from coursekit.lti.store import Store
from coursekit.lti.transport import next_link

from .lti_platform import INSTRUCTOR, LEARNER, MENTOR, TA

BASE = "https://lms.example.edu/api/Course-ABC/members?limit=2"


@pytest.mark.parametrize("header, expected", [
    ('<https://lms.example.edu/api/Course-ABC/members?page=2&Limit=2>; rel="next"',
     "https://lms.example.edu/api/Course-ABC/members?page=2&Limit=2"),  # capitals kept (pylti1p3 2.0.0 lowercased)
    ("<https://lms.example.edu/api/Course-ABC/members?page=2>; rel=next",  # lti1p3platform's, unquoted
     "https://lms.example.edu/api/Course-ABC/members?page=2"),
    ('<https://lms.example.edu/p1>; rel="prev", <https://lms.example.edu/p3>; REL="last next"',
     "https://lms.example.edu/p3"),
    ('</api/Course-ABC/members?page=2>; rel="next"', "https://lms.example.edu/api/Course-ABC/members?page=2"),
    ('<https://evil.example.com/steal>; rel="next"', None),  # the token would go with it: not followed
    ('<https://lms.example.edu/p1>; rel="prev"', None),
    ("", None),
])
def test_the_next_page_is_read_from_the_link_header(header, expected):
    assert next_link(header, BASE) == expected


def test_retry_after_reads_seconds_and_dates():
    now = datetime.datetime(2026, 12, 7, 10, 0, 0, tzinfo=datetime.UTC).timestamp()
    assert retry_after("7") == 7.0 and retry_after(None) is None and retry_after("soon") is None
    assert retry_after("Mon, 07 Dec 2026 10:00:30 GMT", clock=lambda: now) == 30.0


def test_retries_back_off_and_give_up_after_the_last_attempt():
    waits, calls = [], []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise Transient("busy", 503)
        return "done"

    assert with_retries(flaky, Backoff(attempts=3, base=1.0, cap=60), sleep=waits.append) == "done"
    assert len(waits) == 2 and 1.0 <= waits[0] <= 1.5 and 2.0 <= waits[1] <= 3.0
    with pytest.raises(Transient):
        with_retries(lambda: (_ for _ in ()).throw(Transient("busy", 429, retry_after=500)),
                     Backoff(attempts=2, base=1.0, cap=60), sleep=waits.append)
    assert waits[-1] == 60  # Retry-After, capped


def test_timestamps_always_move_forward():
    fixed = datetime.datetime(2026, 12, 7, 10, 0, 0, 123456, tzinfo=datetime.UTC)
    stamps = Timestamps("2026-12-07T10:00:05.000+00:00", clock=lambda: fixed)  # the clock went back
    first, second = stamps.next(), stamps.next()
    assert first == "2026-12-07T10:00:05.001+00:00" and second == "2026-12-07T10:00:05.002+00:00"
    assert Timestamps(clock=lambda: fixed).next() == "2026-12-07T10:00:00.123+00:00"


def test_a_token_is_reused_until_shortly_before_it_expires():
    now = [1000.0]
    cache = TokenCache(clock=lambda: now[0])
    cache.put("k", "token-1", 3600)
    now[0] += 3000
    assert cache.get("k") == "token-1"
    now[0] += 541  # 60 s before it expires: asked anew
    assert cache.get("k") is None
    cache.put("k", "token-2", 0)  # no lifetime given: not kept
    assert cache.get("k") is None and cache.fetched == 2


def test_roles_sort_members_into_learners_staff_and_others():
    raw = [{"user_id": "1", "roles": [LEARNER], "email": "a@x"}, {"user_id": "2", "roles": [INSTRUCTOR]},
           {"user_id": "3", "roles": [TA]}, {"user_id": "4", "roles": [MENTOR]}, {"user_id": "5", "roles": ["Learner"]},
           {"user_id": "6", "roles": [LEARNER, INSTRUCTOR]}, {"user_id": "7", "roles": []},
           {"user_id": "8", "roles": [LEARNER], "status": "Deleted"}, {"roles": [LEARNER]}, "junk",
           {"user_id": "1", "roles": [INSTRUCTOR]}]
    found = sort_members(raw)
    assert [m.sub for m in found.learners] == ["1", "5"]
    assert [m.sub for m in found.staff] == ["2", "3", "4", "6"]
    assert [m.sub for m in found.others] == ["7"] and [m.sub for m in found.inactive] == ["8"]
    assert found.malformed == 2


def test_member_fields_are_bounded_plain_text():
    member = member_of({"user_id": "u\x00" + "x" * 400, "name": {"not": "text"}, "email": "a@b\n",
                        "roles": ["r"] * 500})
    assert member.sub == "u" + "x" * 254 and member.name == "" and member.email == "a@b" and len(member.roles) == 50


@pytest.mark.parametrize("email, taken, expected", [
    ("Jo.Smith@uni.edu", set(), "jo.smith"), ("jo@a.edu", {"jo"}, "jo-2"), ("jo@a.edu", {"jo", "jo-2"}, "jo-3"),
    ("../..@x", set(), None), ("", set(), None)])
def test_a_new_student_id_is_a_safe_folder_name(email, taken, expected):
    student = new_id(Member("sub-1", email=email), taken)
    if expected:
        assert student == expected
    else:
        assert student.startswith("lti-") and "/" not in student and not student.startswith(".")


def test_a_nonce_is_consumed_once(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 's.db'}")
    store.set_value("nonce-1", True, 60)
    assert store.consume("nonce-1") and not store.consume("nonce-1") and store.get_value("nonce-1") is None
    store.set_value("gone", True, -1)  # expired: as good as absent
    assert not store.consume("gone")
    store.close()


@pytest.mark.parametrize("message, reason", [
    ("Can't decode id_token: Signature has expired", "The launch has expired"),
    ("Can't decode id_token: Signature verification failed", "The launch is not signed by the LMS"),
    ("Invalid Nonce.", "This launch was used already, or was not started here"),
    ("State not found", "This launch did not start from this browser's login"),
    ('The deployment ID "d" is not recognised.', "This LMS deployment is not registered with the tool"),
    ("Client id not registered for this issuer", "This launch is for another tool"),
])
def test_library_errors_become_reasons_a_person_reads(message, reason):
    assert explain(Exception(message)).reason == reason


def test_keys_are_made_once_private_to_their_owner_and_printed_for_the_lms_admin(tmp_path):
    tool = LtiTool(url="https://grader.example.edu/lti")
    private, public = keys.create(tmp_path, tool)
    assert stat.S_IMODE(os.stat(private).st_mode) == 0o600
    with pytest.raises(keys.KeysError, match="--force"):
        keys.create(tmp_path, tool)
    text = keys.registration_text(tmp_path, tool)
    for line in ("https://grader.example.edu/lti/launch", "https://grader.example.edu/lti/login",
                 "https://grader.example.edu/lti/jwks", "grader.example.edu",
                 "https://purl.imsglobal.org/spec/lti-ags/scope/score",
                 "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
                 '"kty": "RSA"', "BEGIN PUBLIC KEY", "c.LtiTool.client_id"):
        assert line in text
    assert "PRIVATE" not in text
    assert keys.jwks(tmp_path, tool)["keys"][0]["kid"] == keys.jwk(public.read_text())["kid"]


def test_the_command_is_installed_and_its_help_exits_0(capsys):
    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "coursekit-lti"]
    assert script.value == "coursekit.lti.cli:main"
    with pytest.raises(SystemExit) as done:
        cli.main(["--help"])
    assert done.value.code == 0 and "push" in capsys.readouterr().out


def test_the_settings_say_what_is_missing():
    tool = LtiTool(issuer="https://lms", client_id="c")
    assert tool.configured and tool.missing() == ["url", "deployment_ids", "login_url", "token_url", "key_set_url"]
    assert not LtiTool().configured
