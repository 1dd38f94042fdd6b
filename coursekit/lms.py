"""From an LMS download to the LMS gradebook, through nbgrader's own plugin points.

Import (`nbgrader zip_collect`): collector plugins that read the submission downloads of
- Canvas ("Download Submissions"): flat files `{sortablename}[_late]_{userid}_{attachmentid}_{filename}`,
  the prefix lowercased with everything but letters and digits removed (Canvas's ContentZipper,
  so a late submission reads `_late_`; `_LATE_` is accepted too);
- Moodle ("Download all submissions"): `{Full Name}_{participantid}_assignsubmission_file/{filename}`,
  or the flat variant `..._assignsubmission_file_{filename}` (Moodle before 3.1, or the user
  preference "download submissions in folders" turned off).
A roster CSV maps LMS ids to nbgrader student ids.  Each uploaded file name is mapped back to one
of the assignment's notebooks: re-upload and duplicate-download suffixes are stripped
(`02_matrix_operations-1.ipynb`, `02_matrix_operations (1).ipynb`), spaces, `+`, `%20` and `-`
count as `_`, and case is ignored.  Nothing is dropped silently: every file of the download gets
a row in `downloaded/<assignment>/collect_report.csv` (collected, unknown student, not a notebook
of the assignment, superseded by a newer upload, ...), with a row per missing notebook and per
roster student who submitted nothing; everything not collected is also logged as a warning.
When one student uploaded the same notebook twice, the newest upload is collected: the higher
Canvas attachment id (Canvas numbers uploads in order), else the higher copy number.

Timestamps: none.  Neither LMS puts the submission time in its download, and the zip entries'
times say when the zip was built, not when the student submitted (Canvas's zip library stamps
each entry with the time of the download), so nbgrader writes no `timestamp.txt`, records no
submission time and applies no late penalty.  Canvas's
LATE flag is kept as information, in the report's `late` column and in the log: the LMS knows the
real submission time and applies its own late policy to the grades you import.

Export (`nbgrader export --exporter=...`), from the gradebook (names, emails and `lms_user_id`
loaded from the roster by `python -m coursekit.lms roster roster.csv`):
- CanvasExport: Canvas's gradebook import CSV;
- MoodleExport: Moodle's offline grading worksheet (assignment > "Upload grading worksheet");
- ExerciseExport: points per exercise (coursekit.spec names) for instructors, not for an LMS.
Every score is nbgrader's final score (raw score minus nbgrader's late penalty, at least 0).
A student who submitted nothing gets an empty grade cell, which both LMSs leave ungraded
(`--LmsExport.missing_as_zero=True` writes 0 instead); a student with no LMS id is left out, with
a warning.  Each format's rules are in its class docstring.

Roster CSV (UTF-8, Excel's BOM accepted): `student_id` (the nbgrader id), `lms_user_id` (Canvas
user id, or Moodle participant id: the number in the download's folder names), `first_name`,
`last_name`, `email`, optional `canvas_sis_user_id`, `canvas_sis_login_id`, `canvas_section`,
`moodle_email`.  Its path is `c.LmsRoster.path` (default `roster.csv` in the course directory).
nbgrader's own `nbgrader db student import` cannot read it: that command wants the id column
named `id`; `python -m coursekit.lms roster` loads the same fields with nbgrader's
Gradebook.update_or_create_student.

`python -m coursekit.lms make-examples` writes examples/lms/: a roster and a Canvas and a Moodle
download of the example students (examples/submitted/), with a late flag, re-upload suffixes and
a stray file; a test checks that they are up to date.
"""

import argparse
import collections
import csv
import dataclasses
import datetime
import os
import re
import sys
import unicodedata
import urllib.parse
import zipfile
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin, FileNameCollectorPlugin
from traitlets import Bool, Dict, Unicode
from traitlets.config import LoggingConfigurable

from .nbgrader import REPO
from .spec import ASSIGNMENT, EXERCISES, NOTEBOOKS, exercise_of

