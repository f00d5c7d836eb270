#!/usr/bin/env bash
# build.sh - cross-builds MPICH 4.0.2 (ch3:sock, simple PMI, static) for
# HermitCore-C from Debian's `mpich` source package (4.0.2-3) into a cache
# outside the repository, compiling and linking with bin/hermit-cc.
#
#   mpi-port/build.sh            build if needed, print the prefix
#   mpi-port/build.sh --force    rebuild even if the prefix exists
#   mpi-port/build.sh --print-prefix   print the prefix without building;
#                                exit 1 if it has not been built
#   mpi-port/build.sh --fetch-source   only fetch and verify the Debian
#                                tarball, print its path (shared with
#                                bench/baseline/build-mpich-linux.sh)
#
# The last line on stdout is the prefix; progress goes to stderr. The prefix
# is ${HERMIT_CACHE:-~/.cache/hermitcore-c}/mpich-4.0.2-<key>/:
#   include/       mpi.h, mpio.h-less (no ROMIO), mpi_proto.h, mpicxx-less
#   lib/libmpi.a   MPICH with MPL, JSON-C and the simple PMI client inside
#   BUILD-INFO     the inputs the key was computed from
#   config.log, build.log   configure's and make's output
# <key> hashes the package checksum, the configure flags, the cross file,
# our patches, the compiler, the newlib sysroot, libc/include's headers and
# the names of the functions the C library and network layer define (the
# answers configure's link tests get), so changing any of them rebuilds.
#
# MPICH is configured with --build=x86_64-pc-linux-gnu
# --host=x86_64-hermit-linux-gnu: different triplets make configure cross
# compile (it links test programs into images but never runs them); the
# "linux-gnu" system keeps MPICH's Linux/gcc defaults. Run-time answers come
# from cross-x86_64-hermit.sh (--with-cross). Only lib/libmpi.la and the
# headers are built (no mpicc scripts, no mpiexec, no docs).
#
# Needs HermitCore-C built first (build/lib/*.a; `make` does this).
# Environment: HERMIT_CACHE (cache root), HERMIT_BUILD (build directory),
# MPICH_JOBS (make -j, default 2).
set -Eeuo pipefail
trap 'echo "mpich: error: line $LINENO: $BASH_COMMAND failed" >&2' ERR

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PROG=mpich
. "$ROOT/scripts/recipe.sh"

MPICH_VERSION=4.0.2
DEB_PKG=mpich
DEB_VERSION=4.0.2-3
ORIG_TARBALL=mpich_$MPICH_VERSION.orig.tar.xz
PINNED_SHA_FILE=$HERE/mpich.sha256
CROSS_FILE=$HERE/cross-x86_64-hermit.sh
PATCH_DIR=$HERE/patches
COMPAT_DIR=$HERE/compat
PROBED_FILE=$HERE/probed-functions.txt
# Bump when the steps below change in a way the key does not see.
RECIPE_REVISION=1

CACHE_ROOT=${HERMIT_CACHE:-$HOME/.cache/hermitcore-c}
BUILD_DIR=${HERMIT_BUILD:-$ROOT/build}
JOBS=${MPICH_JOBS:-2}
HERMIT_CC=$ROOT/bin/hermit-cc

# Debian's patches (autotools regeneration, Fortran REAL*16, a missing
# confdb file) only matter when autoreconf runs or Fortran is built: none
# is applied; the orig tarball's generated configure is used as shipped.
# The options common to both MPICH builds live in one file.
mapfile -t COMMON_FLAGS < <(grep -v '^#' "$HERE/configure.flags")
CONFIGURE_FLAGS=(--build=x86_64-pc-linux-gnu --host=x86_64-hermit-linux-gnu "${COMMON_FLAGS[@]}")

usage() {
    sed -n '2,/^set -/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
}

# What our C library headers still lack: compat/include (headers Linux
# has, after the system directories, so libc's own win once they exist)
# and compat/hermit-compat.h (see there; only while libc lacks its names).
compat_cppflags() {
    printf '%s' "-idirafter $COMPAT_DIR/include"
    if ! grep -q in6addr_any "$ROOT/libc/include/netinet/in.h" 2>/dev/null; then
        printf ' %s' "-include $COMPAT_DIR/hermit-compat.h"
    fi
}

