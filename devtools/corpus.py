"""Grade the corpus of right and wrong submissions with real `nbgrader autograde`.

A corpus file (tests/corpus/answers/<notebook>.py) lists solution-cell contents, one section each:

    # %% softmax | mistake | no max subtraction: overflows
    # expect: finite
    def softmax(z): ...

`correct` sections must earn full marks; `mistake` sections must lose points in their own
exercise and nowhere else, and the optional `# expect:` text must appear in that exercise's
failure output (the message a student would read).

Submissions are built from the freshly generated release, with the instructor's solution in
every other cell.  The correct variants are packed, one per exercise per student, because a right
answer cannot cost another exercise points unless the tests leak into each other, which full marks
disprove.  Mistakes are packed too, a few per student (half the notebook's exercises at most, so
that at least half the exercises still hold the instructor's solution and "nowhere else" is checked
against them), and only mistakes that cannot reach each other: different exercises, code that
parses, no name one defines that another mentions, no `global` and no assignment to an attribute
(a module's function replaced).  Each kernel start costs seconds; packing grades the corpus in
about a quarter of the notebooks.  Packing never decides a verdict: a packed notebook that did not
grade normally, or any packed mistake whose verdict fails, is graded again with each of its
mistakes alone (a second batch), and the lone grading is the one judged.
The batch is graded as `coursekit-grade` grades by default (coursekit.grading.batch.parallel: sandbox,
limits, one worker process per core); that it gives the grades of serial `nbgrader autograde` is
shown by tests/batch/test_parallel.py and, for every attack, tests/batch/test_adversarial.py.

Non-answers are generated, not written: for each notebook and each kind in NON_ANSWERS, one
student answers every exercise of that notebook with that non-answer (return None, the first
argument, 0, a copy of the input, always raise ValueError, always raise NotImplementedError; for
the two dicts: keys mapped to themselves, to "0", to None, an empty dict).  Every exercise must
score 0: no points without the main job.

A mistake may also say what a student sees in Jupyter, before any grading:

    # %% total | mistake | Python's sum twice: fine for 2-D, not for 3-D
    # expect: built-in sum adds along the first axis
    # visible: built-in sum adds along the first axis
    def total(a): ...

`# absent:` names a text the exercise's messages must NOT contain (a wrong hint that once fired).
`# visible:` means a visible test cell of the exercise, run in the student's own kernel, must fail
with that text in its message (the release notebook run top to bottom in this process, as
`run_visible` does: the same checks.py, the same cells). And every `correct` answer must pass every
visible test cell of its exercise: a right answer never reads "failed" in Jupyter.

Run `python -m devtools.corpus` to grade the whole corpus and print the verdicts.
"""

import argparse
import ast
import contextlib
import dataclasses
import functools
import io
import linecache
import os
import re
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

from coursekit import notebooks
from coursekit.course import generate_release
from coursekit.grading.batch import parallel
from coursekit.redaction import Markers, reference_solutions
from coursekit.results import course_results
from coursekit.spec import ASSIGNMENT, EXERCISES
from coursekit.status import State

from .scratch import REPO, new_course

# Statuses of a notebook with no autograded copy to judge.
NOT_AUTOGRADED = tuple(state for state in State if not state.submitted)

CORPUS_DIR = REPO / "tests" / "corpus" / "answers"
HEADER = re.compile(r"^# %% (?P<exercise>\w+) \| (?P<kind>correct|mistake) \| (?P<label>.+)$")
EXPECT = "# expect:"
VISIBLE = "# visible:"
ABSENT = "# absent:"


@dataclasses.dataclass(frozen=True)
class Case:
    notebook: str
    exercise: str
    kind: str  # "correct" or "mistake"
    label: str
    code: str
    expect: str = ""
    line: int = 0
    visible: str = ""  # what a visible test cell says in Jupyter for this mistake ("": not required)
    absent: str = ""  # a text its messages must not contain

    @property
    def name(self):
        return f"{self.exercise}: {self.kind}: {self.label}"


