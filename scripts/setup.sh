#!/usr/bin/env bash
# Create or update the project's virtual environment (.venv) with the pinned packages.
# Sourced by demo.sh and test.sh; does nothing when .venv already matches requirements.txt.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

python=""
for candidate in "${PYTHON:-}" python3.11 python3; do
  if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
    python="$candidate"; break
  fi
done
if [ -z "$python" ]; then
  echo "setup: Python 3.11 is needed (the pins in requirements.txt are for 3.11); set PYTHON=/path/to/python3.11" >&2
  exit 1
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating $VENV" >&2
  "$python" -m venv "$VENV"
fi
want="$(sha256sum "$ROOT/requirements.txt" | cut -d' ' -f1)"
have="$(cat "$VENV/.requirements.sha256" 2>/dev/null || true)"
if [ "$want" != "$have" ]; then
  echo "setup: installing pinned packages from requirements.txt (a minute or two the first time)" >&2
  "$VENV/bin/python" -m pip install -qq --disable-pip-version-check --no-deps -r "$ROOT/requirements.txt"
  # The list is the whole environment: remove what it no longer names (a package left out on
  # purpose stays out after a pull), keeping only pip's own tools and this package.
  "$VENV/bin/python" - "$ROOT/requirements.txt" <<'PY' | xargs -r "$VENV/bin/python" -m pip uninstall -qq -y
import re, sys
from importlib.metadata import distributions
norm = lambda name: re.sub(r"[-_.]+", "-", name).lower()
lines = (line.split("#")[0].strip() for line in open(sys.argv[1]))
keep = {norm(line.split("==")[0]) for line in lines if "==" in line} | {"pip", "setuptools", "wheel", "math-numpy-course"}
print("\n".join(sorted({d.metadata["Name"] for d in distributions() if norm(d.metadata["Name"]) not in keep})))
PY
  echo "$want" > "$VENV/.requirements.sha256"
fi
# The course package itself, editable (its code is read from this checkout), with its console
# commands; its dependencies are the pins above. nbgrader finds the classes nbgrader_config.py
# names through this install: no PYTHONPATH anywhere.
# Installed again when pyproject.toml changes, so a new console command appears after a pull.
want="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
have="$(cat "$VENV/.pyproject.sha256" 2>/dev/null || true)"
if [ "$want" != "$have" ] || ! "$VENV/bin/python" -c 'import coursekit.course' >/dev/null 2>&1 ||
   [ "$("$VENV/bin/python" -c 'import coursekit, pathlib; print(pathlib.Path(coursekit.__file__).parent.parent)')" != "$ROOT" ]; then
  echo "setup: installing the course package (editable) into $VENV" >&2
  "$VENV/bin/python" -m pip install -qq --disable-pip-version-check --no-deps -e "$ROOT"
  echo "$want" > "$VENV/.pyproject.sha256"
fi
# ensure_command COMMAND PACKAGE WHY: install a Debian/Ubuntu package when its command is missing
# (as root with apt-get), or say how to.
ensure_command() {
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing $2 ($3)" >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
  else
    echo "setup: $1 is missing: install it (sudo apt-get install $2); it is needed for $3" >&2
  fi
}
# Grading runs student code in a bubblewrap sandbox (coursekit/grading/kernel/sandbox.py).
ensure_command bwrap bubblewrap "the grading sandbox"
# The sandboxed kernel's spec lives in the venv, where nbgrader's Jupyter looks for kernels.
(cd "$ROOT" && "$VENV/bin/python" -m coursekit.grading.kernel.sandbox install >/dev/null)
# nbgrader starts alembic and Jupyter kernels through PATH: the venv's bin/ must come first.
export PATH="$VENV/bin:$PATH"
# Compiled modules are kept, in the venv (never beside the sources: release/ and source/ stay as
# committed). Some machines set PYTHONDONTWRITEBYTECODE, and then every Python process recompiles
# this package at start: the suite and the demo start hundreds (nbgrader, coursekit-grade and their
# workers), each 0.4 s later for it. The sandboxed kernel keeps its own setting (a cleared environment).
unset PYTHONDONTWRITEBYTECODE
export PYTHONPYCACHEPREFIX="$VENV/pycache"
