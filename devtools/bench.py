"""How long the test cells take for a correct submission, per notebook.

Grading cost should be kernel start-up, not our tests: the target is under 1 s of test-cell
time per notebook.  Executes each source notebook (the instructor's solutions, with the hidden
tests) in a scratch copy with nbclient, which records each cell's start and end, and sums the
test cells.  Run: `python -m devtools.bench [--repeat N]` (the median of N runs is reported).
"""

import argparse
import datetime
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from nbclient import NotebookClient

from coursekit import notebooks
from coursekit.spec import ASSIGNMENT, NOTEBOOKS

from .scratch import REPO


def _seconds(cell):
    timing = cell.metadata.get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return 0.0
    parse = datetime.datetime.fromisoformat
    return (parse(end.replace("Z", "+00:00")) - parse(start.replace("Z", "+00:00"))).total_seconds()


def time_notebook(path):
    """(seconds in test cells, seconds for the whole execution including kernel start-up)."""
    nb = notebooks.read(path)
    started = time.perf_counter()
    NotebookClient(nb, timeout=120, kernel_name="python3", record_timing=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    total = time.perf_counter() - started
    return sum(_seconds(c) for c in nb.cells if notebooks.is_test(c)), total


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / ASSIGNMENT
        shutil.copytree(REPO / "source" / ASSIGNMENT, work)
        print(f"{'notebook':32} {'test cells (s)':>15} {'whole run (s)':>14}   median of {args.repeat}")
        for nb in NOTEBOOKS:
            runs = [time_notebook(work / f"{nb}.ipynb") for _ in range(args.repeat)]
            tests = statistics.median(r[0] for r in runs)
            whole = statistics.median(r[1] for r in runs)
            print(f"{nb:32} {tests:>15.3f} {whole:>14.2f}")


if __name__ == "__main__":
    main()
