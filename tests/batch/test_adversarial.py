"""Hostile and broken submissions lose nothing for anyone: one real, sandboxed autograde batch.

One scratch course holds honest students (the instructor's solutions, the untouched release, and
wrong answers) and one student per attack of tests/batch/adversarial/cases.py; it is graded once,
with small limits so the batch stays fast, the way `coursekit-grade` grades by default:
coursekit.grading.batch.parallel, two worker processes.  Meanwhile (2 cores): a second course with
the honest students and a sample of the attacks (SERIAL_ATTACKS: the broken files, the kernel's
deaths, the floods and replies aimed at the grading process, the edited notebook) is graded by
coursekit.grading.batch.serial (`--jobs 1`, nbgrader's own autograde): the honest grades must not
depend on who else was in the batch, and the sampled attacks must get the same grades and
statuses either way.  Then a small course is killed mid-batch and resumed, and nbgrader
generate_feedback runs on a copy of the graded course.  The tests then read statuses, per-cell
scores, outputs, feedback pages and the host's file system.  nbgrader's logs are kept in the
fixture's folder (logs/).

`pytest -s tests/batch/test_adversarial.py -k case_table` prints the case table (case, status, score,
secret leaked, batch completed).  Nothing hostile ever runs on the host: attack code is only text
inside notebooks, run by nbgrader in the bubblewrap sandbox (use_sandbox is forced on below).
"""

import concurrent.futures
import io
import os
import re
import shutil
import signal
import subprocess
import textwrap
import time
import uuid
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from coursekit import notebooks
from coursekit.commands.grade_steps import report
from coursekit.course import BIN, environment, nbgrader
from coursekit.grading.batch import parallel
from coursekit.grading.batch.serial import autograde
from coursekit.grading.kernel import sandbox
from coursekit.redaction import reference_solutions
from coursekit.results import course_results
from coursekit.spec import ASSIGNMENT, NOTEBOOKS, exercise_of
from coursekit.submissions import statuses
from devtools.scratch import new_course
from tests.batch.adversarial import cases
from tests.batch.adversarial.cases import ATTACKS, NB, NB_CALLBACK, WRONG
from tests.batch.adversarial.verdicts import (
    Listener,
    broken_promises,
    cell_scores,
    costs_of,
    exercise_totals,
    hidden_lines_seen,
    html_text,
    leaks,
    notebook_text,
    outputs_of,
    solution_only_lines,
    tree_hashes,
)
from tests.support.course_files import max_score
from tests.support.leftovers import wait_for_no_sandbox_processes
from tests.support.released import released

# Tighter than the defaults so the attacks end quickly.  The output cap stays well above what an
# honest notebook prints: a blank notebook's failure messages come to about 200 kB (03).
LIMITS = ["--LimitedExecute.use_sandbox=True", "--LimitedExecute.timeout=4",
          "--LimitedExecute.notebook_timeout=15", "--LimitedExecute.max_output_bytes=500000",
          "--LimitedExecute.memory_mb=1024", "--LimitedExecute.cpu_seconds=20"]
FILE_MB = 64  # LimitedExecute.file_mb, left at its default
MAX_NOTEBOOK_BYTES = 2_000_000
HONEST = ("reference", "blank", "wrong")
# Graded serially too: what reaches nbgrader's own autograde differently from a worker (a file that
# is no notebook, a kernel that dies, output and replies aimed at the grading process's memory, an
# edited notebook's structure).  Every attack is graded the default way, in parallel.
SERIAL_ATTACKS = ("atk-corrupt-json", "atk-binary", "atk-empty", "atk-wrong-name", "atk-missing-notebook",
                  "atk-os-exit", "atk-segfault", "atk-output-blob", "atk-huge-reply", "atk-iopub-flood",
                  "atk-delete-tests", "atk-setup-moved")
ENV_SECRET = "MATH_NUMPY_TEST_SECRET"


