"""A doubtful grade is withheld until an instructor has looked: marking, the ledger, `coursekit-review`.

A notebook is doubtful when grading did not end plainly "graded" (missing, unreadable, not graded,
stopped by a limit, timed out: coursekit.status), when a check asked for review (a code check that
could not read the code for certain), or when the tamper scan flags it for review (a flag in the
notebook itself, or a Python file shipped beside the notebooks, which every notebook imports).
After grading, `mark` sets nbgrader's own state on every grade of a doubtful notebook:
`needs_manual_grade = True`.  The results model (coursekit/results.py, `NotebookResult.withheld`)
reads that state from the gradebook, and every export leaves the notebook's score out or states
"withheld for review".  A student with no submission at all has no grade to withhold: the exports
treat them as before (docs/lms.md).

Why a notebook is withheld, and who cleared it, is kept in the ledger (coursekit/ledger.py,
`withheld.json` in the course directory): the reason, the sha256 of the submitted file and, once
cleared, who cleared it and when.

Clearing: `coursekit-review clear STUDENT [--notebook NB]`, or in nbgrader's formgrader by giving
every flagged cell of the notebook a manual score (formgrader then unsets needs_manual_grade).
The rule when grading again (`mark`, run by coursekit-grade after every batch):
- a notebook that is no longer doubtful is no longer withheld (its ledger entry goes);
- a doubtful notebook whose clearance was for this same file (same sha256) and this same reason
  stays cleared: an unrelated regrade (`--force`) of an unchanged submission does not undo it;
- otherwise (a new file, or a new reason, e.g. it timed out this time) it is withheld again.
A clearance made in formgrader is recorded in the ledger when coursekit-grade next starts (before
nbgrader's autograde, which marks manually scored cells for review again), so it holds the same way.

`coursekit-review` (coursekit/commands/review.py) lists what is withheld and why, and clears it.
"""

import getpass
import hashlib
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from .course import CoursePaths, gradebook_url, has_gradebook
from .grading.scan import REVIEW, scan_submissions
from .ledger import UNEXPLAINED, clearance, key, read_ledger, write_ledger
from .results import course_results
from .spec import ASSIGNMENT, NOTEBOOKS
from .status import State
from .submissions import is_own_file
from .submissions import statuses as read_statuses


def fingerprint(course, submitted, student, notebook):
    paths = CoursePaths(course, submitted)
    path = paths.submission(student) / f"{notebook}.ipynb"
    if not is_own_file(paths.submitted_folder(), path):  # a link could name /dev/zero, a pipe block
        return ""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _grades(gb, student, notebook):
    try:
        return gb.find_submission_notebook(notebook, ASSIGNMENT, student).grades
    except MissingEntry:
        return []


# ---------------------------------------------------------------- marking, after grading


def withhold_doubtful(course, submitted=None):
    """What coursekit-grade does after grading: read every notebook's status, run the tamper scan,
    and withhold every doubtful notebook (mark). Returns (statuses, the scan's review flags by
    student, {(student, notebook): reason} newly withheld)."""
    paths = CoursePaths(course, submitted)
    statuses = read_statuses(course, submitted)
    flags = scan_submissions(paths.submitted_folder(), paths.release())
    flagged = {student: [f for f in items if f.severity == REVIEW] for student, items in flags.items()}
    flagged = {student: items for student, items in flagged.items() if items}
    withheld = mark(course, submitted, statuses, flagged) if has_gradebook(course) else {}
    return statuses, flagged, withheld


