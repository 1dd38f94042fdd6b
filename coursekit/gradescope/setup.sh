#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (Ubuntu 22.04).
# The zip is unpacked in /autograder/source: Python 3.11 here, then the course's own set-up
# (scripts/setup.sh: .venv with the pinned packages and this package installed from the zip,
# bubblewrap, the sandbox kernelspec).
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# util-linux: prlimit and setpriv, which apply the limits with or without the sandbox.
apt-get install -y -qq util-linux
# Python 3.11: the versions in requirements.txt are pinned for it.
if ! command -v python3.11 >/dev/null 2>&1 || ! python3.11 -c 'import ensurepip' >/dev/null 2>&1; then
  if ! apt-get install -y -qq python3.11 python3.11-venv; then
    apt-get install -y -qq software-properties-common
    add-apt-repository -y ppa:deadsnakes/ppa
    apt-get update -qq
    apt-get install -y -qq python3.11 python3.11-venv
  fi
fi
PYTHON=python3.11 bash "$ROOT/source/scripts/setup.sh"
