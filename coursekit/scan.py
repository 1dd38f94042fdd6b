"""Moved to coursekit.grading.scan; this thin re-export stays only so that callers on other
branches (`from .scan import REVIEW, scan_submissions`, `python -m coursekit.scan`) keep working
until the lead switches their imports to coursekit.grading.scan.  Delete it then."""

import sys

from .grading.scan import INFO, REVIEW, RULES, Flag, scan_code, scan_notebook, scan_submissions
from .grading.scan.__main__ import main, report

__all__ = ["INFO", "REVIEW", "RULES", "Flag", "main", "report", "scan_code", "scan_notebook",
           "scan_submissions"]

if __name__ == "__main__":
    sys.exit(main())
