"""How long `coursekit-lti push` takes to send a class's scores to an LMS: 300 students by default.

The LMS is the tests' lti1p3platform host (tests/lti/lti_platform.py) on 127.0.0.1, so this measures
the tool (results model, store, token, HTTP, the platform's token checks), not a network.  Set-up, not
timed: a course whose gradebook holds the class with scores (tests/support/gradebooks.py), a CSV roster
with their emails, the course context an instructor's launch records, and `coursekit-lti roster`
(Names and Roles) mapping every learner.  Then, timed: the first push (every score sent) and a second
one (nothing changed, nothing sent).

    python -m devtools.bench_lti_push [--students 300] [--threads 4]
"""

import argparse
import io
import os
import shutil
import tempfile
import time
from pathlib import Path

from coursekit.course import environment
from coursekit.lms.roster import Student, write_roster
from coursekit.lti import cli, keys
from coursekit.lti.config import settings_of
from coursekit.lti.store import open_store
from devtools.scratch import REPO
from tests.lti.lti_platform import LEARNER, Lms, rsa_pair
from tests.support import gradebooks

TOOL_URL = "https://tool.invalid"  # no launch is made: the platform never reaches the tool


def course_with_class(folder, count, lms, threads):
    shutil.copy(REPO / "nbgrader_config.py", folder / "nbgrader_config.py")
    settings = {"url": TOOL_URL, **lms.tool_settings, "push_threads": threads}
    with open(folder / "nbgrader_config.py", "a", encoding="utf-8") as fh:
        fh.write("\n" + "\n".join(f"c.LtiTool.{k} = {v!r}" for k, v in settings.items()) + "\n")
    ids = [f"s{i:03d}" for i in range(count)]
    shares = {student: (i % 10 + 1) / 10 for i, student in enumerate(ids)}
    late = {student: 5.0 for student in ids[::7]}
    total = gradebooks.build(folder / "gradebook.db", [(s, "Student", s.upper(), None) for s in ids], shares, late)
    write_roster(folder / "roster.csv", [Student(s, "Student", s.upper(), f"{s}@example.edu") for s in ids])
    for s in ids:
        lms.add_user(f"user-{s}", [LEARNER], "Student", s.upper(), f"{s}@example.edu")
    keys.create(folder, settings_of(folder))
    return total


def record_context(folder, lms):
    """What an instructor's launch records (coursekit/lti/web.py), without a browser."""
    store = open_store(folder)
    store.record_context(issuer=lms.issuer, client_id=lms.registration.get_client_id(),
                         deployment_id=lms.registration.get_deployment_id(), context_id=lms.context_id,
                         title=lms.context_title, resource_link_id="link-1",
                         memberships_url=lms.url(f"/contexts/{lms.context_id}/memberships", limit=100),
                         ags_scopes=["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                                     "https://purl.imsglobal.org/spec/lti-ags/scope/score"],
                         lineitems_url=lms.url(f"/contexts/{lms.context_id}/lineitems"))
    store.close()


def timed(folder, *args):
    started = time.perf_counter()
    code = cli.main(["--course", str(folder), *args], out=io.StringIO())
    return time.perf_counter() - started, code


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--threads", type=int, default=4, help="c.LtiTool.push_threads")
    args = parser.parse_args(argv)
    os.environ["PATH"] = environment()["PATH"]  # nbgrader runs alembic through PATH
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        tool_key = rsa_pair()
        lms = Lms(TOOL_URL, {"keys": [keys.jwk(tool_key[1])]}, *rsa_pair())
        lms.start()
        try:
            print(f"building a course of {args.students} students (not timed) ...", flush=True)
            course_with_class(folder, args.students, lms, args.threads)
            (folder / "lti" / "private_key.pem").write_text(tool_key[0])
            (folder / "lti" / "public_key.pem").write_text(tool_key[1])
            record_context(folder, lms)
            roster_seconds, code = timed(folder, "roster")
            assert code == 0, "the roster import failed"
            first, code = timed(folder, "push")
            assert code == 0 and len(lms.held()) == args.students, "the push did not send every score"
            again, code = timed(folder, "push")
            assert code == 0 and lms.score_posts == args.students, "the second push sent something"
        finally:
            lms.stop()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"roster import ({args.students} learners, Names and Roles pages of 100): {roster_seconds:.2f} s")
    print(f"push, {args.students} scores sent with {args.threads} threads: {first:.2f} s "
          f"({args.students / first:.0f} scores/s); again, nothing changed: {again:.2f} s")
    print(f"load average (1, 5, 15 min) at the end: {load}; cores: {os.cpu_count()}")


if __name__ == "__main__":
    main()
