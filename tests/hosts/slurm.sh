#!/bin/bash
# slurm.sh -- a Slurm cluster (Debian slurm-wlm 22.05 + munge) on the test
# hosts of testhosts.sh: munged and slurmctld in the head, one slurmd per host
# hI named hI. Config, key, spool, logs and pid files all live in
# /run/hermit-testhosts/LAB/slurm (0700): nothing in /etc/slurm, no systemd.
#   slurm.sh up LAB [N]   start it on a lab made by `testhosts.sh up LAB N`; wait until N nodes idle
#   slurm.sh down LAB     stop everything it started for LAB, remove its state; never fails
#   slurm.sh env LAB      print the export lines a client needs
# Clients run in the head:  testhosts.sh exec LAB head env SLURM_CONF=... srun -N 3 hostname
# SLURM.md beside this file says why each setting is what it is.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TESTHOSTS=${TESTHOSTS:-$here/testhosts.sh}
UP_TIMEOUT=${SLURM_UP_TIMEOUT:-30}   # seconds for the daemons to come up
MARK=HERMIT_SLURM_STATE              # env var tagging our daemons (slurmstepd inherits it)

die() { echo "slurm.sh: $*" >&2; exit 1; }
fail() { die "$*; logs in $S/log; 'slurm.sh down $lab' cleans up"; }   # once daemons may run
usage() { sed -n '6,9s/^# \{0,1\}//p' "$0" >&2; exit 2; }