# --------------------------------------------------------------------------------------------
# The roster
# --------------------------------------------------------------------------------------------

REQUIRED_COLUMNS = ("student_id", "lms_user_id", "first_name", "last_name", "email")
OPTIONAL_COLUMNS = ("canvas_sis_user_id", "canvas_sis_login_id", "canvas_section", "moodle_email")


class RosterError(ValueError):
    """A roster that cannot be used as it is: the message says what to fix."""


@dataclasses.dataclass(frozen=True)
class Student:
    student_id: str
    lms_user_id: str
    first_name: str
    last_name: str
    email: str
    canvas_sis_user_id: str = ""
    canvas_sis_login_id: str = ""
    canvas_section: str = ""
    moodle_email: str = ""


class Roster:
    """The roster's students, looked up by LMS id or by nbgrader id."""

    def __init__(self, students):
        self.students = list(students)
        self.by_lms_id = {s.lms_user_id: s for s in self.students}
        self.by_student_id = {s.student_id: s for s in self.students}


def read_roster(path):
    path = Path(path)
    if not path.is_file():
        raise RosterError(f"no roster at {path}: write one (columns {', '.join(REQUIRED_COLUMNS)})")
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
            if not student.student_id or not student.lms_user_id:
                raise RosterError(f"roster {path}, line {line}: student_id and lms_user_id are required")
            if re.search(r"[/\\]", student.student_id) or student.student_id.startswith("."):
                raise RosterError(f"roster {path}, line {line}: {student.student_id!r} cannot be a "
                                  "folder name under submitted/")
            students.append(student)
    for column in ("student_id", "lms_user_id"):
        counts = collections.Counter(getattr(s, column) for s in students)
        repeated = sorted(value for value, n in counts.items() if n > 1)
        if repeated:
            raise RosterError(f"roster {path}: {column} repeated: {', '.join(repeated)}")
    return Roster(students)


class LmsRoster(LoggingConfigurable):
    """Where the roster is: one setting shared by the collectors and the exporters."""

    path = Unicode("roster.csv", help="The roster CSV, relative to the course directory.").tag(config=True)

    def read(self, course_root):
        path = Path(course_root) / self.path
        if not path.is_file():
            raise RosterError(f"no roster at {path}: write one (columns {', '.join(REQUIRED_COLUMNS)}), "
                              "or point c.LmsRoster.path (--LmsRoster.path=...) to it")
        return read_roster(path)


def load_into_gradebook(roster, db_url):
    """Create or update every roster student in the gradebook: names, email, LMS id."""
    with Gradebook(db_url) as gb:
        for s in roster.students:
            gb.update_or_create_student(s.student_id, first_name=s.first_name or None,
                                        last_name=s.last_name or None, email=s.email or None,
                                        lms_user_id=s.lms_user_id)
    return len(roster.students)


def course_root(plugin):
    """The course directory of the nbgrader app running a plugin."""
    coursedir = getattr(plugin.parent, "coursedir", None)
    return coursedir.root if coursedir is not None else os.getcwd()


# --------------------------------------------------------------------------------------------
# Import: nbgrader zip_collect collectors
# --------------------------------------------------------------------------------------------

# Copy suffixes, newest highest: Canvas renames a re-upload "name-1.ext"; browsers, operating
# systems and Moodle's file picker save a second copy as "name (1).ext".
COPY_SUFFIX = re.compile(r"(?:-(\d+)|\s*\((\d+)\))$")


def notebook_for(filename, notebooks=NOTEBOOKS):
    """(notebook, copy number) that an uploaded file name stands for, or (None, 0)."""
    stem, ext = os.path.splitext(urllib.parse.unquote(filename))
    if ext.lower() != ".ipynb":
        return None, 0
    copy = 0
    while match := COPY_SUFFIX.search(stem):
        copy = max(copy, int(match.group(1) or match.group(2)))
        stem = stem[:match.start()]
    key = re.sub(r"[\s_+\-]+", "_", stem).strip("_").casefold()
    names = {nb.casefold(): nb for nb in notebooks}
    return names.get(key), copy


