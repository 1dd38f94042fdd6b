"""What a graded attack batch shows: scores, texts, secrets, and each attack's broken promises.

Shared by tests/batch/test_adversarial.py (every promise kept, sandboxed and split) and
tests/batch/test_sabotage.py (the same cases graded with the sandbox and split grading off: each promise
they keep must then break, so that the attack table can fail).
"""

import base64
import copy
import hashlib
import html
import json
import re
import socket
import threading
from pathlib import Path

from nbgrader.api import Gradebook

from coursekit import notebooks
from coursekit.spec import ASSIGNMENT, NOTEBOOKS, exercise_of
from coursekit.spec import EXERCISES as SPEC
from tests.support.course_files import secret_and_public_lines

from .cases import NB


def tree_hashes(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(Path(folder).rglob("*")) if p.is_file()}


def cell_scores(course):
    """student -> notebook -> grade_id -> (score, max_score), for notebooks that were autograded."""
    result = {}
    with Gradebook(f"sqlite:///{Path(course) / 'gradebook.db'}") as gb:
        for submission in gb.assignment_submissions(ASSIGNMENT):
            student = submission.student.id
            result.setdefault(student, {})
            for nb in submission.notebooks:
                if (Path(course) / "autograded" / student / ASSIGNMENT / f"{nb.name}.ipynb").exists():
                    result[student][nb.name] = {g.name: (g.score, g.max_score) for g in nb.grades}
    return result


def exercise_totals(cells, nb=NB):
    """exercise -> (score, max) for one notebook's cells; every exercise present (0 if not graded)."""
    totals = {e: (0.0, 0.0) for e in SPEC[nb]}
    for gid, (score, top) in (cells or {}).items():
        exercise = exercise_of(gid, nb)
        s, t = totals.get(exercise, (0.0, 0.0))
        totals[exercise] = (s + (score or 0.0), t + top)
    return totals


def notebook_text(path):
    """Every source and output of a notebook as plain text (so escaping cannot hide a match)."""
    nb = notebooks.read(path)
    parts = [json.dumps(nb.metadata)]
    for cell in nb.cells:
        parts.append(cell.source)
        if cell.cell_type == "code":
            parts.append(notebooks.output_text(cell))
            for out in cell.outputs:
                parts += [str(v) for v in out.get("data", {}).values()]
    return "\n".join(parts)


def html_text(path):
    raw = Path(path).read_text(encoding="utf-8", errors="replace")
    return raw + "\n" + html.unescape(re.sub(r"<[^>]+>", "", raw))


def submitted_text(folder):
    """What a student submitted, as text: parsed notebooks' sources, or the raw bytes decoded."""
    parts = []
    for path in sorted(Path(folder).glob("*")):
        try:
            parts.append("\n".join(c.source for c in notebooks.read(path).cells))
        except Exception:  # noqa: BLE001 - broken submissions are the point here
            parts.append(path.read_bytes().decode("utf-8", errors="replace"))
    return "\n".join(parts)


def solution_only_lines(course):
    """Lines of the instructor's solutions that appear nowhere students can see them by design.

    secret_and_public_lines (tests/course/test_notebooks.py) applied to the solution cells alone, minus
    every line of the other cells (hidden tests are shown in feedback by nbgrader's design).
    """
    lines = set()
    for nb_name in NOTEBOOKS:
        source = notebooks.read(Path(course) / "source" / ASSIGNMENT / f"{nb_name}.ipynb")
        only_solutions = copy.deepcopy(source)
        only_solutions.cells = [c for c in source.cells if notebooks.is_solution(c)]
        secret, _ = secret_and_public_lines(only_solutions)
        elsewhere = {line.strip() for c in source.cells if not notebooks.is_solution(c)
                     for line in c.source.splitlines()}
        lines |= secret - elsewhere
    return lines


class Listener:
    """A TCP server on the host's 127.0.0.1 that counts connections (none may arrive)."""

    def __init__(self):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self._stop.set()
        self._thread.join(timeout=5)
        self.server.close()



def outputs_of(course, student, nb=NB):
    """Everything the student's autograded notebook printed, as plain text."""
    path = Path(course) / "autograded" / student / ASSIGNMENT / f"{nb}.ipynb"
    return "\n".join(notebooks.output_text(c) for c in notebooks.read(path).cells if c.cell_type == "code")


