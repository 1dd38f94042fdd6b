#!/usr/bin/env bash
# Run the whole test suite (pytest arguments pass through).  Installs what it needs first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
exec "$VENV/bin/python" -m pytest tests "$@"
