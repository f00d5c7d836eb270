#!/usr/bin/env bash
# Runs every test: host unit tests, then in-guest tests under QEMU.
#
#   tests/run.sh BUILD_DIR
#   SUITES="net mpi_tests" tests/run.sh BUILD_DIR   (only those suites;
#                                                   make check SUITES=... too)
#
# Prints one PASS/FAIL/SKIP line per test (a failure also shows the end of
# its log, kept in BUILD_DIR/test-logs), and closes with "N passed, N
# failed, N skipped".
# Exits non-zero if anything failed. Every QEMU run has a timeout.
set -u

build=${1:-build}
run=bin/hermit-run
logs=$build/test-logs
ktest=$build/ktest.elf
rm -rf "$logs"
mkdir -p "$logs"
passed=0
failed=0
skipped=0

pass() {
    passed=$((passed + 1))
    echo "PASS $1"
}

# skip NAME WHY: a test this machine cannot run (counted, never silent).
skip() {
    skipped=$((skipped + 1))
    echo "SKIP $1: $2"
}

fail() {
    failed=$((failed + 1))
    echo "FAIL $1: $2"
    [ -f "$logs/$1.log" ] && tail -n 15 "$logs/$1.log" | sed 's/^/    | /'
}

# host_cases LOG PREFIX SCRIPT: runs a host-side Python test that prints its
# own PASS/FAIL lines (names get PREFIX); its output goes to LOG.log, and a
# script that dies without saying FAIL is a failure too.
host_cases() {
    local log=$1 prefix=$2 script=$3 out rc verdict name rest
    out=$(timeout 300 python3 "$script" 2>&1)
    rc=$?
    printf '%s\n' "$out" > "$logs/$log.log"
    while read -r verdict name rest; do
        if [ "$verdict" = PASS ]; then pass "$prefix$name"; else fail "$prefix${name%:}" "$rest"; fi
    done < <(grep -E '^(PASS|FAIL) ' <<<"$out")
    if [ $rc -ne 0 ] && ! grep -q '^FAIL ' <<<"$out"; then
        fail "$log" "$script exited with status $rc"
    fi
}

# cluster_leftovers NAME QEMU-PATTERN: after a cluster job, passes NAME.cleanup
# if no QEMU matching the pattern runs in this checkout and no job network
# is orphaned. A job's network is named mpi<launcher pid> (cluster/hermit-net:
# a namespace hermit-mpi<pid> and a state directory); it is orphaned when
# that launcher is gone, so a concurrent job (a benchmark, another checkout)
# never counts.
cluster_leftovers() {
    local name=$1 pattern=$2
    local left="" net qemu
    for qemu in $(pgrep -f -- "$pattern"); do
        # Paths in QEMU command lines are relative: only ours run here.
        [ "$(readlink "/proc/$qemu/cwd")" = "$PWD" ] && left="process $qemu"
    done
    for net in $(ip netns list 2>/dev/null | grep -o '^hermit-mpi[0-9]*' | sed 's/^hermit-//') \
               $(cluster/hermit-net list | grep '^mpi[0-9]*$'); do
        kill -0 "${net#mpi}" 2>/dev/null || left="${left:+$left, }network $net"
    done
    if [ -n "$left" ]; then
        fail "$name.cleanup" "left behind: $left"
    else
        pass "$name.cleanup"
    fi
}

# --- host unit tests: each binary prints its own PASS/FAIL lines ---------
# make passes the unit tests it built; a stale binary from a renamed test
# must not run.
for unit in ${UNIT_TESTS:-$(cd "$build/unit" && ls test_* | sed 's/^test_//')}; do
    bin=$build/unit/test_$unit
    name=unit.$unit
    out=$("$bin" 2>&1)
    rc=$?
    printf '%s\n' "$out" > "$logs/$name.log"
    p=$(grep -c '^PASS ' <<<"$out")
    f=$(grep -c '^FAIL ' <<<"$out")
    grep -E '^(PASS|FAIL) ' <<<"$out"
    passed=$((passed + p))
    failed=$((failed + f))
    if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
        fail "$name" "exited with status $rc (crash or sanitizer report)"
    fi
done

# wait_for_line LOG PATTERN PID SECONDS : until LOG, the output of the
# background job PID, has a line matching PATTERN. Fails when the job
# ends first or SECONDS pass. Empty LOG before starting the job, or a
# previous run's line may answer.
wait_for_line() {
    local log=$1 pattern=$2 pid=$3 limit=$4 waited=0
    while ! grep -Eq -- "$pattern" "$log" 2>/dev/null; do
        kill -0 "$pid" 2>/dev/null || return 1
        [ $waited -ge $((limit * 2)) ] && return 1
        sleep 0.5
        waited=$((waited + 1))
    done
}

