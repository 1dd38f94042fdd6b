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
  "$VENV/bin/python" -m pip install -qq --disable-pip-version-check -r "$ROOT/requirements.txt"
  echo "$want" > "$VENV/.requirements.sha256"
fi
# Grading runs student code in a bubblewrap sandbox (coursekit/sandbox.py): a Debian/Ubuntu package.
if ! command -v bwrap >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing bubblewrap (the grading sandbox)" >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null
  else
    echo "setup: bubblewrap is missing: install it (sudo apt-get install bubblewrap), or grading will refuse" >&2
  fi
fi
# The sandboxed kernel's spec lives in the venv, where nbgrader's Jupyter looks for kernels.
(cd "$ROOT" && "$VENV/bin/python" -m coursekit.sandbox install >/dev/null)
# nbgrader starts alembic and Jupyter kernels through PATH: the venv's bin/ must come first.
export PATH="$VENV/bin:$PATH"