key_inputs() {
    local sysroot p h
    sysroot=$(newlib_sysroot)
    echo "recipe $RECIPE_REVISION"
    echo "package $DEB_PKG $DEB_VERSION sha256 $(pinned_sha "$ORIG_TARBALL")"
    echo "configure ${CONFIGURE_FLAGS[*]}"
    echo "cross $(sha256sum < "$CROSS_FILE" | cut -d' ' -f1)"
    echo "probed $(sha256sum < "$PROBED_FILE" | cut -d' ' -f1)"
    echo "cppflags $(compat_cppflags)"
    while IFS= read -r p; do
        echo "compat ${p#"$COMPAT_DIR"/} $(sha256sum < "$p" | cut -d' ' -f1)"
    done < <(find "$COMPAT_DIR" -type f | LC_ALL=C sort)
    echo "hermit-cc $(sha256sum < "$HERMIT_CC" | cut -d' ' -f1)"
    echo "gcc $(gcc -dumpfullversion) $(gcc -dumpmachine)"
    echo "newlib $sysroot"
    echo "runtime-symbols $(runtime_symbols "$sysroot")"
    while IFS= read -r h; do
        echo "header ${h#"$ROOT"/} $(sha256sum < "$h" | cut -d' ' -f1)"
    done < <(find "$ROOT/libc/include" -name '*.h' | LC_ALL=C sort)
    for p in "$PATCH_DIR"/*.patch; do
        [ -e "$p" ] || continue
        echo "patch $(basename "$p") $(sha256sum < "$p" | cut -d' ' -f1)"
    done
}

is_built() {
    [ -f "$PREFIX/BUILD-INFO" ] && [ -f "$PREFIX/lib/libmpi.a" ] && [ -f "$PREFIX/include/mpi.h" ]
}

STAGES=7

# Leaves the verified tarball in $CACHE_ROOT/downloads/.
fetch_tarball() {
    local dir=$CACHE_ROOT/downloads expected tmp actual
    expected=$(pinned_sha "$ORIG_TARBALL")
    mkdir -p "$dir"
    if [ -f "$dir/$ORIG_TARBALL" ] &&
       [ "$(sha256sum < "$dir/$ORIG_TARBALL" | cut -d' ' -f1)" = "$expected" ]; then
        stage "source: $ORIG_TARBALL (cached, SHA-256 verified)"
        return 0
    fi
    stage "source: apt-get source --download-only $DEB_PKG=$DEB_VERSION (22 MB)"
    tmp=$(mktemp -d "$dir/mpich.XXXXXX")
    if ! (cd "$tmp" && apt-get source -q --download-only "$DEB_PKG=$DEB_VERSION" >&2); then
        [ "$(id -u)" -eq 0 ] || die "apt-get source $DEB_PKG failed; run 'apt-get update' as root (deb-src from scripts/install-deps.sh)"
        say "apt-get source failed; running apt-get update once"
        apt-get update -q >&2 || die "apt-get update failed"
        (cd "$tmp" && apt-get source -q --download-only "$DEB_PKG=$DEB_VERSION" >&2) \
            || die "apt-get source $DEB_PKG=$DEB_VERSION failed (is there a deb-src entry for bookworm?)"
    fi
    [ -f "$tmp/$ORIG_TARBALL" ] || die "apt-get source did not produce $ORIG_TARBALL"
    actual=$(sha256sum < "$tmp/$ORIG_TARBALL" | cut -d' ' -f1)
    [ "$actual" = "$expected" ] || die "$ORIG_TARBALL has SHA-256 $actual, $PINNED_SHA_FILE pins $expected"
    mv "$tmp/$ORIG_TARBALL" "$dir/$ORIG_TARBALL"
    rm -rf "$tmp"
}

unpack_source() {
    stage "unpacking $ORIG_TARBALL"
    mkdir -p "$WORK/src"
    tar -xJf "$CACHE_ROOT/downloads/$ORIG_TARBALL" -C "$WORK/src" --strip-components=1 \
        --exclude="mpich-$MPICH_VERSION/www" --exclude="mpich-$MPICH_VERSION/man" \
        || die "cannot unpack $ORIG_TARBALL"
    [ -x "$WORK/src/configure" ] || die "$ORIG_TARBALL holds no MPICH source tree"
}

apply_patches() {
    local patches=() p
    for p in "$PATCH_DIR"/*.patch; do
        [ -e "$p" ] && patches+=("$p")
    done
    stage "patches: ${#patches[@]} of ours (Debian's: none needed)"
    for p in "${patches[@]}"; do
        say "      applying $(basename "$p")"
        run_logged "patch $(basename "$p")" patch -p1 -N --no-backup-if-mismatch -d "$WORK/src" -i "$p"
    done
}

# A line on stderr every 30 s while a long step runs: what it is doing.
start_ticker() {
    local what=$1
    (while sleep 30; do
        local last
        if [ "$what" = configure ]; then
            last=$(grep -c '^checking ' "$LOG" || true)
            last="$last checks done; at: $(grep '^checking ' "$LOG" | tail -n 1 | cut -c1-60)"
        else
            last="$(grep -cE '^ +CC ' "$LOG" || true) files compiled"
        fi
        say "      ... $last (+$((SECONDS - START)) s)"
     done) &
    TICKER=$!
}

stop_ticker() {
    kill "$TICKER" 2>/dev/null || true
    wait "$TICKER" 2>/dev/null || true
}

configure_mpich() {
    stage "configuring (links test programs with hermit-cc; about 4 minutes; log: $LOG)"
    mkdir -p "$WORK/build"
    cd "$WORK/build"
    start_ticker configure
    trap stop_ticker EXIT
    run_logged configure "$WORK/src/configure" --prefix="$WORK/install" \
        "${CONFIGURE_FLAGS[@]}" --with-cross="$CROSS_FILE" \
        CC="$HERMIT_CC" LD=ld AR=ar RANLIB=ranlib NM="nm -B" STRIP=strip \
        CFLAGS="" CPPFLAGS="$(compat_cppflags)" LDFLAGS="" LIBS=""
    stop_ticker
    cd "$ROOT"
}

compile_mpich() {
    stage "compiling MPL, JSON-C and lib/libmpi.la (~930 files, make -j$JOBS; about 12 minutes; log: $LOG)"
    start_ticker make
    # lib/libmpi.la does not name its convenience libraries' rules (the
    # top-level `all` builds them as SUBDIRS first): build them by hand.
    run_logged "make libmpl.la" make -C "$WORK/build/src/mpl" -j"$JOBS" libmpl.la
    run_logged "make libjson-c.la" make -C "$WORK/build/modules/json-c" -j"$JOBS" libjson-c.la
    run_logged "make lib/libmpi.la" make -C "$WORK/build" -j"$JOBS" lib/libmpi.la
    stop_ticker
    if [[ "$(compat_cppflags)" == *hermit-compat.h* ]]; then
        run_logged "compile hermit-compat.c" "$HERMIT_CC" -O2 -c -o "$WORK/build/hermit-compat.o" \
            "$COMPAT_DIR/hermit-compat.c"
        run_logged "add hermit-compat.o" ar rs "$WORK/build/lib/.libs/libmpi.a" "$WORK/build/hermit-compat.o"
    fi
}

# Only the library and the headers; staged, then renamed into place.
install_mpich() {
    stage "installing libmpi.a and headers into $PREFIX"
    local stage_dir=$PREFIX.tmp b=$WORK/build
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
}

build() {
    recipe_begin_work "$PREFIX"
    export HERMIT_BUILD=$BUILD_DIR
    fetch_tarball
    unpack_source
    apply_patches
    configure_mpich
    compile_mpich
    install_mpich
    stage "done"
    rm -rf "$WORK"
}

main() {
    local mode=build
    while [ $# -gt 0 ]; do
        case "$1" in
        --force) mode=force ;;
        --print-prefix) mode=print ;;
        --fetch-source) mode=fetch ;;
        -h|--help) usage ;;
        *) say "unknown argument: $1"; usage ;;
        esac
        shift
    done
    START=$SECONDS
    if [ "$mode" = fetch ]; then
        STAGES=1
        fetch_tarball
        echo "$CACHE_ROOT/downloads/$ORIG_TARBALL"
        return 0
    fi
    local f
    for f in lib/libhermit.a lib/libhermit-c.a lib/libhermit-net.a ksyms-empty.o; do
        [ -f "$BUILD_DIR/$f" ] || die "HermitCore-C is not built ($BUILD_DIR/$f missing): run 'make' first"
    done
    # Where the checkout lives is not an input: every clone shares one build.
    KEY_INPUTS=$(key_inputs | sed "s|$ROOT|@ROOT@|g")
    PREFIX=$CACHE_ROOT/mpich-$MPICH_VERSION-$(echo "$KEY_INPUTS" | sha256sum | cut -c1-12)
    recipe_main "$mode" "$PREFIX" mpich "MPICH $MPICH_VERSION ($DEB_PKG $DEB_VERSION)"
}

main "$@"
