"""The static tamper scan of submissions (being split into modules: see checker)."""

from .checker import INFO, REVIEW, RULES, Flag, main, report, scan_code, scan_notebook, scan_submissions

__all__ = ["INFO", "REVIEW", "RULES", "Flag", "main", "report", "scan_code", "scan_notebook",
           "scan_submissions"]
