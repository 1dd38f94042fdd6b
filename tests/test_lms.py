"""LMS downloads into nbgrader (`nbgrader zip_collect`) and grades back out (`nbgrader export`).

The collectors and exporters run inside the real nbgrader commands, configured on the command
line exactly as nbgrader_config.py would configure them.  The published rules each file must
follow (Canvas's gradebook importer, Moodle's grading worksheet importer, both LMSs' download
names) are written out in the assertions.
"""

import csv
import datetime
import re
import shutil
import subprocess
import sys
import zipfile

import nbformat
import pytest
from nbgrader.api import Gradebook

from coursekit import examples, lms
from coursekit.lms import RosterError, Student, canvas_name, moodle_time, notebook_for, read_roster
from coursekit.nbgrader import REPO, environment, nbgrader
from coursekit.spec import ASSIGNMENT, EXERCISES, NOTEBOOKS

NB01, NB02, NB03 = NOTEBOOKS


# ---------------------------------------------------------------------------- file names and formats

@pytest.mark.parametrize("uploaded, expected", [
    ("02_matrix_operations.ipynb", (NB02, 0)),
    ("02_matrix_operations-1.ipynb", (NB02, 1)),           # Canvas re-upload
    ("02_matrix_operations-12.ipynb", (NB02, 12)),
    ("02_matrix_operations (2).ipynb", (NB02, 2)),         # browser / Moodle file picker copy
    ("03 numpy essentials.ipynb", (NB03, 0)),              # spaces for underscores
    ("03+numpy+essentials.ipynb", (NB03, 0)),              # Canvas's URL-encoded file names
    ("03%20numpy%20essentials-1.ipynb", (NB03, 1)),
    ("01_Derivatives_And_Gradients.IPYNB", (NB01, 0)),
    ("02-matrix-operations.ipynb", (NB02, 0)),
    ("02_matrix_operations.py", (None, 0)),
    ("02_matrix_operations_v2.ipynb", (None, 0)),
    ("homework.ipynb", (None, 0)),
    ("checks.py", (None, 0)),
])
def test_uploaded_file_names_map_back_to_the_spec_notebooks(uploaded, expected):
    assert notebook_for(uploaded) == expected


def test_canvas_name_is_the_sortable_name_without_punctuation_lowercased():
    # ContentZipper: sortable_name "Last, First", then gsub(/[^[[:word:]]]/, '').downcase
    assert canvas_name("Zoë", "O'Brien, Jr.") == "obrienjrzoë"
    assert canvas_name("Bảo", "Nguyễn") == "nguyễnbảo"
    assert canvas_name("Jane", "Doe-Smith") == "doesmithjane"


@pytest.mark.parametrize("parts, expected", [
    (("doejane_123_456_02_matrix_operations.ipynb",),
     dict(name="doejane", late=None, lms_user_id="123", order="456", filename="02_matrix_operations.ipynb")),
    (("doejane_late_123_456_a_1_2_b.ipynb",),          # the uploaded name may look like ids itself
     dict(name="doejane", late="late", lms_user_id="123", order="456", filename="a_1_2_b.ipynb")),
    (("o'brien, zoë_LATE_7_8_x.ipynb",), dict(name="o'brien, zoë", late="LATE", lms_user_id="7", order="8")),
    (("smith2john_10_11_x.ipynb",), dict(name="smith2john", lms_user_id="10", order="11")),
    (("late_123_456_02.ipynb",), dict(name=None, late="late", lms_user_id="123")),  # anonymous grading
    (("123_456_02_matrix_operations.ipynb",),
     dict(name=None, lms_user_id="123", filename="02_matrix_operations.ipynb")),
    (("subs", "doejane_123_456_work", "02_matrix_operations.ipynb"),  # a zip the student uploaded, extracted
     dict(lms_user_id="123", filename="02_matrix_operations.ipynb")),
    (("subs", "readme.txt"), None),
])
def test_canvas_download_names(parts, expected):
    info = lms.CanvasCollector().identify(parts)
    assert (info is None) == (expected is None)
    for key, value in (expected or {}).items():
        assert info[key] == value, (key, info)


