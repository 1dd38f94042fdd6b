"""What one test run makes once for all of its processes (the pytest-xdist workers are a session each)."""

import fcntl
import json
import tempfile
from pathlib import Path

# The folder the processes of one run share: tests/conftest.py sets it in each pytest-xdist worker (the
# parent of the workers' own temporary folders). A lone pytest process makes its things for itself.
FOLDER = None
_MADE = {}


def once_per_run(name, make):
    """make(folder) -> a JSON value, called once per test run with a new folder; its value. A process that
    asks while another one makes it waits, then reads what was made."""
    if name not in _MADE:
        root = FOLDER or Path(tempfile.mkdtemp(prefix="test-run-"))
        record = root / f"{name}.json"
        with open(root / f"{name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # held until the file closes
            if not record.exists():
                value = make(Path(tempfile.mkdtemp(prefix=f"{name}-", dir=root)))
                part = root / f"{name}.part"
                part.write_text(json.dumps(value))
                part.rename(record)
        _MADE[name] = json.loads(record.read_text())
    return _MADE[name]
