"""The one results model: what grading found, per test cell, exercise, notebook and student.

Built once from nbgrader's gradebook (scores, maxima, late penalties), the autograded notebooks
(failure messages) and the course's nbgrader configuration (the hidden-test marker, via
coursekit.redaction). Every renderer only reads it: the feedback table, the score table, the
class report, the corpus verdicts, the LMS exports and Gradescope's results.json.

API (stable; everything is a plain dataclass, `to_dict`/`from_dict` round-trip through JSON):

    course_results(course, submitted=None) -> {student: StudentResult}
        every student in the gradebook, sorted by id; course is an nbgrader course directory.
    student_result(course, student, submitted=None) -> StudentResult
    notebook_from_cells(notebook, cells, scores, markers, status) -> NotebookResult
        the same from one autograded notebook in memory (what a feedback preprocessor holds);
        scores: grade_id -> (score, max_score).

    StudentResult:  student, notebooks {name: NotebookResult} (every notebook of coursekit.spec,
                    in teaching order), score, max_score, submitted (any notebook graded),
                    withheld ("notebook: reason; ..." of its withheld notebooks; "" when none)
    NotebookResult: notebook, status, detail, late_penalty, exercises {name: ExerciseResult}
                    (every exercise of the spec, in teaching order), score, max_score, graded,
                    withheld (why its score is withheld for review; "" when it is not)
    ExerciseResult: notebook, exercise, cells [CellResult], score, max_score, failures,
                    not_answered, status, first_problem
    CellResult:     grade_id, exercise, notebook, score, max_score, failure (Failure or None),
                    output (all the cell printed, as plain text; hostile: show only redacted)
    Failure:        message (what a student reads), part ("visible" | "hidden" | None: unknown),
                    not_answered (the student's code still raises NotImplementedError),
                    stderr (the cell failed by writing this to stderr; "" otherwise)

Notebook status (coursekit.submissions.notebook_status): graded | missing | unreadable | not graded |
stopped | timed out (coursekit.status.State), read from the submitted and autograded files
(coursekit.submissions); in a course
directory without a submitted/ folder, "graded" when the gradebook holds the notebook, else
"missing".

Withheld (the one predicate every export renders; none re-derives it): a notebook whose grades
nbgrader's gradebook marks `needs_manual_grade` (coursekit-grade marks every doubtful notebook so,
coursekit/review.py; formgrader or `coursekit-review clear` unmarks it), with the reason from the
review ledger.  An export leaves a withheld score out or writes WITHHELD in its place.

Scores are the gradebook's (manual grades included); a notebook not in the gradebook scores 0 of
its maximum. Failures come from the autograded copy (none without one).

Student-facing wording lives here and only here (one wording per message): NOT_ANSWERED,
STDERR, NO_MESSAGE; a CheckFailed error shows only its message (checks.py words it as
expected / got / likely slip), any other error as `Name: message`.
"""

import dataclasses

from nbgrader.api import Assignment, Grade, Gradebook, GradeCell, Notebook, SubmittedAssignment, SubmittedNotebook

from . import notebooks
from .course import CoursePaths, gradebook_url
from .ledger import reason_of
from .notebooks import ANSI, CELL_FRAME
from .redaction import Markers
from .spec import ASSIGNMENT, EXERCISES, NOTEBOOKS, exercise_of
from .status import State
from .submissions import notebook_status

NOT_ANSWERED = "Not answered yet: your code still raises NotImplementedError."
STDERR = "Output on stderr (a warning?) costs the test's points: "
NO_MESSAGE = "This test did not pass (it produced no message)."
WITHHELD = "withheld for review"  # what an export writes in place of a withheld score


@dataclasses.dataclass
class Failure:
    message: str
    part: str | None = None
    not_answered: bool = False
    stderr: str = ""


@dataclasses.dataclass
class CellResult:
    grade_id: str
    exercise: str
    notebook: str
    score: float
    max_score: float
    failure: Failure | None = None
    output: str = ""


class RollUp:
    """Points summed over the parts below (cells of an exercise, exercises, notebooks)."""

    def parts(self):
        raise NotImplementedError

    @property
    def score(self):
        return sum(part.score for part in self.parts())

    @property
    def max_score(self):
        return sum(part.max_score for part in self.parts())


@dataclasses.dataclass
class ExerciseResult(RollUp):
    notebook: str
    exercise: str
    cells: list = dataclasses.field(default_factory=list)
    stub_raised: bool = False  # the solution cell itself still raised NotImplementedError

    def parts(self):
        return self.cells

    @property
    def failures(self):
        return [c.failure for c in self.cells if c.failure]

    @property
    def not_answered(self):
        return self.stub_raised or any(f.not_answered for f in self.failures)

    @property
    def status(self):
        if self.score >= self.max_score:
            return "full marks"
        if self.score > 0:
            return "partly right"
        return "not answered" if self.not_answered else "no points"

    @property
    def first_problem(self):
        if self.status == "not answered":
            return NOT_ANSWERED
        return self.failures[0].message if self.failures else ""


