"""Feedback pages students can use: their points and failure messages, never the hidden tests.

`nbgrader generate_feedback` renders the autograded notebook as it is, so every test cell shows
its hidden tests (nbgrader issue #917) and every traceback quotes the lines around the failing
statement, hidden ones included. Two preprocessors, added to nbgrader's own list for
GenerateFeedback in nbgrader_config.py, make the page safe to hand out and quicker to read:

- `HideHiddenTests`: each of the instructor's test cells shows what the student's release showed:
  its source from the gradebook with the hidden region replaced by one comment line. An error
  shows its message (`ename: evalue`; checks.py words it to say what was expected, what came back
  and the likely slip) followed by the traceback frames in the student's own cells only: the
  frames in test cells and in checks.py are dropped. Any output line quoting a hidden test is
  replaced by a note too: student code runs in the same kernel as the tests and can print them
  (IPython keeps every executed cell in `In`).
- `ExerciseSummary`: a table at the top: per exercise the points earned, the maximum, a status
  and the first failure message, each exercise linked to the student's answer below.

Solutions cannot leak: the autograded notebook's solution cells hold the student's own code, and
nbgrader's gradebook stores only the release stubs of solution cells.

Wiring: nbgrader_config.py sets `c.GenerateFeedback.preprocessors` to PREPROCESSORS below
(nbgrader's default list, GetGrades then CSSHTMLHeaderPreprocessor, with these two in between:
after GetGrades, which puts the scores in the cells' metadata).
"""

import html

from nbformat.v4 import new_markdown_cell
from nbgrader import utils
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import List

from .ledger import reason_of
from .notebooks import ANSI, CELL_FRAME
from .redaction import HIDDEN_NOTE, REDACTED, Markers, redact  # noqa: F401 - re-exported for tests
from .results import notebook_from_cells
from .spec import EXERCISES

PREPROCESSORS = [
    "nbgrader.preprocessors.GetGrades",
    "coursekit.feedback.HideHiddenTests",
    "coursekit.feedback.ExerciseSummary",
    "coursekit.feedback_page.PlainFeedback",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# IPython names a frame in a notebook cell "Cell In[<execution count>], line <n>".


class FeedbackPreprocessor(NbGraderPreprocessor):
    """An nbgrader preprocessor for GenerateFeedback. nbgrader's base class redeclares NbConvertBase's
    display_data_priority without tagging it config=True, so every such preprocessor made traitlets warn
    "Config option `display_data_priority` not recognized" on every page (the HTML exporter sets that
    option for NbConvertBase). Declared configurable again here, as nbgrader's own GetGrades does."""

    display_data_priority = List(NbGraderPreprocessor.display_data_priority.default_value,
                                 help="Output types by priority (nbconvert's setting; unused here)").tag(config=True)


def is_test_cell(cell):
    return cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell)


class HideHiddenTests(FeedbackPreprocessor):
    """Show each test cell as released, errors as their message plus the student's own frames."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gb:
            source_cells = {cell.name: cell.source
                            for cell in gb.find_notebook(info["notebook"], info["assignment"]).source_cells}
        # The markers nbgrader itself uses under this course's configuration.
        self.markers = markers_of(self.config)
        self.secret_lines = self.markers.secret_lines(source_cells.values())
        # The student's own cells: the only ones whose traceback frames are shown.
        self.student_runs = {cell.execution_count for cell in nb.cells
                             if cell.cell_type == "code" and cell.get("execution_count") is not None
                             and not is_test_cell(cell)}
        for cell in nb.cells:
            if is_test_cell(cell):
                instructor_source = source_cells.get(cell.metadata.nbgrader.get("grade_id"))
                cell.source = self.markers.visible(instructor_source if instructor_source is not None else cell.source)
            if cell.cell_type == "code":
                cell.outputs = [self.clean_output(out) for out in cell.outputs]
        return nb, resources

    def redact(self, text):
        return redact(text, self.secret_lines)

    def clean_output(self, out):
        if out.output_type == "stream":
            out.text = self.redact(out.text)
        elif out.output_type == "error":
            out.evalue = self.redact(out.evalue)
            out.traceback = [self.redact(part) for part in self.readable_traceback(out)]
        elif "data" in out:
            for mime, value in out.data.items():
                if isinstance(value, str):
                    out.data[mime] = self.redact(value)
        return out

    def readable_traceback(self, out):
        """The message first, then the frames in the student's own cells, as IPython prints them."""
        mine = [part for part in out.traceback
                if (match := CELL_FRAME.match(ANSI.sub("", part).lstrip())) and int(match[1]) in self.student_runs]
        message = [f"\x1b[31m{out.ename}\x1b[39m: {out.evalue}"]
        if mine:
            message.append("\nWhere it happened in your code:")
        return message + mine


class ExerciseSummary(FeedbackPreprocessor):
    """A table at the top of the page: per exercise the points, a status and what went wrong first."""

    def preprocess(self, nb, resources):
        notebook = resources["nbgrader"]["notebook"]
        if notebook not in EXERCISES:
            self.log.warning("%s is not in coursekit.spec: no exercise summary", notebook)
            return nb, resources
        scores = {cell.metadata.nbgrader["grade_id"]: (float(cell.metadata.nbgrader.get("score") or 0),
                                                       float(cell.metadata.nbgrader.get("points") or 0))
                  for cell in nb.cells if utils.is_grade(cell)}  # GetGrades put them there
        info = resources["nbgrader"]
        result = notebook_from_cells(notebook, nb.cells, scores, markers_of(self.config),
                                     late_penalty=float(info.get("late_penalty") or 0),  # set by GetGrades
                                     withheld=withheld_reason(info, CourseDirectory(config=self.config).root))
        nb.cells.insert(0, new_markdown_cell(summary_html(result, answer_errors(nb.cells))))
        return nb, resources


