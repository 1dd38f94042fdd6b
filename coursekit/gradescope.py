"""Grade on Gradescope with nbgrader: the autograder zip, and what it runs for each submission.

Gradescope's autograder spec (https://gradescope-autograders.readthedocs.io/en/latest/specs/):
the zip holds `setup.sh` (run once, as root, when Gradescope builds the Ubuntu image) and
`run_autograder` (run once per submission) at its root; Gradescope unpacks the zip into
/autograder/source, puts the student's files in /autograder/submission, and reads the results
from /autograder/results/results.json.

    python -m coursekit.gradescope build [--out dist/gradescope.zip]
    python -m coursekit.gradescope run [--root /autograder] [--course DIR] [--sandbox auto|on|off]

`build` zips setup.sh, run_autograder and the course files grading needs (nbgrader_config.py,
requirements.txt, coursekit/, source/, release/); never tests/, examples/, .venv/ or a gradebook.
setup.sh installs Python 3.11, bubblewrap and the pinned requirements into /autograder/venv, and
the sandbox kernelspec; run_autograder runs `run` with that venv.

`run --root DIR` expects Gradescope's layout and adds one folder:

    DIR/source/        the unpacked zip: the course files (--course overrides it)
    DIR/submission/    the student's upload; notebooks are found by their exact names, anywhere
                       below (an uploaded folder works too); other files are ignored and listed
    DIR/grading/       a scratch nbgrader course, made afresh by each run: nbgrader_config.py and
                       source/ from the course files, the submission as submitted/student/, then
                       `nbgrader generate_assignment` and coursekit.grade.autograde (the sandboxed
                       autograde, one notebook at a time); kept afterwards for the instructor
    DIR/results/results.json

results.json has one test per exercise (43), named "<notebook number> <exercise>" ("03 softmax"),
numbered "<notebook>.<exercise>", scored with the sum of that exercise's test cells in the
gradebook; its output lists each test cell that lost points with its error (`ename: evalue`, never
a traceback, so never test source), and whether the visible or the hidden part of the cell failed.

Decisions:
- Visibility.  Every exercise's score includes hidden tests, so every exercise test is
  "after_published": students see scores and messages when the instructor publishes grades, as
  with nbgrader feedback.  The top level is "visible", and its `output` says at once what a
  student can act on before the deadline: which notebooks were received, missing or ignored, and
  which exercises fail their *visible* checks (the ones in the student's own notebook) with the
  message, but nothing about hidden tests.  stdout (nbgrader's log, the statuses and tamper scan
  of coursekit.grade.review) stays "hidden": Gradescope shows it to instructors only.
- Sandbox.  Grading uses the bubblewrap sandbox when a probe shows that it can start here.
  Docker containers often cannot create the namespaces bwrap needs (no CAP_SYS_ADMIN, Docker's
  seccomp profile); then (`--sandbox auto`, the default) grading goes on with
  `--LimitedExecute.use_sandbox=False` and the limits on time and output only, because Gradescope
  already runs each submission in a fresh, throw-away container: the student's code cannot reach
  other students' work or the grader's machine.  It does run as root in that container, so it
  could read the shipped solutions and hidden tests and tamper with its own grading (as with any
  autograder that runs student code as root); every output line that quotes an instructor-only
  line is removed, and the tamper scan's flags are in stdout.  `--sandbox on` refuses to grade
  without the sandbox instead.
- Failures of the grader itself (not of the student's notebooks) end the run with an error and
  no results.json: Gradescope then reports the autograder failure instead of a wrong score.
"""

import argparse
import dataclasses
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from . import notebooks
from .grading import batch as grade, sandbox
from .nbgrader import REPO, generate_release, new_course
from .spec import ASSIGNMENT, EXERCISES, NOTEBOOKS, exercise_of

STUDENT = "student"  # the scratch course grades one submission: its student needs no real name
SHIPPED = ("nbgrader_config.py", "requirements.txt", "coursekit", "source", "release")
NOT_SHIPPED = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed, so the same files make the same zip

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (Ubuntu).
# The zip is unpacked in /autograder/source; everything is installed into /autograder/venv.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# bubblewrap: the grading sandbox, used when the container lets it start (see coursekit/gradescope.py);
# util-linux: prlimit and setpriv, which the sandbox runs.
apt-get install -y -qq bubblewrap util-linux
# Python 3.11: the versions in requirements.txt are pinned for it.
if ! command -v python3.11 >/dev/null 2>&1 || ! python3.11 -c 'import ensurepip' >/dev/null 2>&1; then
  if ! apt-get install -y -qq python3.11 python3.11-venv; then
    apt-get install -y -qq software-properties-common
    add-apt-repository -y ppa:deadsnakes/ppa
    apt-get update -qq
    apt-get install -y -qq python3.11 python3.11-venv
  fi
