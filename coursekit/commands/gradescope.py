"""The command line of coursekit.gradescope (see its docstring)."""

import argparse
import sys

from ..gradescope.build import build
from ..gradescope.run import grade_step, run


def main(argv=None):
    parser = argparse.ArgumentParser(description="Grade on Gradescope with nbgrader (docs/gradescope.md).")
    commands = parser.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser("build", help="write the autograder zip to upload to Gradescope")
    build_cmd.add_argument("--out", default="dist/gradescope.zip")
    build_cmd.add_argument("--course", default=".", help="the course directory (default: the working directory)")
    run_cmd = commands.add_parser("run", help="grade ROOT/submission into ROOT/results/results.json")
    run_cmd.add_argument("--root", default="/autograder", help="Gradescope's folder (default /autograder)")
    run_cmd.add_argument("--course", help="the course files (default: ROOT/source, the unpacked zip)")
    run_cmd.add_argument("--sandbox", choices=("auto", "on", "off"), default="auto",
                         help="auto: the bubblewrap sandbox when it can start, else prlimit (default)")
    step = commands.add_parser("grade-step", help=argparse.SUPPRESS)  # run's child under prlimit
    step.add_argument("course")
    args = parser.parse_args(argv)
    if args.command == "build":
        print(f"wrote {build(args.out, args.course)}")
    elif args.command == "grade-step":
        grade_step(args.course, use_sandbox=False)
    else:
        run(args.root, args.course, args.sandbox)
    return 0


if __name__ == "__main__":
    sys.exit(main())
