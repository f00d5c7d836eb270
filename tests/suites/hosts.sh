# tests/suites/hosts.sh - MPI jobs across hosts (sourced by tests/run.sh).
#
# Four test hosts and a head node, each a network namespace with its own
# hostname and sshd (tests/hosts/testhosts.sh), reaching each other only
# over IP. From the head: hermit-mpirun -f over Hydra's ssh launcher with
# the root plan (bridges joined by VXLAN) and the unprivileged plan (vde
# switches joined over ssh), Debian's mpiexec driving cluster/hermit-vm
# directly (PMI_FD relayed into the VM), 32 ranks on 4 hosts, Slurm, and
# the failures: an unreachable host, a host without QEMU, a bad hostfile,
# Ctrl-C, a launcher killed by SIGKILL, a host that dies mid-job. After every job nothing of it is left
# on any host (VMs, proxies, switches, namespaces, state).

hs_lab=hc
hs_th=tests/hosts/testhosts.sh
hs_image=$PWD/$build/mpi-spread.elf
hs_tmp=$(mktemp -d /tmp/hermit-hosts-XXXXXX)

hs_on() {
    "$hs_th" exec "$hs_lab" "$@"
}

# hs_left: prints what any job left on the lab's hosts, nothing if clean.
hs_left() {
    local h
    pgrep -f "qemu-system-x86_64.*($PWD/$build/|hermitcore-c/images/)" > /dev/null &&
        echo "a VM of this checkout"
    pgrep -f "hydra_pmi_proxy|mpiexec.hydra" > /dev/null && echo "a Hydra process"
    pgrep -x dpipe > /dev/null && echo "a vde cable"
    for h in head h1 h2 h3 h4; do
        [ -n "$(hs_on "$h" cluster/hermit-net list 2>/dev/null)" ] && echo "$h: a network"
        [ -n "$(hs_on "$h" ip netns list 2>/dev/null)" ] && echo "$h: a namespace"
        hs_on "$h" ip -o link show type vxlan 2>/dev/null | grep -q . && echo "$h: a vxlan device"
    done
}

hs_check_clean() {
    local left
    left=$(hs_left | sort -u | paste -sd, -)
    if [ -n "$left" ]; then
        fail "$1.cleanup" "left behind: $left"
    else
        pass "$1.cleanup"
    fi
}

# hs_job NAME STATUS PATTERN ARGS...: hermit-mpirun ARGS on the head, under
# a watchdog; passes if the status and the output match, then checks cleanup.
hs_job() {
    local name=$1 want=$2 pattern=$3
    shift 3
    timeout 900 "$hs_th" exec "$hs_lab" head cluster/hermit-mpirun "$@" > "$logs/$name.log" 2>&1
    local rc=$?
    if [ $rc -ne "$want" ]; then
        fail "$name" "exit status $rc, expected $want"
    elif ! grep -Eq -- "$pattern" "$logs/$name.log"; then
        fail "$name" "output lacks /$pattern/"
    else
        pass "$name"
    fi
    hs_check_clean "$name"
}

# hs_wait_vms N SECONDS: waits up to 300 s until N VMs of the image run
# with the argument SECONDS (each waiting job gets its own).
hs_wait_vms() {
    local i
    for i in $(seq 600); do
        [ "$(pgrep -fc "qemu-system-x86_64.*$hs_image.*mpi-spread.elf $2( |$)")" -ge "$1" ] && return 0
        sleep 0.5
    done
    return 1
}