fi
python3.11 -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install -q --disable-pip-version-check -r "$ROOT/source/requirements.txt"
# The sandboxed kernel's spec, in the venv where nbgrader's Jupyter looks for kernels.
cd "$ROOT/source" && "$ROOT/venv/bin/python" -m coursekit.grading.sandbox install
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this once per submission: grade /autograder/submission, write
# /autograder/results/results.json (coursekit/gradescope.py says how).
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
cd "$ROOT/source"
exec "$ROOT/venv/bin/python" -m coursekit.gradescope run --root "$ROOT"
"""

SCRIPTS = {"setup.sh": SETUP_SH, "run_autograder": RUN_AUTOGRADER}


# ---------------------------------------------------------------- build


def course_files(repo=REPO):
    """(name in the zip, file) for every course file the autograder needs, sorted."""
    files = []
    for top in SHIPPED:
        path = Path(repo) / top
        if path.is_file():
            files.append((top, path))
            continue
        for folder, dirs, names in os.walk(path):
            dirs[:] = sorted(set(dirs) - NOT_SHIPPED(folder, dirs))
            for name in sorted(set(names) - NOT_SHIPPED(folder, names)):
                files.append(((Path(folder) / name).relative_to(repo).as_posix(), Path(folder) / name))
    return sorted(files)


def build(out=REPO / "dist" / "gradescope.zip", repo=REPO):
    """Write the autograder zip: the two scripts (executable) and the course files at its root."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in SCRIPTS.items():
            zf.writestr(_entry(name, 0o755), text)
        for name, path in course_files(repo):
            zf.writestr(_entry(name, 0o644), path.read_bytes())
    return out


def _entry(name, mode):
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.external_attr = (stat.S_IFREG | mode) << 16  # Unix mode bits: unzip keeps them
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


# ---------------------------------------------------------------- run


def find_notebooks(folder):
    """({notebook: path}, [missing notebooks], [ignored files]) for a submission folder.

    A notebook counts when its file name is exact, at any depth (the shallowest copy wins).
    Everything else is ignored and listed, so that a student sees a renamed notebook.
    """
    files = sorted((p for p in Path(folder).rglob("*") if p.is_file()) if Path(folder).is_dir() else [],
                   key=lambda p: (len(p.relative_to(folder).parts), str(p)))
    found, ignored = {}, []
    for path in files:
        name = path.stem if path.suffix == ".ipynb" else None
        if name in NOTEBOOKS and name not in found:
            found[name] = path
        else:
            ignored.append(path.relative_to(folder).as_posix())
    return found, [nb for nb in NOTEBOOKS if nb not in found], sorted(ignored)