def doubts(statuses, flagged):
    """{(student, notebook): reason} for every doubtful notebook.

    statuses: coursekit.submissions.statuses(); flagged: {student: [review flags of the scan]}."""
    found = {}
    for student, items in statuses.items():
        for status in items:
            if status.notebook in NOTEBOOKS and status.state != State.GRADED:
                found[student, status.notebook] = str(status.state) + (f" ({status.detail})" if status.detail else "")
            if status.notebook in NOTEBOOKS and status.review:
                check = f"code check: {status.review}"
                key = (student, status.notebook)
                found[key] = f"{found[key]}; {check}" if key in found else check
    for student, flags in flagged.items():
        for nb in NOTEBOOKS:
            # a flag in this notebook, or in a file beside the notebooks (which every notebook imports)
            rules = sorted({f.rule for f in flags
                            if Path(f.notebook).stem == nb or Path(f.notebook).suffix != ".ipynb"})
            if rules:
                scan = "tamper scan: " + ", ".join(rules)
                found[student, nb] = f"{found[student, nb]}; {scan}" if (student, nb) in found else scan
    return found


def adopt_formgrader_clearances(course, db_url=None):
    """Record in the ledger the withheld notebooks an instructor cleared in formgrader (every cell
    given a manual score, none still needing a manual grade).  Run before nbgrader autograde, which
    marks manually scored cells for review again."""
    ledger = read_ledger(course)
    pending = {k: e for k, e in ledger.items() if not e.get("cleared")}
    if not pending or not has_gradebook(course, db_url):
        return []
    adopted = []
    with Gradebook(db_url or gradebook_url(course)) as gb:
        for name, entry in pending.items():
            grades = _grades(gb, *name.split("/", 1))
            if grades and all(g.manual_score is not None and not g.needs_manual_grade for g in grades):
                entry["cleared"] = clearance("formgrader")
                adopted.append(name)
    if adopted:
        write_ledger(course, ledger)
    return adopted


def mark(course, submitted, statuses, flagged, db_url=None):
    """Set needs_manual_grade on the grades of every doubtful notebook (the rule is in the module
    docstring) and update the ledger; return {(student, notebook): reason} of what is withheld."""
    adopt_formgrader_clearances(course, db_url)
    ledger = read_ledger(course)
    doubtful = doubts(statuses, flagged)
    withheld = {}
    with Gradebook(db_url or gradebook_url(course)) as gb:
        for student in statuses:
            for nb in NOTEBOOKS:
                grades, name = _grades(gb, student, nb), key(student, nb)
                if not grades:  # no submission in the gradebook: no grade to withhold
                    continue
                entry, reason = ledger.get(name), doubtful.get((student, nb))
                if reason is None:
                    if entry is not None:  # withheld before, not now: nbgrader's own state again
                        for g in grades:
                            g.needs_manual_grade = g.auto_score is None and g.manual_score is None
                        del ledger[name]
                    continue
                sha = fingerprint(course, submitted, student, nb)
                still_cleared = entry and entry.get("cleared") and entry["sha256"] == sha and entry["reason"] == reason
                for g in grades:
                    g.needs_manual_grade = not still_cleared
                if not still_cleared:
                    ledger[name] = {"reason": reason, "sha256": sha, "cleared": None}
                    withheld[student, nb] = reason
        gb.db.commit()
    write_ledger(course, ledger)
    return withheld


# ---------------------------------------------------------------- listing and clearing


def withheld(course, db_url=None):
    """[(student, notebook, status, reason)] of every withheld notebook, from the results model."""
    return [(student, nb.notebook, nb.status, nb.withheld)
            for student, result in course_results(course, db_url=db_url).items()
            for nb in result.notebooks.values() if nb.withheld]


def clear(course, student, notebook=None, by=None, submitted=None, db_url=None):
    """Clear a student's withheld notebooks (one, or all); return the cleared notebook names."""
    ledger, cleared = read_ledger(course), []
    with Gradebook(db_url or gradebook_url(course)) as gb:
        for nb in [notebook] if notebook else NOTEBOOKS:
            grades = _grades(gb, student, nb)
            if not any(g.needs_manual_grade for g in grades):
                continue
            for g in grades:
                g.needs_manual_grade = False
            entry = ledger.setdefault(key(student, nb), {
                "reason": UNEXPLAINED, "sha256": fingerprint(course, submitted, student, nb)})
            entry["cleared"] = clearance(by or getpass.getuser())
            cleared.append(nb)
        gb.db.commit()
    write_ledger(course, ledger)
    return cleared
