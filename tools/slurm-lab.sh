#!/usr/bin/env bash
# A real one-node Slurm cluster in a folder, in seconds: for CI (the Slurm executor's tests) and for
# trying `scdx run --executor slurm` on a laptop. Debian/Ubuntu, run as root (or with sudo).
# Configuration and pitfalls: ../shared/notes/slurm.md (proctrack/linuxproc: the cgroup default
# silently breaks jobs; select/cons_tres: the linear default runs one job at a time).
#
#   tools/slurm-lab.sh up   [LAB]   install (if missing) and start munged, slurmctld, slurmd; wait until a
#                                   job runs; then `source LAB/env` points sbatch/squeue/scancel at it
#   tools/slurm-lab.sh down [LAB]   stop the daemons it started (by pid file; packages stay installed)
#
# LAB defaults to $SLURM_LAB, else /tmp/scdx-slurm-lab. SLURM_CPUS=N advertises N CPUs (more than the
# cores, for concurrency tests with light jobs); default: the machine's.
set -euo pipefail
cmd=${1:-}
LAB=${2:-${SLURM_LAB:-/tmp/scdx-slurm-lab}}
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

stop_pid() { # stop the process whose pid is in file $1, politely then not
  [ -f "$1" ] || return 0
  local pid
  pid=$(cat "$1")
  if kill -0 "$pid" 2>/dev/null; then
    $sudo kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && $sudo kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$1"
}

case "$cmd" in
up)
  if ! dpkg -s slurmctld slurmd slurm-client munge >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null ||
      { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null; }
  fi
  # a fresh state every time: job ids and old jobs persist across restarts otherwise
  [ -f "$LAB/run/slurmctld.pid" ] && "$0" down "$LAB"
  $sudo rm -rf "$LAB/state" "$LAB/spool"
  mkdir -p "$LAB"/{state,spool,log,run,jobs}
  # munge: the key comes with the package; /run/munge does not exist without systemd
  [ -f /etc/munge/munge.key ] || { $sudo mungekey --create --force && $sudo chown munge:munge /etc/munge/munge.key && $sudo chmod 400 /etc/munge/munge.key; }
  $sudo mkdir -p /run/munge && $sudo chown munge /run/munge && $sudo chmod 755 /run/munge
  if ! munge -n >/dev/null 2>&1; then
    $sudo runuser -u munge -- /usr/sbin/munged
    cp /run/munge/munged.pid "$LAB/run/munged.pid" 2>/dev/null || true
    for _ in $(seq 1 50); do munge -n >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  node=$(slurmd -C | head -1 | sed 's/^NodeName=[^ ]*/NodeName=localhost/; s/ UpTime=.*//')
  cpus=${SLURM_CPUS:-$(sed -n 's/.*CPUs=\([0-9]*\).*/\1/p' <<<"$node")}
  mem=$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$node")
  node=$(sed "s/CPUs=[0-9]*/CPUs=$cpus/; s/RealMemory=[0-9]*/RealMemory=$((mem * 9 / 10))/" <<<"$node")
  if [ -n "${SLURM_CPUS:-}" ]; then node=$(sed 's/ Boards=[^ ]*//; s/ SocketsPerBoard=[^ ]*//; s/ CoresPerSocket=[^ ]*//; s/ ThreadsPerCore=[^ ]*//' <<<"$node"); fi
  cat >"$LAB/slurm.conf" <<CONF
ClusterName=scdxlab
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
# a requeued job waits cred_expire seconds before it may start again (default 120): short here
AuthInfo=cred_expire=10
CredType=cred/munge
StateSaveLocation=$LAB/state
SlurmdSpoolDir=$LAB/spool
SlurmctldPidFile=$LAB/run/slurmctld.pid
SlurmdPidFile=$LAB/run/slurmd.pid
SlurmctldLogFile=$LAB/log/slurmctld.log
SlurmdLogFile=$LAB/log/slurmd.log
MailProg=/bin/true
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$LAB/log/jobcomp.txt
MinJobAge=3600
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_interval=2,bf_interval=2
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmdParameters=config_overrides
$node State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
# small, so that tests exercise the split of larger arrays
MaxArraySize=${SLURM_MAX_ARRAY:-1001}
CONF
  echo "export SLURM_CONF=$LAB/slurm.conf" >"$LAB/env"
  export SLURM_CONF="$LAB/slurm.conf"
  $sudo slurmctld -f "$SLURM_CONF"
  $sudo slurmd -N localhost -f "$SLURM_CONF"
  ok=""
  for _ in $(seq 1 300); do
    [ "$(sinfo -h -n localhost -o %t 2>/dev/null)" = "idle" ] && { ok=1; break; }
    sleep 0.1
  done
  if [ -z "$ok" ] || ! timeout 60 srun -Q -t 1 true; then
    echo "slurm-lab: the cluster did not come up; logs:" >&2
    tail -n 20 "$LAB"/log/*.log >&2 || true
    exit 1
  fi
  echo "slurm-lab: up in $LAB ($cpus CPUs advertised); source $LAB/env"
  ;;
down)
  for d in slurmd slurmctld munged; do stop_pid "$LAB/run/$d.pid"; done
  echo "slurm-lab: down"
  ;;
*)
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
  ;;
esac
