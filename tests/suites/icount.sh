# tests/suites/icount.sh - hermit-mpirun --icount and --kopt, the pieces
# bench/osu/icount.py counts instructions per round trip with. Sourced by
# tests/run.sh (pass/fail, $build, $logs).
#
# One small osu_latency job on 2 VMs under -icount shift=0 with the kernel's
# stats option: both VMs must report their CPUs' busy ticks (instructions),
# each above zero, and the OSU row must be there. A bad --kopt must be
# refused before any VM starts, with one line. The option table hermit-mpirun
# checks against must match the kernel's (kernel/options.c). Nothing is timed.

ic_mr=cluster/hermit-mpirun
ic_image=$build/osu/osu_latency.elf

# Two VMs, each with a "tsc" header and every CPU's busy count above zero.
timeout 300 "$ic_mr" --icount --kopt stats -n 2 -l --timeout 240 "$ic_image" \
    -m 8:8 -i 20 -x 2 > "$logs/icount-stats.log" 2>&1
ic_rc=$?
if [ $ic_rc -ne 0 ]; then
    fail icount-stats "status $ic_rc"
elif ! ic_why=$(awk '
        /^\[[01]\] hermit-stats: tsc [0-9]+ Hz/ { head[substr($1, 2, 1)]++ }
        /^\[[01]\] hermit-stats: cpu [0-9]+ busy / {
            r = substr($1, 2, 1); cpus[r]++; if ($6 + 0 > 0) busy[r]++ }
        END {
            for (r = 0; r < 2; r++)
                if (head[r] != 1 || !cpus[r] || busy[r] != cpus[r]) {
                    printf "rank %d: %d stats headers, %d CPU lines, %d with busy > 0\n",
                           r, head[r], cpus[r], busy[r]; exit 1 }
        }' "$logs/icount-stats.log"); then
    fail icount-stats "$ic_why"
elif ! sed -n 's/^\[0\] //p' "$logs/icount-stats.log" > "$logs/icount-stats-rank0.log" ||
     ! ic_why=$(bench/osu/osu_table.py --sizes 8:8 --expect "OSU MPI Latency Test" \
                "$logs/icount-stats-rank0.log"); then
    fail icount-stats "$ic_why"
else
    pass icount-stats
fi
# Only this checkout's VMs and orphaned job networks count (tests/run.sh):
# another checkout's jobs on the machine are not ours to judge.
cluster_leftovers icount-stats "qemu-system-x86_64.*$ic_image"

# A name the kernel does not know: status 2, one line, no VM booted.
timeout 30 "$ic_mr" --icount --kopt nosuchopt -n 2 "$ic_image" > "$logs/icount-bad-kopt.log" 2>&1
ic_rc=$?
if [ $ic_rc -ne 2 ]; then
    fail icount-bad-kopt "status $ic_rc, expected 2"
elif [ "$(wc -l < "$logs/icount-bad-kopt.log")" -ne 1 ] ||
     ! grep -q "nosuchopt' is not a HermitCore-C kernel option" "$logs/icount-bad-kopt.log"; then
    fail icount-bad-kopt "expected one line naming the option: $(head -c 300 "$logs/icount-bad-kopt.log")"
else
    pass icount-bad-kopt
fi

# cloud= belongs to cloud instances: refused the same way.
timeout 30 "$ic_mr" --kopt cloud=auto -n 2 "$ic_image" > "$logs/icount-cloud-kopt.log" 2>&1
ic_rc=$?
if [ $ic_rc -eq 2 ] && [ "$(wc -l < "$logs/icount-cloud-kopt.log")" -eq 1 ] &&
   grep -q "cloud= is for cloud instances" "$logs/icount-cloud-kopt.log"; then
    pass icount-cloud-kopt
else
    fail icount-cloud-kopt "status $ic_rc: $(head -c 300 "$logs/icount-cloud-kopt.log")"
fi

# mpirun_options.HERMIT_KOPTS against the kernel's known[] (LAYER options other
# than hermit-vm's own are passed through too, with a value).
if ic_why=$(python3 - <<'EOF' 2>&1
import re, sys
sys.path.insert(0, "cluster")
import mpirun_options as m
text = open("kernel/options.c").read()
kernel = {name: kind != "FLAG"
          for name, kind in re.findall(r'\{\s*"(\w+)",\s*(FLAG|VALUE|LAYER),', text)
          if name not in m.VM_KOPTS}
if kernel != m.HERMIT_KOPTS:
    sys.exit(f"kernel/options.c {kernel} != mpirun_options.HERMIT_KOPTS {m.HERMIT_KOPTS}")
EOF
); then
    pass icount-kopt-table
else
    fail icount-kopt-table "$ic_why"
fi
