"""The roster: who is who in the LMS, and the Moodle participant numbers of one assignment.

Roster CSV (UTF-8, Excel's BOM accepted), one row per student:
- `student_id` (the nbgrader id), `first_name`, `last_name`, `email`: required;
- `lms_user_id`: the Canvas user id (the number in the download's file names and in the
  gradebook's ID column); may be empty in a Moodle-only course;
- optional: `canvas_sortable_name` (when Canvas's sortable name is not "Last, First"),
  `canvas_sis_user_id`, `canvas_sis_login_id`, `canvas_section`, `moodle_email` (the email
  Moodle knows, when it differs), `group` (the group's name in the LMS, for group and team
  submissions), `group_id` (Moodle's group id, the number in a team folder's name), `excused`
  (the nbgrader assignments the student is excused from, separated by `;`).

Moodle numbers its participants per assignment (table assign_user_mapping), so the roster
cannot hold them: for each Moodle assignment, save its grading worksheet (assignment > View all
submissions > Grading action: Download grading worksheet) as `moodle/<nbgrader assignment>.csv`
next to the roster.  Its rows map "Participant <n>" to an email, and so to a roster student, and
its "Maximum Grade" is the assignment's maximum in Moodle.
"""

import collections
import csv
import dataclasses
import os
import re
from pathlib import Path

from nbgrader.api import Gradebook
from traitlets import Unicode
from traitlets.config import LoggingConfigurable

REQUIRED_COLUMNS = ("student_id", "first_name", "last_name", "email")
OPTIONAL_COLUMNS = ("lms_user_id", "canvas_sortable_name", "canvas_sis_user_id", "canvas_sis_login_id",
                    "canvas_section", "moodle_email", "group", "group_id", "excused")


class RosterError(ValueError):
    """A roster (or Moodle worksheet) that cannot be used as it is: the message says what to fix."""


@dataclasses.dataclass(frozen=True)
class Student:
    student_id: str
    first_name: str
    last_name: str
    email: str
    lms_user_id: str = ""
    canvas_sortable_name: str = ""
    canvas_sis_user_id: str = ""
    canvas_sis_login_id: str = ""
    canvas_section: str = ""
    moodle_email: str = ""
    group: str = ""
    group_id: str = ""
    excused: str = ""

    def excused_from(self, assignment):
        return assignment in {a.strip() for a in self.excused.split(";")}

    @property
    def sortable_name(self):
        """Canvas's sortable name: its default is "Last, First"."""
        return self.canvas_sortable_name or ", ".join(filter(None, [self.last_name, self.first_name]))

    @property
    def full_name(self):
        """Moodle's fullname() with its default format (English): "First Last"."""
        return " ".join(filter(None, [self.first_name, self.last_name]))


class Roster:
    """The roster's students, looked up by Canvas id, nbgrader id, or group."""

    def __init__(self, students):
        self.students = list(students)
        self.by_lms_id = {s.lms_user_id: s for s in self.students if s.lms_user_id}
        self.by_student_id = {s.student_id: s for s in self.students}
        self.groups = collections.defaultdict(list)  # group name -> members
        for s in self.students:
            if s.group:
                self.groups[s.group].append(s)
        self.group_ids = {s.group_id: s.group for s in self.students if s.group_id}


def read_roster(path):
    path = Path(path)
    if not path.is_file():
        raise RosterError(f"no roster at {path}: write one (columns {', '.join(REQUIRED_COLUMNS)}, ...)")
    with open(path, newline="", encoding="utf-8-sig") as fh:  # -sig: Excel writes a BOM
        reader = csv.DictReader(fh)
        columns = [c.strip() for c in reader.fieldnames or []]
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            raise RosterError(f"roster {path} lacks the column(s) {', '.join(missing)}")
        students = []
        for line, row in enumerate(reader, start=2):
            row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
            student = Student(**{c: row.get(c, "") for c in REQUIRED_COLUMNS + OPTIONAL_COLUMNS})
            if not student.student_id:
                raise RosterError(f"roster {path}, line {line}: student_id is required")
            if re.search(r"[/\\]", student.student_id) or student.student_id.startswith("."):
                raise RosterError(f"roster {path}, line {line}: {student.student_id!r} cannot be a "
                                  "folder name under submitted/")
            if student.group_id and not student.group:
                raise RosterError(f"roster {path}, line {line}: a group_id needs the group's name")
            students.append(student)
    for column in ("student_id", "lms_user_id"):
        counts = collections.Counter(getattr(s, column) for s in students if getattr(s, column))
        repeated = sorted(value for value, n in counts.items() if n > 1)
        if repeated:
            raise RosterError(f"roster {path}: {column} repeated: {', '.join(repeated)}")
    groups = collections.defaultdict(set)
    for s in students:
        if s.group_id:
            groups[s.group_id].add(s.group)
    clash = sorted(g for g, names in groups.items() if len(names) > 1)
    if clash:
        raise RosterError(f"roster {path}: group_id(s) {', '.join(clash)} given to more than one group name")
    return Roster(students)


