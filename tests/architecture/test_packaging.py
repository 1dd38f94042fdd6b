"""The package says what it needs: every library it imports is a declared dependency, and every
declared dependency is pinned in requirements.txt (scripts/setup.sh installs exactly those pins).
scripts/test.sh lints with ruff before the tests run."""

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from devtools.scratch import REPO
from tests.architecture.test_environment import pins
from tests.architecture.test_layers import MODULES

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def normalized(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement):
    return normalized(re.split(r"[\[=<>!~ ;]", requirement, maxsplit=1)[0])


def third_party_imports():
    """The top-level modules that coursekit imports and that neither the standard library nor coursekit provide."""
    found = set()
    for path in MODULES.values():
        for node in ast.walk(ast.parse(Path(path).read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            else:
                continue
            found |= {name.split(".")[0] for name in names}
    return {name for name in found if name not in sys.stdlib_module_names and name != "coursekit"}


def test_every_imported_library_is_a_declared_and_pinned_dependency():
    declared = {requirement_name(r) for r in PYPROJECT["project"]["dependencies"]}
    pinned = {normalized(name) for name in pins()}
    owners = packages_distributions()
    missing = {}
    for module in sorted(third_party_imports()):
        distributions = {normalized(d) for d in owners.get(module, [module])}
        if not distributions & declared or not distributions & pinned:
            missing[module] = sorted(distributions)
    assert missing == {}


def test_the_dependency_check_sees_a_library_imported_inside_a_function():
    # The feedback page reads MathJax's files by package name and the LTI tool imports inside functions.
    assert {"zmq", "jwt", "distributed", "tqdm"} <= third_party_imports()


def test_every_declared_dependency_is_pinned():
    pinned = {normalized(name) for name in pins()}
    declared = PYPROJECT["project"]["dependencies"] + PYPROJECT["project"]["optional-dependencies"]["test"]
    assert [r for r in declared if requirement_name(r) not in pinned] == []

