# tests/suites/mpirun.sh - the host side of MPI jobs: the PMI-1 server
# (cluster/pmi.py), cluster/hermit-mpirun and cluster/hermit-vm. Sourced by
# tests/run.sh, whose pass/fail functions and $build, $logs it uses.
#
# MPI cases run real MPICH host processes (Debian's mpich, built with its
# mpicc from tests/pmi/mpi_check.c) through our PMI server with
# HERMIT_VM_EXEC=host; VM cases boot N copies of a plain image to prove the
# VM plumbing (network plan, output, statuses, cleanup). Only loopback, unix
# sockets and our own namespaces are used. Every run has a timeout.

mr=cluster/hermit-mpirun

# Protocol cases with a Python client that speaks like simple_pmi.c.
host_cases pmi-protocol "" tests/pmi/test_pmi.py
grep -q '^PASS pmi-abort' "$logs/pmi-protocol.log" || fail pmi-protocol "test_pmi.py did not finish"

# Hostfiles, placement, Slurm's task counts and hermit-vm's PMI relay.
host_cases hosts-logic "" tests/pmi/test_hosts_logic.py

# mr_clean PID PATTERN: true if no process matches PATTERN and no network
# object of the hermit-mpirun with that PID is left.
mr_clean() {
    local pid=$1 pattern=$2
    ! pgrep -f -- "$pattern" > /dev/null && ! cluster/hermit-net list | grep -qx "mpi$pid" &&
        ! ip netns list 2>/dev/null | grep -qw "hermit-mpi$pid"
}

# mr_expect NAME STATUS PATTERN MAX_SECONDS -- MPIRUN-ARGS: runs hermit-mpirun,
# checks its status, that the log matches PATTERN, and the wall time.
mr_expect() {
    local name=$1 want=$2 pattern=$3 max=$4
    shift 5
    local start=$SECONDS
    timeout 120 "$mr" "$@" > "$logs/$name.log" 2>&1
    local rc=$? took=$((SECONDS - start))
    if [ "$rc" -ne "$want" ]; then
        fail "$name" "exit status $rc, expected $want"
    elif [ -n "$pattern" ] && ! grep -Eq -- "$pattern" "$logs/$name.log"; then
        fail "$name" "output lacks /$pattern/"
    elif [ "$took" -gt "$max" ]; then
        fail "$name" "took ${took}s, more than ${max}s"
    else
        pass "$name"
    fi
}

# --- bad command lines: one line, status 2 ---------------------------------
mr_usage() {
    local name=$1 pattern=$2
    shift 2
    timeout 30 "$mr" "$@" > "$logs/$name.log" 2>&1
    local rc=$?
    if [ "$rc" -eq 2 ] && [ "$(wc -l < "$logs/$name.log")" -eq 1 ] &&
       grep -q -- "$pattern" "$logs/$name.log"; then
        pass "$name"
    else
        fail "$name" "status $rc, or not one line matching /$pattern/"
    fi
}
mr_usage mpirun-bad-np-zero 'at least 1' -n 0 "$build/hello.elf"
mr_usage mpirun-bad-np-word 'takes a number' -np many "$build/hello.elf"
mr_usage mpirun-missing-image 'image not found' -n 2 "$build/no-such-image.elf"
mr_usage mpirun-not-an-image 'not a 64-bit ELF' -n 2 Makefile
mr_usage mpirun-unknown-option "unknown option '--frob'" --frob -n 2 "$build/hello.elf"
mr_usage mpirun-no-image 'no IMAGE' -n 2
mr_usage mpirun-bad-net 'must be vde, bridge or none' -n 2 --net carrier-pigeon "$build/hello.elf"
mr_usage mpirun-too-much-memory 'available' -n 4 --mem 100T "$build/hello.elf"

# --- VM plumbing with a plain image ---------------------------------------
mr_expect mpirun-vm-hello-2 0 '^\[1\] Hello from HermitCore-C' 60 -- \
    -n 2 -l --timeout 60 "$build/hello.elf" one
if grep -q '^\[0\] Hello from' "$logs/mpirun-vm-hello-2.log" &&
   grep -q '^\[0\]   argv\[1\] = "one"' "$logs/mpirun-vm-hello-2.log"; then
    pass mpirun-vm-output-labelled
else
    fail mpirun-vm-output-labelled "rank 0's lines missing or unlabelled"
fi
mr_expect mpirun-vm-hello-4-show 0 'hermit-run .*--kopt=ip=10.0.2.15/24,10.10.0.4/16 .*--env=PMI_ID=3' 90 -- \
    -n 4 --show --timeout 60 "$build/hello.elf"
mr_expect mpirun-vm-exit-status 200 'exited with status 200' 60 -- \
    -n 2 --timeout 60 "$build/ktest.elf" exit 200
mr_expect mpirun-vm-timeout 124 'cpu 0: rip 0x[0-9a-f]+ ' 40 -- \
    -n 2 -l --timeout 3 "$build/ktest.elf" hang
if [ "$(id -u)" -eq 0 ]; then
    mr_expect mpirun-vm-bridge 0 '^\[1\] Hello from' 60 -- \
        -n 2 -l --net bridge --timeout 60 "$build/hello.elf"
fi