[ $# -ge 2 ] || usage
cmd=$1 lab=$2
[[ $lab =~ ^[a-z][a-z0-9]{0,5}$ ]] || die "bad LAB name '$lab'"
S=/run/hermit-testhosts/$lab/slurm
conf=$S/slurm.conf
sock=$S/munge/munge.socket

hx() { "$TESTHOSTS" exec "$lab" "$@"; }   # hx NODE CMD...: run CMD on a test host
since() { awk "BEGIN { printf \"%.2f\", $EPOCHREALTIME - $1 }"; }

# Our processes, found even when their namespace is gone: those tagged $MARK=$S
# (munged, slurmctld, slurmscriptd, the slurmds and their slurmstepds), those
# of a job of this cluster (SLURM_JOB_ID and our SLURM_CONF: tasks that left
# their step, which proctrack/linuxproc loses), and all their descendants;
# never this shell or its callers.
lab_pids() {
  local roots self=" " q=$$ p
  roots=$({ grep -lzxF "$MARK=$S" /proc/[0-9]*/environ
            grep -lzxF "SLURM_CONF=$conf" /proc/[0-9]*/environ | xargs -r grep -lz '^SLURM_JOB_ID='
          } 2>/dev/null | cut -d/ -f3 | tr '\n' ' ' || true)
  [ -n "$roots" ] || return 0
  while [ "${q:-0}" -gt 1 ]; do self+="$q "; q=$(awk '/^PPid:/{print $2}' /proc/"$q"/status 2>/dev/null || true); done
  for p in $(ps -e -o pid=,ppid= | awk -v r="$roots" '
      BEGIN { n = split(r, a, " "); for (i = 1; i <= n; i++) keep[a[i]] = 1 }
      { par[$1] = $2 }
      END { do { more = 0; for (q in par) if (!(q in keep) && (par[q] in keep)) { keep[q] = 1; more = 1 } } while (more)
            for (q in keep) print q }'); do
    [[ $self == *" $p "* || ! -d /proc/$p ]] || echo "$p"
  done
}

# Pids of munged, slurmd and slurmctld in the root network namespace (ours
# always run in a test host's).
root_daemons() {
  local p root
  root=$(readlink /proc/self/ns/net)
  for p in $(pgrep -x munged; pgrep -x slurmd; pgrep -x slurmctld); do
    [ "$(readlink "/proc/$p/ns/net" 2>/dev/null)" != "$root" ] || echo "$p"
  done | tr '\n' ' '
}

# The packages, if missing; no daemon of theirs may run in the root namespace.
install_packages() {
  local pkgs=() p before
  for p in slurmd slurmctld slurm-client munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || pkgs+=("$p")
  done
  [ ${#pkgs[@]} -gt 0 ] || return 0
  before=" $(root_daemons) "
  local apt=(apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 "${pkgs[@]}")
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" >/dev/null 2>&1 ||
    { apt-get update >/dev/null 2>&1 || true; DEBIAN_FRONTEND=noninteractive "${apt[@]}" >/dev/null; } ||
    die "cannot install ${pkgs[*]}"
  if [ -d /run/systemd/system ]; then
    systemctl disable --now munge slurmd slurmctld >/dev/null 2>&1 || true
  fi
  for p in $(root_daemons); do   # started by a postinst
    [[ $before == *" $p "* ]] || kill "$p" 2>/dev/null || true
  done
}

write_conf() {  # write_conf N
  local n=$1 i hw
  # the real CPUs/sockets/cores/threads, so each slurmd agrees with its node line
  hw=$(/usr/sbin/slurmd -C | sed -n '1s/^NodeName=[^ ]* \(.*\) RealMemory=.*/\1/p')
  cat >"$conf" <<EOF
# written by tests/hosts/slurm.sh for lab $lab; see tests/hosts/SLURM.md
ClusterName=$lab
SlurmctldHost=head($("$TESTHOSTS" addr "$lab" head))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
StateSaveLocation=$S/ctld
SlurmdSpoolDir=$S/spool/%n
SlurmctldPidFile=$S/run/slurmctld.pid
SlurmdPidFile=$S/run/slurmd.%n.pid
SlurmctldLogFile=$S/log/slurmctld.log
SlurmdLogFile=$S/log/slurmd.%n.log
PlugStackConfig=$S/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerParameters=batch_sched_delay=0
ReturnToService=2
SlurmctldTimeout=300
SlurmdTimeout=300
MessageTimeout=30
InactiveLimit=0
KillWait=2
MinJobAge=60
MailProg=/bin/true
SlurmctldDebug=info
SlurmdDebug=info
EOF
  for ((i = 1; i <= n; i++)); do
    echo "NodeName=h$i NodeAddr=$("$TESTHOSTS" addr "$lab" "h$i") $hw State=UNKNOWN"
  done >>"$conf"
  echo "PartitionName=all Nodes=h[1-$n] Default=YES MaxTime=INFINITE State=UP" >>"$conf"
  : >"$S/plugstack.conf"                              # not /etc/slurm/plugstack.conf
  echo "CgroupPlugin=cgroup/v1" >"$S/cgroup.conf"     # see SLURM.md: cgroups
}

cmd_up() {
  local n=$1 i t0=$EPOCHREALTIME pids=() want got
  [ -x "$TESTHOSTS" ] || die "no $TESTHOSTS"
  [ -d "$(dirname "$S")" ] || die "lab $lab is not up: run 'testhosts.sh up $lab N' first"
  [ -n "$n" ] || n=$(cat "$(dirname "$S")/n" 2>/dev/null) || die "how many hosts? say: slurm.sh up $lab N"
  [[ $n =~ ^[1-9][0-9]*$ ]] || die "bad N '$n'"
  for i in head $(seq -f 'h%g' 1 "$n"); do
    [ -e "/run/netns/$lab-$i" ] || die "no host $i in lab $lab: run 'testhosts.sh up $lab $n' first"
  done
  [ ! -e "$S" ] || die "$S exists: run 'slurm.sh down $lab' first"
  install_packages
  mkdir -m 0700 "$S"
  mkdir -p "$S"/{ctld,log,run} $(seq -f "$S/spool/h%g" 1 "$n")
  mkdir -m 0711 "$S/munge"
  dd if=/dev/urandom of="$S/munge/munge.key" bs=1024 count=1 status=none
  chmod 0400 "$S/munge/munge.key"
  write_conf "$n"

  local tag=(env "$MARK=$S" SLURM_CONF="$conf")
  hx head "${tag[@]}" /usr/sbin/munged --force --socket="$sock" --key-file="$S/munge/munge.key" \
    --log-file="$S/log/munged.log" --pid-file="$S/run/munged.pid" --seed-file="$S/munge/munged.seed" \
    </dev/null || fail "munged failed: $(tail -n2 "$S/log/munged.log" 2>/dev/null)"
  hx head "${tag[@]}" /usr/sbin/slurmctld -f "$conf" </dev/null ||
    fail "slurmctld failed: $(grep -h 'error:\|fatal:' "$S/log/slurmctld.log" | tail -n3)"
  for ((i = 1; i <= n; i++)); do
    hx "h$i" "${tag[@]}" /usr/sbin/slurmd -f "$conf" -N "h$i" </dev/null & pids+=($!)
  done
  for i in "${pids[@]}"; do   # slurmd returns only once initialised (or failed)
    wait "$i" || fail "a slurmd failed: $(grep -h 'error:\|fatal:' "$S"/log/slurmd.*.log | tail -n3)"
  done
  # shellcheck disable=SC2016  # expanded by the inner bash
  hx head env SLURM_CONF="$conf" bash -c '
    end=$((SECONDS + $1))
    until [ "$(sinfo -h -N -o %t 2>/dev/null | grep -cx idle)" = "$2" ]; do
      [ $SECONDS -lt $end ] || { echo "not all $2 nodes idle after $1 s:"; sinfo -N; exit 1; }
      sleep 0.1
    done' waitidle "$UP_TIMEOUT" "$n" </dev/null >&2 ||
    fail "Slurm did not come up"
  # "idle" says only that each slurmd reached slurmctld; one step also proves
  # the way back (to each slurmd at its NodeAddr, and from slurmstepd to srun).
  want=$(seq -f 'h%g' 1 "$n" | tr '\n' ' ')
  got=$(hx head env SLURM_CONF="$conf" timeout "$UP_TIMEOUT" srun -N "$n" -t 1 hostname </dev/null 2>&1 |
    sort -V | tr '\n' ' ') || true
  [ "$got" = "$want" ] || fail "test step 'srun -N $n hostname' gave '$got', not '$want'"
  echo "slurm.sh: lab $lab: $n nodes up in $(since "$t0") s"
}

cmd_down() {
  local pids i
  [ -e "$S" ] || return 0
  # shellcheck disable=SC2086  # $pids: a list of numbers
  for i in $(seq 1 50); do   # TERM, KILL after 2 s, give up after 5 s
    pids=$(lab_pids)
    [ -n "$pids" ] || break
    if [ "$i" -eq 1 ]; then kill -TERM $pids 2>/dev/null || true; fi
    if [ "$i" -eq 20 ]; then kill -KILL $pids 2>/dev/null || true; fi
    sleep 0.1
  done
  [ -z "$pids" ] || echo "slurm.sh: lab $lab: still alive: $pids" >&2
  rm -rf "$S"
}

case $cmd in
  up) [ $# -le 3 ] || usage; cmd_up "${3:-}" ;;
  down) cmd_down || true ;;
  env) echo "export SLURM_CONF=$conf"
       echo "export HERMIT_MUNGE_SOCKET=$sock   # for: munge -S \"\$HERMIT_MUNGE_SOCKET\" -n | unmunge -S ..." ;;
  *) usage ;;
esac
