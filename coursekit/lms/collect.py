"""Import: `nbgrader zip_collect` collectors for Canvas and Moodle submission downloads.

The download's names are read with each LMS's own rules (coursekit/lms/download_names.py) and the roster
(coursekit/lms/roster.py).  No file ever goes to a student it does not name:
- a group or team submission goes to every member of the group in the roster, or to nobody;
- an anonymous Canvas download goes only through `c.CanvasCollector.anonymous_ids`;
- a name that is not the roster's name of that id (after the LMS's own cleaning), or a name
  that reads two ways, is not collected.
Nothing is dropped silently: every file has a row in `downloaded/<assignment>/collect_report.csv`
with its real reason (see the statuses below), every roster student a row per notebook not
submitted; everything not collected is also a warning in the log.

Of two uploads of one notebook by one student the newest is collected: the higher Canvas
attachment id (Canvas numbers uploads in order), else the higher copy number.  Neither LMS puts
the submission time in its download (zip entry times say when the zip was built), so nbgrader
records none and applies no late penalty; Canvas's LATE flag is kept in the report.
"""

import collections
import csv
import dataclasses
import os
from pathlib import Path

from nbgrader.plugins import FileNameCollectorPlugin
from traitlets import Dict, Unicode

from ..spec import NOTEBOOKS
from . import download_names
from .roster import LmsRoster, RosterError, course_root


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


COLLECTED, SUPERSEDED = "collected", "superseded"
UNKNOWN, NAME_MISMATCH, AMBIGUOUS = "unknown student", "name differs", "ambiguous name"
GROUP_WITHOUT_MEMBERS, ANONYMOUS = "group without members", "anonymous download"
NO_FILE, NOT_NOTEBOOK = "text entry or URL", "not a notebook of the assignment"
NOT_LMS, ARCHIVE = "not an LMS file name", "archive"
MISSING, NOTHING = "missing notebook", "no submission"
NOT_COLLECTED = (SUPERSEDED, UNKNOWN, NAME_MISMATCH, AMBIGUOUS, GROUP_WITHOUT_MEMBERS, ANONYMOUS, NO_FILE,
                 NOT_NOTEBOOK, NOT_LMS)


@dataclasses.dataclass
class Verdict:
    """Who one file of a download belongs to, or why nobody."""
    status: str
    detail: str = ""
    students: list = dataclasses.field(default_factory=list)  # roster Students: one, or a group
    lms_user_id: str = ""
    lms_name: str = ""
    late: bool = False
    filename: str = ""  # the uploaded file's own name
    order: int = 0      # higher for newer uploads (Canvas attachment id)


def credit(verdict, notebooks=NOTEBOOKS):
    """The verdict once the uploaded file name is checked: a notebook of the assignment or not."""
    if verdict.status != COLLECTED:
        return verdict, None, 0
    notebook, copy = download_names.notebook_for(verdict.filename, notebooks)
    if notebook is None:
        return dataclasses.replace(verdict, status=NOT_NOTEBOOK, detail=(
            f"{verdict.filename!r} is none of {', '.join(nb + '.ipynb' for nb in notebooks)}")), None, 0
    return verdict, notebook, copy


# ---------------------------------------------------------------- Canvas

def canvas_owner(name, user_id, roster):
    """(students, group) a Canvas name part and user id stand for, or None when they do not agree."""
    student = roster.by_lms_id.get(user_id)
    if student is None:
        return None
    if name == download_names.canvas_name(student.sortable_name):
        return [student], ""
    # named for the group, with the id of its representative
    if student.group and name == download_names.canvas_name(student.group):
        return list(roster.groups[student.group]), student.group
    return None


