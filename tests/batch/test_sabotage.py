"""The sabotage run: the attack table can fail. Its deny cases, graded with the defences off, succeed.

As edX's codejail-service proves its sandbox tests against an unconfined run, the attacks of
tests/batch/adversarial/cases.py that split grading or the sandbox deny (`Attack.denied_by`) are graded
once more with `LimitedExecute.split_tests = False` (the tests run in the student's kernel, as in
stock nbgrader) and `use_sandbox = False` (the kernel runs as the grader, unconfined). Each must then
break at least one of the promises tests/batch/test_adversarial.py checks for it (points it should not
earn, a secret it should not read, the network it should not reach): an attack that wins nothing
with its defence off proves nothing with it on.

Not deny cases of this kind: the attacks on the returned value or on the kernel's builtins and NumPy
(atk-always-equal, atk-dunder-tricks, atk-builtins-numpy) win nothing in any kernel, because
checks.py turns whatever comes back into plain values before comparing; the limits (time, memory,
output) are not turned off here. Left out because unconfined they would harm the machine that runs
the suite, not because they would not win: fork and memory bombs, killing every process, writing
outside the course. All of them are graded, sandboxed and split, in tests/batch/test_adversarial.py.
"""

import uuid

import pytest

from coursekit import notebooks
from coursekit.grading.batch.serial import autograde
from coursekit.redaction import reference_solutions
from coursekit.spec import ASSIGNMENT, NOTEBOOKS
from coursekit.submissions import statuses
from devtools.scratch import new_course
from tests.batch.adversarial import cases
from tests.batch.adversarial.cases import ATTACKS, NB
from tests.batch.adversarial.verdicts import Listener, broken_promises, cell_scores, solution_only_lines
from tests.support.released import released

DENY_CASES = [attack for attack in ATTACKS if attack.denied_by]
LIMITS = ["--LimitedExecute.timeout=4", "--LimitedExecute.notebook_timeout=15",
          "--LimitedExecute.max_output_bytes=500000"]
SABOTAGED = ["--LimitedExecute.use_sandbox=False", "--LimitedExecute.split_tests=False"]
ENV_SECRET = "MATH_NUMPY_TEST_SECRET"


@pytest.fixture(scope="module")
def sabotaged(tmp_path_factory):
    """The deny cases and two honest students (the reference solution, the blank release) in every
    notebook a deny case attacks, graded serially with the sandbox and split grading off."""
    listener = Listener()
    patch = pytest.MonkeyPatch()
    secret, env_secret = f"CANARY-{uuid.uuid4().hex}", f"ENVCANARY-{uuid.uuid4().hex}"
    patch.setenv(ENV_SECRET, env_secret)
    try:
        course = new_course(tmp_path_factory.mktemp("sabotage") / "course")
        release = released(course)
        rel = {nb: notebooks.read(release / f"{nb}.ipynb") for nb in NOTEBOOKS}
        solutions = {nb: reference_solutions(notebooks.read(course / "source" / ASSIGNMENT / f"{nb}.ipynb"))
                     for nb in NOTEBOOKS}
        for nb in {attack.notebook for attack in DENY_CASES} | {NB}:  # the honest pair where any case attacks
            honest = {"reference": notebooks.filled_in(rel[nb], solutions[nb]), "blank": rel[nb]}
            for student, node in honest.items():
                notebooks.write(node, course / "submitted" / student / ASSIGNMENT / f"{nb}.ipynb")
        ctx = cases.Context(rel, solutions, str(course), listener.port, uuid.uuid4().hex[:12])
        for attack in DENY_CASES:
            folder = course / "submitted" / attack.student / ASSIGNMENT
            folder.mkdir(parents=True)
            for name, data in attack.build(ctx).items():
                (folder / name).write_bytes(data)
        (course / "source" / "CANARY.txt").write_text(secret)
        (course / "CANARY.txt").write_text(secret)
        autograde(course, extra=LIMITS + SABOTAGED)
        yield {"course": course, "scores": cell_scores(course), "statuses": statuses(course),
               "secret": secret, "env_secret": env_secret, "solution_lines": solution_only_lines(course),
               "listener": listener}
    finally:
        listener.close()
        patch.undo()


def test_the_deny_cases_are_those_of_split_grading_and_the_sandbox():
    assert {a.denied_by for a in DENY_CASES} == {"split", "sandbox"}
    assert len(DENY_CASES) >= 15


@pytest.mark.parametrize("attack", DENY_CASES, ids=lambda a: a.student)
def test_with_its_defence_off_every_deny_case_wins_something(attack, sabotaged):
    """`pytest -s` prints what each case won with its defence off."""
    won = broken_promises(attack, sabotaged)
    print(f"{attack.student:24} {attack.denied_by:8} " + "; ".join(f"{k}: {v[0][:90]}" for k, v in won.items()))
    assert won, f"{attack.student} ({attack.denied_by}) won nothing unconfined"


def test_the_honest_students_grade_as_usual_unconfined(sabotaged):
    """The flips are the attacks' doing: unconfined, the reference still earns everything, the
    blank release nothing."""
    reference, blank = sabotaged["scores"]["reference"][NB], sabotaged["scores"]["blank"][NB]
    assert all(score == top > 0 for score, top in reference.values()), reference
    assert all(score == 0 for score, _ in blank.values()), blank
