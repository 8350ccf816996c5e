#!/usr/bin/env bash
# Bring up a one-node Slurm cluster on localhost (Debian/Ubuntu, as root), idempotently.
#   sudo bash tools/slurm/start_local_slurm.sh      # then: sinfo; bash tools/slurm_train.sh debug ...
#   sudo bash tools/slurm/stop_local_slurm.sh       # stops only what this script started
# It installs slurmctld slurmd slurm-client munge with apt-get if they are missing, writes
# /etc/slurm/slurm.conf (only if absent or written by this script), starts munged, slurmctld
# and slurmd directly (no systemd), records the pids it started under $STATE_DIR/pids and
# waits until the node is idle in `sinfo`. Partition: $SLURM_PARTITION (default debug).
# Exit status: 0 up, 3 this machine cannot host it (not root, no apt-get, a foreign
# slurm.conf), 1 it failed to come up (the message names the log to read).
# Settings and pitfalls: DESIGN.md, "A real Slurm on localhost".
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin  # the daemons live there; not every root shell has them

STATE_DIR=${POSETOOLS_SLURM_DIR:-/var/tmp/posetools-slurm}
PARTITION=${SLURM_PARTITION:-debug}
CONF=/etc/slurm/slurm.conf
MARKER='# written by posetools tools/slurm/start_local_slurm.sh'
PID_DIR=$STATE_DIR/pids
LOG_DIR=$STATE_DIR/log
DEADLINE_S=${SLURM_START_TIMEOUT:-60}

fail() {
    echo "start_local_slurm: $*" >&2
    exit 1
}

# cannot MESSAGE: this machine cannot host the local cluster (exit 3, e.g. not root)
cannot() {
    echo "start_local_slurm: $*" >&2
    exit 3
}

# alive NAME: the pid recorded for daemon NAME if that process still runs NAME, else nothing.
alive() {
    local pid_file=$PID_DIR/$1.pid pid
    [ -f "$pid_file" ] || return 0
    pid=$(cat "$pid_file")
    if [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm")" = "$1" ]; then
        echo "$pid"
    fi
}

# launch NAME CMD...: start CMD (which runs NAME in the foreground) detached and record its pid.
launch() {
    local name=$1
    shift
    setsid "$@" >>"$LOG_DIR/$name.out" 2>&1 </dev/null &
    local pid=$!
    local end=$((SECONDS + 10))
    # setsid and setpriv exec the daemon in place: wait until the pid shows the daemon's name
    until [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm")" = "$name" ]; do
        if ! kill -0 "$pid" 2>/dev/null; then
            fail "$name exited at start; see $LOG_DIR/$name.out and $LOG_DIR/$name.log"
        fi
        [ $SECONDS -lt $end ] || fail "$name (pid $pid) did not start within 10 s"
        sleep 0.2
    done
    echo "$pid" >"$PID_DIR/$name.pid"
    echo "start_local_slurm: started $name (pid $pid)"
}

if [ -n "$(alive munged)" ] && [ -n "$(alive slurmctld)" ] && [ -n "$(alive slurmd)" ] \
        && [[ $(sinfo -h -n "$(hostname -s)" -o %t 2>/dev/null) =~ ^(idle|mix|alloc)$ ]]; then
    echo "start_local_slurm: already running (pids in $PID_DIR)"
    exit 0
fi
[ "$(id -u)" -eq 0 ] || cannot "must run as root (installs packages, starts munged as user munge)"

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null \
        || ! command -v sinfo >/dev/null || ! command -v munged >/dev/null; then
    command -v apt-get >/dev/null || cannot "Slurm is not installed and there is no apt-get; \
install slurmctld, slurmd, slurm-client and munge yourself"
    echo "start_local_slurm: installing slurmctld slurmd slurm-client munge"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends \
        slurmctld slurmd slurm-client munge; } >"${TMPDIR:-/tmp}/posetools-slurm-apt.log" 2>&1 \
        || fail "apt-get install failed; see ${TMPDIR:-/tmp}/posetools-slurm-apt.log"
fi
[ -f /etc/munge/munge.key ] || fail "/etc/munge/munge.key is missing (the munge package creates it)"

mkdir -p "$PID_DIR" "$LOG_DIR" "$STATE_DIR/ctld" "$STATE_DIR/spool"

HOST=$(hostname -s)
CPUS=$(nproc)
MEM_MB=$(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
[ -n "$MEM_MB" ] || fail "could not read RealMemory from 'slurmd -C'"
if [ -f "$CONF" ] && ! grep -qF "$MARKER" "$CONF"; then
    cannot "$CONF exists and was not written by this script: this machine has its own Slurm \
configuration; use that cluster, or move the file away to try the local one"
fi
mkdir -p "$(dirname "$CONF")"
cat >"$CONF.new" <<EOF
$MARKER
# One node on loopback for trying posetools' Slurm launchers. See DESIGN.md.
ClusterName=posetools
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
# a requeued job waits cred_expire seconds before it can start again (default 120)
AuthInfo=cred_expire=5
StateSaveLocation=$STATE_DIR/ctld
SlurmdSpoolDir=$STATE_DIR/spool
SlurmctldPidFile=$STATE_DIR/slurmctld.daemon.pid
SlurmdPidFile=$STATE_DIR/slurmd.daemon.pid
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=bf_interval=1,sched_interval=2
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
# no accounting: sacct does not work, submitit reads its result files instead
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$((MEM_MB * 9 / 10)) State=UNKNOWN
PartitionName=$PARTITION Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
if cmp -s "$CONF.new" "$CONF"; then
    rm "$CONF.new"
else
    mv "$CONF.new" "$CONF"
    if [ -n "$(alive slurmctld)" ]; then
        scontrol reconfigure || fail "scontrol reconfigure failed after $CONF changed"
    fi
fi

if [ -z "$(alive munged)" ]; then
    if munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
        echo "start_local_slurm: using the munged that is already running"
    else
        install -d -o munge -g munge -m 0755 /run/munge
        launch munged setpriv --reuid=munge --regid=munge --init-groups \
            /usr/sbin/munged --foreground
        end=$((SECONDS + 10))
        until munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; do
            [ $SECONDS -lt $end ] || fail "munged does not answer; see $LOG_DIR/munged.out"
            sleep 0.2
        done
    fi
fi
# -c: a clean start, without the jobs of an earlier run (job ids go on from the saved state)
[ -n "$(alive slurmctld)" ] || launch slurmctld slurmctld -D -c -f "$CONF"
[ -n "$(alive slurmd)" ] || launch slurmd slurmd -D -f "$CONF"

end=$((SECONDS + DEADLINE_S))
until state=$(sinfo -h -n "$HOST" -o %t 2>/dev/null) && [[ $state =~ ^(idle|mix|alloc)$ ]]; do
    if [ $SECONDS -ge $end ]; then
        fail "node $HOST is not idle after ${DEADLINE_S} s (sinfo state: '${state:-none}'); \
see $LOG_DIR/slurmctld.log and $LOG_DIR/slurmd.log"
    fi
    sleep 0.5
done
echo "start_local_slurm: node $HOST is $state in partition $PARTITION ($CPUS CPUs); \
stop with: bash tools/slurm/stop_local_slurm.sh"
