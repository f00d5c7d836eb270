#!/usr/bin/env bash
# build-mpich-linux.sh - builds MPICH 4.0.2 for the Linux-guest baseline:
# the same Debian source tarball as mpi-port/build.sh (fetched and verified
# by it), configured like the unikernel's MPICH (ch3:sock, simple PMI,
# single-threaded, dataloop, static), but compiled natively with the host
# gcc against glibc, so that bench/baseline/linux-mpicc can link static
# Linux x86-64 programs that run in the Debian-kernel + busybox guest.
#
#   bench/baseline/build-mpich-linux.sh          build if needed, print the prefix
#   bench/baseline/build-mpich-linux.sh --force  rebuild even if the prefix exists
#   bench/baseline/build-mpich-linux.sh --print-prefix
#                                 print the prefix; exit 1 if not built
#
# The last line on stdout is the prefix; progress goes to stderr. The prefix
# is ${HERMIT_CACHE:-~/.cache/hermitcore-c}/mpich-linux-4.0.2-<key>/ with
# include/, lib/libmpi.a, BUILD-INFO, config.log and build.log; <key> hashes
# the tarball checksum, the configure flags, gcc's and glibc's versions and
# this recipe's revision. About 7 minutes on 2 cores.
# Differences from the unikernel's flags, and why: no --build/--host
# (a native build: configure runs its test programs here) and no
# --with-cross file (those answers come from running them).
# Environment: HERMIT_CACHE (cache root), MPICH_JOBS (make -j, default 2).
set -Eeuo pipefail
trap 'echo "mpich-linux: error: line $LINENO: $BASH_COMMAND failed" >&2' ERR

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PROG=mpich-linux
MPICH_VERSION=4.0.2
# Bump when the steps below change in a way the key does not see.
RECIPE_REVISION=1
CACHE_ROOT=${HERMIT_CACHE:-$HOME/.cache/hermitcore-c}
JOBS=${MPICH_JOBS:-2}

# The options common to both MPICH builds live in one file.
mapfile -t CONFIGURE_FLAGS < <(grep -v '^#' "$ROOT/mpi-port/configure.flags")

say() { echo "$PROG: $*" >&2; }
die() { say "error: $*"; exit 1; }

usage() {
    sed -n '2,/^set -/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
}

key_inputs() {
    echo "recipe $RECIPE_REVISION"
    echo "source $(sed -n 1p "$ROOT/mpi-port/mpich.sha256")"
    echo "configure ${CONFIGURE_FLAGS[*]}"
    echo "gcc $(gcc -dumpfullversion) $(gcc -dumpmachine)"
    echo "glibc $(getconf GNU_LIBC_VERSION)"
}

is_built() {
    [ -f "$PREFIX/BUILD-INFO" ] && [ -f "$PREFIX/lib/libmpi.a" ] && [ -f "$PREFIX/include/mpi.h" ]
}

STAGE=0
STAGES=6
stage() {
    STAGE=$((STAGE + 1))
    say "[$STAGE/$STAGES] $* (+$((SECONDS - START)) s)"
}

run_logged() {
    local what=$1; shift
    echo "=== $what: $*" >> "$LOG"
    if ! "$@" >> "$LOG" 2>&1; then
        say "$what failed; last lines of $LOG:"
        tail -n 30 "$LOG" | sed 's/^/    /' >&2
        die "$what failed (full log: $LOG; work directory kept: $WORK)"
    fi
}

# A line on stderr every 30 s while configure or make runs.
start_ticker() {
    local what=$1
    (while sleep 30; do
        if [ "$what" = configure ]; then
            say "      ... $(grep -c '^checking ' "$LOG" || true) checks done (+$((SECONDS - START)) s)"
        else
            say "      ... $(grep -cE '^ +CC ' "$LOG" || true) files compiled (+$((SECONDS - START)) s)"
        fi
     done) &
    TICKER=$!
    trap stop_ticker EXIT
}

stop_ticker() {
    kill "$TICKER" 2>/dev/null || true
    wait "$TICKER" 2>/dev/null || true
}

