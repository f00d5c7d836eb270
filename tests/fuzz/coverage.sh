#!/usr/bin/env bash
# Line coverage of each fuzz target's sources by its corpus (make fuzz-coverage).
#
#   tests/fuzz/coverage.sh BUILD TARGET...
#
# Runs BUILD/fuzz/cov/fuzz_TARGET (clang's source-based coverage, no
# sanitizers) over tests/fuzz/corpus/TARGET and, when make fuzz ran,
# BUILD/fuzz/TARGET/corpus; then prints, per source file of the target
# (the harness left out), the lines covered, from llvm-cov report.
# FUZZ_COV_TARGET="a.c b.c" in the environment limits TARGET's report to
# those files (make fuzz-coverage sets it where a target links more).
set -u

build=$1
shift
for t in "$@"; do
    dir=$build/fuzz/$t
    mkdir -p "$dir"
    corpora=(tests/fuzz/corpus/"$t")
    [ -d "$dir/corpus" ] && corpora+=("$dir/corpus")
    rm -f "$dir"/cov.profraw
    LLVM_PROFILE_FILE=$dir/cov.profraw "$build/fuzz/cov/fuzz_$t" "${corpora[@]}" > "$dir/cov.log" 2>&1
    inputs=$(tail -n 1 "$dir/cov.log")
    llvm-profdata merge -o "$dir/cov.profdata" "$dir/cov.profraw" || continue
    only=FUZZ_COV_$t
    # Columns: file, regions, missed, cover, functions, missed, executed, lines, missed, cover, ...
    llvm-cov report "$build/fuzz/cov/fuzz_$t" -instr-profile="$dir/cov.profdata" |
        awk -v t="$t" -v inputs="$inputs" -v only=" ${!only:-} " '
            $1 ~ /\.c$/ && $1 !~ /tests\/fuzz\// {
                n = split($1, part, "/")
                if (only != "  " && index(only, " " part[n] " ") == 0)
                    next
                lines += $8; missed += $9
                files = files sprintf("%s%s %s", files ? ", " : "", part[n], $10)
            }
            END {
                if (lines)
                    printf "coverage %s: %d of %d lines (%.1f%%) by %s: %s\n", t,
                           lines - missed, lines, 100 * (lines - missed) / lines, inputs, files
            }'
done
