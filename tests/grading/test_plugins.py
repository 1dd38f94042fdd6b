"""coursekit.grading.plugins.check_cell_metadata.CheckCellMetadata judges every notebook as nbgrader's own does."""

import copy

import jsonschema
import pytest
from nbgrader import preprocessors as nbgrader_preprocessors
from nbgrader.nbgraderformat import MetadataValidator

from coursekit import notebooks
from coursekit.grading.plugins import check_cell_metadata
from coursekit.spec import ASSIGNMENT, NOTEBOOKS
from devtools.scratch import REPO


def release(name):
    return notebooks.read(REPO / "release" / ASSIGNMENT / f"{name}.ipynb")


def graded_cells(nb):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]


def break_points(nb):
    graded_cells(nb)[0].metadata.nbgrader.points = "ten"  # the schema wants a number


def drop_points(nb):
    del graded_cells(nb)[0].metadata.nbgrader["points"]


def duplicate_id(nb):
    cells = graded_cells(nb)
    cells[1].metadata.nbgrader.grade_id = cells[0].metadata.nbgrader.grade_id


def old_schema(nb):
    graded_cells(nb)[0].metadata.nbgrader.schema_version = 1


def new_schema(nb):
    graded_cells(nb)[0].metadata.nbgrader.schema_version = 99


def unknown_key_type(nb):
    graded_cells(nb)[0].metadata.nbgrader.grade = "yes"


def no_change(nb):
    pass


def outcome(preprocessor, nb):
    try:
        preprocessor.preprocess(copy.deepcopy(nb), {})
    except Exception as error:  # noqa: BLE001 - the outcome compared is the exception itself
        return type(error).__name__, str(error).splitlines()[0]
    return "valid", ""


@pytest.mark.parametrize("damage", [no_change, break_points, drop_points, duplicate_id, old_schema, new_schema,
                                    unknown_key_type])
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_the_same_verdict_and_message_as_nbgraders(name, damage):
    nb = release(name)
    damage(nb)
    ours = outcome(check_cell_metadata.CheckCellMetadata(), nb)
    assert ours == outcome(nbgrader_preprocessors.CheckCellMetadata(), nb)
    assert (ours[0] == "valid") == (damage is no_change)


def test_the_schema_is_not_checked_again_per_cell(monkeypatch):
    check_cell_metadata.CheckCellMetadata().preprocess(release(NOTEBOOKS[0]), {})  # compiled once, here at the latest
    checked = []
    schema_class = jsonschema.validators.validator_for(MetadataValidator().schema)
    monkeypatch.setattr(schema_class, "check_schema", classmethod(lambda cls, schema: checked.append(schema)))
    check_cell_metadata.CheckCellMetadata().preprocess(release(NOTEBOOKS[0]), {})
    assert checked == []
    nbgrader_preprocessors.CheckCellMetadata().preprocess(release(NOTEBOOKS[0]), {})
    assert checked, "nbgrader's own checks the schema per cell: the patch above must see that"
