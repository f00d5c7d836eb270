# tests/suites/mpi_tests.sh - MPI correctness programs (tests/mpi/*.c) on
# 2 and 4 VMs through cluster/hermit-mpirun, MPI_Abort, and jobs that go
# wrong: a rank that panics, one that never calls MPI_Init, a hung job,
# images that are not MPI images. Sourced by tests/run.sh (pass, fail,
# $build, $logs).
#
# Every case checks the exit status, the output and that nothing is left:
# no process running the image (QEMU, hermit-run, hermit-vm), no network
# namespace or switch of that job, no file in the job's private TMPDIR
# (hermit-mpirun's PMI socket, hermit-run's monitor socket) and nothing in
# $HERMIT_RUN_DIR. Images are passed by absolute path so the process check
# cannot see another checkout's VMs.

mt_dir=$PWD/$build

# mt_run NAME ARGS...: runs hermit-mpirun ARGS with a private TMPDIR and an
# outer watchdog (hermit-mpirun's own --timeout should always end it first).
# Sets mt_rc, mt_pid, mt_tmp, mt_took; the output is in $logs/NAME.log.
mt_run() {
    local name=$1
    shift
    mt_tmp=$(mktemp -d /tmp/hermit-mt-XXXXXX)
    local start=$SECONDS
    TMPDIR=$mt_tmp cluster/hermit-mpirun "$@" > "$logs/$name.log" 2>&1 &
    mt_pid=$!
    local watchdog i
    # Polls so that it ends by itself soon after the job (no stray sleep).
    (for i in $(seq 2000); do
         sleep 0.2
         kill -0 "$mt_pid" 2>/dev/null || exit 0
     done
     kill -TERM "$mt_pid") > /dev/null 2>&1 &
    watchdog=$!
    wait "$mt_pid"
    mt_rc=$?
    wait "$watchdog"
    mt_took=$((SECONDS - start))
}

# mt_leftovers IMAGE: prints what the last mt_run left behind, if anything.
mt_leftovers() {
    local image=$1 p
    # Only this checkout's processes and this job's network (mpi<launcher
    # pid>) count: other checkouts may run jobs on the machine meanwhile.
    for p in $(pgrep -f -- "$image"); do
        [ "$(readlink "/proc/$p/cwd")" = "$PWD" ] && echo "a process running $image" && break
    done
    ip netns list 2>/dev/null | grep -qw "hermit-mpi$mt_pid" && echo "namespace hermit-mpi$mt_pid"
    cluster/hermit-net list | grep -qx "mpi$mt_pid" && echo "network mpi$mt_pid"
    [ -n "$(ls -A "$mt_tmp" 2>/dev/null)" ] && echo "files in TMPDIR: $(ls -A "$mt_tmp")"
    rm -rf "$mt_tmp"
}

# mt_case NAME STATUS PATTERNS IMAGE ARGS...: one hermit-mpirun job that
# must end with STATUS, print every pattern (newline-separated extended
# regexps), print at most one "hermit-mpirun:" line, and leave nothing.
mt_case() {
    local name=$1 want=$2 patterns=$3 image=$4
    shift 4
    mt_run "$name" "$@"
    local why="" pattern left
    while IFS= read -r pattern; do
        [ -n "$pattern" ] && ! grep -Eq -- "$pattern" "$logs/$name.log" &&
            why="output lacks /$pattern/" && break
    done <<<"$patterns"
    [ "$(grep -c '^hermit-mpirun:' "$logs/$name.log")" -gt 1 ] &&
        why="more than one hermit-mpirun message"
    [ "$mt_rc" -ne "$want" ] && why="exit status $mt_rc, expected $want"
    left=$(mt_leftovers "$image")
    [ -n "$left" ] && why="${why:+$why; }left behind: $(echo $left)"
    if [ -z "$why" ]; then
        pass "$name"
    else
        fail "$name" "$why (${mt_took}s)"
    fi
    echo "$name ${mt_took}s" >> "$logs/mpi-tests-times.txt"
}

# --- correctness programs: "mpi-NAME: OK: N ranks" and status 0 ----------
for prog in p2p coll_reduce coll_move comm dtype large; do
    image=$mt_dir/mpi-$prog.elf
    for n in 2 4; do
        mt_case "mpi-$prog-$n-vms" 0 "^mpi-$prog: OK: $n ranks" "$image" \
            -n "$n" --timeout 300 "$image"
    done
done
# The bridged plan (root only) carries the same traffic over taps.
if [ "$(id -u)" -eq 0 ]; then
    mt_case mpi-p2p-4-vms-bridge 0 '^mpi-p2p: OK: 4 ranks' "$mt_dir/mpi-p2p.elf" \
        -n 4 --net bridge --timeout 300 "$mt_dir/mpi-p2p.elf"
fi

# --- many ranks on one host (issue 15, items 14 and 15) --------------------
# 40 VMs on one vde switch (a default-sized switch held 31), all booting at
# once: each must calibrate its TSC from a real source (never the 2 GHz
# guess) and agree with the others within 2 % (each VM's TSC is the host's
# under TCG, so they must agree). About 20 s on 2 host CPUs.
image=$mt_dir/mpi-ring.elf
mt_case mpi-ring-40-vms 0 '^\[0\] mpi-ring: OK: 40 ranks' \
    "$image" -n 40 -l --mem 64M --kopt loglevel=info --timeout 300 "$image"