def words(name):
    """A name's words, case and accents' encoding ignored, for comparing names loosely."""
    return sorted(re.findall(r"\w+", unicodedata.normalize("NFC", name).casefold()))


@dataclasses.dataclass
class Row:
    """One line of the collect report."""
    file: str = ""
    lms_user_id: str = ""
    lms_name: str = ""
    late: str = ""
    student_id: str = ""
    notebook: str = ""
    status: str = ""
    detail: str = ""


COLLECTED, SUPERSEDED, UNKNOWN = "collected", "superseded", "unknown student"
NOT_NOTEBOOK, NOT_LMS, ARCHIVE = "not a notebook of the assignment", "not an LMS file name", "archive"
MISSING, NOTHING = "missing notebook", "no submission"


class LmsCollector(FileNameCollectorPlugin):
    """Base of the LMS collectors: plans the whole download once, then answers per file.

    nbgrader asks about one file at a time, and fails the whole run when one student has two
    files for the same notebook and no timestamps; so on its first question the collector reads
    every extracted file, keeps the newest upload of each notebook, writes the report, and then
    answers from that plan.

    `named_regexp` is matched against each component of a file's path inside the extracted
    folder, innermost first (the file name, then its folders).  Its named groups: `lms_user_id`
    (required), `name`, `late`, `order` (a number, higher for newer uploads), and `filename`
    (the uploaded file's name; without it, the file's own name).
    """

    lms = "LMS"
    report = Unicode("", help="The collect report CSV, relative to the course directory "
                              "(default: collect_report.csv next to the extracted folder).").tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.plan = None  # absolute path -> (student_id, notebook), for the files to collect
        self.rows = []    # the report: a Row per file, per missing notebook, per absent student

    @property
    def unknown_students(self):
        return [row for row in self.rows if row.status == UNKNOWN]

    def collect(self, submitted_file):
        if self.plan is None:
            try:
                self.plan = self.make_plan(self.extracted_root())
            except RosterError as error:
                self.parent.fail(str(error))
        if os.path.abspath(submitted_file) not in self.plan:
            return None  # the plan has logged why
        student_id, notebook = self.plan[os.path.abspath(submitted_file)]
        return {"student_id": student_id, "file_id": f"{notebook}.ipynb"}

    def extracted_root(self):
        app = self.parent  # ZipCollectApp; the same formula as its _format_collect_path
        return os.path.join(app.coursedir.root, app.collect_directory_structure.format(
            downloaded=app.downloaded_directory, assignment_id=app.coursedir.assignment_id,
            collect_step=app.extracted_directory))

    def make_plan(self, root):
        roster = LmsRoster(parent=self).read(course_root(self))
        uploads = collections.defaultdict(list)  # (student_id, notebook) -> [(rank, path, row)]
        for folder, _, files in sorted(os.walk(root)):
            for name in sorted(files):
                path = os.path.abspath(os.path.join(folder, name))
                row, rank = self.classify(os.path.relpath(path, root), roster)
                self.rows.append(row)
                if row.status == COLLECTED:
                    uploads[row.student_id, row.notebook].append((rank, path, row))
        plan = {}
        for (student_id, notebook), found in uploads.items():
            *older, (_, path, newest) = sorted(found, key=lambda upload: upload[0])
            plan[path] = student_id, notebook
            for _, _, row in older:
                row.status, row.detail = SUPERSEDED, f"the newer upload {newest.file} was collected instead"
        self.rows += self.absent(roster, uploads)
        self.write_report(root)
        return plan

    def classify(self, rel, roster):
        """The report row of one extracted file and, for a notebook to collect, its upload rank."""
        row = Row(file=rel)
        archives = getattr(getattr(self.parent, "extractor_plugin_inst", None), "zip_ext", [".zip", ".gz"])
        if rel.lower().endswith(tuple(archives)):
            row.status, row.detail = ARCHIVE, "nbgrader extracted it: its files have rows of their own"
            return row, None
        info = self.identify(Path(rel).parts)
        if info is None:
            row.status, row.detail = NOT_LMS, f"no {self.lms} user id in the name: not collected"
            return row, None
        row.lms_user_id, row.lms_name = info["lms_user_id"], info.get("name") or ""
        row.late = "yes" if info.get("late") else ""
        student = roster.by_lms_id.get(row.lms_user_id)
        if student is None:
            row.status = UNKNOWN
            row.detail = f"{self.lms} id {row.lms_user_id} is not in the roster: not collected"
            return row, None
        row.student_id = student.student_id
        notebook, copy = notebook_for(info["filename"])
        if notebook is None:
            row.status = NOT_NOTEBOOK
            row.detail = f"{info['filename']!r} is none of {', '.join(NOTEBOOKS)}: not collected"
            return row, None
        row.notebook, row.status, row.detail = notebook, COLLECTED, self.name_differs(row.lms_name, student)
        return row, (int(info.get("order") or 0), copy)

    def identify(self, parts):
        """The regexp's groups for the innermost matching path component, with the file name."""
        for i in range(len(parts) - 1, -1, -1):
            match = re.match(self.named_regexp, parts[i], flags=re.IGNORECASE)
            if match:
                info = match.groupdict()
                if i < len(parts) - 1 or not info.get("filename"):  # a folder names the student
                    info["filename"] = parts[-1]
                return info
        return None

    def name_differs(self, lms_name, student):
        """Why the name in the download does not look like the roster's, or ''."""
        return ""

    @staticmethod
    def absent(roster, uploads):
        """Rows for the notebooks a roster student did not submit, or for submitting nothing."""
        rows = []
        for student in roster.students:
            submitted = [nb for nb in NOTEBOOKS if (student.student_id, nb) in uploads]
            if not submitted:
                rows.append(Row(lms_user_id=student.lms_user_id, student_id=student.student_id, status=NOTHING))
            else:
                rows += [Row(lms_user_id=student.lms_user_id, student_id=student.student_id, notebook=nb,
                             status=MISSING) for nb in NOTEBOOKS if nb not in submitted]
        return rows

    def write_report(self, root):
        path = Path(course_root(self)) / self.report if self.report else Path(root).parent / "collect_report.csv"
        self.rows.sort(key=lambda r: (r.student_id == "", r.student_id, r.notebook, r.file))
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow([f.name for f in dataclasses.fields(Row)])
            writer.writerows(dataclasses.astuple(row) for row in self.rows)

        skipped = [row for row in self.rows if row.status in (UNKNOWN, NOT_NOTEBOOK, NOT_LMS, SUPERSEDED)]
        for row in skipped:
            self.log.warning("%s: %s (%s)", row.file, row.status, row.detail)
        for row in self.rows:
            if row.status == COLLECTED and row.detail:
                self.log.warning("%s: collected for %s, but %s", row.file, row.student_id, row.detail)
        count = collections.Counter(row.status for row in self.rows)
        self.log.info("%s download: %d notebook(s) collected, %d file(s) not collected, %d unknown student(s), "
                      "%d missing notebook(s), %d roster student(s) with no submission; report: %s",
                      self.lms, count[COLLECTED], len(skipped),
                      len({row.lms_user_id for row in self.unknown_students}), count[MISSING], count[NOTHING], path)
        late = sorted({row.student_id for row in self.rows if row.late and row.status == COLLECTED})
        if late:
            self.log.info("Late according to %s (for information: the LMS applies its own late policy "
                          "to the grades you import): %s", self.lms, ", ".join(late))


