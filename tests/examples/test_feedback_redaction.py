"""The one redaction takes nbgrader's configured markers, never the default strings.

The slow test builds a scratch course whose source marks hidden tests and solutions with other
markers, configured in its nbgrader_config.py as nbgrader documents
(ClearHiddenTests.begin_test_delimeter, ClearSolutions.begin_solution_delimeter); after a real
autograde and generate_feedback, the feedback page still hides every hidden test.
"""

import json

import pytest
from bs4 import BeautifulSoup

from coursekit import feedback, notebooks
from coursekit.course import generate_release, nbgrader
from coursekit.redaction import HIDDEN_NOTE, Markers
from coursekit.spec import ASSIGNMENT
from devtools.scratch import new_course
from tests.support.other_markers import OTHER, RENAMED


@pytest.mark.slow
def test_feedback_hides_hidden_tests_marked_with_configured_markers(tmp_path):
    course = new_course(tmp_path / "course")
    for path in (course / "source" / ASSIGNMENT).glob("*.ipynb"):
        text = path.read_text(encoding="utf-8")
        for old, new in RENAMED.items():
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
    with open(course / "nbgrader_config.py", "a", encoding="utf-8") as config:
        for section, traits in OTHER.items():
            for trait, value in traits.items():
                config.write(f"c.{section}.{trait} = {value!r}\n")
    nb = "02_matrix_operations"
    release = generate_release(course)
    released = (release / f"{nb}.ipynb").read_text(encoding="utf-8")
    assert "SECRET CHECKS" not in released and "MODEL ANSWER" not in released, "nbgrader used the markers"
    submission = course / "submitted" / "dana" / ASSIGNMENT
    submission.mkdir(parents=True)
    (submission / f"{nb}.ipynb").write_text(released, encoding="utf-8")
    nbgrader("autograde", ASSIGNMENT, f"--notebook={nb}", cwd=course)
    nbgrader("generate_feedback", ASSIGNMENT, "--force",
             f"--GenerateFeedback.preprocessors={json.dumps(feedback.PREPROCESSORS)}", cwd=course)
    text = BeautifulSoup((course / "feedback" / "dana" / ASSIGNMENT / f"{nb}.html").read_text(encoding="utf-8"),
                         "html.parser").get_text()

    source = notebooks.read(course / "source" / ASSIGNMENT / f"{nb}.ipynb")
    tests = [c.source for c in source.cells if notebooks.is_test(c) and not notebooks.is_solution(c)]
    secrets = Markers.of_course(course).secret_lines(tests)
    assert len(secrets) > 10, "the scratch source has hidden tests under the other markers"
    assert HIDDEN_NOTE in text
    assert "SECRET CHECKS" not in text
    # a hidden test's line that the release also shows (a hint, a stub) is no secret
    assert not sorted(line for line in secrets if line in text and line not in released)