def read_canvas(name, roster, anonymous_ids=None):
    """The Verdict for one file name of a Canvas download."""
    anonymous_ids = anonymous_ids or {}
    parsed = download_names.Canvas(name)
    readings = list(parsed.readings())
    owned = [(r, owners) for r in readings if (owners := canvas_owner(r[0], r[2], roster))]
    anonymous = parsed.anonymous()
    if anonymous and not owned:
        anon_id, late, attachment, display = anonymous
        base = dict(lms_user_id=f"anon_{anon_id}", late=late)
        if attachment is None:
            return Verdict(NO_FILE, "a text entry or URL submission: nothing to grade here, read it in Canvas", **base)
        student = roster.by_student_id.get(str(anonymous_ids.get(anon_id, "")))
        if anon_id not in anonymous_ids:
            return Verdict(ANONYMOUS, f"anonymous download (anon_{anon_id}): de-anonymize or post grades in Canvas "
                                      "and download again, or map it in c.CanvasCollector.anonymous_ids", **base)
        if student is None:
            return Verdict(UNKNOWN, f"anon_{anon_id} is mapped to {anonymous_ids[anon_id]!r}, who is not in the roster",
                           **base)
        return Verdict(COLLECTED, "", [student], filename=display, order=int(attachment), **base)
    if len(owned) > 1 and len({tuple(s.student_id for s in o[0]) for _, o in owned}) > 1:
        who = "; ".join(f"{r[0]!r} id {r[2]} -> {', '.join(s.student_id for s in o[0])}" for r, o in owned)
        return Verdict(AMBIGUOUS, f"the name reads two ways ({who}): not collected, rename it by hand")
    if owned:
        (lms_name, late, user_id, attachment, display), (owners, group) = owned[0]
        return Verdict(COLLECTED, f"group {group}" if group else "", owners, user_id, lms_name, late, display,
                       int(attachment))
    no_file = parsed.no_file()
    if no_file:
        lms_name, late, user_id = no_file
        student = roster.by_lms_id.get(user_id)
        return Verdict(NO_FILE, "a text entry or URL submission: nothing to grade here, read it in Canvas",
                       [student] if student else [], user_id, lms_name, late)
    known = [r for r in readings if r[2] in roster.by_lms_id]
    if known:
        lms_name, late, user_id, _, _ = known[0]
        student = roster.by_lms_id[user_id]
        expected = download_names.canvas_name(student.sortable_name)
        group = f" or its group {download_names.canvas_name(student.group)!r}" if student.group else \
            " (a group submission? give the roster a group column)"
        return Verdict(NAME_MISMATCH, f"the download names {lms_name!r} with the Canvas id of {student.student_id}, "
                                      f"whose Canvas name is {expected!r}{group}: not collected, check the roster",
                       lms_user_id=user_id, lms_name=lms_name, late=late)
    if readings:
        ids = ", ".join(dict.fromkeys(r[2] for r in readings))
        return Verdict(UNKNOWN, f"no roster student has the Canvas id {ids}", lms_user_id=readings[0][2],
                       lms_name=readings[0][0], late=readings[0][1])
    return Verdict(NOT_LMS, "no Canvas user id and attachment id in the name")


# ---------------------------------------------------------------- Moodle

def read_moodle(parts, roster, participants):
    """The Verdict for one file of a Moodle download, from its path's components."""
    for i in range(len(parts) - 1, -1, -1):
        match = download_names.MOODLE_PLUGIN.match(parts[i])
        if match:
            break
    else:
        return Verdict(NOT_LMS, "no Moodle submission folder or file name (…_assignsubmission_file…)")
    filename = parts[-1] if i < len(parts) - 1 else (match.group("filename") or "")
    lms_name, number = download_names.moodle_prefix(match.group("prefix"))
    base = dict(lms_user_id=number or "", lms_name=lms_name)
    if match.group("type") != "file":
        return Verdict(NO_FILE, f"a Moodle {match.group('type')} submission: nothing to grade here, read it in Moodle",
                       **base)
    if number is None:
        if lms_name == download_names.MOODLE_DEFAULT_TEAM:
            return Verdict(GROUP_WITHOUT_MEMBERS, "a team submission of students in no group (Moodle's "
                                                  "\"Default group\" does not say who): not collected", **base)
        return Verdict(NOT_LMS, "no participant or group number in the Moodle folder name", **base)
    student = participants.by_participant.get(number)
    group = roster.group_ids.get(number)
    as_student = student is not None and lms_name in (
        download_names.moodle_name(student.full_name),
        download_names.moodle_name(f"{student.last_name} {student.first_name}"),
        "Participant")  # get_string('participant'): blind marking hides the name
    as_group = group is not None and lms_name == download_names.moodle_group_name(group)
    if as_student and as_group:
        return Verdict(AMBIGUOUS, f"{lms_name!r} {number} is both a participant and a group: not collected", **base)
    if as_student:
        return Verdict(COLLECTED, "", [student], filename=filename, **base)
    if as_group:
        return Verdict(COLLECTED, f"group {group}", list(roster.groups[group]), filename=filename, **base)
    named_groups = [g for g in roster.groups if download_names.moodle_group_name(g) == lms_name]
    if named_groups or group is not None:
        return Verdict(GROUP_WITHOUT_MEMBERS, f"team {lms_name!r} (group id {number}) has no members in the roster "
                                              "(columns group and group_id): not collected", **base)
    if student is not None:
        return Verdict(NAME_MISMATCH, f"the download names {lms_name!r} with the participant number of "
                                      f"{student.student_id} ({download_names.moodle_name(student.full_name)!r}): "
                                      "not collected, check the worksheet and the roster", **base)
    return Verdict(UNKNOWN, f"{number} is neither a participant of this assignment's Moodle worksheet whose email "
                            "is in the roster, nor a roster group_id", **base)


