#!/usr/bin/env bash
# A virtual environment on top of another Python's packages: NEW_VENV sees its own packages
# first, then BASE_PY's site-packages (added by a .pth file NAME.pth, which also runs
# BASE_PY's own .pth files), so torch is not installed twice and a package installed into
# NEW_VENV shadows BASE_PY's (full mmcv over mmcv-lite). Idempotent.
#   bash tools/install/layered_venv.sh BASE_PY NEW_VENV NAME
set -euo pipefail
BASE_PY=$1
NEW_VENV=$2
NAME=$3
if [ ! -x "$NEW_VENV/bin/python" ]; then
    "$BASE_PY" -m venv "$NEW_VENV"
fi
"$BASE_PY" - "$NEW_VENV" "$NAME" <<'PYEOF'
import pathlib, sys, sysconfig
venv, name = pathlib.Path(sys.argv[1]), sys.argv[2]
site = pathlib.Path(sysconfig.get_paths(vars={'base': str(venv), 'platbase': str(venv)})['purelib'])
dirs = sorted({sysconfig.get_paths()['purelib'], sysconfig.get_paths()['platlib']})
(site / f'{name}.pth').write_text(''.join(f'import site; site.addsitedir({d!r})\n' for d in dirs))
PYEOF