def write_roster(path, students):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow([f.name for f in dataclasses.fields(Student)])
        writer.writerows(dataclasses.astuple(s) for s in students)
    return path


class LmsRoster(LoggingConfigurable):
    """Where the roster is: one setting shared by the collectors and the exporters."""

    path = Unicode("roster.csv", help="The roster CSV, relative to the course directory.").tag(config=True)
    moodle_worksheet = Unicode(
        "moodle/{assignment}.csv",
        help="The grading worksheet Moodle gave for this assignment (it numbers participants per "
             "assignment), relative to the roster's folder; {assignment} is the nbgrader name.").tag(config=True)

    def roster_path(self, course_root):
        return Path(course_root) / self.path

    def read(self, course_root):
        path = self.roster_path(course_root)
        if not path.is_file():
            raise RosterError(f"no roster at {path}: write one (columns {', '.join(REQUIRED_COLUMNS)}, ...), "
                              "or point c.LmsRoster.path (--LmsRoster.path=...) to it")
        return read_roster(path)

    def participants(self, course_root, assignment, roster):
        """The Moodle participant numbers of `assignment` (a MoodleParticipants)."""
        path = self.roster_path(course_root).parent / self.moodle_worksheet.format(assignment=assignment)
        return read_moodle_worksheet(path, roster)


@dataclasses.dataclass
class MoodleParticipants:
    """One Moodle assignment's participant numbers, matched to roster students by email."""
    by_participant: dict   # participant number -> Student
    by_student_id: dict    # student_id -> participant number
    maximum: float | None  # the worksheet's "Maximum Grade"
    unmatched: list        # (participant number, full name, email) of worksheet rows not in the roster


WORKSHEET_HELP = ("Moodle numbers participants per assignment: save this assignment's grading worksheet "
                  "(assignment > View all submissions > Grading action: Download grading worksheet) as {path}")


def read_moodle_worksheet(path, roster):
    """Moodle's own grading worksheet (assignfeedback_offline) as a MoodleParticipants."""
    path = Path(path)
    if not path.is_file():
        raise RosterError(f"no Moodle grading worksheet at {path}. " + WORKSHEET_HELP.format(path=path))
    emails = {}
    for s in roster.students:
        for email in {s.moodle_email, s.email} - {""}:
            emails[email.casefold()] = s
    by_participant, by_student, maxima, unmatched = {}, {}, set(), []
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        if not {"Identifier", "Email address"} <= set(reader.fieldnames or []):
            raise RosterError(f"{path} is not a Moodle grading worksheet (no Identifier and Email address "
                              "columns). " + WORKSHEET_HELP.format(path=path))
        for row in reader:
            match = re.fullmatch(r"Participant (\d+)", (row.get("Identifier") or "").strip())
            if not match:
                continue
            number = match.group(1)
            if row.get("Maximum Grade", "").strip():
                maxima.add(float(row["Maximum Grade"]))
            student = emails.get((row.get("Email address") or "").strip().casefold())
            if student is None:
                unmatched.append((number, row.get("Full name", ""), row.get("Email address", "")))
                continue
            if student.student_id in by_student and by_student[student.student_id] != number:
                raise RosterError(f"{path}: {student.student_id} has two participant numbers "
                                  f"({by_student[student.student_id]}, {number})")
            by_participant[number], by_student[student.student_id] = student, number
    if len(maxima) > 1:
        raise RosterError(f"{path}: more than one Maximum Grade ({sorted(maxima)})")
    return MoodleParticipants(by_participant, by_student, maxima.pop() if maxima else None, unmatched)


def load_into_gradebook(roster, db_url):
    """Create or update every roster student in the gradebook: names, email, Canvas id."""
    with Gradebook(db_url) as gb:
        for s in roster.students:
            gb.update_or_create_student(s.student_id, first_name=s.first_name or None,
                                        last_name=s.last_name or None, email=s.email or None,
                                        lms_user_id=s.lms_user_id or None)
    return len(roster.students)


def course_root(plugin):
    """The course directory of the nbgrader app running a plugin."""
    coursedir = getattr(plugin.parent, "coursedir", None)
    return coursedir.root if coursedir is not None else os.getcwd()
