"""nbgrader's own exchange, end to end: release, fetch, submit, collect, grade, feedback, fetch it.

One instructor course and two students, ada (the reference solutions) and ben (nothing done),
with a temporary exchange directory.  Everything runs as one OS user, so each student works in
a home of their own (HOME: nbgrader's submission cache is ~/.local/share/jupyter/nbgrader_cache)
and names themselves with `--student`: nbgrader 0.9.6's submit and fetch_feedback use
CourseDirectory.student_id when it is given, and the OS user name (utils.get_username) otherwise.
collect then warns that a submission "claims to be submitted by ada but is owned by root";
ExchangeCollect.check_owner=False turns that check off, which only a shared-user setup needs.
"""

import concurrent.futures
import stat

from nbgrader.api import Gradebook
from nbgrader.utils import notebook_hash

from coursekit import notebooks
from coursekit.course import environment, nbgrader
from coursekit.grading.batch.serial import autograde
from coursekit.redaction import reference_solutions
from coursekit.spec import ASSIGNMENT, NOTEBOOKS
from devtools.scratch import REPO, new_course
from tests.support.released import released

COURSE = "math101"
STUDENTS = ("ada", "ben")


def as_students(*args, homes):
    """An nbgrader command run by every student at once, each from their home, under their name."""
    env = {k: v for k, v in environment().items() if not k.startswith(("JUPYTER_", "XDG_"))}
    with concurrent.futures.ThreadPoolExecutor(len(homes)) as pool:
        running = {student: pool.submit(nbgrader, *args, f"--student={student}", cwd=home, check=False,
                                        env={**env, "HOME": str(home)})
                   for student, home in homes.items()}
        for student, future in running.items():
            run = future.result()
            assert run.returncode == 0, f"nbgrader {args[0]} as {student}:\n{run.stdout}{run.stderr}"


def files(folder):
    return sorted(p.name for p in folder.iterdir())


def test_release_fetch_submit_collect_grade_and_return_feedback(tmp_path):
    exchange = tmp_path / "exchange"
    course = new_course(tmp_path / "course")
    released(course)
    shared = [f"--Exchange.root={exchange}", f"--CourseDirectory.course_id={COURSE}"]
    homes = {s: tmp_path / "home" / s for s in STUDENTS}
    for home in homes.values():
        home.mkdir(parents=True)
    expected = sorted([f"{nb}.ipynb" for nb in NOTEBOOKS] + ["checks.py"])

    # Instructor: release.  nbgrader creates the exchange world-writable, the inbox write-only.
    nbgrader("release_assignment", ASSIGNMENT, *shared, cwd=course)
    assert stat.S_IMODE(exchange.stat().st_mode) == 0o777
    assert stat.S_IMODE((exchange / COURSE / "inbound").stat().st_mode) == 0o2733
    assert files(exchange / COURSE / "outbound" / ASSIGNMENT) == expected

    # Students: fetch into their homes; ada fills in the reference solutions, ben does nothing.
    as_students("fetch_assignment", ASSIGNMENT, *shared, homes=homes)
    assert all(files(home / ASSIGNMENT) == expected for home in homes.values())
    for nb in NOTEBOOKS:
        answers = reference_solutions(notebooks.read(REPO / "source" / ASSIGNMENT / f"{nb}.ipynb"))
        path = homes["ada"] / ASSIGNMENT / f"{nb}.ipynb"
        notebooks.write(notebooks.filled_in(notebooks.read(path), answers), path)

    # Students: submit.  One timestamped folder each in the inbox, and a copy in their own cache.
    as_students("submit", ASSIGNMENT, *shared, homes=homes)
    for student, home in homes.items():
        [inbox] = (exchange / COURSE / "inbound").glob(f"{student}+{ASSIGNMENT}+*")
        assert files(inbox) == sorted(expected + ["submission_secret.txt", "timestamp.txt"])
        [cached] = (home / ".local/share/jupyter/nbgrader_cache" / COURSE).iterdir()
        assert cached.name.startswith(f"{student}+{ASSIGNMENT}+")

    # Instructor: collect into submitted/, grade (sandboxed, coursekit.grading.batch), feedback, release it.
    nbgrader("collect", ASSIGNMENT, *shared, "--ExchangeCollect.check_owner=False", cwd=course)
    for student in STUDENTS:
        assert (course / "submitted" / student / ASSIGNMENT / "timestamp.txt").is_file()
        assert all((course / "submitted" / student / ASSIGNMENT / f"{nb}.ipynb").is_file() for nb in NOTEBOOKS)
    runs = autograde(course)
    assert all(run.returncode == 0 for run in runs.values()), [run.stderr[-2000:] for run in runs.values()]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        top = gb.find_assignment(ASSIGNMENT).max_score
        scores = {s: gb.find_submission(ASSIGNMENT, s).score for s in STUDENTS}
    assert top > 0 and scores == {"ada": top, "ben": 0}

    nbgrader("generate_feedback", ASSIGNMENT, cwd=course)
    nbgrader("release_feedback", ASSIGNMENT, *shared, cwd=course)
    feedback_pages = set()
    for student in STUDENTS:
        secret = (course / "submitted" / student / ASSIGNMENT / "submission_secret.txt").read_text()
        feedback_pages |= {f"{notebook_hash(secret=secret, notebook_id=nb)}.html" for nb in NOTEBOOKS}
    assert set(files(exchange / COURSE / "feedback")) == feedback_pages

    # Students: fetch their own feedback, and only their own.
    as_students("fetch_feedback", ASSIGNMENT, *shared, homes=homes)
    fetched = {}
    for student, home in homes.items():
        [stamped] = (home / ASSIGNMENT / "feedback").iterdir()
        assert stamped.name == (course / "submitted" / student / ASSIGNMENT / "timestamp.txt").read_text()
        assert files(stamped) == [f"{nb}.html" for nb in NOTEBOOKS]
        for nb in NOTEBOOKS:
            fetched[student, nb] = (stamped / f"{nb}.html").read_bytes()
            assert fetched[student, nb] == (course / "feedback" / student / ASSIGNMENT / f"{nb}.html").read_bytes()
    assert all(fetched["ada", nb] != fetched["ben", nb] for nb in NOTEBOOKS)