@pytest.mark.parametrize("parts, expected", [
    (("subs", "Jane Doe_123_assignsubmission_file", "02.ipynb"), dict(name="Jane Doe", lms_user_id="123")),
    (("subs", "O'Brien, Zoë_7_assignsubmission_file_02_x.ipynb"),   # flat variant
     dict(name="O'Brien, Zoë", lms_user_id="7", filename="02_x.ipynb")),
    (("subs", "Jane Doe_123__assignsubmission_file_", "02.ipynb"), dict(lms_user_id="123", filename="02.ipynb")),
    (("subs", "Participant_55_assignsubmission_file", "02.ipynb"), dict(name="Participant", lms_user_id="55")),
    (("subs", "Jane Doe_123_assignsubmission_onlinetext", "onlinetext.html"),
     dict(lms_user_id="123", filename="onlinetext.html")),
    (("subs", "Jane Doe", "02.ipynb"), None),
])
def test_moodle_download_names(parts, expected):
    info = lms.MoodleCollector().identify(parts)
    assert (info is None) == (expected is None)
    for key, value in (expected or {}).items():
        assert info[key] == value, (key, info)


@pytest.mark.parametrize("when, text", [
    (datetime.datetime(2026, 11, 25, 10, 0), "Wednesday, 25 November 2026, 10:00 AM"),
    (datetime.datetime(2026, 11, 5, 9, 5), "Thursday, 5 November 2026, 9:05 AM"),   # no leading zeros
    (datetime.datetime(2027, 1, 3, 0, 30), "Sunday, 3 January 2027, 12:30 AM"),
    (datetime.datetime(2027, 6, 14, 12, 0), "Monday, 14 June 2027, 12:00 PM"),
    (datetime.datetime(2027, 6, 14, 23, 59), "Monday, 14 June 2027, 11:59 PM"),
])
def test_moodle_time_is_userdate_strftimedaydatetime(when, text):
    assert moodle_time(when) == text
    assert datetime.datetime.strptime(text, "%A, %d %B %Y, %I:%M %p") == when


def write_text(path, text, encoding="utf-8"):
    path.write_text(text, encoding=encoding)
    return path


def test_roster_reads_extra_columns_whitespace_and_excel_bom(tmp_path):
    text = ("student_id, lms_user_id,first_name,last_name,email,canvas_section,notes\n"
            "zoe , 1002,Zoë,\"O'Brien, Jr.\",z@x.org,Lab A,anything\n")
    path = write_text(tmp_path / "r.csv", text, encoding="utf-8-sig")
    (zoe,) = read_roster(path).students
    assert zoe == Student("zoe", "1002", "Zoë", "O'Brien, Jr.", "z@x.org", canvas_section="Lab A")


@pytest.mark.parametrize("text, problem", [
    ("student_id,lms_user_id,first_name,last_name\n", "lacks the column.*email"),
    ("student_id,lms_user_id,first_name,last_name,email\na,1,A,B,a@x\nb,1,B,C,b@x\n", "lms_user_id repeated: 1"),
    ("student_id,lms_user_id,first_name,last_name,email\na,1,A,B,a@x\na,2,A,B,a@x\n", "student_id repeated: a"),
    ("student_id,lms_user_id,first_name,last_name,email\na,,A,B,a@x\n", "line 2: student_id and lms_user_id"),
    ("student_id,lms_user_id,first_name,last_name,email\n../a,1,A,B,a@x\n", "cannot be a folder name"),
])
def test_roster_refuses_what_would_misfile_submissions(tmp_path, text, problem):
    with pytest.raises(RosterError, match=problem):
        read_roster(write_text(tmp_path / "r.csv", text))


# ---------------------------------------------------------------------------- nbgrader zip_collect

def notebook(marker):
    """A small notebook whose only cell says which upload it is."""
    return nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(marker)])).encode()


def marker(path):
    return nbformat.read(str(path), as_version=4).cells[0].source


