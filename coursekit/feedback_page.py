"""The feedback page as a student reads it: no empty-comment noise, no exception class names, maths offline.

`PlainFeedback` runs last among GenerateFeedback's preprocessors (nbgrader_config.py):

- nbgrader's autograde stores the comment "No response." on every solution cell the student left
  as released; the feedback page prints it as "Comments: No response.", which students read as a
  teacher's missing remark.  On auto-graded answers (solution cells without manual points) that
  comment is dropped; the points table already says "not answered yet".
- The failure messages of checks.py are written for students; the exception class that carries
  them ("CheckFailed: ...") is noise and is dropped from the start of the message.
- The page's maths: nbgrader's template loads MathJax 2 from a CDN, so a page opened offline shows
  raw LaTeX.  The template `offline_feedback` (coursekit/templates) inlines MathJax 3 instead, from
  the pinned package django-static-mathjax (the plain MathJax distribution, no Django needed);
  this preprocessor hands its tex-svg.js to the template.  SVG output carries its own glyphs, so
  the page needs no font files and no network.

`FeedbackPageExporter` (nbgrader_config.py's `GenerateFeedback.exporter_class`) renders the page as
nbconvert's HTMLExporter does, without the pass that has nothing to do on most feedback pages (below).
"""

import copy
import functools
import importlib.resources
import os

import nbgrader
from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbgrader import utils
from traitlets import Unicode

from .feedback import FeedbackPreprocessor

AUTO_COMMENT = "No response."  # nbgrader.preprocessors.SaveAutoGrades
# What HTMLExporter's last pass looks for: images (alt text) and JupyterLab-template cells (tabindex).
SOUP_PASS_TARGETS = ("<img", "jp-notebook")
CHECK_PREFIXES = ("\x1b[31mCheckFailed\x1b[39m: ", "CheckFailed: ")
TEMPLATE_BASEDIRS = [
    os.path.join(os.path.dirname(nbgrader.__file__), "server_extensions", "formgrader", "templates"),
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates"),
]


@functools.cache
def mathjax_source(bundle):
    """The text of one MathJax 3 component from the installed package, safe inside a <script> element."""
    text = (importlib.resources.files("mathjax") / "static" / "mathjax" / "es5" / bundle).read_text(encoding="utf-8")
    return text.replace("</script", "<\\/script")


class PlainFeedback(FeedbackPreprocessor):
    """Drop "No response." on auto-graded answers and "CheckFailed:" before messages; provide MathJax."""

    mathjax_bundle = Unicode(
        "tex-svg.js", help="The MathJax 3 component (in the package's es5 folder) inlined in every page."
    ).tag(config=True)

    def preprocess(self, nb, resources):
        for cell in nb.cells:
            grading = cell.metadata.get("nbgrader", {})
            if utils.is_solution(cell) and not utils.is_grade(cell) and grading.get("comment") == AUTO_COMMENT:
                del grading["comment"]
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error" and out.get("ename") == "CheckFailed":
                    out.traceback = [self.without_prefix(part) for part in out.traceback]
        resources["offline_mathjax"] = mathjax_source(self.mathjax_bundle)
        return nb, resources

    @staticmethod
    def without_prefix(text):
        for prefix in CHECK_PREFIXES:
            if text.startswith(prefix):
                return text[len(prefix):]
        return text


class FeedbackPageExporter(HTMLExporter):
    """HTMLExporter, without its BeautifulSoup pass where that pass would change nothing.

    After rendering its template, HTMLExporter parses the whole page with BeautifulSoup to give an
    alt text to images that have none and a tabindex to the cells of JupyterLab templates, and writes
    the page out again. On a feedback page that pass costs more than the rendering (0.9 of 1.7 s),
    yet nbgrader's feedback template derives from the classic one (no JupyterLab cells) and a page of
    this course rarely holds an image. So the page is rendered as HTMLExporter renders it; if it
    holds anything the pass acts on (SOUP_PASS_TARGETS, in any case), HTMLExporter renders it again,
    pass included. Either way a browser reads the page nbconvert would write.
    """

    def from_notebook_node(self, nb, resources=None, **kw):
        pristine = copy.deepcopy(resources)  # rendering changes resources; a second render starts anew
        html, out = self._render_without_soup_pass(nb, resources, **kw)
        lowered = html.lower()
        if any(target in lowered for target in SOUP_PASS_TARGETS):
            return super().from_notebook_node(nb, pristine, **kw)
        return html, out

    def _render_without_soup_pass(self, nb, resources, **kw):
        # HTMLExporter.from_notebook_node (nbconvert 7.17, pinned) up to its BeautifulSoup pass.
        language = nb.metadata.get("language_info", {})
        lexer = language.get("pygments_lexer", language.get("name", None))
        highlight_code = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
        resources = self._init_resources(resources)
        data_types = WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources)
        self.register_filter("highlight_code", highlight_code)
        self.register_filter("filter_data_type", data_types)
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)
