"""Every call the LTI tool makes into the grading engine and the results model, in one place.

The grading worker (coursekit/lti/worker.py) grades exactly as `coursekit-grade` does, through the
command's own steps (coursekit/commands/grade_steps.py): the sandbox's live self-check, formgrader's
clearances adopted, the batch autograde (coursekit.grading.batch.parallel: the sandbox, split
grading, the local pool or a Dask cluster), then the report that reads the statuses, runs the tamper
scan and withholds every doubtful notebook (coursekit.review).  Scores come only from the results
model (coursekit/results.py: `final_score`, `withheld`); states only from coursekit.status.  Feedback
pages are nbgrader's GenerateFeedback with the course's configuration (coursekit/feedback.py's
preprocessors: no hidden test on the page).  The web process calls only the results model and
coursekit.review's clear (an instructor's button): it never runs student code.

`folder` is a submissions folder laid out as nbgrader's submitted/: <student>/math_numpy/.
"""

import io
import logging
from pathlib import Path

from nbgrader.converters import GenerateFeedback
from nbgrader.coursedir import CourseDirectory

from .. import results, review
from ..commands import grade_steps
from ..course import config_of
from ..grading.batch.parallel import autograde as autograde_parallel
from ..spec import ASSIGNMENT
from ..status import State

GRADED, MISSING = State.GRADED, State.MISSING


def sandbox_problems(course):
    """What is wrong with the grading sandbox ([] when nothing): coursekit-grade's self-check."""
    return grade_steps.sandbox_problems(course)


def autograde(course, folder, jobs, scheduler=None):
    """Grade the submissions in `folder` that are newer than their graded copies (a submission graded
    before, e.g. by a worker that stopped after recording it, is not graded again), as coursekit-grade
    does; returns {(student, notebook): None if graded, else why not}."""
    review.adopt_formgrader_clearances(course)
    return autograde_parallel(course, str(folder), False, jobs=jobs, scheduler=scheduler or None)


def withhold_doubtful(course, folder):
    """coursekit-grade's report of the students in `folder`: statuses, the tamper scan, every doubtful
    notebook withheld; returns the report it printed."""
    out = io.StringIO()
    grade_steps.report(course, str(folder), out=out)
    return out.getvalue()


def student_result(course, student, folder=None):
    """The results model of one student (coursekit.results.StudentResult)."""
    return results.student_result(course, student, submitted=str(folder) if folder else None)


def clear(course, student, by):
    """coursekit-review clear STUDENT: their withheld notebooks cleared; returns the notebooks cleared."""
    return review.clear(course, student, by=by)


def generate_feedback(course, student, log=None, into=None):
    """`nbgrader generate_feedback math_numpy --student STUDENT --force`, in this process: the student's
    pages in feedback/<student>/math_numpy/, or in <into>/<student>/math_numpy/ (`into` relative to the
    course: the worker writes them aside, then puts them in place in one step)."""
    config = config_of(course)
    config.CourseDirectory.root = str(Path(course).resolve())
    log = log or logging.getLogger("coursekit.lti.feedback")
    coursedir = CourseDirectory(config=config, log=log)
    coursedir.assignment_id, coursedir.student_id = ASSIGNMENT, student
    if into is not None:
        coursedir.feedback_directory = str(into)
    converter = GenerateFeedback(coursedir=coursedir, config=config, log=log)
    converter.force = True
    converter.start()


def withheld_reasons(course):
    """{student: {notebook: why}} of the grades withheld now, as `coursekit-review` lists them (the
    results model: the gradebook's needs_manual_grade, the ledger's reason)."""
    found = {}
    for student, notebook, _, why in review.withheld(course):
        found.setdefault(student, {})[notebook] = why
    return found


def summary(result):
    """A StudentResult as the queue records it: per notebook its state (coursekit.status), final score
    (the results model's) and whether withheld."""
    return {nb: {"status": str(r.status), "detail": r.detail, "score": round(r.final_score, 6),
                 "max": round(r.max_score, 6), "withheld": bool(r.withheld)}
            for nb, r in result.notebooks.items()}
