"""coursekit.grading.plugins.notebook_gradebook.NotebookGradebook finds what nbgrader's Gradebook
finds, for the notebook and submission it was made for in a few queries, and anything else as
nbgrader does."""

import shutil

import pytest
import sqlalchemy as sa
from nbgrader.api import Comment, Grade, Gradebook, MissingEntry, SolutionCell, SourceCell, TaskCell

from coursekit.grading.plugins.notebook_gradebook import NotebookGradebook
from coursekit.spec import ASSIGNMENT, NOTEBOOKS
from tests.support import gradebooks

NB, OTHER_NB = NOTEBOOKS[0], NOTEBOOKS[1]
STUDENTS = [("ann", "Ann", "Lee", None), ("ben", "Ben", "Ng", None)]


@pytest.fixture(scope="module")
def built_gradebook(tmp_path_factory):
    """The release's grade cells, two students' submissions, and in the first notebook a solution
    cell, a task cell, source cells for all of them and the comments and grade nbgrader would add."""
    path = tmp_path_factory.mktemp("notebook-gradebook") / "gradebook.db"
    gradebooks.build(path, STUDENTS, {"ann": 1.0, "ben": 0.5})
    url = f"sqlite:///{path}"
    with Gradebook(url) as gb:
        notebook = gb.find_notebook(NB, ASSIGNMENT)
        solution = SolutionCell(name="answer-1", notebook=notebook)
        task = TaskCell(name="task-1", notebook=notebook, max_score=2, cell_type="markdown")
        sources = [SourceCell(name=cell.name, notebook=notebook, cell_type="code", locked=True, source=f"# {cell.name}",
                              checksum=cell.name) for cell in [*notebook.grade_cells, solution, task]]
        gb.db.add_all([solution, task, *sources])
        for student, *_ in STUDENTS:
            submitted = gb.find_submission_notebook(NB, ASSIGNMENT, student)
            gb.db.add_all([Comment(cell=solution, notebook=submitted), Comment(cell=task, notebook=submitted),
                           Grade(cell=task, notebook=submitted)])
        gb.db.commit()
    return path


@pytest.fixture
def gradebook_url(built_gradebook, tmp_path):
    """A copy of that gradebook, for one test."""
    shutil.copy(built_gradebook, tmp_path / "gradebook.db")
    return f"sqlite:///{tmp_path / 'gradebook.db'}"


def lookups(gb, student):
    """Every lookup the plug-ins make for `student`'s first notebook, as (what, name, row id)."""
    notebook = gb.find_notebook(NB, ASSIGNMENT)
    graded = [c.name for c in notebook.grade_cells] + ["task-1"]
    return ([("source", c.name, gb.find_source_cell(c.name, NB, ASSIGNMENT).id) for c in notebook.source_cells]
            + [("graded", n, gb.find_graded_cell(n, NB, ASSIGNMENT).id) for n in graded]
            + [("grade", n, gb.find_grade(n, NB, ASSIGNMENT, student).id) for n in graded]
            + [("comment", n, gb.find_comment(n, NB, ASSIGNMENT, student).id) for n in ("answer-1", "task-1")])


def test_it_finds_the_rows_nbgraders_gradebook_finds(gradebook_url):
    with Gradebook(gradebook_url) as theirs, NotebookGradebook(gradebook_url, NB, ASSIGNMENT, "ann") as ours:
        expected = lookups(theirs, "ann")
        assert len(expected) > 2 * len(gradebooks.release_grade_cells()[NB])
        assert lookups(ours, "ann") == expected
        # Another student's submission, another notebook: nbgrader's own lookups.
        assert lookups(ours, "ben") == lookups(theirs, "ben")
        name = gradebooks.release_grade_cells()[OTHER_NB][0][0]
        assert ours.find_grade(name, OTHER_NB, ASSIGNMENT, "ann").id == theirs.find_grade(name, OTHER_NB, ASSIGNMENT,
                                                                                         "ann").id


def test_a_name_it_does_not_hold_is_nbgraders_missing_entry(gradebook_url):
    with NotebookGradebook(gradebook_url, NB, ASSIGNMENT, "ann") as ours:
        for lookup, args in [(ours.find_source_cell, ()), (ours.find_graded_cell, ()), (ours.find_grade, ("ann",)),
                             (ours.find_comment, ("ann",))]:
            with pytest.raises(MissingEntry):
                lookup("a-cell-the-student-added", NB, ASSIGNMENT, *args)


def counted(gb, student):
    """(lookups(gb, student), the SQL statements they took)."""
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa.event.listen(gb.engine, "before_cursor_execute", listener)
    try:
        return lookups(gb, student), statements
    finally:
        sa.event.remove(gb.engine, "before_cursor_execute", listener)


def test_a_notebooks_lookups_take_a_few_queries_and_survive_nbgraders_commits(gradebook_url):
    with Gradebook(gradebook_url) as theirs:
        _, nbgraders = counted(theirs, "ann")
    with NotebookGradebook(gradebook_url, NB, ASSIGNMENT, "ann") as ours:
        first, statements = counted(ours, "ann")
        assert len(statements) <= 10 < len(nbgraders) // 5
        name = first[-3][1]
        ours.find_grade(name, NB, ASSIGNMENT, "ann").auto_score = 1.5
        ours.db.commit()  # as nbgrader's SaveAutoGrades does after each cell
        again, statements = counted(ours, "ann")
        assert again == first
        assert len(statements) <= 3  # lookups() reading the notebook's cells: the finders ask nothing
        assert ours.find_grade(name, NB, ASSIGNMENT, "ann").auto_score == 1.5
    with Gradebook(gradebook_url) as theirs:
        assert theirs.find_grade(name, NB, ASSIGNMENT, "ann").auto_score == 1.5