def canvas_name(first_name, last_name):
    """The name part of a Canvas download file name: the sortable name 'Last, First' lowercased,
    without anything but letters, digits and underscores (ContentZipper#sanitize_file_name)."""
    return re.sub(r"\W", "", unicodedata.normalize("NFC", f"{last_name}, {first_name}")).lower()


class CanvasCollector(LmsCollector):
    """Canvas "Download Submissions": `{sortablename}[_late]_{userid}_{attachmentid}_{filename}`.

    With anonymous grading Canvas leaves the name out (`[late_]{userid}_...`), which also matches.
    """

    lms = "Canvas"
    named_regexp = Unicode(
        r"^(?:(?P<name>.*?)_)??(?:(?P<late>late)_)?(?P<lms_user_id>\d+)_(?P<order>\d+)_(?P<filename>.+)$",
        help="Regexp for a Canvas download's file names (see LmsCollector).").tag(config=True)

    def name_differs(self, lms_name, student):
        expected = canvas_name(student.first_name, student.last_name)
        found = re.sub(r"\W", "", unicodedata.normalize("NFC", lms_name)).lower()
        if lms_name and found != expected:
            return f"the download names {lms_name!r}, the roster {expected!r}: check the roster's lms_user_id"
        return ""


class MoodleCollector(LmsCollector):
    """Moodle "Download all submissions": `{Full Name}_{participantid}_assignsubmission_file/{filename}`
    (flat: `..._assignsubmission_file_{filename}`); Moodle replaces underscores in names by spaces,
    so the name never contains one.  Other submission plugins (`assignsubmission_onlinetext`) hold
    no notebook and are reported as such.
    """

    lms = "Moodle"
    named_regexp = Unicode(
        r"^(?P<name>[^_]*)_(?P<lms_user_id>\d+)_+assignsubmission_[a-z]+(?:_(?P<filename>.*))?$",
        help="Regexp for a Moodle download's folder or file names (see LmsCollector).").tag(config=True)

    def name_differs(self, lms_name, student):
        expected = f"{student.first_name} {student.last_name}"
        if lms_name and words(lms_name) != words(expected) and lms_name.casefold() != "participant":
            return f"the download names {lms_name!r}, the roster {expected!r}: check the roster's lms_user_id"
        return ""