# ---------------------------------------------------------------- the nbgrader plugins

class LmsCollector(FileNameCollectorPlugin):
    """Base of the LMS collectors: plans the whole download once, then answers per file.

    nbgrader asks about one file at a time, and fails the whole run when one student has two
    files for the same notebook and no timestamps; so on its first question the collector reads
    every extracted file, keeps the newest upload of each notebook, writes the report, and then
    answers from that plan.  A group's file is returned for one member; nbgrader's transfer
    step is given the same file for the other members (nbgrader's collectors name one student
    per file).
    """

    lms = "LMS"
    report = Unicode("", help="The collect report CSV, relative to the course directory "
                              "(default: collect_report.csv next to the extracted folder).").tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.plan = None  # absolute path -> (student_id, notebook), for the files nbgrader collects
        self.also = []    # (path, student_id, notebook): group files for the other members
        self.rows = []

    def collect(self, submitted_file):
        if self.plan is None:
            try:
                self.plan = self.make_plan(self.extracted_root())
            except RosterError as error:
                self.parent.fail(str(error))
            self.hook_transfer()
        if os.path.abspath(submitted_file) not in self.plan:
            return None  # the report says why
        student_id, notebook = self.plan[os.path.abspath(submitted_file)]
        return {"student_id": student_id, "file_id": f"{notebook}.ipynb"}

    def extracted_root(self):
        app = self.parent  # ZipCollectApp; the same formula as its _format_collect_path
        return os.path.join(app.coursedir.root, app.collect_directory_structure.format(
            downloaded=app.downloaded_directory, assignment_id=app.coursedir.assignment_id,
            collect_step=app.extracted_directory))

    def hook_transfer(self):
        """Give nbgrader's transfer step the group files of the members not named to it."""
        app = self.parent
        transfer = app._transfer_files

        def transfer_with_groups(data):
            for path, student_id, notebook in self.also:
                entry = data.setdefault(student_id, dict(src_files=[], dest_files=[], file_ids=[], timestamp=None))
                folder = app.coursedir.format_path(app.coursedir.submitted_directory, student_id,
                                                   app.coursedir.assignment_id)
                entry["src_files"].append(path)
                entry["dest_files"].append(os.path.join(folder, f"{notebook}.ipynb"))
                entry["file_ids"].append(f"{notebook}.ipynb")
            return transfer(data)

        app._transfer_files = transfer_with_groups

    def make_plan(self, root):
        self.prepare(LmsRoster(parent=self))
        uploads = collections.defaultdict(list)  # (student_id, notebook) -> [(rank, path, row)]
        archives = tuple(getattr(getattr(self.parent, "extractor_plugin_inst", None), "zip_ext", [".zip", ".gz"]))
        for folder, _, files in sorted(os.walk(root)):
            for name in sorted(files):
                path = os.path.abspath(os.path.join(folder, name))
                rel = os.path.relpath(path, root)
                if rel.lower().endswith(archives):
                    self.rows.append(Row(file=rel, status=ARCHIVE, detail="nbgrader extracted it: its files have "
                                                                          "rows of their own"))
                    continue
                verdict, notebook, copy = credit(self.verdict(Path(rel).parts))
                for student in verdict.students or [None]:
                    row = Row(rel, verdict.lms_user_id, verdict.lms_name, "yes" if verdict.late else "",
                              student.student_id if student else "", notebook or "", verdict.status, verdict.detail)
                    self.rows.append(row)
                    if verdict.status == COLLECTED:
                        uploads[row.student_id, notebook].append(((verdict.order, copy), path, row))
        chosen = collections.defaultdict(list)  # path -> [(student_id, notebook)]
        for (student_id, notebook), found in uploads.items():
            *older, (rank, path, newest) = sorted(found, key=lambda upload: upload[0])
            if older and older[-1][0] == rank:  # two uploads, and nothing says which is newer
                for _, _, row in found:
                    row.status = AMBIGUOUS
                    row.detail = (f"{len(found)} uploads of {notebook} for {student_id}, none known to be newer: "
                                  "none collected, copy the right one by hand")
                continue
            chosen[path].append((student_id, notebook))
            for _, _, row in older:
                row.status, row.detail = SUPERSEDED, f"the newer upload {newest.file} was collected instead"
        plan = {}
        for path, owners in chosen.items():
            plan[path] = owners[0]
            self.also += [(path, *owner) for owner in owners[1:]]
        self.rows += self.absent(uploads)
        self.write_report(root)
        return plan

    def absent(self, uploads):
        """Rows for the notebooks a roster student did not submit, or for submitting nothing."""
        rows = []
        for student in self.roster.students:
            submitted = [nb for nb in NOTEBOOKS if (student.student_id, nb) in uploads]
            if not submitted:
                rows.append(Row(student_id=student.student_id, status=NOTHING))
            else:
                rows += [Row(student_id=student.student_id, notebook=nb, status=MISSING)
                         for nb in NOTEBOOKS if nb not in submitted]
        return rows

    def write_report(self, root):
        path = Path(course_root(self)) / self.report if self.report else Path(root).parent / "collect_report.csv"
        self.rows.sort(key=lambda r: (r.student_id == "", r.student_id, r.notebook, r.file))
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow([f.name for f in dataclasses.fields(Row)])
            writer.writerows(dataclasses.astuple(row) for row in self.rows)
        for row in self.rows:
            if row.status in NOT_COLLECTED:
                self.log.warning("%s: %s (%s)", row.file, row.status, row.detail)
        count = collections.Counter(row.status for row in self.rows)
        self.log.info("%s download: %d notebook(s) collected, %d file(s) not collected, %d missing notebook(s), "
                      "%d roster student(s) with no submission; report: %s", self.lms, count[COLLECTED],
                      sum(count[s] for s in NOT_COLLECTED), count[MISSING], count[NOTHING], path)
        late = sorted({row.student_id for row in self.rows if row.late and row.status == COLLECTED})
        if late:
            self.log.info("Late according to %s (for information: the LMS applies its own late policy "
                          "to the grades you import): %s", self.lms, ", ".join(late))


