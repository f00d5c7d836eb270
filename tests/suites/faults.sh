# tests/suites/faults.sh - fault injection on a live 4-VM job (issue 15):
# while tests/faults/fault_ring.c passes a token around 4 VMs under
# cluster/hermit-mpirun, one fault is injected from the host, and the
# launcher must print ONE line naming the rank and the cause within the
# stated bound, exit non-zero and leave nothing behind: no process of the
# job (QEMU, hermit-run), no vde_switch, namespace (with its bridge and
# taps), hermit-net state, PMI or monitor socket. Sourced by tests/run.sh
# (pass, fail, $build, $logs). About 2 minutes; at most 4 VMs at a time.
#
#   fault                                   bound checked (docs/mpirun.md states
#                                           12 s and 7 s for stops and links; 1 s
#                                           more here for a loaded CI host)
#   QEMU of rank 2 killed (SIGKILL)         3 s   "rank 2: VM died (...signal 9...)"
#   QEMU of rank 1 stopped (SIGSTOP, 30 s)  13 s  "rank 1: VM stopped responding (paused..."
#   ... stopped for 2 s only                tolerated: the job ends OK
#   rank 3's vde port closed by the switch  8 s   "rank 3: network link lost (...)"
#   rank 2's tap set down (bridge, root)    8 s   "rank 2: network link lost (tap2 is down...)"
#   the launcher (its PMI server) SIGKILLed 8 s   its janitor: "the launcher ... was killed..."
#   the PMI server fails (a bug)            at once "the PMI server failed (...)"
#
# Bounds are from the injection to the launcher's message; the job must
# also be gone (every VM stopped, the network destroyed) FL_STOP_SLACK
# seconds after it. Times go to $logs/faults-times.txt.

case $build in
/*) fl_build=$build ;;
*) fl_build=$PWD/$build ;;
esac
fl_image=$fl_build/faults/fault-ring.elf
FL_STOP_SLACK=6             # hermit-mpirun: SIGTERM, SIGKILL 3 s later, then the network

# fl_now: seconds since the epoch, with fractions.
fl_now() { date +%s.%N; }
# fl_since T: seconds from T to now, one decimal.
fl_since() { awk -v t="$1" -v n="$(fl_now)" 'BEGIN { printf "%.1f", n - t }'; }
# fl_le A B: true if A <= B (decimals).
fl_le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
# fl_alive PID: true while PID runs (a child that exited is a zombie until
# waited for, and kill -0 would still find it).
fl_alive() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [ "${stat%% *}" != Z ]
}

# fl_start NAME [LAUNCHER...] -- MPIRUN-ARGS: starts a 4-VM job in the
# background with a private TMPDIR and waits until rank 0 reports a lap
# (every rank is past MPI_Init and in the ring). Sets fl_pid (the
# launcher), fl_tmp, fl_log, fl_switch (the vde_switch's pid, if any).
fl_start() {
    local name=$1 launcher=(cluster/hermit-mpirun) i
    shift
    if [ "$1" != -- ]; then
        launcher=()
        while [ "$1" != -- ]; do launcher+=("$1"); shift; done
    fi
    shift
    fl_tmp=$(mktemp -d /tmp/hermit-faults-XXXXXX)
    fl_log=$logs/$name.log
    # Through a subshell that waits for it: this shell would otherwise
    # announce "Killed" when the launcher-killed case reaps it.
    (TMPDIR=$fl_tmp "${launcher[@]}" -n 4 -l "$@" > "$fl_log" 2>&1 &
     echo $! > "$fl_tmp.pid"
     wait $!
     echo $? > "$fl_tmp.rc") 2> /dev/null &
    fl_waiter=$!
    for i in $(seq 50); do
        [ -s "$fl_tmp.pid" ] && break
        sleep 0.02
    done
    fl_pid=$(cat "$fl_tmp.pid")
    fl_switch=""
    for i in $(seq 300); do
        grep -q '^\[0\] fault-ring: lap' "$fl_log" && break
        fl_alive "$fl_pid" || break
        sleep 0.2
    done
    local sw
    sw=$(cluster/hermit-net info "mpi$fl_pid" 2>/dev/null | sed -n 's/^switch=//p')
    [ -n "$sw" ] && fl_switch=$(cat "$sw.pid" 2>/dev/null)
    grep -q '^\[0\] fault-ring: lap' "$fl_log"
}

# fl_qemu RANK: the pid of the job's QEMU for RANK (its PMI socket is in
# the job's private directory, so no other job's VM can match).
fl_qemu() {
    pgrep -f -- "qemu-system.*$fl_tmp/hermit-mpirun-[^/]*/pmi-$1\.sock"
}

