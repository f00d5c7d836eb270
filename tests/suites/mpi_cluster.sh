# tests/suites/mpi_cluster.sh - MPI jobs across VMs with the launchers
# users run (sourced by tests/run.sh after the MPI images are built).
#
# hermit-mpirun boots one VM per rank on a cluster network it creates;
# Debian's Hydra does the same through cluster/hermit-vm. After each job
# no QEMU, switch or namespace may be left.

mpi_ring=$build/mpi-ring.elf
mpi_hello=$build/mpi-hello.elf

# mpirun_case NAME PATTERNS ARGS...: hermit-mpirun ARGS must exit 0 and print PATTERNS.
mpirun_case() {
    local name=$1 patterns=$2
    shift 2
    timeout 300 cluster/hermit-mpirun --timeout 240 "$@" > "$logs/$name.log" 2>&1
    local rc=$?
    local missing=""
    while IFS= read -r pattern; do
        [ -n "$pattern" ] && ! grep -Eq -- "$pattern" "$logs/$name.log" && missing=$pattern
    done <<<"$patterns"
    if [ $rc -eq 0 ] && [ -z "$missing" ]; then
        pass "$name"
    else
        fail "$name" "status $rc${missing:+, output lacks /$missing/}"
        tail -n 15 "$logs/$name.log" | sed 's/^/    | /'
    fi
    cluster_leftovers "$name" "qemu-system-x86_64.*$build/mpi-(ring|hello)"
}

mpirun_case mpirun-ring-4-vms-vde '^\[0\] mpi-ring: OK: 4 ranks' -n 4 -l "$mpi_ring"
mpirun_case mpirun-hello-2-vms-vde $'^\\[0\\] hello from rank 0 of 2 on rank0\n^\\[1\\] hello from rank 1 of 2 on rank1' \
    -n 2 -l "$mpi_hello"
if [ "$(id -u)" -eq 0 ]; then
    mpirun_case mpirun-ring-4-vms-bridge '^mpi-ring: OK: 4 ranks' -n 4 --net bridge "$mpi_ring"
fi

# Debian's own launcher, each "process" turned into a VM by hermit-vm.
if command -v mpiexec.hydra > /dev/null || command -v mpiexec > /dev/null; then
    hydra_net=h$$
    if cluster/hermit-net create "$hydra_net" > "$logs/hydra-net.log" 2>&1; then
        HERMIT_NET=$hydra_net timeout 300 mpiexec -pmi-port -launcher fork -n 2 \
            cluster/hermit-vm "$mpi_ring" > "$logs/hydra-ring-2-vms.log" 2>&1
        rc=$?
        cluster/hermit-net destroy "$hydra_net"
        if [ $rc -eq 0 ] && grep -q '^mpi-ring: OK: 2 ranks' "$logs/hydra-ring-2-vms.log"; then
            pass hydra-ring-2-vms
        else
            fail hydra-ring-2-vms "status $rc"
            tail -n 15 "$logs/hydra-ring-2-vms.log" | sed 's/^/    | /'
        fi
        cluster_leftovers hydra-ring-2-vms "qemu-system-x86_64.*$mpi_ring"
        cluster/hermit-net list | grep -qx "$hydra_net" &&
            fail hydra-net-destroy "cluster/hermit-net destroy $hydra_net left its state"
    else
        fail hydra-ring-2-vms "cannot create the network"
    fi
fi
