#!/usr/bin/env bash
# run.sh - runs MPICH's own test suite (test/mpi of the same Debian source
# package mpi-port/build.sh builds) against HermitCore-C images: every test
# program is built with bin/hermit-mpicc and run by MPICH's runtests with
# cluster/hermit-mpirun as its mpiexec (through ./mpiexec), one VM per rank.
#
#   mpi-port/testsuite/run.sh [--lists pt2pt,coll,...] [--testlists testlist,testlist.dtp]
#                             [--maxnp 4] [--timeout S] [--scale K] [--select FILE] [--out DIR]
#
# --lists      test/mpi directories (default: pt2pt,coll,init,comm,group,attr,topo,datatype)
# --testlists  which list files of each directory (default: testlist; MPICH's
#              own make also runs testlist.dtp and testlist.cvar)
# --maxnp      entries asking for more processes are left out (default 4)
# --timeout    default per-test limit in seconds (default 180 as runtests';
#              a list entry's timeLimit= replaces it)
# --scale      multiplies every limit (default 2: QEMU without KVM emulates
#              the CPUs, and a 4-rank job shares 2 cores; MPICH's limits
#              assume native speed)
# --select     run only the entries of FILE ("DIR/PROGRAM NP [KEY=VALUE...]")
# --out        results directory (default BUILD/mpich-tests/results)
#
# A test passes by runtests' rule: exit status 0 and no output but
# " No Errors". The results directory gets summary.tap (runtests' TAP),
# results.txt (one line per test), failures.txt (each failure with the
# first lines of its output) and counts.txt (per list). A failure listed
# in expected-failures.txt (with its reason) is XFAIL; the exit status is
# 1 if any other test failed, 2 on bad usage or a failed setup.
#
# The suite is unpacked and configured once into BUILD/mpich-tests/mpi
# (outside git); test programs are rebuilt when MPICH or the runtime
# change. Needs `make` first (the MPICH prefix and the runtime archives).
# Environment: HERMIT_BUILD, HERMIT_CACHE, HERMIT_MPICH_MEM (per VM),
# MPICH_JOBS (make -j, default 2), HERMIT_RUN_DIR (hermit-net's state).
set -Eeuo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PROG=mpich-tests
# Bump when the unpack/configure steps change in a way the key misses.
RECIPE_REVISION=1

say() { echo "$PROG: $*" >&2; }
die() { say "error: $*"; exit 2; }

LISTS=pt2pt,coll,init,comm,group,attr,topo,datatype
TESTLISTS=testlist
MAXNP=4
TIMEOUT=180
SCALE=2
SELECT=
OUT=
while [ $# -gt 0 ]; do
    case "$1" in
    --lists) LISTS=${2:?--lists needs a value}; shift 2 ;;
    --testlists) TESTLISTS=${2:?--testlists needs a value}; shift 2 ;;
    --maxnp) MAXNP=${2:?--maxnp needs a value}; shift 2 ;;
    --timeout) TIMEOUT=${2:?--timeout needs a value}; shift 2 ;;
    --scale) SCALE=${2:?--scale needs a value}; shift 2 ;;
    --select) SELECT=${2:?--select needs a file}; shift 2 ;;
    --out) OUT=${2:?--out needs a directory}; shift 2 ;;
    -h|--help) sed -n '2,/^set -/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
    esac
done
[[ "$MAXNP" =~ ^[1-9][0-9]*$ ]] || die "--maxnp takes a positive number, not '$MAXNP'"
[[ "$TIMEOUT" =~ ^[1-9][0-9]*$ ]] || die "--timeout takes a positive number, not '$TIMEOUT'"
[[ "$SCALE" =~ ^[1-9][0-9]*$ ]] || die "--scale takes a positive number, not '$SCALE'"
[ -z "$SELECT" ] || [ -f "$SELECT" ] || die "no such file: $SELECT"
[ -z "$SELECT" ] || SELECT=$(cd "$(dirname "$SELECT")" && pwd)/$(basename "$SELECT")

BUILD_DIR=$(cd "${HERMIT_BUILD:-$ROOT/build}" 2>/dev/null && pwd) ||
    die "no build directory: run 'make' first"
