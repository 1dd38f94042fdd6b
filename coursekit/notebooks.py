"""Reading nbgrader notebooks and filling in their solution cells."""

import re

import nbformat

# The colour codes (and other terminal escapes) of IPython's tracebacks, stripped wherever outputs
# are read as text.
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# How IPython names a frame in a notebook cell: "Cell In[<execution count>], line <n>".
CELL_FRAME = re.compile(r"Cell In\[(\d+)\], line (\d+)")


def read(path):
    return nbformat.read(str(path), as_version=4)


def write(nb, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def is_solution(cell):
    return bool(meta(cell).get("solution"))


def is_test(cell):
    return bool(meta(cell).get("grade")) and cell.cell_type == "code"


def grade_id(cell):
    return meta(cell).get("grade_id")


def filled_in(release_nb, answers):
    """A copy of a release notebook with the given solution cells (grade_id -> code) filled in."""
    nb = nbformat.from_dict(release_nb)
    missing = set(answers) - {grade_id(c) for c in nb.cells if is_solution(c)}
    if missing:
        raise KeyError(f"no solution cell for {sorted(missing)}")
    for cell in nb.cells:
        if is_solution(cell) and grade_id(cell) in answers:
            cell.source = answers[grade_id(cell)]
    return nb


def output_text(cell):
    """Everything a code cell showed (streams, results, errors), as plain text."""
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type == "error":
            parts.append("\n".join(out.traceback) or f"{out.ename}: {out.evalue}")
        elif "data" in out:
            parts.append(out.data.get("text/plain", ""))
    return ANSI.sub("", "\n".join(parts))
