"""The environment set-up installs: what requirements.txt pins, and nothing it leaves out on purpose."""

import subprocess
import sys

import pytest

from devtools.scratch import REPO

REQUIREMENTS = REPO / "requirements.txt"


def pins():
    lines = (line.split("#")[0].strip() for line in REQUIREMENTS.read_text().splitlines())
    return dict(line.split("==") for line in lines if line)


def test_importing_nbformat_does_not_build_jsonschemas_iri_parsers():
    # rfc3987-syntax builds 38 parsers when imported, 1.5 s in every nbgrader command; jsonschema
    # imports it whenever it is installed (see requirements.txt).
    loaded = subprocess.run([sys.executable, "-c", "import sys, nbformat; print(sorted(m for m in sys.modules "
                             "if m.split('.')[0] in ('rfc3987_syntax', 'lark')))"],
                            capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"


def test_importing_nbgrader_does_not_import_pkg_resources():
    # nbgrader imports setuptools; the pinned one does without pkg_resources, 0.15 s of every nbgrader
    # command (see requirements.txt).
    loaded = subprocess.run([sys.executable, "-c", "import sys, nbgrader.apps; print('pkg_resources' in sys.modules)"],
                            capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "False"


@pytest.mark.parametrize("package", ["nbgrader", "numpy", "sympy", "jsonschema", "nbclient", "setuptools"])
def test_the_installed_version_is_the_pinned_one(package):
    from importlib.metadata import version

    assert version(package) == pins()[package]
