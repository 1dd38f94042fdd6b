"""The one redaction takes nbgrader's configured markers, never the default strings.

Here the markers and the redaction, in memory; tests/examples/test_feedback_redaction.py grades a
course configured with other markers for real.
"""

from traitlets.config import Config

from coursekit.redaction import HIDDEN_NOTE, REDACTED, Markers, redact
from tests.support.other_markers import OTHER

CELL = "check(1)\n    # <<< SECRET CHECKS\ncheck_the_secret_case(2)\n# >>> SECRET CHECKS\ncheck(3)"


def test_markers_come_from_the_config():
    assert Markers.from_config() == Markers("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
    markers = Markers.from_config(Config(OTHER))
    assert markers.begin_hidden == "<<< SECRET CHECKS" and markers.end_solution == "## >>> MODEL ANSWER"
    assert markers.visible(CELL) == f"check(1)\n    {HIDDEN_NOTE}\ncheck(3)"
    assert markers.hidden_start(CELL) == 2
    assert markers.secret_lines([CELL]) == {"check_the_secret_case(2)"}
    # with nbgrader's default markers the same cell would show its secret
    assert "check_the_secret_case(2)" in Markers.from_config().visible(CELL)


def test_redact_replaces_only_lines_quoting_a_secret():
    text = "mine\n\x1b[31mcheck_the_secret_case(2)\x1b[0m\nmine too"
    assert redact(text, {"check_the_secret_case(2)"}) == f"mine\n{REDACTED}\nmine too"
    assert redact(text, set()) == text