IMPORT_ROSTER = [
    Student("ana", "1001", "Ana", "Lopez", "ana@example.edu"),
    Student("zoe", "1002", "Zoë", "O'Brien", "zoe@example.edu"),
    Student("max", "1003", "Max", "Müller", "max@example.edu"),
    Student("nobody", "1004", "No", "Body", "nobody@example.edu"),
    Student("sam", "1005", "Sam", "Lee", "sam@example.edu"),
]


def course_with_download(tmp_path, download, members, roster=IMPORT_ROSTER):
    """A course directory with the config, the release, a roster and one LMS download to collect."""
    course = tmp_path / "course"
    (course / "release").mkdir(parents=True)
    shutil.copy(REPO / "nbgrader_config.py", course)
    shutil.copytree(REPO / "release" / ASSIGNMENT, course / "release" / ASSIGNMENT)
    lms.write_roster(course / "roster.csv", roster)
    archive = course / "downloaded" / ASSIGNMENT / "archive"
    archive.mkdir(parents=True)
    lms.write_zip(archive / download, members)
    return course


def zip_collect(course, collector, *extra):
    run = nbgrader("zip_collect", ASSIGNMENT, f"--ZipCollectApp.collector_plugin=coursekit.lms.{collector}",
                   *extra, cwd=course)
    with open(course / "downloaded" / ASSIGNMENT / "collect_report.csv", newline="", encoding="utf-8") as fh:
        report = list(csv.DictReader(fh))
    return run.stdout + run.stderr, report


def collected(course):
    """student -> {notebook file: its marker} for everything in submitted/."""
    submitted = course / "submitted"
    return {student.name: {p.name: marker(p) if p.suffix == ".ipynb" else p.read_text()
                           for p in (student / ASSIGNMENT).iterdir()}
            for student in submitted.iterdir()}


def by_file(report):
    return {row["file"].split("/", 1)[1]: row for row in report if row["file"]}


def absences(report):
    return sorted((row["student_id"], row["notebook"], row["status"]) for row in report if not row["file"])


