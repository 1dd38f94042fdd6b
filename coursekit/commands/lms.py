"""`python -m coursekit.commands.lms roster [roster.csv] [--db URL]`: the roster's students into the gradebook."""

import argparse
import sys
from pathlib import Path

from ..course import gradebook_url
from ..lms.roster import RosterError, load_into_gradebook, read_roster


def main(argv=None):
    parser = argparse.ArgumentParser(description="Load the roster's students (names, emails, Canvas ids) into "
                                                 "nbgrader's gradebook (docs/lms.md).")
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser("roster", help="load the roster's students into the gradebook")
    load.add_argument("path", nargs="?", default="roster.csv")
    load.add_argument("--db", help="gradebook URL (default: the course's, from nbgrader_config.py, else "
                                   "sqlite:///gradebook.db)")
    args = parser.parse_args(argv)
    try:
        args.db = args.db or gradebook_url(Path.cwd())
        count = load_into_gradebook(read_roster(args.path), args.db)
    except RosterError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"{count} student(s) from {args.path} created or updated in {args.db}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