def withheld_reason(info, course):
    """Why this notebook's grade is withheld for review ("" when it is not), as the results model
    reads it: nbgrader's needs_manual_grade on its grades, the reason from the ledger."""
    try:
        with Gradebook(info["db_url"]) as gb:
            grades = gb.find_submission_notebook(info["notebook"], info["assignment"], info["student"]).grades
            doubtful = any(g.needs_manual_grade for g in grades)
    except (KeyError, MissingEntry):
        return ""
    return reason_of(course, info["student"], info["notebook"]) if doubtful else ""


def markers_of(config):
    """The hidden-test and solution markers under `config`. Only the two sections that define them are
    handed on: the exporter's full config also holds NbConvertBase.display_data_priority, which
    ClearHiddenTests (an NbGraderPreprocessor) does not take as a setting, and traitlets warned about
    it on every page ("Config option `display_data_priority` not recognized by `ClearHiddenTests`")."""
    from traitlets.config import Config

    return Markers.from_config(Config({name: config[name] for name in ("ClearSolutions", "ClearHiddenTests")
                                       if name in config}))


def answer_errors(cells):
    """exercise -> the error its own answer cell stopped with (a SyntaxError, say), NotImplementedError aside.

    Such an answer defines nothing, so every test of the exercise fails on a name that does not exist;
    the page says why instead."""
    errors = {}
    for cell in cells:
        if cell.cell_type == "code" and utils.is_solution(cell):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error" and out.get("ename") != "NotImplementedError":
                    name = cell.metadata.get("nbgrader", {}).get("grade_id")
                    evalue = (out.get("evalue") or "").strip()
                    errors[name] = f"{out.get('ename', 'Error')}" + (f": {evalue}" if evalue else "")
    return errors


def first_lines(message, limit=600):
    """The message up to its first blank line (a traceback follows there: the cell below shows it)."""
    head = message.split("\n\n", 1)[0].strip()
    if len(head) > limit:
        head = head[:limit].rsplit(" ", 1)[0] + " ..."
    return head + (" (more in the cell below)" if head != message.strip() else "")


STATUS_STYLE = {"full marks": "#dff0d8", "partly right": "#fcf8e3", "no points": "#f2dede",
                "not answered": "#eeeeee"}


def summary_html(result, answer_errors=None):
    """The summary of a NotebookResult as one HTML block (no blank line inside: markdown would end the
    block there): the points per exercise, the late penalty, the final score, and a withheld grade
    said to be under review.

    answer_errors: exercise -> the error its answer cell stopped with; shown as the first problem."""
    rows = result.exercises
    def cell(text, style=""):
        return f"<td style='padding:4px 8px;vertical-align:top;{style}'>{text}</td>"

    lines = ["<div class='exercise-summary'>",
             # Failure messages are long single lines: wrap them instead of scrolling sideways. nbgrader's
             # list of anonymous "Test cell (Score ...)" links above the notebook is what this table
             # says better: hidden, except its late-penalty line.
             "<style>div.output_error pre, div.output_stderr pre { white-space: pre-wrap; } "
             "#toc li:not(.late-penalty) { display: none; }</style>",
             "<h3>Your results, exercise by exercise</h3>",
             "<p>Click an exercise to see your answer and the tests below it. Test cells show the checks "
             "you had while working; hidden tests ran too: their code is not shown, but their failure "
             "messages are.</p>",
             "<table class='table table-condensed' style='width:100%;font-size:14px'>",
             "<thead><tr><th>Exercise</th><th style='text-align:right'>Points</th>"
             "<th style='text-align:right'>Max</th><th>Status</th><th>First problem found</th></tr></thead>",
             "<tbody>"]
    for name, row in rows.items():
        state, first = row.status, first_lines(row.first_problem)
        if (answer_errors or {}).get(name) and row.score < row.max_score:
            first = (f"Your answer's cell stopped with {first_lines(answer_errors[name])}, so nothing in it is "
                     "defined and its tests could not use it. Run that cell and fix the line its error names.")
        lines.append(
            f"<tr style='background:{STATUS_STYLE[state]}'>"
            + cell(f"<a href='#comment-{name}'><code>{name}</code></a>")
            + cell(f"{row.score:g}", "text-align:right") + cell(f"{row.max_score:g}", "text-align:right")
            + cell(state, "white-space:nowrap")
            + cell(html.escape(first).replace("\n", "<br>"), "font-size:13px") + "</tr>")
    if result.late_penalty:
        lines.append(f"<tr style='color:#a94442'><td>Late submission penalty</td>"
                     f"<td style='text-align:right'>-{result.late_penalty:g}</td><td colspan='3'></td></tr>")
    under_review = " (under review)" if result.withheld else ""
    lines += [f"<tr><th>Total{under_review}</th><th style='text-align:right'>{result.final_score:g}</th>"
              f"<th style='text-align:right'>{result.max_score:g}</th><th colspan='2'></th></tr>",
              "</tbody></table>"]
    if result.withheld:
        lines.append("<p class='under-review' style='color:#8a6d3b'><strong>Your grade for this notebook is under "
                     "review:</strong> an instructor reads it before it counts. The points above are what the "
                     "tests gave.</p>")
    lines.append("</div>")
    return "\n".join(lines)
