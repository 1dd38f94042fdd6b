"""The recorded results model is still what grading the example students gives (the quick tests in
tests/model/test_results.py render from the recording, devtools/record_results.py writes it)."""

import json

import pytest

from coursekit import results
from devtools.record_results import RECORDED, recordable


@pytest.mark.slow
def test_grading_the_examples_gives_the_recorded_model(graded_examples):
    fresh = recordable(results.course_results(graded_examples))
    assert fresh == json.loads((RECORDED / "results.json").read_text(encoding="utf-8")), \
        "the model changed: if on purpose, run python -m devtools.record_results"
