#!/usr/bin/env bash
# The instructor's main job on the bundled example submissions: release, grade, feedback,
# grades file, score table.  Installs what it needs first (see setup.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
exec "$VENV/bin/python" -m devtools.demo "$@"