def write_honest(course, release, solutions):
    """reference: the instructor's solutions; blank: the release untouched; wrong: WRONG in 02."""
    for nb_name in NOTEBOOKS:
        rel = notebooks.read(release / f"{nb_name}.ipynb")
        notebooks.write(notebooks.filled_in(rel, solutions[nb_name]),
                        course / "submitted" / "reference" / ASSIGNMENT / f"{nb_name}.ipynb")
        notebooks.write(rel, course / "submitted" / "blank" / ASSIGNMENT / f"{nb_name}.ipynb")
    rel = notebooks.read(release / f"{NB}.ipynb")
    notebooks.write(notebooks.filled_in(rel, WRONG), course / "submitted" / "wrong" / ASSIGNMENT / f"{NB}.ipynb")


def prepare(course):
    release = released(course)
    rel = {nb_name: notebooks.read(release / f"{nb_name}.ipynb") for nb_name in NOTEBOOKS}
    solutions = {nb_name: reference_solutions(
        notebooks.read(course / "source" / ASSIGNMENT / f"{nb_name}.ipynb")) for nb_name in NOTEBOOKS}
    write_honest(course, release, solutions)
    return rel, solutions


RESUME_PLAN = {"s1": "reference", "s2": "blank", "s3": "reference", "s4": "blank"}


