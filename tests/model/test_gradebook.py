"""A new gradebook made by coursekit.course.new_gradebook is the one nbgrader's Gradebook makes (its
tables and alembic's version), and nbgrader then opens it without starting `alembic heads`."""

import shutil
import sqlite3

import pytest
from nbgrader import api
from nbgrader.api import Gradebook

from coursekit.course import new_gradebook


@pytest.fixture(scope="module")
def nbgraders_gradebook(tmp_path_factory):
    """A gradebook nbgrader's Gradebook made, asking `alembic heads` (2 s): once for the module."""
    path = tmp_path_factory.mktemp("nbgrader") / "gradebook.db"
    Gradebook(f"sqlite:///{path}").close()
    return path


def contents(path):
    """Every table's definition, and the rows of alembic's version table."""
    with sqlite3.connect(path) as db:
        schema = sorted(db.execute("SELECT type, name, sql FROM sqlite_master"))
        return schema, db.execute("SELECT version_num FROM alembic_version").fetchall()


def test_a_new_gradebook_is_the_one_nbgrader_makes(nbgraders_gradebook, tmp_path, monkeypatch):
    new_gradebook(f"sqlite:///{tmp_path / 'ours.db'}")
    assert contents(tmp_path / "ours.db") == contents(nbgraders_gradebook)
    assert contents(tmp_path / "ours.db")[1] != []

    def no_alembic():
        raise AssertionError("nbgrader asked alembic for the version of a gradebook that has one")

    monkeypatch.setattr(api, "get_alembic_version", no_alembic)
    with Gradebook(f"sqlite:///{tmp_path / 'ours.db'}") as gb:
        gb.add_student("ada")


@pytest.mark.parametrize("maker", ["nbgrader", "coursekit"])
def test_an_existing_gradebook_is_left_as_it_is(nbgraders_gradebook, tmp_path, maker):
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    if maker == "nbgrader":
        shutil.copyfile(nbgraders_gradebook, tmp_path / "gradebook.db")
    else:
        new_gradebook(url)
    with Gradebook(url) as gb:
        gb.add_student("ada")
    new_gradebook(url)
    with Gradebook(url) as gb:
        assert [s.id for s in gb.students] == ["ada"]
    assert len(contents(tmp_path / "gradebook.db")[1]) == 1
