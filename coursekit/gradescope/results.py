"""Gradescope's results.json from the scratch course's gradebook and autograded notebooks.

One test per exercise of coursekit.spec, named "<notebook number> <exercise>" ("03 softmax"),
numbered "<notebook>.<exercise>", scored with the sum of that exercise's test cells in the
gradebook; its output lists each test cell that lost points with its error (`ename: evalue`,
never a traceback, so never test source), and whether the visible or the hidden part of the cell
failed.  All output is plain text (`output_format: "text"`): Gradescope's default
"simple_format" would read `<lambda>` or `<class 'float'>` in a message as HTML and swallow it.

Visibility: every exercise's score includes hidden tests, so every test is "after_published";
the top level is "visible" and says at once what a student can act on before the deadline
(notebooks received, missing, ignored; exercises failing their *visible* checks); stdout
(nbgrader's log, statuses, the tamper scan) is "hidden": Gradescope shows it to instructors only.
"""

import dataclasses
import re
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from .. import grade, notebooks
from ..spec import ASSIGNMENT, EXERCISES, NOTEBOOKS, exercise_of

STUDENT = "student"  # the scratch course grades one submission: its student needs no real name
TEXT = "text"


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
              "output": e.output(secret), "output_format": TEXT, "visibility": "after_published"} for e in exercises]
    return {"score": sum(t["score"] for t in tests), "execution_time": round(seconds),
            "output": redact(summary(exercises, found, missing, ignored, statuses), secret),
            "output_format": TEXT, "test_output_format": TEXT, "test_name_format": TEXT,
            "visibility": "visible", "stdout_visibility": "hidden", "tests": tests}


def failure_results(seconds):
    """results.json when grading itself failed (not the student's notebooks): a clear message, no score
    to trust; the traceback is in stdout, for the instructor."""
    return {"score": 0.0, "execution_time": round(seconds), "output_format": TEXT,
            "output": "The autograder failed before it could grade your submission; this is not a grade. "
                      "Your instructor can see why in the autograder's log: please tell them, and resubmit "
                      "when they say so.",
            "visibility": "visible", "stdout_visibility": "hidden", "tests": []}


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
