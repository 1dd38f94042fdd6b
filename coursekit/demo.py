"""The instructor's main job, end to end, on the bundled example submissions.

Each step is the plain nbgrader command an instructor would type in the course directory;
the only difference from a real term is where the submissions come from
(examples/submitted/ instead of submitted/).  Steps: release, autograde (sandboxed, one
notebook at a time: see coursekit.grade), feedback, grades file, then the submissions that
need a look and the score table.  Safe to run again: every step overwrites its previous output.
"""

import sys
import time

from . import grade
from .nbgrader import REPO, nbgrader
from .spec import ASSIGNMENT, NOTEBOOKS
from .summary import score_rows, table

EXAMPLES = "examples/submitted"
GRADES = "reports/grades.csv"


def step(title, commands, run):
    started = time.perf_counter()
    print(f"==> {title}")
    for command in commands:
        print(f"    $ nbgrader {' '.join(command)}")
    sys.stdout.flush()
    run()
    print(f"    done in {time.perf_counter() - started:.1f} s", flush=True)


def main():
    (REPO / "reports").mkdir(exist_ok=True)
    release = ["generate_assignment", ASSIGNMENT, "--force"]
    step("Release: build the student version in release/ (and register the assignment)",
         [release], lambda: nbgrader(*release, cwd=REPO))
    graded = [["autograde", ASSIGNMENT, f"--notebook={nb}", f"--CourseDirectory.submitted_directory={EXAMPLES}",
               "--force"] for nb in NOTEBOOKS]
    step(f"Grade: run every submission in {EXAMPLES}/ with the hidden tests, in the sandbox, into autograded/",
         graded, lambda: grade.autograde(REPO, EXAMPLES, force=True))
    feedback = ["generate_feedback", ASSIGNMENT, "--force"]
    step("Feedback: one HTML report per student and notebook, into feedback/",
         [feedback], lambda: nbgrader(*feedback, cwd=REPO))
    export = ["export", f"--to={GRADES}"]
    step(f"Grades file: {GRADES}", [export], lambda: nbgrader(*export, cwd=REPO))
    print()
    grade.review(REPO, EXAMPLES)
    print("\nScores (points per notebook):\n")
    print(table(score_rows(f"sqlite:///{REPO / 'gradebook.db'}")))
    print(f"\nGrades file: {REPO / GRADES}\nFeedback:    {REPO / 'feedback'}/<student>/{ASSIGNMENT}/*.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
