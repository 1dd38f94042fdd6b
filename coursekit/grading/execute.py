"""nbgrader's Execute step with limits, a sandbox and a fair end when a limit is hit.

`LimitedExecute` replaces nbgrader's `Execute` in `Autograde.autograde_preprocessors`
(nbgrader_config.py).  Per cell nbgrader already has a timeout (interrupt, then go on); this adds:

- the sandboxed kernel of coursekit.grading.sandbox (bubblewrap) and its rlimits: memory, CPU time,
  processes, file size; without bubblewrap grading refuses unless `sandbox = False` is set;
- a time limit for the whole notebook and a limit on the bytes of output it may produce;
- when a limit is hit or the kernel dies (segfault, os._exit, CPU limit), execution of that
  notebook stops: the cell gets an error output saying why (ename `GradingStopped`) and every
  test cell not yet run gets a "not run" error, so it scores 0.  Without that, nbgrader gives a
  test cell with no output full marks, and a dead kernel would fail the whole submission.
  The rest of the batch goes on.
"""

import asyncio
import json
import os
import signal
import time
from pathlib import Path
from queue import Empty

import zmq
from jupyter_client.asynchronous import AsyncKernelClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import run_sync
from nbformat.notebooknode import NotebookNode
from nbgrader import preprocessors as nbgrader_preprocessors
from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer, Unicode, default

from . import sandbox, split
from .channel import CallTimedOut, KernelChannel, KernelGone
from .student import Student

STOPPED = "GradingStopped"
# The LimitedExecute traits the sandbox enforces as rlimits (sandbox.command).
SANDBOX_LIMITS = ("memory_mb", "cpu_seconds", "processes", "file_mb")


class StopGrading(Exception):
    """A limit was hit: execution of this notebook ends here."""


class ReadyClient(AsyncKernelClient):
    """jupyter_client's kernel client, ready as soon as the kernel answers on shell and IOPub.

    jupyter_client's own wait_for_ready then also waits for 0.2 s of silence on IOPub, to drop the
    kernel's start-up messages. nbclient already ignores every message whose parent is not the
    request it waits for, so that wait only costs 0.2 s per notebook: about a tenth of grading one.
    """

    async def wait_for_ready(self, timeout=None):
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                pass
            else:
                if reply["msg_type"] == "kernel_info_reply":
                    try:  # IOPub connected too (else jupyter_client starts over, as here)
                        await self.iopub_channel.get_msg(timeout=0.2)
                    except Empty:
                        pass
                    else:
                        self._handle_kernel_info_reply(reply)
                        return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")


