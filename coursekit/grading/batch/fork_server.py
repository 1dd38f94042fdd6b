"""The local pool's worker processes: forked from multiprocessing's fork server, which has imported the grader.

Not forked from the recording process (its threads, its database engine), and not spawned: a
spawned worker imports nbgrader and its dependencies itself, about 2 s of CPU each, again in every
pool rebuilt after a worker died.  The server is a clean interpreter that imports the grader once;
each worker is a copy of it, ready at once.  It lives as long as the process that started it.

This module imports nothing of the grader, so that `coursekit-grade` can start the server first
(`start`) and the server's import runs on another core while the command imports the rest.
"""

import multiprocessing
import multiprocessing.forkserver

GRADER = "coursekit.grading.batch.parallel"  # what the server imports before it forks any worker


def pool_context():
    """The multiprocessing context of the local pool."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([GRADER])
    return context


def start():
    """Start the fork server now (it then imports the grader); a later pool_context() uses it."""
    pool_context()
    multiprocessing.forkserver.ensure_running()
