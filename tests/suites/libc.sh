# tests/suites/libc.sh - the C library suite (sourced by tests/run.sh).
#
# Programs in tests/libc run in the guest; the deterministic ones are also
# built with the host's gcc and glibc and must print the same bytes.

libc_img() {
    echo "$build/libc-$1.elf"
}

# same_as_host NAME: guest output == host output of the same source.
same_as_host() {
    local name=$1 host_bin=$build/host/$1
    mkdir -p "$build/host"
    if ! gcc -O2 -o "$host_bin" "tests/libc/$name.c" -lm > "$logs/libc-host-$name.log" 2>&1; then
        fail "libc-$name-vs-host" "host build failed"
        return
    fi
    "$host_bin" > "$logs/libc-host-$name.out" 2>&1
    timeout 90 "$run" --timeout 60 "$(libc_img "$name")" > "$logs/libc-$name-vs-host.log" 2>&1
    if diff -u "$logs/libc-host-$name.out" "$logs/libc-$name-vs-host.log" \
        > "$logs/libc-$name.diff"; then
        pass "libc-$name-vs-host"
    else
        fail "libc-$name-vs-host" "output differs from glibc's (see $logs/libc-$name.diff)"
        head -20 "$logs/libc-$name.diff" | sed 's/^/    | /'
    fi
}

same_as_host stdio
same_as_host strings
guest libc-math 0 '^ok math' -- "$(libc_img math)"
guest libc-setjmp-time 0 '^ok jump_time' -- "$(libc_img jump_time)"
guest libc-threads-4cpu 0 $'^4 CPUs, 0 failures\n^ok threads' -- --smp 4 "$(libc_img threads)"
guest libc-threads-2cpu-xapic 0 '^ok threads' -- --smp 2 --cpu max,-x2apic "$(libc_img threads)"
guest libc-argv-env 0 $'^argv\\[3\\]=<b c>\n^HOME=</root> EMPTY=<> MISSING=unset\n^NEW=<value>' \
    -- --env HOME=/root --env EMPTY= "$(libc_img process)" -- args a "b c"
guest libc-exit-flushes-and-atexit 7 '^buffered, no newlineatexit handler ran' \
    -- "$(libc_img process)" -- exit 7
guest libc-return-from-main 9 '' -- "$(libc_img process)" -- return 9
guest libc-abort 134 $'^about to abort\nterminated by signal 6 \\(abort\\)' -- "$(libc_img process)" -- abort
guest libc-enosys 0 '^ok enosys' -- "$(libc_img process)" -- enosys
guest libc-sysconf-hostname 0 '^cpus 3 page 4096 4096 host node7' \
    -- --smp 3 --kopt hostname=node7 "$(libc_img process)" -- sysconf
# What code written for Linux calls beyond ISO C (tests/libc/posix.c): the
# wait macros through <stdlib.h>, popen's honest ENOSYS, uname, resource
# usage and limits, sysinfo; every check prints its own ok/FAIL line.
guest libc-posix-calls 0 $'^ok wait-macros-via-stdlib\n^ok popen-enosys\n^ok getrusage-self-time\n^ok setrlimit-keeps-only-current\n^ok get-nprocs\n^posix: [0-9]+ checks, 0 failed' \
    -- --smp 3 --kopt hostname=node7 "$(libc_img posix)" -- 3 node7
guest libc-bad-env 96 "'env' needs a value" -- --kopt env "$(libc_img process)" -- args

# The stack protector: an overflowed local buffer ends the VM with a message
# and EXIT_STACK_SMASHED (95); before it, the overflow ran into
# 0x4141414141414141 (#GP, 113). The canary is set, the same in every
# thread's %fs:0x28, and differs from boot to boot.
guest libc-stack-smash 95 $'^hermit: stack smashing detected in smash\n^backtrace:\n^  #0 .* smash' \
    -- "$(libc_img ssp)" -- smash
guest libc-stack-canary 0 '^ok canary' -- "$(libc_img ssp)" -- canary
guest libc-stack-canary-again 0 '^ok canary' -- "$(libc_img ssp)" -- canary
canary1=$(grep -o '^canary [0-9a-f]*' "$logs/libc-stack-canary.log")
canary2=$(grep -o '^canary [0-9a-f]*' "$logs/libc-stack-canary-again.log")
if [ -n "$canary1" ] && [ "$canary1" != "$canary2" ]; then
    pass libc-stack-canary-per-boot
else
    fail libc-stack-canary-per-boot "two boots, canaries '$canary1' and '$canary2'"
fi