class LimitedExecute(Execute):
    use_sandbox = Bool(True, help=(
        "Run student code in the bubblewrap sandbox (coursekit.grading.sandbox). Set False only where "
        "bubblewrap cannot be installed: student code then runs as the grading user, unconfined."
    )).tag(config=True)
    notebook_timeout = Integer(300, help="Seconds one notebook may run in total (cells: `timeout`).").tag(config=True)
    max_output_bytes = Integer(2_000_000, help="Bytes of output one notebook may produce.").tag(config=True)
    memory_mb = Integer(2048, help="Address space of the kernel (RLIMIT_AS), in MiB.").tag(config=True)
    cpu_seconds = Integer(120, help="CPU seconds the kernel may use (RLIMIT_CPU).").tag(config=True)
    processes = Integer(64, help="Processes and threads of the sandbox user (RLIMIT_NPROC).").tag(config=True)
    file_mb = Integer(64, help="Largest file and the scratch space the kernel may write, in MiB.").tag(config=True)
    split_tests = Bool(True, help=(
        "Run the instructor's test cells in the grading process, not in the student's kernel "
        "(coursekit.grading.split): student code can then not touch the tests. False runs them in the "
        "kernel, as nbgrader does.")).tag(config=True)
    checks_module = Unicode("checks.py", help=(
        "The instructor's helper module the test cells import, in the assignment's source folder: split "
        "grading imports this copy, never the student's.")).tag(config=True)
    kernel_course_root = Unicode("", help=(
        "Where the sandboxed kernel sees the course directory (default: where nbgrader runs). Parallel "
        "grading sets it in its scratch copies to the real course, so that tracebacks name the course's "
        "folders exactly as a serial run does.")).tag(config=True)

    @default("shutdown_kernel")
    def _kill_at_the_end(self):
        # A sandboxed kernel holds nothing worth a graceful stop, and a hostile one cannot delay it.
        return "immediate"

    def preprocess(self, nb, resources=None, km=None):
        if self.use_sandbox:
            if not sandbox.bwrap_path():
                raise RuntimeError(
                    "bubblewrap (bwrap) is not installed, so student code cannot be sandboxed. Install it "
                    "(Debian/Ubuntu: apt-get install bubblewrap) or, to grade without a sandbox at your own "
                    "risk, set c.LimitedExecute.use_sandbox = False in nbgrader_config.py.")
            self.kernel_name = sandbox.KERNEL_NAME
        self._deadline = time.monotonic() + self.notebook_timeout
        self._output_bytes = 0
        self._stop_reason = None
        self._index = -1
        self._ipc_folder = None
        self._grader = None
        self._channel = None
        self._assignment = resources["nbgrader"]["assignment"]
        self._instructor_cells = instructor_cells(resources) if self.split_tests else {}
        try:
            return super().preprocess(nb, resources, km)
        except StopGrading as stop:
            self.log.warning("Grading stopped at cell %s: %s", self._index, stop)
            mark_stopped(nb, self._index, str(stop))
            return nb, resources
        finally:
            if self._channel:
                self._channel.close()
            if self._ipc_folder:  # the kernel has ended: its socket folder goes too
                sandbox.remove_ipc_folder(self._ipc_folder)

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        km.client_factory = ReadyClient
        if self.use_sandbox:
            # TCP on loopback does not cross the sandbox's network namespace: the kernel binds IPC
            # sockets in a folder of its own, the only host folder the sandbox binds writable.
            # It is sealed (read-only to the kernel) once the kernel is ready, before any student
            # code runs, and removed after: student code cannot leave files on the grader's disk
            # there, nor reach another kernel's sockets.
            self._ipc_folder = sandbox.new_ipc_folder()
            km.transport = "ipc"
            km.ip = str(self._ipc_folder / "kernel")
        return km

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        if self._ipc_folder:
            sandbox.seal_ipc_folder(self._ipc_folder)
        return kc

    async def async_start_new_kernel(self, **kwargs):
        limits = {name: getattr(self, name) for name in SANDBOX_LIMITS}
        kwargs["env"] = {**os.environ, sandbox.LIMITS_VARIABLE: json.dumps(limits)}
        if self.kernel_course_root and self.use_sandbox:
            # nbgrader runs in the course directory and starts the kernel in the notebook's folder.
            where = kwargs.get("cwd") or self.resources.get("metadata", {}).get("path") or os.getcwd()
            folder = Path(where).resolve().relative_to(Path(self._course_root).resolve())
            kwargs["env"][sandbox.FOLDER_VARIABLE] = str(Path(self.kernel_course_root) / folder)
        return await super().async_start_new_kernel(**kwargs)

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        role = cell_role(cell, self._instructor_cells) if self.split_tests else "student"
        if role == "test":
            return self._run_test_here(cell, cell_index)
        result = await self._execute_in_kernel(cell, cell_index, execution_count, store_history)
        if self.split_tests and cell.cell_type == "code":
            grader = self._split_grader()
            grader.ran_in_kernel(cell.source)
            if role == "setup":
                grader.run_setup(cell.source)
        return result

    def _split_grader(self):
        if self._grader is None:
            info = self.km.get_connection_info(session=False)
            nbclient_iopub = zmq.Socket.shadow(self.kc.iopub_channel.socket.underlying)
            self._channel = KernelChannel(info, self._kernel_alive, drain=nbclient_iopub)
            try:
                student = Student(self._channel)
            except KernelGone as gone:
                raise StopGrading(self._death_reason() if not self._kernel_alive() else str(gone)) from None
            except CallTimedOut:
                raise StopGrading("the kernel did not answer the grader") from None
            path = self._checks_path
            root = os.path.abspath(self._course_root)
            shown = self.kernel_course_root + path[len(root):] \
                if self.kernel_course_root and path.startswith(root + os.sep) else None
            self._grader = split.SplitGrader(student, path, shown)
        return self._grader

    def _kernel_alive(self):
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        return process is None or process.poll() is None

    def _run_test_here(self, cell, cell_index):
        """A test cell, run in this process against the kernel's names (coursekit.grading.split)."""
        self._index = cell_index
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise StopGrading(f"the notebook ran longer than its limit of {self.notebook_timeout} s")
        grader = self._split_grader()
        try:
            outputs = grader.run_test(cell.source, split.TEST_CELL_COUNT, self.timeout or remaining, self._deadline,
                                      keep_serving=self._test_runs_next(cell_index))
        except KernelGone as gone:
            raise StopGrading(self._death_reason() if not self._kernel_alive() else str(gone)) from None
        cell.outputs = outputs
        cell.execution_count = None
        self._output_bytes += sum(len(json.dumps(out, default=str)) for out in outputs)
        if self._output_bytes > self.max_output_bytes:
            raise StopGrading(f"the notebook printed more than {self.max_output_bytes:,} bytes of output")
        return cell

    def _test_runs_next(self, cell_index):
        """Whether the next cell that runs (nbclient skips empty ones) is a test cell too."""
        for cell in self.nb.cells[cell_index + 1:]:
            if cell.cell_type == "code" and cell.source.strip():
                return cell_role(cell, self._instructor_cells) == "test"
        return False

    @property
    def _course_root(self):
        return CourseDirectory(config=self.config).root

    @property
    def _checks_path(self):
        coursedir = CourseDirectory(config=self.config)
        folder = coursedir.format_path(coursedir.source_directory, ".", self._assignment)
        return os.path.join(folder, self.checks_module)

    async def _execute_in_kernel(self, cell, cell_index, execution_count=None, store_history=True):
        self._index = cell_index
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise StopGrading(f"the notebook ran longer than its limit of {self.notebook_timeout} s")
        cell_limit = self.timeout
        self.timeout = max(1, int(min(cell_limit or remaining, remaining)))
        started = time.monotonic()
        try:
            result = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        except DeadKernelError:
            raise StopGrading(self._death_reason()) from None
        except CellTimeoutError:
            # The kernel's output did not end within iopub_timeout of its reply; after a cell timeout
            # that means the interrupt did not stop the cell (the code catches KeyboardInterrupt, say).
            # nbclient raises here, which would fail the whole notebook.
            if time.monotonic() >= self._deadline:
                raise StopGrading(f"the notebook ran longer than its limit of {self.notebook_timeout} s") from None
            if time.monotonic() - started >= self.timeout:
                raise StopGrading(f"a cell ran longer than its time limit of {self.timeout} s and did not stop "
                                  "when interrupted") from None
            raise StopGrading(f"the kernel stopped answering (no end of output {self.iopub_timeout} s "
                              "after a cell's reply)") from None
        finally:
            self.timeout = cell_limit
        if self._stop_reason:
            raise StopGrading(self._stop_reason)
        return result

    def process_message(self, msg, cell, cell_index):
        # Count every message that can put data into the notebook: outputs, but also display
        # updates and widget state, which nbclient stores without going through output().
        if msg.get("msg_type") not in ("status", "execute_input"):
            self._output_bytes += len(json.dumps(msg.get("content", {}), default=str))
            self._output_bytes += sum(len(b) for b in msg.get("buffers") or [])
            if self._output_bytes > self.max_output_bytes:
                if not self._stop_reason:
                    self._stop_reason = f"the notebook printed more than {self.max_output_bytes:,} bytes of output"
                    asyncio.ensure_future(self._interrupt())
                return None  # drop the rest of the flood
        return super().process_message(msg, cell, cell_index)

    def on_cell_executed(self, **kwargs):
        # nbgrader copies the reply's traceback into the cell when no error output matches it;
        # after a flood that error output was dropped on purpose, and the reply's copy of it
        # (a 50 MB message, say) must not come back that way.
        if not self._stop_reason:
            super().on_cell_executed(**kwargs)

    async def _interrupt(self):
        try:
            await self.km.interrupt_kernel()
        except Exception:  # noqa: BLE001 - the kernel may already be gone; the cell then ends anyway
            self.log.warning("could not interrupt the kernel after an output flood")

    def _death_reason(self):
        code = None
        provisioner = getattr(self.km, "provisioner", None)
        process = getattr(provisioner, "process", None)
        if process is not None:
            code = process.poll()
        # bwrap reports a kernel killed by signal N as exit status 128 + N.
        signals = {signal.SIGXCPU: f"it used more than its {self.cpu_seconds} s of CPU time",
                   signal.SIGSEGV: "it crashed (segmentation fault)",
                   signal.SIGKILL: "it was killed (out of memory or a limit)",
                   signal.SIGXFSZ: f"it wrote a file larger than {self.file_mb} MiB",
                   signal.SIGABRT: "it aborted"}
        for number, text in signals.items():
            if code in (-number, 128 + number):
                return f"the kernel died: {text}"
        if code is not None:
            return (f"the kernel exited (status {code}): the code called os._exit() or the like, "
                    "or the kernel failed (out of memory?)")
        return "the kernel died"


    # nbclient's synchronous wrappers, which nbconvert's ExecutePreprocessor calls, are bound to
    # nbclient's own coroutines when its class is created: re-bind them, or the overrides above
    # (limits passed to the kernel, sealed socket folder, notebook time limit, dead kernel) never run.
    start_new_kernel = run_sync(async_start_new_kernel)
    start_new_kernel_client = run_sync(async_start_new_kernel_client)
    execute_cell = run_sync(async_execute_cell)