# fl_wait LIMIT [PATTERN]: waits at most LIMIT seconds from the injection
# ($fl_t0) for the launcher to exit and a line matching PATTERN (default:
# any "hermit-mpirun:" line) to appear. Sets fl_rc (the launcher's status,
# or "running"), fl_detect (seconds to the line, or "none") and fl_exit.
fl_wait() {
    local limit=$1 pattern=${2:-^hermit-mpirun:}
    fl_detect=none fl_exit=none
    while :; do
        [ "$fl_detect" = none ] && grep -Eq -- "$pattern" "$fl_log" && fl_detect=$(fl_since "$fl_t0")
        if [ "$fl_exit" = none ] && ! fl_alive "$fl_pid"; then
            fl_exit=$(fl_since "$fl_t0")
        fi
        [ "$fl_detect" != none ] && [ "$fl_exit" != none ] && break
        fl_le "$limit" "$(fl_since "$fl_t0")" && break
        sleep 0.1
    done
    if fl_alive "$fl_pid"; then
        fl_rc=running
        kill -TERM "$fl_pid"            # cleans up as on Ctrl-C
        wait "$fl_waiter"
    else
        wait "$fl_waiter"
        fl_rc=$(cat "$fl_tmp.rc")
    fi
}

# fl_leftovers: what the job left behind, if anything (waits up to 3 s for
# processes that are still being reaped).
fl_leftovers() {
    local i left
    for i in $(seq 15); do
        left=""
        pgrep -f -- "$fl_tmp/" > /dev/null && left="processes: $(pgrep -d, -f -- "$fl_tmp/")"
        [ -n "$fl_switch" ] && kill -0 "$fl_switch" 2>/dev/null && left="$left vde_switch $fl_switch"
        ip netns list 2>/dev/null | grep -qw "hermit-mpi$fl_pid" && left="$left namespace hermit-mpi$fl_pid"
        cluster/hermit-net list | grep -qx "mpi$fl_pid" && left="$left network mpi$fl_pid"
        [ -n "$(ls -A "$fl_tmp" 2>/dev/null)" ] && left="$left files in TMPDIR: $(ls -A "$fl_tmp" | tr '\n' ' ')"
        [ -z "$left" ] && break
        sleep 0.2
    done
    echo $left
}

# fl_verdict NAME STATUS PATTERN BOUND: the job must have ended with
# STATUS, printed exactly one "hermit-mpirun:" line, matching PATTERN,
# within BOUND seconds of the injection, be gone FL_STOP_SLACK seconds
# later, and have left nothing.
fl_verdict() {
    local name=$1 want=$2 pattern=$3 bound=$4 why="" left lines
    lines=$(grep -c '^hermit-mpirun:' "$fl_log")
    left=$(fl_leftovers)
    if [ "$fl_rc" != "$want" ]; then
        why="exit status $fl_rc, expected $want"
    elif [ "$lines" -ne 1 ]; then
        why="$lines hermit-mpirun lines, expected one"
    elif ! grep -Eq -- "$pattern" "$fl_log"; then
        why="its line lacks /$pattern/: $(grep '^hermit-mpirun:' "$fl_log")"
    elif grep -q '^Traceback' "$fl_log"; then
        why="a Python traceback"
    elif [ "$fl_detect" = none ] || ! fl_le "$fl_detect" "$bound"; then
        why="message after ${fl_detect} s, bound ${bound} s"
    elif ! fl_le "$fl_exit" "$(awk -v b="$bound" -v s="$FL_STOP_SLACK" 'BEGIN { print b + s }')"; then
        why="launcher still running ${fl_exit} s after the fault"
    fi
    [ -n "$left" ] && why="${why:+$why; }left behind: $left"
    echo "$name: message after ${fl_detect} s (bound ${bound} s), gone after ${fl_exit} s, status $fl_rc" \
        >> "$logs/faults-times.txt"
    if [ -z "$why" ]; then pass "$name"; else fail "$name" "$why"; fi
    rm -rf "$fl_tmp" "$fl_tmp".*
}

# fl_abandon: ends a job that did not start as it should (as Ctrl-C would).
fl_abandon() {
    kill -TERM "$fl_pid" 2>/dev/null
    wait "$fl_waiter"
    rm -rf "$fl_tmp" "$fl_tmp".*
}

# --- the program ------------------------------------------------------------
mkdir -p "$fl_build/faults"
rm -f "$logs/faults-times.txt"
if ! HERMIT_BUILD=$fl_build bin/hermit-mpicc -O2 -g -Wall -Werror -o "$fl_image" \
        tests/faults/fault_ring.c > "$logs/faults-build.log" 2>&1; then
    fail faults-build "bin/hermit-mpicc tests/faults/fault_ring.c failed"
    return 0 2>/dev/null || exit 1
fi

