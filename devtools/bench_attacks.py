"""What each attack costs the grading process, measured one attack at a time, here and in another checkout.

Grades the chosen attacks of tests/batch/adversarial/cases.py (default: those aimed at split grading
itself) each alone, in a scratch course of its own, with one `nbgrader autograde --notebook=NB`
process run by the checkout's own virtual environment, sandboxed, with the attack table's limits.
While it runs, the process's peak resident memory (VmHWM in /proc) is read every 20 ms. Prints per
attack: the attacked notebook's status, its points, the points of the cells it attacked, the grading
process's peak memory and the run's wall time, and, where the checkout records it, the slowest
reply of the kernel to read (the notebook's metadata, coursekit/grading/plugins/limited_execute.py).

    python -m devtools.bench_attacks                       # this checkout
    git worktree add ../before <commit> && (cd ../before && bash -c 'source scripts/setup.sh')
    python -m devtools.bench_attacks --other ../before     # the same attacks there, for a before/after

Attack code runs only inside the grading sandbox, as in the test suite.
"""

import argparse
import importlib.util
import json
import os
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from nbgrader.api import Gradebook

from coursekit import notebooks
from coursekit.redaction import reference_solutions
from coursekit.spec import ASSIGNMENT, NOTEBOOKS

from .scratch import REPO, new_course

# The classes of issue 23, and the attacks that stand for them.
DEFAULT = ("atk-readded-test", "atk-unmarked-tests", "atk-setup-moved", "atk-setup-deleted", "atk-forged-test",
           "atk-callback-abuse", "atk-hash-pileup", "atk-regex-stall", "atk-iopub-flood", "atk-matmul-rebound",
           "atk-matmul-getattr", "atk-matmul-correlate", "atk-matmul-walrus", "atk-huge-reply")
LIMITS = ["--LimitedExecute.use_sandbox=True", "--LimitedExecute.timeout=4", "--LimitedExecute.notebook_timeout=15",
          "--LimitedExecute.max_output_bytes=500000", "--LimitedExecute.memory_mb=1024",
          "--LimitedExecute.cpu_seconds=20"]


def attack_table():
    """tests/batch/adversarial/cases.py, loaded from its file (tests/ is not a package of the project)."""
    path = REPO / "tests" / "adversarial" / "cases.py"
    spec = importlib.util.spec_from_file_location("attack_cases", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def nbgrader(checkout, course, *args):
    venv = Path(checkout) / ".venv" / "bin"
    # No PYTHONPATH: it would make the other checkout's nbgrader import this checkout's coursekit.
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONPATH"}, "PATH": f"{venv}:{os.environ.get('PATH', '')}"}
    return subprocess.Popen([str(venv / "nbgrader"), *args], cwd=course, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def peak_while_running(process):
    """The process's peak resident memory in MiB (VmHWM), read until it ends."""
    peak = 0
    while process.poll() is None:
        try:
            for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.02)
    return peak / 1024


def measure(checkout, cases, attack, folder):
    course = new_course(folder, Path(checkout))
    nbgrader(checkout, course, "generate_assignment", ASSIGNMENT, "--force").wait()
    release = course / "release" / ASSIGNMENT
    rel = {nb: notebooks.read(release / f"{nb}.ipynb") for nb in NOTEBOOKS}
    solutions = {nb: reference_solutions(notebooks.read(course / "source" / ASSIGNMENT / f"{nb}.ipynb"))
                 for nb in NOTEBOOKS}
    ctx = cases.Context(rel, solutions, str(course), 9, uuid.uuid4().hex[:12])
    target = course / "submitted" / attack.student / ASSIGNMENT
    target.mkdir(parents=True)
    for name, data in attack.build(ctx).items():
        (target / name).write_bytes(data)
    started = time.perf_counter()
    process = nbgrader(checkout, course, "autograde", ASSIGNMENT, f"--notebook={attack.notebook}", "--force", *LIMITS)
    peak = peak_while_running(process)
    seconds = time.perf_counter() - started
    graded = course / "autograded" / attack.student / ASSIGNMENT / f"{attack.notebook}.ipynb"
    metadata = json.loads(graded.read_text()).get("metadata", {}).get("coursekit", {}) if graded.exists() else {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        try:
            grades = {g.name: g.score or 0.0 for g in
                      gb.find_submission_notebook(attack.notebook, ASSIGNMENT, attack.student).grades}
        except Exception:  # noqa: BLE001 - nbgrader failed the notebook: no grades
            grades = {}
    attacked = [gid for gid in grades if any(gid.startswith(e + "_") for e in attack.zero)] + list(attack.zero_cells)
    stopped = "stopped" if any(o.get("ename") == "GradingStopped" for c in notebooks.read(graded).cells
                               for o in c.get("outputs", [])) else "graded" if graded.exists() else "not graded"
    return {"state": stopped, "points": sum(grades.values()),
            "attacked points": sum(grades.get(g, 0) for g in attacked),
            "peak MiB": peak, "seconds": seconds, "slowest reply s": metadata.get("slowest_reply_seconds")}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--other", help="another checkout (its .venv set up), measured after this one")
    parser.add_argument("attacks", nargs="*", default=DEFAULT,
                        help="students of the attack table (default: issue 23's)")
    args = parser.parse_args(argv)
    cases = attack_table()
    checkouts = {"this": REPO, **({"other": Path(args.other).resolve()} if args.other else {})}
    print(f"{'attack':24} {'checkout':8} {'state':10} {'points':>6} {'attacked':>8} {'peak MiB':>8} {'s':>5} "
          f"{'reply s':>7}")
    for student in args.attacks:
        attack = cases.BY_STUDENT[student]
        for name, checkout in checkouts.items():
            with tempfile.TemporaryDirectory(prefix="coursekit-bench-attack-") as tmp:
                found = measure(checkout, cases, attack, Path(tmp) / "course")
            reply = found["slowest reply s"]
            print(f"{student:24} {name:8} {found['state']:10} {found['points']:>6g} {found['attacked points']:>8g} "
                  f"{found['peak MiB']:>8.0f} {found['seconds']:>5.1f} {'' if reply is None else f'{reply:.3f}':>7}",
                  flush=True)


if __name__ == "__main__":
    main()