hs_run_suite() {
    printf 'h1:2\nh2:2\n' > "$hs_tmp/two"
    printf 'h1\nh2\n' > "$hs_tmp/alternate"
    printf 'h1:8\nh2:8\nh3:8\nh4:8\n' > "$hs_tmp/four"
    printf 'h1:2\nh9:2\n' > "$hs_tmp/unreachable"
    printf 'h1:2\nh3:1\nh1\n' > "$hs_tmp/duplicate"
    printf 'h1:2\nh2:two\n' > "$hs_tmp/badslots"

    hs_job hosts-bridge-2x2 0 '^\[0\] mpi-spread: OK: 4 ranks' \
        -f "$hs_tmp/two" -n 4 -l --net bridge --timeout 300 "$hs_image"
    hs_job hosts-vde-2x2 0 '^\[0\] mpi-spread: OK: 4 ranks' \
        -f "$hs_tmp/two" -n 4 -l --net vde --timeout 300 "$hs_image"
    # More ranks than slots: Hydra wraps around the hostfile (docs/cluster.md).
    hs_job hosts-more-ranks-than-slots 0 '^\[0\] mpi-spread: OK: 6 ranks' \
        -f "$hs_tmp/two" -n 6 -l --net bridge --timeout 300 "$hs_image"

    # The user's own mpiexec (ssh launcher, PMI_FD) on a network made by hand.
    local name=hosts-plain-mpiexec rc
    if hs_on head cluster/hermit-net create --plan bridge --hosts "$hs_tmp/two" lab \
           > "$logs/$name.log" 2>&1; then
        timeout 600 "$hs_th" exec "$hs_lab" head env HERMIT_NET=lab \
            mpiexec.hydra -f "$hs_tmp/two" -n 4 cluster/hermit-vm --timeout 300 "$hs_image" \
            >> "$logs/$name.log" 2>&1
        rc=$?
        hs_on head cluster/hermit-net destroy lab >> "$logs/$name.log" 2>&1 ||
            echo "destroy failed" >> "$logs/$name.log"
        if [ $rc -eq 0 ] && grep -q '^mpi-spread: OK: 4 ranks' "$logs/$name.log" &&
           ! grep -q "destroy failed" "$logs/$name.log"; then
            pass $name
        else
            fail $name "status $rc"
        fi
    else
        fail $name "hermit-net create --hosts failed"
    fi
    hs_check_clean $name

    # A name another network holds on h2: refused naming h2, nothing left
    # on h1, and h2's own network untouched.
    name=hosts-net-name-taken
    if hs_on h2 cluster/hermit-net create --plan bridge taken > "$logs/$name.log" 2>&1; then
        if ! hs_on head cluster/hermit-net create --plan bridge --hosts "$hs_tmp/two" taken \
               >> "$logs/$name.log" 2>&1 &&
           grep -q "h2: hermit-net: network 'taken' exists already on h2" "$logs/$name.log" &&
           [ -z "$(hs_on h1 cluster/hermit-net list)" ] &&
           hs_on h2 cluster/hermit-net list | grep -qx taken; then
            pass $name
        else
            fail $name "not refused, or the wrong pieces removed"
        fi
        hs_on h2 cluster/hermit-net destroy taken >> "$logs/$name.log" 2>&1
    else
        fail $name "cannot make h2's own network"
    fi
    hs_check_clean $name

    hs_job hosts-32-ranks-4-hosts 0 '^\[0\] mpi-spread: OK: 32 ranks' \
        -f "$hs_tmp/four" -n 32 -l --net bridge --mem 128M --timeout 600 "$hs_image"

    # An image only the head holds (its own /srv), and h1 holding another
    # file under that name: both get the head's copy, checked by SHA-256.
    local sum
    sum=$(sha256sum "$hs_image" | cut -d' ' -f1)
    rm -f ~/.cache/hermitcore-c/images/"$sum".elf
    if hs_on head cp "$hs_image" /srv/app.elf && hs_on h1 cp "$PWD/$build/ktest.elf" /srv/app.elf; then
        hs_job hosts-image-copied 0 '^\[0\] mpi-spread: OK: 4 ranks' \
            -f "$hs_tmp/two" -n 4 -l --net bridge --timeout 300 /srv/app.elf
        [ -f ~/.cache/hermitcore-c/images/"$sum".elf ] ||
            fail hosts-image-copied.cache "no copy in ~/.cache/hermitcore-c/images"
    else
        fail hosts-image-copied "cannot place the files"
    fi

    # A rank that panics on h2 ends the job with its status (Hydra only
    # ends a job on a PMI abort, which hermit-vm sends for it).
    hs_job hosts-rank-panics 114 'hermit-vm: rank 1 on h2 ended with status 114 before MPI_Finalize' \
        -f "$hs_tmp/alternate" -n 2 --net bridge --timeout 300 "$PWD/$build/mpi-misbehave.elf" panic

    hs_job hosts-unreachable 125 'host h9 cannot be reached' \
        -f "$hs_tmp/unreachable" -n 4 "$hs_image"
    hs_job hosts-duplicate-host 2 'duplicate:3: host .h1. is already on line 1' \
        -f "$hs_tmp/duplicate" -n 4 "$hs_image"
    hs_job hosts-bad-slots 2 'badslots:2: slots must be' \
        -f "$hs_tmp/badslots" -n 4 "$hs_image"
    # A host without QEMU: hide its binary in h2's own mount namespace.
    if hs_on h2 mount --bind /dev/null /usr/bin/qemu-system-x86_64; then
        hs_job hosts-no-qemu 125 'host h2 has no qemu-system-x86_64' \
            -f "$hs_tmp/two" -n 4 "$hs_image"
        hs_on h2 umount /usr/bin/qemu-system-x86_64
    else
        fail hosts-no-qemu "cannot hide QEMU on h2"
    fi

    hs_interrupt
    hs_launcher_killed
    hs_slurm
    hs_host_dies
}

