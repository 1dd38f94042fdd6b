"""Test fixtures: LMS downloads built by ports of the LMSs' own naming code, and the example files.

These builders are the test side's independent port of how Canvas and Moodle *write* download
names (coursekit/lms/download_names.py reads them).  `python -m devtools.lms_downloads` (re)writes
examples/lms/ from examples/submitted/; a test checks that it is up to date.
"""

import argparse
import csv
import re
import unicodedata
import uuid
import zipfile
from pathlib import Path

from coursekit.lms.roster import Student, write_roster
from coursekit.spec import ASSIGNMENT, NOTEBOOKS

from .scratch import REPO

# ---------------------------------------------------------------- Canvas: lib/content_zipper.rb

def _word(char):  # Ruby's [[:word:]]: letters, marks, decimal digits, connector punctuation
    return unicodedata.category(char)[0] in "LM" or unicodedata.category(char) in ("Nd", "Pc")


def sanitize_user_name(user_name):
    # user_name.gsub!(/_(\d+)_/, '\1'); user_name.gsub!(/^(\d+)$/, '\1'); user_name.downcase
    return re.sub(r"_(\d+)_", r"\1", user_name).lower()


def sanitize_file_name(filename):
    # filename.gsub(/[^[[:word:]]]/, "")
    return "".join(c for c in filename if _word(c))


def sanitize_attachment_filename(filename):
    # filename.gsub(%r{[\x00/\\:*?"<>|]+}, "_")
    return re.sub(r'[\x00/\\:*?"<>|]+', "_", filename)


def canvas_called(sortable_name=None, user_id=None, late=False, anonymous_id=None):
    """get_filename: [users_name, ("LATE" if late), id].compact.join("_"), sanitized."""
    users_name = None if anonymous_id else sanitize_user_name(sortable_name)
    the_id = f"anon_{anonymous_id}" if anonymous_id else str(user_id)
    return sanitize_file_name("_".join(p for p in [users_name, "LATE" if late else None, the_id] if p is not None))


def canvas_upload(display_name, attachment_id, **who):
    """add_upload_submission: "#{filename}_#{file.id}_#{sanitize_attachment_filename(display_name)}"."""
    return f"{canvas_called(**who)}_{attachment_id}_{sanitize_attachment_filename(display_name)}"


def canvas_text(kind="text", **who):
    """add_text_or_url: "#{called}_text.html" or "#{called}_link.html"."""
    return f"{canvas_called(**who)}_{kind}.html"


def canvas_unique(filename, attempt):
    """Attachment.make_unique_filename's name for the attempt-th copy: "-1" .. "-7", then "-<uuid>"."""
    ext = re.search(r"(\.[A-Za-z][A-Za-z0-9]*)*(\.[A-Za-z0-9]*)$", filename).group(0)
    base = filename[:len(filename) - len(ext)]
    suffix = str(uuid.UUID(int=attempt)) if attempt >= 8 else str(attempt)
    return f"{base}-{suffix}{ext}"


# ---------------------------------------------------------------- Moodle: mod/assign/classes/downloader.php

def clean_filename(text):
    # clean_param($param, PARAM_FILE): preg_replace('~[[:cntrl:]]|[&<>"`\|\':\\\\/]~u', '', $param)
    return re.sub(r"[\x00-\x1f\x7f&<>\"`|':\\/]", "", text)


def format_string(text):
    # replace_ampersands_not_followed_by_entity: a lone & becomes &amp;
    return re.sub(r"&(?![a-zA-Z0-9#]{1,8};)", "&amp;", text)


def moodle_prefix(fullname=None, uniqueid=None, group=None, group_id=None, blind=False):
    """get_student_prefix: a student, or a team (teamsubmission)."""
    if group is not None or fullname is None and group_id is None:
        if group is None:  # no group: get_string('defaultteam'), no id
            return clean_filename("Default group".replace("_", " "))
        return clean_filename(format_string(group).replace("_", " ") + f"_{group_id}")
    name = "Participant" if blind else fullname
    return clean_filename(name.replace("_", " ") + f"_{uniqueid}")


def moodle_file(prefix, filename, folders=True, plugin="file", filepath="/"):
    """load_submissionplugin_filelist: "{prefix}_{subtype}_{type}{filepath}{name}" or the flat name."""
    if folders:
        middle = filepath if plugin == "file" else "/"
        return f"{clean_filename(f'{prefix}_assignsubmission_{plugin}')}{middle}{filename}"
    return clean_filename(f"{prefix}_assignsubmission_{plugin}_{filename}")