def kill_and_resume(root):
    """Start `nbgrader autograde --notebook=03...` on four students, SIGKILL it (process group)
    once the first student's autograded 03 appears, then grade with coursekit.grading.batch.serial.autograde
    (no --force).  Returns what test_a_killed_batch_resumes_to_the_same_grades checks."""
    course = new_course(root / "resume")
    release = released(course)
    solutions = {nb_name: reference_solutions(
        notebooks.read(course / "source" / ASSIGNMENT / f"{nb_name}.ipynb")) for nb_name in NOTEBOOKS}
    for student, kind in RESUME_PLAN.items():
        for nb_name in NOTEBOOKS:
            rel = notebooks.read(release / f"{nb_name}.ipynb")
            nb = notebooks.filled_in(rel, solutions[nb_name]) if kind == "reference" else rel
            notebooks.write(nb, course / "submitted" / student / ASSIGNMENT / f"{nb_name}.ipynb")
    last = "03_numpy_essentials"
    first_done = course / "autograded" / "s1" / ASSIGNMENT / f"{last}.ipynb"
    process = subprocess.Popen([str(BIN / "nbgrader"), "autograde", ASSIGNMENT, f"--notebook={last}", *LIMITS],
                               cwd=course, env=environment(), start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not first_done.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        killed_while_grading = first_done.exists() and process.poll() is None
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    result = {"killed while grading": killed_while_grading,
              "s4 graded before the kill": (course / "autograded" / "s4" / ASSIGNMENT / f"{last}.ipynb").exists(),
              "left after the kill": wait_for_no_sandbox_processes(course)}

    autograde(course, extra=LIMITS)

    result["scores"] = cell_scores(course)
    result["states"] = {s: {x.state for x in st} for s, st in statuses(course).items()}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        result["gradebook"] = {student: {nb.name: bool(nb.grades) and all(g.score is not None for g in nb.grades)
                                         for nb in gb.find_submission(ASSIGNMENT, student).notebooks}
                               for student in RESUME_PLAN}
    result["socket folders left"] = [n for n in os.listdir(sandbox.IPC_DIR) if n.startswith(f"{process.pid}-")]
    return result


def catching(function, *args):
    try:
        return function(*args)
    except Exception as error:  # noqa: BLE001 - reported by the test that needs it
        return error


def save_logs(folder, name, runs):
    folder.mkdir(parents=True, exist_ok=True)
    for nb_name, run in runs.items():
        (folder / f"{name}-{nb_name}.log").write_text(run.stdout + run.stderr)


# ---------------------------------------------------------------- the batch


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    started = time.perf_counter()
    root = tmp_path_factory.mktemp("adversarial")
    listener = Listener()
    secret = f"CANARY-{uuid.uuid4().hex}"
    env_secret = f"ENVCANARY-{uuid.uuid4().hex}"
    patch = pytest.MonkeyPatch()
    patch.setenv(ENV_SECRET, env_secret)  # in the grader's environment, never in the kernel's
    try:
        course = new_course(root / "course")
        serial_course = new_course(root / "serial")
        rel, solutions = prepare(course)
        prepare(serial_course)
        contexts = {}
        for target, attacks in ((course, ATTACKS), (serial_course, [cases.BY_STUDENT[a] for a in SERIAL_ATTACKS])):
            contexts[target] = cases.Context(rel, solutions, str(target), listener.port, uuid.uuid4().hex[:12])
            for attack in attacks:
                folder = target / "submitted" / attack.student / ASSIGNMENT
                folder.mkdir(parents=True)
                for name, data in attack.build(contexts[target]).items():
                    (folder / name).write_bytes(data)
            (target / "source" / "CANARY.txt").write_text(secret)
            (target / "CANARY.txt").write_text(secret)
        ctx = contexts[course]

        before = tree_hashes(course / "submitted")
        ipc_before = set(os.listdir(sandbox.IPC_DIR)) if sandbox.IPC_DIR.exists() else set()
        timed = lambda f, *a, **kw: (time.perf_counter(), f(*a, **kw), time.perf_counter())  # noqa: E731
        snapshot = root / "feedback-run"

        def grade_then_feedback():
            outcome = timed(parallel.autograde, course, extra=LIMITS, jobs=2)
            shutil.copytree(course, snapshot, symlinks=True)
            return outcome, timed(nbgrader, "generate_feedback", ASSIGNMENT, "--force", cwd=snapshot, check=False)

        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            main_job = pool.submit(grade_then_feedback)
            serial_job = pool.submit(timed, autograde, serial_course, extra=LIMITS)
            # On the second core, once the serial course is done: the kill-and-resume scenario.
            resume_job = pool.submit(timed, catching, kill_and_resume, root)
            (t0, parallel_runs, t1), (t2, feedback_run, t3) = main_job.result()
            t4, serial_runs, t5 = serial_job.result()
            t6, resume, t7 = resume_job.result()
        logs = root / "logs"
        parallel_runs = {"all": subprocess.CompletedProcess([], 0, "".join(  # why a notebook was not finished
            f"{student} {nb}: {why}\n" for (student, nb), why in sorted(parallel_runs.items()) if why), "")}
        for name, runs in (("parallel", parallel_runs), ("serial", serial_runs), ("feedback", {"all": feedback_run})):
            save_logs(logs, name, runs)
        # What coursekit-grade does after grading: statuses, the tamper scan, withholding.
        report(course, out=io.StringIO())
        withheld = {student: {nb_name: nb.withheld for nb_name, nb in result.notebooks.items()}
                    for student, result in course_results(course).items()}
        leftovers = wait_for_no_sandbox_processes(course) + wait_for_no_sandbox_processes(serial_course)
        ipc_after = set(os.listdir(sandbox.IPC_DIR)) if sandbox.IPC_DIR.exists() else set()
        run = {
            "course": course, "serial_course": serial_course, "snapshot": snapshot, "logs": logs,
            "ctx": ctx, "secret": secret, "env_secret": env_secret, "listener": listener,
            "before": before, "after": tree_hashes(course / "submitted"),
            "scores": cell_scores(course), "statuses": statuses(course), "withheld": withheld,
            "costs": {"serial": costs_of(serial_course), "parallel": costs_of(course)},
            "serial": cell_scores(serial_course), "serial_statuses": statuses(serial_course),
            "solution_lines": solution_only_lines(course), "leftovers": leftovers, "resume": resume,
            "new_ipc": {n for n in ipc_after - ipc_before
                        if not Path(f"/proc/{n.split('-')[0]}").exists()},
            "seconds": {"the batch (2 workers)": t1 - t0, "generate_feedback (after it)": t3 - t2,
                        "honest students and sampled attacks, serially (alongside)": t5 - t4,
                        "kill and resume (alongside, after it)": t7 - t6,
                        "fixture total": time.perf_counter() - started},
        }
        yield run
    finally:
        listener.close()
        patch.undo()


def status_of(batch, student, nb_name=NB):
    return next(s for s in batch["statuses"][student] if s.notebook == nb_name)


# ---------------------------------------------------------------- per case


def known_limit(attack):
    return pytest.param(attack, id=attack.student, marks=[pytest.mark.xfail(
        strict=True, reason=attack.known_limit)] if attack.known_limit else [])


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.student)
def test_status_says_what_happened(attack, batch):
    mine = batch["statuses"][attack.student]
    status = status_of(batch, attack.student, attack.notebook)
    assert status.state in attack.states, f"{attack.student}: {status} (expected one of {attack.states})"
    assert attack.reason in status.detail, f"{attack.student}: {status} lacks {attack.reason!r}"
    for nb_name, state in attack.expected_others().items():
        assert status_of(batch, attack.student, nb_name).state == state, [str(s) for s in mine]
    strays = [s for s in mine if s.state == "unexpected"]
    if attack.student == "atk-wrong-name":
        assert strays and f"{NB} (1).ipynb" in strays[0].detail, [str(s) for s in mine]
    else:
        assert not strays, [str(s) for s in mine]


