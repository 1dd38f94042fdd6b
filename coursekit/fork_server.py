"""Processes forked from multiprocessing's fork server, which has imported nbgrader and the grader once.

Two kinds: the local pool's grading workers (coursekit.grading.batch.parallel), and every nbgrader
command the package runs (`nbgrader`, e.g. `nbgrader export` or a serial `nbgrader autograde`).
Importing nbgrader costs about 2 s of CPU (its package imports its Jupyter server extensions, the
exchange, nbconvert and SQLAlchemy): a spawned worker or a new `nbgrader` process pays it each
time. The server is a clean interpreter that imports the grader once, and each child is a copy of
it, ready at once. Not forked from the calling process itself: its threads, its open database
engine, its event loop would be copied too. The server lives as long as the process that started it.

A child is still a process of its own: nbgrader crashing, a kernel's death, a kill -9 end only
that child, as with a new process. The commands run as `nbgrader ARGS` would, in the folder and
environment given, their output captured.

This module imports nothing of coursekit, so that `coursekit-grade` can start the server first
(`start`) and the server's import runs on another core while the command imports the rest.
"""

import contextlib
import multiprocessing
import multiprocessing.forkserver
import os
import subprocess
import sys
import tempfile

GRADER = "coursekit.grading.batch.parallel"  # what the server imports before it forks any child (nbgrader too)


def pool_context():
    """The multiprocessing context of the local pool and of the nbgrader commands."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([GRADER])
    return context


def start():
    """Start the fork server now (it then imports the grader); a later pool_context() uses it."""
    pool_context()
    multiprocessing.forkserver.ensure_running()


@contextlib.contextmanager
def main_importable_by_children():
    """The fork server (and each child) first runs this program's main file again, by its path: a
    program read from standard input (`python - < script`) has the path "<stdin>", which no child
    can open, so every child failed.  The children need only coursekit and nbgrader: such a main
    file is hidden from them."""
    main = sys.modules["__main__"]
    path = getattr(main, "__file__", None)
    hide = path is not None and getattr(main, "__spec__", None) is None and not os.path.isfile(path)
    if hide:
        del main.__file__
    try:
        yield
    finally:
        if hide:
            main.__file__ = path


def run_nbgrader(args, cwd, env):
    """`nbgrader ARGS` in the folder `cwd` with the environment `env`, in a child of the fork server.

    Returns a subprocess.CompletedProcess (returncode negative for a signal, as subprocess says it),
    its stdout and stderr as text: what subprocess.run(["nbgrader", *args], capture_output=True,
    text=True) returns."""
    with tempfile.TemporaryDirectory(prefix="coursekit-nbgrader-") as folder:
        out, err = os.path.join(folder, "stdout"), os.path.join(folder, "stderr")
        with main_importable_by_children():
            child = pool_context().Process(target=_nbgrader_main, name=f"nbgrader {args[0] if args else ''}",
                                           args=(list(args), os.fspath(cwd), dict(env), out, err))
            child.start()
        child.join()
        captured = []
        for path in (out, err):
            try:
                with open(path, encoding="utf-8", errors="replace") as fh:
                    captured.append(fh.read())
            except FileNotFoundError:  # the child died before it could open it
                captured.append("")
    return subprocess.CompletedProcess(["nbgrader", *args], child.exitcode, *captured)


def _nbgrader_main(args, cwd, env, out, err):
    """In the child: become `nbgrader ARGS`, started in `cwd` with `env`, writing to the files out and err."""
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    for fd, path in ((1, out), (2, err)):
        opened = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(opened, fd)
        os.close(opened)
    sys.argv = ["nbgrader", *args]
    from nbgrader.apps.nbgraderapp import main  # already imported by the server (GRADER imports it)

    main()  # nbgrader's console script: sys.exit with its code, which becomes the child's exit code
