#!/usr/bin/env bash
# A private one-node Slurm cluster in a directory of its own, to try the examples in examples/slurm/
# and for test/slurm/slurm.test.ts. Needs root and Debian's slurm-wlm and munge
# (scripts/install-system-deps.sh installs them).
#
#   scripts/slurm/cluster.sh start DIR   # then: export SLURM_CONF=DIR/slurm.conf; sbatch ...; squeue
#   scripts/slurm/cluster.sh stop DIR
#
# start: runs munged if no munged answers yet (/run/munge owned by munge, the daemon as user munge,
# checked with `munge -n | unmunge`); writes DIR/slurm.conf, which keeps everything (state, spool,
# pid and log files) under DIR and describes this machine as one node (hostname, nproc, memory) in
# one partition `debug`, on two TCP ports no one listens on (so it runs beside any other Slurm); starts slurmctld and slurmd with
# `-f DIR/slurm.conf`; waits (bounded) until sinfo shows the node idle, and otherwise stops what it
# started and fails with the logs' last lines.
# stop: cancels the cluster's jobs, stops exactly the daemons whose pids are in DIR's pid files,
# and munged only if start started it (DIR/munged.pid) and no other Slurm daemon is running.
# It never reads or writes /etc/slurm and leaves every other process alone.
set -euo pipefail

readonly ready_bound_s=30
readonly stop_bound_s=10

die() {
  echo "slurm cluster: $*" >&2
  exit 1
}

usage() {
  echo "usage: $0 start DIR | stop DIR" >&2
  exit 2
}

# True when PID is alive and its command name is NAME (a pid file can outlive its process).
is_running() {
  local pid=$1 name=$2
  [[ -n $pid && $(cat "/proc/$pid/comm" 2>/dev/null) == "$name" ]]
}

# The pid in pid file FILE, or nothing when there is no such file.
pid_in() {
  if [[ -s $1 ]]; then tr -dc '0-9' <"$1"; fi
}

# Sends TERM to the process in pid file FILE if it is NAME, then KILL after the bound; removes FILE.
stop_pid_file() {
  local file=$1 name=$2 pid
  pid=$(pid_in "$file")
  if is_running "$pid" "$name"; then
    kill -TERM "$pid"
    for ((i = 0; i < stop_bound_s * 10; i++)); do
      is_running "$pid" "$name" || break
      sleep 0.1
    done
    if is_running "$pid" "$name"; then kill -KILL "$pid"; fi
    echo "stopped $name (pid $pid)"
  fi
  rm -f "$file"
}

munge_answers() {
  munge -n 2>/dev/null | unmunge >/dev/null 2>&1
}

start_munge() {
  local dir=$1
  if munge_answers; then
    echo "munged already running: using it"
    return
  fi
  install -d -o munge -g munge -m 0755 /run/munge
  # munged refuses to start when another one (started at the same moment by someone else) holds its
  # socket: then that one is used, and is not ours to stop.
  local started=yes
  runuser -u munge -- /usr/sbin/munged || started=no
  for ((i = 0; i < ready_bound_s * 10; i++)); do
    munge_answers && break
    sleep 0.1
  done
  munge_answers || die "munged does not answer 'munge -n | unmunge'; see /var/log/munge/munged.log"
  [[ $started == yes ]] || return 0
  # munged forks; its own pid file names the daemon. Our copy marks it as ours to stop.
  cp /run/munge/munged.pid "$dir/munged.pid"
  echo "started munged (pid $(pid_in "$dir/munged.pid"))"
}

# Two consecutive TCP ports between 6817 (Slurm's default) and 6917 that no socket listens on, the
# search starting at a place that depends on DIR, so that two clusters started at once differ.
free_port_pair() {
  local dir=$1 listening port offset
  listening=" $(awk 'NR > 1 && $4 == "0A" { split($2, a, ":"); print a[2] }' /proc/net/tcp /proc/net/tcp6 2>/dev/null |
    while read -r hex; do printf '%d ' "0x$hex"; done)"
  offset=$(($(printf '%s' "$dir" | cksum | cut -d ' ' -f 1) % 50))
  for ((i = 0; i < 50; i++)); do
    port=$((6817 + 2 * ((offset + i) % 50)))
    if [[ $listening != *" $port "* && $listening != *" $((port + 1)) "* ]]; then
      echo "$port"
      return
    fi
  done
  die "no free pair of TCP ports between 6817 and 6917"
}