# --------------------------------------------------------------------------------------------
# Export: nbgrader export plugins
# --------------------------------------------------------------------------------------------

def points(value):
    """A score as an LMS reads it: '76', '76.5', never '76.0' or an exponent."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


class LmsExport(ExportPlugin):
    """What the exporters share: which assignments and students, their final scores."""

    missing_as_zero = Bool(False, help="Give students who submitted nothing 0 instead of an empty "
                                       "(ungraded) cell.").tag(config=True)
    default_to = "grades.csv"

    def destination(self):
        dest = self.to or self.default_to
        self.log.info("Exporting to %s", dest)
        return open(dest, "w", newline="", encoding="utf-8")

    def assignments(self, gb):
        wanted = [str(a) for a in self.assignment]
        return [a for a in gb.assignments if not wanted or a.name in wanted]

    def students(self, gb, need_lms_id=True):
        wanted = [str(s) for s in self.student]
        chosen = [s for s in gb.students if not wanted or s.id in wanted]
        if need_lms_id:
            for s in chosen:
                if not s.lms_user_id:
                    self.log.warning("Student %s has no LMS id in the gradebook: left out (add them to "
                                     "the roster and run `python -m coursekit.lms roster`)", s.id)
            chosen = [s for s in chosen if s.lms_user_id]
        return sorted(chosen, key=lambda s: ((s.last_name or "").casefold(), (s.first_name or "").casefold(),
                                             s.id))

    def roster(self):
        """The roster's extra columns (SIS ids, sections, Moodle emails), or none without a roster."""
        try:
            return LmsRoster(parent=self).read(course_root(self)).by_student_id
        except RosterError as error:
            self.log.warning("%s: LMS-only columns (SIS ids, sections) left empty", error)
            return {}

    @staticmethod
    def submission(gb, assignment, student):
        try:
            return gb.find_submission(assignment.name, student.id)
        except MissingEntry:
            return None

    def grade(self, submission, digits=None):
        """The final score as text: nbgrader's score minus its late penalty, never below 0."""
        if submission is None:
            return "0" if self.missing_as_zero else ""
        score = max(0.0, (submission.score or 0.0) - (submission.late_submission_penalty or 0.0))
        return f"{score:.{digits}f}" if digits is not None else points(score)


