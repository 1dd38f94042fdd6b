"""The quick tier's rule holds by construction: a quick test that starts a kernel or nbgrader fails."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from jupyter_client.manager import KernelManager

from coursekit.course import BIN, nbgrader


def test_a_quick_test_cannot_start_nbgrader(tmp_path):
    with pytest.raises(AssertionError, match="started a kernel or nbgrader"):
        subprocess.run([str(BIN / "nbgrader"), "--version"], capture_output=True)
    with pytest.raises(AssertionError, match="started a kernel or nbgrader"):  # forked from coursekit's fork server
        nbgrader("--version", cwd=tmp_path)


def test_a_quick_test_cannot_start_a_kernel():
    manager = KernelManager(kernel_name="python3")
    with pytest.raises(AssertionError, match="started a kernel or nbgrader"):
        manager.start_kernel()


def test_other_processes_still_start():
    assert subprocess.run([sys.executable, "-c", "print(6 * 7)"], capture_output=True, text=True).stdout == "42\n"


def fixture_definitions(root):
    """{fixture name: [file:line]} of every function decorated with pytest.fixture under `root`."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        if "answers" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(
                    "fixture" in ast.unparse(d) for d in node.decorator_list):
                found.setdefault(node.name, []).append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_each_fixture_name_is_defined_once():
    """One name, one meaning: a module fixture named like a session one also joins that one's
    pytest-xdist group (tests/conftest.py groups by fixture name), and a reader cannot tell them apart."""
    twice = {name: places for name, places in fixture_definitions(Path(__file__).parents[1]).items()
             if len(places) > 1}
    assert not twice, twice
