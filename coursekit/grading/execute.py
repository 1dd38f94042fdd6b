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
import resource
import signal
import time
from pathlib import Path
from queue import Empty

import nbformat
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
from .instructor import SETUP, TEST, InstructorCells
from .student import Student

STOPPED = "GradingStopped"
# Where grading records what it found beyond the scores: in an autograded cell's metadata,
# {"review": why a check asked for an instructor's review}; in the notebook's, its costs (_costs).
METADATA_KEY = "coursekit"
# The LimitedExecute traits the sandbox enforces as rlimits (sandbox.command).
SANDBOX_LIMITS = ("memory_mb", "cpu_seconds", "processes", "file_mb")


class StopGrading(Exception):
    """A limit was hit: execution of this notebook ends here."""


class ReadyClient(AsyncKernelClient):
    """jupyter_client's kernel client (nbclient's), with bounded sockets, ready as soon as the kernel
    answers on shell and IOPub.

    Bounded: every socket refuses a message over the kernel manager's `message_caps[0]` bytes and
    queues at most `message_caps[1]` messages (LimitedExecute sets both). Without them a kernel sent
    signed IOPub messages of 200 MiB each and drove the grading process past 2.5 GiB. ZeroMQ drops
    the connection that brought an oversized message, for good: `lost_connection` tells.

    Ready: jupyter_client's own wait_for_ready also waits for 0.2 s of silence on IOPub, to drop the
    kernel's start-up messages. nbclient already ignores every message whose parent is not the
    request it waits for, so that wait only costs 0.2 s per notebook: about a tenth of grading one.
    """

    def _context_default(self):
        context = super()._context_default()
        caps = getattr(self.parent, "message_caps", None)
        if caps:  # defaults for every socket this client makes, set before it connects
            context.setsockopt(zmq.MAXMSGSIZE, caps[0])
            context.setsockopt(zmq.RCVHWM, caps[1])
        return context

    def start_channels(self, *args, **kwargs):
        super().start_channels(*args, **kwargs)
        self._monitors = [channel.socket.get_monitor_socket(zmq.EVENT_DISCONNECTED)
                          for channel in (self.shell_channel, self.iopub_channel)]
        self._lost = False

    def lost_connection(self):
        """Whether the kernel's shell or IOPub connection was dropped (an oversized message)."""
        for monitor in getattr(self, "_monitors", ()):
            try:
                zmq.Socket.shadow(monitor.underlying).recv_multipart(zmq.NOBLOCK)
                self._lost = True
            except zmq.Again:
                pass
        return getattr(self, "_lost", False)

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
            nb.metadata[METADATA_KEY] = self._costs()

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
        limits = {name: getattr(self, name) for name in SANDBOX_LIMITS}
        kwargs["env"] = {**os.environ, sandbox.LIMITS_VARIABLE: json.dumps(limits)}
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
        if role == TEST:  # the gradebook's test, whatever the cell holds (coursekit.grading.instructor)
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
                student = Student(self._channel)
            except KernelGone as gone:
                raise StopGrading(self._death_reason() if not self._kernel_alive() else str(gone)) from None
            except CallTimedOut:
                raise StopGrading("the kernel did not answer the grader") from None
            path = self._checks_path
            root = os.path.abspath(self._course_root)
            shown = self.kernel_course_root + path[len(root):] \
                if self.kernel_course_root and path.startswith(root + os.sep) else None
            self._grader = split.SplitGrader(student, path, shown, answers=self._instructor.answers)
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
        if grader.review:  # recorded as data: coursekit-grade withholds the notebook (coursekit.grading.batch)
            cell.metadata[METADATA_KEY] = {"review": "; ".join(grader.review)}
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

    def add_missing_grade_cells(self, nb, resources):
        """nbgrader's, placing each missing grade cell right after the nearest earlier cell of the
        gradebook that the notebook still has (first, if none).

        nbgrader looks only at the cell just before the missing one, and fails the whole notebook
        with KeyError when that one is gone too or is not a grade or solution cell: a student who
        deleted an answer together with its first test cell lost every exercise of the notebook.
        """
        source = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
        order = [cell.name for cell in source.source_cells]
        cells = {cell.name: cell for cell in source.source_cells}
        grade = {cell.name: cell.max_score for cell in source.grade_cells}
        solutions = {cell.name for cell in source.solution_cells}
        for position, name in enumerate(order):
            present = [cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") for cell in nb.cells]
            if name not in grade or name in present:
                continue
            self.log.warning("Missing grade cell %s encountered, adding to notebook", name)
            earlier = next((n for n in reversed(order[:position]) if n in present), None)
            at = 0 if earlier is None else present.index(earlier) + 1
            nb.cells.insert(at, nbformat.from_dict(
                self.missing_cell_transform(cells[name], grade[name], is_solution=name in solutions)))
        return nb, resources

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
