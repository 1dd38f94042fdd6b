"""One submitted notebook: which cells nbgrader grades as the student left them, and their flags."""

import bisect
import dataclasses
import functools
import json
import logging
from pathlib import Path

import nbformat
from nbgrader.preprocessors import DeduplicateIds
from nbgrader.utils import is_grade, is_locked, is_solution

from ... import notebooks
from .bindings import Context
from .cell import check_cell, parse_cell
from .parse import parse
from .rules import MAX_CELL_CHARS, MAX_NOTEBOOK_BYTES, MAX_NOTEBOOK_CODE, Flag

# It logs a warning per duplicate id; the scan reports those as flags, so its log goes nowhere.
_QUIET = logging.getLogger(__name__ + ".nbgrader")
_QUIET.addHandler(logging.NullHandler())
_QUIET.propagate = False
_DEDUPLICATE = DeduplicateIds(log=_QUIET)
_PLAIN = nbformat.NotebookNode(metadata=nbformat.NotebookNode(nbgrader={}))  # never changed by it


def _read_cells(path):
    """(list of raw cells, None) or (None, why the file is not a readable notebook)."""
    path = Path(path)
    try:
        if not path.is_file():
            return None, "not a regular file" if path.exists() else "no such file"
        with open(path, "rb") as f:
            data = f.read(MAX_NOTEBOOK_BYTES + 1)
    except OSError as error:
        return None, f"cannot read the file ({error.strerror or error})"
    if len(data) > MAX_NOTEBOOK_BYTES:
        return None, f"larger than {MAX_NOTEBOOK_BYTES // 1_000_000} MB"
    try:
        nb = json.loads(data)
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        return None, f"not JSON ({str(error)[:80]})"
    if not isinstance(nb, dict):
        return None, f"JSON {type(nb).__name__} instead of a notebook object"
    if not isinstance(nb.get("cells"), list):
        return None, "no list of cells (not an nbformat 4 notebook)"
    return nb["cells"], None


def _clean_cell(raw):
    """A well-typed NotebookNode for the notebooks helpers, or None for a cell that is not an object.

    Sources may be a string or a list of strings (both valid nbformat); anything else counts as
    empty.  nbgrader metadata keeps only scalar values, and a grade_id only if it is a string.
    """
    if not isinstance(raw, dict):
        return None
    source = raw.get("source", "")
    if isinstance(source, list):
        source = "".join(s for s in source if isinstance(s, str))
    elif not isinstance(source, str):
        source = ""
    meta = raw.get("metadata")
    grading = meta.get("nbgrader") if isinstance(meta, dict) else None
    grading = {k: v for k, v in grading.items() if isinstance(v, (str, bool, int, float))} \
        if isinstance(grading, dict) else {}
    if not isinstance(grading.get("grade_id"), str):
        grading.pop("grade_id", None)
    cell_type = raw.get("cell_type") if isinstance(raw.get("cell_type"), str) else ""
    return nbformat.NotebookNode(cell_type=cell_type, source=source, metadata={"nbgrader": grading})


# Which cells nbgrader grades as the student left them.  Its own tests of a cell's flags and its
# own DeduplicateIds are imported; OverwriteCells is not: it takes each cell's locked flag from the
# gradebook database, and the scan has none (it runs before or without autograde), so _kept_cells
# restates its rule with the release notebook in the gradebook's place.

def _graded(cell):
    """nbgrader treats the cell as one of its own (grade, solution or locked), as DeduplicateIds does."""
    return bool(is_grade(cell) or is_solution(cell) or is_locked(cell))


def _locked(cell):
    """nbgrader restores the source of grade and locked cells, never of solutions."""
    return bool(is_locked(cell))


def _by_id(cells):
    """grade_id -> index of the cell nbgrader keeps for it.

    nbgrader's DeduplicateIds runs on stand-ins holding only each cell's nbgrader metadata: it
    empties that of all but the last copy of an id.  A graded cell without a grade_id would make
    it raise; its stand-in has no metadata, so the scan reads that cell as a student cell.
    """
    stand_ins = [nbformat.NotebookNode(metadata=nbformat.NotebookNode(nbgrader=dict(notebooks.meta(c))))
                 if c is not None and _graded(c) and notebooks.grade_id(c) else _PLAIN for c in cells]
    _DEDUPLICATE.preprocess(nbformat.NotebookNode(cells=stand_ins), {})
    return {s.metadata.nbgrader["grade_id"]: i for i, s in enumerate(stand_ins) if s.metadata.nbgrader}


def _kept_cells(cells, release, owner):
    """Indices of the cells nbgrader grades as the student left them; owner is _by_id(cells).

    nbgrader strips the metadata of all but the last copy of a grade_id, forgets ids its gradebook
    lacks, and restores locked cells by id, using the release's flags, not the student's.
    """
    kept = []
    for i, cell in enumerate(cells):
        if cell is None:
            continue
        gid = notebooks.grade_id(cell)
        if not _graded(cell) or owner.get(gid) != i:
            kept.append(i)
        elif release is not None:
            if gid not in release or not _locked(release[gid]):
                kept.append(i)
        elif not _locked(cell):
            kept.append(i)
    return kept