class CanvasExport(LmsExport):
    """Canvas gradebook import CSV (Grades > Import).

    Canvas's importer (GradebookImporter) reads: a header `Student, ID, SIS User ID, SIS Login ID,
    Section` (the last identity column must say Section) then one column per assignment titled
    `Name (canvas assignment id)`; a row whose first cell contains "Points Possible" gives the
    assignments' points (written as Canvas's own export does, "    Points Possible", other
    identity cells empty); student rows are matched by ID (the Canvas user id) first, then SIS
    ids, then name.  Student is the sortable name "Last, First".  An empty grade cell leaves
    the grade as it is (ungraded), so students who submitted nothing get one by default.

    The assignment column: `c.CanvasExport.assignment_names` (nbgrader name -> Canvas title;
    default the nbgrader name) and `c.CanvasExport.assignment_ids` (nbgrader name -> Canvas id,
    the number in the assignment's URL).  Set the id: without it the column is the bare title,
    which Canvas matches by exact title, else offers to create as a new assignment (with a
    warning here).
    """

    default_to = "canvas_grades.csv"
    assignment_names = Dict(help="nbgrader assignment -> its title in Canvas.").tag(config=True)
    assignment_ids = Dict(help="nbgrader assignment -> its Canvas assignment id.").tag(config=True)

    def column(self, assignment):
        title = str(self.assignment_names.get(assignment.name, assignment.name))
        canvas_id = str(self.assignment_ids.get(assignment.name, ""))
        if not canvas_id:
            self.log.warning("No Canvas assignment id for %s: the column is titled %r, which Canvas "
                             "matches by exact title or offers to create (set c.CanvasExport."
                             "assignment_ids = {%r: '<id>'})", assignment.name, title, assignment.name)
            return title
        return f"{title} ({canvas_id})"

    def export(self, gradebook):
        assignments, extra = self.assignments(gradebook), self.roster()
        with self.destination() as fh:
            writer = csv.writer(fh)
            writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                             *(self.column(a) for a in assignments)])
            writer.writerow(["    Points Possible", "", "", "", "", *(points(a.max_score) for a in assignments)])
            for student in self.students(gradebook):
                sortable_name = ", ".join(filter(None, [student.last_name, student.first_name])) or student.id
                more = extra.get(student.id)
                sis = ("", "", "") if more is None else \
                    (more.canvas_sis_user_id, more.canvas_sis_login_id, more.canvas_section)
                writer.writerow([sortable_name, student.lms_user_id, *sis,
                                 *(self.grade(self.submission(gradebook, a, student)) for a in assignments)])


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
    """Moodle offline grading worksheet, for assignment > "Upload grading worksheet".

    Moodle's importer (assignfeedback_offline) finds its columns by their English headers:
    `Identifier` ("Participant <id>", the id after that prefix), `Grade`, `Last modified (grade)`,
    and the feedback plugins' columns (`Feedback comments`); `Full name`, `Email address` and
    `Maximum Grade` are for people.  It skips empty grades, grades out of range and grades that
    were changed in Moodle after the worksheet's "Last modified (grade)" (unless "Allow updating
    records that have been modified more recently in Moodle" is ticked); that column holds the
    export time (this machine's local time, which Moodle reads in the server's time zone), so
    only grades edited in Moodle after the export are protected.  Grades have two decimals and a
    point, like Moodle's own worksheet.  One assignment per worksheet: pass --assignment when
    the gradebook holds several.  The email is the roster's moodle_email when set.
    """

    default_to = "moodle_grades.csv"

    def feedback(self, submission):
        if submission is None:
            return ""
        parts = [f"{nb.name}: {points(nb.score or 0)}/{points(nb.max_score)}"
                 for nb in sorted(submission.notebooks, key=lambda nb: nb.name)]
        text = "Autograded. " + "; ".join(parts) + "."
        if submission.late_submission_penalty:
            text += f" Late penalty: {points(submission.late_submission_penalty)}."
        return text

    def export(self, gradebook):
        assignments = self.assignments(gradebook)
        if len(assignments) != 1:
            self.parent.fail(f"A Moodle worksheet holds one assignment, the gradebook has "
                             f"{[a.name for a in assignments]}: pass --assignment=[<name>]")
        assignment, extra = assignments[0], self.roster()
        modified = moodle_time(datetime.datetime.now())
        with self.destination() as fh:
            writer = csv.writer(fh)
            writer.writerow(["Identifier", "Full name", "Email address", "Grade", "Maximum Grade",
                             "Last modified (grade)", "Feedback comments"])
            for student in self.students(gradebook):
                submission = self.submission(gradebook, assignment, student)
                more = extra.get(student.id)
                email = (more.moodle_email if more and more.moodle_email else student.email) or ""
                writer.writerow([f"Participant {student.lms_user_id}",
                                 " ".join(filter(None, [student.first_name, student.last_name])) or student.id,
                                 email, self.grade(submission, digits=2), f"{assignment.max_score:.2f}",
                                 modified, self.feedback(submission)])


