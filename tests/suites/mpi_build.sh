# mpi_build.sh - the MPI suite's first cases: MPICH cross-built into the
# cache (mpi-port/build.sh), bin/hermit-mpicc, and MPI programs booted as
# VMs: a singleton (no PMI server: size 1, no fork/exec) and two ranks over
# a two-VM link with this suite's own PMI-1 server (tests/mpi/pmi_server.py).
# Sourced by tests/run.sh, whose guest/pass/fail functions and $run,
# $logs, $build it uses. The images are build/mpi-*.elf (mpi-port/mpi.mk).
# shellcheck shell=bash disable=SC2154  # sourced by tests/run.sh (run, build, logs)

mpi_hello=$build/mpi-hello.elf
mpi_ring=$build/mpi-ring.elf

# hermit-mpicc -show: the commands name MPICH's headers and library and
# run nothing.
mpi_show() {
    local name=mpi.hermit-mpicc-show out
    out=$(HERMIT_BUILD=$build bin/hermit-mpicc -show -O2 tests/mpi/hello.c -o "$build/none.elf" 2>&1)
    printf '%s\n' "$out" > "$logs/$name.log"
    if ! grep -q -- '-I.*/include' <<<"$out" || ! grep -q 'libmpi\.a' <<<"$out"; then
        fail "$name" "-show lacks MPICH's include path or libmpi.a"
    elif [ -e "$build/none.elf" ]; then
        fail "$name" "-show produced an image"
    else
        pass "$name"
    fi
}
mpi_show

# An unmodified MPI source compiles and links; the image holds MPICH.
mpi_compile() {
    local name=mpi.hermit-mpicc-build dir
    dir=$(mktemp -d "${TMPDIR:-/tmp}/hermit-mpicc.XXXXXX")
    if HERMIT_BUILD=$build bin/hermit-mpicc -O2 -c tests/mpi/ring.c -o "$dir/ring.o" > "$logs/$name.log" 2>&1 &&
       HERMIT_BUILD=$build bin/hermit-mpicc "$dir/ring.o" -o "$dir/ring.elf" >> "$logs/$name.log" 2>&1 &&
       nm "$dir/ring.elf" | grep -qE ' [TW] MPI_Init$'; then
        pass "$name"
    else
        fail "$name" "hermit-mpicc -c + link of tests/mpi/ring.c failed"
    fi
    rm -rf "$dir"
}
mpi_compile

# Singleton: MPI_Init without PMI_PORT (size 1, rank 0, no mpiexec spawned).
guest mpi.singleton-hello 0 $'hello from rank 0 of 1 on \\S+\n^mpi-hello: OK' \
    -- --kopt ip=10.0.2.15/24 --kopt hostname=rank0 \
    --qemu-arg=-netdev --qemu-arg=user,id=n0,restrict=on \
    --qemu-arg=-device --qemu-arg=virtio-net-pci,netdev=n0 "$mpi_hello"
guest mpi.singleton-ring 0 '^mpi-ring: OK: 1 ranks' \
    -- --kopt ip=10.0.2.15/24 \
    --qemu-arg=-netdev --qemu-arg=user,id=n0,restrict=on \
    --qemu-arg=-device --qemu-arg=virtio-net-pci,netdev=n0 "$mpi_ring" -- 2

# mpi_pair NAME PATTERNS IMAGE ARGS...: two ranks, one VM each. NIC 0 is
# QEMU user networking with nothing routed out (restrict=on) but one
# forwarding rule, 10.0.2.100:PORT -> this suite's PMI server on
# 127.0.0.1:PORT; NIC 1 is a point-to-point link (a QEMU stream netdev on
# a unix socket in a private directory) carrying MPI between 10.0.0.1 and
# 10.0.0.2. Rank 1 runs in the background (its own verdict NAME.rank1),
# rank 0 in the foreground, the PMI server's verdict is NAME.pmi.
mpi_pair() {
    local name=$1 patterns=$2 image=$3
    shift 3
    local dir port pmi r1
    dir=$(mktemp -d "${TMPDIR:-/tmp}/hermit-mpi.XXXXXX")
    python3 tests/mpi/pmi_server.py --size 2 --timeout 150 > "$dir/pmi.out" 2> "$logs/$name.pmi.log" &
    pmi=$!
    local waited=0
    until grep -q '^PMI_PORT=' "$dir/pmi.out" 2>/dev/null || [ $waited -ge 50 ]; do
        sleep 0.1
        waited=$((waited + 1))
    done
    port=$(sed -n 's/^PMI_PORT=.*://p' "$dir/pmi.out")
    if [ -z "$port" ]; then
        fail "$name" "the PMI server did not start"
        kill "$pmi" 2>/dev/null
        rm -rf "$dir"
        return
    fi
    # rank_args R: hermit-run options of rank R.
    rank_args() {
        local r=$1 mode=$2 ip=10.0.0.$(($1 + 1))
        echo --kopt "ip=10.0.2.15/24,$ip/24" --kopt "hostname=rank$r" \
            --kopt hosts=rank0:10.0.0.1,rank1:10.0.0.2 \
            --env "PMI_PORT=10.0.2.100:$port" --env "PMI_ID=$r" \
            --env "MPICH_INTERFACE_HOSTNAME=$ip" \
            --qemu-arg=-netdev \
            --qemu-arg="user,id=n0,restrict=on,guestfwd=tcp:10.0.2.100:$port-tcp:127.0.0.1:$port" \
            --qemu-arg=-device --qemu-arg=virtio-net-pci,netdev=n0 \
            --qemu-arg=-netdev --qemu-arg="stream,id=n1,addr.type=unix,addr.path=$dir/link.sock,$mode" \
            --qemu-arg=-device --qemu-arg="virtio-net-pci,netdev=n1,mac=52:54:00:00:02:0$r"
    }
    # shellcheck disable=SC2046  # rank_args prints words without spaces
    timeout 130 "$run" --timeout 120 $(rank_args 1 server=on) "$image" -- "$@" \
        > "$logs/$name.rank1.log" 2>&1 &
    r1=$!
    # shellcheck disable=SC2046
    guest "$name" 0 "$patterns" -- $(rank_args 0 server=off,reconnect-ms=100) "$image" -- "$@"
    local rc1=0 rcp=0
    wait "$r1" || rc1=$?
    if [ "$rc1" -eq 0 ]; then pass "$name.rank1"; else
        fail "$name.rank1" "rank 1 exited with status $rc1"; fi
    local w=0
    while kill -0 "$pmi" 2>/dev/null && [ $w -lt 20 ]; do sleep 0.5; w=$((w + 1)); done
    kill "$pmi" 2>/dev/null
    wait "$pmi" || rcp=$?
    if [ "$rcp" -eq 0 ]; then pass "$name.pmi"; else
        fail "$name.pmi" "the PMI server exited with status $rcp"; fi
    rm -rf "$dir"
}
mpi_pair mpi.2-hello $'hello from rank 0 of 2 on rank0\n^mpi-hello: OK' "$mpi_hello"
mpi_pair mpi.2-ring '^mpi-ring: OK: 2 ranks, 10 laps' "$mpi_ring" 10