@pytest.mark.parametrize("attack", [known_limit(a) for a in ATTACKS])
def test_attack_earns_nothing_and_costs_only_what_it_attacked(attack, batch):
    assert "points" not in broken_promises(attack, batch)
    cells = batch["scores"].get(attack.student, {}).get(attack.notebook)
    if cells:  # nobody can raise what a notebook is worth
        reference = exercise_totals(batch["scores"]["reference"][attack.notebook], attack.notebook)
        assert sum(top for _, top in cells.values()) == sum(t for _, t in reference.values()) == \
            max_score(attack.notebook)


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.student)
def test_no_secret_reaches_any_output(attack, batch):
    assert "secrets" not in broken_promises(attack, batch)


@pytest.mark.parametrize("attack", [a for a in ATTACKS if a.withheld is not None], ids=lambda a: a.student)
def test_a_doubtful_notebook_is_withheld_and_a_plain_one_is_not(attack, batch):
    assert "withheld" not in broken_promises(attack, batch)


def test_honest_students_are_not_withheld(batch):
    for student in HONEST:
        submitted = NOTEBOOKS if student != "wrong" else [NB]  # `wrong` hands in 02 alone: the others are missing
        assert not any(batch["withheld"][student][nb] for nb in submitted), batch["withheld"][student]


def test_every_reply_costs_the_grader_little_time_and_memory(batch):
    """The grading process reads each of the kernel's replies in bounded time, and stays under 1 GiB
    whatever a submission sends (serial nbgrader processes, then the parallel workers)."""
    for run, costs in batch["costs"].items():
        assert costs, run
        slowest = max(costs.items(), key=lambda item: item[1].get("slowest_reply_seconds", 0))
        assert slowest[1]["slowest_reply_seconds"] < 3, (run, slowest)
        heaviest = max(costs.items(), key=lambda item: item[1].get("peak_memory_mib", 0))
        assert heaviest[1]["peak_memory_mib"] < 1024, (run, heaviest)


def test_call_backs_take_only_plain_positional_arguments(batch):
    out = outputs_of(batch["course"], "atk-callback-abuse", NB_CALLBACK)
    for how in ("where", "out", "many", "function"):
        assert f"REFUSED {how}" in out, out[:3000]
    assert "GOT" not in out, out[:3000]


def test_the_leak_detector_finds_solutions_where_they_are(batch):
    """Self-check: the reference student's own outputs do contain solution lines (and the check
    above only ignores a student's own submission)."""
    lines = batch["solution_lines"]
    assert len(lines) > 50
    graded = notebook_text(batch["course"] / "autograded" / "reference" / ASSIGNMENT / f"{NB}.ipynb")
    page = html_text(batch["snapshot"] / "feedback" / "reference" / ASSIGNMENT / f"{NB}.html")
    assert [line for line in lines if line in graded] and [line for line in lines if line in page]


# ---------------------------------------------------------------- whole batch


