"""Constructed gradebooks for the export tests: the release's grade cells (so the points follow
source/ and release/), students' scores set directly, no kernel run."""

import hashlib
import shutil
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, GradeCell

from coursekit.course import new_gradebook
from coursekit.spec import ASSIGNMENT, NOTEBOOKS
from devtools.scratch import REPO

from . import shared


def release_grade_cells(release=REPO / "release" / ASSIGNMENT):
    """{notebook: [(grade_id, points)]} of the release's autograded test cells."""
    cells = {}
    for nb in NOTEBOOKS:
        book = nbformat.read(str(release / f"{nb}.ipynb"), as_version=4)
        cells[nb] = [(c.metadata.nbgrader["grade_id"], float(c.metadata.nbgrader["points"])) for c in book.cells
                     if c.metadata.get("nbgrader", {}).get("grade")]
    return cells


def _base(cells):
    """A gradebook with the assignment and its grade cells only: made once per test run, copied after
    (a commit per grade cell costs seconds on a slow disk)."""
    key = repr(tuple((nb, tuple(grade_cells)) for nb, grade_cells in cells.items()))

    def make(folder):
        path = folder / "gradebook.db"
        new_gradebook(f"sqlite:///{path}")  # as nbgrader makes it, without its `alembic heads` process
        with Gradebook(f"sqlite:///{path}") as gb:
            gb.add_assignment(ASSIGNMENT)
            for nb, grade_cells in cells.items():
                notebook = gb.add_notebook(nb, ASSIGNMENT)
                # The rows gb.add_grade_cell adds, in one transaction: it commits each cell, and each commit
                # of this scratch file waits for the disk (seconds for the release's cells).
                gb.db.add_all([GradeCell(name=name, notebook=notebook, max_score=points, cell_type="code")
                               for name, points in grade_cells])
            gb.db.commit()
        return str(path)

    return Path(shared.once_per_run(f"gradebook-base-{hashlib.sha256(key.encode()).hexdigest()[:16]}", make))


def build(db_path, students, fractions, late_penalty=None, cells=None):
    """A gradebook with the release's grade cells; students: [(id, first, last, lms id)];
    fractions: {student: share of each cell's points} (absent: no submission); late_penalty:
    {student: points}.  Returns the assignment's total points."""
    cells = cells or release_grade_cells()
    late_penalty = late_penalty or {}
    shutil.copyfile(_base(cells), db_path)
    with Gradebook(f"sqlite:///{db_path}") as gb:
        for student_id, first, last, lms_id in students:
            gb.add_student(student_id, first_name=first, last_name=last, lms_user_id=lms_id)
        for student_id, share in fractions.items():
            submission = gb.add_submission(ASSIGNMENT, student_id)
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    grade.auto_score = grade.max_score * share
                    grade.needs_manual_grade = False  # as nbgrader's autograde leaves a scored cell
                if notebook.name == NOTEBOOKS[0] and student_id in late_penalty:
                    notebook.late_submission_penalty = late_penalty[student_id]
        gb.db.commit()
        return gb.find_assignment(ASSIGNMENT).max_score
