"""nbgrader's own checks, and the grades of the corpus from one real `nbgrader autograde` batch."""

import filecmp
import shutil

import pytest

from coursekit import notebooks
from coursekit.course import nbgrader
from coursekit.spec import ASSIGNMENT, EXERCISES, NOTEBOOKS
from devtools import corpus
from devtools.scratch import REPO

CASES = corpus.load()


@pytest.mark.slow
def test_source_notebooks_pass_nbgrader_validate(tmp_path):
    course = tmp_path / "course"
    shutil.copytree(REPO / "source", course / "source")
    paths = [f"source/{ASSIGNMENT}/{nb}.ipynb" for nb in NOTEBOOKS]
    out = nbgrader("validate", *paths, cwd=course).stdout
    assert out.count("Success! Your notebook passes all the tests.") == len(NOTEBOOKS), out


@pytest.mark.slow
def test_release_fails_every_test_cell_nbgrader_validate_invert(tmp_path):
    """`nbgrader validate --invert`: every test cell, with its hidden part removed, fails on the stubs."""
    course = tmp_path / "course"
    shutil.copytree(REPO / "release", course / "release")
    paths = [f"release/{ASSIGNMENT}/{nb}.ipynb" for nb in NOTEBOOKS]
    out = nbgrader("validate", "--invert", *paths, cwd=course).stdout
    assert out.count("Success! The notebook does not pass any tests.") == len(NOTEBOOKS), out


def test_committed_release_matches_a_fresh_generate_assignment(graded):
    fresh, committed = graded["release"], REPO / "release" / ASSIGNMENT
    assert sorted(p.name for p in fresh.iterdir()) == sorted(p.name for p in committed.iterdir())
    for nb in NOTEBOOKS:
        new, old = notebooks.read(fresh / f"{nb}.ipynb"), notebooks.read(committed / f"{nb}.ipynb")
        assert [(c.cell_type, c.source, notebooks.meta(c)) for c in old.cells] == \
            [(c.cell_type, c.source, notebooks.meta(c)) for c in new.cells], \
            f"release/{ASSIGNMENT}/{nb}.ipynb is stale: run `nbgrader generate_assignment {ASSIGNMENT} --force`"
    for path in fresh.iterdir():
        if path.suffix != ".ipynb":
            assert filecmp.cmp(path, committed / path.name, shallow=False), f"{path.name} differs"


def scores(graded, student):
    return {nb: (result.score, result.max_score) for nb, result in graded["results"][student].items()}


def test_untouched_release_autogrades_to_zero(graded):
    got = scores(graded, "blank")
    assert set(got) == set(NOTEBOOKS)
    for nb, (score, top) in got.items():
        assert top > 0 and score == 0, f"{nb}: an untouched notebook scored {score}/{top}"


def test_instructor_solutions_earn_full_marks(graded):
    for nb, (score, top) in scores(graded, "reference").items():
        assert top > 0 and score == top, f"{nb}: the reference solution scored {score}/{top}"


def test_corpus_covers_every_exercise(cases):
    for nb, exercises in EXERCISES.items():
        for exercise in exercises:
            mine = [c for c in cases if c.notebook == nb and c.exercise == exercise]
            assert sum(c.kind == "correct" for c in mine) >= 1, f"{exercise}: no alternative correct answer"
            assert sum(c.kind == "mistake" for c in mine) >= 2, f"{exercise}: fewer than two typical mistakes"


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.notebook[:2]}-{c.exercise}-{c.kind}-{c.line}")
def test_corpus_case(case, graded):
    """Correct answers earn full marks; a mistake loses points in its own exercise only."""
    ok, why = corpus.verdict(case, graded)
    assert ok, f"{case.name} (tests/corpus/answers/{case.notebook}.py:{case.line}): {why}"


NON_ANSWER_PAIRS = [(nb, kind) for nb in NOTEBOOKS for kind in corpus.NON_ANSWERS]


@pytest.mark.parametrize("notebook, kind", NON_ANSWER_PAIRS, ids=lambda v: str(v)[:24])
def test_non_answers_score_zero_in_every_exercise(notebook, kind, graded):
    """No points without the main job: a function that does nothing useful earns 0 in every exercise."""
    rows = [r for r in corpus.non_answer_verdicts(graded["results"]) if r[0] == notebook and r[1] == kind]
    assert {r[2] for r in rows} == set(EXERCISES[notebook]), f"{notebook}: {kind} was not graded"
    paid = [(exercise, score) for _, _, exercise, score, _ in rows if score > 0]
    assert not paid, f"{notebook}: {kind} earned points in {paid}"


def test_packed_mistakes_cannot_reach_each_other_and_a_doubtful_pack_is_graded_alone():
    """The corpus packs a few mistakes per student (devtools/corpus.py says why); packing must never
    decide a verdict. No kernel here: the plan, then the regrade of a pack that was not graded."""
    students, carrier = corpus.plan(CASES, list(EXERCISES))
    mistakes = [c for c in CASES if c.kind == "mistake"]
    packed = {}
    for case in mistakes:
        packed.setdefault(carrier[case], []).append(case)
    for student, pack in packed.items():
        nb = pack[0].notebook
        assert len(pack) <= corpus.pack_size(nb) <= len(EXERCISES[nb]) // 2, student
        assert students[student] == {nb: {c.exercise: c.code for c in pack}}
        for i, case in enumerate(pack):
            for other in pack[i + 1:]:
                assert corpus.reach_ok(case.exercise, corpus._reach(case.code), (other, corpus._reach(other.code)))
    assert len(packed) < len(mistakes) / 2  # the point of packing
    syntax_error = next(c for c in mistakes if corpus._reach(c.code) is None)
    assert packed[carrier[syntax_error]] == [syntax_error]

    graded = {"carrier": dict(carrier), "students": dict(students), "results": {}}  # nothing was graded
    alone = corpus.unpack_doubts(CASES, graded)
    shared = [c for c in mistakes if len(packed[carrier[c]]) > 1]
    assert len(alone) == len(shared)
    for case in shared:
        lone = graded["carrier"][case]
        assert lone in alone and alone[lone] == {case.notebook: {case.exercise: case.code}}
    assert all(graded["carrier"][c] == carrier[c] for c in mistakes if c not in shared)
