"""The one redaction: what of the instructor's cells a student may see, with nbgrader's own markers.

Contract:
- The markers are nbgrader's configured traits, never literal strings here:
  `ClearSolutions.begin_solution_delimeter` / `end_solution_delimeter` and
  `ClearHiddenTests.begin_test_delimeter` / `end_test_delimeter`, read from the config nbgrader
  loaded (`Markers.from_config(self.config)` inside a plugin) or from a course's
  nbgrader_config.py (`Markers.of_course(course)`). A line holds a marker when the marker is a
  substring of it, exactly as nbgrader's ClearSolutions and ClearHiddenTests decide.
- `visible(source)`: a test cell as released, the hidden region replaced by one note line.
- `secret_lines(sources)`: lines that only appear inside solution or hidden-test regions (long
  enough to mean something); `redact(text, secrets)` replaces every line quoting one of them.
  Student code shares the kernel with the tests and can print them, so every text shown to a
  student (feedback pages, Gradescope's results.json) goes through `redact`.
- `hidden_start(source)`: the 1-based line where a cell's hidden tests begin (None: no hidden
  part), so a failure can be placed in the visible or the hidden part of its cell.
"""

import dataclasses

from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions
from traitlets.config import Config

from .course import config_of
from .notebooks import ANSI, grade_id, is_solution

HIDDEN_NOTE = "# Hidden tests ran here too: their code is not shown, their failure messages are."
REDACTED = "[line of a hidden test removed]"
# Hidden lines this short ("else:", "])") give nothing away and could match ordinary output.
MIN_SECRET_LENGTH = 13


@dataclasses.dataclass(frozen=True)
class Markers:
    begin_solution: str
    end_solution: str
    begin_hidden: str
    end_hidden: str

    @classmethod
    def from_config(cls, config=None):
        """The markers nbgrader uses under `config` (a traitlets Config; None: nbgrader's defaults)."""
        solutions = ClearSolutions(config=config or Config())
        hidden = ClearHiddenTests(config=config or Config())
        return cls(solutions.begin_solution_delimeter, solutions.end_solution_delimeter,
                   hidden.begin_test_delimeter, hidden.end_test_delimeter)

    @classmethod
    def of_course(cls, course):
        """The markers configured in course/nbgrader_config.py (nbgrader's defaults without one)."""
        return cls.from_config(config_of(course))

    def split(self, source):
        """(visible lines, with HIDDEN_NOTE where a hidden region was; lines inside any region)."""
        visible, secret, inside = [], [], None
        for line in source.splitlines():
            if inside is None and self.begin_hidden in line:
                inside = self.end_hidden
                visible.append(line[:len(line) - len(line.lstrip())] + HIDDEN_NOTE)
            elif inside is None and self.begin_solution in line:
                inside = self.end_solution
            elif inside is not None and inside in line:
                inside = None
            else:
                (secret if inside else visible).append(line)
        return visible, secret

    def visible(self, source):
        return "\n".join(self.split(source)[0])

    def secret_lines(self, sources):
        """Lines found only inside solution or hidden-test regions of these sources."""
        secret, public = set(), set()
        for source in sources:
            shown, hidden = self.split(source)
            public.update(line.strip() for line in shown)
            secret.update(line.strip() for line in hidden)
        return {line for line in secret - public if len(line) >= MIN_SECRET_LENGTH}

    def hidden_start(self, source):
        lines = source.splitlines()
        return next((i for i, line in enumerate(lines, 1) if self.begin_hidden in line), None)


def redact(text, secrets, replacement=REDACTED):
    """The text with every line that quotes a secret line replaced (colour codes ignored)."""
    if not secrets:
        return text
    return "\n".join(replacement if any(s in ANSI.sub("", line) for s in secrets) else line
                     for line in text.split("\n"))


# ---------------------------------------------------------------- the instructor's solutions


def without_delimiters(source, markers):
    """A source solution cell as a student who solved it would write it."""
    return "\n".join(line for line in source.splitlines()
                     if markers.begin_solution not in line and markers.end_solution not in line)


def reference_solutions(source_nb, markers=None):
    """grade_id -> the instructor's solution, for every solution cell of a source notebook.

    markers: Markers (default: nbgrader's default markers).
    """
    markers = markers or Markers.from_config()
    return {grade_id(c): without_delimiters(c.source, markers) for c in source_nb.cells if is_solution(c)}
