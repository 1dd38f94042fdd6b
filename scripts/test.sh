#!/usr/bin/env bash
# Run the whole test suite (pytest arguments pass through).  Installs what it needs first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
# The feedback test looks at a page as a student would, in a real headless browser.
ensure_command chromium chromium "the feedback page test"
# The PostgreSQL gradebook test starts a server of its own (Debian keeps its binaries off PATH).
ensure_command pg_ctlcluster postgresql "the PostgreSQL gradebook test"
cd "$ROOT"
# Lint first (rules in pyproject.toml): a finding fails the run before any test starts.
"$VENV/bin/ruff" check --quiet .
# No folder here: pyproject.toml's testpaths runs tests/ unless arguments name test files.
# One pytest-xdist worker per core (at least 2): the grading batches wait on kernels much of the
# time, so they overlap well; tests/conftest.py keeps each shared batch in one worker.
# `-n 0` (or -p no:xdist) runs everything in this process, e.g. to see prints with -s.
workers="$(nproc 2>/dev/null || echo 2)"
[ "$workers" -ge 2 ] || workers=2
# --no-loadscope-reorder: groups start in the order tests/conftest.py gives (the longest first).
exec "$VENV/bin/python" -m pytest -n "$workers" --dist loadgroup --no-loadscope-reorder "$@"
