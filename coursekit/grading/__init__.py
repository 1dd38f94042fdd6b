"""Grading submissions safely: the code that decides how hostile student notebooks are handled.

- scan: the static tamper scan of submissions (reads the code, never runs it)

The sandbox, its execution limits and batch grading move here too (on their own branch).
"""
