#!/usr/bin/env bash
# tests/soak/run.sh - one soak run (what `make soak` does): the soak image
# on N VMs through cluster/hermit-mpirun, its progress streamed as it
# comes, then tests/soak/judge.py's summary and verdict.
#
#   tests/soak/run.sh --image build/soak/soak.elf --seconds 3600
#       [--ranks 4] [--interval S] [--leak heap|comm] [--log FILE]
#
# --interval defaults to SECONDS/10 clamped to 10..60 s. The job gets
# SECONDS plus a margin (boot, the warm-up cycle, the samples, a slow
# shared host) as its --timeout, and an outer timeout 60 s later in case
# the launcher itself hangs. The full output is kept in --log (default
# build/soak/soak-<time>.log). Exits with the judge's status: 0 PASS,
# 1 FAIL, 2 ERROR (too few samples to judge); 2 also for bad arguments.
set -u

image="" seconds="" ranks=4 interval="" leak="" log=""
while [ $# -gt 0 ]; do
    case $1 in
        --image) image=$2; shift 2 ;;
        --seconds) seconds=$2; shift 2 ;;
        --ranks) ranks=$2; shift 2 ;;
        --interval) interval=$2; shift 2 ;;
        --leak) leak=$2; shift 2 ;;
        --log) log=$2; shift 2 ;;
        *) echo "run.sh: unknown argument: $1" >&2; exit 2 ;;
    esac
done
if [ -z "$image" ] || [ ! -f "$image" ] || ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
    echo "usage: tests/soak/run.sh --image IMAGE --seconds N [--ranks R] [--interval S] [--leak heap|comm] [--log FILE]" >&2
    exit 2
fi
case $leak in ""|heap|comm) ;; *) echo "run.sh: --leak takes heap or comm" >&2; exit 2 ;; esac
if [ -z "$interval" ]; then
    interval=$((seconds / 10))
    [ "$interval" -lt 10 ] && interval=10
    [ "$interval" -gt 60 ] && interval=60
fi
# Boot and the warm-up cycle take ~30 s on an idle host; a loaded one
# (2 CPUs, 4 VMs, other jobs) can be several times slower.
timeout_s=$((seconds + 240 + seconds / 10))
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if [ -z "$log" ]; then
    log=$(dirname "$image")/soak-$(date +%Y%m%d-%H%M%S)${leak:+-leak-$leak}.log
fi
mkdir -p "$(dirname "$log")"

echo "soak: $ranks VMs, $seconds s, sample every $interval s${leak:+, leaking ($leak)}, timeout $timeout_s s; log $log"
args=("$image" "$seconds" --interval "$interval")
[ -n "$leak" ] && args+=(--leak "$leak")
timeout --kill-after=10 $((timeout_s + 60)) "$root/cluster/hermit-mpirun" -n "$ranks" -l \
    --timeout "$timeout_s" "${args[@]}" 2>&1 | tee "$log" | python3 "$here/judge.py" --stream
status=${PIPESTATUS[0]}
echo
python3 "$here/judge.py" --status "$status" --seconds "$seconds" --ranks "$ranks" "$log"
