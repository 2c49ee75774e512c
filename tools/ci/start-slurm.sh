#!/usr/bin/env bash
# Starts a single-node Slurm cluster on this machine for the Slurm executor's tests (as root):
# munged, then slurmctld, then slurmd, and waits for the node to be idle. Four fake GPUs are
# `gres` on /dev/tty[0-3] (AutoDetect=off), and the node declares 16 CPUs whatever the machine
# has (SlurmdParameters=config_overrides) so that the GPUs, not the cores, bound concurrency.
# Job completions go to a text file (jobcomp/filetxt): sacct needs slurmdbd, which is not run.
# Idempotent: a cluster that already answers is left alone. Debian packages: slurm-wlm munge.
set -euo pipefail

if [ "$(id -u)" != 0 ]; then echo "start-slurm: must run as root" >&2; exit 1; fi
for tool in munged slurmctld slurmd sinfo; do
  command -v "$tool" >/dev/null || { echo "start-slurm: $tool is missing (apt-get install slurm-wlm munge)" >&2; exit 1; }
done
if timeout 5 sinfo -h -o '%T' 2>/dev/null | grep -qx idle; then
  echo "start-slurm: a cluster is already up"; exit 0
fi

node=$(hostname -s)
state=/var/spool/slurmctld
log=/var/log/slurm
mkdir -p /etc/slurm "$state" /var/spool/slurmd "$log"

cat > /etc/slurm/slurm.conf <<CONF
ClusterName=runboard-ci
SlurmctldHost=$node
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
GresTypes=gpu
SchedulerType=sched/backfill
StateSaveLocation=$state
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=$log/slurmctld.log
SlurmdLogFile=$log/slurmd.log
JobCompType=jobcomp/filetxt
JobCompLoc=$log/jobcomp.log
ReturnToService=2
SlurmdParameters=config_overrides
MinJobAge=300
SchedulerParameters=sched_interval=2
NodeName=$node CPUs=16 RealMemory=4000 Gres=gpu:4 State=UNKNOWN
PartitionName=gpu Nodes=$node Default=YES MaxTime=INFINITE State=UP
PartitionName=debug Nodes=$node MaxTime=INFINITE State=UP
CONF
cat > /etc/slurm/gres.conf <<CONF
AutoDetect=off
NodeName=$node Name=gpu File=/dev/tty[0-3]
CONF

if ! pgrep -x munged >/dev/null; then
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge
  [ -s /etc/munge/munge.key ] || (umask 077 && dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none && chown munge:munge /etc/munge/munge.key)
  su -s /bin/sh munge -c /usr/sbin/munged
fi
pgrep -x slurmctld >/dev/null || slurmctld
pgrep -x slurmd >/dev/null || slurmd

for _ in $(seq 1 60); do
  if timeout 5 sinfo -h -o '%T' 2>/dev/null | grep -qx idle; then
    echo "start-slurm: node $node idle ($(sinfo -h -o '%G' | head -1))"; exit 0
  fi
  sleep 1
done
echo "start-slurm: the node did not become idle in 60 s" >&2
sinfo -N -l >&2 || true
tail -n 20 "$log/slurmctld.log" "$log/slurmd.log" >&2 || true
exit 1
