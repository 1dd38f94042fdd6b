"""The sandboxed kernel that grades untrusted student notebooks.

nbgrader starts this kernel (kernelspec `math-numpy-sandbox`, installed into the virtual
environment by `python -m coursekit.grading.kernel.sandbox install`, run by scripts/setup.sh) instead of a
plain ipykernel.  The launcher
below turns itself (exec) into bubblewrap, which starts ipykernel:

- in new network, PID, IPC and UTS namespaces: no network, no view of the grader's processes;
- with a read-only view of only what Python needs (/usr, the Python installation, the virtual
  environment), so the instructor's source/, the gradebook, autograded/ and other students'
  submissions do not exist inside;
- in a private, size-limited tmpfs that holds a copy of the notebook's folder (the student's own
  files and checks.py, no notebooks), so nothing the student writes reaches the disk;
- with a cleared environment (no grader secrets), as an unprivileged user id of its own (group
  nobody), under rlimits for memory (address space), CPU time, processes and file size.  The user
  id is unique to the sandbox because Linux counts the process limit per user id over the whole
  machine: with one shared id (nobody), a fork bomb in one sandbox left a sandbox graded at the
  same time unable to start a thread, so its kernel died and the student lost the notebook.

The kernel talks to nbgrader over IPC sockets (TCP on loopback does not cross the network
namespace) in a folder of its own under IPC_DIR, the only host folder bound writable: the grader
(coursekit.grading.plugins.limited_execute) creates it, seals it read-only once the kernel has bound its sockets, before
any student code runs, and removes it afterwards.  Interrupts are sent as messages (interrupt_mode
"message"), because a signal to this launcher would not reach the kernel inside the sandbox.

Limits are defined once in coursekit.grading.kernel.limits (LimitedExecute's settings take their
defaults from there): the grading process passes them in an environment variable, a kernel started
by hand gets their defaults.
"""

import contextlib
import ctypes
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from .limits import from_environment, prlimit

KERNEL_NAME = "math-numpy-sandbox"
IPC_DIR = Path("/tmp/math-numpy-kernels")  # one folder per kernel in here (execute.py)
# Where the kernel sees the notebook's folder, when not where it is on the host (parallel grading
# runs in scratch copies, and tracebacks must name the course's own folder, as a serial run does).
FOLDER_VARIABLE = "MATH_NUMPY_SANDBOX_FOLDER"
NOBODY = 65534  # the sandbox's group
# The sandbox's user id is this plus the launcher's pid (unique while the sandbox lives; the pid
# stays below 2**22): far above any real account's id, never a file owner on the host's disk.
UID_BASE = 1_000_000_000


def bwrap_path():
    return shutil.which("bwrap")


def new_ipc_folder():
    """A fresh socket folder for one kernel, writable by the sandbox user until sealed."""
    IPC_DIR.mkdir(mode=0o1777, exist_ok=True)
    if IPC_DIR.stat().st_uid == os.getuid():
        os.chmod(IPC_DIR, 0o1777)
    for stale in folders_of_dead_processes(IPC_DIR):  # a grader killed (kill -9) before its cleanup
        remove_ipc_folder(stale)
    folder = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=IPC_DIR))
    os.chmod(folder, 0o777)  # the kernel runs as an unprivileged user and creates its sockets here
    return folder


def folders_of_dead_processes(parent, prefix=""):
    """This user's folders in `parent` named `<prefix><pid>-...` whose process has ended: what a
    process killed before its own cleanup left behind."""
    for folder in Path(parent).glob(f"{prefix}*-*"):
        pid = folder.name[len(prefix):].split("-")[0]
        try:
            mine = folder.is_dir() and not folder.is_symlink() and folder.stat().st_uid == os.getuid()
        except OSError:
            continue
        if mine and pid.isdigit() and not Path(f"/proc/{pid}").exists():
            yield folder


def seal_ipc_folder(folder):
    """Once the kernel has bound its sockets: no more files in there from the sandbox."""
    os.chmod(folder, 0o755)


def remove_ipc_folder(folder):
    with contextlib.suppress(OSError):
        os.chmod(folder, 0o700)
    shutil.rmtree(folder, ignore_errors=True)


