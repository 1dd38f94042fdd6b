"""Grading a class: stock nbgrader, this project serial and in parallel, measured in one run.

`python -m devtools.bench_scale --students N [--jobs J]` builds N students from the example
students (alice, bao, chidi in turn) in one scratch course, and grades them three ways, each in
its own copy of that course, one after another:

- stock: nbgrader as it ships (plain ipykernel, no sandbox, no limits): the course's release and
  gradebook under an empty nbgrader_config.py, one `nbgrader autograde math_numpy`;
- serial: `coursekit-grade --jobs 1` (sandboxed, one nbgrader run per notebook, then the review
  and the score table);
- parallel: `coursekit-grade --jobs J` (default: the machine's cores).

For each: wall time and CPU time (the whole machine's busy time from /proc/stat, so that
sandboxed kernels count too: run it on an otherwise idle machine) per notebook, the speed-up over
stock (a ratio of wall times), and peak memory (the largest sum of the resident sizes of the
run's process tree, sampled with psutil every 0.2 s).  Compare the ratios, not the seconds.
"""

import argparse
import contextlib
import datetime
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from coursekit.course import BIN, environment, generate_release
from coursekit.spec import ASSIGNMENT, NOTEBOOKS
from coursekit.submissions import statuses

from .bench_checkouts import busy_cpu_seconds
from .examples import submit_class
from .scratch import new_course


def peak_memory(pid, stop, result, interval=0.2):
    """Sample the summed RSS of process `pid` and its descendants until `stop` is set."""
    try:
        root = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    while not stop.is_set():
        total = 0
        try:
            for proc in [root, *root.children(recursive=True)]:
                with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                    total += proc.memory_info().rss
        except psutil.NoSuchProcess:
            break
        result[0] = max(result[0], total)
        stop.wait(interval)


def measure(command, cwd):
    """(wall seconds, CPU seconds of all children, peak bytes) of one command run to its end."""
    before = busy_cpu_seconds()
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, env=environment(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    stop, peak = threading.Event(), [0]
    sampler = threading.Thread(target=peak_memory, args=(proc.pid, stop, peak), daemon=True)
    sampler.start()
    output = proc.communicate()[0]
    wall = time.perf_counter() - started
    stop.set()
    sampler.join()
    cpu = busy_cpu_seconds() - before
    return wall, cpu, peak[0], proc.returncode, output


def graded_count(course):
    return len(list(Path(course).glob(f"autograded/*/{ASSIGNMENT}/*.ipynb")))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=24)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", help="build the courses in this folder and keep them (default: a temp dir)")
    parser.add_argument("--only-parallel", action="store_true",
                        help="measure only coursekit-grade --jobs J (a large class: how wall time grows)")
    args = parser.parse_args(argv)
    work = Path(args.keep or tempfile.mkdtemp(prefix="bench-scale-"))
    base = new_course(work / "base")
    generate_release(base)
    submit_class(base, args.students)
    notebooks = args.students * len(NOTEBOOKS)

    modes = {
        "stock nbgrader, serial": [str(BIN / "nbgrader"), "autograde", ASSIGNMENT],
        "coursekit-grade --jobs 1": [sys.executable, "-m", "coursekit.commands.grade", "--jobs", "1"],
        f"coursekit-grade --jobs {args.jobs}": [sys.executable, "-m", "coursekit.commands.grade",
                                                "--jobs", str(args.jobs)],
    }
    if args.only_parallel:
        modes = dict(list(modes.items())[2:])
    rows = []
    for i, (mode, command) in enumerate(modes.items(), start=2 if args.only_parallel else 0):
        course = work / f"mode{i}"
        if course.exists():
            shutil.rmtree(course)
        shutil.copytree(base, course)
        if i == 0:  # nbgrader's defaults: no sandbox, no limits, nbgrader's own preprocessors
            (course / "nbgrader_config.py").write_text("c = get_config()  # noqa: F821\n")
        wall, cpu, peak, code, output = measure(command, course)
        graded = graded_count(course)
        if code != 0 or graded != notebooks:
            sys.exit(f"{mode}: exit {code}, {graded}/{notebooks} notebooks autograded:\n{output[-3000:]}")
        if i > 0:
            states = {s.state for by_student in statuses(course).values() for s in by_student}
            if states != {"graded"}:
                sys.exit(f"{mode}: statuses {states}, expected only 'graded':\n{output[-3000:]}")
        rows.append((mode, wall, cpu, peak))
        print(f"... {mode}: {wall:.1f} s", file=sys.stderr, flush=True)

    stock_wall = rows[0][1] if not args.only_parallel else None
    print(f"{args.students} students x {len(NOTEBOOKS)} notebooks = {notebooks} notebooks; "
          f"{datetime.date.today().isoformat()}, {os.cpu_count()} cores, one run each, in this order\n")
    print(f"| {'mode':26} | {'wall':>8} | {'wall / notebook':>15} | {'CPU / notebook':>14} | "
          f"{'speed-up vs stock':>17} | {'peak memory':>11} |")
    print("|" + "|".join(["-" * 28] + ["-" * (width + 1) + ":" for width in (8, 15, 14, 17, 11)]) + "|")
    for mode, wall, cpu, peak in rows:
        print(f"| {mode:26} | {wall:>6.1f} s | {wall / notebooks:>13.2f} s | {cpu / notebooks:>12.2f} s | "
              + (f"{stock_wall / wall:>16.2f}x" if stock_wall else f"{'-':>17}") + f" | {peak / 2**20:>7.0f} MiB |")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
