"""The sandboxed kernel that grades untrusted student notebooks.

nbgrader starts this kernel (kernelspec `math-numpy-sandbox`, installed into the virtual
environment by `python -m coursekit.sandbox install`) instead of a plain ipykernel.  The launcher
below turns itself (exec) into bubblewrap, which starts ipykernel:

- in new network, PID, IPC and UTS namespaces: no network, no view of the grader's processes;
- with a read-only view of only what Python needs (/usr, the Python installation, the virtual
  environment), so the instructor's source/, the gradebook, autograded/ and other students'
  submissions do not exist inside;
- in a private, size-limited tmpfs that holds a copy of the notebook's folder (the student's own
  files and checks.py), so nothing the student writes reaches the disk;
- with a cleared environment (no grader secrets), as the unprivileged user nobody (65534), under
  rlimits for memory (address space), CPU time, processes and file size.

The kernel talks to nbgrader over IPC sockets in one shared directory (TCP on loopback does not
cross the network namespace); nbgrader_config.py points the KernelManager there.  Interrupts are
sent as messages (interrupt_mode "message"), because a signal to this launcher would not reach
the kernel inside the sandbox.

Limits come from the grading process (coursekit.execute.LimitedExecute passes them in the
environment variable below); the defaults here are for a kernel started any other way.
"""

import json
import os
import shutil
import sys
from pathlib import Path

KERNEL_NAME = "math-numpy-sandbox"
IPC_DIR = Path("/tmp/math-numpy-kernels")  # also in nbgrader_config.py (KernelManager.ip)
LIMITS_VARIABLE = "MATH_NUMPY_SANDBOX_LIMITS"
NOBODY = 65534
DEFAULT_LIMITS = {"memory_mb": 2048, "cpu_seconds": 120, "processes": 64, "file_mb": 64}
# The copy of the notebook's folder: students' data files are small; anything bigger is not theirs.
MAX_FOLDER_BYTES = 32 * 2**20


def bwrap_path():
    return shutil.which("bwrap")


def limits_from_environment():
    limits = dict(DEFAULT_LIMITS)
    limits.update(json.loads(os.environ.get(LIMITS_VARIABLE, "{}")))
    return limits


def _file_argument(path, destination, mode):
    """bwrap arguments that copy one host file into the sandbox (through an inherited fd)."""
    fd = os.open(path, os.O_RDONLY)
    os.set_inheritable(fd, True)
    return ["--perms", mode, "--file", str(fd), str(destination)]


def _parent_dirs(paths):
    """bwrap arguments creating every ancestor folder of `paths` readable by all.

    bwrap would create them itself, but as 0700 root folders that nobody cannot traverse.
    """
    ancestors = sorted({str(a) for p in paths for a in Path(p).parents if str(a) != "/"}, key=len)
    return [arg for a in ancestors for arg in ("--perms", "0755", "--dir", a)]


def command(connection_file, workdir, limits):
    """The bwrap command line that runs ipykernel for `connection_file` in a copy of `workdir`."""
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
    prefixes = sorted({str(Path(sys.base_prefix).resolve()), sys.prefix})
    args += _parent_dirs(prefixes + [str(IPC_DIR), str(workdir), "/run/kernel"])
    for prefix in prefixes:
        args += ["--ro-bind", prefix, prefix]
    size = str(limits["file_mb"] * 2**20)
    args += ["--proc", "/proc", "--dev", "/dev",
             "--perms", "1777", "--size", size, "--tmpfs", "/tmp",
             "--bind", str(IPC_DIR), str(IPC_DIR),
             "--perms", "0777", "--size", size, "--tmpfs", str(workdir)]
    copied = 0
    for item in sorted(Path(workdir).iterdir()):
        # Only the student's own regular files; symlinks could point anywhere on the host.
        if item.is_file() and not item.is_symlink():
            copied += item.stat().st_size
            if copied <= MAX_FOLDER_BYTES:
                args += _file_argument(item, item, "0666")
    args += ["--perms", "0777", "--tmpfs", "/run/kernel"]
    args += _file_argument(connection_file, "/run/kernel/connection.json", "0666")
    for name, value in {"HOME": "/tmp", "PATH": f"{python.parent}:/usr/bin:/bin", "LANG": "C.UTF-8",
                        "IPYTHONDIR": "/tmp/.ipython", "MPLCONFIGDIR": "/tmp/.matplotlib",
                        "PYTHONDONTWRITEBYTECODE": "1", "OPENBLAS_NUM_THREADS": "1",
                        "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}.items():
        args += ["--setenv", name, value]
    args += ["--chdir", str(workdir), "--",
             "/usr/bin/prlimit", f"--as={limits['memory_mb'] * 2**20}", f"--cpu={limits['cpu_seconds']}",
             f"--nproc={limits['processes']}", f"--fsize={limits['file_mb'] * 2**20}", "--core=0", "--",
             "/usr/bin/setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
             "--inh-caps=-all", "--bounding-set=-all", "--",
             str(python), "-m", "ipykernel_launcher", "-f", "/run/kernel/connection.json"]
    return args


def launch(argv):
    """Kernel entry point: `python -m coursekit.sandbox -f CONNECTION_FILE` (from the kernelspec)."""
    connection_file = argv[argv.index("-f") + 1]
    if not bwrap_path():
        sys.exit("math-numpy-sandbox: bubblewrap (bwrap) is not installed; see README, 'Grading safely'.")
    IPC_DIR.mkdir(mode=0o1777, exist_ok=True)
    os.chmod(IPC_DIR, 0o1777)  # the kernel runs as nobody and creates its sockets here
    args = command(connection_file, Path.cwd(), limits_from_environment())
    os.execv(args[0], args)  # become bwrap: a kill of this process ends the whole sandbox


def install(prefix=sys.prefix):
    """Write the kernelspec into <venv>/share/jupyter/kernels, where nbgrader's Jupyter finds it."""
    folder = Path(prefix) / "share" / "jupyter" / "kernels" / KERNEL_NAME
    folder.mkdir(parents=True, exist_ok=True)
    spec = {"argv": [sys.executable, "-m", "coursekit.sandbox", "-f", "{connection_file}"],
            "display_name": "Python 3 (math_numpy grading sandbox)", "language": "python",
            "interrupt_mode": "message",
            # The launcher is this package's module: make it importable from any notebook folder.
            "env": {"PYTHONPATH": str(Path(__file__).resolve().parent.parent)}}
    (folder / "kernel.json").write_text(json.dumps(spec, indent=1) + "\n")
    return folder


if __name__ == "__main__":
    if sys.argv[1:2] == ["install"]:
        print(f"installed kernelspec {install()}")
    else:
        launch(sys.argv[1:])
