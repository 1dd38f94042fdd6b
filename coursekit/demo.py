"""The instructor's main job, end to end, on the bundled example submissions.

Each step is the plain nbgrader command an instructor would type in the course directory;
the only difference from a real term is where the submissions come from
(examples/submitted/ instead of submitted/).  Steps: release, autograde, feedback, grades
file, score table.  Safe to run again: every step overwrites its previous output.
"""

import sys
import time

from .nbgrader import REPO, nbgrader
from .spec import ASSIGNMENT
from .summary import score_rows, table

EXAMPLES = "examples/submitted"
GRADES = "reports/grades.csv"


def step(title, *args):
    started = time.perf_counter()
    print(f"==> {title}\n    $ nbgrader {' '.join(args)}", flush=True)
    nbgrader(*args, cwd=REPO)
    print(f"    done in {time.perf_counter() - started:.1f} s", flush=True)


def main():
    submitted = f"--CourseDirectory.submitted_directory={EXAMPLES}"
    (REPO / "reports").mkdir(exist_ok=True)
    step("Release: build the student version in release/ (and register the assignment)",
         "generate_assignment", ASSIGNMENT, "--force")
    step(f"Grade: run every submission in {EXAMPLES}/ with the hidden tests, into autograded/",
         "autograde", ASSIGNMENT, "--force", submitted)
    step("Feedback: one HTML report per student and notebook, into feedback/",
         "generate_feedback", ASSIGNMENT, "--force")
    step(f"Grades file: {GRADES}", "export", f"--to={GRADES}")
    print("\nScores (points per notebook):\n")
    print(table(score_rows(f"sqlite:///{REPO / 'gradebook.db'}")))
    print(f"\nGrades file: {REPO / GRADES}\nFeedback:    {REPO / 'feedback'}/<student>/{ASSIGNMENT}/*.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
