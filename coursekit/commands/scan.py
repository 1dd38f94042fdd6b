"""`python -m coursekit.commands.scan [submitted_dir] [--release release/math_numpy]`: the table.

It prints one row per finding and exits 0 (2 only for a folder that does not exist): it reports
for an instructor to review, it does not decide grades.
"""

import argparse
import sys
from pathlib import Path

from ..grading.scan import REVIEW, scan_submissions
from ..grading.scan.parse import trim
from ..spec import ASSIGNMENT


def report(results):
    """The findings as a table, then a one-line summary."""
    rows = [("student", "notebook", "cell", "line", "severity", "rule", "why", "code")]
    for student, flags in results.items():
        for f in flags:
            cell = "-" if f.cell is None else f"{f.cell}" + (f" {f.grade_id}" if f.grade_id else "")
            rows.append((student, Path(f.notebook).name, cell, "-" if f.line is None else str(f.line),
                         f.severity, f.rule, trim(f.message, 70), trim(f.code, 60)))
    flagged = sum(1 for flags in results.values() if flags)
    review = sum(f.severity == REVIEW for flags in results.values() for f in flags)
    summary = (f"{len(rows) - 1} finding(s), {review} to review, in {flagged} of {len(results)} "
               f"student(s); the scan reports, it changes no grade.")
    if len(rows) == 1:
        return summary
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + "  " + r[-1] for r in rows]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines + ["", summary])


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m coursekit.commands.scan",
        description="Flag attempts to tamper with grading, reading the code, never running it.")
    parser.add_argument("submitted", nargs="?", default="submitted",
                        help="folder of <student>/<assignment>/*.ipynb "
                             "(default: submitted/ of the current course directory)")
    parser.add_argument("--release", help="release folder to compare locked cells with, "
                                          f"e.g. release/{ASSIGNMENT}")
    args = parser.parse_args(argv)
    for folder in (args.submitted, args.release):
        if folder is not None and not Path(folder).is_dir():
            parser.error(f"no such folder: {folder}")
    print(report(scan_submissions(args.submitted, args.release)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