export HERMIT_BUILD=$BUILD_DIR
CACHE_ROOT=${HERMIT_CACHE:-$HOME/.cache/hermitcore-c}
TARBALL=$CACHE_ROOT/downloads/mpich_4.0.2.orig.tar.xz
WORK=$BUILD_DIR/mpich-tests
SRC=$WORK/mpi
OUT=${OUT:-$WORK/results}
MPICC=$ROOT/bin/hermit-mpicc
JOBS=${MPICH_JOBS:-2}

# Cross compiling: test programs are bootable images, never run by
# configure. The suite is built outside MPICH's tree, so configure cannot
# read the MPI version from mpi.h.in and its compile probe stops at 3:
# tell it. No Fortran, C++, threads, spawn, partitioned, fault tolerance,
# checkpointing or performance tests (none is in the lists we run).
CONFIGURE_FLAGS=(
    --build=x86_64-pc-linux-gnu --host=x86_64-hermit-linux-gnu
    --with-mpi=/nonexistent
    --disable-fortran --disable-cxx --disable-romio --disable-spawn --disable-part
    --disable-ft-tests --disable-perftest --disable-checkpointing
    --enable-threads=single --disable-dependency-tracking --disable-shared
)

mpich_prefix() {
    sed -n 's/^MPICH_PREFIX := //p' "$BUILD_DIR/mpich.mk" 2>/dev/null
}

# configure's results depend on these; the programs also on the archives.
configure_key() {
    echo "recipe $RECIPE_REVISION"
    echo "tarball $(cut -d' ' -f1 "$ROOT/mpi-port/mpich.sha256")"
    echo "flags ${CONFIGURE_FLAGS[*]}"
    echo "mpicc $MPICC"
    echo "prefix $(mpich_prefix)"
}

