#!/usr/bin/env bash
# build.sh - builds GCC 12's OpenMP runtime, libgomp, for HermitCore-C from
# Debian's gcc-12-source package (the compiler Debian ships) into a cache
# outside the repository, with bin/hermit-cc as its compiler.
#
#   runtimes/build.sh                 build if needed, print the prefix
#   runtimes/build.sh --print-prefix  print the prefix without building;
#                                     exit 1 if it has not been built
#   runtimes/build.sh --force         rebuild even if the prefix exists
#
# The last line on stdout is the prefix; progress goes to stderr. The prefix
# is ${HERMIT_CACHE:-~/.cache/hermitcore-c}/libgomp-12.2.0-<key>/:
#   include/omp.h     the OpenMP header for our target (its lock types
#                     differ in size from the host's omp.h)
#   lib/libgomp.a     the runtime, libgomp's POSIX configuration (threads,
#                     mutexes and semaphores from our libc)
#   lib/libgomp.spec  gcc's -fopenmp link spec, emptied: bin/hermit-cc puts
#                     libgomp.a inside its own link group, and gcc must not
#                     add the host's -lgomp -ldl
#   BUILD-INFO, build.log
# <key> hashes the package and its checksum, the configure flags, hermit-cc,
# gcc, newlib, our libc headers and which of the functions libgomp's
# configure probes (gomp-probed-functions.txt) the runtime defines: the
# results of configure depend on those.
#
# Only libgomp/ and the build files it needs are unpacked from the 80 MB
# tarball. Debian's patches are not applied: the one touching libgomp
# changes the host's multilib omp.h, which we do not build.
#
# Environment: HERMIT_BUILD (the HermitCore-C build directory, which must be
# built), HERMIT_CACHE, GOMP_JOBS (make -j, default 2).
set -Eeuo pipefail
trap 'echo "libgomp: error: line $LINENO: $BASH_COMMAND failed" >&2' ERR

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
PROG=libgomp
. "$ROOT/scripts/recipe.sh"

GCC_VERSION=12.2.0
DEB_PKG=gcc-12-source
DEB_VERSION=12.2.0-14+deb12u1
DEB_FILE=${DEB_PKG}_${DEB_VERSION}_all.deb
DEB_TARBALL=./usr/src/gcc-12/gcc-$GCC_VERSION-dfsg.tar.xz
PINNED_SHA_FILE=$HERE/gcc-12-source.sha256
PROBED_FILE=$HERE/gomp-probed-functions.txt
# Bump when the steps below change in a way the key does not see.
RECIPE_REVISION=1

CACHE_ROOT=${HERMIT_CACHE:-$HOME/.cache/hermitcore-c}
BUILD_DIR=${HERMIT_BUILD:-$ROOT/build}
JOBS=${GOMP_JOBS:-2}
HERMIT_CC=$ROOT/bin/hermit-cc
STAGES=6

# x86_64-hermit is no OS config.sub knows; *-elf selects libgomp's POSIX
# configuration (config/posix: no futexes, no Linux affinity calls).
# Version-specific runtime libs: libgomp installs under lib/gcc/TARGET/VER.
CONFIGURE_FLAGS=(--build=x86_64-pc-linux-gnu --host=x86_64-pc-elf --disable-multilib
                 --disable-shared --enable-static --enable-version-specific-runtime-libs)
TARGET_TOOLS=(AR=ar RANLIB=ranlib NM=nm)
TARGET_CFLAGS="-O2 -g"

# The parts of the gcc tree libgomp's configure and make read.
SOURCE_PARTS=(libgomp include config config.sub config.guess config-ml.in ltmain.sh
              install-sh missing compile depcomp mkinstalldirs move-if-change ar-lib
              test-driver libtool.m4 ltoptions.m4 ltsugar.m4 ltversion.m4 lt~obsolete.m4
              ltgcc.m4 gcc/BASE-VER gcc/DATESTAMP gcc/DEV-PHASE)

usage() {
    sed -n '2,/^set -/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
}

key_inputs() {
    local sysroot h
    sysroot=$(newlib_sysroot)
    echo "recipe $RECIPE_REVISION"
    echo "package $DEB_PKG $DEB_VERSION sha256 $(pinned_sha)"
    echo "configure ${CONFIGURE_FLAGS[*]} ${TARGET_TOOLS[*]} CFLAGS=$TARGET_CFLAGS"
    echo "probed $(sha256sum < "$PROBED_FILE" | cut -d' ' -f1)"
    echo "hermit-cc $(sha256sum < "$HERMIT_CC" | cut -d' ' -f1)"
    echo "gcc $(gcc -dumpfullversion) $(gcc -dumpmachine)"
    echo "newlib $sysroot"
    echo "runtime-symbols $(runtime_symbols "$sysroot")"
    while IFS= read -r h; do
        echo "header ${h#"$ROOT"/} $(sha256sum < "$h" | cut -d' ' -f1)"
    done < <(find "$ROOT/libc/include" -name '*.h' | LC_ALL=C sort)
}

