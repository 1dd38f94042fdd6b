"""What a batch grades after a killed run: the unfinished copies it left go, finished ones stay."""

import json

from coursekit.grading.batch.selection import pending, remove_unfinished
from coursekit.spec import ASSIGNMENT, NOTEBOOKS
from devtools.scratch import new_course

NB = NOTEBOOKS[2]


def notebook(ran):
    """A notebook's JSON: one code cell, run (with an execution count and an output) or not."""
    cell = {"cell_type": "code", "metadata": {}, "source": "x = 1", "execution_count": 1 if ran else None,
            "outputs": [{"output_type": "stream", "name": "stdout", "text": "1\n"}] if ran else []}
    return json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def test_a_killed_runs_unfinished_copies_are_removed_and_graded_again(tmp_path):
    course = new_course(tmp_path / "course")
    for student, ran in (("killed", False), ("finished", True)):
        for folder in ("submitted", "autograded"):
            (course / folder / student / ASSIGNMENT).mkdir(parents=True)
            (course / folder / student / ASSIGNMENT / f"{NB}.ipynb").write_text(notebook(ran or folder == "submitted"))
    assert ("killed", NB) in pending(course) and ("finished", NB) not in pending(course)
    remove_unfinished(course)
    assert not (course / "autograded" / "killed" / ASSIGNMENT / f"{NB}.ipynb").exists()
    assert (course / "autograded" / "finished" / ASSIGNMENT / f"{NB}.ipynb").exists()
    assert (course / "submitted" / "killed" / ASSIGNMENT / f"{NB}.ipynb").exists()  # submissions untouched