def test_canvas_download_is_collected_and_everything_else_reported(tmp_path):
    course = course_with_download(tmp_path, "submissions.zip", {
        "lopezana_1001_5001_01_derivatives_and_gradients.ipynb": notebook("ana 01"),
        "lopezana_1001_5002_02_matrix_operations-1.ipynb": notebook("ana 02"),
        "lopezana_1001_5003_03 numpy essentials.ipynb": notebook("ana 03"),
        "o'brien, zoë_LATE_1002_5004_01_derivatives_and_gradients.ipynb": notebook("zoe 01"),
        "o'brien, zoë_late_1002_5005_02_matrix_operations.ipynb": notebook("zoe 02"),
        # two uploads of one notebook: the later (higher attachment id) wins over a higher "-2"
        "müllermax_1003_5006_02_matrix_operations-2.ipynb": notebook("max 02 older"),
        "müllermax_1003_5010_02_matrix_operations.ipynb": notebook("max 02 newer"),
        "müllermax_1003_5007_notes.txt": b"my notes",
        "müllermax_1003_5008_homework.ipynb": notebook("max homework"),
        "smithjoe_2999_5009_01_derivatives_and_gradients.ipynb": notebook("joe 01"),
        "doejane_1005_5011_01_derivatives_and_gradients.ipynb": notebook("sam 01"),
        "readme.txt": b"downloaded from Canvas",
    })
    log, report = zip_collect(course, "CanvasCollector")

    assert collected(course) == {
        "ana": {f"{NB01}.ipynb": "ana 01", f"{NB02}.ipynb": "ana 02", f"{NB03}.ipynb": "ana 03"},
        "zoe": {f"{NB01}.ipynb": "zoe 01", f"{NB02}.ipynb": "zoe 02"},
        "max": {f"{NB02}.ipynb": "max 02 newer"},
        "sam": {f"{NB01}.ipynb": "sam 01"},
    }
    # Canvas gives no submission time (the zip's entry times are the download's): nbgrader gets none
    assert not list((course / "submitted").rglob("timestamp.txt"))

    rows = by_file(report)
    status = {name: row["status"] for name, row in rows.items()}
    assert status == {
        "lopezana_1001_5001_01_derivatives_and_gradients.ipynb": "collected",
        "lopezana_1001_5002_02_matrix_operations-1.ipynb": "collected",
        "lopezana_1001_5003_03 numpy essentials.ipynb": "collected",
        "o'brien, zoë_LATE_1002_5004_01_derivatives_and_gradients.ipynb": "collected",
        "o'brien, zoë_late_1002_5005_02_matrix_operations.ipynb": "collected",
        "müllermax_1003_5006_02_matrix_operations-2.ipynb": "superseded",
        "müllermax_1003_5010_02_matrix_operations.ipynb": "collected",
        "müllermax_1003_5007_notes.txt": "not a notebook of the assignment",
        "müllermax_1003_5008_homework.ipynb": "not a notebook of the assignment",
        "smithjoe_2999_5009_01_derivatives_and_gradients.ipynb": "unknown student",
        "doejane_1005_5011_01_derivatives_and_gradients.ipynb": "collected",
        "readme.txt": "not an LMS file name",
    }
    assert {name for name, row in rows.items() if row["late"] == "yes"} == {
        "o'brien, zoë_LATE_1002_5004_01_derivatives_and_gradients.ipynb",
        "o'brien, zoë_late_1002_5005_02_matrix_operations.ipynb"}
    assert rows["smithjoe_2999_5009_01_derivatives_and_gradients.ipynb"]["lms_user_id"] == "2999"
    assert absences(report) == [("max", NB01, "missing notebook"), ("max", NB03, "missing notebook"),
                                ("nobody", "", "no submission"), ("sam", NB02, "missing notebook"),
                                ("sam", NB03, "missing notebook"), ("zoe", NB03, "missing notebook")]

    assert re.search(r"smithjoe_2999_\S+: unknown student \(Canvas id 2999 is not in the roster", log), log
    assert "müllermax_1003_5007_notes.txt: not a notebook of the assignment" in log, log
    assert re.search(r"doejane_1005\S+: collected for sam, but the download names 'doejane', the roster 'leesam'",
                     log), log
    assert "1 unknown student(s)" in log and "Late according to Canvas" in log and ": zoe" in log, log


def test_moodle_download_is_collected_and_everything_else_reported(tmp_path):
    course = course_with_download(tmp_path, "moodle.zip", {
        f"Ana Lopez_1001_assignsubmission_file/{NB01}.ipynb": notebook("ana 01"),
        "Ana Lopez_1001_assignsubmission_file/02 Matrix Operations.ipynb": notebook("ana 02"),
        f"O'Brien, Zoë_1002_assignsubmission_file_{NB03}.ipynb": notebook("zoe 03"),         # flat variant
        f"Max Müller_1003_assignsubmission_file/{NB03}.ipynb": notebook("max 03 first"),
        f"Max Müller_1003_assignsubmission_file/{NB03} (1).ipynb": notebook("max 03 again"),
        "Max Müller_1003_assignsubmission_onlinetext/onlinetext.html": b"<p>see my notebook</p>",
        f"Joe Smith_2999_assignsubmission_file/{NB01}.ipynb": notebook("joe 01"),
    })
    log, report = zip_collect(course, "MoodleCollector")

    assert collected(course) == {
        "ana": {f"{NB01}.ipynb": "ana 01", f"{NB02}.ipynb": "ana 02"},
        "zoe": {f"{NB03}.ipynb": "zoe 03"},
        "max": {f"{NB03}.ipynb": "max 03 again"},
    }
    status = {name: row["status"] for name, row in by_file(report).items()}
    assert status == {
        f"Ana Lopez_1001_assignsubmission_file/{NB01}.ipynb": "collected",
        "Ana Lopez_1001_assignsubmission_file/02 Matrix Operations.ipynb": "collected",
        f"O'Brien, Zoë_1002_assignsubmission_file_{NB03}.ipynb": "collected",
        f"Max Müller_1003_assignsubmission_file/{NB03}.ipynb": "superseded",
        f"Max Müller_1003_assignsubmission_file/{NB03} (1).ipynb": "collected",
        "Max Müller_1003_assignsubmission_onlinetext/onlinetext.html": "not a notebook of the assignment",
        f"Joe Smith_2999_assignsubmission_file/{NB01}.ipynb": "unknown student",
    }
    assert not any(row["late"] for row in report)  # Moodle's download has no late flag
    assert ("nobody", "", "no submission") in absences(report) and ("sam", "", "no submission") in absences(report)
    assert "unknown student (Moodle id 2999 is not in the roster" in log, log
    assert "but the download names" not in log, log  # "O'Brien, Zoë" is the roster's Zoë O'Brien