image_key() {
    sha256sum "$(mpich_prefix)/lib/libmpi.a" "$BUILD_DIR"/lib/*.a "$BUILD_DIR/ksyms-empty.o" \
        "$ROOT/bin/hermit-cc" "$MPICC" "$ROOT/arch/x86_64/kernel.ld" | cut -d' ' -f1
}

unpack_and_configure() {
    local key=$1 log=$WORK/configure.log
    say "unpacking test/mpi from $(basename "$TARBALL")"
    rm -rf "$SRC" "$WORK/image-key"
    mkdir -p "$SRC"
    tar -xJf "$TARBALL" -C "$SRC" --strip-components=3 mpich-4.0.2/test/mpi ||
        die "cannot unpack test/mpi from $TARBALL"
    say "configuring (links probe programs with hermit-mpicc; about a minute; log: $log)"
    if ! (cd "$SRC" && ./configure "${CONFIGURE_FLAGS[@]}" CC="$MPICC" MPICC="$MPICC" \
            LD=ld AR=ar RANLIB=ranlib NM="nm -B" \
            pac_cv_mpi_major_version=4 pac_cv_mpi_minor_version=0) > "$log" 2>&1; then
        tail -n 20 "$log" | sed 's/^/    /' >&2
        die "configure failed (log: $log)"
    fi
    echo "$key" > "$WORK/configure-key"
}

# Drops comments, blank lines and entries for more than MAXNP processes;
# prints "DIR<TAB>ENTRY" lines. An entry without NP runs on runtests' 2.
filter_list() {
    local dir=$1 file=$2
    sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' "$file" |
        awk -v dir="$dir" -v max="$MAXNP" 'NF == 0 { next }
            { np = (NF >= 2) ? $2 : 2 }
            np + 0 <= max { $1 = $1; print dir "\t" $0 }'
}

# The entries to run, in runtests' order (directory by directory).
make_plan() {
    local dir f
    if [ -n "$SELECT" ]; then
        # Grouped by directory (first appearance), as runtests walks them.
        sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$SELECT" |
            awk '{ split($1, p, "/"); $1 = p[2]
                   if (!(p[1] in n)) order[++dirs] = p[1]
                   line[p[1], ++n[p[1]]] = p[1] "\t" $0 }
                 END { for (d = 1; d <= dirs; d++)
                           for (i = 1; i <= n[order[d]]; i++) print line[order[d], i] }'
        return
    fi
    for dir in ${LISTS//,/ }; do
        [ -d "$SRC/$dir" ] || die "no test directory $dir in test/mpi"
        for f in ${TESTLISTS//,/ }; do
            [ -f "$SRC/$dir/$f" ] && filter_list "$dir" "$SRC/$dir/$f"
        done
    done
}

main() {
    [ -f "$BUILD_DIR/mpich.mk" ] || die "MPICH is not built: run 'make' first"
    [ -f "$TARBALL" ] || die "$TARBALL missing: run 'make' first (mpi-port/build.sh fetches it)"
    [ "$(sha256sum < "$TARBALL" | cut -d' ' -f1)" = "$(cut -d' ' -f1 "$ROOT/mpi-port/mpich.sha256")" ] ||
        die "$TARBALL does not match mpi-port/mpich.sha256"
    local start=$SECONDS key
    mkdir -p "$WORK"
    exec 9> "$WORK/lock"
    flock -n 9 || die "another run holds $WORK/lock"
    unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES GNUMAKEFLAGS CC CFLAGS CPPFLAGS LDFLAGS LIBS
    export LC_ALL=C

    key=$(configure_key)
    if [ "$(cat "$WORK/configure-key" 2>/dev/null)" != "$key" ] || [ ! -x "$SRC/runtests" ]; then
        unpack_and_configure "$key"
    fi
    key=$(image_key)
    if [ "$(cat "$WORK/image-key" 2>/dev/null)" != "$key" ]; then
        say "MPICH or the runtime changed: rebuilding every test program"
        (cd "$SRC" && make -s clean) > /dev/null 2>&1 || true
        echo "$key" > "$WORK/image-key"
    fi

    rm -rf "$OUT"
    mkdir -p "$OUT"
    OUT=$(cd "$OUT" && pwd)
    make_plan > "$OUT/plan.tsv"
    [ -s "$OUT/plan.tsv" ] || die "no tests selected"
    local dirs dir progs
    dirs=$(cut -f1 "$OUT/plan.tsv" | awk '!seen[$0]++' | paste -sd, -)

    # One list per directory, as runtests reads them; then every program
    # built up front, two at a time (runtests would build one by one).
    say "building $(cut -f2 "$OUT/plan.tsv" | awk '{print $1}' | sort -u | wc -l) test programs (make -j$JOBS; log: $OUT/build.log)"
    (cd "$SRC/util" && make -s -j"$JOBS" && cd ../dtpools && make -s -j"$JOBS") \
        >> "$OUT/build.log" 2>&1 || die "building util/ and dtpools/ failed (log: $OUT/build.log)"
    for dir in ${dirs//,/ }; do
        awk -F'\t' -v d="$dir" '$1 == d { print $2 }' "$OUT/plan.tsv" > "$SRC/$dir/testlist.hermit"
        progs=$(awk '{print $1}' "$SRC/$dir/testlist.hermit" | sort -u)
        # shellcheck disable=SC2086  # program names are single words
        (cd "$SRC/$dir" && make -k -j"$JOBS" $progs) >> "$OUT/build.log" 2>&1 || true
    done
    local built=$((SECONDS - start))

    say "running $(wc -l < "$OUT/plan.tsv") tests in $dirs (maxnp $MAXNP, timeout ${TIMEOUT} s x $SCALE)"
    (cd "$SRC" && HERMIT_MPIEXEC_LOG=$OUT/mpiexec.log MPITEST_TIMEOUT=$TIMEOUT \
        MPITEST_TIMEOUT_MULTIPLIER=$SCALE MPITEST_CLEANUP=0 ./runtests -srcdir=. \
        -tests=testlist.hermit -testdirs="$dirs" -maxnp="$MAXNP" \
        -mpiexec="$HERE/mpiexec" -tapfile="$OUT/summary.tap" -showprogress) \
        > "$OUT/runtests.log" 2>&1 || true
    if [ ! -f "$OUT/summary.tap" ]; then
        tail -n 10 "$OUT/runtests.log" | sed 's/^/    /' >&2
        die "runtests did not run (log: $OUT/runtests.log)"
    fi
    local status=0
    python3 "$HERE/summarize.py" "$OUT" "$HERE/expected-failures.txt" || status=$?
    say "wall time $((SECONDS - start)) s (setup and build $built s); results in $OUT"
    return $status
}

main
