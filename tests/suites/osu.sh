# tests/suites/osu.sh - the OSU-compatible benchmarks (bench/osu/) as
# correctness smoke tests (sourced by tests/run.sh after the images are built).
#
# Each program runs once on hermit VMs through cluster/hermit-mpirun with
# small sizes and few iterations (2 VMs for point-to-point, 4 for the
# collectives and the multi-pair tests); bench/osu/osu_table.py checks the
# output: the OSU header, one row per expected size, every number positive
# and finite. Nothing is timed. Then the same sources, built with the
# host's mpicc, run under the host's mpiexec: they must stay portable MPI C.

osu_dir=$build/osu
osu_check=bench/osu/osu_table.py
osu_small=(-m 1:4096 -i 10 -x 2)
# Bandwidth rows print MB/s with two decimals: 1-byte messages under a slow
# TCG host can round to 0.00, so the bandwidth cases start at 256 bytes.
osu_bw_small=(-m 256:4096 -i 10 -x 2)

# osu_case PROGRAM VMS CHECK-ARGS -- PROGRAM-ARGS...
# CHECK-ARGS go to osu_table.py (--sizes, --columns, --expect).
osu_case() {
    local prog=$1 vms=$2 name="osu-$1-$2-vms" check=()
    shift 2
    while [ "$1" != "--" ]; do check+=("$1"); shift; done
    shift
    timeout 300 cluster/hermit-mpirun -n "$vms" --timeout 240 "$osu_dir/$prog.elf" "$@" \
        > "$logs/$name.log" 2>&1
    local rc=$?
    local why
    if [ $rc -ne 0 ]; then
        fail "$name" "status $rc"
    elif ! why=$("$osu_check" "${check[@]}" "$logs/$name.log"); then
        fail "$name" "$why"
    else
        pass "$name"
    fi
    cluster_leftovers "$name" "qemu-system-x86_64.*$osu_dir/$prog"
}

osu_start_time=$SECONDS

# Point to point, 2 VMs.
osu_case osu_latency 2 --sizes 1:4096 --expect "OSU MPI Latency Test" -- "${osu_small[@]}"
osu_case osu_bw 2 --sizes 256:4096 --expect "OSU MPI Bandwidth Test" -- "${osu_bw_small[@]}"
osu_case osu_bibw 2 --sizes 256:4096 --expect "OSU MPI Bi-Directional Bandwidth Test" \
    -- "${osu_bw_small[@]}"
# Pairs across 4 VMs.
osu_case osu_multi_lat 4 --sizes 1:4096 --expect "OSU MPI Multi Latency Test" -- "${osu_small[@]}"
osu_case osu_mbw_mr 4 --sizes 256:4096 --columns 2 \
    --expect "OSU MPI Multiple Bandwidth / Message Rate Test" -- "${osu_bw_small[@]}"
# Collectives on 4 VMs; -f adds min, max and iterations (4 numbers a row).
osu_case osu_bcast 4 --sizes 1:4096 --expect "OSU MPI Broadcast Latency Test" -- "${osu_small[@]}"
osu_case osu_barrier 4 --columns 4 --expect "OSU MPI Barrier Latency Test" -- -f -i 10 -x 2
for osu_coll in reduce:Reduce allreduce:Allreduce gather:Gather scatter:Scatter \
                allgather:Allgather "alltoall:All-to-All Personalized Exchange" \
                reduce_scatter:Reduce_scatter; do
    osu_case "osu_${osu_coll%%:*}" 4 --sizes 1:4096 --columns 4 \
        --expect "OSU MPI ${osu_coll#*:} Latency Test" -- -f "${osu_small[@]}"
done
osu_case osu_init 2 --expect "OSU MPI Init Test" --
osu_case osu_hello 4 --expect "OSU MPI Hello World Test" --

# Bad input: one message, a non-zero status, no VM left.
timeout 120 cluster/hermit-mpirun -n 2 --timeout 60 "$osu_dir/osu_latency.elf" -m 9:2 \
    > "$logs/osu-bad-option.log" 2>&1
osu_rc=$?
if [ $osu_rc -ne 0 ] && [ $osu_rc -ne 124 ] &&
   grep -q "osu_latency: bad value '9:2' for option '-m'" "$logs/osu-bad-option.log"; then
    pass osu-bad-option
else
    fail osu-bad-option "status $osu_rc, or no message"
fi
cluster_leftovers osu-bad-option "qemu-system-x86_64.*$osu_dir/"
echo "osu: hermit VM cases took $((SECONDS - osu_start_time)) s"

# The same sources with the host's MPICH: portable MPI C, parseable output.
if command -v mpicc > /dev/null && command -v mpiexec > /dev/null; then
    osu_host=$build/osu-host
    mkdir -p "$osu_host"
    osu_built=1
    for osu_src in bench/osu/osu_*.c; do
        osu_prog=$(basename "$osu_src" .c)
        [ "$osu_prog" = osu_util ] && continue
        mpicc -O2 -Wall -Wextra -Werror -std=c99 -D_POSIX_C_SOURCE=200809L \
            -o "$osu_host/$osu_prog" "$osu_src" bench/osu/osu_util.c -lm \
            >> "$logs/osu-host-build.log" 2>&1 || osu_built=0
    done
    if [ $osu_built -eq 1 ]; then
        pass osu-host-build
    else
        fail osu-host-build "host mpicc could not build every program"
    fi
    # osu_host_case PROGRAM CHECK-ARGS -- PROGRAM-ARGS...
    osu_host_case() {
        local prog=$1 name="osu-host-$1" check=()
        shift
        while [ "$1" != "--" ]; do check+=("$1"); shift; done
        shift
        timeout 60 mpiexec -n 2 "$osu_host/$prog" "$@" > "$logs/$name.log" 2>&1
        local rc=$? why
        if [ $rc -ne 0 ]; then
            fail "$name" "status $rc"
        elif ! why=$("$osu_check" "${check[@]}" "$logs/$name.log"); then
            fail "$name" "$why"
        else
            pass "$name"
        fi
    }
    osu_host_case osu_latency --sizes 1:1024 --expect "OSU MPI Latency Test" -- -m 1:1024 -i 10 -x 2
    osu_host_case osu_bw --sizes 1024:8192 --expect "OSU MPI Bandwidth Test" -- -m 1024:8192 -i 4 -x 1
    osu_host_case osu_allreduce --sizes 1:1024 --columns 4 --expect "OSU MPI Allreduce Latency Test" \
        -- -f -m 1:1024 -i 10 -x 2
    osu_host_case osu_barrier --expect "OSU MPI Barrier Latency Test" -- -i 10 -x 2
    osu_host_case osu_init --expect "OSU MPI Init Test" --
    # A wrong rank count is refused with one message.
    if ! timeout 60 mpiexec -n 1 "$osu_host/osu_latency" > "$logs/osu-host-one-rank.log" 2>&1 &&
       grep -q 'requires exactly two processes' "$logs/osu-host-one-rank.log"; then
        pass osu-host-one-rank
    else
        fail osu-host-one-rank "osu_latency on one rank did not refuse"
    fi
fi
echo "osu: suite took $((SECONDS - osu_start_time)) s"
