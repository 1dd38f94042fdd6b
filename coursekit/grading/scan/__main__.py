"""`python -m coursekit.grading.scan [submitted_dir] [--release release/math_numpy]`."""

import sys

from .checker import main

if __name__ == "__main__":
    sys.exit(main())