@dataclasses.dataclass
class NotebookResult(RollUp):
    notebook: str
    status: State = State.GRADED
    detail: str = ""
    late_penalty: float = 0.0
    exercises: dict = dataclasses.field(default_factory=dict)
    withheld: str = ""  # why its score is withheld for review ("" when it is not)

    def parts(self):
        return self.exercises.values()

    @property
    def graded(self):
        return self.status == State.GRADED

    @property
    def final_score(self):
        """nbgrader's rule: the score less the late penalty, never below 0."""
        return max(0.0, self.score - self.late_penalty)

    @property
    def cells(self):
        return [c for e in self.exercises.values() for c in e.cells]


@dataclasses.dataclass
class StudentResult(RollUp):
    student: str
    notebooks: dict = dataclasses.field(default_factory=dict)

    def parts(self):
        return self.notebooks.values()

    @property
    def submitted(self):
        return any(State(nb.status).submitted for nb in self.notebooks.values())

    @property
    def withheld(self):
        return "; ".join(f"{nb.notebook}: {nb.withheld}" for nb in self.notebooks.values() if nb.withheld)

    @property
    def late_penalty(self):
        return sum(nb.late_penalty for nb in self.notebooks.values())

    @property
    def final_score(self):
        """nbgrader's rule for an assignment (its CSV export): the notebooks' scores less their late
        penalties, never below 0."""
        return max(0.0, self.score - self.late_penalty)

    @property
    def released_final_score(self):
        """The final score with every withheld notebook counted as 0 points and no penalty: what a
        page that must show a number shows while a review is pending (Gradescope's results.json)."""
        released = [nb for nb in self.notebooks.values() if not nb.withheld]
        return max(0.0, sum(nb.score for nb in released) - sum(nb.late_penalty for nb in released))

    @property
    def exercises(self):
        return {(nb.notebook, name): e for nb in self.notebooks.values() for name, e in nb.exercises.items()}

    def to_dict(self):
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data):
        def cell(c):
            return CellResult(**{**c, "failure": Failure(**c["failure"]) if c["failure"] else None})

        def exercise(e):
            return ExerciseResult(**{**e, "cells": [cell(c) for c in e["cells"]]})

        def notebook(n):
            return NotebookResult(**{**n, "status": State(n["status"]),
                                     "exercises": {k: exercise(e) for k, e in n["exercises"].items()}})

        return cls(data["student"], {k: notebook(n) for k, n in data["notebooks"].items()})


# ---------------------------------------------------------------- reading one failure


def raises_stub(out):
    return out.get("output_type") == "error" and (
        out.get("ename") == "NotImplementedError" or "raised NotImplementedError" in out.get("evalue", ""))


def failure_of(cell, hidden_start=None):
    """The Failure of a test cell that lost points, from its outputs (nbgrader's autograded cell).

    The part comes from the traceback's first frame, the test cell's own line: from the hidden
    marker's line on, it is a hidden test; before, a visible check the student could run.
    """
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            frames = (CELL_FRAME.search(ANSI.sub("", entry)) for entry in out.get("traceback", []))
            line = next((int(m.group(2)) for m in frames if m), None)
            part = None if line is None else "hidden" if hidden_start and line > hidden_start else "visible"
            if raises_stub(out):
                return Failure(NOT_ANSWERED, part, not_answered=True)
            ename, evalue = out.get("ename", ""), out.get("evalue", "")
            message = evalue if ename == "CheckFailed" else f"{ename}: {evalue}" if evalue else ename
            return Failure(message, part)
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            text = out.get("text", "").strip()
            return Failure(STDERR + text, None, stderr=text)
    return Failure(NO_MESSAGE)


# ---------------------------------------------------------------- building


def notebook_from_cells(notebook, cells, scores, markers, status=State.GRADED, detail="", late_penalty=0.0,
                        withheld=""):
    """A NotebookResult from autograded cells (None: no autograded copy) and grade_id -> (score, max)."""
    result = NotebookResult(notebook, status, detail, late_penalty,
                            {name: ExerciseResult(notebook, name) for name in EXERCISES[notebook]}, withheld)
    by_id = {notebooks.grade_id(c): c for c in cells or [] if notebooks.grade_id(c)}
    for cell in cells or []:
        exercise = exercise_of(notebooks.grade_id(cell) or "", notebook)
        if exercise and notebooks.is_solution(cell) and any(raises_stub(o) for o in cell.get("outputs", [])):
            # e.g. an answer dictionary left undefined: its tests fail on NameError
            result.exercises[exercise].stub_raised = True
    for grade_id, (score, max_score) in scores.items():
        exercise = exercise_of(grade_id, notebook)
        if exercise is None:
            raise ValueError(f"grade cell {grade_id} of {notebook} belongs to no exercise of coursekit.spec")
        cell = by_id.get(grade_id)
        failure = None
        if score < max_score:
            failure = failure_of(cell, markers.hidden_start(cell.source)) if cell is not None else None
        result.exercises[exercise].cells.append(CellResult(
            grade_id, exercise, notebook, float(score), float(max_score), failure,
            notebooks.output_text(cell) if cell is not None else ""))
    return result