class CanvasCollector(LmsCollector):
    """Canvas "Download Submissions" (names: coursekit/lms/download_names.py); students by Canvas user id."""

    lms = "Canvas"
    anonymous_ids = Dict(help="Canvas anonymous id (the XXXXX of anon_XXXXX) -> nbgrader student id, for "
                              "a download made while grading was anonymous.").tag(config=True)

    def prepare(self, roster_config):
        self.roster = roster_config.read(course_root(self))

    def verdict(self, parts):
        for part in reversed(parts):  # the file's own name, else a folder (an uploaded folder or zip)
            verdict = read_canvas(part, self.roster, self.anonymous_ids)
            if verdict.status != NOT_LMS:
                if part != parts[-1] and verdict.status == COLLECTED:
                    verdict.filename = parts[-1]
                return verdict
        return verdict


class MoodleCollector(LmsCollector):
    """Moodle "Download all submissions" (names: coursekit/lms/download_names.py); participants by the
    assignment's grading worksheet (coursekit/lms/roster.py), teams by the roster's group_id."""

    lms = "Moodle"

    def prepare(self, roster_config):
        self.roster = roster_config.read(course_root(self))
        self.participants = roster_config.participants(course_root(self), self.parent.coursedir.assignment_id,
                                                       self.roster)
        for number, name, email in self.participants.unmatched:
            self.log.warning("Moodle worksheet: participant %s (%s, %s) has no roster row with that email",
                             number, name, email)

    def verdict(self, parts):
        return read_moodle(parts, self.roster, self.participants)