# tsc_spread LOG N: "ok MIN..MAX kHz" when N VMs reported a calibrated TSC
# within 2 % of their median, else what is wrong.
tsc_spread() {
    local log=$1 n=$2 got guess
    got=$(grep -c ' hermit: TSC: [0-9]* kHz from ' "$log")
    guess=$(grep -c ' hermit: TSC: [0-9]* kHz from a guess' "$log")
    [ "$got" -eq "$n" ] || { echo "TSC reported by $got of $n VMs"; return; }
    [ "$guess" -eq 0 ] || { echo "$guess VMs run on a guessed TSC frequency"; return; }
    sed -n 's/.* hermit: TSC: \([0-9]*\) kHz from .*/\1/p' "$log" | sort -n |
        awk -v n="$n" '{ k[NR] = $1 } END { med = k[int((n + 1) / 2)]
            if (k[1] < med * 0.98 || k[n] > med * 1.02)
                print "TSC frequencies " k[1] ".." k[n] " kHz, more than 2 % from their median " med
            else
                print "ok " k[1] ".." k[n] " kHz" }'
}
tsc_check=$(tsc_spread "$logs/mpi-ring-40-vms.log" 40)
echo "mpi-ring-40-vms TSC: $tsc_check" >> "$logs/mpi-tests-times.txt"
case $tsc_check in
ok*) pass mpi-40-vms-tsc-calibrated ;;
*) fail mpi-40-vms-tsc-calibrated "$tsc_check" ;;
esac

# --- a compute core under traffic: FWQ on CPU 1 of each rank while the two
# ranks ping-pong on CPU 0 (bench/noise/fwq_traffic.c, the noise-traffic
# benchmark's program): CPU 1 takes no interrupt and no context switch.
image=$mt_dir/noise/fwq_traffic.elf
mt_case noise-traffic-cpu1-undisturbed 0 \
    $'^\\[0\\] traffic rank 0 cpu 1 .* interrupts 0 context_switches 0 round_trips [1-9]\n^\\[1\\] traffic rank 1 cpu 1 .* interrupts 0 context_switches 0 round_trips [1-9]' \
    "$image" -n 2 --cpus 2 --icount -l --timeout 120 "$image" -s 200 -w 100000

# --- MPI_Abort: the job ends at once with the aborting rank's code --------
# (status 124 would mean the job only ended at --timeout)
image=$mt_dir/mpi-abort.elf
mt_case mpi-abort-2-vms 7 $'rank 1 called MPI_Abort \\(exit code 7\\)\n^mpi-abort: rank 1 aborting' \
    "$image" -n 2 --timeout 120 "$image"
mt_case mpi-abort-4-vms-rank0 3 $'rank 0 called MPI_Abort \\(exit code 3\\)\n^\\[0\\] mpi-abort: rank 0 aborting' \
    "$image" -n 4 -l --timeout 120 "$image" 3 0

# --- jobs that go wrong -----------------------------------------------------
image=$mt_dir/mpi-misbehave.elf
mt_case mpi-rank-panics 114 $'rank 1 exited with status 114; stopping the job\nNULL pointer dereference\n^\\[0\\] mpi-misbehave: rank 0 waits in MPI_Recv' \
    "$image" -n 4 -l --timeout 120 "$image" panic
mt_case mpi-rank-skips-init 1 'rank 1 exited without (calling )?MPI_Init' \
    "$image" -n 2 --timeout 120 "$image" noinit
mt_case mpi-job-hangs 124 $'job timed out after 20 s\n^\\[1\\] hermit-run: cpu 0: rip 0x[0-9a-f]+ main\\+' \
    "$image" -n 2 -l --timeout 20 "$image" spin
# A plain (non-MPI) image is N independent programs, as with MPICH's
# mpiexec: every rank runs to its own end and the job succeeds.
mt_case mpi-non-mpi-image 0 $'^\\[0\\] Hello from HermitCore-C\n^\\[1\\] Hello from HermitCore-C' \
    "$mt_dir/hello.elf" -n 2 -l --timeout 120 "$mt_dir/hello.elf"

# Refused before anything starts: one line, status 2. (-n 0, -np WORD,
# a missing image, a non-ELF file and 4 x 100T are in mpirun.sh.)
mt_refused() {
    local name=$1 pattern=$2
    shift 2
    mt_run "$name" "$@"
    local left
    left=$(mt_leftovers "$mt_dir/hello.elf")
    if [ "$mt_rc" -eq 2 ] && [ "$(wc -l < "$logs/$name.log")" -eq 1 ] &&
       grep -q -- "$pattern" "$logs/$name.log" && [ -z "$left" ]; then
        pass "$name"
    else
        fail "$name" "status $mt_rc, or not one line matching /$pattern/${left:+, left: $left}"
    fi
}
mt_refused mpirun-bad-np-negative "must be at least 1, not '-1'" -n -1 "$mt_dir/hello.elf"
mt_refused mpirun-host-program 'not a HermitCore-C image' -n 2 /bin/true
if [ "$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)" -lt $((256 << 20)) ]; then
    mt_refused mpirun-memory-64g-x4 'need 262144 MiB, only' --mem 64G -n 4 "$mt_dir/hello.elf"
else
    echo "SKIP mpirun-memory-64g-x4: this host has 256 GiB available"
fi