# Ctrl-C on the head while the VMs wait: status 130, every host cleaned.
hs_interrupt() {
    local name=hosts-ctrl-c pid rc
    hs_on head cluster/hermit-mpirun -f "$hs_tmp/two" -n 4 --net bridge --timeout 300 \
        "$hs_image" 120 > "$logs/$name.log" 2>&1 &
    pid=$!
    if hs_wait_vms 4 120; then
        pkill -INT -f "cluster/hermit-mpirun -f $hs_tmp/two"
        local start=$SECONDS
        wait $pid
        rc=$?
        if [ $rc -eq 130 ] && [ $((SECONDS - start)) -le 30 ]; then
            pass $name
        else
            fail $name "status $rc after $((SECONDS - start)) s, expected 130 within 30 s"
        fi
    else
        kill $pid
        wait $pid
        fail $name "the VMs never started"
    fi
    hs_check_clean $name
}

# The launcher on the head killed outright (SIGKILL, no cleanup of its
# own): Hydra's mpiexec gets SIGINT (parent-death signal) and stops every
# VM on every host; `hermit-net gc` then removes the network it left.
hs_launcher_killed() {
    local name=hosts-launcher-sigkill pid i
    hs_on head cluster/hermit-mpirun -f "$hs_tmp/alternate" -n 2 --net bridge --timeout 300 \
        "$hs_image" 122 > "$logs/$name.log" 2>&1 &
    pid=$!
    if ! hs_wait_vms 2 122; then
        kill $pid
        wait $pid
        fail $name "the VMs never started"
        return
    fi
    pkill -KILL -f "cluster/hermit-mpirun -f $hs_tmp/alternate"
    wait $pid
    for i in $(seq 40); do      # the VMs, Hydra's processes (zombies included) gone
        pgrep -f "qemu-system-x86_64.*$hs_image.*mpi-spread.elf 122( |$)|hydra_pmi_proxy|mpiexec.hydra" \
            > /dev/null || break
        sleep 0.5
    done
    if pgrep -f "qemu-system-x86_64.*$hs_image.*mpi-spread.elf 122( |$)" > /dev/null; then
        fail $name "VMs still run 20 s after their launcher was killed"
    elif ! hs_on head cluster/hermit-net gc >> "$logs/$name.log" 2>&1 ||
         ! grep -q '^removed network mh' "$logs/$name.log"; then
        fail $name "hermit-net gc did not remove the job's network"
    else
        pass $name
    fi
    hs_check_clean $name
}

