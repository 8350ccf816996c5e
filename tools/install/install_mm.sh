#!/usr/bin/env bash
# Create .venv-mm (or $VENV_MM): the environment of the mmdet/mmpose pose-extraction backend
# (posetools/pose/mm_backend.py), on top of the main environment .venv (or $VENV).
#
#   bash tools/install/install_mm.sh [--mmcv-wheel PATH] [--cpu]
#
# mmdet and mmpose need full mmcv (compiled ops); .venv keeps mmcv-lite. .venv-mm is a small
# virtual environment that sees all of .venv's packages (torch is not installed twice: a .pth
# file adds .venv's site-packages after its own) and holds only what differs:
#   - full mmcv 2.1.0, which shadows .venv's mmcv-lite there: the wheel given with
#     --mmcv-wheel (built for this torch, e.g. ../shared/wheels/mmcv-2.1.0-cp311-*.whl), else
#     one built from source by tools/install/build_mmcv.sh (about 30 min on 2 CPU cores;
#     with CUDA ops too when nvcc is found, much longer, unless --cpu is given; the wheel is
#     kept in .venv-mm/.mmcv-wheels/ for reruns);
#   - posetools' extra `mm` (mmdet 3.3.0, json_tricks, munkres, xtcocotools, setuptools<82),
#     every package .venv already has pinned to .venv's version;
#   - mmpose 1.3.2 with --no-deps (its chumpy requirement does not build).
# Then run the backend with .venv-mm/bin/python, e.g.
#   .venv-mm/bin/python -m pytest tests/pose/test_mm_backend.py
# Idempotent: a stamp skips the install when nothing it depends on changed.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VENV=${VENV:-$ROOT/.venv}
VENV_MM=${VENV_MM:-$ROOT/.venv-mm}
MMCV_WHEEL=
BUILD_ARGS=()
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case $1 in
        --mmcv-wheel) MMCV_WHEEL=$2; shift 2 ;;
        --mmcv-wheel=*) MMCV_WHEEL=${1#*=}; shift ;;
        --cpu) BUILD_ARGS+=(--cpu); shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "[install_mm] unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done
if [ -n "$MMCV_WHEEL" ]; then
    [ -f "$MMCV_WHEEL" ] || { echo "[install_mm] no such wheel: $MMCV_WHEEL" >&2; exit 1; }
    MMCV_WHEEL=$(cd "$(dirname "$MMCV_WHEEL")" && pwd)/$(basename "$MMCV_WHEEL")
fi

# The main environment first (itself idempotent).
VENV=$VENV bash "$ROOT/tools/install.sh"

STAMP=$VENV_MM/.posetools-mm-installed
WANT=$( { cat "$ROOT/setup.py" "$0" "$ROOT/tools/install/build_mmcv.sh" "$VENV/.posetools-installed"
          echo "$VENV"
          if [ -n "$MMCV_WHEEL" ]; then sha256sum < "$MMCV_WHEEL"; else echo build; fi
        } | sha256sum | cut -d' ' -f1)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ]; then
    exit 0
fi
START=$(date +%s)

if [ ! -x "$VENV_MM/bin/python" ]; then
    echo "[install_mm] creating virtual environment $VENV_MM on top of $VENV"
fi
# .venv's site-packages after .venv-mm's own
bash "$ROOT/tools/install/layered_venv.sh" "$VENV/bin/python" "$VENV_MM" _posetools_main_venv

PY=$VENV_MM/bin/python
PIP=("$PY" -m pip install --disable-pip-version-check --progress-bar off -q)
# Every package .venv has stays at .venv's version (nothing in .venv-mm shadows it by accident).
CONSTRAINTS=$VENV_MM/constraints-main-venv.txt
"$VENV/bin/python" -m pip list --disable-pip-version-check --format=freeze --exclude-editable \
    | grep -viE '^(pip|setuptools|wheel|mmcv-lite)==' > "$CONSTRAINTS"

# 1. full mmcv
if [ -z "$MMCV_WHEEL" ]; then
    TORCH=$("$VENV/bin/python" -c "import torch; print(torch.__version__)")
    WHEELS=$VENV_MM/.mmcv-wheels/torch-$TORCH
    MMCV_WHEEL=$(ls -t "$WHEELS"/mmcv-2.1.0-*.whl 2>/dev/null | head -1 || true)
    if [ -z "$MMCV_WHEEL" ]; then
        echo "[install_mm] no --mmcv-wheel: building mmcv 2.1.0 with ops for torch $TORCH"
        bash "$ROOT/tools/install/build_mmcv.sh" --python "$VENV/bin/python" --out "$WHEELS" \
            ${BUILD_ARGS[@]+"${BUILD_ARGS[@]}"}
        MMCV_WHEEL=$(ls -t "$WHEELS"/mmcv-2.1.0-*.whl | head -1)
    fi
fi
echo "[install_mm] full mmcv from $MMCV_WHEEL"
"${PIP[@]}" --no-deps --force-reinstall "$MMCV_WHEEL"
# 2. posetools' extra `mm` (mmdet and mmpose's runtime needs), 3. mmpose without chumpy
echo "[install_mm] posetools[mm] and mmpose 1.3.2 (--no-deps)"
"${PIP[@]}" -c "$CONSTRAINTS" -e "$ROOT[mm]"
"${PIP[@]}" -c "$CONSTRAINTS" --no-deps mmpose==1.3.2

# Checks: .venv-mm has mmcv's ops and mmdet/mmpose; .venv still has mmcv-lite.
"$PY" - "$VENV_MM" <<'PYEOF'
import os, sys
import mmcv, mmcv.ops, mmcv._ext  # noqa: F401
import mmdet.models, mmpose.models  # noqa: F401
import posetools.pose.mm_backend  # noqa: F401
assert os.path.realpath(mmcv.__file__).startswith(os.path.realpath(sys.argv[1])), mmcv.__file__
print('[install_mm] .venv-mm: mmcv', mmcv.__version__, 'with ops at',
      os.path.dirname(mmcv.__file__))
PYEOF
"$VENV/bin/python" - <<'PYEOF'
import importlib.metadata as md, importlib.util, mmcv
assert importlib.util.find_spec('mmcv._ext') is None, 'the main venv must keep mmcv-lite'
print('[install_mm] .venv: mmcv-lite', md.version('mmcv-lite'), 'unchanged')
PYEOF
echo "[install_mm] $VENV_MM ready in $(( $(date +%s) - START )) s ($(du -sh "$VENV_MM" | cut -f1))"
echo "$WANT" > "$STAMP"