def _ipc_folder(connection_file):
    """The kernel's own socket folder (a child of IPC_DIR) named by its connection file, or None."""
    try:
        info = json.loads(Path(connection_file).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(info, dict) or info.get("transport") != "ipc" or not info.get("ip"):
        return None
    folder = Path(info["ip"]).parent
    return folder if folder.parent == IPC_DIR and folder.is_dir() else None


def _file_argument(path, destination, mode):
    """bwrap arguments that copy one host file into the sandbox (through an inherited fd)."""
    fd = os.open(path, os.O_RDONLY)
    os.set_inheritable(fd, True)
    return ["--perms", mode, "--file", str(fd), str(destination)]


def _parent_dirs(paths):
    """bwrap arguments creating every ancestor folder of `paths` readable by all.

    bwrap would create them itself, but as 0700 root folders that the sandbox user cannot traverse.
    """
    # /tmp is already the sandbox's own tmpfs, with its own permissions.
    ancestors = sorted({str(a) for p in paths for a in Path(p).parents if str(a) not in ("/", "/tmp")}, key=len)
    return [arg for a in ancestors for arg in ("--perms", "0755", "--dir", a)]


def command(connection_file, workdir, limits, seen_as=None):
    """The bwrap command line that runs ipykernel for `connection_file` in a copy of `workdir`.

    seen_as: the path the copy has inside the sandbox (default: workdir's own).
    """
    folder = Path(seen_as or workdir)
    python = Path(sys.executable)  # the virtual environment's python
    args = [bwrap_path(),
            "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--clearenv",
            "--ro-bind", "/usr", "/usr"]
    for top in ("bin", "lib", "lib64", "sbin"):  # merged-/usr symlinks, or real folders on older systems
        host = Path("/") / top
        if host.is_symlink():
            args += ["--symlink", os.readlink(host), str(host)]
        elif host.is_dir():
            args += ["--ro-bind", str(host), str(host)]
    for etc in ("/etc/ld.so.cache", "/etc/localtime", "/etc/alternatives"):
        args += ["--ro-bind-try", etc, etc]
    size = str(limits["file_mb"] * 2**20)
    # /tmp first: every later mount may lie below it (a course or a clone in /tmp), and a tmpfs
    # mounted after them would hide them.
    args += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--size", size, "--tmpfs", "/tmp"]
    prefixes = sorted({str(Path(sys.base_prefix).resolve()), sys.prefix})
    ipc = _ipc_folder(connection_file)
    args += _parent_dirs(prefixes + [str(folder), "/run/kernel"])
    for prefix in prefixes:
        args += ["--ro-bind", prefix, prefix]
    # No debugger in the kernel: ipykernel starts debugpy's machinery whenever it can import it
    # (a tenth of the kernel's start-up), and student code has no use for a debug server.
    debugpy = importlib.util.find_spec("debugpy")
    if debugpy is not None and debugpy.submodule_search_locations:
        args += ["--perms", "0555", "--size", "4096", "--tmpfs", debugpy.submodule_search_locations[0]]
    args += [# The kernel's socket folder; its parent made by hand (bwrap would make it 0700).
             *(["--perms", "0755", "--dir", str(IPC_DIR), "--bind", str(ipc), str(ipc)] if ipc else []),
             # Sticky and world-writable: the student may add files, but not replace the copies
             # below (root's, read-only), so checks.py stays the instructor's.
             "--perms", "1777", "--size", size, "--tmpfs", str(folder)]
    copied = 0
    for item in sorted(Path(workdir).iterdir()):
        # Only the student's own regular files; symlinks could point anywhere on the host. No
        # notebooks: nbgrader's copies there hold the test cells, hidden tests included, which split
        # grading keeps out of the kernel (coursekit/grading/split/grader.py); student code never needs them.
        if item.is_file() and not item.is_symlink() and item.suffix != ".ipynb":
            copied += item.stat().st_size
            if copied <= limits["folder_mb"] * 2**20:
                args += _file_argument(item, folder / item.name, "0444")
    # Sized: an unsized tmpfs would let the kernel fill the grader's memory (found by tests/batch/test_adversarial.py).
    args += ["--perms", "0777", "--size", str(2**20), "--tmpfs", "/run/kernel"]
    args += _file_argument(connection_file, "/run/kernel/connection.json", "0666")
    for name, value in {"HOME": "/tmp", "PATH": f"{python.parent}:/usr/bin:/bin", "LANG": "C.UTF-8",
                        "IPYTHONDIR": "/tmp/.ipython", "MPLCONFIGDIR": "/tmp/.matplotlib",
                        "PYTHONDONTWRITEBYTECODE": "1", "OPENBLAS_NUM_THREADS": "1",
                        "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}.items():
        args += ["--setenv", name, value]
    args += ["--chdir", str(folder), "--",
             *prlimit(limits),
             "/usr/bin/setpriv", f"--reuid={UID_BASE + os.getpid()}", f"--regid={NOBODY}", "--clear-groups",
             "--inh-caps=-all", "--bounding-set=-all", "--",
             # No input history database: grading reads no kernel's history, and IPython's SQLite file
             # and the thread that writes it cost 4 % of a kernel's CPU (`In` and `_ih` still work).
             str(python), "-m", "ipykernel_launcher", "-f", "/run/kernel/connection.json",
             "--HistoryManager.enabled=False"]
    return args


def run_python(code, workdir, limits, timeout=60):
    """Run `code` with the kernel's Python in the sandbox a kernel gets (command), in a copy of
    `workdir`: the self-check's probe and the tests use this. Returns the CompletedProcess."""
    with tempfile.TemporaryDirectory(prefix="coursekit-probe-") as tmp:
        connection = Path(tmp) / "connection.json"
        connection.write_text("{}")
        args = command(connection, workdir, limits)
        launcher = args.index("ipykernel_launcher")
        files = [int(args[i + 1]) for i, a in enumerate(args) if a == "--file"]  # copied through inherited fds
        try:
            return subprocess.run([*args[:launcher - 1], "-c", code], capture_output=True, text=True,
                                  timeout=timeout, pass_fds=files, stdin=subprocess.DEVNULL)
        finally:
            for fd in files:
                os.close(fd)


# What the self-check runs inside a sandbox: it reports what it could do, as one line of JSON.
_PROBE = """
import json, os, resource, socket, sys
hidden, port = json.loads(sys.argv[1])
found = {"uid": os.getuid(), "euid": os.geteuid(), "readable": [], "network": []}
for path in hidden:
    try:
        os.listdir(path) if os.path.isdir(path) else open(path, "rb").close()
        found["readable"].append(path)
    except OSError:
        pass
for address in (("127.0.0.1", port), ("192.0.2.1", 80)):
    try:
        socket.create_connection(address, timeout=1).close()
        found["network"].append("%s:%s" % address)
    except OSError:
        pass
found["limits"] = {name: resource.getrlimit(getattr(resource, "RLIMIT_" + name))[0]
                   for name in ("AS", "CPU", "NPROC", "FSIZE")}
status = open("/proc/self/status").read()
found["capabilities"] = [line.split()[1] for line in status.splitlines() if line.startswith("CapEff:")]
print(json.dumps(found))
"""


def self_check(limits, hidden):
    """[] if a sandbox started now is what grading relies on, else what is wrong, one line each.

    Live, as edX's codejail checks itself: one sandbox runs a probe that tries to read `hidden`
    (the course's source folder, its gradebook, the course itself), to reach a listener this
    process opens on 127.0.0.1 and an outside address, and reports its user id, its rlimits and
    its capabilities. Its output is read as data (bounded JSON), like everything from a sandbox.
    """
    if not bwrap_path():
        return ["bubblewrap (bwrap) is not installed (Debian/Ubuntu: apt-get install bubblewrap)"]
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0)
    try:
        with tempfile.TemporaryDirectory(prefix="coursekit-check-") as workdir:
            argument = json.dumps([[str(p) for p in hidden], listener.getsockname()[1]])
            run = run_python(_PROBE.replace("sys.argv[1]", repr(argument)), workdir, limits, timeout=30)
        try:
            listener.accept()[0].close()
            reached = True
        except OSError:
            reached = False
    except (OSError, subprocess.SubprocessError) as error:
        return [f"the sandbox could not be started: {error}"]
    finally:
        listener.close()
    try:
        found = json.loads(run.stdout[-65536:].strip().splitlines()[-1])
        if not isinstance(found, dict):
            raise ValueError("not an object")
    except (ValueError, IndexError):
        return [f"the sandbox's probe did not report (exit status {run.returncode}): {run.stderr[-500:].strip()}"]
    problems = []
    if found.get("uid") in (0, os.getuid()) or found.get("euid") in (0, os.getuid()) or \
            not isinstance(found.get("uid"), int) or found["uid"] < UID_BASE:
        problems.append(f"it runs as user id {found.get('uid')!r}, not an unprivileged id of its own")
    if found.get("readable"):
        problems.append(f"it can read {', '.join(map(str, found['readable']))}")
    if found.get("network") or reached:
        problems.append("it reaches the network: " + ", ".join(map(str, found.get("network") or ["the host"])))
    wanted = {"AS": limits["memory_mb"] * 2**20, "CPU": limits["cpu_seconds"], "NPROC": limits["processes"],
              "FSIZE": limits["file_mb"] * 2**20}
    got = found.get("limits") if isinstance(found.get("limits"), dict) else {}
    wrong = [f"{name} is {got.get(name)!r}, not {value}" for name, value in wanted.items() if got.get(name) != value]
    if wrong:
        problems.append("its limits are not in force: " + "; ".join(wrong))
    if found.get("capabilities") != ["0000000000000000"]:
        problems.append(f"it has capabilities {found.get('capabilities')!r}")
    return problems


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_the_grader():
    """Be killed when the grader that started this launcher dies; exit now if it already has.

    bwrap's --die-with-parent arms the same signal, but only once bwrap runs: a grader killed
    (kill -9) while this launcher was still starting left a sandbox with nobody to stop it, its
    kernel idle for ever.  Armed here, the signal also holds across the exec into bwrap.
    jupyter_client names the grader in JPY_PARENT_PID; a different parent means it is gone.
    """
    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    grader = os.environ.get("JPY_PARENT_PID", "")
    if grader.isdigit() and os.getppid() != int(grader):
        sys.exit("math-numpy-sandbox: the grader that started this kernel has ended; not starting")


def launch(argv):
    """Kernel entry point: `python -m coursekit.grading.kernel.sandbox -f CONNECTION_FILE` (from the kernelspec)."""
    die_with_the_grader()
    connection_file = argv[argv.index("-f") + 1]
    if not bwrap_path():
        sys.exit("math-numpy-sandbox: bubblewrap (bwrap) is not installed; see README, 'Grading safely'.")
    args = command(connection_file, Path.cwd(), from_environment(), os.environ.get(FOLDER_VARIABLE))
    # The kernel process's own stdout carries only ipykernel's start-up banner (student output
    # travels over the IPC sockets); keep it out of nbgrader's log. Errors still go to stderr.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.execv(args[0], args)  # become bwrap: a kill of this process ends the whole sandbox


def install(prefix=sys.prefix):
    """Write the kernelspec into <venv>/share/jupyter/kernels, where nbgrader's Jupyter finds it."""
    folder = Path(prefix) / "share" / "jupyter" / "kernels" / KERNEL_NAME
    folder.mkdir(parents=True, exist_ok=True)
    spec = {"argv": [sys.executable, "-m", "coursekit.grading.kernel.sandbox", "-f", "{connection_file}"],
            "display_name": "Python 3 (math_numpy grading sandbox)", "language": "python",
            # The launcher is this installed package's module; the kernel inside needs no coursekit.
            "interrupt_mode": "message"}
    (folder / "kernel.json").write_text(json.dumps(spec, indent=1) + "\n")
    return folder


if __name__ == "__main__":
    if sys.argv[1:2] == ["install"]:
        print(f"installed kernelspec {install()}")
    else:
        launch(sys.argv[1:])
