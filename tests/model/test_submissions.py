"""What of a submission grading reads (coursekit/submissions.py): never a symbolic link.

Quick: no kernel.  tests/batch/test_parallel.py grades a batch with such links both ways."""

import os
import threading

import pytest

from coursekit import review, submissions
from coursekit.grading.batch import selection
from coursekit.grading.scan.folder import scan_submissions
from coursekit.spec import ASSIGNMENT, NOTEBOOKS

BIG = 2**30  # a cap these submissions never reach


@pytest.fixture
def submitted(tmp_path):
    """A submissions folder with every kind of link a hostile or careless archive may hold."""
    secret = tmp_path / "grader-secret.txt"
    secret.write_text("secret", encoding="utf-8")
    outside = tmp_path / "outside"
    (outside / "deep").mkdir(parents=True)
    (outside / "deep" / "data.csv").write_text("1,2", encoding="utf-8")
    root = tmp_path / "submitted"
    ann = root / "ann" / ASSIGNMENT
    (ann / "data").mkdir(parents=True)
    (ann / f"{NOTEBOOKS[0]}.ipynb").write_text('{"cells": []}', encoding="utf-8")
    (ann / "data" / "points.csv").write_text("3,4", encoding="utf-8")
    (ann / "timestamp.txt").write_text("2026-12-01 10:00:00", encoding="utf-8")
    (ann / "notes.txt").symlink_to(secret)
    (ann / "zeros.bin").symlink_to("/dev/zero")  # never opened: reading it would not end
    (ann / "gone.csv").symlink_to(tmp_path / "no-such-file")
    (ann / "linked-folder").symlink_to(outside)
    (ann / f"{NOTEBOOKS[1]}.ipynb").symlink_to(ann / f"{NOTEBOOKS[0]}.ipynb")
    bob = root / "bob"
    bob.mkdir()
    (bob / ASSIGNMENT).symlink_to(ann)  # a whole assignment folder that is another's
    (root / "cal").symlink_to(root / "ann")  # a whole student folder that is another's
    return root


def test_files_are_the_regular_ones_only(submitted):
    assert submissions.files(submitted, "ann", BIG) == {
        f"{NOTEBOOKS[0]}.ipynb": b'{"cells": []}', "data/points.csv": b"3,4",
        "timestamp.txt": b"2026-12-01 10:00:00"}
    assert submissions.files(submitted, "bob", BIG) == {}
    assert submissions.files(submitted, "cal", BIG) == {}
    assert submissions.files(submitted, "nobody", BIG) == {}


def test_a_submission_too_large_is_refused(submitted):
    with pytest.raises(ValueError, match="larger than"):
        submissions.files(submitted, "ann", 20)


def test_the_serial_paths_copy_holds_the_same_files(submitted):
    before = sorted((str(p), os.lstat(p).st_mtime_ns) for p in submitted.rglob("*"))
    with submissions.regular_copy(submitted, BIG) as (copy, skipped):
        found = {str(p.relative_to(copy)) for p in copy.rglob("*") if p.is_file()}
        assert found == {f"ann/{ASSIGNMENT}/{name}" for name in submissions.files(submitted, "ann", BIG)}
        assert not [p for p in copy.rglob("*") if p.is_symlink()]
        assert skipped == {}
    assert not copy.exists()
    assert sorted((str(p), os.lstat(p).st_mtime_ns) for p in submitted.rglob("*")) == before  # untouched
    with submissions.regular_copy(submitted, 20) as (copy, skipped):
        assert list(skipped) == ["ann"] and "the submission is larger than" in skipped["ann"]
        assert not (copy / "ann" / ASSIGNMENT).exists()


def test_a_linked_notebook_is_unreadable_and_never_graded(submitted):
    course = submitted.parent
    ann = {s.notebook: s for s in submissions.statuses(course)["ann"]}
    assert ann[NOTEBOOKS[1]].state == "unreadable" and "symbolic link" in ann[NOTEBOOKS[1]].detail
    assert ann[NOTEBOOKS[2]].state == "missing"
    assert [s.state for s in submissions.statuses(course)["bob"]] == ["unreadable"] * len(NOTEBOOKS)
    assert selection.pending(course) == [("ann", NOTEBOOKS[0])]
    assert review.fingerprint(course, "submitted", "ann", NOTEBOOKS[1]) == ""  # the link is not read
    assert review.fingerprint(course, "submitted", "ann", NOTEBOOKS[0]) != ""


def test_a_notebook_that_is_a_pipe_is_unreadable_and_never_opened(tmp_path):
    # An archive can hold a named pipe: opening it waits for a writer that never comes.
    dee = tmp_path / "submitted" / "dee" / ASSIGNMENT
    dee.mkdir(parents=True)
    os.mkfifo(dee / f"{NOTEBOOKS[1]}.ipynb")
    found = {}

    def read_everything():
        found["statuses"] = [str(s) for s in submissions.statuses(tmp_path)["dee"]]
        found["pending"] = selection.pending(tmp_path)
        found["files"] = submissions.files(tmp_path / "submitted", "dee", BIG)
        found["scan"] = scan_submissions(tmp_path / "submitted")["dee"]
        found["fingerprint"] = review.fingerprint(tmp_path, "submitted", "dee", NOTEBOOKS[1])

    reader = threading.Thread(target=read_everything, daemon=True)
    reader.start()
    reader.join(30)
    assert not reader.is_alive(), "something opened the pipe and waits for a writer"
    assert found["statuses"][1] == f"{NOTEBOOKS[1]}: unreadable (not a regular file)"
    assert found["pending"] == [] and found["files"] == {} and found["fingerprint"] == ""


def test_the_scan_does_not_follow_a_linked_notebook(submitted):
    from coursekit.grading.scan.notebook_scan import scan_notebook

    secret = submitted.parent / "grader-secret.txt"
    assert scan_notebook(secret), "the scan flags a file that is not a notebook: reading it would show"
    (submitted / "ann" / ASSIGNMENT / f"{NOTEBOOKS[2]}.ipynb").symlink_to(secret)
    flags = scan_submissions(submitted)
    assert not [f for f in flags["ann"] + flags["bob"] + flags["cal"] if f.notebook and f.notebook.endswith(".ipynb")]
