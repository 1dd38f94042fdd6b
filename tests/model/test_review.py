"""A doubtful grade is withheld, everywhere (coursekit/review.py): marking in nbgrader's gradebook,
the rule for regrades and clearances, `coursekit-review`, and the exports outside coursekit.lms
(nbgrader's CSV, Gradescope's results.json, the score table, the class report).  The LMS files are
in tests/renderers/lms/test_export.py.  Gradebooks are built without grading (tests/support/gradebooks.py).
"""

import json
import shutil

import pytest
from nbgrader.api import Gradebook

from coursekit import report, results, review
from coursekit.commands import review as review_command
from coursekit.gradescope.results_json import WITHHELD_NOTE, exercise_results, results_json
from coursekit.grading.scan import Flag
from coursekit.spec import ASSIGNMENT, EXERCISES, NOTEBOOKS
from coursekit.status import Status
from coursekit.summary import table
from devtools.scratch import REPO
from tests.support import gradebooks

STUDENTS = [("alice", "Alice", "O'Neil", "1"), ("bao", "Bảo", "Nguyễn", "2"), ("eve", "Eve", "Absent", "3")]
SHARE = {"alice": 1.0, "bao": 0.5}  # eve: no submission
NB1, NB2, NB3 = NOTEBOOKS


def make_course(root, share=SHARE, students=STUDENTS):
    """A course directory: config, release, a gradebook with scores, the release as each submission."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "nbgrader_config.py", root)
    shutil.copytree(REPO / "release" / ASSIGNMENT, root / "release" / ASSIGNMENT)
    total = gradebooks.build(root / "gradebook.db", students, share)
    for student in share:
        shutil.copytree(REPO / "release" / ASSIGNMENT, root / "submitted" / student / ASSIGNMENT)
    return root, total


def graded(students=SHARE):
    return {s: [Status(nb, "graded") for nb in NOTEBOOKS] for s in students}


def flag(student_course, nb, rule="os-exit"):
    return Flag(rule, "tampers", notebook=str(student_course / f"{nb}.ipynb"))


def needs_manual_grade(course, student, nb):
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return [g.needs_manual_grade for g in gb.find_submission_notebook(nb, ASSIGNMENT, student).grades]


def withheld(course):
    return {(s, nb): reason for s, nb, _, reason in review.withheld(course)}


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return make_course(tmp_path_factory.mktemp("withhold") / "course")[0]


@pytest.fixture
def built_course(template, tmp_path):
    """A fresh copy of the template course (building a gradebook takes seconds, copying it does not)."""
    return shutil.copytree(template, tmp_path / "course")


def test_doubtful_notebooks_are_marked_in_nbgraders_gradebook_with_their_reason(built_course):
    statuses = graded()
    statuses["bao"][2] = Status(NB3, "timed out", "softmax_tests")
    folder = built_course / "submitted" / "alice" / ASSIGNMENT
    marked = review.mark(built_course, "submitted", statuses, {"alice": [flag(folder, NB2)]})
    assert marked == {("alice", NB2): "tamper scan: os-exit", ("bao", NB3): "timed out (softmax_tests)"}
    assert all(needs_manual_grade(built_course, "alice", NB2))
    assert not any(needs_manual_grade(built_course, "alice", NB1))
    assert withheld(built_course) == marked
    found = results.course_results(built_course)
    assert found["alice"].withheld == f"{NB2}: tamper scan: os-exit" and found["eve"].withheld == ""
    assert found["alice"].notebooks[NB2].withheld and not found["alice"].notebooks[NB1].withheld


def test_a_shipped_python_file_withholds_every_notebook_and_a_missing_one_is_withheld(built_course):
    statuses = graded()
    statuses["bao"][0] = Status(NB1, "missing")
    folder = built_course / "submitted" / "alice" / ASSIGNMENT
    shipped = Flag("extra-file", "ships numpy.py", notebook=str(folder / "numpy.py"))
    marked = review.mark(built_course, "submitted", statuses, {"alice": [shipped]})
    assert {k for k in marked if k[0] == "alice"} == {("alice", nb) for nb in NOTEBOOKS}
    assert marked[("bao", NB1)] == "missing"


def test_the_rule_for_regrades_and_clearances(built_course):
    folder = built_course / "submitted" / "alice" / ASSIGNMENT
    doubtful = {"alice": [flag(folder, NB2)]}
    review.mark(built_course, "submitted", graded(), doubtful)
    assert review.clear(built_course, "alice", by="prof") == [NB2]
    assert not any(needs_manual_grade(built_course, "alice", NB2)) and withheld(built_course) == {}
    assert review.read_ledger(built_course)[f"alice/{NB2}"]["cleared"]["by"] == "prof"

    # An unrelated regrade of the same file, doubtful for the same reason: the clearance holds.
    assert review.mark(built_course, "submitted", graded(), doubtful) == {}
    assert withheld(built_course) == {}
    # The same file, a new reason: withheld again.
    statuses = graded()
    statuses["alice"][1] = Status(NB2, "stopped", "memory limit")
    assert review.mark(built_course, "submitted", statuses, doubtful) == {
        ("alice", NB2): "stopped (memory limit); tamper scan: os-exit"}
    review.clear(built_course, "alice", NB2)
    # A new file (the student resubmitted), the same reason: withheld again.
    path = folder / f"{NB2}.ipynb"
    path.write_text(path.read_text() + "\n")
    assert ("alice", NB2) in review.mark(built_course, "submitted", statuses, doubtful)
    # No longer doubtful (a --force regrade of a clean submission): no longer withheld.
    assert review.mark(built_course, "submitted", graded(), {}) == {}
    assert withheld(built_course) == {} and review.read_ledger(built_course) == {}
    assert not any(needs_manual_grade(built_course, "alice", NB2))


def test_a_clearance_in_formgrader_holds_across_a_regrade(built_course):
    folder = built_course / "submitted" / "alice" / ASSIGNMENT
    doubtful = {"alice": [flag(folder, NB2)]}
    review.mark(built_course, "submitted", graded(), doubtful)
    with Gradebook(f"sqlite:///{built_course / 'gradebook.db'}") as gb:  # what formgrader does per cell
        for g in gb.find_submission_notebook(NB2, ASSIGNMENT, "alice").grades:
            g.manual_score, g.needs_manual_grade = g.max_score, False
        gb.db.commit()
    assert review.adopt_formgrader_clearances(built_course) == [f"alice/{NB2}"]  # coursekit-grade, before autograde
    with Gradebook(f"sqlite:///{built_course / 'gradebook.db'}") as gb:  # nbgrader's autograde: manual scores flagged
        for g in gb.find_submission_notebook(NB2, ASSIGNMENT, "alice").grades:
            g.needs_manual_grade = True
        gb.db.commit()
    assert review.mark(built_course, "submitted", graded(), doubtful) == {} and withheld(built_course) == {}
    assert review.read_ledger(built_course)[f"alice/{NB2}"]["cleared"]["by"] == "formgrader"


def test_coursekit_review_lists_and_clears(built_course, monkeypatch, capsys):
    folder = built_course / "submitted" / "bao" / ASSIGNMENT
    review.mark(built_course, "submitted", graded(), {"bao": [flag(folder, NB1, "monkeypatch-checks")]})
    monkeypatch.chdir(built_course)
    assert review_command.main([]) == 0
    listed = capsys.readouterr().out
    assert "Withheld for review (1 notebook(s))" in listed and f"bao  {NB1}  tamper scan: monkeypatch-checks" in listed
    assert review_command.main(["clear", "alice"]) == 1 and "Nothing of alice is withheld" in capsys.readouterr().out
    assert review_command.main(["clear", "bao", "--notebook", NB1]) == 0
    assert f"Cleared bao: {NB1}" in capsys.readouterr().out
    assert review_command.main([]) == 0 and "No grade is withheld for review." in capsys.readouterr().out




def test_gradescope_results_give_a_withheld_notebook_no_points_and_say_so(tmp_path):
    course, total = make_course(tmp_path / "grading", {"student": 1.0}, [("student", "", "", None)])
    folder = course / "submitted" / "student" / ASSIGNMENT
    review.mark(course, "submitted", graded({"student": 1.0}), {"student": [flag(folder, NB2)]})
    found = {nb: folder / f"{nb}.ipynb" for nb in NOTEBOOKS}
    out = results_json(exercise_results(course, found), found, [], [], [], 1.0, set())
    tests = {t["name"]: t for t in out["tests"]}
    assert len(tests) == sum(len(v) for v in EXERCISES.values())
    for nb in NOTEBOOKS:
        for ex in EXERCISES[nb]:
            test = tests[f"{nb[:2]} {ex}"]
            if nb == NB2:
                assert test["score"] == 0 and test["output"].startswith(WITHHELD_NOTE.format(notebook=nb))
            else:
                # (not withheld; "Not graded" only because this course has no autograded copies)
                assert test["score"] == test["max_score"] and "Withheld" not in test["output"]
    assert out["score"] == pytest.approx(total - sum(t["max_score"] for n, t in tests.items() if n[:2] == NB2[:2]))
    assert f"Withheld for review (no points until your instructor has looked): {NB2}.ipynb." in out["output"]
    json.dumps(out)


def test_score_table_marks_and_class_report_leaves_out_a_withheld_score():
    recorded = json.loads((REPO / "tests" / "recorded" / "examples" / "results.json").read_text("utf-8"))
    found = {s: results.StudentResult.from_dict(d) for s, d in recorded.items()}
    found["bao"].notebooks[NB2].withheld = "timed out (cell 3)"
    text = table(found)
    bao = next(line for line in text.splitlines() if line.startswith("bao"))
    assert bao.split()[2].endswith("*") and bao.split()[-1].endswith("*") and not bao.split()[1].endswith("*")
    assert "* withheld for review" in text
    alice = next(line for line in text.splitlines() if line.startswith("alice"))
    assert "*" not in alice
    _, totals = report.class_results(found)
    assert set(totals) == {"alice", "chidi"}