def test_collect_stops_with_a_clear_message_without_a_roster(tmp_path):
    course = course_with_download(tmp_path, "submissions.zip", {"doejane_1_2_x.ipynb": notebook("x")})
    run = nbgrader("zip_collect", ASSIGNMENT, "--collector=coursekit.lms.CanvasCollector",
                   "--LmsRoster.path=nowhere.csv", cwd=course, check=False)
    assert run.returncode != 0
    assert "no roster at" in run.stdout + run.stderr and "nowhere.csv" in run.stdout + run.stderr
    assert not (course / "submitted").exists()


def test_example_downloads_are_up_to_date(tmp_path):
    fresh = lms.make_examples(tmp_path)
    hint = "examples/lms/ is stale: run `python -m coursekit.lms make-examples`"
    assert (fresh / "roster.csv").read_bytes() == (lms.EXAMPLES_DIR / "roster.csv").read_bytes(), hint
    for name in ("canvas_submissions.zip", "moodle_submissions.zip"):
        entries = [[(i.filename, i.date_time, z.read(i)) for i in z.infolist()]
                   for z in (zipfile.ZipFile(fresh / name), zipfile.ZipFile(lms.EXAMPLES_DIR / name))]
        assert entries[0] == entries[1], hint


@pytest.mark.parametrize("collector, download", [("CanvasCollector", "canvas_submissions.zip"),
                                                  ("MoodleCollector", "moodle_submissions.zip")])
def test_example_downloads_collect_into_the_example_submissions(tmp_path, collector, download):
    course = course_with_download(tmp_path, download, {})
    shutil.copy(lms.EXAMPLES_DIR / download, course / "downloaded" / ASSIGNMENT / "archive" / download)
    log, report = zip_collect(course, collector, f"--LmsRoster.path={lms.EXAMPLES_DIR / 'roster.csv'}")
    for student in examples.STUDENTS:
        folder = course / "submitted" / student / ASSIGNMENT
        assert sorted(p.name for p in folder.iterdir()) == [f"{nb}.ipynb" for nb in NOTEBOOKS]
        for nb in NOTEBOOKS:
            assert (folder / f"{nb}.ipynb").read_bytes() == \
                (examples.EXAMPLES / student / ASSIGNMENT / f"{nb}.ipynb").read_bytes(), (student, nb)
    not_collected = {row["file"].rsplit("/", 1)[-1]: row["status"]
                     for row in report if row["status"] != "collected"}
    late = {row["student_id"] for row in report if row["late"]}
    if collector == "CanvasCollector":
        assert not_collected == {"okaforchidi_48240_731010_checks.py": "not a notebook of the assignment"}
        assert late == {"bao"}
    else:
        assert not_collected == {} and late == set()


# ---------------------------------------------------------------------------- nbgrader export

EXPORT_ROSTER = [
    *lms.EXAMPLE_ROSTER,
    # in the roster, not in any submission: a name that needs CSV quoting
    Student("zed", "1002", 'Zoë "Zed"', "O'Brien, Jr.", "zed@example.edu", "S1002", "zobrien", "Lab B, room 2"),
]


