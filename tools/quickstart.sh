#!/usr/bin/env bash
# From a fresh clone to a trained skeleton transformer on SynthAction, on a CPU:
# install, generate the data, train, evaluate, print top-1.
#   bash tools/quickstart.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
bash tools/install.sh
PY=${VENV:-$ROOT/.venv}/bin/python
CONFIG=configs/skeleton_transformer/stt_synth.py
WORK_DIR=work_dirs/stt_synth

"$PY" tools/data/gen_synth.py --out-dir data/synth
"$PY" tools/train.py "$CONFIG" --work-dir "$WORK_DIR" --seed 0
CHECKPOINT=$(cat "$WORK_DIR/last_checkpoint")
"$PY" tools/test.py "$CONFIG" "$CHECKPOINT" --work-dir "$WORK_DIR" | tee "$WORK_DIR/test_metrics.txt"
# test.py's own last line starts with the metrics (its log lines repeat them after a time stamp)
TOP1=$(grep -o '^acc/top1: [0-9.]*' "$WORK_DIR/test_metrics.txt" | cut -d' ' -f2)
echo "SynthAction held-out top-1 (xsub_val, $CHECKPOINT): $TOP1"
