"""How long a student waits for their score: from an upload on the student's page to the score at the LMS.

Everything real and on this machine: a course where nbgrader generated the assignment, the tests' LMS
(lti1p3platform, tests/lti/lti_platform.py) on 127.0.0.1, the tool over HTTPS (cheroot, a certificate
made here), `coursekit-lti worker` as a process of its own grading in the sandbox (split grading, the
scan, withholding), and each user a requests session that goes through the LMS's OIDC launch.  Set-up,
not timed: the course, the instructor's launch (it records the course and creates the line item), the
students' launches, the worker started and idle.

1. One student (repeated --single times, a new student each time): POST of their three notebooks (the
   example student alice's) -> the score the LMS holds for them.
2. The burst: --burst uploads of three notebooks within --window seconds from --students students
   (each student's in turn: a newer upload supersedes their queued older one), timed until the LMS
   holds the score of every student's last upload; then checked: every upload accepted and recorded,
   each graded at most once, the last one of every student graded.

    python -m devtools.bench_lti_submit [--single 3] [--burst 300] [--students 100] [--window 60] [--jobs N]
"""

import argparse
import concurrent.futures
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from coursekit.course import environment, generate_release
from coursekit.lti import queue
from coursekit.lti.store import open_store
from coursekit.spec import ASSIGNMENT, NOTEBOOKS
from devtools import examples
from devtools.scratch import new_course
from tests.lti.lti_platform import LEARNER, rsa_pair
from tests.lti.world import World, csrf_of, tls_certificate

FILES = [("notebooks", (f"{nb}.ipynb", (examples.EXAMPLES / "alice" / ASSIGNMENT / f"{nb}.ipynb").read_bytes(),
                        "application/x-ipynb+json")) for nb in NOTEBOOKS]


def site(folder, jobs):
    course = new_course(folder / "template")
    generate_release(course)
    cert, cert_key = tls_certificate(folder)
    pems = {"tool": rsa_pair(), "platform": rsa_pair(), "cert": cert, "cert_key": cert_key, "course": course,
            "total": None}
    (folder / "course").mkdir()
    settings = ("c.LtiUploads.rate_limit = 100\nc.LtiServer.threads = 16\nc.LtiWorker.poll_interval = 0.1\n"
                + (f"c.LtiWorker.jobs = {jobs}\n" if jobs else ""))
    return World(folder / "course", pems, template=course, settings=settings)


def start_worker(world, log):
    with open(log, "ab") as out:
        process = subprocess.Popen([sys.executable, "-m", "coursekit.lti.cli", "--course", str(world.path), "worker"],
                                   env=environment(), stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 300
    while "grading" not in log.read_text(errors="replace"):  # "worker ... grading <course>": self-check passed
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the worker did not start:\n" + log.read_text(errors="replace")[-3000:])
        time.sleep(0.2)
    return process


def student(world, user_id):
    world.lms.add_user(user_id, [LEARNER], "Bench", user_id, f"{user_id}@example.edu")
    browser = world.browser()
    page = browser.launch(user_id)
    assert page.status_code == 200, page.text[:500]
    return browser, csrf_of(page.text)


def upload(world, browser, token):
    answer = browser.session.post(f"{world.tool_url}/upload", data={"csrf": token}, files=FILES,
                                  allow_redirects=False, timeout=300)
    assert answer.status_code == 303, (answer.status_code, answer.text[:500])


def wait_for_scores(world, users, deadline):
    while not set(users) <= set(world.lms.held()):
        if time.monotonic() > deadline:
            missing = sorted(set(users) - set(world.lms.held()))
            raise SystemExit(f"scores missing at the LMS after the deadline: {missing}")
        time.sleep(0.05)
    return time.monotonic()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--single", type=int, default=3, help="one-student runs (0: none)")
    parser.add_argument("--burst", type=int, default=300, help="uploads in the burst (0: none)")
    parser.add_argument("--students", type=int, default=100, help="students the burst's uploads come from")
    parser.add_argument("--window", type=float, default=60.0, help="seconds the burst's uploads are spread over")
    parser.add_argument("--jobs", type=int, default=0, help="c.LtiWorker.jobs (default: the machine's cores)")
    args = parser.parse_args(argv)
    os.environ["PATH"] = environment()["PATH"]  # nbgrader runs alembic through PATH
    folder = Path(tempfile.mkdtemp(prefix="bench-lti-submit-"))
    world, worker = None, None
    try:
        print("set-up (not timed): a course, the LMS, the tool, the instructor's launch, the worker ...", flush=True)
        world = site(folder, args.jobs)
        assert world.browser().launch("u-prof").status_code == 200 and world.lms.created, "no line item"
        worker = start_worker(world, folder / "worker.log")
        singles = []
        for n in range(args.single):
            user_id = f"single{n}"
            browser, token = student(world, user_id)
            started = time.monotonic()
            upload(world, browser, token)
            singles.append(wait_for_scores(world, [user_id], started + 600) - started)
            print(f"  one student, three notebooks: upload -> score at the LMS {singles[-1]:.1f} s", flush=True)
        if args.burst:
            users = [f"burst{n:03d}" for n in range(args.students)]
            print(f"{args.students} students launch (not timed) ...", flush=True)
            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                sessions = dict(zip(users, pool.map(lambda u: student(world, u), users), strict=True))
            order = [users[n % args.students] for n in range(args.burst)]
            gap = args.window / args.burst
            print(f"the burst: {args.burst} uploads in {args.window:g} s ...", flush=True)
            started = time.monotonic()

            def send(n):
                time.sleep(max(0.0, started + n * gap - time.monotonic()))
                upload(world, *sessions[order[n]])
                return time.monotonic()

            with concurrent.futures.ThreadPoolExecutor(32) as pool:
                accepted = max(pool.map(send, range(args.burst)))
            finished = wait_for_scores(world, users, started + 7200)
            store = open_store(world.path)
            counts = queue.counts(store)
            graded = sum(counts.get(state, 0) for state in queue.FINISHED)
            rows = sum(counts.values())
            last_graded = all(row.state in queue.FINISHED for row in queue.latest_per_student(store).values())
            store.close()
            assert rows == args.burst + args.single, counts
            assert counts.get(queue.QUEUED, 0) == counts.get(queue.GRADING, 0) == 0, counts
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            worker.wait(300)
        if world is not None:
            world.close()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    if singles:
        print(f"one student, upload -> score at the LMS: median {statistics.median(singles):.1f} s "
              f"(runs: {', '.join(f'{s:.1f}' for s in singles)}; target <= 15 s)")
    if args.burst:
        print(f"burst of {args.burst} uploads from {args.students} students within {args.window:g} s: all accepted "
              f"{accepted - started:.1f} s after the first; the last score at the LMS {finished - started:.1f} s after "
              f"the first upload; uploads graded {graded - args.single}, superseded by a newer one "
              f"{counts.get(queue.SUPERSEDED, 0)}, failed {counts.get(queue.FAILED, 0)}; every student's last "
              f"upload graded: {last_graded}")
    print(f"load average (1, 5, 15 min) at the end: {load}; cores: {os.cpu_count()}")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
