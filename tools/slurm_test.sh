#!/usr/bin/env bash
# Test a checkpoint on a Slurm cluster, one srun task per GPU (mmaction2's conventions):
#   GPUS=8 bash tools/slurm_test.sh PARTITION JOB_NAME CONFIG CHECKPOINT [test.py options]
# Environment: GPUS (8), GPUS_PER_NODE (8), CPUS_PER_TASK (5), SRUN_ARGS, PYTHON (python),
# MASTER_PORT (a free port); see tools/slurm/srun_tool.sh. On a partition without GPUs the
# tasks run on the CPU with gloo and no GPUs are requested.
set -euo pipefail
if [ $# -lt 4 ]; then
    echo "usage: bash tools/slurm_test.sh PARTITION JOB_NAME CONFIG CHECKPOINT [test.py options]" >&2
    exit 2
fi
TOOLS_DIR=$(cd "$(dirname "$0")" && pwd)
exec bash "$TOOLS_DIR/slurm/srun_tool.sh" "$1" "$2" "$TOOLS_DIR/test.py" "${@:3}"