# --- guest tests ----------------------------------------------------------
# guest NAME STATUS PATTERNS -- HERMIT-RUN-ARGS...
# PATTERNS: extended regexps separated by newlines; each must match the log.
guest() {
    local name=$1 want=$2 patterns=$3
    shift 4
    timeout 90 "$run" --timeout 60 "$@" > "$logs/$name.log" 2>&1
    local rc=$?
    if [ "$rc" -ne "$want" ]; then
        fail "$name" "exit status $rc, expected $want"
        return
    fi
    while IFS= read -r pattern; do
        [ -z "$pattern" ] && continue
        if ! grep -Eq -- "$pattern" "$logs/$name.log"; then
            fail "$name" "output lacks /$pattern/"
            return
        fi
    done <<<"$patterns"
    pass "$name"
}

if [ -n "${SUITES:-}" ]; then
    for suite in $SUITES; do
        if [ -f "tests/suites/$suite.sh" ]; then
            . "tests/suites/$suite.sh"
        else
            fail "suite-$suite" "no such suite: tests/suites/$suite.sh"
        fi
    done
    echo "$passed passed, $failed failed, $skipped skipped"
    [ "$failed" -eq 0 ]
    exit
fi

for machine in pc q35 microvm; do
    guest boot-$machine 0 $'^protocol: PVH\n^ok boot' -- --machine "$machine" "$ktest" -- boot
done
guest boot-grub-multiboot2 0 $'^protocol: multiboot2\n^ok boot' -- --boot grub "$ktest" -- boot
guest memmap-64M 0 $'^ram: total 6[0-9] MiB\n^ok memmap' -- --mem 64M "$ktest" -- memmap
guest memmap-4G 0 $'^pages: 1G=[1-9]\n^ok memmap' -- --mem 4G "$ktest" -- memmap
guest memmap-q35-4G 0 $'^pages: 1G=[1-9]\n^ok memmap' -- --machine q35 --mem 4G "$ktest" -- memmap
guest pmem-4G 0 '^ok pmem' -- --mem 4G "$ktest" -- pmem
guest heap 0 '^ok heap' -- "$ktest" -- heap
guest guarded-stack 0 '^ok stack' -- "$ktest" -- stack
guest exit-status 200 '' -- "$ktest" -- exit 200
guest argv-quoting 0 $'argv\\[2\\]=<two words>\nargv\\[3\\]=<it\'s>\nargv\\[4\\]=<>' \
    -- "$ktest" -- args "two words" "it's" ""

# SMP: every CPU online and running threads, in both APIC modes, with and
# without ACPI (the MP table path), on the three machine types.
for n in 1 2 4 8; do
    guest "smp-$n-x2apic" 0 $'^cpus online: '"$n"$'\n^ok smp' -- --smp "$n" --cpu max,+x2apic "$ktest" -- smp "$n"
    guest "smp-$n-xapic" 0 $'^cpus online: '"$n"$'\n^ok smp' -- --smp "$n" --cpu max,-x2apic "$ktest" -- smp "$n"
done
guest smp-4-no-acpi 0 $'^tables: MP\n^online: 4' -- --smp 4 --no-acpi "$ktest" -- cpus
guest smp-4-no-acpi-xapic 0 $'^tables: MP\n^online: 4' -- --smp 4 --no-acpi --cpu max,-x2apic "$ktest" -- cpus
guest smp-2-acpi-off-option 0 $'^tables: MP\n^online: 2' -- --smp 2 --kopt acpi=off "$ktest" -- cpus
guest smp-4-q35 0 '^ok smp' -- --smp 4 --machine q35 "$ktest" -- smp 4
guest smp-4-microvm 0 '^ok smp' -- --smp 4 --machine microvm "$ktest" -- smp 4
guest smp-4-idle-poll 0 '^ok smp' -- --smp 4 --kopt idle=poll "$ktest" -- smp 4

# Threads and synchronization.
guest threads-create-join-10000 0 '^ok create-join' -- --smp 4 "$ktest" -- create-join
guest threads-lock-stress 0 $'^counter 160000, expected 160000\n^ok locks' -- --smp 4 "$ktest" -- locks
guest threads-condvar-pingpong 0 '^ok condvar' -- --smp 2 "$ktest" -- condvar
guest threads-semaphore-barrier 0 '^ok sem-barrier' -- --smp 4 "$ktest" -- sem-barrier
guest threads-sleep-accuracy 0 '^ok sleep' -- --smp 2 "$ktest" -- sleep
guest threads-tls 0 '^ok tls' -- --smp 4 "$ktest" -- tls
guest threads-fpu-sse-avx 0 $'SSE and AVX\n^ok fpu' -- --smp 2 "$ktest" -- fpu
guest threads-fpu-xapic-1cpu 0 '^ok fpu' -- --smp 1 --cpu max,-x2apic "$ktest" -- fpu

# kopt stats: under -icount the busy ticks are instructions. The sleeping
# boot CPU must show idle time, and the unused second CPU must have run
# almost nothing after bring-up (it only halts).
guest kernel-stats-icount 0 $'^ok sleep\n^hermit-stats: tsc [0-9]+ Hz, 2 CPUs\n^hermit-stats: cpu 1 busy' \
    -- --smp 2 --icount --kopt stats "$ktest" -- sleep
