"""Shared fixtures: one nbgrader autograde batch serves the whole suite.

Grading is the slow part (a kernel start per notebook), so the session generates the release
once and autogrades every corpus case, the reference solutions and a blank submission in one
sharded batch; the tests then read verdicts from it.
"""

import pytest

from coursekit import corpus


@pytest.fixture(scope="session")
def cases():
    return corpus.load()


@pytest.fixture(scope="session")
def graded(cases, tmp_path_factory):
    """The result of coursekit.corpus.grade: a fresh release and every student's per-cell scores."""
    return corpus.grade(cases, tmp_path_factory.mktemp("grading"))
