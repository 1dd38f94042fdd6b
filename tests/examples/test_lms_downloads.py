"""examples/lms/: up to date with examples/submitted/, and collected back into it by nbgrader."""

import shutil
import zipfile

import pytest

from coursekit.spec import ASSIGNMENT, NOTEBOOKS
from devtools import examples, lms_downloads
from devtools.scratch import REPO
from tests.apps.test_zip_collect import zip_collect


def test_example_downloads_are_up_to_date(tmp_path):
    fresh = lms_downloads.make_examples(tmp_path)
    hint = "examples/lms/ is stale: run `python -m devtools.lms_downloads`"
    for name in ("roster.csv", f"moodle/{ASSIGNMENT}.csv"):
        assert (fresh / name).read_bytes() == (lms_downloads.EXAMPLES_DIR / name).read_bytes(), hint
    for name in ("canvas_submissions.zip", "moodle_submissions.zip"):
        entries = [[(i.filename, i.date_time, z.read(i)) for i in z.infolist()]
                   for z in (zipfile.ZipFile(fresh / name), zipfile.ZipFile(lms_downloads.EXAMPLES_DIR / name))]
        assert entries[0] == entries[1], hint


@pytest.mark.slow
@pytest.mark.parametrize("collector, download", [("CanvasCollector", "canvas_submissions.zip"),
                                                  ("MoodleCollector", "moodle_submissions.zip")])
def test_example_downloads_collect_into_the_example_submissions(tmp_path, collector, download):
    course = tmp_path / "course"
    shutil.copytree(REPO / "release" / ASSIGNMENT, course / "release" / ASSIGNMENT)
    shutil.copy(REPO / "nbgrader_config.py", course)
    archive = course / "downloaded" / ASSIGNMENT / "archive"
    archive.mkdir(parents=True)
    shutil.copy(lms_downloads.EXAMPLES_DIR / download, archive)
    log, report = zip_collect(course, collector, f"--LmsRoster.path={lms_downloads.EXAMPLES_DIR / 'roster.csv'}")
    for student in examples.STUDENTS:
        folder = course / "submitted" / student / ASSIGNMENT
        assert sorted(p.name for p in folder.iterdir()) == [f"{nb}.ipynb" for nb in NOTEBOOKS]
        for nb in NOTEBOOKS:
            assert (folder / f"{nb}.ipynb").read_bytes() == \
                (examples.EXAMPLES / student / ASSIGNMENT / f"{nb}.ipynb").read_bytes(), (student, nb)
    not_collected = {row["file"].rsplit("/", 1)[-1]: row["status"] for row in report if row["status"] != "collected"}
    late = {row["student_id"] for row in report if row["late"]}
    if collector == "CanvasCollector":
        assert not_collected == {"okaforchidi_48240_731010_checks.py": "not a notebook of the assignment"}
        assert late == {"bao"}
    else:
        assert not_collected == {} and late == set()
