"""What the grading sandbox costs: the same honest submissions graded with and without it.

Grades N copies of the example students (alice, bao, chidi in turn) twice in one run, once with
the bubblewrap sandbox and once with `--LimitedExecute.use_sandbox=False`, in the same scratch
course, alternating the order over `--repeat` rounds, and prints the wall times and their ratio
(target: at most 1.2).  Run: `python -m coursekit.bench_sandbox [--students 10] [--repeat 2]`.
"""

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from coursekit.course import generate_release
from coursekit.grading.batch import autograde
from coursekit.spec import ASSIGNMENT

from .examples import EXAMPLES, STUDENTS
from .scratch import new_course


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        course = new_course(Path(tmp) / "course")
        generate_release(course)
        for i in range(args.students):
            example = STUDENTS[i % len(STUDENTS)]
            shutil.copytree(EXAMPLES / example / ASSIGNMENT, course / "submitted" / f"s{i:02d}" / ASSIGNMENT)
        times = {"sandbox": [], "no sandbox": []}
        for round_ in range(args.repeat):
            order = ["sandbox", "no sandbox"] if round_ % 2 == 0 else ["no sandbox", "sandbox"]
            for mode in order:
                extra = [] if mode == "sandbox" else ["--LimitedExecute.use_sandbox=False"]
                started = time.perf_counter()
                runs = autograde(course, force=True, extra=extra)
                times[mode].append(time.perf_counter() - started)
                assert all(r.returncode == 0 for r in runs.values()), f"{mode}: autograde failed"
        with_sb, without = statistics.median(times["sandbox"]), statistics.median(times["no sandbox"])
        print(f"{args.students} submissions x 3 notebooks, median of {args.repeat}: "
              f"sandbox {with_sb:.1f} s, no sandbox {without:.1f} s, ratio {with_sb / without:.2f}")
        return with_sb / without


if __name__ == "__main__":
    main()
