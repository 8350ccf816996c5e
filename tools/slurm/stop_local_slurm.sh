#!/usr/bin/env bash
# Stop the daemons that tools/slurm/start_local_slurm.sh started, by its pid files only
# (a munged or Slurm that something else started is left alone).
#   bash tools/slurm/stop_local_slurm.sh
set -euo pipefail

STATE_DIR=${POSETOOLS_SLURM_DIR:-/var/tmp/posetools-slurm}
PID_DIR=$STATE_DIR/pids

# slurmd first (it ends its jobs), munged last (the others need it to shut down cleanly)
for name in slurmd slurmctld munged; do
    pid_file=$PID_DIR/$name.pid
    [ -f "$pid_file" ] || continue
    pid=$(cat "$pid_file")
    # the pid may have been reused since: only signal it if it still runs that daemon
    if [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm")" = "$name" ]; then
        kill -TERM "$pid"
        end=$((SECONDS + 15))
        while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $end ]; do
            sleep 0.2
        done
        if kill -0 "$pid" 2>/dev/null; then
            echo "stop_local_slurm: $name (pid $pid) ignored SIGTERM for 15 s, sending SIGKILL" >&2
            kill -KILL "$pid"
        fi
        echo "stop_local_slurm: stopped $name (pid $pid)"
    fi
    rm -f "$pid_file"
done
