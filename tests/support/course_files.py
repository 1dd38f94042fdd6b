"""The course's own notebooks as the tests read them: source and release, their worth, their secrets."""

import re

from coursekit import notebooks
from coursekit.spec import ASSIGNMENT
from devtools.scratch import REPO

SOURCE = REPO / "source" / ASSIGNMENT
RELEASE = REPO / "release" / ASSIGNMENT


def source_nb(name):
    return notebooks.read(SOURCE / f"{name}.ipynb")


def release_nb(name):
    return notebooks.read(RELEASE / f"{name}.ipynb")


def max_score(name):
    """What notebook `name` is worth: the points of its test cells in the source."""
    return sum(float(notebooks.meta(c).get("points", 0)) for c in source_nb(name).cells if notebooks.is_test(c))


def secret_and_public_lines(nb):
    """Lines only the instructor may see (solutions, hidden tests) and lines students see anyway."""
    secret, public = set(), set()
    region = re.compile(r"### BEGIN (SOLUTION|HIDDEN TESTS)(.*?)### END (SOLUTION|HIDDEN TESTS)", re.S)
    for cell in nb.cells:
        for match in region.finditer(cell.source):
            secret.update(line.strip() for line in match.group(2).splitlines())
        public.update(line.strip() for line in region.sub("", cell.source).splitlines())
    return {line for line in secret - public if len(line) > 12}, public
