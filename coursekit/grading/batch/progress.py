"""What a grading run shows while it runs: a progress bar on a terminal, plain lines in logs.

`Progress` counts recorded notebooks: a tqdm bar (count, rate, time left) when the output is a
terminal, otherwise one line per notebook (`[ 5/72] alice 02_matrix_operations: graded`), which
CI logs keep readably.  `summary` is the line that ends a run.
"""

import sys
import threading

from ...status import State


class Progress:
    def __init__(self, total, desc="grading", out=None, bar=None):
        self.out = out or sys.stdout
        self.total, self.count = total, 0
        self.bar = None
        if bar if bar is not None else self.out.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=desc, unit="notebook", file=self.out, dynamic_ncols=True)
        self._lock = threading.Lock()

    def done(self, student, notebook, state):
        with self._lock:
            self.count += 1
            if self.bar is not None:
                self.bar.set_postfix_str(f"{student} {notebook}: {state}", refresh=False)
                self.bar.update(1)
            else:
                width = len(str(self.total))
                print(f"[{self.count:>{width}}/{self.total}] {student} {notebook}: {state}", file=self.out, flush=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()  # tqdm: a second close does nothing


def summary(states, seconds):
    """One line: how many notebooks ended in each state, and the wall time."""
    counts = {}
    for state in states:
        counts[state] = counts.get(state, 0) + 1
    order = list(State)  # the enum's own order: graded first
    parts = [f"{counts[s]} {s}" for s in sorted(counts, key=lambda s: (order + [s]).index(s))]
    minutes, rest = divmod(seconds, 60)
    wall = f"{int(minutes)} min {rest:.0f} s" if minutes else f"{rest:.1f} s"
    total = len(states)
    return (f"Graded {total} notebook{'s' * (total != 1)} in {wall}"
            + (f" ({total / seconds:.2f} notebooks/s)" if seconds > 0 and total else "")
            + (": " + ", ".join(parts) if parts else "") + ".")
