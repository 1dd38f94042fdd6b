"""What grading made of one submitted notebook: its state, and the marks grading leaves as data.

A leaf of the package (it imports nothing of coursekit): the one vocabulary every layer shares.

- `State`: graded, missing, unreadable, not graded (nbgrader failed), stopped (a limit was hit),
  timed out (a test cell ran over its time limit); and unexpected, the state of the pseudo-notebook
  "files" of a submission that holds files under other names. Any state but GRADED is doubtful, and so is a
  notebook a check asked to review: its grade is withheld until an instructor clears it
  (coursekit/review.py). Withheld and cleared are the review's words, not states.
- `Status`: one notebook's state, the detail an instructor reads, and what a check asked to review.
- The marks: grading records, in the autograded notebook itself, why it stopped (the notebook's
  metadata, `coursekit.stopped`) and why a check asked for review (a cell's metadata,
  `coursekit.review`), so no one parses a message to learn either. `mark_stopped` also gives every
  test cell that did not run an error output, so nbgrader scores it 0.
"""

import dataclasses
import enum

from nbformat.notebooknode import from_dict

METADATA_KEY = "coursekit"  # in notebook and cell metadata: what grading found beyond the scores
STOPPED = "GradingStopped"  # the ename of the error output a stopped notebook's cells carry
TIMED_OUT = "CellTimeoutError"  # nbgrader's ename for a cell that ran over its time limit


class State(enum.StrEnum):
    GRADED = "graded"
    MISSING = "missing"
    UNREADABLE = "unreadable"
    NOT_GRADED = "not graded"
    STOPPED = "stopped"
    TIMED_OUT = "timed out"
    UNEXPECTED = "unexpected"

    @property
    def submitted(self):
        """Whether there was a notebook to grade (a readable file that grading got to)."""
        return self not in (State.MISSING, State.UNREADABLE, State.NOT_GRADED)


@dataclasses.dataclass
class Status:
    notebook: str
    state: State
    detail: str = ""
    review: str = ""  # why a check asked for an instructor's review ("" when none did)

    @property
    def doubtful(self):
        return self.state != State.GRADED or bool(self.review)

    def __str__(self):
        return (f"{self.notebook}: {self.state}" + (f" ({self.detail})" if self.detail else "")
                + (f"; a check asks for review: {self.review}" if self.review else ""))


# ---------------------------------------------------------------- the marks, in notebook JSON (dicts)


def marks(node):
    """The grading marks of a notebook or cell (a dict or NotebookNode); {} when none or malformed."""
    metadata = node.get("metadata") if isinstance(node, dict) else None
    found = metadata.get(METADATA_KEY) if isinstance(metadata, dict) else None
    return found if isinstance(found, dict) else {}


def mark(node, **values):
    """Add grading marks to a notebook's or cell's metadata (a NotebookNode's)."""
    node.setdefault("metadata", from_dict({})).setdefault(METADATA_KEY, from_dict({})).update(values)


def text_mark(node, name):
    value = marks(node).get(name)
    return value if isinstance(value, str) else ""


def mark_stopped(nb, index, reason):
    """Record why grading of `nb` stopped at cell `index`, and give that cell and every test cell
    after it an error output (so nbgrader scores them 0, and the student reads why)."""
    mark(nb, stopped=reason)
    said_why = False
    for i, cell in enumerate(nb["cells"]):
        if cell.get("cell_type") != "code" or i < index:
            continue
        if not said_why:
            text = f"Grading of this notebook stopped here: {reason}."
            said_why = True
        elif cell.get("metadata", {}).get("nbgrader", {}).get("grade"):
            text = "Not run: grading of this notebook stopped at an earlier cell (see there why)."
        else:
            continue
        cell["outputs"] = list(cell.get("outputs", [])) + [from_dict(
            {"output_type": "error", "ename": STOPPED, "evalue": text, "traceback": [f"{STOPPED}: {text}"]})]


def graded_state(nb):
    """(State, detail) of a notebook as grading left it: stopped (and why) from its marks, timed
    out (which cells) from nbgrader's timeout errors, else graded."""
    stopped = text_mark(nb, "stopped")
    if stopped:
        return State.STOPPED, stopped
    cells = [c for c in nb.get("cells", []) if isinstance(c, dict)]
    timeouts = [c.get("metadata", {}).get("nbgrader", {}).get("grade_id") or f"cell {i}"
                for i, c in enumerate(cells)
                if any(isinstance(o, dict) and o.get("ename") == TIMED_OUT for o in c.get("outputs", []))]
    if timeouts:
        return State.TIMED_OUT, ", ".join(timeouts)
    return State.GRADED, ""


def review_requests(nb):
    """"grade_id: why" for each cell a check asked to review, joined by "; " ("" when none)."""
    cells = [c for c in nb.get("cells", []) if isinstance(c, dict)]
    return "; ".join(f"{c.get('metadata', {}).get('nbgrader', {}).get('grade_id') or f'cell {i}'}: "
                     f"{text_mark(c, 'review')}" for i, c in enumerate(cells) if text_mark(c, "review"))
