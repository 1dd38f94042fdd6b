"""nbgrader's Execute step with limits, a sandbox and a fair end when a limit is hit.

`LimitedExecute` replaces nbgrader's `Execute` in `Autograde.autograde_preprocessors`
(nbgrader_config.py).  Per cell nbgrader already has a timeout (interrupt, then go on); this adds:

- the sandboxed kernel of coursekit.grading.kernel.sandbox (bubblewrap) and its rlimits (memory, CPU
  time, processes, file size: coursekit.grading.kernel.limits); without bubblewrap grading refuses
  unless `use_sandbox = False` is set;
- split grading (coursekit.grading.split.grader): the gradebook's setup cell first, every test cell in this
  process, against the kernel's names;
- a time limit for the whole notebook and a limit on the bytes of output it may produce;
- when a limit is hit or the kernel dies (segfault, os._exit, CPU limit), execution of that
  notebook stops: why is recorded in the notebook (coursekit.status.mark_stopped), the cell gets
  an error output saying so and every test cell not yet run a "not run" error, so it scores 0.
  Without that, nbgrader gives a test cell with no output full marks, and a dead kernel would fail
  the whole submission. The rest of the batch goes on.
"""

import asyncio
import json
import os
import resource
import signal
import time
from pathlib import Path

import zmq
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import run_sync
from nbformat.notebooknode import NotebookNode
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer, Unicode, default

from ...status import mark, mark_stopped
from ..kernel import limits, sandbox
from ..kernel.client import ReadyClient
from ..split.channel import CallTimedOut, KernelChannel, KernelGone
from ..split.grader import TEST_CELL_COUNT, SplitGrader
from ..split.instructor import SETUP, TEST, InstructorCells
from ..split.student import Student


class StopGrading(Exception):
    """A limit was hit: execution of this notebook ends here."""