def _statuses(paths, student):
    if not paths.submitted_folder().is_dir():  # a gradebook alone (a copy, an exchange-less course)
        return {}
    if not (paths.submitted_folder() / student).is_dir():
        return {nb: (State.MISSING, "") for nb in NOTEBOOKS}
    return {nb: (s.state, s.detail) for nb in NOTEBOOKS for s in [notebook_status(paths, student, nb)]}


def _student(paths, student, markers, max_scores, graded_rows):
    """graded_rows: nb -> (late penalty, {grade_id: (score, max)}, needs manual grade) of the
    student's submitted notebooks (_graded_rows)."""
    statuses = _statuses(paths, student)
    result = StudentResult(student)
    for nb in NOTEBOOKS:
        scores = {name: (0.0, top) for name, top in max_scores[nb].items()}
        penalty, cells, withheld = 0.0, None, ""
        submission = graded_rows.get(nb)
        # Without the submitted files, the gradebook alone says whether a notebook was graded.
        state, detail = statuses.get(nb, (State.GRADED, "") if submission is not None else (State.MISSING, ""))
        if submission is not None:
            penalty, grades, needs_review = submission
            scores.update(grades)
            if needs_review:
                withheld = reason_of(paths.root, student, nb)
        graded = paths.graded(student) / f"{nb}.ipynb"
        if submission is not None and graded.exists():
            cells = notebooks.read(graded).cells
        result.notebooks[nb] = notebook_from_cells(nb, cells, scores, markers, state, detail, penalty, withheld)
    return result


def _graded_rows(gb, student=None):
    """{student: {nb: (late penalty, {grade_id: (score, max)}, any grade needs manual grading)}}.

    Two queries for the whole class: through nbgrader's objects every grade costs two more (its
    cell's name and maximum), which were half of the score table's time for a class."""
    def submitted(query):
        query = (query.join(Notebook, SubmittedNotebook.notebook_id == Notebook.id)
                 .join(SubmittedAssignment, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
                 .join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)
                 .filter(Assignment.name == ASSIGNMENT))
        return query if student is None else query.filter(SubmittedAssignment.student_id == student)

    found = {}
    for who, nb, penalty in submitted(gb.db.query(SubmittedAssignment.student_id, Notebook.name,
                                                  SubmittedNotebook.late_submission_penalty)):
        found.setdefault(who, {})[nb] = (penalty or 0.0, {}, False)
    grades = (gb.db.query(SubmittedAssignment.student_id, Notebook.name, GradeCell.name, Grade.score,
                          GradeCell.max_score, Grade.needs_manual_grade)
              .select_from(Grade).join(SubmittedNotebook, Grade.notebook_id == SubmittedNotebook.id)
              .join(GradeCell, Grade.cell_id == GradeCell.id))
    for who, nb, name, score, top, needs_review in submitted(grades):
        penalty, scores, flagged = found[who][nb]
        scores[name] = (score or 0.0, top)
        found[who][nb] = (penalty, scores, flagged or bool(needs_review))
    return found


def _max_scores(gb):
    assignment = gb.find_assignment(ASSIGNMENT)
    # The assignment's grade cells in one query first: nbgrader's notebooks list their cells as base cells
    # (joined-table inheritance), and each grade cell's maximum then costs a query of its own (130 for
    # the release, a third of a course_results).  The loop below finds them loaded, in the same order.
    loaded = (gb.db.query(GradeCell).join(Notebook, GradeCell.notebook_id == Notebook.id)
              .filter(Notebook.assignment_id == assignment.id).all())
    found = {nb.name: {c.name: c.max_score for c in nb.grade_cells} for nb in assignment.notebooks}
    del loaded
    return {nb: found.get(nb, {}) for nb in NOTEBOOKS}


def course_results(course, submitted=None, db_url=None):
    """{student: StudentResult} for every student in the course's gradebook, sorted by id."""
    paths = CoursePaths(course, submitted)
    markers = Markers.of_course(course)
    with Gradebook(db_url or gradebook_url(course)) as gb:
        max_scores, graded = _max_scores(gb), _graded_rows(gb)
        return {s.id: _student(paths, s.id, markers, max_scores, graded.get(s.id, {}))
                for s in sorted(gb.students, key=lambda s: s.id)}


def student_result(course, student, submitted=None, db_url=None):
    paths = CoursePaths(course, submitted)
    with Gradebook(db_url or gradebook_url(course)) as gb:
        return _student(paths, student, Markers.of_course(course), _max_scores(gb),
                        _graded_rows(gb, student).get(student, {}))