is_built() {
    [ -f "$PREFIX/BUILD-INFO" ] && [ -f "$PREFIX/lib/libgomp.a" ] && [ -f "$PREFIX/include/omp.h" ]
}

unpack_source() {
    stage "unpacking libgomp from $(basename "$DEB_TARBALL")"
    local top=gcc-$GCC_VERSION parts=() p
    for p in "${SOURCE_PARTS[@]}"; do
        parts+=("$top/$p")
    done
    mkdir -p "$WORK/src"
    dpkg-deb --fsys-tarfile "$CACHE_ROOT/downloads/$DEB_FILE" |
        tar -x -O "$DEB_TARBALL" |
        tar -xJ -C "$WORK/src" --strip-components=1 "${parts[@]}" \
        || die "cannot extract libgomp from $DEB_TARBALL in $DEB_FILE"
    [ -x "$WORK/src/libgomp/configure" ] || die "$DEB_TARBALL holds no libgomp/configure"
}

configure_gomp() {
    stage "configuring (links test programs with hermit-cc; about a minute; log: $LOG)"
    mkdir -p "$WORK/build"
    cd "$WORK/build"
    run_logged configure env HERMIT_BUILD="$BUILD_DIR" "$WORK/src/libgomp/configure" \
        --prefix="$WORK/install" "${CONFIGURE_FLAGS[@]}" CC="$HERMIT_CC" \
        CFLAGS="$TARGET_CFLAGS" "${TARGET_TOOLS[@]}"
    cd "$ROOT"
}

compile_gomp() {
    stage "compiling (make -j$JOBS; about 15 s on 2 cores)"
    run_logged make env HERMIT_BUILD="$BUILD_DIR" make -C "$WORK/build" -j"$JOBS"
}

# Staged, then renamed into place: an interrupted build never leaves a
# prefix that looks complete.
install_gomp() {
    stage "installing into $PREFIX"
    run_logged install env HERMIT_BUILD="$BUILD_DIR" make -C "$WORK/build" install
    local from=$WORK/install/lib/gcc/x86_64-pc-elf/$GCC_VERSION staging=$PREFIX.tmp
    [ -f "$from/libgomp.a" ] && [ -f "$from/include/omp.h" ] \
        || die "make install left no $from/{libgomp.a,include/omp.h}"
    rm -rf "$staging"
    mkdir -p "$staging/lib" "$staging/include"
    cp "$from/libgomp.a" "$staging/lib/"
    cp "$from/include/omp.h" "$staging/include/"
    # gcc reads *link_gomp from the first libgomp.spec on its -B path; an
    # empty value is malformed, a spec that expands to nothing is not.
    printf '*link_gomp:\n%%{static:}\n' > "$staging/lib/libgomp.spec"
    cp "$LOG" "$staging/build.log"
    echo "$KEY_INPUTS" > "$staging/BUILD-INFO"
    rm -rf "$PREFIX"
    mv "$staging" "$PREFIX"
}

build() {
    recipe_begin_work "$PREFIX"
    fetch_package
    unpack_source
    configure_gomp
    compile_gomp
    install_gomp
    stage "done"
    rm -rf "$WORK"
}

main() {
    local mode=build
    while [ $# -gt 0 ]; do
        case "$1" in
        --print-prefix) mode=print ;;
        --force) mode=force ;;
        -h|--help) usage ;;
        *) say "unknown argument: $1"; usage ;;
        esac
        shift
    done
    BUILD_DIR=$(cd "$BUILD_DIR" 2>/dev/null && pwd) \
        || die "no build directory ${HERMIT_BUILD:-$ROOT/build}: run 'make' first"
    local lib
    for lib in libhermit.a libhermit-c.a libhermit-net.a; do
        [ -f "$BUILD_DIR/lib/$lib" ] || die "HermitCore-C is not built ($lib missing): run 'make' first"
    done
    if [ "$mode" != print ]; then
        need_tool gcc gcc
        need_tool make make
        need_tool xz xz-utils
        need_tool dpkg-deb dpkg
        need_tool flock util-linux
    fi
    KEY_INPUTS=$(key_inputs | sed "s|$ROOT|@ROOT@|g")
    PREFIX=$CACHE_ROOT/libgomp-$GCC_VERSION-$(echo "$KEY_INPUTS" | sha256sum | cut -c1-12)
    recipe_main "$mode" "$PREFIX" libgomp "libgomp $GCC_VERSION ($DEB_PKG $DEB_VERSION)"
}

main "$@"
