#!/usr/bin/env bash
# Create .venv (or $VENV) and install posetools with its pinned dependencies.
# Idempotent: a stamp of setup.py's hash skips the install when nothing changed.
#   bash tools/install.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENV=${VENV:-$ROOT/.venv}
PYTHON=${PYTHON:-python3}
STAMP="$VENV/.posetools-installed"
WANT=$(cat "$ROOT/setup.py" "$0" | sha256sum | cut -d' ' -f1)

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ]; then
    exit 0
fi
if [ ! -x "$VENV/bin/python" ]; then
    echo "[install] creating virtual environment $VENV"
    "$PYTHON" -m venv "$VENV"
fi
PIP=("$VENV/bin/python" -m pip install --disable-pip-version-check --progress-bar off)
# torch first and exactly pinned, so no other requirement can pull a different build.
echo "[install] torch 2.14.1 / torchvision 0.29.1"
"${PIP[@]}" -q torch==2.14.1 torchvision==0.29.1
echo "[install] posetools and its pinned dependencies"
"${PIP[@]}" -q -e "$ROOT[tests]"
"$VENV/bin/python" -c "import posetools, mmaction.models; print('[install] posetools', posetools.__version__, 'ready')"
echo "$WANT" > "$STAMP"