# Slurm on h1..h3 (tests/hosts/slurm.sh): salloc, then sbatch.
hs_slurm() {
    if ! tests/hosts/slurm.sh up "$hs_lab" 3 > "$logs/hosts-slurm-up.log" 2>&1; then
        fail hosts-slurm-up "Slurm did not come up"
        tests/hosts/slurm.sh down "$hs_lab" > /dev/null 2>&1
        return
    fi
    local env
    env=$(tests/hosts/slurm.sh env "$hs_lab")
    timeout 600 "$hs_th" exec "$hs_lab" head sh -c "$env
        salloc -N 3 cluster/hermit-mpirun -n 3 -l --net bridge --timeout 300 $hs_image" \
        > "$logs/hosts-slurm-salloc.log" 2>&1
    local rc=$?
    if [ $rc -eq 0 ] && grep -q '^\[0\] mpi-spread: OK: 3 ranks' "$logs/hosts-slurm-salloc.log"; then
        pass hosts-slurm-salloc
    else
        fail hosts-slurm-salloc "status $rc"
    fi
    hs_check_clean hosts-slurm-salloc
    printf '#!/bin/sh\n#SBATCH -N 3\n#SBATCH -o %s\ncd %s\nexec cluster/hermit-mpirun -n 3 --net vde --timeout 300 %s\n' \
        "$hs_tmp/batch.out" "$PWD" "$hs_image" > "$hs_tmp/batch.sh"
    timeout 600 "$hs_th" exec "$hs_lab" head sh -c "$env
        sbatch --wait $hs_tmp/batch.sh" > "$logs/hosts-slurm-sbatch.log" 2>&1
    rc=$?
    cat "$hs_tmp/batch.out" >> "$logs/hosts-slurm-sbatch.log" 2>/dev/null
    if [ $rc -eq 0 ] && grep -q '^mpi-spread: OK: 3 ranks' "$hs_tmp/batch.out"; then
        pass hosts-slurm-sbatch
    else
        fail hosts-slurm-sbatch "status $rc"
    fi
    hs_check_clean hosts-slurm-sbatch
    tests/hosts/slurm.sh down "$hs_lab" > /dev/null 2>&1
}

# h2 dies while the job waits: its uplink is cut and its VMs killed. The
# job must end within 10 s of that, naming h2; h1 and the head are cleaned.
hs_host_dies() {
    local name=hosts-host-dies pid rc start
    hs_on head cluster/hermit-mpirun -f "$hs_tmp/two" -n 4 --net bridge --timeout 300 \
        "$hs_image" 121 > "$logs/$name.log" 2>&1 &
    pid=$!
    if ! hs_wait_vms 4 121; then
        kill $pid
        wait $pid
        fail $name "the VMs never started"
        return
    fi
    "$hs_th" cut "$hs_lab" h2
    pkill -9 -f "qemu-system-x86_64.*$hs_image.*mac=52:54:00:00:00:0[34]"
    start=$SECONDS
    wait $pid
    rc=$?
    local took=$((SECONDS - start))
    if [ $rc -ne 0 ] && [ $took -le 10 ] && grep -q 'h2' "$logs/$name.log"; then
        pass $name
    else
        fail $name "status $rc after $took s (want non-zero within 10 s, naming h2)"
    fi
    local left
    left=$(hs_left | grep -v '^h2: ' | sort -u | paste -sd, -)
    if [ -n "$left" ]; then
        fail $name.cleanup "left behind: $left"
    else
        pass $name.cleanup
    fi
}

if [ "$(id -u)" -ne 0 ]; then
    skip hosts "needs root: the test hosts are network namespaces"
elif [ ! -f "$hs_image" ]; then
    fail hosts "no image $hs_image"
else
    "$hs_th" down "$hs_lab" > /dev/null 2>&1
    if "$hs_th" up "$hs_lab" 4 > "$logs/hosts-up.log" 2>&1; then
        pass hosts-up
        hs_run_suite
    else
        fail hosts-up "the test hosts did not come up"
    fi
    "$hs_th" down "$hs_lab" > "$logs/hosts-down.log" 2>&1
    if "$hs_th" leftovers "$hs_lab" > "$logs/hosts-leftovers.log" 2>&1; then
        pass hosts-down
    else
        fail hosts-down "the test hosts left things behind"
    fi
fi
rm -rf "$hs_tmp"