def instructor_cells(resources):
    """grade_id -> (role, source) of the instructor's code cells, from the gradebook.

    role "test": a grade cell that is not a solution cell; "setup": a locked code cell that is
    neither (the imports). Only a cell whose source is exactly the instructor's is trusted to run
    in the grading process: a cell a student added or edited runs in the kernel like any other.
    """
    info = resources["nbgrader"]
    with Gradebook(info["db_url"]) as gb:
        notebook = gb.find_notebook(info["notebook"], info["assignment"])
        grade = {cell.name for cell in notebook.grade_cells}
        solution = {cell.name for cell in notebook.solution_cells}
        cells = {}
        for cell in notebook.source_cells:
            if cell.cell_type != "code" or cell.name in solution:
                continue
            if cell.name in grade:
                cells[cell.name] = ("test", cell.source)
            elif cell.locked:
                cells[cell.name] = ("setup", cell.source)
    return cells


def cell_role(cell, instructor):
    """"test", "setup" or "student" (see instructor_cells)."""
    if cell.cell_type != "code":
        return "student"
    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    role, source = instructor.get(grade_id, ("student", None))
    return role if source is not None and cell.source == source else "student"


def mark_stopped(nb, index, reason):
    """Record why execution stopped, and give every test cell that did not run an error."""
    said_why = False
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or i < index:
            continue
        if not said_why:
            text = f"Grading of this notebook stopped here: {reason}."
            said_why = True
        elif cell.get("metadata", {}).get("nbgrader", {}).get("grade"):
            text = "Not run: grading of this notebook stopped at an earlier cell (see there why)."
        else:
            continue
        cell.outputs = list(cell.get("outputs", [])) + [NotebookNode(
            output_type="error", ename=STOPPED, evalue=text, traceback=[f"{STOPPED}: {text}"])]


