"""The feedback page's exporter writes the page nbconvert's HTMLExporter writes, without its costly last pass.

Both exporters are built as `nbgrader generate_feedback` builds its own (GenerateFeedback with the
course's nbgrader_config.py), in this process, and render the same notebook: the start of release
notebook 02 with the outputs a graded notebook holds (printed text, a check's error with its ANSI
colours, an HTML table).
"""

import base64

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbconvert.exporters import HTMLExporter, html
from nbgrader.converters import GenerateFeedback
from nbgrader.coursedir import CourseDirectory

from coursekit import feedback_page, notebooks
from coursekit.course import config_of
from coursekit.spec import ASSIGNMENT
from devtools.scratch import REPO

PIXEL = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")).decode()


@pytest.fixture(scope="module")
def converter():
    config = config_of(REPO)
    coursedir = CourseDirectory(config=config)
    coursedir.root = str(REPO)
    return GenerateFeedback(coursedir=coursedir, config=config)


@pytest.fixture(scope="module")
def exporters(converter):
    """{exporter class: an instance configured as GenerateFeedback configures its own} (made once: each
    compiles the templates)."""
    made = {}
    for cls in (HTMLExporter, feedback_page.FeedbackPageExporter):
        made[cls] = cls(parent=converter, config=converter.config)
        made[cls].register_preprocessor(feedback_page.PlainFeedback(parent=converter, config=converter.config),
                                        enabled=True)
    return made


def graded_looking(*extra_cells):
    nb = notebooks.read(REPO / "release" / ASSIGNMENT / "02_matrix_operations.ipynb")
    nb.cells = nb.cells[:14]
    code = next(cell for cell in nb.cells if cell.cell_type == "code")
    code.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="shape (2, 3) <b>not bold</b> & more\n"),
        nbformat.v4.new_output("error", ename="CheckFailed", evalue="expected (3, 2)",
                               traceback=["\x1b[31mCheckFailed\x1b[39m: expected (3, 2), got (2, 3)"]),
        nbformat.v4.new_output("display_data", data={"text/html": "<table><tr><td>1</td></tr></table>"}),
    ]
    nb.cells.extend(extra_cells)
    for cell in nb.cells:  # what autograde and GetGrades leave for the template
        if notebooks.meta(cell).get("grade"):
            cell.metadata.nbgrader["score"] = 0
    return nb


def render(exporters, cls, nb):
    """(page, resources), with the resources nbgrader's converter and GetGrades give the template."""
    grades = {"notebook": "02_matrix_operations", "score": 3.0, "max_score": 35.0, "late_penalty": 0.0}
    return exporters[cls].from_notebook_node(nb, {"nbgrader": grades})


def test_the_configured_exporter_is_this_one(converter):
    assert converter.exporter_class is feedback_page.FeedbackPageExporter


def test_a_page_without_images_is_htmlexporters_page_without_its_reparse(exporters, monkeypatch):
    nb = graded_looking()
    expected, _ = render(exporters, HTMLExporter, nb)

    def no_soup(*args, **kwargs):
        raise AssertionError("the page was parsed again with BeautifulSoup")

    monkeypatch.setattr(html, "BeautifulSoup", no_soup)
    page, resources = render(exporters, feedback_page.FeedbackPageExporter, nb)
    assert str(BeautifulSoup(page, "html.parser")) == expected  # the same document, as a browser reads it
    assert "CheckFailed" not in page and "&lt;b&gt;not bold&lt;/b&gt;" in page and "<td>1</td>" in page
    assert resources["output_extension"] == ".html"


@pytest.mark.parametrize("where", ["an image output", "an image in the text", "an image in an HTML output"])
def test_a_page_with_an_image_is_exactly_htmlexporters(exporters, where):
    cell = {
        "an image output": nbformat.v4.new_code_cell("plot()", outputs=[
            nbformat.v4.new_output("display_data", data={"image/png": PIXEL})]),
        "an image in the text": nbformat.v4.new_markdown_cell(f"A plot: ![](data:image/png;base64,{PIXEL})"),
        "an image in an HTML output": nbformat.v4.new_code_cell("show()", outputs=[
            nbformat.v4.new_output("display_data", data={"text/html": f"<IMG src='data:image/png;base64,{PIXEL}'>"})]),
    }[where]
    nb = graded_looking(cell)
    expected, _ = render(exporters, HTMLExporter, nb)
    page, _ = render(exporters, feedback_page.FeedbackPageExporter, nb)
    assert page == expected
    images = BeautifulSoup(page, "html.parser").find_all("img")
    assert images and all(image.has_attr("alt") for image in images)  # HTMLExporter's pass ran