def parse(path):
    """The cases of one corpus file (its stem names the notebook)."""
    notebook = Path(path).stem
    if notebook not in EXERCISES:
        raise ValueError(f"{path}: no notebook named {notebook} in the spec")
    cases, header, body, start = [], None, [], 0
    lines = Path(path).read_text(encoding="utf-8").splitlines()

    def flush():
        if header is None:
            return
        found = {EXPECT: "", VISIBLE: "", ABSENT: ""}
        while body and any(body[0].startswith(tag) for tag in found):
            line = body.pop(0)
            tag = next(tag for tag in found if line.startswith(tag))
            found[tag] = line[len(tag):].strip()
        expect, visible, absent = found[EXPECT], found[VISIBLE], found[ABSENT]
        code = "\n".join(body).strip("\n")
        if header["exercise"] not in EXERCISES[notebook]:
            raise ValueError(f"{path}:{start}: {header['exercise']} is not an exercise of {notebook}")
        if not code:
            raise ValueError(f"{path}:{start}: empty section")
        if (visible or absent) and header["kind"] != "mistake":
            raise ValueError(f"{path}:{start}: only a mistake has {VISIBLE} or {ABSENT}")
        cases.append(Case(notebook, header["exercise"], header["kind"], header["label"].strip(),
                          code, expect, start, visible, absent))

    for number, line in enumerate(lines, 1):
        if line.startswith("# %%"):
            flush()
            match = HEADER.match(line)
            if not match:
                raise ValueError(f"{path}:{number}: bad section header {line!r}")
            header, body, start = match.groupdict(), [], number
        elif header is not None:
            body.append(line)
    flush()
    return cases


def load(corpus_dir=CORPUS_DIR, notebook=None):
    paths = sorted(Path(corpus_dir).glob("*.py"))
    return [c for p in paths for c in parse(p) if notebook in (None, c.notebook)]


# ---------------------------------------------------------------- what a student sees in Jupyter

RELEASE = REPO / "release" / ASSIGNMENT
JUPYTER_CELLS = "/jupyter-in-process"  # where the cells "are", for inspect.getsource (checks.code_of)


def run_visible(notebook, answers=None, exercise=None, release=RELEASE, wrap=None, before_cell=None):
    """Run a release notebook in this process as a student's kernel runs it, top to bottom; the
    failures of its (visible) test cells: {grade_id: message, or None if the cell passed}.

    answers: grade_id -> code for the solution cells (the instructor's solution in every other one);
    exercise: stop after this exercise's last test cell and report only its cells;
    wrap: a function applied to the exercise's function before its test cells run (a recorder, a
          mutant: tests/course/test_visible_tests.py);
    before_cell: called with each cell's grade_id before the cell runs.
    Each cell is compiled under a file name of its own held by linecache, as IPython does, so
    checks that read a function's code (checks.code_of) work. Output is swallowed.
    """
    cells = _code_cells(notebook, release)
    if exercise is not None:
        cells = cells[:_last_test(cells, notebook, exercise) + 1]
    namespace = {"__name__": "__main__"}
    failures, wrapped = {}, False
    solutions = _solutions(notebook)
    sys.path.insert(0, str(release))
    try:
        for number, cell in cells:
            gid = notebooks.grade_id(cell)
            source = (answers or {}).get(gid, solutions[gid]) if notebooks.is_solution(cell) else cell.source
            testing = notebooks.is_test(cell)
            if testing and wrap is not None and not wrapped and exercise_of_cell(cell, notebook) == exercise:
                if exercise in namespace:
                    namespace[exercise] = wrap(namespace[exercise])
                wrapped = True
            if before_cell is not None:
                before_cell(gid)
            failure = _run_cell(source, f"{JUPYTER_CELLS}/{notebook}/{number}.py", namespace)
            if testing and (exercise is None or exercise_of_cell(cell, notebook) == exercise):
                failures[gid] = failure
    finally:
        sys.path.remove(str(release))
    return failures


def _code_cells(notebook, release):
    """[(number in the notebook, cell)] for the release notebook's code cells (never changed by a caller).

    run_visible runs a notebook about a thousand times in a test run: reading and validating its JSON
    each time was a fifth of that. Read once per version of the file."""
    path = Path(release) / f"{notebook}.ipynb"
    return _code_cells_of(str(path), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=16)
def _code_cells_of(path, _version):
    return [(number, cell) for number, cell in enumerate(notebooks.read(path).cells) if cell.cell_type == "code"]


