#!/usr/bin/env bash
# Install what is needed (idempotent) and run the test suite.
#   bash tools/run_tests.sh [pytest options]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
bash tools/install.sh
exec "${VENV:-$ROOT/.venv}/bin/python" -m pytest "$@"