def costs_of(course):
    """{(student, notebook): what grading it cost the grading process} from the autograded
    notebooks' metadata (coursekit/grading/plugins/limited_execute.py: slowest reply, peak memory)."""
    found = {}
    for path in sorted(Path(course).glob(f"autograded/*/{ASSIGNMENT}/*.ipynb")):
        data = json.loads(path.read_text(encoding="utf-8"))
        found[path.parts[-3], path.stem] = data.get("metadata", {}).get("coursekit", {})
    return found


def leaks(run, student):
    """Secrets found in a student's autograded notebooks and feedback pages (empty: none).

    run: {"course", "secret", "env_secret", "solution_lines"} and, when feedback was generated,
    "snapshot" (the copy of the course it was generated in)."""
    course, snapshot = run["course"], run.get("snapshot")
    own = submitted_text(course / "submitted" / student / ASSIGNMENT)
    solution_lines = {line for line in run["solution_lines"] if line not in own}
    paths = list((course / "autograded" / student).rglob("*.ipynb"))
    if snapshot is not None:
        paths += list((snapshot / "autograded" / student).rglob("*.ipynb"))
        paths += list((snapshot / "feedback" / student).rglob("*.html"))
    found = []
    for path in paths:
        text = notebook_text(path) if path.suffix == ".ipynb" else html_text(path)
        for needle in (run["secret"], run["env_secret"], "SQLite format"):
            if needle in text:
                found.append(f"{path.name}: {needle}")
        found += [f"{path.name}: solution line {line!r}" for line in solution_lines if line in text]
    return found


def broken_promises(attack, run):
    """{what: [how it broke]} for each promise of the attack (cases.Attack) that did not hold in a run.

    run: a graded batch, as tests/batch/test_adversarial.py and tests/batch/test_sabotage.py build it: "scores"
    (cell_scores), "statuses" (coursekit.submissions.statuses), "course", the secrets (see leaks),
    "listener" and, when review ran, "withheld" ({student: {notebook: reason}}). An empty dict: the
    attack earned nothing it should not and cost nothing it should not.
    """
    nb, student = attack.notebook, attack.student
    status = next(s for s in run["statuses"][student] if s.notebook == nb)
    cells = run["scores"].get(student, {}).get(nb) or {}
    got = exercise_totals(cells, nb)
    blank = exercise_totals(run["scores"]["blank"][nb], nb)
    reference = exercise_totals(run["scores"]["reference"][nb], nb)
    broken = {}
    if status.state not in attack.states or attack.reason not in status.detail:
        broken["status"] = [f"{status} (expected one of {attack.states}, saying {attack.reason!r})"]
    points = [f"earned {got[e]} in {e}" for e in attack.zero if not got[e][0] <= blank[e][0] == 0]
    points += [f"earned {cells[gid][0]} in the cell {gid}" for gid in attack.zero_cells if (cells.get(gid) or (0,))[0]]
    keep = attack.keep + (attack.keep_if_alive if status.state != "stopped" else ())
    points += [f"lost honest points in {e}: {got[e]} of {reference[e]}" for e in keep if got[e] != reference[e]]
    if points:
        broken["points"] = points
    secrets = leaks(run, student)
    if "listener" in run and attack.student == "atk-network":
        out = outputs_of(run["course"], student, nb)
        if run["listener"].connections or "CONNECTED" in out or "NO NETWORK 127.0.0.1" not in out:
            secrets.append(f"reached the network ({run['listener'].connections} connections to the test's listener)")
    if attack.student == "atk-exfiltrate-tests":
        secrets += [f"hidden-test line {line!r}" for line in sorted(hidden_lines_seen(run["course"], student))[:3]]
    if secrets:
        broken["secrets"] = secrets
    if attack.withheld is not None and "withheld" in run:
        reason = run["withheld"].get(student, {}).get(nb, "")
        if bool(reason) != attack.withheld:
            broken["withheld"] = [f"withheld: {reason!r}, expected {'a reason' if attack.withheld else 'none'}"]
    return broken


def hidden_lines_seen(course, student):
    """Hidden-test lines of 02 that the exfiltration attack printed (base64 after LEAK:)."""
    source = notebooks.read(Path(course) / "source" / ASSIGNMENT / f"{NB}.ipynb")
    tests_only = copy.deepcopy(source)
    tests_only.cells = [c for c in source.cells if notebooks.is_test(c)]
    hidden, _ = secret_and_public_lines(tests_only)
    blobs = re.findall(r"LEAK:([A-Za-z0-9+/=]+)", outputs_of(course, student))
    seen = "\n".join(base64.b64decode(blob).decode(errors="replace") for blob in blobs)
    return hidden & {line.strip() for line in seen.splitlines()}