def _structure(cells, release, owner):
    """Info flags: duplicate ids; with the release, edits, metadata changes, deletions, unknown ids."""
    flags = []
    for i, cell in enumerate(cells):
        gid = notebooks.grade_id(cell) if cell is not None and _graded(cell) else None
        if gid and owner[gid] != i:
            flags.append(Flag("duplicate-grade-id", "grade_id used again below: nbgrader grades this copy "
                              "as a student cell", cell=i, grade_id=gid))
    if release is None:
        return flags
    for gid, i in owner.items():
        mine, theirs = cells[i], release.get(gid)
        if theirs is None:
            flags.append(Flag("unknown-grade-id", "grade_id not in the release: graded and scanned as "
                              "a student cell", cell=i, grade_id=gid))
            continue
        changed = [f"{key} {b!r} -> {a!r}"
                   for key, a, b in zip(_FIELDS, _fields(mine), _fields(theirs), strict=False) if a != b]
        if _locked(theirs) and (mine.source.rstrip() != theirs.source.rstrip() or changed):
            flags.append(Flag("locked-cell-edited", "locked cell edited" + (f" ({', '.join(changed)})" if changed
                                                                            else ""), cell=i, grade_id=gid))
        elif changed:
            flags.append(Flag("grade-metadata-changed", "nbgrader metadata changed: " + ", ".join(changed),
                              cell=i, grade_id=gid))
    for gid in release:
        if gid not in owner:
            rule = "locked-cell-deleted" if _locked(release[gid]) else "cell-deleted"
            flags.append(Flag(rule, "cell of the release deleted, or its nbgrader metadata removed", grade_id=gid))
    flags += [Flag("locked-cell-moved", "locked cell out of the release's order", cell=owner[gid], grade_id=gid)
              for gid in _moved(owner, release) if _locked(release[gid])]
    return flags


def _moved(owner, release):
    """The release's cells that the submission holds out of the release's order: those outside one
    longest run that keeps the order (so one cell moved far counts as one, not as all it passed)."""
    rank = {gid: i for i, gid in enumerate(release)}
    kept = [gid for gid in sorted(owner, key=owner.get) if gid in rank]
    # Longest increasing subsequence of the ranks, O(n log n), with back links to recover it.
    tails, links, ends = [], [None] * len(kept), []
    for i, gid in enumerate(kept):
        at = bisect.bisect_left(tails, rank[gid])
        links[i] = ends[at - 1] if at else None
        if at == len(tails):
            tails.append(rank[gid])
            ends.append(i)
        else:
            tails[at], ends[at] = rank[gid], i
    in_order, i = set(), ends[-1] if ends else None
    while i is not None:
        in_order.add(kept[i])
        i = links[i]
    return [gid for gid in kept if gid not in in_order]


_FIELDS = ("cell_type", "grade", "solution", "locked", "points")


def _fields(cell):
    """The cell's values for _FIELDS, normalised (points only count on grade cells)."""
    m = notebooks.meta(cell)
    points = m.get("points")
    points = float(points) if m.get("grade") and isinstance(points, (int, float)) else None
    return cell.cell_type, bool(m.get("grade")), bool(m.get("solution")), bool(m.get("locked")), points


def scan_notebook(path, release_path=None):
    """Flags for one submitted notebook; never raises on a bad file.

    release_path: the release version of the same notebook, to compare locked cells with and to
    decide, as nbgrader will, which cells are restored.  A release that cannot be read is ignored.
    """
    name = str(path)
    try:
        raw, problem = _read_cells(path)
        if problem:
            return [Flag("unreadable", f"unreadable notebook: {problem}", notebook=name)]
        release = _release(str(release_path), _stamp(release_path)) if release_path is not None else None
        return [dataclasses.replace(f, notebook=name) for f in _scan_cells(raw, release)]
    except Exception as error:  # noqa: BLE001 - a bug of ours must not stop a whole batch
        return [Flag("scan-error", f"scanner failed ({type(error).__name__}: {str(error)[:60]}): "
                                   "review by hand", notebook=name)]


def _stamp(path):
    try:
        stat = Path(path).stat()
        return stat.st_mtime_ns, stat.st_size
    except OSError:
        return None


@functools.lru_cache(maxsize=16)
def _release(path, stamp):
    """grade_id -> cell of a release notebook (None if unreadable); read once per batch
    (stamp, the file's mtime and size, makes a changed file be read again)."""
    raw, problem = _read_cells(path)
    if problem:
        return None
    cells = [_clean_cell(c) for c in raw]
    return {gid: cells[i] for gid, i in _by_id(cells).items()}


def _scan_cells(raw_cells, release):
    cells = [_clean_cell(c) for c in raw_cells]
    owner = _by_id(cells)
    flags = _structure(cells, release, owner)

    # The setup cells' imports (np, the checks helpers) are what the test cells rely on: take
    # them from the release when there is one, since the student's copy may have been edited.
    setup = release.values() if release is not None else [c for c in cells if c is not None]
    setup = [parse(c.source) for c in setup
             if c.cell_type == "code" and _locked(c) and not notebooks.meta(c).get("grade")]

    parsed, budget = {}, MAX_NOTEBOOK_CODE
    for i in _kept_cells(cells, release, owner):
        # nbgrader turns a cell back into the release's type: a solution saved as markdown still runs.
        known = release.get(notebooks.grade_id(cells[i])) if release is not None else None
        if (known or cells[i]).cell_type != "code" or not cells[i].source.strip():
            continue
        budget -= min(len(cells[i].source), MAX_CELL_CHARS + 1)
        if budget < 0:
            flags.append(Flag("oversized-cell", f"more than {MAX_NOTEBOOK_CODE:,} characters of code: "
                                                f"cells from {i} on not scanned, review by hand", cell=i))
            break
        parsed[i] = parse_cell(cells[i].source)
    ctx = Context([p[0] for p in parsed.values() if not isinstance(p, Flag)],
                  [p[0] for p in setup if not isinstance(p, str)], trusted=release is not None)
    for i, p in parsed.items():
        for flag in check_cell(cells[i].source, p, ctx):
            flags.append(dataclasses.replace(flag, cell=i, grade_id=notebooks.grade_id(cells[i])))
    return flags