# fl_case NAME: starts the usual job (the ring runs until stopped) or says why not.
fl_case() {
    fl_start "$1" -- --timeout 90 "$fl_image" 0 && return 0
    fail "$1" "the ring did not start (see $fl_log)"
    fl_abandon
    return 1
}

# --- 1. a VM dies --------------------------------------------------------------
if fl_case faults-vm-killed; then
    fl_t0=$(fl_now)
    kill -KILL "$(fl_qemu 2)"
    fl_wait 20
    fl_verdict faults-vm-killed 125 'rank 2: VM died \(its QEMU was killed by signal 9, SIGKILL\)' 3
fi

# --- 2. a VM stops responding, for 30 s, and for 2 s -------------------------
if fl_case faults-vm-paused; then
    q=$(fl_qemu 1)
    fl_t0=$(fl_now)
    kill -STOP "$q"
    (sleep 30; kill -CONT "$q") > /dev/null 2>&1 &
    resume=$!
    fl_wait 40
    kill "$resume" 2>/dev/null
    wait "$resume" 2>/dev/null
    fl_verdict faults-vm-paused 125 'rank 1: VM stopped responding \(paused for 1[0-9] s: its QEMU \(pid [0-9]+\) is stopped' 13
fi
# A short stop (a debugger's look, a loaded host) is tolerated: the ring
# (15 s) goes on and ends correctly.
if fl_start faults-vm-short-pause -- --timeout 90 "$fl_image" 15; then
    q=$(fl_qemu 1)
    kill -STOP "$q"
    sleep 2
    kill -CONT "$q"
    fl_t0=$(fl_now)
    fl_wait 40 '^\[0\] fault-ring: OK: 4 ranks'
    if [ "$fl_rc" = 0 ] && [ "$fl_detect" != none ] && ! grep -q '^hermit-mpirun:' "$fl_log" &&
       [ -z "$(fl_leftovers)" ]; then
        pass faults-vm-short-pause
    else
        fail faults-vm-short-pause "status $fl_rc, expected 0, 'fault-ring: OK' and no hermit-mpirun line"
    fi
    echo "faults-vm-short-pause: status $fl_rc, OK after ${fl_detect} s" >> "$logs/faults-times.txt"
    rm -rf "$fl_tmp" "$fl_tmp".*
else
    fail faults-vm-short-pause "the ring did not start (see $fl_log)"
    fl_abandon
fi

# --- 3. a link is cut ------------------------------------------------------------
if fl_case faults-link-vde; then
    mgmt=$(cluster/hermit-net info "mpi$fl_pid" | sed -n 's/^mgmt=//p')
    fl_t0=$(fl_now)
    python3 tests/faults/vde_cut.py "$mgmt" "$(fl_qemu 3)" >> "$logs/faults-link-vde.cut.log" 2>&1
    fl_wait 25
    fl_verdict faults-link-vde 125 "rank 3: network link lost \(its vde_switch port is gone, for [5-9] s\)" 8
fi
if [ "$(id -u)" -eq 0 ]; then
    if fl_start faults-link-bridge -- --net bridge --timeout 90 "$fl_image" 0; then
        fl_t0=$(fl_now)
        ip -n "hermit-mpi$fl_pid" link set tap2 down
        fl_wait 25
        fl_verdict faults-link-bridge 125 "rank 2: network link lost \(tap2 is down in hermit-mpi$fl_pid, for [5-9] s\)" 8
    else
        fail faults-link-bridge "the ring did not start (see $fl_log)"
        fl_abandon
    fi
else
    skip faults-link-bridge "the bridge plan needs root"
fi

# --- 4. the PMI service dies ---------------------------------------------------
# The launcher is the PMI server: SIGKILL leaves its janitor to stop the
# VMs and remove the network, and to say so (its status is SIGKILL's).
if fl_case faults-launcher-killed; then
    fl_t0=$(fl_now)
    kill -KILL "$fl_pid"
    fl_wait 20 'the launcher \(pid [0-9]+\) was killed'
    fl_verdict faults-launcher-killed 137 \
        "hermit-mpirun: the launcher \(pid $fl_pid\) was killed; its 4 ranks are stopped and network mpi$fl_pid is removed" 8
fi
# A bug in the PMI server (tests/faults/pmi_fails.py breaks its barrier
# while all 4 VMs wait in MPI_Init): one line, every VM stopped, no
# traceback, long before --timeout.
fl_t0=$(fl_now)
fl_start faults-pmi-server-fails python3 tests/faults/pmi_fails.py -- --timeout 90 "$fl_image" 0
fl_wait 60
fl_verdict faults-pmi-server-fails 125 \
    'the PMI server failed \(RuntimeError: injected fault: the barrier is broken at pmi_fails.py:[0-9]+\)' 40
