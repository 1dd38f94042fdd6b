"""Every call the LTI tool makes into the grading engine, in one place.

The grading worker (coursekit/lti/worker.py) grades exactly as `coursekit-grade` does, through the
engine's own entry points: the sandbox's live self-check, coursekit.grading.parallel's autograde (the
sandbox, split grading, the local pool or a Dask cluster, one recording process), then
coursekit.grading.batch's review (statuses, the tamper scan, withholding every doubtful notebook),
the results model for the scores, and nbgrader's GenerateFeedback with the course's configuration
(coursekit/feedback.py's preprocessors: no hidden test on the page).  The web process calls only
the results model and coursekit.review's clear (an instructor's button): it never runs student code.

`folder` is a submissions folder laid out as nbgrader's submitted/: <student>/math_numpy/.
"""

import io
import logging
from pathlib import Path

from nbgrader.converters import GenerateFeedback
from nbgrader.coursedir import CourseDirectory

from .. import results, review
from ..course import config_of
from ..grading import batch, parallel
from ..spec import ASSIGNMENT


def sandbox_problems(course):
    """What is wrong with the grading sandbox ([] when nothing): coursekit-grade's self-check."""
    return batch.sandbox_problems(course)


def autograde(course, folder, jobs, scheduler=None):
    """Grade the submissions in `folder` that are newer than their graded copies (a submission graded
    before, e.g. by a worker that stopped after recording it, is not graded again); returns
    {(student, notebook): None if graded, else why not}."""
    return parallel.autograde(course, str(folder), False, jobs=jobs, scheduler=scheduler or None)


def withhold_doubtful(course, folder):
    """coursekit-grade's review of the students in `folder`: every doubtful notebook withheld; returns
    the report it printed."""
    out = io.StringIO()
    batch.review(course, str(folder), out=out)
    return out.getvalue()


def student_result(course, student, folder="submitted"):
    """The results model of one student (coursekit.results.StudentResult)."""
    return results.student_result(course, student, submitted=str(folder))


def class_results(course):
    """{student: StudentResult} of every student in the gradebook."""
    return results.course_results(course)


def clear(course, student, by):
    """coursekit-review clear STUDENT: their withheld notebooks cleared; returns the notebooks cleared."""
    return review.clear(course, student, by=by)


def generate_feedback(course, student, log=None):
    """`nbgrader generate_feedback math_numpy --student STUDENT --force`, in this process: the student's
    pages in feedback/<student>/math_numpy/."""
    config = config_of(course)
    config.CourseDirectory.root = str(Path(course).resolve())
    log = log or logging.getLogger("coursekit.lti.feedback")
    coursedir = CourseDirectory(config=config, log=log)
    coursedir.assignment_id, coursedir.student_id = ASSIGNMENT, student
    converter = GenerateFeedback(coursedir=coursedir, config=config, log=log)
    converter.force = True
    converter.start()


def withheld_reasons(course):
    """{student: {notebook: why}} of the grades withheld and not cleared, from the review ledger."""
    found = {}
    for name, entry in review.read_ledger(course).items():
        student, _, notebook = name.partition("/")
        if not entry.get("cleared"):
            found.setdefault(student, {})[notebook] = entry.get("reason", "")
    return found


def summary(result):
    """A StudentResult as the queue records it: per notebook its status, points and whether withheld."""
    return {nb: {"status": r.status, "detail": r.detail, "score": round(r.final_score, 6),
                 "max": round(r.max_score, 6), "withheld": bool(r.withheld)}
            for nb, r in result.notebooks.items()}