def sandbox_works():
    """Can bubblewrap make the namespaces the grading sandbox needs, in this container?"""
    if not sandbox.bwrap_path():
        return False
    probe = [sandbox.bwrap_path(), "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
             "--die-with-parent", "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "true"]
    try:
        return subprocess.run(probe, capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def sandbox_options(use_sandbox):
    """nbgrader options for `--sandbox auto|on|off` (the module docstring says why auto falls back)."""
    if use_sandbox == "off":
        return ["--LimitedExecute.use_sandbox=False"]
    if sandbox_works():
        return []
    if use_sandbox == "on":
        raise SystemExit("--sandbox on: bubblewrap cannot start its sandbox in this container")
    print("bubblewrap cannot start its sandbox in this container: grading without it, "
          "in this submission's own throw-away container")
    return ["--LimitedExecute.use_sandbox=False"]


def instructor_only_lines(source_dir):
    """Lines of solutions and hidden tests that appear nowhere a student can see them."""
    region = re.compile(r"### BEGIN (?:SOLUTION|HIDDEN TESTS)(.*?)### END (?:SOLUTION|HIDDEN TESTS)", re.S)
    secret, public = set(), set()
    for path in sorted(Path(source_dir).glob("*.ipynb")):
        for cell in notebooks.read(path).cells:
            for match in region.finditer(cell.source):
                secret.update(line.strip() for line in match.group(1).splitlines())
            public.update(line.strip() for line in region.sub("", cell.source).splitlines())
    # Short lines ("return x", "else:") are in every program and reveal nothing.
    return {line for line in secret - public if len(line) > 12}


def redact(text, secret):
    """The text without any line that quotes an instructor-only line."""
    return "\n".join("[line removed: it quotes the instructor's tests]"
                     if any(s in line for s in secret) else line for line in text.splitlines())


CELL_FRAME = re.compile(r"Cell In\[\d+\], line (\d+)")
NOT_ANSWERED = "NotImplementedError"  # the release's stub: the exercise was not attempted


@dataclasses.dataclass
class Failure:
    """A test cell that lost points: why, and in which part of the cell."""
    cell: str
    score: float
    max_score: float
    message: str
    part: str | None  # "visible" (a check the student has), "hidden", or None: cannot tell

    def __str__(self):
        where = {"visible": ", visible check", "hidden": ", hidden test"}.get(self.part, "")
        return f"{self.cell} ({self.score:g}/{self.max_score:g} points{where}): {self.message}"


def failure(name, cell, score, max_score):
    """The Failure of a test cell, read from its outputs in the autograded notebook.

    The part comes from the traceback's first frame, the test cell's own line: before the
    "### BEGIN HIDDEN TESTS" line, it is a visible check the student could run in the notebook.
    Only `ename: evalue` is kept: a traceback would quote the test's source.
    """
    for out in cell.get("outputs", []):
        if out.output_type == "error":
            frames = (CELL_FRAME.search(notebooks.ANSI.sub("", entry)) for entry in out.get("traceback", []))
            line = next((int(m.group(1)) for m in frames if m), None)
            lines = [text.strip() for text in cell.source.splitlines()]
            hidden = lines.index(notebooks.HIDDEN_DELIMITERS[0]) + 1 \
                if notebooks.HIDDEN_DELIMITERS[0] in lines else None
            part = None if line is None else "hidden" if hidden and line > hidden else "visible"
            message = f"{out.ename}: {out.evalue}" if out.evalue else out.ename
            if out.ename == NOT_ANSWERED and not out.evalue:
                message += " (not answered yet)"
            return Failure(name, score, max_score, message, part)
        if out.output_type == "stream" and out.name == "stderr":
            first = next((line for line in out.text.splitlines() if line.strip()), "")
            return Failure(name, score, max_score,
                           f"the cell wrote to stderr, which nbgrader counts as a failure: {first}", None)
    return Failure(name, score, max_score, f"partial credit ({score:g} of {max_score:g})", None)


@dataclasses.dataclass
class Exercise:
    """One exercise's result: its points, and why it lost some."""
    notebook: str
    name: str
    score: float
    max_score: float
    failures: list  # [Failure], one per test cell that lost points
    not_graded: str = ""  # why the exercise's notebook was not graded at all

    @property
    def title(self):
        return f"{self.notebook[:2]} {self.name}"

    @property
    def number(self):
        return f"{NOTEBOOKS.index(self.notebook) + 1}.{EXERCISES[self.notebook].index(self.name) + 1}"

    def output(self, secret):
        lines = [f"Not graded: {self.not_graded}"] if self.not_graded else [str(f) for f in self.failures]
        return redact("\n".join(lines), secret) or "All tests passed."

    @property
    def visible_failure(self):
        return next((f for f in self.failures if f.part == "visible"), None)

    @property
    def checked(self):
        """Could the visible checks be judged: graded, and every failure placed in its part?"""
        return not self.not_graded and all(f.part for f in self.failures)


def exercise_results(course, found):
    """An Exercise for every exercise of the spec, from the scratch course's gradebook and notebooks."""
    statuses = {s.notebook: s for s in grade.statuses(course).get(STUDENT, [])}
    results = []
    with Gradebook(f"sqlite:///{Path(course) / 'gradebook.db'}") as gb:
        for nb in NOTEBOOKS:
            max_scores = {c.name: c.max_score for c in gb.find_notebook(nb, ASSIGNMENT).grade_cells}
            try:
                scores = {g.name: g.score or 0.0 for g in gb.find_submission_notebook(nb, ASSIGNMENT, STUDENT).grades}
            except MissingEntry:  # no notebook of this submission was graded
                scores = {}
            status = statuses.get(nb)
            reason = not_graded_reason(nb, found, status)
            cells = {} if reason else {notebooks.grade_id(c): c for c in notebooks.read(
                Path(course) / "autograded" / STUDENT / ASSIGNMENT / f"{nb}.ipynb").cells}
            for exercise in EXERCISES[nb]:
                mine = [name for name in max_scores if exercise_of(name, nb) == exercise]
                failures = [failure(name, cells[name], scores.get(name, 0.0), max_scores[name])
                            for name in mine if cells and scores.get(name, 0.0) < max_scores[name]]
                results.append(Exercise(nb, exercise, sum(scores.get(name, 0.0) for name in mine),
                                        sum(max_scores[name] for name in mine), failures, reason))
    return results


def not_graded_reason(nb, found, status):
    """Why a notebook has no autograded copy, or "" when it has one."""
    if nb not in found:
        return f"{nb}.ipynb was not submitted."
    if status is None or status.state == "not graded":
        return f"{nb}.ipynb could not be graded; your instructor has the log."
    if status.state == "unreadable":
        return f"{nb}.ipynb could not be read ({status.detail})."
    return ""


def results_json(exercises, found, missing, ignored, statuses, seconds, secret):
    """The results.json object, following Gradescope's spec."""
    tests = [{"score": e.score, "max_score": e.max_score, "name": e.title, "number": e.number,
              "output": e.output(secret), "visibility": "after_published"} for e in exercises]
    return {"score": sum(t["score"] for t in tests), "execution_time": round(seconds),
            "output": redact(summary(exercises, found, missing, ignored, statuses), secret),
            "visibility": "visible", "stdout_visibility": "hidden", "tests": tests}


def summary(exercises, found, missing, ignored, statuses):
    """The top-level output students see at once: files, notebook problems, visible checks."""
    names = ", ".join(f"{nb}.ipynb" for nb in found) or "no notebook of this assignment"
    text = [f"Received: {names}."]
    if missing:
        text.append(f"Missing (their exercises score 0): {', '.join(f'{nb}.ipynb' for nb in missing)}.")
    if ignored:
        text.append(f"Ignored, not part of the assignment: {', '.join(ignored)}. Notebooks must keep "
                    f"their names: {', '.join(f'{nb}.ipynb' for nb in NOTEBOOKS)}.")
    for status in statuses:
        if status.notebook in found and status.state not in ("graded", "missing"):
            text.append(f"{status.notebook}.ipynb: {status.state}" + (f" ({status.detail})" if status.detail else "") + ".")
    submitted = [e for e in exercises if e.notebook in found]
    failing = [e for e in submitted if e.visible_failure]
    not_answered = [e for e in failing if e.visible_failure.message.startswith(NOT_ANSWERED)]
    wrong = [e for e in failing if e not in not_answered]
    unchecked = [e for e in submitted if not e.visible_failure and not e.checked]
    if submitted:
        passing = len(submitted) - len(failing) - len(unchecked)
        text.append(f"\nVisible checks (the tests in your notebook): {passing} of {len(submitted)} exercises pass them.")
    for e in wrong:
        text.append(f"- {e.title} fails: " + e.visible_failure.message.replace("\n", "\n    "))
    if not_answered:
        text.append(f"- Not answered yet: {', '.join(e.title for e in not_answered)}.")
    if unchecked:
        text.append(f"- Not checked here (see the messages when grades are published): "
                    f"{', '.join(e.title for e in unchecked)}.")
    text.append("\nHidden tests decide the grade: your score and a message per exercise appear when "
                "your instructor publishes the grades.")
    return "\n".join(text)


def run(root, course_files=None, use_sandbox="auto"):
    """Grade DIR/submission into DIR/results/results.json; return the results object."""
    start = time.monotonic()
    root = Path(root)
    course_files = Path(course_files) if course_files else root / "source"
    found, missing, ignored = find_notebooks(root / "submission")
    print(f"course files: {course_files}\nnotebooks found: {', '.join(map(str, found.values())) or 'none'}")
    extra = sandbox_options(use_sandbox)

    # A scratch nbgrader course: the course's config and source/, this submission as one student.
    course = root / "grading"
    shutil.rmtree(course, ignore_errors=True)
    new_course(course, repo=course_files)
    generate_release(course)
    folder = course / "submitted" / STUDENT / ASSIGNMENT
    folder.mkdir(parents=True)
    for nb, path in found.items():
        shutil.copy(path, folder / f"{nb}.ipynb")
    for nb, done in grade.autograde(course, force=True, extra=extra).items():
        if done.returncode != 0 and nb in found:
            print(f"nbgrader autograde --notebook={nb} failed:\n{done.stderr[-3000:]}")
    grade.review(course)  # statuses and the tamper scan: stdout is for the instructor

    exercises = exercise_results(course, found)
    secret = instructor_only_lines(course / "source" / ASSIGNMENT)
    statuses = grade.statuses(course).get(STUDENT, [])
    results = results_json(exercises, found, missing, ignored, statuses, time.monotonic() - start, secret)
    out = root / "results" / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"score {results['score']:g} / {sum(t['max_score'] for t in results['tests']):g}; wrote {out}")
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser("build", help="write the autograder zip to upload to Gradescope")
    build_cmd.add_argument("--out", default=str(REPO / "dist" / "gradescope.zip"))
    run_cmd = commands.add_parser("run", help="grade DIR/submission into DIR/results/results.json")
    run_cmd.add_argument("--root", default="/autograder", help="Gradescope's folder (default /autograder)")
    run_cmd.add_argument("--course", help="the course files (default: ROOT/source, the unpacked zip)")
    run_cmd.add_argument("--sandbox", choices=("auto", "on", "off"), default="auto",
                         help="auto: the bubblewrap sandbox when it can start, else without (default)")
    args = parser.parse_args(argv)
    if args.command == "build":
        print(f"wrote {build(args.out)}")
    else:
        run(args.root, args.course, args.sandbox)
    return 0


if __name__ == "__main__":
    sys.exit(main())