@pytest.fixture(scope="module")
def exported(graded_examples, tmp_path_factory):
    """The graded example course's gradebook with the roster loaded, exported by each exporter."""
    course = tmp_path_factory.mktemp("lms_export")
    shutil.copy(graded_examples / "gradebook.db", course)
    shutil.copy(REPO / "nbgrader_config.py", course)
    lms.write_roster(course / "roster.csv", EXPORT_ROSTER)
    loaded = subprocess.run([sys.executable, "-m", "coursekit.lms", "roster", "roster.csv"], cwd=course,
                            env=environment(), capture_output=True, text=True)
    assert loaded.returncode == 0, loaded.stderr
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        gb.update_or_create_student("ghost", first_name="Gus", last_name="Host")  # no LMS id
    runs = {
        "canvas": ["--exporter=coursekit.lms.CanvasExport", "--to=canvas.csv",
                   "--CanvasExport.assignment_ids=math_numpy=12345",
                   "--CanvasExport.assignment_names=math_numpy=Math and NumPy lab"],
        "canvas_defaults": ["--exporter=coursekit.lms.CanvasExport", "--to=canvas_defaults.csv",
                            "--LmsExport.missing_as_zero=True"],
        "moodle": ["--exporter=coursekit.lms.MoodleExport", "--to=moodle.csv"],
        "exercises": ["--exporter=coursekit.lms.ExerciseExport", "--to=exercises.csv"],
    }
    started = datetime.datetime.now()
    logs = {}
    for name, args in runs.items():
        run = nbgrader("export", *args, cwd=course)
        logs[name] = run.stdout + run.stderr
    return dict(course=course, logs=logs, started=started, finished=datetime.datetime.now(),
                loaded=loaded.stdout)


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def gradebook_scores(course):
    """student -> (score, {notebook: (score, max_score)}, max_score), straight from the gradebook."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        out = {}
        for student in examples.STUDENTS:
            sub = gb.find_submission(ASSIGNMENT, student)
            out[student] = (sub.score, {nb.name: (nb.score, nb.max_score) for nb in sub.notebooks}, sub.max_score)
        return out


def test_roster_loads_names_emails_and_lms_ids_into_the_gradebook(exported):
    assert "4 student(s) from roster.csv created or updated" in exported["loaded"]
    with Gradebook(f"sqlite:///{exported['course'] / 'gradebook.db'}") as gb:
        zed, bao = gb.find_student("zed"), gb.find_student("bao")
        assert (zed.first_name, zed.last_name, zed.email, zed.lms_user_id) == \
            ('Zoë "Zed"', "O'Brien, Jr.", "zed@example.edu", "1002")
        assert (bao.first_name, bao.last_name, bao.lms_user_id) == ("Bảo", "Nguyễn", "48227")
        assert gb.find_submission(ASSIGNMENT, "bao").score == 76  # grades untouched


def test_canvas_export_follows_canvas_gradebook_import_rules(exported):
    rows = read_csv(exported["course"] / "canvas.csv")
    header, points_possible, students = rows[0], rows[1], rows[2:]
    assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Math and NumPy lab (12345)"]
    # GradebookImporter: title_and_id reads "Title (id)"; a row whose first cell holds "Points Possible"
    # gives the points; the last identity column must say Section
    assert re.fullmatch(r"(.*)\s+\((\d+)\)", header[5]).groups() == ("Math and NumPy lab", "12345")
    assert "Points Possible" in points_possible[0] and points_possible[1:] == ["", "", "", "", "172"]
    scores = gradebook_scores(exported["course"])
    assert {row[1]: row for row in students} == {
        "48213": ["O'Neil, Alice", "48213", "S48213", "aoneil", "Lab A", "172"],
        "48227": ["Nguyễn, Bảo", "48227", "S48227", "bnguyen", "Lab B", "76"],
        "48240": ["Okafor, Chidi", "48240", "S48240", "cokafor", "Lab A", "0"],
        "1002": ["O'Brien, Jr., Zoë \"Zed\"", "1002", "S1002", "zobrien", "Lab B, room 2", ""],  # no submission
    }
    assert [float(scores[s][0]) for s in ("alice", "bao", "chidi")] == [172, 76, 0]
    text = (exported["course"] / "canvas.csv").read_bytes().decode("utf-8")  # keep the CRLFs
    assert '"O\'Brien, Jr., Zoë ""Zed""",1002,S1002,zobrien,"Lab B, room 2",\r\n' in text
    assert "ghost" not in text and "Host" not in text
    assert "Student ghost has no LMS id" in exported["logs"]["canvas"]