@functools.lru_cache(maxsize=8192)
def _compiled(source, filename):
    """A cell's code object, compiled once (it is immutable: every run still gets a fresh namespace)."""
    return compile(source, filename, "exec")


def _last_test(cells, notebook, exercise):
    """The position in `cells` of the exercise's last test cell."""
    return max(i for i, (_, cell) in enumerate(cells)
               if notebooks.is_test(cell) and exercise_of_cell(cell, notebook) == exercise)


def _run_cell(source, filename, namespace):
    """Run one cell as Jupyter does; None if it passed, else the message the student reads."""
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), \
                warnings.catch_warnings():
            warnings.simplefilter("ignore")  # in Jupyter a warning is printed, and the cell goes on
            exec(_compiled(source, filename), namespace)  # noqa: S102 - the course's own cells
        return None
    except Exception as error:  # noqa: BLE001 - what the cell shows the student
        return str(error) if type(error).__name__ == "CheckFailed" else f"{type(error).__name__}: {error}"


def exercise_of_cell(cell, notebook):
    gid = notebooks.grade_id(cell) or ""
    return max((e for e in EXERCISES[notebook] if gid.startswith(e + "_") or gid == e), key=len, default=None)


_SOLUTIONS = {}


def _solutions(notebook):
    """grade_id -> the instructor's solution of every solution cell of a source notebook."""
    if notebook not in _SOLUTIONS:
        source = notebooks.read(REPO / "source" / ASSIGNMENT / f"{notebook}.ipynb")
        _SOLUTIONS[notebook] = reference_solutions(source, Markers.of_course(REPO))
    return _SOLUTIONS[notebook]


def visible_verdict(case):
    """(ok, explanation) for one case, as a student sees it in Jupyter (see the module docstring)."""
    failures = run_visible(case.notebook, {case.exercise: case.code}, case.exercise)
    failed = {gid: message for gid, message in failures.items() if message is not None}
    if case.kind == "correct":
        if failed:
            return False, f"a right answer fails a visible test in Jupyter: {failed}"
        return True, "passes every visible test"
    text = "\n".join(failed.values())
    if case.visible and not failed:
        return False, "passes every visible test in Jupyter (prints Passed), though it is wrong"
    if case.visible.lower() not in text.lower():
        return False, f"fails in Jupyter, but no message has {case.visible!r}:\n{text[-1500:]}"
    if case.absent and case.absent.lower() in text.lower():
        return False, f"fails in Jupyter, but a message still says {case.absent!r}:\n{text[-1500:]}"
    return True, "fails in Jupyter with the expected message" if case.visible else "no wrong hint in Jupyter"


# ---------------------------------------------------------------- non-answers

STUB = "raise NotImplementedError()"
# kind -> (body replacing the stub's `raise`, given the first parameter; value for each key of a dict answer)
NON_ANSWERS = {
    "returns None": (lambda first: "return None", lambda key: None),
    "returns its first argument": (lambda first: f"return {first}", lambda key: key),
    "returns 0": (lambda first: "return 0", lambda key: "0"),
    "returns a copy of the input": (lambda first: f"import copy\n    return copy.deepcopy({first})", lambda key: key),
    "always raises ValueError": (lambda first: 'raise ValueError("no answer")', None),  # dicts: {}
    "always raises NotImplementedError": (None, None),  # the untouched stub
}


def non_answer(kind, stub, reference):
    """The code of one non-answer for one exercise, from its release stub and reference solution."""
    body, value = NON_ANSWERS[kind]
    if body is None:
        return stub
    tree = ast.parse(reference)
    function = next((n for n in tree.body if isinstance(n, ast.FunctionDef)), None)
    if function is not None:
        return stub.replace(STUB, body(function.args.args[0].arg))
    assign = next(n for n in tree.body if isinstance(n, ast.Assign))
    keys = list(ast.literal_eval(assign.value))
    answers = {k: value(k) for k in keys} if value else {}
    return f"{assign.targets[0].id} = {answers!r}"


