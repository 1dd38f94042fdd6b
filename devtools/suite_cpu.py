"""Where a test run's CPU goes: per command and per test module, and how busy the machine was.

Runs `bash scripts/test.sh ARGS` with a `sitecustomize` on PYTHONPATH that makes every Python
process the run starts (pytest's workers, each nbgrader and coursekit command, alembic) log at its
exit its own CPU seconds, its command line and the test that started it (PYTEST_CURRENT_TEST).
Not logged: processes that end by os._exit or a signal (the fork server's children: the local
pool's workers and the nbgrader commands coursekit.course.nbgrader runs; killed Dask workers) and
those that are not Python or see no PYTHONPATH (the sandboxed kernels, Chromium, PostgreSQL); the
machine's busy CPU, read from /proc/stat, counts everything. Run it on an otherwise idle machine.

    python -m devtools.suite_cpu [pytest arguments, e.g. tests/batch or -m "not slow"]
"""

import collections
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .bench_checkouts import busy_cpu_seconds
from .scratch import REPO

LOGGER = '''import atexit, os, sys
_pid = os.getpid()
def _log():
    if os.getpid() != _pid:  # a forked child inherits the hook: only the process that loaded it logs
        return
    t = os.times()
    line = "\\t".join([f"{t.user + t.system:.2f}", os.environ.get("PYTEST_CURRENT_TEST", ""),
                      " ".join(sys.argv)[:300].replace("\\t", " ").replace("\\n", " ")])
    try:
        with open(LOG, "a", encoding="utf-8") as fh:
            fh.write(line + "\\n")
    except OSError:
        pass
atexit.register(_log)
'''


def command_of(argv):
    """A short name for a logged command line: the program and its first two arguments (`-c` for
    `python -c CODE`, pytest-xdist's workers and multiprocessing's fork server among them)."""
    words = [Path(w).name if i == 0 else w for i, w in enumerate(argv.split()[:3]) if not w.startswith("/tmp")]
    return " ".join(words) or "(no arguments: python - or an embedded interpreter)"


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "cpu.tsv"
        (Path(folder) / "sitecustomize.py").write_text(f"LOG = {str(log)!r}\n" + LOGGER, encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [folder, os.environ.get("PYTHONPATH")]))}
        busy, started = busy_cpu_seconds(), time.perf_counter()
        run = subprocess.run(["bash", str(REPO / "scripts" / "test.sh"), *args], cwd=REPO, env=env)
        busy, wall = busy_cpu_seconds() - busy, time.perf_counter() - started
        rows = [line.split("\t") for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []
    by_command, runs, by_module = collections.Counter(), collections.Counter(), collections.Counter()
    for cpu, test, command in rows:
        by_command[command_of(command)] += float(cpu)
        runs[command_of(command)] += 1
        by_module[test.split("::")[0] or "(pytest itself)"] += float(cpu)
    print(f"\nwall {wall:.0f} s; the machine busy {busy:.0f} CPU-s of {wall * os.cpu_count():.0f}; "
          f"logged Python processes {sum(by_command.values()):.0f} CPU-s in {len(rows)} processes")
    print("\nCPU-s  runs  command")
    for command, cpu in by_command.most_common(25):
        print(f"{cpu:6.1f} {runs[command]:5d}  {command}")
    print("\nCPU-s  test module that started them")
    for module, cpu in by_module.most_common(25):
        print(f"{cpu:6.1f}  {module}")
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
