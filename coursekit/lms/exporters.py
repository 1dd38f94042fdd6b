"""Export: `nbgrader export --exporter=...` plugins that write LMS grade files from the gradebook.

- CanvasExport: Canvas's gradebook import CSV (Grades > Import);
- MoodleExport: Moodle's grading worksheet (assignment > Upload grading worksheet);
- ExerciseExport: points per exercise (coursekit.spec names), for instructors.

Every number comes from the course's one results model (coursekit/results.py): the students'
scores, late penalties, per-exercise points and each notebook's grading status.

No grade is wiped or silently dropped:
- a student without a score is left out of the file (an LMS leaves rows it does not get as they
  are; Canvas would read a blank cell as "clear the grade"), and the log lists who;
  `--LmsExport.missing_as_zero=True` writes 0 instead;
- students excused in the roster (column `excused`) get Canvas's `EX`, and are left out of
  Moodle's worksheet (it has no excused mark), with a log line;
- scores are scaled to the LMS assignment's points: `--LmsExport.points_possible=<assignment>=<points>`
  (Canvas: required, because Canvas ignores the "Points Possible" row for an existing
  assignment; Moodle: the worksheet's "Maximum Grade", which points_possible must agree with);
  `--LmsExport.scale=False` refuses instead when the totals differ;
- one assignment per file (`--assignment=[name]` when the gradebook has several): a Canvas row
  with a blank cell in another assignment's column would clear that grade;
- a student with a withheld notebook (results model: `withheld`, i.e. marked for review in the
  gradebook by coursekit-grade: doubtful grading or a tamper-scan flag; coursekit/review.py) is
  left out of the Canvas and Moodle files, with a warning, until `coursekit-review clear`; the
  per-exercise CSV leaves that notebook's cells empty and writes "withheld for review" as the score;
- plain `nbgrader export` (nbgrader's own CSV) does the same through coursekit/grades_csv.py.
"""

import csv
import datetime
from pathlib import Path

from nbgrader.plugins import ExportPlugin
from traitlets import Bool, Dict

from .. import results
from ..spec import ASSIGNMENT, EXERCISES, NOTEBOOKS
from .roster import LmsRoster, RosterError, course_root


def points(value):
    """A score as an LMS reads it: '76', '76.5', never '76.0' or an exponent."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def feedback_comment(found):
    """The comment an LMS shows beside the grade (Moodle's feedback column, the LTI Score's comment):
    points per notebook and the late penalty, from a StudentResult."""
    parts = [f"{nb.notebook}: {points(nb.score)}/{points(nb.max_score)}" for nb in found.notebooks.values()]
    text = "Autograded. " + "; ".join(parts) + "."
    if found.late_penalty:
        text += f" Late penalty: {points(found.late_penalty)}."
    return text


class ExportError(Exception):
    """An export that would put wrong grades into the LMS: the message says what to set."""


class LmsExport(ExportPlugin):
    """What the LMS exporters share: the assignment, the students, scores on the LMS's scale."""

    missing_as_zero = Bool(False, help="Give students with no score 0 instead of leaving them out of the file "
                                       "(which leaves their LMS grade as it is).").tag(config=True)
    points_possible = Dict(help="nbgrader assignment -> its points (maximum grade) in the LMS; scores are "
                                "scaled to it.").tag(config=True)
    scale = Bool(True, help="Scale scores to points_possible; False: refuse when the totals differ.").tag(config=True)
    default_to = "grades.csv"

    def export(self, gradebook):
        try:
            self.results = results.course_results(course_root(self), db_url=str(gradebook.engine.url))
            self.write(gradebook)
        except (ExportError, RosterError, ValueError) as error:
            self.parent.fail(str(error))

    def result(self, student_id):
        """The student's StudentResult, or None when nothing of theirs was graded."""
        found = self.results.get(student_id)
        return found if found is not None and found.submitted else None

    def destination(self):
        dest = Path(self.to or self.default_to)
        dest.parent.mkdir(parents=True, exist_ok=True)  # e.g. reports/, which nothing else creates
        self.log.info("Exporting to %s", dest)
        return open(dest, "w", newline="", encoding="utf-8")

    def the_assignment(self, gb):
        wanted = [str(a) for a in self.assignment]
        chosen = [a for a in gb.assignments if not wanted or a.name in wanted]
        if len(chosen) != 1:
            raise ExportError(f"An LMS grade file holds one assignment; this export has {[a.name for a in chosen]}: "
                              "pass --assignment=[<name>]")
        if chosen[0].name != ASSIGNMENT:
            raise ExportError(f"{chosen[0].name} is not this course's assignment ({ASSIGNMENT}, coursekit.spec)")
        return chosen[0]

    def lms_points(self, assignment, lms_maximum=None):
        """The assignment's points in the LMS: points_possible, or the LMS's own maximum."""
        given = self.points_possible.get(assignment.name)
        if given is not None and lms_maximum is not None and float(given) != float(lms_maximum):
            raise ExportError(f"points_possible for {assignment.name} is {given}, but the LMS's maximum is "
                              f"{points(lms_maximum)}: fix one of them")
        total = float(given) if given is not None else lms_maximum
        if total is None:
            raise ExportError(self.no_points_help(assignment))
        if total <= 0:
            raise ExportError(f"points_possible for {assignment.name} must be positive, not {points(total)}")
        if not self.scale and total != assignment.max_score:
            raise ExportError(f"{assignment.name} is worth {points(assignment.max_score)} points in nbgrader and "
                              f"{points(total)} in the LMS, and --LmsExport.scale=False: not exported")
        if total != assignment.max_score:
            self.log.info("Scores scaled from %s to %s points", points(assignment.max_score), points(total))
        return total

    def no_points_help(self, assignment):
        return (f"The LMS's points for {assignment.name} are unknown: pass --LmsExport.points_possible="
                f"{assignment.name}=<points> (nbgrader's total is {points(assignment.max_score)})")

    def lms_score(self, found, assignment, total):
        """The final score (nbgrader's score minus its late penalties, at least 0) on the LMS's
        scale, or None for no score."""
        if found is None:
            return 0.0 if self.missing_as_zero else None
        return found.final_score * total / assignment.max_score

    def withheld(self, student_id):
        """Why a student's score is withheld for review ("" when it is not): the results model's."""
        found = self.results.get(student_id)
        return found.withheld if found else ""

    def students(self, gb, keep):
        wanted = [str(s) for s in self.student]
        chosen = [s for s in gb.students if not wanted or s.id in wanted]
        left_out = [s.id for s in chosen if not keep(s)]
        if left_out:
            self.log.warning("Left out, with no LMS id (add them to the roster, run `python -m coursekit.commands.lms "
                             "roster`): %s", ", ".join(left_out))
        return sorted((s for s in chosen if keep(s)),
                      key=lambda s: ((s.last_name or "").casefold(), (s.first_name or "").casefold(), s.id))

    def roster(self):
        return LmsRoster(parent=self).read(course_root(self))

    def report_left_out(self, no_score, excused, withheld=()):
        for student_id, why in withheld:
            self.log.warning("Withheld for review, left out: %s (%s): `coursekit-review` lists, "
                             "`coursekit-review clear` clears", student_id, why)
        if no_score:
            self.log.warning("Left out, with no score (their LMS grade stays as it is; --LmsExport.missing_as_zero"
                             "=True writes 0): %s", ", ".join(no_score))
        if excused:
            self.log.info("Excused in the roster: %s", ", ".join(excused))