class LimitedExecute(Execute):
    use_sandbox = Bool(True, help=(
        "Run student code in the bubblewrap sandbox (coursekit.grading.kernel.sandbox). Set False only where "
        "bubblewrap cannot be installed: student code then runs as the grading user, unconfined."
    )).tag(config=True)
    notebook_timeout = Integer(300, help="Seconds one notebook may run in total (cells: `timeout`).").tag(config=True)
    max_output_bytes = Integer(2_000_000, help="Bytes of output one notebook may produce.").tag(config=True)
    memory_mb = Integer(limits.LIMITS["memory_mb"][0], help=limits.LIMITS["memory_mb"][1]).tag(config=True)
    cpu_seconds = Integer(limits.LIMITS["cpu_seconds"][0], help=limits.LIMITS["cpu_seconds"][1]).tag(config=True)
    processes = Integer(limits.LIMITS["processes"][0], help=limits.LIMITS["processes"][1]).tag(config=True)
    file_mb = Integer(limits.LIMITS["file_mb"][0], help=limits.LIMITS["file_mb"][1]).tag(config=True)
    folder_mb = Integer(limits.LIMITS["folder_mb"][0], help=limits.LIMITS["folder_mb"][1]).tag(config=True)
    submission_mb = Integer(256, help=(
        "The most of one student's submission that is graded, in MiB (coursekit-grade refuses a larger one, "
        "saying so): a student's notebooks and data are far smaller.")).tag(config=True)
    test_output_bytes = Integer(1_000_000, help=(
        "Characters one test cell may print, split grading (what student code prints during the test's "
        "calls included); the rest is left out.")).tag(config=True)
    agent_start_seconds = Integer(60, help=(
        "Seconds the student's kernel may take to install the grader's agent (split grading) before the "
        "notebook stops.")).tag(config=True)
    split_tests = Bool(True, help=(
        "Run the instructor's test cells in the grading process, not in the student's kernel "
        "(coursekit.grading.split.grader): student code can then not touch the tests. False runs them in the "
        "kernel, as nbgrader does.")).tag(config=True)
    checks_module = Unicode("checks.py", help=(
        "The instructor's helper module the test cells import, in the assignment's source folder: split "
        "grading imports this copy, never the student's.")).tag(config=True)
    kernel_course_root = Unicode("", help=(
        "Where the sandboxed kernel sees the course directory (default: where nbgrader runs). Parallel "
        "grading sets it in its scratch copies to the real course, so that tracebacks name the course's "
        "folders exactly as a serial run does.")).tag(config=True)

    def message_caps(self):
        """(bytes, messages): the largest message nbclient's sockets take from the kernel, and how
        many may queue on each. No message an honest notebook sends is larger than its whole output
        budget (JSON may escape each character as six); a queue holds at most 64 MiB of them. The
        kernel keeps what does not fit: it waits to send it, its own memory limited by the sandbox."""
        largest = 6 * self.max_output_bytes + 2**20
        return largest, max(2, min(64, 2**26 // largest))

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
        self._instructor = self._read_instructor_cells(resources) if self.split_tests else None
        self._setup_done = False
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
            mark(nb, **self._costs())

    def _costs(self):
        """What grading this notebook cost the grading process, for the instructor and the attack
        table: the slowest reply of the kernel to read, and the process's peak memory so far."""
        slowest = self._grader.student.slowest_reply if self._grader else 0.0
        return {"slowest_reply_seconds": round(slowest, 4),
                "peak_memory_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        km.client_factory = ReadyClient
        km.message_caps = self.message_caps()
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
        kwargs["env"] = {**os.environ, limits.ENVIRONMENT_VARIABLE: json.dumps(sandbox_limits(self))}
        if self.kernel_course_root and self.use_sandbox:
            # nbgrader runs in the course directory and starts the kernel in the notebook's folder.
            where = kwargs.get("cwd") or self.resources.get("metadata", {}).get("path") or os.getcwd()
            folder = Path(where).resolve().relative_to(Path(self._course_root).resolve())
            kwargs["env"][sandbox.FOLDER_VARIABLE] = str(Path(self.kernel_course_root) / folder)
        return await super().async_start_new_kernel(**kwargs)

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if not self.split_tests:
            return await self._execute_in_kernel(cell, cell_index, execution_count, store_history)
        if not self._setup_done:
            await self._run_setup(cell_index)
        role = self._instructor.role(cell)
        if role == TEST:  # the gradebook's test, whatever the cell holds (coursekit.grading.split.instructor)
            cell.source = self._instructor.source_of(cell)
            return self._run_test_here(cell, cell_index)
        if role == SETUP:  # ran before the first cell, from the gradebook
            return cell
        result = await self._execute_in_kernel(cell, cell_index, execution_count, store_history)
        if cell.cell_type == "code":
            self._split_grader().ran_in_kernel(cell.source)
        return result

    async def _run_setup(self, cell_index):
        """The instructor's setup cells, from the gradebook, before any student code: in the kernel
        (so that student code finds the imports) and in the grader's namespace (the tests' helpers)."""
        self._setup_done = True
        grader = self._split_grader()  # the grader's agent goes in before any student code runs
        for grade_id, source in self._instructor.setup:
            copy = NotebookNode(cell_type="code", source=source, metadata={}, outputs=[], execution_count=None)
            await self._execute_in_kernel(copy, cell_index)
            grader.ran_in_kernel(source)  # what its imports stand for, for checks that read code
            if any(out.get("output_type") == "error" for out in copy.outputs):
                self.log.warning("the setup cell %s failed in the student's kernel: %s", grade_id,
                                 next(out for out in copy.outputs if out.get("output_type") == "error").get("evalue"))
            grader.run_setup(source)

    def _read_instructor_cells(self, resources):
        info = resources["nbgrader"]
        coursedir = CourseDirectory(config=self.config)
        source = Path(coursedir.format_path(coursedir.source_directory, ".", info["assignment"])) / \
            f"{info['notebook']}.ipynb"
        return InstructorCells.from_gradebook(info["db_url"], info["notebook"], info["assignment"],
                                              order=grade_ids_in_order(source))

    def _split_grader(self):
        if self._grader is None:
            info = self.km.get_connection_info(session=False)
            nbclient_iopub = zmq.Socket.shadow(self.kc.iopub_channel.socket.underlying)
            self._channel = KernelChannel(info, self._kernel_alive, drain=nbclient_iopub)
            try:
                student = Student(self._channel, start_seconds=self.agent_start_seconds)
            except KernelGone as gone:
                raise StopGrading(self._death_reason() if not self._kernel_alive() else str(gone)) from None
            except CallTimedOut:
                raise StopGrading("the kernel did not answer the grader") from None
            path = self._checks_path
            root = os.path.abspath(self._course_root)
            shown = self.kernel_course_root + path[len(root):] \
                if self.kernel_course_root and path.startswith(root + os.sep) else None
            self._grader = SplitGrader(student, path, shown, answers=self._instructor.answers,
                                       output_limit=self.test_output_bytes)
        return self._grader

    def _kernel_alive(self):
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        return process is None or process.poll() is None

    def _run_test_here(self, cell, cell_index):
        """A test cell, run in this process against the kernel's names (coursekit.grading.split.grader)."""
        self._index = cell_index
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise StopGrading(f"the notebook ran longer than its limit of {self.notebook_timeout} s")
        grader = self._split_grader()
        try:
            outputs = grader.run_test(cell.source, TEST_CELL_COUNT, self.timeout or remaining, self._deadline,
                                      keep_serving=self._test_runs_next(cell_index))
        except KernelGone as gone:
            raise StopGrading(self._death_reason() if not self._kernel_alive() else str(gone)) from None
        cell.outputs = outputs
        cell.execution_count = None
        if grader.review:  # recorded as data: coursekit-grade withholds the notebook (coursekit.grading.batch)
            mark(cell, review="; ".join(grader.review))
        self._output_bytes += sum(len(json.dumps(out, default=str)) for out in outputs)
        if self._output_bytes > self.max_output_bytes:
            raise StopGrading(f"the notebook printed more than {self.max_output_bytes:,} bytes of output")
        return cell

    def _test_runs_next(self, cell_index):
        """Whether the next cell that runs (nbclient skips empty ones) is a test cell too."""
        for cell in self.nb.cells[cell_index + 1:]:
            role = self._instructor.role(cell)
            if role == TEST or (cell.cell_type == "code" and cell.source.strip() and role != SETUP):
                return role == TEST
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
            if self.kc.lost_connection():
                raise StopGrading(self._oversized()) from None
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
        if self.kc.lost_connection():  # a reply or output that never came: nothing more will
            raise StopGrading(self._oversized())
        return result

    def _oversized(self):
        return (f"the notebook printed more than {self.max_output_bytes:,} bytes of output (the kernel sent one "
                f"message of over {self.message_caps()[0]:,} bytes)")

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


def grade_ids_in_order(path):
    """The grade_ids of a notebook's cells in order ([] if it cannot be read): the instructor's
    source notebook, for the order of its setup cells (the gradebook keeps none)."""
    try:
        cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return []
    return [c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in cells if isinstance(c, dict)]


def sandbox_limits(execute):
    """{limit name: value} of a LimitedExecute (its settings)."""
    return {name: getattr(execute, name) for name in limits.NAMES}