build() {
    local tarball b stage_dir
    WORK=$PREFIX.work
    LOG=$WORK/build.log
    rm -rf "$WORK"
    mkdir -p "$WORK/src" "$WORK/build"
    : > "$LOG"
    # The caller's make and compiler settings must not leak in: the key would not see them.
    unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES GNUMAKEFLAGS
    unset CC CXX CPP CFLAGS CXXFLAGS CPPFLAGS LDFLAGS LIBS FC F77
    export LC_ALL=C

    stage "source (mpi-port/build.sh --fetch-source)"
    tarball=$("$ROOT/mpi-port/build.sh" --fetch-source | tail -n 1)
    [ -f "$tarball" ] || die "mpi-port/build.sh --fetch-source gave no tarball"
    stage "unpacking $(basename "$tarball")"
    tar -xJf "$tarball" -C "$WORK/src" --strip-components=1 \
        --exclude="mpich-$MPICH_VERSION/www" --exclude="mpich-$MPICH_VERSION/man" \
        || die "cannot unpack $tarball"

    stage "configuring natively with gcc (about 3 minutes; log: $LOG)"
    cd "$WORK/build"
    start_ticker configure
    run_logged configure "$WORK/src/configure" --prefix="$WORK/install" "${CONFIGURE_FLAGS[@]}" \
        CC=gcc CFLAGS="" CPPFLAGS="" LDFLAGS="" LIBS=""
    stop_ticker

    stage "compiling MPL, JSON-C and lib/libmpi.la (make -j$JOBS; about 4 minutes; log: $LOG)"
    start_ticker make
    # As in mpi-port/build.sh: lib/libmpi.la does not name its convenience libraries' rules.
    run_logged "make libmpl.la" make -C "$WORK/build/src/mpl" -j"$JOBS" libmpl.la
    run_logged "make libjson-c.la" make -C "$WORK/build/modules/json-c" -j"$JOBS" libjson-c.la
    run_logged "make lib/libmpi.la" make -C "$WORK/build" -j"$JOBS" lib/libmpi.la
    stop_ticker
    cd "$ROOT"

    stage "installing libmpi.a and headers into $PREFIX"
    b=$WORK/build
    stage_dir=$PREFIX.tmp
    rm -rf "$stage_dir"
    mkdir -p "$stage_dir/lib" "$stage_dir/include"
    [ -f "$b/lib/.libs/libmpi.a" ] || die "make left no $b/lib/.libs/libmpi.a"
    cp "$b/lib/.libs/libmpi.a" "$stage_dir/lib/libmpi.a"
    run_logged "install headers" make -C "$b" install-nodist_includeHEADERS install-includeHEADERS \
        includedir="$stage_dir/include"
    [ -f "$stage_dir/include/mpi.h" ] || die "header install left no mpi.h"
    cp "$b/config.log" "$stage_dir/config.log"
    cp "$LOG" "$stage_dir/build.log"
    echo "$KEY_INPUTS" > "$stage_dir/BUILD-INFO"
    rm -rf "$PREFIX"
    mv "$stage_dir" "$PREFIX"
    stage "done in $((SECONDS - START)) s"
    rm -rf "$WORK"
}

main() {
    local mode=build
    while [ $# -gt 0 ]; do
        case "$1" in
        --force) mode=force ;;
        --print-prefix) mode=print ;;
        -h|--help) usage ;;
        *) say "unknown argument: $1"; usage ;;
        esac
        shift
    done
    START=$SECONDS
    command -v gcc >/dev/null || die "gcc is missing"
    [ -f "$(gcc -print-file-name=libc.a)" ] || die "no static glibc (libc.a): install libc6-dev"
    KEY_INPUTS=$(key_inputs)
    PREFIX=$CACHE_ROOT/mpich-linux-$MPICH_VERSION-$(echo "$KEY_INPUTS" | sha256sum | cut -c1-12)
    if [ "$mode" = print ]; then
        is_built || die "not built yet: $PREFIX (run $0)"
        echo "$PREFIX"
        return 0
    fi
    if [ "$mode" = build ] && is_built; then
        echo "$PREFIX"
        return 0
    fi
    mkdir -p "$CACHE_ROOT"
    exec 9> "$CACHE_ROOT/mpich-linux.lock"
    if ! flock -n 9; then
        say "another build holds $CACHE_ROOT/mpich-linux.lock; waiting"
        flock 9
    fi
    if [ "$mode" = force ]; then
        rm -rf "$PREFIX"
    elif is_built; then
        echo "$PREFIX"
        return 0
    fi
    say "building MPICH $MPICH_VERSION for Linux into $PREFIX"
    build
    echo "$PREFIX"
}

main "$@"