def test_the_batch_completed_for_every_honest_student(batch):
    for student in ("reference", "blank"):
        assert {s.notebook: s.state for s in batch["statuses"][student]} == dict.fromkeys(NOTEBOOKS, "graded")
        for nb_name in NOTEBOOKS:
            assert (batch["course"] / "autograded" / student / ASSIGNMENT / f"{nb_name}.ipynb").exists()
    for nb_name, cells in batch["scores"]["reference"].items():
        assert all(score == top > 0 for score, top in cells.values()), (nb_name, cells)
    for nb_name, cells in batch["scores"]["blank"].items():
        assert all(score == 0 for score, _ in cells.values()), (nb_name, cells)
    assert set(batch["scores"]["reference"]) == set(batch["scores"]["blank"]) == set(NOTEBOOKS)
    assert all(score == 0 for score, _ in batch["scores"]["wrong"][NB].values()), \
        "a WRONG answer of tests/batch/adversarial/cases.py earns points: the tamper cases would prove nothing"


def test_no_readable_notebook_is_left_ungraded(batch):
    """nbgrader failing a whole notebook ("not graded") would cost the student every point in it."""
    for name in ("statuses", "serial_statuses"):
        ungraded = {s: [str(x) for x in st if x.state == "not graded"] for s, st in batch[name].items()}
        assert not {s: x for s, x in ungraded.items() if x}, f"{name}; see the logs in {batch['logs']}"


def test_honest_grades_do_not_depend_on_the_rest_of_the_batch(batch):
    for student in HONEST:
        assert batch["scores"][student] == batch["serial"][student], student


def test_serial_grading_gives_the_sampled_attacks_the_grades_of_parallel_grading(batch):
    """`--jobs 1` (nbgrader's own autograde) and the default parallel workers agree on hostile input."""
    def scores(run):  # every cell, but those of exercises whose score depends on the load
        return {student: {nb: {cell: score for cell, score in cells.items()
                               if not (student in cases.BY_STUDENT and nb == cases.BY_STUDENT[student].notebook
                                       and exercise_of(cell, nb)
                                       in cases.BY_STUDENT[student].load_dependent)}
                          for nb, cells in run[student].items()}
                for student in (*HONEST, *SERIAL_ATTACKS) if student in run}

    assert set(scores(batch["serial"])) == set(scores(batch["scores"]))
    assert scores(batch["serial"]) == scores(batch["scores"])

    def states(found):  # statuses too, where the case allows only one
        return {s: [x.state for x in found[s]] for s in (*HONEST, *SERIAL_ATTACKS)
                if s not in cases.BY_STUDENT or len(cases.BY_STUDENT[s].states) == 1}
    assert states(batch["serial_statuses"]) == states(batch["statuses"])


def test_submitted_folder_is_byte_identical(batch):
    assert batch["after"] == batch["before"]


def test_feedback_was_generated_for_every_graded_notebook(batch):
    course = batch["snapshot"]
    for path in (course / "autograded").rglob("*.ipynb"):
        student = path.relative_to(course / "autograded").parts[0]
        assert (course / "feedback" / student / ASSIGNMENT / f"{path.stem}.html").exists(), path


def test_no_sandbox_process_outlives_the_batch(batch):
    assert not batch["leftovers"], f"processes left behind: {batch['leftovers']}"
    assert not batch["new_ipc"], f"kernel socket folders left behind in {sandbox.IPC_DIR}: {batch['new_ipc']}"


def test_output_floods_leave_small_notebooks(batch):
    # Every feedback page inlines MathJax (about 2 MB, for reading offline): a flood's page is
    # measured against an honest student's page of the same notebook.
    honest_page = (batch["snapshot"] / "feedback" / "reference" / ASSIGNMENT / f"{NB}.html").stat().st_size
    for student in ("atk-output-loop", "atk-output-blob", "atk-error-blob", "atk-print-flood-call"):
        graded = batch["course"] / "autograded" / student / ASSIGNMENT / f"{NB}.ipynb"
        feedback = batch["snapshot"] / "feedback" / student / ASSIGNMENT / f"{NB}.html"
        assert graded.stat().st_size < MAX_NOTEBOOK_BYTES, (student, graded.stat().st_size)
        assert feedback.stat().st_size - honest_page < MAX_NOTEBOOK_BYTES, (student, feedback.stat().st_size)