def test_canvas_export_without_an_assignment_id_warns_and_can_write_zeros(exported):
    rows = read_csv(exported["course"] / "canvas_defaults.csv")
    assert rows[0][5] == ASSIGNMENT
    assert re.search(r"No Canvas assignment id for math_numpy.*assignment_ids",
                     exported["logs"]["canvas_defaults"])
    assert {row[1]: row[5] for row in rows[2:]}["1002"] == "0"  # missing_as_zero


def test_moodle_export_follows_moodle_grading_worksheet_rules(exported):
    rows = read_csv(exported["course"] / "moodle.csv")
    assert rows[0] == ["Identifier", "Full name", "Email address", "Grade", "Maximum Grade",
                       "Last modified (grade)", "Feedback comments"]
    students = {row[0][len("Participant "):]: row for row in rows[1:]}  # how assignfeedback_offline reads it
    assert all(row[0].startswith("Participant ") for row in rows[1:])
    assert sorted(students) == ["1002", "48213", "48227", "48240"]
    assert students["48213"][1:5] == ["Alice O'Neil", "alice.oneil@example.edu", "172.00", "172.00"]
    assert students["48227"][1:4] == ["Bảo Nguyễn", "bao.nguyen@student.example.edu", "76.00"]  # moodle_email
    assert students["48240"][3] == "0.00"
    assert students["1002"][1:5] == ['Zoë "Zed" O\'Brien, Jr.', "zed@example.edu", "", "172.00"]
    assert students["1002"][6] == ""
    earliest = exported["started"].replace(second=0, microsecond=0)
    for row in rows[1:]:
        assert earliest <= datetime.datetime.strptime(row[5], "%A, %d %B %Y, %I:%M %p") <= exported["finished"]
    scores = gradebook_scores(exported["course"])
    for lms_id, student in (("48213", "alice"), ("48227", "bao"), ("48240", "chidi")):
        per_notebook = scores[student][1]
        assert students[lms_id][6] == "Autograded. " + "; ".join(
            f"{nb}: {per_notebook[nb][0]:g}/{per_notebook[nb][1]:g}" for nb in NOTEBOOKS) + "."
    text = (exported["course"] / "moodle.csv").read_bytes().decode("utf-8")
    assert "Participant 1002,\"Zoë \"\"Zed\"\" O'Brien, Jr.\",zed@example.edu,,172.00," in text


def test_exercise_export_adds_up_to_the_gradebook(exported):
    rows = read_csv(exported["course"] / "exercises.csv")
    exercises = [name for nb in NOTEBOOKS for name in EXERCISES[nb]]
    assert rows[0] == ["student_id", "last_name", "first_name", *exercises, "score", "max_score"]
    assert len(set(rows[0])) == len(rows[0])  # an exercise is called "total": no clash
    table = {row[0]: dict(zip(rows[0], row)) for row in rows[1:]}
    assert set(table) == {"alice", "bao", "chidi", "zed", "ghost"}
    for student, (score, per_notebook, top) in gradebook_scores(exported["course"]).items():
        row = table[student]
        for nb in NOTEBOOKS:
            assert sum(float(row[name]) for name in EXERCISES[nb]) == per_notebook[nb][0], (student, nb)
        assert float(row["score"]) == score and float(row["max_score"]) == top == 172
    assert all(float(table["alice"][name]) > 0 for name in exercises)
    assert all(float(table["chidi"][name]) == 0 for name in exercises)
    assert 0 < sum(float(table["bao"][name]) > 0 for name in exercises) < len(exercises)
    assert [table["zed"][name] for name in [*exercises, "score"]] == [""] * (len(exercises) + 1)
    assert table["zed"]["last_name"] == "O'Brien, Jr." and table["zed"]["max_score"] == "172"
