"""One student's rows of an nbgrader gradebook as plain data, and back into a gradebook.

This is how graded results cross processes (coursekit.grading.batch.parallel): a worker grades a student
in a scratch gradebook seeded with that student's rows, and returns them as JSON-able values (str,
float, bool, None); the one recording process then replaces the student's rows in the course's
gradebook with them, in one transaction.  Because the scratch gradebook is a copy of the course's
(same assignment, notebook and cell ids) and starts from the student's current rows (same row ids,
manual scores and comments kept), the result is what nbgrader would have written in place.

Contract of `replace`: rows that do not belong to the student, name a notebook or cell the
course's gradebook does not have, or carry a value of the wrong type are refused (ValueError)
before anything is written.  Works on any database SQLAlchemy reaches (SQLite, PostgreSQL).
"""

import datetime
import math

import sqlalchemy as sa
from nbgrader.api import Base

TABLES = ("student", "submitted_assignment", "submitted_notebook", "grade", "comment")
_T = Base.metadata.tables


def _encode(value):
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    return value


def _decode(column, value):
    """A plain value back into the column's Python type; ValueError if it cannot be one."""
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, sa.DateTime):
        if not isinstance(value, str):
            raise ValueError(f"{column}: not a date")
        return datetime.datetime.fromisoformat(value)
    if isinstance(kind, sa.Interval):
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
            raise ValueError(f"{column}: not a number of seconds")
        return datetime.timedelta(seconds=value)
    if isinstance(kind, sa.Boolean):
        if not isinstance(value, bool):
            raise ValueError(f"{column}: not true or false")
        return value
    if isinstance(kind, (sa.Float, sa.Integer)):
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
            raise ValueError(f"{column}: not a finite number")
        return value
    if not isinstance(value, str):
        raise ValueError(f"{column}: not text")
    return value


def _assignment_id(connection, assignment):
    found = connection.execute(sa.select(_T["assignment"].c.id).where(_T["assignment"].c.name == assignment)).scalar()
    if found is None:
        raise ValueError(f"no assignment {assignment!r} in this gradebook")
    return found


def _submission_ids(connection, student, assignment_id):
    """The ids of the student's submitted_assignment rows and of their submitted_notebook rows."""
    sa_t, sn_t = _T["submitted_assignment"], _T["submitted_notebook"]
    submissions = sa.select(sa_t.c.id).where(sa_t.c.student_id == student, sa_t.c.assignment_id == assignment_id)
    notebooks = sa.select(sn_t.c.id).where(sn_t.c.assignment_id.in_(submissions))
    return submissions, notebooks


def export(connection, student, assignment):
    """{table: [row as {column: plain value}]}: the student and their submission of `assignment`."""
    submissions, notebooks = _submission_ids(connection, student, _assignment_id(connection, assignment))
    where = {"student": _T["student"].c.id == student,
             "submitted_assignment": _T["submitted_assignment"].c.id.in_(submissions),
             "submitted_notebook": _T["submitted_notebook"].c.id.in_(notebooks),
             "grade": _T["grade"].c.notebook_id.in_(notebooks),
             "comment": _T["comment"].c.notebook_id.in_(notebooks)}
    return {name: [{k: _encode(v) for k, v in row._mapping.items()}
                   for row in connection.execute(sa.select(_T[name]).where(where[name]).order_by(_T[name].c.id))]
            for name in TABLES}


def _checked(connection, student, assignment_id, rows):
    """The rows decoded, after checking that each belongs to the student and to known cells."""
    if not isinstance(rows, dict) or set(rows) != set(TABLES):
        raise ValueError(f"expected the tables {', '.join(TABLES)}")
    decoded = {}
    for name in TABLES:
        table, items = _T[name], rows[name]
        if not isinstance(items, list) or not all(isinstance(r, dict) and set(r) == set(table.c.keys()) for r in items):
            raise ValueError(f"{name}: rows must have exactly the columns {', '.join(table.c.keys())}")
        decoded[name] = [{k: _decode(table.c[k], v) for k, v in r.items()} for r in items]
    notebooks = {r.id for r in connection.execute(
        sa.select(_T["notebook"].c.id).where(_T["notebook"].c.assignment_id == assignment_id))}
    cells = {r.id for r in connection.execute(
        sa.select(_T["base_cell"].c.id).where(_T["base_cell"].c.notebook_id.in_(notebooks)))} if notebooks else set()
    if [r["id"] for r in decoded["student"]] not in ([], [student]):
        raise ValueError("student: a row of another student")
    submission_ids = {r["id"] for r in decoded["submitted_assignment"]}
    if any(r["student_id"] != student or r["assignment_id"] != assignment_id for r in decoded["submitted_assignment"]):
        raise ValueError("submitted_assignment: a row of another student or assignment")
    notebook_ids = {r["id"] for r in decoded["submitted_notebook"]}
    if any(r["assignment_id"] not in submission_ids or r["notebook_id"] not in notebooks
           for r in decoded["submitted_notebook"]):
        raise ValueError("submitted_notebook: a row of another submission or an unknown notebook")
    for name in ("grade", "comment"):
        if any(r["notebook_id"] not in notebook_ids or r["cell_id"] not in cells for r in decoded[name]):
            raise ValueError(f"{name}: a row of another submission or an unknown cell")
    return decoded


def replace(connection, student, assignment, rows):
    """Make the student's rows for `assignment` exactly `rows` (as `export` gives them).

    Call inside a transaction (`engine.begin()`): nothing is written if a check fails.
    The student's own row is added if missing and otherwise kept (it may hold roster names).
    """
    assignment_id = _assignment_id(connection, assignment)
    decoded = _checked(connection, student, assignment_id, rows)
    submissions, notebooks = _submission_ids(connection, student, assignment_id)
    for name in ("grade", "comment"):
        connection.execute(sa.delete(_T[name]).where(_T[name].c.notebook_id.in_(notebooks)))
    connection.execute(sa.delete(_T["submitted_notebook"]).where(_T["submitted_notebook"].c.id.in_(notebooks)))
    connection.execute(sa.delete(_T["submitted_assignment"]).where(_T["submitted_assignment"].c.id.in_(submissions)))
    exists = connection.execute(sa.select(_T["student"].c.id).where(_T["student"].c.id == student)).first()
    for name in TABLES:
        items = [] if name == "student" and exists else decoded[name]
        if items:
            connection.execute(sa.insert(_T[name]), items)


def clear_submissions(connection):
    """Remove every student and submission, keeping the assignment's definition (a worker's template)."""
    for name in reversed(TABLES):
        connection.execute(sa.delete(_T[name]))
