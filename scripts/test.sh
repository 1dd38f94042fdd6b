#!/usr/bin/env bash
# Run the whole test suite (pytest arguments pass through).  Installs what it needs first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
# The feedback test looks at a page as a student would, in a real headless browser.
ensure_command chromium chromium "the feedback page test"
cd "$ROOT"
# No folder here: pyproject.toml's testpaths runs tests/ unless arguments name test files.
exec "$VENV/bin/python" -m pytest "$@"
