"""What an nbgrader command costs when the package runs it: forked from the fork server, or a new process.

coursekit.course.nbgrader runs each command as a child of the fork server (coursekit/fork_server.py),
which imported nbgrader once. This runs the same commands in a scratch course both ways, alternating:
that child, and `nbgrader ARGS` started as a new process (what the package did before). Prints the
machine's busy CPU seconds and the wall time per command, and their ratio: run it on an otherwise
idle machine (the fork server's own start, about 2 s once per process, is made before measuring).

    python -m devtools.bench_commands [--repeat 5]
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from coursekit.course import generate_release, nbgrader
from coursekit.spec import ASSIGNMENT

from .bench_checkouts import busy_cpu_seconds, run
from .scratch import REPO, new_course

COMMANDS = {"export": ["export", "--to=grades.csv"],
            "validate": ["validate", f"release/{ASSIGNMENT}/02_matrix_operations.ipynb"]}


def new_process(args, course):
    run(REPO, course, *args)


def forked(args, course):
    nbgrader(*args, cwd=course)


def measured(way, args, course):
    busy, started = busy_cpu_seconds(), time.perf_counter()
    way(args, course)
    return busy_cpu_seconds() - busy, time.perf_counter() - started


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    ways = {"forked": forked, "new process": new_process}
    with tempfile.TemporaryDirectory() as tmp:
        course = new_course(Path(tmp) / "course")
        generate_release(course)  # its nbgrader command starts the fork server, before anything is measured
        print(f"{'command':10s} {'way':12s} {'CPU s':>7s} {'wall s':>7s}  (median of {args.repeat})")
        for name, command in COMMANDS.items():
            spent = {way: [] for way in ways}
            for round_ in range(args.repeat):
                for way in (list(ways) if round_ % 2 == 0 else list(ways)[::-1]):
                    spent[way].append(measured(ways[way], command, course))
            for way, runs in spent.items():
                cpu, wall = (statistics.median(r[i] for r in runs) for i in (0, 1))
                print(f"{name:10s} {way:12s} {cpu:7.2f} {wall:7.2f}")
            cpu = {way: statistics.median(r[0] for r in runs) for way, runs in spent.items()}
            print(f"{name:10s} forked / new process: {cpu['forked'] / cpu['new process']:.2f} of the CPU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
