"""The quick tier's rule holds by construction: a quick test that starts a kernel or nbgrader fails."""

import subprocess
import sys

import pytest
from jupyter_client.manager import KernelManager

from coursekit.course import BIN


def test_a_quick_test_cannot_start_nbgrader():
    with pytest.raises(AssertionError, match="started a kernel or nbgrader"):
        subprocess.run([str(BIN / "nbgrader"), "--version"], capture_output=True)


def test_a_quick_test_cannot_start_a_kernel():
    manager = KernelManager(kernel_name="python3")
    with pytest.raises(AssertionError, match="started a kernel or nbgrader"):
        manager.start_kernel()


def test_other_processes_still_start():
    assert subprocess.run([sys.executable, "-c", "print(6 * 7)"], capture_output=True, text=True).stdout == "42\n"