def non_answer_students(release, sources, notebooks_wanted):
    """student id -> {notebook: {exercise: code}}: one student per (notebook, non-answer kind)."""
    students = {}
    for nb in notebooks_wanted:
        stubs = reference_solutions(notebooks.read(release / f"{nb}.ipynb"))
        for i, kind in enumerate(NON_ANSWERS):
            students[f"none-{nb[:2]}-{i + 1}"] = {
                nb: {ex: non_answer(kind, stubs[ex], sources[nb][ex]) for ex in EXERCISES[nb]}}
    return students


def non_answer_kind(student):
    return list(NON_ANSWERS)[int(student.rsplit("-", 1)[1]) - 1]


def non_answer_verdicts(results):
    """(notebook, kind, exercise, score, max_score) for every exercise of every non-answer student."""
    rows = []
    for student, by_nb in sorted(results.items()):
        if not student.startswith("none-"):
            continue
        for nb, result in by_nb.items():
            for exercise, ex in result.exercises.items():
                rows.append((nb, non_answer_kind(student), exercise, ex.score, ex.max_score))
    return rows


# ---------------------------------------------------------------- building the students


def plan(cases, notebooks_wanted):
    """student id -> {notebook: {exercise: code}}, and case -> the student that carries it.

    Besides the corpus, two control students: `reference` (the instructor's solutions, must
    earn full marks) and `blank` (the untouched release, must earn nothing).
    """
    students = {"reference": {nb: {} for nb in notebooks_wanted},
                "blank": {nb: None for nb in notebooks_wanted}}
    carrier = {}
    for nb in notebooks_wanted:
        seen = {}  # exercise -> correct variants placed so far: the k-th goes to student k
        for case in (c for c in cases if c.notebook == nb and c.kind == "correct"):
            seen[case.exercise] = seen.get(case.exercise, 0) + 1
            student = f"ok-{nb[:2]}-{seen[case.exercise]}"
            students.setdefault(student, {nb: {}})[nb][case.exercise] = case.code
            carrier[case] = student
        mistakes = [c for c in cases if c.notebook == nb and c.kind == "mistake"]
        for i, pack in enumerate(packs(mistakes, pack_size(nb))):
            student = f"bad-{nb[:2]}-{i + 1:03d}"
            students[student] = {nb: {case.exercise: case.code for case in pack}}
            carrier.update(dict.fromkeys(pack, student))
    return students, carrier


