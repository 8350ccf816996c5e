#!/usr/bin/env bash
# Build full mmcv 2.1.0 (compiled ops) from its sdist as a wheel, for the torch of a given Python.
# PyPI has mmcv-lite (no ops) but no full mmcv wheel for torch 2.14; mmdet and mmpose need the
# ops (posetools' `mm` pose-extraction backend). See ../shared/wheels/README.md for the recipe.
#
#   bash tools/install/build_mmcv.sh [--python PY] [--out DIR] [--work DIR] [--cpu] [--dry-run]
#
#   --python PY  the interpreter whose torch the ops are built against (default: .venv's, else
#                python3); it is only read: the build runs in a throwaway virtual environment
#                that sees PY's packages and adds setuptools<70, wheel and ninja of its own
#   --out DIR    where the wheel goes (default: dist/mmcv)
#   --work DIR   download, patch and build folder (default: a temporary one, removed after)
#   --cpu        CPU ops only even when nvcc is found (FORCE_CUDA=0)
#   --dry-run    download the sdist and patch it, print the build command, build nothing
#
# Steps: 1. `pip download --no-deps --no-binary :all: mmcv==2.1.0` (its setup.py imports
# pkg_resources, hence the build environment with setuptools<70 first); 2. raise every
# -std=c++14 / -std=c++17 in its setup.py to C++20 (torch >= 2.10's headers require C++20);
# 3. MMCV_WITH_OPS=1 MAX_JOBS=$(nproc) pip wheel --no-deps --no-build-isolation, with
# FORCE_CUDA=1 when nvcc is on PATH (or in $CUDA_HOME/bin) and torch is a CUDA build, else
# FORCE_CUDA=0. CPU only: about 30 minutes on 2 cores; with CUDA much longer (set
# TORCH_CUDA_ARCH_LIST, e.g. "9.0", to build for your GPU only).
# The wheel only works with the torch it was built against. Install it in place of mmcv-lite:
#   pip uninstall -y mmcv-lite && pip install --no-deps dist/mmcv/mmcv-2.1.0-*.whl
# or let tools/install/install_mm.sh build and install it into its own environment.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MMCV_VERSION=2.1.0
PY=
OUT=$ROOT/dist/mmcv
WORK=
CPU_ONLY=0
DRY_RUN=0
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case $1 in
        --python) PY=$2; shift 2 ;;
        --out) OUT=$2; shift 2 ;;
        --work) WORK=$2; shift 2 ;;
        --cpu) CPU_ONLY=1; shift ;;
        --dry-run) DRY_RUN=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "[build_mmcv] unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done
if [ -z "$PY" ]; then
    if [ -x "$ROOT/.venv/bin/python" ]; then PY=$ROOT/.venv/bin/python; else PY=python3; fi
fi
PY=$(command -v "$PY")
TORCH=$("$PY" -c "import torch; print(torch.__version__)") || {
    echo "[build_mmcv] $PY cannot import torch: install torch first" >&2; exit 1; }
TORCH_CUDA=$("$PY" -c "import torch; print(torch.version.cuda or '')")
if [ -z "$WORK" ]; then
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/build_mmcv.XXXXXX")
    trap 'rm -rf "$WORK"' EXIT
fi
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
case $OUT in /*) ;; *) OUT=$PWD/$OUT ;; esac
echo "[build_mmcv] mmcv $MMCV_VERSION for torch $TORCH ($PY), in $WORK"

# A throwaway build environment: PY's packages (torch) through a .pth, plus its own old
# setuptools, wheel and ninja, so PY's environment is left as it is.
BENV=$WORK/build-venv
bash "$ROOT/tools/install/layered_venv.sh" "$PY" "$BENV" _build_mmcv_parent
BPIP=("$BENV/bin/python" -m pip install --disable-pip-version-check --progress-bar off -q)
"${BPIP[@]}" 'setuptools<70' wheel ninja
"$BENV/bin/python" -c "import torch, pkg_resources" || {
    echo "[build_mmcv] the build environment cannot import torch and pkg_resources" >&2; exit 1; }

# 1. the sdist
SRC=$WORK/mmcv-$MMCV_VERSION
if [ ! -f "$SRC/setup.py" ]; then
    "$BENV/bin/python" -m pip download --disable-pip-version-check --progress-bar off -q \
        --no-deps --no-binary :all: --no-build-isolation -d "$WORK" "mmcv==$MMCV_VERSION"
    tar -xzf "$WORK/mmcv-$MMCV_VERSION.tar.gz" -C "$WORK"
fi

# 2. C++20
sed -i -E 's/-std=c\+\+1[47]/-std=c++20/g; s#/std:c\+\+1[47]#/std:c++20#g' "$SRC/setup.py"
if grep -nE '^[^#]*std[=:]c\+\+1[47]' "$SRC/setup.py"; then  # comments may name them
    echo "[build_mmcv] setup.py still sets C++14/17 (above)" >&2; exit 1
fi
N20=$(grep -cE '^[^#]*std[=:]c\+\+20' "$SRC/setup.py")
echo "[build_mmcv] patched $SRC/setup.py: $N20 C++20 flags"

# 3. the wheel
FORCE_CUDA=0
NVCC=$(command -v nvcc || true)
if [ -z "$NVCC" ] && [ -x "${CUDA_HOME:-/usr/local/cuda}/bin/nvcc" ]; then
    NVCC=${CUDA_HOME:-/usr/local/cuda}/bin/nvcc
fi
if [ "$CPU_ONLY" = 0 ] && [ -n "$NVCC" ]; then
    if [ -n "$TORCH_CUDA" ]; then
        FORCE_CUDA=1
    else
        echo "[build_mmcv] $NVCC found but torch $TORCH is a CPU build: CPU ops only" >&2
    fi
fi
JOBS=${MAX_JOBS:-$(nproc)}
# mmcv's setup.py also builds CUDA ops whenever torch sees a GPU: hide it for a CPU build.
HIDE_GPU=()
if [ $FORCE_CUDA = 0 ]; then
    HIDE_GPU=(CUDA_VISIBLE_DEVICES=)
    echo "[build_mmcv] ops: CPU only"
else
    echo "[build_mmcv] ops: CPU and CUDA ($NVCC, torch CUDA $TORCH_CUDA)"
fi
# PATH: torch's BuildExtension looks for the ninja executable (else a slow serial build).
CMD=(env PATH="$BENV/bin:$PATH" MMCV_WITH_OPS=1 FORCE_CUDA=$FORCE_CUDA MAX_JOBS=$JOBS
     "${HIDE_GPU[@]}" "$BENV/bin/python" -m pip wheel -v --disable-pip-version-check
     --no-deps --no-build-isolation -w "$OUT" "$SRC")
echo "[build_mmcv] build: (cd $SRC && ${CMD[*]})"
if [ "$DRY_RUN" = 1 ]; then
    echo "[build_mmcv] dry run: stopping before the build"
    exit 0
fi
mkdir -p "$OUT"
START=$(date +%s)
(cd "$SRC" && "${CMD[@]}")
WHEEL=$(ls -t "$OUT"/mmcv-$MMCV_VERSION-*.whl | head -1)
echo "[build_mmcv] built $WHEEL in $(( $(date +%s) - START )) s"
