"""Scratch course directories made from this repository, for tests, benchmarks and the demo."""

from pathlib import Path

from coursekit import course

REPO = Path(__file__).resolve().parent.parent


def new_course(root, repo=REPO):
    """A scratch course in `root` with this repository's config and source/."""
    return course.new_course(root, repo)
