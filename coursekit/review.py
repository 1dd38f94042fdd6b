"""A doubtful grade is withheld until an instructor has looked: marking, the ledger, `coursekit-review`.

A notebook is doubtful when grading did not end plainly "graded" (missing, unreadable, not graded,
stopped by a limit, timed out; coursekit.grading.batch) or when the tamper scan flags it for review
(a flag in the notebook itself, or a Python file shipped beside the notebooks, which every notebook
imports).  After grading, `mark` sets nbgrader's own state on every grade of a doubtful notebook:
`needs_manual_grade = True`.  The results model (coursekit/results.py, `NotebookResult.withheld`)
reads that state from the gradebook, and every export leaves the notebook's score out or states
"withheld for review".  A student with no submission at all has no grade to withhold: the exports
treat them as before (docs/lms.md).

Why a notebook is withheld, and who cleared it, is kept in `withheld.json` in the course directory
(the ledger; a term's data, never committed): one entry per student/notebook with the reason, the
sha256 of the submitted file and, once cleared, who cleared it and when.

Clearing: `coursekit-review clear STUDENT [--notebook NB]`, or in nbgrader's formgrader by giving
every flagged cell of the notebook a manual score (formgrader then unsets needs_manual_grade).
The rule when grading again (`mark`, run by coursekit-grade after every batch):
- a notebook that is no longer doubtful is no longer withheld (its ledger entry goes);
- a doubtful notebook whose clearance was for this same file (same sha256) and this same reason
  stays cleared: an unrelated regrade (`--force`) of an unchanged submission does not undo it;
- otherwise (a new file, or a new reason, e.g. it timed out this time) it is withheld again.
A clearance made in formgrader is recorded in the ledger when coursekit-grade next starts (before
nbgrader's autograde, which marks manually scored cells for review again), so it holds the same way.

`coursekit-review` (in the course directory) lists what is withheld and why;
`coursekit-review clear STUDENT [--notebook NB]` clears it after review.
"""

import argparse
import datetime
import getpass
import hashlib
import json
import sys
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from .course import gradebook_url, has_gradebook
from .grading.submission import is_own_file
from .spec import ASSIGNMENT, NOTEBOOKS

LEDGER = "withheld.json"
WITHHELD = "withheld for review"  # what an export writes in place of a withheld score
UNEXPLAINED = "needs manual grading in the gradebook"  # flagged, but not by coursekit-grade (e.g. nbgrader itself)


# ---------------------------------------------------------------- the ledger


def read_ledger(course):
    """{"student/notebook": {"reason", "sha256", "cleared": None | {"by", "at"}}}."""
    path = Path(course) / LEDGER
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def write_ledger(course, ledger):
    (Path(course) / LEDGER).write_text(json.dumps(ledger, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def key(student, notebook):
    return f"{student}/{notebook}"


def reason_of(course, student, notebook):
    """Why the notebook is withheld, as recorded when it was marked."""
    entry = read_ledger(course).get(key(student, notebook))
    return entry["reason"] if entry else UNEXPLAINED


def fingerprint(course, submitted, student, notebook):
    path = Path(course) / submitted / student / ASSIGNMENT / f"{notebook}.ipynb"
    if not is_own_file(Path(course) / submitted, path):  # a link could name /dev/zero, a pipe block
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


def _clearance(by):
    return {"by": by, "at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}


# ---------------------------------------------------------------- marking, after grading


def doubts(statuses, flagged):
    """{(student, notebook): reason} for every doubtful notebook.

    statuses: coursekit.grading.batch.statuses(); flagged: {student: [review flags of the scan]}."""
    found = {}
    for student, items in statuses.items():
        for status in items:
            if status.notebook in NOTEBOOKS and status.state != "graded":
                found[student, status.notebook] = status.state + (f" ({status.detail})" if status.detail else "")
            if status.notebook in NOTEBOOKS and getattr(status, "review", ""):
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
                entry["cleared"] = _clearance("formgrader")
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
    from .results import course_results

    return [(student, nb.notebook, nb.status, nb.withheld)
            for student, result in course_results(course, db_url=db_url).items()
            for nb in result.notebooks.values() if nb.withheld]


def clear(course, student, notebook=None, by=None, submitted="submitted", db_url=None):
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
            entry["cleared"] = _clearance(by or getpass.getuser())
            cleared.append(nb)
        gb.db.commit()
    write_ledger(course, ledger)
    return cleared


def main(argv=None):
    parser = argparse.ArgumentParser(description="List the grades withheld for review, or clear a student's.")
    sub = parser.add_subparsers(dest="command")
    clear_args = sub.add_parser("clear", help="clear a student's withheld notebooks after review")
    clear_args.add_argument("student")
    clear_args.add_argument("--notebook", choices=NOTEBOOKS, help="only this notebook (default: all of them)")
    clear_args.add_argument("--by", help="who reviewed it (default: your user name)")
    parser.add_argument("--submitted", default="submitted", help="folder of submissions (default: submitted)")
    args = parser.parse_args(argv)
    course = Path.cwd()
    if args.command == "clear":
        done = clear(course, args.student, args.notebook, args.by, args.submitted)
        if not done:
            print(f"Nothing of {args.student} is withheld" + (f" in {args.notebook}" if args.notebook else "") + ".")
            return 1
        print(f"Cleared {args.student}: {', '.join(done)}; their scores go into the exports now.")
        return 0
    listing(course)
    return 0


def listing(course, out=None):
    """Print what is withheld and why (coursekit-review without arguments)."""
    out = out or sys.stdout
    rows = withheld(course)
    if not rows:
        print("No grade is withheld for review.", file=out)
        return rows
    print(f"Withheld for review ({len(rows)} notebook(s)): read each (autograded/, coursekit-scan), then "
          "`coursekit-review clear STUDENT [--notebook NB]`.", file=out)
    width = max(len(student) for student, *_ in rows)
    for student, nb, _, reason in rows:
        print(f"  {student.ljust(width)}  {nb}  {reason}", file=out)
    return rows


if __name__ == "__main__":
    sys.exit(main())
