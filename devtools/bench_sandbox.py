"""What the grading sandbox and split grading cost: the same honest submissions graded two ways.

Grades N copies of the example students (alice, bao, chidi in turn) in one scratch course, two ways
in one run, alternating the order over `--repeat` rounds, and prints the wall time per notebook of
each and their ratio:

- `--compare sandbox` (default): the bubblewrap sandbox against `--LimitedExecute.use_sandbox=False`
  (target: at most 1.2);
- `--compare split`: split grading (test cells in the grading process, coursekit.grading.split.grader)
  against the tests in the student's kernel, `--LimitedExecute.split_tests=False` (target: at most 1.1).

Both ways must give the same scores. Run:
`python -m devtools.bench_sandbox [--compare split] [--students 10] [--repeat 2]`.
"""

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from nbgrader.api import Gradebook

from coursekit.course import generate_release
from coursekit.grading.batch.serial import autograde
from coursekit.spec import ASSIGNMENT, NOTEBOOKS

from .examples import EXAMPLES, STUDENTS
from .scratch import new_course

# --compare: (name, extra nbgrader arguments) of the way measured, then of the way compared with.
COMPARISONS = {
    "sandbox": (("sandbox", []), ("no sandbox", ["--LimitedExecute.use_sandbox=False"])),
    "split": (("split", []), ("single kernel", ["--LimitedExecute.split_tests=False"])),
}


def scores(course):
    with Gradebook(f"sqlite:///{Path(course) / 'gradebook.db'}") as gb:
        return {(s.student.id, nb.name, g.name): g.score
                for s in gb.assignment_submissions(ASSIGNMENT) for nb in s.notebooks for g in nb.grades}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", choices=sorted(COMPARISONS), default="sandbox")
    parser.add_argument("--students", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    ways = COMPARISONS[args.compare]
    notebooks = args.students * len(NOTEBOOKS)
    with tempfile.TemporaryDirectory() as tmp:
        course = new_course(Path(tmp) / "course")
        generate_release(course)
        for i in range(args.students):
            example = STUDENTS[i % len(STUDENTS)]
            shutil.copytree(EXAMPLES / example / ASSIGNMENT, course / "submitted" / f"s{i:02d}" / ASSIGNMENT)
        times = {name: [] for name, _ in ways}
        graded = {}
        for round_ in range(args.repeat):
            for name, extra in (ways if round_ % 2 == 0 else ways[::-1]):
                started = time.perf_counter()
                runs = autograde(course, force=True, extra=extra)
                times[name].append(time.perf_counter() - started)
                assert all(r.returncode == 0 for r in runs.values()), f"{name}: autograde failed"
                graded.setdefault(name, scores(course))
        (first, _), (second, _) = ways
        assert graded[first] == graded[second], f"{first} and {second} gave different scores"
        a, b = (statistics.median(times[name]) / notebooks for name in (first, second))
        print(f"{args.students} submissions x {len(NOTEBOOKS)} notebooks, median of {args.repeat} rounds, "
              f"per notebook: {first} {a:.2f} s, {second} {b:.2f} s, ratio {a / b:.2f} (same scores: yes)")
        return a / b


if __name__ == "__main__":
    main()
