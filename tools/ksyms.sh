#!/bin/sh
# Emits the .ksyms section (assembler source) listing the text symbols of
# an image, sorted by address, for panic.c's symbolizer.
#   tools/ksyms.sh IMAGE    -> table of IMAGE's functions
#   tools/ksyms.sh --empty  -> an empty table, for the first link pass
set -eu

echo '	.section .ksyms,"a"'
echo '	.balign 8'
echo '	.globl ksym_table, ksym_count'
if [ "$1" = "--empty" ]; then
    echo 'ksym_table:'
    echo 'ksym_count: .quad 0'
    exit 0
fi
nm -n --defined-only "$1" | awk '
    $2 ~ /^[tTwW]$/ && $3 !~ /^\.L/ { addr[n] = $1; name[n] = $3; n++ }
    END {
        print "ksym_table:"
        for (i = 0; i < n; i++) printf "\t.quad 0x%s, .Lksym%d\n", addr[i], i
        printf "ksym_count: .quad %d\n", n
        for (i = 0; i < n; i++) printf ".Lksym%d: .asciz \"%s\"\n", i, name[i]
    }'
