#!/usr/bin/env bash
# Run a posetools tool (tools/train.py, tools/test.py) as one srun task per GPU with
# --launcher slurm. Used by tools/slurm_train.sh and tools/slurm_test.sh:
#   bash tools/slurm/srun_tool.sh PARTITION JOB_NAME TOOL [tool arguments]
# Environment (mmaction2's conventions):
#   GPUS           tasks in all (one per GPU; on CPU nodes, processes), default 8
#   GPUS_PER_NODE  tasks per node at most, default 8
#   CPUS_PER_TASK  CPUs per task, default 5
#   SRUN_ARGS      extra srun options, word-split (e.g. "--time=60 --qos=high")
#   PYTHON         interpreter with posetools installed, default python
#   MASTER_PORT    rendezvous port, default a free port picked here
set -euo pipefail

fail() {
    echo "$(basename "$0"): $*" >&2
    exit 2
}

[ $# -ge 3 ] || fail "usage: bash tools/slurm/srun_tool.sh PARTITION JOB_NAME TOOL [args]"
PARTITION=$1
JOB_NAME=$2
TOOL=$3
shift 3
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
SRUN_ARGS=${SRUN_ARGS:-}
PYTHON=${PYTHON:-python}
for name in GPUS GPUS_PER_NODE CPUS_PER_TASK; do
    [[ ${!name} =~ ^[1-9][0-9]*$ ]] || fail "$name=${!name} must be a positive integer"
done
TASKS_PER_NODE=$((GPUS < GPUS_PER_NODE ? GPUS : GPUS_PER_NODE))
[ $((GPUS % TASKS_PER_NODE)) -eq 0 ] \
    || fail "GPUS=$GPUS is not a multiple of GPUS_PER_NODE=$GPUS_PER_NODE"

command -v srun >/dev/null || fail "srun not found: run this on a Slurm login node \
(or start a local one: bash tools/slurm/start_local_slurm.sh)"
NODE_INFO=$(sinfo -h -p "$PARTITION" -o '%G %c') || fail "sinfo failed for partition $PARTITION"
[ -n "$NODE_INFO" ] || fail "partition '$PARTITION' not found (sinfo lists: $(sinfo -h -o %P | tr '\n' ' '))"
read -r NODE_GRES NODE_CPUS <<<"$(head -n1 <<<"$NODE_INFO")"
if [[ $NODE_CPUS =~ ^[0-9]+$ ]] && [ $((TASKS_PER_NODE * CPUS_PER_TASK)) -gt "$NODE_CPUS" ]; then
    fail "$TASKS_PER_NODE tasks per node x CPUS_PER_TASK=$CPUS_PER_TASK need \
$((TASKS_PER_NODE * CPUS_PER_TASK)) CPUs; nodes of partition $PARTITION have $NODE_CPUS"
fi
# Request GPUs only where the partition's nodes have them: asking a node without GPU gres
# for --gres=gpu:N is rejected or waits forever. Without GPUs the tasks train on the CPU
# with the gloo backend (posetools.compat.init_cpu_distributed).
GRES_ARGS=()
if [[ $NODE_GRES == *gpu* ]]; then
    GRES_ARGS=(--gres="gpu:$TASKS_PER_NODE")
else
    echo "$(basename "$0"): partition $PARTITION has no GPU gres ($NODE_GRES): $GPUS CPU tasks (gloo)"
fi
# The port must be the same for all tasks, so it is chosen here, where srun starts. It is
# free on this host; on a multi-node job the first node is the master (set MASTER_PORT to
# override).
export MASTER_PORT=${MASTER_PORT:-$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("", 0)); print(s.getsockname()[1])')}

# shellcheck disable=SC2086  # SRUN_ARGS is a list of options
PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" \
srun --partition="$PARTITION" \
    --job-name="$JOB_NAME" \
    "${GRES_ARGS[@]}" \
    --ntasks="$GPUS" \
    --ntasks-per-node="$TASKS_PER_NODE" \
    --cpus-per-task="$CPUS_PER_TASK" \
    --kill-on-bad-exit=1 \
    $SRUN_ARGS \
    "$PYTHON" -u "$TOOL" "$@" --launcher=slurm
