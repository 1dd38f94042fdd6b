"""`coursekit-report [--out reports]`: what the class struggled with, as exercises.csv and exercises.png."""

import argparse
import sys

from ..report import write_report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0].split(": ", 1)[1])
    parser.add_argument("--out", default="reports", help="folder for exercises.csv and exercises.png "
                        "(relative to the course directory; default: reports)")
    parser.add_argument("--db", help="gradebook URL (default: sqlite:///gradebook.db in the current directory)")
    args = parser.parse_args(argv)
    try:
        paths = write_report(".", args.out, args.db)
    except ValueError as error:
        parser.exit(1, f"coursekit-report: {error}\n")
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