class CanvasExport(LmsExport):
    """Canvas gradebook import CSV (Grades > Import).

    Canvas's importer (lib/gradebook_importer.rb) reads: a header `Student, ID, SIS User ID,
    SIS Login ID, Section`, then one column per assignment titled `Name (canvas assignment id)`;
    a row whose first cell is "Points Possible" (written as Canvas's own export does, with
    leading spaces); student rows matched by ID (the Canvas user id), then SIS ids.  A grade cell
    that differs from Canvas's grade is a change: a blank cell clears a grade, `EX` excuses.

    `c.CanvasExport.assignment_names` (nbgrader name -> Canvas title; default the nbgrader name)
    and `c.CanvasExport.assignment_ids` (nbgrader name -> Canvas id, the number in the
    assignment's URL).  Without the id Canvas matches the column by its exact title or offers to
    create a new assignment.
    """

    default_to = "canvas_grades.csv"
    assignment_names = Dict(help="nbgrader assignment -> its title in Canvas.").tag(config=True)
    assignment_ids = Dict(help="nbgrader assignment -> its Canvas assignment id.").tag(config=True)

    def no_points_help(self, assignment):
        return (f"Canvas's points for {assignment.name} are unknown, and Canvas ignores the Points Possible row "
                f"for an existing assignment: pass --LmsExport.points_possible={assignment.name}=<its points in "
                f"Canvas> (nbgrader's total is {points(assignment.max_score)}); scores are scaled to it")

    def column(self, assignment):
        title = str(self.assignment_names.get(assignment.name, assignment.name))
        canvas_id = str(self.assignment_ids.get(assignment.name, ""))
        if not canvas_id:
            self.log.warning("No Canvas assignment id for %s: the column is titled %r, which Canvas matches by exact "
                             "title or offers to create (set c.CanvasExport.assignment_ids = {%r: '<id>'})",
                             assignment.name, title, assignment.name)
            return title
        return f"{title} ({canvas_id})"

    def write(self, gradebook):
        assignment, roster = self.the_assignment(gradebook), self.roster()
        total = self.lms_points(assignment)
        rows, no_score, excused, withheld = [], [], [], []
        for student in self.students(gradebook, keep=lambda s: s.lms_user_id):
            more = roster.by_student_id.get(student.id)
            if more is not None and more.excused_from(assignment.name):
                grade = "EX"
                excused.append(student.id)
            elif self.withheld(student.id):
                withheld.append((student.id, self.withheld(student.id)))
                continue
            else:
                score = self.lms_score(self.result(student.id), assignment, total)
                if score is None:
                    no_score.append(student.id)
                    continue
                grade = points(score)
            sortable = more.sortable_name if more else ", ".join(filter(None, [student.last_name, student.first_name]))
            sis = (more.canvas_sis_user_id, more.canvas_sis_login_id, more.canvas_section) if more else ("", "", "")
            rows.append([sortable or student.id, student.lms_user_id, *sis, grade])
        with self.destination() as fh:
            writer = csv.writer(fh)
            writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", self.column(assignment)])
            writer.writerow(["    Points Possible", "", "", "", "", points(total)])
            writer.writerows(rows)
        self.report_left_out(no_score, excused, withheld)


DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")


def moodle_time(when):
    """A time as Moodle's userdate() writes it in English: "Wednesday, 25 November 2026, 10:00 AM"
    (strftimedaydatetime '%A, %d %B %Y, %I:%M %p' with the leading zeros of day and hour removed)."""
    hour = when.hour % 12 or 12
    return (f"{DAYS[when.weekday()]}, {when.day} {MONTHS[when.month - 1]} {when.year}, "
            f"{hour}:{when.minute:02d} {'AM' if when.hour < 12 else 'PM'}")


class MoodleExport(LmsExport):
    """Moodle grading worksheet, for assignment > "Upload grading worksheet".

    Moodle's importer (mod/assign/feedback/offline/importgradeslib.php, locallib.php) finds its
    columns by their English headers: `Identifier` ("Participant <n>", n being this assignment's
    participant number), `Grade`, `Last modified (grade)`, and the feedback plugins' columns
    (`Feedback comments`); `Full name`, `Email address` and `Maximum Grade` are for people.  It
    skips, without an error, empty grades, grades above the maximum, and grades changed in Moodle
    after "Last modified (grade)" (here: the export time); so scores are scaled to the
    worksheet's maximum and students without one are left out.  Participant numbers and the
    maximum come from this assignment's worksheet (coursekit/lms/roster.py).  Grades have two
    decimals, like Moodle's own worksheet.
    """

    default_to = "moodle_grades.csv"

    def feedback(self, found):
        return feedback_comment(found)

    def write(self, gradebook):
        assignment, roster = self.the_assignment(gradebook), self.roster()
        participants = LmsRoster(parent=self).participants(course_root(self), assignment.name, roster)
        total = self.lms_points(assignment, participants.maximum)
        modified = moodle_time(datetime.datetime.now())
        rows, no_score, excused, withheld = [], [], [], []
        for student in self.students(gradebook, keep=lambda s: s.id in participants.by_student_id):
            more = roster.by_student_id[student.id]
            if more.excused_from(assignment.name):
                excused.append(student.id)
                continue
            if self.withheld(student.id):
                withheld.append((student.id, self.withheld(student.id)))
                continue
            found = self.result(student.id)
            score = self.lms_score(found, assignment, total)
            if score is None:
                no_score.append(student.id)
                continue
            rows.append([f"Participant {participants.by_student_id[student.id]}", more.full_name or student.id,
                         more.moodle_email or more.email, f"{score:.2f}", f"{total:.2f}", modified,
                         self.feedback(found) if found else ""])
        with self.destination() as fh:
            writer = csv.writer(fh)
            writer.writerow(["Identifier", "Full name", "Email address", "Grade", "Maximum Grade",
                             "Last modified (grade)", "Feedback comments"])
            writer.writerows(rows)
        self.report_left_out(no_score, excused, withheld)
        if excused:
            self.log.info("Moodle's worksheet has no excused mark: excused students are left out of it")


class ExerciseExport(LmsExport):
    """Points per exercise, for instructors: one row per student (`student_id`, `last_name`,
    `first_name`), one column per exercise of coursekit.spec (in the order the notebooks teach
    them), then `score` (the final score: nbgrader's total less its late penalty) and `max_score`, named as in
    nbgrader's own CSV.  A student who submitted nothing has empty exercise cells and score; a
    withheld notebook has empty cells, and the score says "withheld for review".
    """

    default_to = "exercise_scores.csv"
    IDENTITY, TOTALS = ("student_id", "last_name", "first_name"), ("score", "max_score")

    def write(self, gradebook):
        exercises = [name for nb in NOTEBOOKS for name in EXERCISES[nb]]
        clash = set(exercises) & set(self.IDENTITY + self.TOTALS)
        if clash:
            raise ExportError(f"exercise(s) named like another column of the CSV: {sorted(clash)}")
        assignment = self.the_assignment(gradebook)
        with self.destination() as fh:
            writer = csv.writer(fh)
            writer.writerow([*self.IDENTITY, *exercises, *self.TOTALS])
            for student in self.students(gradebook, keep=lambda s: True):
                found = self.result(student.id)
                if found is None:
                    cells, score = [""] * len(exercises), ""
                else:
                    per_exercise = {name: "" if found.notebooks[nb].withheld else points(e.score)
                                    for (nb, name), e in found.exercises.items()}
                    cells = [per_exercise[name] for name in exercises]
                    score = results.WITHHELD if found.withheld else points(found.final_score)
                writer.writerow([student.id, student.last_name or "", student.first_name or "", *cells,
                                 score, points(assignment.max_score)])

