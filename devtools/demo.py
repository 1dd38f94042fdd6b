"""The instructor's main job, end to end, on the bundled example submissions.

It builds a complete course directory in demo/ (config and source/ copied from the repository;
everything else generated, so it never touches your own gradebook.db or submitted/) and runs
there, step by step, the commands an instructor runs in a term:

release -> roster into the gradebook -> collect the LMS download (examples/lms, a Canvas zip) ->
grade (sandboxed, one student per core) -> feedback -> grade files for nbgrader, Canvas and
Moodle, points per exercise -> the class report -> submissions that need a look, grades withheld
for review (`coursekit-review`), score table (a withheld score marked *).

Safe to run again: demo/ is rebuilt from scratch every time.
"""

import io
import shutil
import sys
import time

from coursekit import lms
from coursekit.commands.grade_steps import autograde_with_progress, report
from coursekit.commands.review import listing
from coursekit.course import nbgrader
from coursekit.report import write_report
from coursekit.results import course_results
from coursekit.spec import ASSIGNMENT
from coursekit.summary import table

from .scratch import REPO, new_course

DEMO = REPO / "demo"
ROSTER = REPO / "examples" / "lms" / "roster.csv"
DOWNLOAD = ROSTER.parent / "canvas_submissions.zip"
CANVAS_ID = "12345"  # the Canvas assignment id: in a real course, the number in its URL


def step(title, commands, run):
    started = time.perf_counter()
    print(f"==> {title}")
    for command in commands:
        print(f"    $ {command}")
    sys.stdout.flush()
    run()
    print(f"    done in {time.perf_counter() - started:.1f} s", flush=True)


def nb_step(title, *commands):
    """A step made of nbgrader commands, shown as typed."""
    step(title, [f"nbgrader {' '.join(c)}" for c in commands],
         lambda: [nbgrader(*c, cwd=DEMO) for c in commands])


def main():
    if DEMO.exists():
        shutil.rmtree(DEMO)
    new_course(DEMO)
    (DEMO / "reports").mkdir()
    print(f"Course directory: {DEMO}\n")
    nb_step("Release: the student version in release/ (and the assignment in the gradebook)",
            ["generate_assignment", ASSIGNMENT, "--force"])
    step("Roster: names, emails and LMS ids into the gradebook",
         [f"coursekit-lms roster {ROSTER.relative_to(REPO)}"],
         lambda: lms.load_into_gradebook(lms.read_roster(ROSTER), f"sqlite:///{DEMO / 'gradebook.db'}"))
    archive = DEMO / "downloaded" / ASSIGNMENT / "archive"
    archive.mkdir(parents=True)
    shutil.copy(DOWNLOAD, archive)
    nb_step(f"Collect: the Canvas download ({DOWNLOAD.name}) into submitted/; every file not collected "
            f"is in downloaded/{ASSIGNMENT}/collect_report.csv",
            ["zip_collect", ASSIGNMENT, "--collector=coursekit.lms.CanvasCollector", f"--LmsRoster.path={ROSTER}"])
    step("Grade: every submission with the hidden tests, sandboxed, on every core, into autograded/; "
         "doubtful grades withheld",
         ["coursekit-grade   # nbgrader's Autograde, one student per worker, then the review"],
         lambda: (autograde_with_progress(DEMO, force=True), report(DEMO, out=io.StringIO())))
    nb_step("Feedback: one page per student and notebook in feedback/ (hidden tests' code left out)",
            ["generate_feedback", ASSIGNMENT, "--force"])
    nb_step("Grade files in reports/: nbgrader's, Canvas's import, Moodle's worksheet, points per exercise",
            ["export", "--to=reports/grades.csv"],
            ["export", "--exporter=coursekit.lms.CanvasExport", "--to=reports/canvas_grades.csv",
             f"--CanvasExport.assignment_ids={ASSIGNMENT}={CANVAS_ID}", f"--LmsExport.points_possible={ASSIGNMENT}=100",
             f"--LmsRoster.path={ROSTER}"],
            ["export", "--exporter=coursekit.lms.MoodleExport", "--to=reports/moodle_grades.csv",
             f"--LmsRoster.path={ROSTER}"],
            ["export", "--exporter=coursekit.lms.ExerciseExport", "--to=reports/exercise_scores.csv",
             f"--LmsRoster.path={ROSTER}"])
    step("Class report: reports/exercises.csv and reports/exercises.png",
         ["coursekit-report"], lambda: write_report(DEMO, DEMO / "reports"))
    print()
    report(DEMO)
    print()
    listing(DEMO)
    print("\nScores (points per notebook):\n")
    print(table(course_results(DEMO)))
    print(f"\nIn {DEMO}: reports/ (grade files, class report), feedback/<student>/{ASSIGNMENT}/*.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