def pack_size(nb):
    """At most this many mistakes of notebook `nb` share a student (the module's docstring says why)."""
    return max(1, len(EXERCISES[nb]) // 2)


def packs(mistakes, size):
    """The mistakes in groups of at most `size` that cannot reach each other (first fit, in order)."""
    groups = []
    for case in mistakes:
        reach = _reach(case.code)
        home = None if reach is None else next(
            (group for group in groups
             if len(group) < size and all(reach_ok(case.exercise, reach, other) for other in group)), None)
        if home is None:
            groups.append([(case, reach)])
        else:
            home.append((case, reach))
    return [[case for case, _ in group] for group in groups]


def reach_ok(exercise, reach, other):
    """May a mistake (its exercise, its _reach) share a notebook with `other`, a (case, reach) pair?"""
    other_case, other_reach = other
    if other_reach is None or other_case.exercise == exercise:
        return False
    (defines, mentions), (other_defines, other_mentions) = reach, other_reach
    return not (defines & other_mentions or other_defines & mentions)


def _reach(code):
    """(names the code binds at its top level, every name it mentions), or None if it may not share
    a notebook: it does not parse, declares `global`, or assigns to an attribute."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    mentions = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Global | ast.Nonlocal):
            return None
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store | ast.Del):
            return None
        if isinstance(node, ast.Name):
            mentions.add(node.id)
        elif isinstance(node, ast.Attribute):
            mentions.add(node.attr)
    defines = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defines.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            defines.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        else:
            defines.update(n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store))
    return defines, mentions


def write_submissions(course, students, release, sources):
    """Write submitted/<student>/math_numpy/<notebook>.ipynb for every planned student."""
    for student, answers_by_nb in students.items():
        for nb, answers in answers_by_nb.items():
            release_nb = notebooks.read(release / f"{nb}.ipynb")
            # The blank student submits the release untouched.
            filled = release_nb if answers is None else notebooks.filled_in(release_nb, {**sources[nb], **answers})
            notebooks.write(filled, Path(course) / "submitted" / student / ASSIGNMENT / f"{nb}.ipynb")


# ---------------------------------------------------------------- grading


def autograde_all(course, jobs, notebooks_wanted, force=True):
    """Grade every submission in `course` as `coursekit-grade --jobs N` does (the default path:
    sandbox, limits, nbgrader's Autograde in worker processes, one process recording), and raise
    if nbgrader did not finish a wanted notebook.  force=False grades only what is new."""
    outcome = parallel.autograde(course, force=force, jobs=jobs)
    failed = {key: why for key, why in outcome.items() if why is not None and key[1] in notebooks_wanted}
    if failed:
        raise RuntimeError(f"autograde did not finish {len(failed)} notebooks in {course}: {failed}")


def collect(course):
    """student -> notebook -> coursekit.results.NotebookResult, for every autograded notebook."""
    results = {}
    for student, result in course_results(course).items():
        graded = {nb: r for nb, r in result.notebooks.items() if r.status not in NOT_AUTOGRADED}
        if graded:
            results[student] = graded
    return results


def verdict(case, graded):
    """(ok, explanation) for one case, from the result of grade()."""
    student = graded["carrier"][case]
    found = graded["results"].get(student, {}).get(case.notebook)
    if found is None:
        return False, "no autograded notebook (autograde skipped it)"
    mine = found.exercises[case.exercise]
    score, top = mine.score, mine.max_score
    if case.kind == "correct":
        if score < top:
            failing = [c for c in mine.cells if c.score < c.max_score]
            return False, f"correct answer scored {score}/{top}; failing cells {[c.grade_id for c in failing]}:\n" + \
                "\n".join(c.output[-1500:] for c in failing)
        return True, f"full marks {score}/{top}"
    answered = graded["students"][student][case.notebook]  # the exercises this student answered wrongly
    others = {e.exercise: (e.score, e.max_score) for e in found.exercises.values()
              if e.exercise not in answered and e.score < e.max_score}
    if others:
        return False, f"mistake also cost points elsewhere: {others}"
    if score >= top:
        return False, f"mistake not caught: {score}/{top}"
    text = "\n".join(c.output for c in mine.cells)
    if case.expect and case.expect.lower() not in text.lower():
        return False, f"caught ({score}/{top}) but the message lacks {case.expect!r}:\n{text[-1500:]}"
    if case.absent and case.absent.lower() in text.lower():
        return False, f"caught ({score}/{top}) but the message still says {case.absent!r}:\n{text[-1500:]}"
    return True, f"caught: {score}/{top}"


def grade(cases, workdir, notebooks_wanted=None, jobs=None, repo=REPO):
    """Grade the cases (plus the reference and blank students) and return everything the tests need."""
    notebooks_wanted = notebooks_wanted or sorted({c.notebook for c in cases}) or list(EXERCISES)
    course = new_course(Path(workdir) / "course", repo)
    release = generate_release(course)
    markers = Markers.of_course(course)
    sources = {nb: reference_solutions(notebooks.read(course / "source" / ASSIGNMENT / f"{nb}.ipynb"),
                                                 markers)
               for nb in notebooks_wanted}
    students, carrier = plan(cases, notebooks_wanted)
    students.update(non_answer_students(release, sources, notebooks_wanted))
    write_submissions(course, students, release, sources)
    started = time.perf_counter()
    autograde_all(course, jobs or os.cpu_count() or 1, notebooks_wanted)
    graded = {"course": course, "release": release, "results": collect(course), "carrier": carrier,
              "students": students}
    alone = unpack_doubts(cases, graded)
    if alone:  # the second batch: only the new students (a run without --force grades what is new)
        write_submissions(course, alone, release, sources)
        autograde_all(course, jobs or os.cpu_count() or 1, notebooks_wanted, force=False)
        graded["results"] = collect(course)
    graded["seconds"] = time.perf_counter() - started
    graded["regraded alone"] = len(alone)
    return graded


def unpack_doubts(cases, graded):
    """Students for the mistakes to grade again alone: those of a packed notebook that did not
    grade normally or where any packed mistake failed its verdict.  Moves their carrier there."""
    alone = {}
    for student in sorted({graded["carrier"][c] for c in cases if c.kind == "mistake"}):
        packed = [c for c in cases if c.kind == "mistake" and graded["carrier"].get(c) == student]
        if len(packed) < 2:
            continue
        found = graded["results"].get(student, {}).get(packed[0].notebook)
        if found is not None and found.status == State.GRADED and all(verdict(c, graded)[0] for c in packed):
            continue
        for case in packed:
            lone = f"{student}-{case.exercise}"
            alone[lone] = {case.notebook: {case.exercise: case.code}}
            graded["carrier"][case] = lone
    graded["students"].update(alone)
    return alone


def summarise(cases, graded):
    """Rows of (notebook, correct ok, correct total, caught, mistakes) and the failures."""
    rows, failures = [], []
    for nb in sorted({c.notebook for c in cases}):
        mine = [c for c in cases if c.notebook == nb]
        tally = {"correct": [0, 0], "mistake": [0, 0]}
        for case in mine:
            ok, why = verdict(case, graded)
            tally[case.kind][0] += ok
            tally[case.kind][1] += 1
            if not ok:
                failures.append((case, why))
        rows.append((nb, *tally["correct"], *tally["mistake"]))
    return rows, failures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebook", help="grade only this notebook's corpus (file stem)")
    parser.add_argument("--jobs", type=int, default=None, help="grading processes (default: cores)")
    parser.add_argument("--keep", help="grade in this directory and keep it (default: a temp dir)")
    args = parser.parse_args(argv)

    cases = load(notebook=args.notebook)
    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="corpus-"))
    if args.keep and workdir.exists():
        shutil.rmtree(workdir)
    graded = grade(cases, workdir, [args.notebook] if args.notebook else None, args.jobs)
    rows, failures = summarise(cases, graded)
    for case, why in failures:
        print(f"FAIL {case.notebook}:{case.line} {case.name}\n     {why}\n")
    print(f"{'notebook':32} {'correct: full marks':>20} {'mistakes caught':>16} {'kill rate':>10}")
    killed = total_mistakes = false_fails = total_correct = 0
    for nb, ok, n_ok, caught, n_bad in rows:
        print(f"{nb:32} {ok:>12}/{n_ok:<7} {caught:>9}/{n_bad:<6} {caught / max(n_bad, 1):>10.0%}")
        killed, total_mistakes = killed + caught, total_mistakes + n_bad
        false_fails, total_correct = false_fails + (n_ok - ok), total_correct + n_ok
    print(f"kill rate {killed}/{total_mistakes} = {killed / max(total_mistakes, 1):.1%}; "
          f"false fails {false_fails}/{total_correct}; "
          f"{sum(len(v) for v in graded['students'].values())} notebooks autograded in "
          f"{graded['seconds']:.1f} s ({graded['regraded alone']} of them mistakes graded again alone)")
    jupyter = [(case, *visible_verdict(case)) for case in cases]
    for case, ok, why in jupyter:
        if not ok:
            print(f"FAIL in Jupyter {case.notebook}:{case.line} {case.name}\n     {why}\n")
    right = [ok for case, ok, _ in jupyter if case.kind == "correct"]
    shown = [ok for case, ok, _ in jupyter if case.kind == "mistake" and case.visible]
    print(f"in Jupyter: {sum(right)}/{len(right)} right answers pass every visible test; "
          f"{sum(shown)}/{len(shown)} mistakes with {VISIBLE!r} fail a visible test with that message")
    nonzero = [r for r in non_answer_verdicts(graded["results"]) if r[3] > 0]
    for nb, kind, exercise, score, top in nonzero:
        print(f"FAIL non-answer {nb} {exercise}: {kind} scored {score:g}/{top:g}")
    for nb in sorted({r[0] for r in non_answer_verdicts(graded["results"])}):
        mine = [r for r in non_answer_verdicts(graded["results"]) if r[0] == nb]
        print(f"non-answers {nb:32} {sum(r[3] == 0 for r in mine)}/{len(mine)} (exercise, kind) pairs at 0")
    for control, want in (("reference", "full"), ("blank", "zero")):
        for nb, result in graded["results"].get(control, {}).items():
            got, top = result.score, result.max_score
            print(f"control {control:9} {nb:32} {got:g}/{top:g} (want {want})")
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failures or nonzero or not all(ok for _, ok, _ in jupyter) else 0


if __name__ == "__main__":
    sys.exit(main())