# ---------------------------------------------------------------- zips and the examples

ZIP_TIME = (2026, 11, 25, 10, 0, 0)  # when the LMS built the zip: the same for every entry


def write_zip(path, members):
    """A zip of {name: bytes}, deterministic: fixed entry times, in the order given."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=ZIP_TIME), data, compress_type=zipfile.ZIP_DEFLATED)
    return path


EXAMPLES_DIR = REPO / "examples" / "lms"
EXAMPLE_ROSTER = (
    Student("alice", "Alice", "O'Neil", "alice.oneil@example.edu", "48213", "", "S48213", "aoneil", "Lab A"),
    Student("bao", "Bảo", "Nguyễn", "bao.nguyen@example.edu", "48227", "", "S48227", "bnguyen", "Lab B",
            "bao.nguyen@student.example.edu"),
    Student("chidi", "Chidi", "Okafor", "chidi.okafor@example.edu", "48240", "", "S48240", "cokafor", "Lab A"),
)
# Moodle's participant numbers for the example assignment (per assignment: assign_user_mapping).
EXAMPLE_PARTICIPANTS = {"alice": "1840", "bao": "1841", "chidi": "1842"}
EXAMPLE_MOODLE_MAXIMUM = 100
# The noise of a real download: a late submission, a re-uploaded notebook, a second copy, a stray file.
EXAMPLE_LATE, CANVAS_REUPLOAD, MOODLE_COPY = "bao", ("alice", NOTEBOOKS[1]), ("bao", NOTEBOOKS[2])


def write_moodle_worksheet(path, rows, maximum):
    """A grading worksheet as Moodle writes it (rows: (participant, full name, email)), grades empty."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade",
                         "Grade can be changed", "Last modified (submission)", "Last modified (grade)",
                         "Feedback comments"])
        for number, name, email in rows:
            writer.writerow([f"Participant {number}", name, email, "Submitted for grading", "", f"{maximum:.2f}",
                             "Yes", "Wednesday, 25 November 2026, 9:12 AM", "-", ""])
    return path


def example_files(submitted=REPO / "examples" / "submitted"):
    """(Canvas members, Moodle members) of the example downloads, from the example submissions."""
    canvas, moodle = {}, {}
    attachments = iter(range(731001, 732000))  # Canvas attachment ids grow with each upload
    for s in EXAMPLE_ROSTER:
        for nb in NOTEBOOKS:
            data = (submitted / s.student_id / ASSIGNMENT / f"{nb}.ipynb").read_bytes()
            uploaded = canvas_unique(f"{nb}.ipynb", 1) if (s.student_id, nb) == CANVAS_REUPLOAD else f"{nb}.ipynb"
            canvas[canvas_upload(uploaded, next(attachments), sortable_name=s.sortable_name,
                                 user_id=s.lms_user_id, late=s.student_id == EXAMPLE_LATE)] = data
            uploaded = f"{nb} (1).ipynb" if (s.student_id, nb) == MOODLE_COPY else f"{nb}.ipynb"
            moodle[moodle_file(moodle_prefix(s.full_name, EXAMPLE_PARTICIPANTS[s.student_id]), uploaded)] = data
    chidi = EXAMPLE_ROSTER[2]  # also uploaded the test helpers
    stray = canvas_upload("checks.py", next(attachments), sortable_name=chidi.sortable_name, user_id=chidi.lms_user_id)
    # The student's own stray file: fixed bytes, so that a change to the release's checks.py does not
    # make the example downloads stale (only its name matters: it is not a notebook of the assignment).
    canvas[stray] = b"# chidi's copy of checks.py, uploaded by mistake\n"
    return canvas, moodle


def make_examples(out=EXAMPLES_DIR):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    canvas, moodle = example_files()
    write_roster(out / "roster.csv", EXAMPLE_ROSTER)
    write_moodle_worksheet(out / "moodle" / f"{ASSIGNMENT}.csv",
                           [(EXAMPLE_PARTICIPANTS[s.student_id], s.full_name, s.moodle_email or s.email)
                            for s in EXAMPLE_ROSTER], EXAMPLE_MOODLE_MAXIMUM)
    write_zip(out / "canvas_submissions.zip", canvas)
    write_zip(out / "moodle_submissions.zip", moodle)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description="Rewrite examples/lms/: the example students as an LMS's downloads.")
    parser.add_argument("--out", default=str(EXAMPLES_DIR), help="where to write them (default: %(default)s)")
    args = parser.parse_args(argv)
    print(f"wrote {make_examples(args.out)}")


if __name__ == "__main__":
    main()