def test_the_reader_ran_and_was_denied(batch):
    out = outputs_of(batch["course"], "atk-read-secrets")
    course = batch["course"]
    for path in (f"{course}/gradebook.db", f"{course}/CANARY.txt", f"{course}/source/CANARY.txt",
                 "../../../gradebook.db", "/proc/1/environ"):
        assert f"DENIED {path} " in out, f"no denial for {path} in:\n{out[:3000]}"
    assert "ENV {" in out and "LIST /" in out


def test_hidden_tests_never_reach_the_kernel(batch):
    """Split grading runs test cells outside the kernel, and the sandbox gets no notebook files:
    what student code prints of its history and surroundings holds no hidden-test line."""
    out = outputs_of(batch["course"], "atk-exfiltrate-tests")
    assert "LEAK:" in out, "the attack did not run"
    assert not hidden_lines_seen(batch["course"], "atk-exfiltrate-tests")


def test_the_network_is_unreachable(batch):
    out = outputs_of(batch["course"], "atk-network")
    assert "NO NETWORK 127.0.0.1" in out and "CONNECTED" not in out, out
    assert batch["listener"].connections == 0


def test_nothing_is_written_outside_the_sandbox(batch):
    ctx = batch["ctx"]
    out = outputs_of(batch["course"], "atk-write-outside")
    assert f"BLOCKED {ctx.course}/PWNED-{ctx.tag}" in out and "BLOCKED checks.py" in out, out
    for path in cases.write_targets(ctx):
        assert not Path(path).exists(), f"the sandbox wrote {path} on the host"
    for folder in ("/tmp", str(sandbox.IPC_DIR), "/work/main"):
        assert not list(Path(folder).glob(f"*{ctx.tag}*")), f"a file of the attack reached {folder}"
    assert not list(Path(ctx.course).rglob(f"*{ctx.tag}*")), "a file of the attack reached the course"
    filled = {m[0]: int(m[1]) for m in re.findall(r"^FILLED (\S+) (\d+) MiB$", out, re.M)}
    assert set(filled) == {"/tmp/math-numpy-kernels", "/run/kernel", "/tmp", "."}, out
    assert filled["/tmp/math-numpy-kernels"] == 0 and filled["/run/kernel"] <= 1, filled
    assert filled["/tmp"] <= FILE_MB and filled["."] <= FILE_MB, filled


def test_the_fork_bomb_was_refused(batch):
    assert "fork refused: [Errno 11]" in outputs_of(batch["course"], "atk-fork-bomb")


# Like coursekit.grading.kernel.sandbox.launch, a fresh process that becomes bwrap, but runs `python -c CODE`
# instead of ipykernel.
LAUNCH = """
import os, sys
from pathlib import Path
from coursekit.grading.kernel import sandbox
from coursekit.grading.kernel.limits import defaults
code, workdir = sys.argv[1], Path(sys.argv[2])
(workdir / "connection.json").write_text("{}")
args = sandbox.command(workdir / "connection.json", workdir, defaults())
python = args.index("ipykernel_launcher") - 2
assert args[python + 1] == "-m"
os.execv(args[0], args[:python + 1] + ["-c", code])
"""


