"""`coursekit-review`: the grades withheld for review, listed; `coursekit-review clear STUDENT`: one cleared."""

import argparse
import sys
from pathlib import Path

from ..review import clear, withheld
from ..spec import NOTEBOOKS


def main(argv=None):
    parser = argparse.ArgumentParser(description="List the grades withheld for review, or clear a student's.")
    sub = parser.add_subparsers(dest="command")
    clear_args = sub.add_parser("clear", help="clear a student's withheld notebooks after review")
    clear_args.add_argument("student")
    clear_args.add_argument("--notebook", choices=NOTEBOOKS, help="only this notebook (default: all of them)")
    clear_args.add_argument("--by", help="who reviewed it (default: your user name)")
    parser.add_argument("--submitted", help="folder of submissions (default: the course's, submitted/)")
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
