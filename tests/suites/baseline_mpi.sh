# tests/suites/baseline_mpi.sh - the Linux-guest baseline for MPI (sourced
# by tests/run.sh): tests/mpi/ring.c built with bench/baseline/linux-mpicc
# (MPICH 4.0.2 for Linux from the same Debian source) runs on 2 Linux VMs
# through cluster/hermit-mpirun --guest linux, with the same PMI server and
# network plan as the unikernel ranks; afterwards no VM, switch or
# namespace may be left.
#
# Cost in a cold cache: building MPICH for Linux (~6 minutes on 2 cores,
# progress shown) and fetching Debian's kernel and busybox (once). Set
# HERMIT_SKIP_BASELINE=1 to leave the suite out.

baseline_dir=$build/baseline
baseline_ring=$baseline_dir/mpi-ring-linux

baseline_build() {
    mkdir -p "$baseline_dir"
    # The build's progress lines go to the terminal: a cold build takes minutes.
    if ! bench/baseline/build-mpich-linux.sh > "$logs/baseline-mpich.log" 2> >(
            tee -a "$logs/baseline-mpich.log" | sed -u 's/^/    /' >&2); then
        fail baseline-mpich-build "bench/baseline/build-mpich-linux.sh failed"
        return 1
    fi
    pass baseline-mpich-build
    if bench/baseline/linux-mpicc -O2 -Wall -Werror tests/mpi/ring.c -o "$baseline_ring" \
            > "$logs/baseline-mpicc.log" 2>&1 &&
       readelf -h "$baseline_ring" 2>/dev/null | grep -q 'X86-64' &&
       ! readelf -l "$baseline_ring" | grep -q INTERP; then
        pass baseline-mpicc-static
    else
        fail baseline-mpicc-static "linux-mpicc did not produce a static x86-64 program"
        return 1
    fi
}

baseline_cases() {
    # A HermitCore-C image is not a Linux program: one clear message, status 2, no VM.
    cluster/hermit-mpirun --guest linux -n 2 "$build/mpi-ring.elf" > "$logs/baseline-bad-image.log" 2>&1
    local rc=$?
    if [ $rc -eq 2 ] && grep -q 'is a HermitCore-C image' "$logs/baseline-bad-image.log"; then
        pass baseline-rejects-hermit-image
    else
        fail baseline-rejects-hermit-image "status $rc"
    fi

    timeout 400 cluster/hermit-mpirun --guest linux --timeout 300 -n 2 -l "$baseline_ring" \
        > "$logs/baseline-ring-2-linux-vms.log" 2>&1
    rc=$?
    if [ $rc -eq 0 ] && grep -q '^\[0\] mpi-ring: OK: 2 ranks' "$logs/baseline-ring-2-linux-vms.log"; then
        pass baseline-ring-2-linux-vms
    else
        fail baseline-ring-2-linux-vms "status $rc, or no '[0] mpi-ring: OK: 2 ranks' line"
        tail -n 15 "$logs/baseline-ring-2-linux-vms.log" | sed 's/^/    | /'
    fi
    cluster_leftovers baseline-ring-2-linux-vms "qemu-system-x86_64.* -- mpi-ring-linux"
}

if [ -n "${HERMIT_SKIP_BASELINE:-}" ]; then
    echo "SKIP baseline_mpi (HERMIT_SKIP_BASELINE is set)"
elif baseline_build; then
    baseline_cases
fi
