#!/usr/bin/env bash
# build.sh - builds newlib 3.3.0, HermitCore-C's C library, from Debian's
# newlib-source package into a cache outside the repository.
#
#   libc/newlib/build.sh                  build if needed, print the sysroot
#   libc/newlib/build.sh --print-sysroot  print the sysroot without building;
#                                         exit 1 if it has not been built
#   libc/newlib/build.sh --force          rebuild even if the sysroot exists
#
# The last line on stdout is the sysroot; progress goes to stderr. The
# sysroot is ${HERMIT_CACHE:-~/.cache/hermitcore-c}/newlib-3.3.0-<key>/:
#   include/      newlib's headers (with our patches/*.patch applied)
#   lib/libc.a    the C library (no system calls: our glue provides them)
#   lib/libm.a    the math library
#   lib/libg.a    newlib's copy of libc.a (installed by newlib; unused)
#   BUILD-INFO    the inputs the key was computed from
#   build.log     configure and make output
# <key> hashes the package version and checksum, configure flags, target
# CFLAGS, compiler and binutils versions and our patches, so changing any of
# them builds a new sysroot and an unchanged setup returns at once.
#
# Environment: HERMIT_CACHE (cache root), NEWLIB_JOBS (make -j, default 2).
set -Eeuo pipefail
trap 'echo "newlib: error: line $LINENO: $BASH_COMMAND failed" >&2' ERR

HERE=$(cd "$(dirname "$0")" && pwd)
PROG=newlib
. "$HERE/../../scripts/recipe.sh"

NEWLIB_VERSION=3.3.0
DEB_PKG=newlib-source
DEB_VERSION=3.3.0-1.3+deb12u1
DEB_FILE=${DEB_PKG}_${DEB_VERSION}_all.deb
DEB_TARBALL=./usr/src/newlib/newlib-${NEWLIB_VERSION}.tar.xz
PINNED_SHA_FILE=$HERE/newlib-source.sha256
PATCH_DIR=$HERE/patches
# Debian's own patches: the tarball in newlib-source already has them
# applied (its .pc/ directory is quilt's record); checked, not re-applied.
DEBIAN_PATCHES=(reproducible-builds-locale.patch fix-include-paths-nano-specs.patch mallocr-CVE-2021-3420.patch)
# Bump when the steps below change in a way the key does not see (the
# layout of the sysroot, the make targets); flags and patches are hashed.
RECIPE_REVISION=1

TARGET=x86_64-elf
CACHE_ROOT=${HERMIT_CACHE:-$HOME/.cache/hermitcore-c}
JOBS=${NEWLIB_JOBS:-2}
STAGES=7

# The host's Debian toolchain is the target toolchain.
TARGET_TOOLS=(
    CC_FOR_TARGET=gcc GCC_FOR_TARGET=gcc AS_FOR_TARGET=as LD_FOR_TARGET=ld
    AR_FOR_TARGET=ar RANLIB_FOR_TARGET=ranlib NM_FOR_TARGET=nm
    OBJDUMP_FOR_TARGET=objdump OBJCOPY_FOR_TARGET=objcopy
    READELF_FOR_TARGET=readelf STRIP_FOR_TARGET=strip
)

CONFIGURE_FLAGS=(
    "--target=$TARGET"
    --disable-multilib
    --disable-newlib-supplied-syscalls
    --enable-newlib-multithread
    --enable-newlib-retargetable-locking
    --enable-newlib-global-stdio-streams
    --enable-newlib-io-long-long
    --enable-newlib-io-c99-formats
    --enable-newlib-io-long-double
)

# The required flags, then what building with a Linux-hosted gcc needs:
# sections per function/object (lets an image link with --gc-sections);
# only newlib's and gcc's own headers, never glibc's from /usr/include;
# and no Linux/Unix predefines (system() would otherwise fork and exec).
target_cflags() {
    local gcc_include
    gcc_include=$(gcc -print-file-name=include)
    echo "-O2 -g -mno-red-zone -fno-pic -fno-pie -fno-omit-frame-pointer" \
         "-fstack-protector-strong -mstack-protector-guard=global" \
         "-D__hermit__ -D__DYNAMIC_REENT__" \
         "-ffunction-sections -fdata-sections" \
         "-nostdinc -isystem $gcc_include" \
         "-U__linux__ -U__linux -Ulinux -U__gnu_linux__ -U__unix__ -U__unix -Uunix"
}

usage() {
    sed -n '2,/^set -/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
}

check_tools() {
    need_tool gcc gcc
    local t
    for t in as ld ar ranlib nm objdump objcopy readelf strip; do
        need_tool "$t" binutils
    done
    need_tool make make
    need_tool patch patch
    need_tool xz xz-utils
    need_tool dpkg-deb dpkg
    need_tool flock util-linux
}

