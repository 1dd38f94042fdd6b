"""The resource limits a student's kernel runs under: their names, defaults and the prlimit command.

A leaf: the grading process (LimitedExecute's traits take their defaults from here), the sandbox's
launcher (which applies them inside bubblewrap) and Gradescope's grading step (which applies them
without one) all read this one definition. An instructor changes them as LimitedExecute settings
(`c.LimitedExecute.memory_mb = 4096`); the grading process hands them to the launcher in
ENVIRONMENT_VARIABLE.
"""

import json
import os

ENVIRONMENT_VARIABLE = "MATH_NUMPY_SANDBOX_LIMITS"

# name -> (default, meaning): the LimitedExecute traits enforced as rlimits.
LIMITS = {
    "memory_mb": (2048, "Address space of the kernel (RLIMIT_AS), in MiB."),
    "cpu_seconds": (120, "CPU seconds the kernel may use (RLIMIT_CPU)."),
    "processes": (64, "Processes and threads of the sandbox user (RLIMIT_NPROC)."),
    "file_mb": (64, "Largest file and the scratch space the kernel may write, in MiB."),
    "folder_mb": (32, "The student's own files copied into the sandbox beside the notebook, at most, in MiB "
                      "(students' data files are small; anything bigger is not theirs)."),
}
NAMES = tuple(LIMITS)


def defaults():
    return {name: default for name, (default, _) in LIMITS.items()}


def from_environment():
    """The limits the grading process passed to a kernel it started; the defaults for a kernel started by hand."""
    given = os.environ.get(ENVIRONMENT_VARIABLE)
    return {**defaults(), **json.loads(given)} if given else defaults()


def prlimit(limits, prlimit="/usr/bin/prlimit"):
    """The prlimit command line (up to its `--`) that applies `limits`, no core files."""
    return [prlimit, f"--as={limits['memory_mb'] * 2**20}", f"--cpu={limits['cpu_seconds']}",
            f"--nproc={limits['processes']}", f"--fsize={limits['file_mb'] * 2**20}", "--core=0", "--"]