class ExerciseExport(LmsExport):
    """Points per exercise of math_numpy, for instructors: one row per student (`student_id`,
    `last_name`, `first_name`), one column per exercise of coursekit.spec (in the order the
    notebooks teach them), then `score` (nbgrader's total, before any late penalty) and
    `max_score`, named as in nbgrader's own CSV (an exercise is called `total`).  A student who
    submitted nothing has empty exercise cells and score.
    """

    default_to = "exercise_scores.csv"
    IDENTITY, TOTALS = ("student_id", "last_name", "first_name"), ("score", "max_score")

    def export(self, gradebook):
        exercises = [name for nb in NOTEBOOKS for name in EXERCISES[nb]]
        clash = set(exercises) & set(self.IDENTITY + self.TOTALS)
        if clash:
            self.parent.fail(f"exercise(s) named like another column of the CSV: {sorted(clash)}")
        assignment = gradebook.find_assignment(ASSIGNMENT)
        with self.destination() as fh:
            writer = csv.writer(fh)
            writer.writerow([*self.IDENTITY, *exercises, *self.TOTALS])
            for student in self.students(gradebook, need_lms_id=False):
                submission = self.submission(gradebook, assignment, student)
                if submission is None:
                    cells, score = [""] * len(exercises), ""
                else:
                    per_exercise = self.per_exercise(submission)
                    cells = [points(per_exercise[name]) for name in exercises]
                    score = points(submission.score or 0)
                writer.writerow([student.id, student.last_name or "", student.first_name or "", *cells,
                                 score, points(assignment.max_score)])

    def per_exercise(self, submission):
        scores = {name: 0.0 for nb in NOTEBOOKS for name in EXERCISES[nb]}
        for nb in submission.notebooks:
            for grade in nb.grades:
                name = exercise_of(grade.name, nb.name) if nb.name in EXERCISES else None
                if name is None:  # a grade cell outside the spec: the columns would not add up
                    self.parent.fail(f"grade cell {grade.name} of {nb.name} belongs to no exercise of "
                                     "coursekit.spec")
                scores[name] += grade.score or 0.0
        return scores


# --------------------------------------------------------------------------------------------
# Example downloads and the command line
# --------------------------------------------------------------------------------------------