if grep -q '^hermit-stats: cpu 1' "$logs/kernel-stats-icount.log"; then
    if awk '/^hermit-stats: cpu 0 /{c0=($7 > 0)} /^hermit-stats: cpu 1 /{c1=($5 < 100000 && $7 > $5)}
            END {exit !(c0 && c1)}' "$logs/kernel-stats-icount.log"; then
        pass kernel-stats-idle-accounting
    else
        fail kernel-stats-idle-accounting "idle/busy ticks implausible: $(grep -c hermit-stats "$logs/kernel-stats-icount.log") lines"
    fi
fi
guest threads-oversubscribe-1cpu 0 '^ok oversubscribe' -- --smp 1 "$ktest" -- oversubscribe
guest threads-oversubscribe-4cpu 0 '^ok oversubscribe' -- --smp 4 "$ktest" -- oversubscribe
guest noise-quiet-compute-cores 0 $'cpu 3: 0 interrupts, 0 context switches\n^ok quiet' \
    -- --smp 4 "$ktest" -- quiet

# Faults: each must name what happened, show a symbolized backtrace, and
# end the VM with 100 + vector (99 for a panic).
guest fault-page 114 $'page fault: read from 0xdead0000000, an unmapped page\n#0 .* ktest_pagefault\\+\nbacktrace:' \
    -- "$ktest" -- pagefault
guest fault-null 114 $'read from 0, an unmapped page\nNULL pointer dereference' -- "$ktest" -- null
guest fault-divide 100 $'#DE \\(divide error\n#0 .* ktest_divide' -- "$ktest" -- divide
guest fault-stack-overflow 108 $'#DF \\(double fault\nstack overflow: 0x[0-9a-f]+ is the guard page\nrecurse\\+' \
    -- "$ktest" -- stackoverflow
guest fault-write-text 114 'page fault: write to 0x[0-9a-f]+, a protected page' -- "$ktest" -- wx-text
guest fault-write-rodata 114 'page fault: write to 0x[0-9a-f]+, a protected page' -- "$ktest" -- wx-rodata
guest fault-exec-stack 114 'page fault: instruction fetch from 0x[0-9a-f]+, a protected page' \
    -- "$ktest" -- nx-stack
# The stack protector in the kernel itself (95), with the canary's source
# named; without RDRAND/RDSEED it comes from TSC jitter.
guest fault-stack-smash 95 $'canary from RD(SEED|RAND)\nstack smashing detected in ktest_smash\n#0 .* ktest_smash\\+' \
    -- -v "$ktest" -- smash
guest fault-stack-smash-tsc-canary 95 $'canary from TSC jitter\nstack smashing detected in ktest_smash' \
    -- -v --cpu max,-rdrand,-rdseed "$ktest" -- smash
guest fault-invalid-opcode 106 '#UD \(invalid opcode' -- "$ktest" -- invalid-opcode
guest panic 99 $'panic: requested by ktest\n#0 .* main\\+' -- "$ktest" -- panic

# Bad input: one clear message and a non-zero exit, never a hang.
guest bad-option 96 "unknown option 'bogus'" -- --kopt bogus=1 "$ktest" -- boot
guest bad-loglevel 96 "loglevel must be" -- --kopt loglevel=loud "$ktest" -- boot
guest bad-flag-value 96 "'probe' takes no value" -- --kopt probe=1 "$ktest" -- boot
guest bad-idle-policy 96 'idle must be halt[|]poll' -- --kopt idle=sometimes "$ktest" -- boot
guest bad-cpu-count 96 'cpus must be' -- --kopt cpus=0 "$ktest" -- boot
guest bad-empty-key 96 'option with an empty name' -- --cmdline-raw '=x -- ktest boot' "$ktest"
guest bad-quote 96 'unterminated quote' -- --cmdline-raw "-- ktest 'boot" "$ktest"
guest too-little-memory 97 'too little memory' -- --mem 8M "$ktest" -- boot
guest missing-image 2 'image not found' -- "$build/no-such-image.elf"
guest not-an-image 2 "not a 64-bit ELF" -- Makefile
guest bad-run-option 2 'must look like' -- --mem lots "$ktest"

# Each layer adds its own cases in tests/suites/*.sh (they may use guest()).
for suite in tests/suites/*.sh; do
    [ -f "$suite" ] && . "$suite"
done

# A hung guest is stopped at the timeout, and no QEMU is left behind.
# The VM is named after this runner's PID, so other QEMUs on the machine
# (a benchmark, another checkout) cannot make this check fail.
vm_name=hermit-hang-test-$$
guest hung-guest-timeout 124 $'timed out after 3 s; where the CPUs were\ncpu 0: rip 0x[0-9a-f]+ \w+\+0x[0-9a-f]+\nVM stopped' \
    -- --timeout 3 --qemu-arg=-name --qemu-arg="$vm_name" "$ktest" -- hang
if pgrep -f "qemu-system-x86_64.*$vm_name" >/dev/null; then
    fail leftover-qemu "a QEMU started by hermit-run is still running"
else
    pass no-leftover-qemu
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
