"""The instructor's report: per-exercise CSV and picture, consistent with nbgrader's gradebook.

Runs on a copy of the graded example course's gradebook: alice has every point, chidi none,
bao 78 of 181.
"""

import csv
import io
import shutil
import struct
import subprocess
import sys
import zlib
from collections import defaultdict

import pytest
from nbgrader.api import Gradebook
from PIL import Image

from coursekit import report
from coursekit.commands import report as report_command
from coursekit.course import environment
from coursekit.results import course_results
from coursekit.spec import ASSIGNMENT, EXERCISES, NOTEBOOKS, exercise_of
from tests.support.course_files import max_score

EXERCISE_COUNT = sum(len(names) for names in EXERCISES.values())


@pytest.fixture(scope="module")
def gradebook_copy(graded_examples, tmp_path_factory):
    """A course directory holding only a copy of the graded examples' gradebook."""
    gradebook_copy = tmp_path_factory.mktemp("report")
    shutil.copy(graded_examples / "gradebook.db", gradebook_copy / "gradebook.db")
    return gradebook_copy


@pytest.fixture(scope="module")
def written(gradebook_copy):
    return report.write_report(gradebook_copy, "reports")


@pytest.fixture(scope="module")
def points_by_exercise(gradebook_copy):
    """(student, notebook, exercise) -> points and (notebook, exercise) -> max, read cell by cell."""
    points, top = defaultdict(float), defaultdict(float)
    with Gradebook(f"sqlite:///{gradebook_copy / 'gradebook.db'}") as gb:
        for nb in gb.find_assignment(ASSIGNMENT).notebooks:
            for cell in nb.grade_cells:
                top[nb.name, exercise_of(cell.name, nb.name)] += cell.max_score
        for submission in gb.find_assignment(ASSIGNMENT).submissions:
            for nb in submission.notebooks:
                for grade in nb.grades:
                    points[submission.student.id, nb.name, exercise_of(grade.name, nb.name)] += grade.score
    return points, top


def csv_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def test_csv_follows_rfc_4180(written):
    """Header line, one record per line ending in CRLF, the same number of fields in every record."""
    data = written[0].read_bytes()
    text = data.decode("utf-8")
    assert not text.startswith("\ufeff"), "no byte-order mark"
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", ""), "records end in CRLF, no bare LF"
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == report.CSV_COLUMNS
    assert {len(row) for row in rows} == {len(report.CSV_COLUMNS)}


def test_csv_has_one_row_per_exercise_consistent_with_the_gradebook(written, points_by_exercise):
    points, top = points_by_exercise
    rows = csv_rows(written[0])[1:]
    assert len(rows) == EXERCISE_COUNT
    assert [(r[0], r[1]) for r in rows] == [(nb, name) for nb in NOTEBOOKS for name in EXERCISES[nb]]
    students = ["alice", "bao", "chidi"]
    for notebook, exercise, max_points, mean_points, full_marks_rate in rows:
        scores = [points[s, notebook, exercise] for s in students]
        assert float(max_points) == top[notebook, exercise] > 0
        assert float(mean_points) == pytest.approx(sum(scores) / 3, abs=1e-3)
        assert float(full_marks_rate) == pytest.approx(sum(s == top[notebook, exercise] for s in scores) / 3,
                                                       abs=1e-4)
    assert sum(float(r[2]) for r in rows) == sum(max_score(nb) for nb in NOTEBOOKS)


def test_the_example_students_come_out_as_expected(gradebook_copy):
    exercises, totals = report.class_results(course_results(gradebook_copy))
    assert all(e.scores["alice"] == e.max_points for e in exercises)
    assert all(e.scores["chidi"] == 0 for e in exercises)
    assert totals == pytest.approx({"alice": 100.0, "bao": 100 * 78 / 181, "chidi": 0.0})
    # bao has full marks on some exercises only: rates of 2/3 there, 1/3 elsewhere.
    assert {round(e.full_marks_rate, 4) for e in exercises} == {round(1 / 3, 4), round(2 / 3, 4)}


def png_chunks(data):
    """(type, body) of each chunk, after checking the signature and every CRC (PNG spec, 5.2-5.4)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "PNG signature"
    chunks, at = [], 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length:at + 12 + length])
        assert crc == zlib.crc32(kind + body), f"bad CRC in {kind}"
        chunks.append((kind, body))
        at += 12 + length
    return chunks


def test_picture_is_a_valid_png_of_a_readable_size(written):
    data = written[1].read_bytes()
    chunks = png_chunks(data)
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND" and any(k == b"IDAT" for k, _ in chunks)
    width, height = struct.unpack(">II", chunks[0][1][:8])
    assert 1000 <= width <= 3000 and 1000 <= height <= 3000, (width, height)
    with Image.open(written[1]) as image:
        image.verify()
    with Image.open(written[1]) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert len(colours) > 50, "a picture with bars and text, not a blank canvas"
    assert len(data) > 30_000


def test_command_line_writes_both_files(gradebook_copy, tmp_path):
    shutil.copy(gradebook_copy / "gradebook.db", tmp_path / "gradebook.db")
    result = subprocess.run([sys.executable, "-m", "coursekit.commands.report", "--out", "out"], cwd=tmp_path,
                            env=environment(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out"
    assert result.stdout.split() == [str(out / report.CSV_NAME), str(out / report.PNG_NAME)]
    assert len(csv_rows(tmp_path / "out" / report.CSV_NAME)) == EXERCISE_COUNT + 1


def test_command_line_outside_a_course_says_so_and_creates_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stopped:
        report_command.main([])
    assert stopped.value.code == 1 and "no gradebook.db" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == [], "opening a missing gradebook would have created one"