EXAMPLES_DIR = REPO / "examples" / "lms"
EXAMPLE_ROSTER = (
    Student("alice", "48213", "Alice", "O'Neil", "alice.oneil@example.edu", "S48213", "aoneil", "Lab A"),
    Student("bao", "48227", "Bảo", "Nguyễn", "bao.nguyen@example.edu", "S48227", "bnguyen", "Lab B",
            "bao.nguyen@student.example.edu"),
    Student("chidi", "48240", "Chidi", "Okafor", "chidi.okafor@example.edu", "S48240", "cokafor", "Lab A"),
)
ZIP_TIME = (2026, 11, 25, 10, 0, 0)  # when the LMS built the zip: the same for every entry
# The noise of a real download: a late submission, a re-uploaded notebook, a second copy, a stray file.
EXAMPLE_LATE, CANVAS_REUPLOAD, MOODLE_COPY = "bao", ("alice", NOTEBOOKS[1]), ("bao", NOTEBOOKS[2])


def write_roster(path, students):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow([f.name for f in dataclasses.fields(Student)])
        writer.writerows(dataclasses.astuple(s) for s in students)
    return path


def write_zip(path, members):
    """A zip of {name: bytes}, deterministic: fixed entry times, in the order given."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=ZIP_TIME), data, compress_type=zipfile.ZIP_DEFLATED)
    return path


def example_files(submitted=REPO / "examples" / "submitted"):
    """(Canvas members, Moodle members) of the example downloads, from the example submissions."""
    canvas, moodle = {}, {}
    attachments = iter(range(731001, 732000))  # Canvas attachment ids grow with each upload
    for s in EXAMPLE_ROSTER:
        prefix = canvas_name(s.first_name, s.last_name) + ("_late" if s.student_id == EXAMPLE_LATE else "")
        for nb in NOTEBOOKS:
            data = (submitted / s.student_id / ASSIGNMENT / f"{nb}.ipynb").read_bytes()
            uploaded = f"{nb}-1.ipynb" if (s.student_id, nb) == CANVAS_REUPLOAD else f"{nb}.ipynb"
            canvas[f"{prefix}_{s.lms_user_id}_{next(attachments)}_{uploaded}"] = data
            uploaded = f"{nb} (1).ipynb" if (s.student_id, nb) == MOODLE_COPY else f"{nb}.ipynb"
            moodle[f"{s.first_name} {s.last_name}_{s.lms_user_id}_assignsubmission_file/{uploaded}"] = data
    chidi = EXAMPLE_ROSTER[2]  # also uploaded the test helpers
    stray = f"{canvas_name(chidi.first_name, chidi.last_name)}_{chidi.lms_user_id}_{next(attachments)}_checks.py"
    canvas[stray] = (REPO / "release" / ASSIGNMENT / "checks.py").read_bytes()
    return canvas, moodle


def make_examples(out=EXAMPLES_DIR):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    canvas, moodle = example_files()
    write_roster(out / "roster.csv", EXAMPLE_ROSTER)
    write_zip(out / "canvas_submissions.zip", canvas)
    write_zip(out / "moodle_submissions.zip", moodle)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description="LMS roster and example downloads (see coursekit/lms.py).")
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser("roster", help="load the roster's students into the gradebook")
    load.add_argument("path", nargs="?", default="roster.csv")
    load.add_argument("--db", default="sqlite:///gradebook.db", help="gradebook URL (default: %(default)s)")
    commands.add_parser("make-examples", help=f"write {EXAMPLES_DIR.relative_to(REPO)}/")
    args = parser.parse_args(argv)
    if args.command == "roster":
        try:
            count = load_into_gradebook(read_roster(args.path), args.db)
        except RosterError as error:
            print(error, file=sys.stderr)
            return 1
        print(f"{count} student(s) from {args.path} created or updated in {args.db}")
    else:
        print(f"wrote {make_examples()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