# mmap/munmap/mprotect: lengths near SIZE_MAX, munmap of what mmap did not
# return, and guard pages that fault, also on a CPU that had the page in
# its TLB (the shootdown).
guest libc-mmap-calls 0 $'^0 failures\n^ok memory' -- --smp 2 "$(libc_img memory)" -- calls
guest libc-mprotect-guard-faults 114 \
    $'^writing to the guard page at 0x[0-9a-f]+\npage fault: write to 0x[0-9a-f]+, an unmapped page' \
    -- "$(libc_img memory)" -- guard
guest libc-mprotect-readonly-faults 114 \
    $'^writing to the readonly page\npage fault: write to 0x[0-9a-f]+, a protected page' \
    -- "$(libc_img memory)" -- readonly
guest libc-mprotect-guard-other-cpu 114 \
    $'^toucher on CPU 1 reads 42\n^toucher reads the page again\npage fault: read from 0x[0-9a-f]+, an unmapped page' \
    -- --smp 2 "$(libc_img memory)" -- guard-other-cpu

head -c 100000 /dev/urandom > "$build/input.bin"
input_sum=$(od -An -v -tu1 "$build/input.bin" | tr -s ' ' '\n' | awk '{s+=$1} END {print s}')
guest libc-files-and-boot-input 0 $'^input /data/input.bin: 100000 bytes\n^ok files' \
    -- --file "$build/input.bin:/data/input.bin" "$(libc_img files)" -- /data/input.bin "$input_sum"
guest libc-boot-input-via-grub 0 '^ok files' \
    -- --boot grub --file "$build/input.bin:/data/input.bin" "$(libc_img files)" -- /data/input.bin "$input_sum"
guest libc-missing-input-file 2 'no such host file' -- --file "$build/nope.bin" "$(libc_img files)"

# hermit-cc: the usual cc arguments, the usual results.
cc_dir=$build/cc-test
rm -rf "$cc_dir" && mkdir -p "$cc_dir"
if bin/hermit-cc -O2 -Itests/cc/include -c tests/cc/square.c -o "$cc_dir/square.o" \
        > "$logs/hermit-cc.log" 2>&1 &&
   ar rcs "$cc_dir/libsquare.a" "$cc_dir/square.o" >> "$logs/hermit-cc.log" 2>&1 &&
   bin/hermit-cc -O2 -g -Itests/cc/include -D'GREETING="round trip"' tests/cc/main.c \
        tests/cc/circle.c -L"$cc_dir" -lsquare -lm -o "$cc_dir/shapes" >> "$logs/hermit-cc.log" 2>&1
then
    guest hermit-cc-round-trip 0 '^round trip: area 12.57, hypot 5.0' -- "$cc_dir/shapes"
else
    fail hermit-cc-round-trip "hermit-cc failed"
    tail -n 15 "$logs/hermit-cc.log" | sed 's/^/    | /'
fi
# hermit-cc protects user code by default; -fno-stack-protector turns it off.
if bin/hermit-cc -O2 tests/libc/ssp.c -o "$cc_dir/ssp" > "$logs/hermit-cc-ssp.log" 2>&1 &&
   bin/hermit-cc -O2 -fno-stack-protector tests/libc/ssp.c -o "$cc_dir/ssp-off" \
        >> "$logs/hermit-cc-ssp.log" 2>&1; then
    guest hermit-cc-stack-protector 95 '^hermit: stack smashing detected in smash' \
        -- "$cc_dir/ssp" -- smash
    guest hermit-cc-no-stack-protector 113 'fatal exception #GP' -- "$cc_dir/ssp-off" -- smash
else
    fail hermit-cc-stack-protector "hermit-cc failed"
    tail -n 15 "$logs/hermit-cc-ssp.log" | sed 's/^/    | /'
fi
if bin/hermit-cc -show tests/cc/main.c -o "$cc_dir/x" | grep -q 'libhermit.a'; then
    pass hermit-cc-show
else
    fail hermit-cc-show "-show does not print the link command"
fi
# configure scripts ask the compiler questions; each gets gcc's answer.
if [ "$(bin/hermit-cc -print-prog-name=ld 2>&1)" = "$(gcc -print-prog-name=ld)" ] &&
   [ "$(bin/hermit-cc -print-multi-os-directory 2>&1)" = "$(gcc -print-multi-os-directory)" ] &&
   [ "$(bin/hermit-cc -dumpversion 2>&1)" = "$(gcc -dumpversion)" ]; then
    pass hermit-cc-compiler-queries
else
    fail hermit-cc-compiler-queries "-print-prog-name, -print-multi-os-directory or -dumpversion is not gcc's answer"
fi
if ! bin/hermit-cc tests/cc/nonexistent.c -o "$cc_dir/y" > "$logs/hermit-cc-missing.log" 2>&1 &&
   grep -q 'No such file' "$logs/hermit-cc-missing.log"; then
    pass hermit-cc-missing-source
else
    fail hermit-cc-missing-source "no clear error for a missing source"
fi