# Everything that decides the library's contents, one line each.
key_inputs() {
    echo "recipe $RECIPE_REVISION"
    echo "package $DEB_PKG $DEB_VERSION sha256 $(pinned_sha)"
    echo "configure ${CONFIGURE_FLAGS[*]}"
    echo "tools ${TARGET_TOOLS[*]}"
    echo "cflags $(target_cflags)"
    echo "gcc $(gcc -dumpfullversion) $(gcc -dumpmachine)"
    echo "binutils $(ld --version | head -n1)"
    local p
    for p in "$PATCH_DIR"/*.patch; do
        [ -e "$p" ] || continue
        echo "patch $(basename "$p") $(sha256sum < "$p" | cut -d' ' -f1)"
    done
}

# Sets KEY_INPUTS and SYSROOT.
compute_sysroot() {
    KEY_INPUTS=$(key_inputs)
    local key
    key=$(echo "$KEY_INPUTS" | sha256sum | cut -c1-12)
    SYSROOT=$CACHE_ROOT/newlib-$NEWLIB_VERSION-$key
}

is_built() {
    [ -f "$SYSROOT/BUILD-INFO" ] && [ -f "$SYSROOT/lib/libc.a" ] && [ -f "$SYSROOT/lib/libm.a" ]
}

# The tarball's top directory is newlib-salsa/ (Debian's git export).
unpack_source() {
    stage "unpacking $(basename "$DEB_TARBALL")"
    mkdir -p "$WORK/src"
    dpkg-deb --fsys-tarfile "$CACHE_ROOT/downloads/$DEB_FILE" |
        tar -x -O "$DEB_TARBALL" |
        tar -xJ -C "$WORK/src" --strip-components=1 \
        || die "cannot extract $DEB_TARBALL from $DEB_FILE"
    if [ ! -x "$WORK/src/configure" ] || [ ! -d "$WORK/src/newlib" ]; then
        die "$DEB_TARBALL does not hold a newlib source tree"
    fi
}

check_debian_patches() {
    local applied
    applied=$(tr '\n' ' ' < "$WORK/src/.pc/applied-patches" 2>/dev/null || true)
    if [ "${applied% }" != "${DEBIAN_PATCHES[*]}" ]; then
        die "expected Debian's patches (${DEBIAN_PATCHES[*]}) already applied in the tarball, found: '${applied% }'"
    fi
}

apply_patches() {
    local patches=() p
    for p in "$PATCH_DIR"/*.patch; do
        [ -e "$p" ] && patches+=("$p")
    done
    stage "patches: Debian's ${#DEBIAN_PATCHES[@]} already applied; ours: ${#patches[@]}"
    check_debian_patches
    for p in "${patches[@]}"; do
        say "      applying $(basename "$p")"
        run_logged "patch $(basename "$p")" patch -p1 -N --no-backup-if-mismatch -d "$WORK/src" -i "$p"
    done
}

configure_newlib() {
    stage "configuring for $TARGET (log: $LOG)"
    mkdir -p "$WORK/build"
    cd "$WORK/build"
    run_logged configure "$WORK/src/configure" \
        --prefix="$WORK/install" "${CONFIGURE_FLAGS[@]}" "${TARGET_TOOLS[@]}" \
        CFLAGS_FOR_TARGET="$(target_cflags)"
    cd "$HERE"
}

compile_newlib() {
    stage "compiling (make -j$JOBS; about a minute on 2 cores)"
    run_logged make make -C "$WORK/build" -j"$JOBS" all-target-newlib
}

# newlib installs into <prefix>/x86_64-elf/{include,lib}; the sysroot keeps
# just those two directories, one level up. Staged, then renamed into place,
# so an interrupted build never leaves a sysroot that looks complete.
install_newlib() {
    stage "installing into $SYSROOT"
    run_logged install make -C "$WORK/build" install-target-newlib
    local from=$WORK/install/$TARGET stage_dir=$SYSROOT.tmp
    if [ ! -d "$from/include" ] || [ ! -f "$from/lib/libc.a" ] || [ ! -f "$from/lib/libm.a" ]; then
        die "make install left no $from/{include,lib/libc.a,lib/libm.a}"
    fi
    rm -rf "$stage_dir"
    mkdir -p "$stage_dir"
    mv "$from/include" "$stage_dir/include"
    mv "$from/lib" "$stage_dir/lib"
    cp "$LOG" "$stage_dir/build.log"
    echo "$KEY_INPUTS" > "$stage_dir/BUILD-INFO"
    rm -rf "$SYSROOT"
    mv "$stage_dir" "$SYSROOT"
}

build() {
    recipe_begin_work "$SYSROOT"
    fetch_package
    unpack_source
    apply_patches
    configure_newlib
    compile_newlib
    install_newlib
    stage "done"
    rm -rf "$WORK"
}

main() {
    local mode=build
    while [ $# -gt 0 ]; do
        case "$1" in
        --print-sysroot) mode=print ;;
        --force) mode=force ;;
        -h|--help) usage ;;
        *) say "unknown argument: $1"; usage ;;
        esac
        shift
    done

    if [ "$mode" = print ]; then
        command -v gcc >/dev/null 2>&1 || die "gcc is missing"
    else
        check_tools
    fi
    compute_sysroot
    recipe_main "$mode" "$SYSROOT" newlib "newlib $NEWLIB_VERSION ($DEB_PKG $DEB_VERSION)"
}

main "$@"