# ---------------------------------------------------------------- sanitizing (before execution)
# nbgrader_config.py puts these in place of nbgrader's own in Autograde.sanitize_preprocessors.


class DeduplicateIds(nbgrader_preprocessors.DeduplicateIds):
    """nbgrader's, except that a duplicate cell keeps no nbgrader metadata at all.

    nbgrader keeps the last cell of a grade_id and empties the others' metadata to {}, on which
    OverwriteCells.add_missing_task_cells (add_missing_cells = True) fails with KeyError: a
    student who copied a cell in Jupyter (the copy keeps the metadata) lost the whole notebook.
    """

    def preprocess(self, nb, resources):
        nb, resources = super().preprocess(nb, resources)
        for cell in nb.cells:
            if cell.metadata.get("nbgrader") == {}:
                del cell.metadata["nbgrader"]
        return nb, resources


class OverwriteCells(nbgrader_preprocessors.OverwriteCells):
    """nbgrader's, which also puts back the `grade` and `solution` flags from the gradebook.

    nbgrader restores a known cell's source, type, lock and points but not these flags, and then
    fails the whole notebook on the checksum ("Inconsistent checksums"): a test cell edited to
    `grade: false` lost every point of the notebook instead of only its own exercise's.
    """

    def preprocess(self, nb, resources):
        self._cells = None  # the gradebook's cells of this notebook: read once, on the first cell
        return super().preprocess(nb, resources)

    def _instructor_cells(self):
        """(source cell names, {"grade": grade cell names, "solution": solution cell names})."""
        if self._cells is None:
            notebook = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
            self._cells = ({c.name for c in notebook.source_cells},
                           {"grade": {c.name for c in notebook.grade_cells},
                            "solution": {c.name for c in notebook.solution_cells}})
        return self._cells

    def preprocess_cell(self, cell, resources, cell_index):
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id")
        if grade_id is not None:
            sources, flagged = self._instructor_cells()
            if grade_id in sources:  # else not the instructor's cell: nbgrader's own handling below
                for flag in ("grade", "solution"):
                    should = grade_id in flagged[flag]
                    if bool(meta.get(flag)) != should:
                        self.report_change(grade_id, flag, should, meta.get(flag))
                        meta[flag] = should
                if meta.get("grade"):
                    meta.setdefault("points", 0)  # the gradebook's points are put back below
        return super().preprocess_cell(cell, resources, cell_index)


def default_limits():
    """The sandbox limits' defaults, as LimitedExecute's traits define them (the only definition)."""
    traits = LimitedExecute.class_traits()
    return {name: traits[name].default_value for name in SANDBOX_LIMITS}
