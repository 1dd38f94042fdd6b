"""What a change saves or costs: the same submissions graded by this checkout and by another one.

Grades N copies of the example students (alice, bao, chidi in turn) in two scratch courses, one
built from each checkout (its nbgrader_config.py and source/) and graded by that checkout's own
virtual environment (its nbgrader, its coursekit, its pinned packages), alternating the order
over `--repeat` rounds.  Prints per notebook the wall time and the CPU time of the whole machine
(all processes, the kernels included: read from /proc/stat, so run it on an otherwise idle
machine), and their ratios.  Both must give the same scores.

    git worktree add ../before <commit> && (cd ../before && bash -c 'source scripts/setup.sh')
    python -m devtools.bench_checkouts --other ../before [--students 8] [--repeat 3]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from coursekit.spec import ASSIGNMENT, NOTEBOOKS

from .bench_sandbox import scores
from .examples import EXAMPLES, STUDENTS
from .scratch import REPO, new_course


def busy_cpu_seconds():
    """CPU seconds the machine has spent not idle since boot (all cores, all processes)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def course_of(checkout, folder, students):
    """A scratch course of `checkout`, its release generated, with `students` copies of the examples."""
    course = new_course(folder, Path(checkout))
    run(checkout, course, "generate_assignment", ASSIGNMENT, "--force")
    for i in range(students):
        shutil.copytree(EXAMPLES / STUDENTS[i % len(STUDENTS)] / ASSIGNMENT,
                        course / "submitted" / f"s{i:02d}" / ASSIGNMENT)
    return course


def run(checkout, course, *args):
    """nbgrader of `checkout`'s virtual environment, in `course`."""
    venv = Path(checkout) / ".venv" / "bin"
    env = {**os.environ, "PATH": f"{venv}:{os.environ.get('PATH', '')}"}
    subprocess.run([str(venv / "nbgrader"), *args], cwd=course, env=env, check=True, capture_output=True)


def grade(checkout, course):
    """(wall, busy CPU) seconds of autograding every notebook, one nbgrader run per notebook as
    coursekit-grade does."""
    cpu, started = busy_cpu_seconds(), time.perf_counter()
    for nb in NOTEBOOKS:
        run(checkout, course, "autograde", ASSIGNMENT, f"--notebook={nb}", "--force")
    return time.perf_counter() - started, busy_cpu_seconds() - cpu


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--other", required=True, help="the other checkout (its .venv set up)")
    parser.add_argument("--students", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    checkouts = {"this": REPO, "other": Path(args.other).resolve()}
    notebooks = args.students * len(NOTEBOOKS)
    with tempfile.TemporaryDirectory() as tmp:
        courses = {name: course_of(path, Path(tmp) / name, args.students) for name, path in checkouts.items()}
        measured = {name: [] for name in checkouts}
        for round_ in range(args.repeat):
            for name in (list(checkouts) if round_ % 2 == 0 else list(checkouts)[::-1]):
                measured[name].append(grade(checkouts[name], courses[name]))
        assert scores(courses["this"]) == scores(courses["other"]), "the two checkouts gave different scores"
    wall, cpu = ({name: statistics.median(m[k] for m in measured[name]) / notebooks for name in checkouts}
                 for k in (0, 1))
    print(f"{args.students} submissions x {len(NOTEBOOKS)} notebooks, median of {args.repeat} rounds, per notebook:")
    for name in checkouts:
        print(f"  {name:5} ({checkouts[name]}): wall {wall[name]:.2f} s, CPU {cpu[name]:.2f} s")
    print(f"  ratio this/other: wall {wall['this'] / wall['other']:.2f}, CPU {cpu['this'] / cpu['other']:.2f} "
          "(same scores: yes)")
    return cpu["this"] / cpu["other"]


if __name__ == "__main__":
    main()