def in_sandbox(code, workdir):
    """Start `python -c code` in the grading sandbox, as the kernel launcher starts ipykernel."""
    return subprocess.Popen([str(BIN / "python"), "-c", LAUNCH, code, str(workdir)], env=environment(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)


def test_a_fork_bomb_does_not_starve_a_sandbox_running_at_the_same_time(tmp_path):
    """The process limit counts per user id machine-wide: each sandbox needs its own id."""
    bomb_dir, other_dir = tmp_path / "bomb", tmp_path / "other"
    bomb_dir.mkdir()
    other_dir.mkdir()
    bomb = in_sandbox(textwrap.dedent("""
        import os, time
        try:
            while True:
                if os.fork() == 0:
                    time.sleep(30)
                    os._exit(0)
        except OSError as error:
            print("fork refused:", error, flush=True)
        time.sleep(30)
    """), bomb_dir)
    try:
        assert "fork refused" in bomb.stdout.readline()  # the bomb is at its limit, and stays there
        other = in_sandbox(textwrap.dedent("""
            import os, threading
            threading.Thread(target=print, args=("thread started",)).start()
            pid = os.fork()
            if pid == 0:
                os._exit(0)
            os.waitpid(pid, 0)
            print("forked")
        """), other_dir)
        out, _ = other.communicate(timeout=60)
        assert "thread started" in out and "forked" in out, out
    finally:
        os.killpg(bomb.pid, signal.SIGKILL)
        bomb.wait()


def case_table(batch):
    """The case table: case, status, score in the attacked notebook, withheld, secret leaked, the
    grader's slowest reply and peak memory (the parallel worker's), and whether the batch completed."""
    completed = all(st.state == "graded" for s in ("reference", "blank") for st in batch["statuses"][s])
    rows = [f"{'case':24} {'status of the attacked notebook':70} {'score':>8} {'withheld':>8} {'leaked':>6} "
            f"{'reply s':>7} {'MiB':>5} {'batch ok':>8}"]
    for attack in ATTACKS:
        cells = batch["scores"].get(attack.student, {}).get(attack.notebook) or {}
        score = f"{sum(s or 0 for s, _ in cells.values()):g}/{max_score(attack.notebook):g}"
        status = "; ".join(str(s) for s in batch["statuses"][attack.student] if s.notebook == attack.notebook or
                           s.state == "unexpected")
        cost = batch["costs"]["parallel"].get((attack.student, attack.notebook), {})
        withheld = "yes" if batch["withheld"].get(attack.student, {}).get(attack.notebook) else "no"
        limit = "  (known limit)" if attack.known_limit else ""
        rows.append(f"{attack.student:24} {status[:70]:70} {score:>8} {withheld:>8} "
                    f"{'yes' if leaks(batch, attack.student) else 'no':>6} "
                    f"{cost.get('slowest_reply_seconds', 0):>7.3f} {cost.get('peak_memory_mib', 0):>5.0f} "
                    f"{'yes' if completed else 'NO':>8}{limit}")
    rows.append("")
    rows += [f"{what}: {seconds:.1f} s" for what, seconds in batch["seconds"].items()]
    return "\n".join(rows)


def test_the_case_table_has_a_row_per_attack_and_the_batch_completed(batch):
    """`pytest -s -k case_table` shows it; it is read here too, so a case that vanished from the batch
    or a batch that did not complete fails."""
    table = case_table(batch)
    print("\n" + table)
    rows = table.split("\n\n")[0].splitlines()[1:]
    assert [row.split()[0] for row in rows] == [attack.student for attack in ATTACKS]
    assert all(row.endswith(("yes", "yes  (known limit)")) for row in rows), table  # the "batch ok" column


# ---------------------------------------------------------------- killed mid-batch, then resumed


def test_a_killed_batch_resumes_to_the_same_grades(batch):
    """`nbgrader autograde` killed (SIGKILL) mid-notebook, then coursekit.grading.batch.serial.autograde without
    --force: the same grades as an uninterrupted run, and a consistent gradebook."""
    resumed = batch["resume"]
    if isinstance(resumed, BaseException):
        raise resumed
    assert resumed["killed while grading"], "the batch ended before it could be killed"
    assert resumed["left after the kill"] == [], "the killed batch left sandbox processes"
    assert resumed["s4 graded before the kill"] is False
    assert set(resumed["scores"]) == set(RESUME_PLAN)
    for student, kind in RESUME_PLAN.items():
        assert resumed["scores"][student] == batch["serial"][kind], \
            f"{student} ({kind}) differs from an uninterrupted run"
        assert resumed["states"][student] == {"graded"}, (student, resumed["states"][student])
        assert resumed["gradebook"][student] == {nb_name: True for nb_name in NOTEBOOKS}, \
            f"{student}: a notebook without a submission or without scores in the gradebook"
    assert not resumed["socket folders left"], "the killed grader's kernel socket folder was not cleaned up"
