"""Stand-ins for grading, run in real pool worker processes by tests/batch/test_parallel.py.

Module level and light on imports: a pool worker imports this module to find them."""

import os
import signal
import time


def grade_or_kill_the_worker(task):
    """Student "killer" kills its own worker process, as a grading that crashes its worker would;
    the others take a moment, so that they are being graded, or waiting, when it dies."""
    if task["student"] == "killer":
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(0.2)
    return f"graded {task['student']}"


def cannot_start():
    """A worker initializer that fails, as one with an unreadable kit would."""
    raise RuntimeError("no kit")