write_conf() {
  local dir=$1 host cpus memory_mb port
  host=$(hostname -s)
  cpus=$(nproc)
  # slurmd drains a node that has less memory than configured: announce a little less than there is.
  memory_mb=$(awk '/^MemTotal:/ { print int($2 / 1024 * 0.9) }' /proc/meminfo)
  port=$(free_port_pair "$dir")
  cat >"$dir/slurm.conf" <<EOF
# Written by scripts/slurm/cluster.sh: a private one-node cluster; everything it writes is under $dir.
ClusterName=mailsim
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory_mb State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

log_tails() {
  local dir=$1 log
  for log in "$dir"/log/*.log; do
    [[ -e $log ]] || continue
    echo "--- last lines of $log" >&2
    tail -n 20 "$log" >&2
  done
}

# Fails the start: the logs' last lines, then everything start started is stopped again.
fail_start() {
  local dir=$1
  shift
  echo "slurm cluster: $*" >&2
  log_tails "$dir"
  stop "$dir" >&2
  exit 1
}

node_state() {
  SLURM_CONF="$1/slurm.conf" sinfo -h -N -o '%T' 2>/dev/null | head -n 1
}

start() {
  local dir=$1 command state=''
  [[ $(id -u) -eq 0 ]] || die "must run as root (the daemons run as root in this private cluster)"
  for command in munge unmunge runuser slurmctld slurmd sinfo; do
    command -v "$command" >/dev/null || die "missing $command (install slurm-wlm and munge: scripts/install-system-deps.sh)"
  done
  [[ -x /usr/sbin/munged ]] || die "missing /usr/sbin/munged (install munge)"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if is_running "$(pid_in "$dir/slurmctld.pid")" slurmctld; then die "a cluster is already running in $dir"; fi
  mkdir -p "$dir/state" "$dir/spool" "$dir/log"
  start_munge "$dir"
  write_conf "$dir"
  export SLURM_CONF="$dir/slurm.conf"
  slurmctld -f "$SLURM_CONF" || fail_start "$dir" "slurmctld did not start"
  slurmd -f "$SLURM_CONF" || fail_start "$dir" "slurmd did not start"
  for ((i = 0; i < ready_bound_s * 5; i++)); do
    state=$(node_state "$dir")
    [[ $state == idle ]] && break
    sleep 0.2
  done
  [[ $state == idle ]] || fail_start "$dir" "the node is not idle after ${ready_bound_s}s (sinfo says: '${state:-nothing}')"
  echo "slurm cluster up in $dir: export SLURM_CONF=$SLURM_CONF"
}

# Cancels every job of this cluster and waits (bounded) until none is left running.
cancel_jobs() {
  local conf=$1 jobs
  jobs=$(SLURM_CONF="$conf" squeue -h -o '%A' 2>/dev/null | sort -u | tr '\n' ' ') || true
  [[ -n ${jobs// /} ]] || return 0
  # shellcheck disable=SC2086 # one word per job id
  SLURM_CONF="$conf" scancel $jobs 2>/dev/null || true
  for ((i = 0; i < stop_bound_s * 5; i++)); do
    [[ -z $(SLURM_CONF="$conf" squeue -h -t running,completing -o '%A' 2>/dev/null) ]] && break
    sleep 0.2
  done
  echo "cancelled jobs: $jobs"
}

# True when a slurmctld or slurmd process is running (another cluster's, since ours are stopped).
other_slurm_daemons() {
  local comm
  for comm in /proc/[0-9]*/comm; do
    case $(cat "$comm" 2>/dev/null) in slurmctld | slurmd) return 0 ;; esac
  done
  return 1
}

stop() {
  local dir=$1
  [[ -d $dir ]] || die "no such directory: $dir"
  dir=$(cd "$dir" && pwd)
  if is_running "$(pid_in "$dir/slurmctld.pid")" slurmctld; then cancel_jobs "$dir/slurm.conf"; fi
  stop_pid_file "$dir/slurmd.pid" slurmd
  stop_pid_file "$dir/slurmctld.pid" slurmctld
  if [[ -e $dir/munged.pid ]]; then
    if other_slurm_daemons; then
      echo "leaving munged running: another Slurm daemon still uses it"
      rm -f "$dir/munged.pid"
    else
      stop_pid_file "$dir/munged.pid" munged
    fi
  fi
}

[[ $# -eq 2 ]] || usage
case $1 in
  start) start "$2" ;;
  stop) stop "$2" ;;
  *) usage ;;
esac