# Ctrl-C: SIGINT to hermit-mpirun stops every VM and removes the network.
mr_sigint() {
    local name=$1 ready=$2 pattern=$3
    shift 3
    "$mr" "$@" > "$logs/$name.log" 2>&1 &
    local pid=$! i
    for i in $(seq 100); do
        [ "$(grep -c -- "$ready" "$logs/$name.log")" -ge 2 ] && break
        sleep 0.2
    done
    sleep 1
    kill -INT "$pid"
    for i in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid"
        cluster/hermit-net destroy "mpi$pid" > /dev/null 2>&1   # its VMs end at --timeout
        fail "$name" "hermit-mpirun still running 10 s after SIGINT"
        return
    fi
    wait "$pid"
    local rc=$?
    if [ "$rc" -ne 130 ]; then
        fail "$name" "exit status $rc, expected 130"
    elif ! mr_clean "$pid" "${pattern//@PID@/$pid}"; then
        fail "$name" "a process or network object was left behind"
    else
        pass "$name"
    fi
}
mr_sigint mpirun-vm-sigint 'hermit-vm: rank' "/mpi@PID@/switch" \
    -n 2 --show --timeout 60 "$build/ktest.elf" hang

# `hermit-mpirun ... | head`: a closed output stops the job (status 141, as
# a shell reports SIGPIPE) and still removes its network. Host-mode ranks
# (yes(1) writes without end) keep it quick.
HERMIT_VM_EXEC=host timeout 30 "$mr" -n 2 --timeout 20 /usr/bin/yes \
    2> "$logs/mpirun-output-closed.log" | head -n 1 > /dev/null
rc=${PIPESTATUS[0]}
if [ "$rc" -eq 141 ] && grep -q 'output closed; stopping every VM' "$logs/mpirun-output-closed.log"; then
    pass mpirun-output-closed
else
    fail mpirun-output-closed "exit status $rc, expected 141 and one message"
fi
cluster_leftovers mpirun-output-closed '^/usr/bin/yes$'

# mpirun-pmi-no-tcp-listener: the launcher serves PMI on no TCP port (VMs
# use their own unix sockets, host ranks a socketpair): no local user can
# reach the job's PMI service.
HERMIT_VM_EXEC=host timeout 30 "$mr" -n 2 --net none --timeout 20 /bin/sleep 3 \
    > "$logs/mpirun-pmi-no-tcp-listener.log" 2>&1 &
mr_pid=$!
sleep 1.5
listeners=$(ss -Hltnp 2>/dev/null | grep -E "pid=($mr_pid|$(pgrep -d '|' -P "$mr_pid")),")
wait "$mr_pid"
rc=$?
if [ "$rc" -eq 0 ] && [ -z "$listeners" ]; then
    pass mpirun-pmi-no-tcp-listener
else
    fail mpirun-pmi-no-tcp-listener "status $rc; TCP listeners of hermit-mpirun: ${listeners:-none}"
fi

# --- real MPICH processes through our PMI server -------------------------
if command -v mpicc > /dev/null && command -v mpiexec > /dev/null; then
    mkdir -p "$build/pmi"
    mpi_check=$build/pmi/mpi_check
    if mpicc -O2 tests/pmi/mpi_check.c -o "$mpi_check" > "$logs/pmi-mpicc.log" 2>&1; then
        pass pmi-mpicc-build
        export HERMIT_VM_EXEC=host
        for n in 2 4; do
            mr_expect "mpirun-host-mpich-$n" 0 "^\[$((n - 1))\] rank $((n - 1)) of $n: ok" 60 -- \
                -n "$n" -l --net none --timeout 60 "$mpi_check"
            if [ "$(grep -c ": ok$" "$logs/mpirun-host-mpich-$n.log")" -ne "$n" ]; then
                fail "mpirun-host-mpich-$n-all-ranks" "not every rank reported ok"
            fi
        done
        mr_expect mpirun-host-vde-net 0 'rank 1 of 2: ok' 60 -- -n 2 --timeout 60 "$mpi_check"
        # Which the launcher notices first, the closed PMI connection or the
        # exit status, is a race; either names the rank.
        mr_expect mpirun-host-dead-rank 137 'rank 1 (died: PMI connection closed|exited with status 137)' 15 -- \
            -n 4 --timeout 60 "$mpi_check" die
        if mr_clean 0 "$mpi_check die"; then pass mpirun-host-dead-rank-clean
        else fail mpirun-host-dead-rank-clean "a rank outlived the job"; fi
        mr_expect mpirun-host-abort 7 'rank 1 called MPI_Abort \(exit code 7\)' 15 -- \
            -n 2 --timeout 60 "$mpi_check" abort
        mr_expect mpirun-host-timeout 124 'job timed out after 3 s' 10 -- \
            -n 2 --timeout 3 "$mpi_check" hang
        mr_sigint mpirun-host-sigint 'hello from rank' "$mpi_check hang" \
            -n 2 --timeout 60 "$mpi_check" hang
        # Debian's own launcher: Hydra gives each hermit-vm PMI_PORT and PMI_ID.
        if timeout 60 mpiexec -pmi-port -launcher fork -n 4 cluster/hermit-vm "$mpi_check" \
               > "$logs/hydra-hermit-vm-host.log" 2>&1 &&
           [ "$(grep -c ": ok$" "$logs/hydra-hermit-vm-host.log")" -eq 4 ]; then
            pass hydra-hermit-vm-host
        else
            fail hydra-hermit-vm-host "mpiexec -pmi-port with hermit-vm (host mode) failed"
        fi
        unset HERMIT_VM_EXEC
    else
        fail pmi-mpicc-build "mpicc failed"
    fi
else
    echo "SKIP mpirun MPICH host cases: Debian's mpich and libmpich-dev are not installed"
fi
