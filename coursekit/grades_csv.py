"""Plain `nbgrader export`: nbgrader's own CSV, with a withheld grade withheld.

nbgrader_config.py makes GradesExport the default exporter (`c.ExportApp.plugin_class`), so the
command the README lists writes "withheld for review" where a withheld student's score would be
(coursekit/review.py says what is withheld; the results model, coursekit/results.py, says whom).
The LMS exporters are in coursekit/lms/exporters.py.
"""

import csv
import os

from nbgrader.api import MissingEntry
from nbgrader.plugins.export import CsvExportPlugin

from . import results
from .spec import ASSIGNMENT


class GradesExport(CsvExportPlugin):
    """nbgrader's own CSV (`nbgrader export`: the same columns, one row per assignment and student),
    with "withheld for review" as the score of a student with a withheld notebook (raw_score and
    late_submission_penalty left empty), read from the results model.  Written with the csv module,
    so a name with a comma stays in its column.  A student with no submission scores 0, as in nbgrader.
    """

    COLUMNS = ("assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
               "raw_score", "late_submission_penalty", "score", "max_score")

    def export(self, gradebook):
        dest = self.to or "grades.csv"
        wanted_assignments, wanted_students = [str(a) for a in self.assignment], [str(s) for s in self.student]
        self.log.info("Exporting grades to %s", dest)
        course = getattr(getattr(self.parent, "coursedir", None), "root", os.getcwd())
        found = results.course_results(course, db_url=str(gradebook.engine.url)) \
            if any(a.name == ASSIGNMENT for a in gradebook.assignments) else {}
        withheld = []
        with open(dest, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(self.COLUMNS)
            for assignment in gradebook.assignments:
                if wanted_assignments and assignment.name not in wanted_assignments:
                    continue
                for student in gradebook.students:
                    if wanted_students and student.id not in wanted_students:
                        continue
                    row = dict(assignment=assignment.name, duedate=assignment.duedate, student_id=student.id,
                               last_name=student.last_name, first_name=student.first_name, email=student.email,
                               max_score=assignment.max_score)
                    try:
                        submission = gradebook.find_submission(assignment.name, student.id)
                    except MissingEntry:
                        row.update(timestamp="", raw_score=0.0, late_submission_penalty=0.0, score=0.0)
                    else:
                        row.update(timestamp=submission.timestamp)
                        model = found.get(student.id) if assignment.name == ASSIGNMENT else None
                        if model is not None:  # the results model's numbers: one final score everywhere
                            row.update(raw_score=model.score, late_submission_penalty=model.late_penalty,
                                       score=model.final_score)
                        else:  # another assignment of the gradebook: nbgrader's own rule
                            penalty = submission.late_submission_penalty
                            row.update(raw_score=submission.score, late_submission_penalty=penalty,
                                       score=max(0.0, submission.score - penalty))
                        why = model.withheld if model is not None else ""
                        if why:
                            row.update(raw_score="", late_submission_penalty="", score=results.WITHHELD)
                            withheld.append(f"{student.id} ({why})")
                    writer.writerow(["" if row[k] is None else str(row[k]) for k in self.COLUMNS])
        if withheld:
            self.log.warning("Withheld for review (`coursekit-review` lists, `coursekit-review clear` clears): %s",
                             "; ".join(withheld))
