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

say() { echo "$PROG: $*" >&2; }
die() { say "error: $*"; exit 1; }

usage() {
    sed -n '2,/^set -/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
}

need_tool() {
    local tool=$1 pkg=$2
    command -v "$tool" >/dev/null 2>&1 && return 0
    [ "$(id -u)" -eq 0 ] || die "'$tool' is missing; install the $pkg package"
    say "installing $pkg (for $tool)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" >&2 \
        || die "apt-get install $pkg failed"
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

pinned_sha() {
    [ -f "$PINNED_SHA_FILE" ] || die "missing $PINNED_SHA_FILE"
    local sha file
    read -r sha file < "$PINNED_SHA_FILE" || true
    [ "$file" = "$DEB_FILE" ] \
        || die "$PINNED_SHA_FILE pins '$file', but this script wants $DEB_FILE"
    [[ "$sha" =~ ^[0-9a-f]{64}$ ]] || die "$PINNED_SHA_FILE: not a SHA-256: $sha"
    echo "$sha"
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

# Runs a command with its output in the log; on failure shows the log's tail.
run_logged() {
    local what=$1; shift
    echo "=== $what: $*" >> "$LOG"
    if ! "$@" >> "$LOG" 2>&1; then
        say "$what failed; last lines of $LOG:"
        tail -n 40 "$LOG" | sed 's/^/    /' >&2
        die "$what failed (full log: $LOG; work directory kept: $WORK)"
    fi
}

STAGE=0
STAGES=7
stage() {
    STAGE=$((STAGE + 1))
    say "[$STAGE/$STAGES] $*"
}

sha_matches() {
    local file=$1 expected=$2
    [ "$(sha256sum < "$file" | cut -d' ' -f1)" = "$expected" ]
}

# Leaves the verified package in $CACHE_ROOT/downloads/.
fetch_package() {
    local expected deb dir=$CACHE_ROOT/downloads
    expected=$(pinned_sha)
    deb=$dir/$DEB_FILE
    mkdir -p "$dir"
    if [ -f "$deb" ] && sha_matches "$deb" "$expected"; then
        stage "package: $DEB_FILE (cached, SHA-256 verified)"
        return 0
    fi
    rm -f "$deb"
    if [ -f "/var/cache/apt/archives/$DEB_FILE" ]; then
        stage "package: copying $DEB_FILE from /var/cache/apt/archives"
        cp "/var/cache/apt/archives/$DEB_FILE" "$deb.part"
    else
        stage "package: apt-get download $DEB_PKG=$DEB_VERSION"
        download_package "$dir"
        mv "$dir/$DEB_FILE" "$deb.part"
    fi
    local actual
    actual=$(sha256sum < "$deb.part" | cut -d' ' -f1)
    if [ "$actual" != "$expected" ]; then
        mv "$deb.part" "$deb.bad"
        die "$DEB_FILE has SHA-256 $actual, but $PINNED_SHA_FILE pins $expected (file kept as $deb.bad)"
    fi
    mv "$deb.part" "$deb"
}

# apt-get download, after one apt-get update if apt does not know the version.
download_package() {
    local dir=$1
    if ! apt-cache show "$DEB_PKG=$DEB_VERSION" >/dev/null 2>&1; then
        [ "$(id -u)" -eq 0 ] \
            || die "apt does not know $DEB_PKG=$DEB_VERSION; run 'apt-get update' as root"
        say "apt does not know $DEB_PKG=$DEB_VERSION; running apt-get update"
        apt-get update -q >&2 || die "apt-get update failed"
        apt-cache show "$DEB_PKG=$DEB_VERSION" >/dev/null 2>&1 \
            || die "no $DEB_PKG=$DEB_VERSION in the apt sources (Debian 12 bookworm main)"
    fi
    (cd "$dir" && apt-get download -q -o APT::Sandbox::User=root "$DEB_PKG=$DEB_VERSION" >&2) \
        || die "apt-get download $DEB_PKG=$DEB_VERSION failed"
    [ -f "$dir/$DEB_FILE" ] || die "apt-get download did not produce $dir/$DEB_FILE"
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
    WORK=$SYSROOT.work
    LOG=$WORK/build.log
    rm -rf "$WORK"
    mkdir -p "$WORK"
    : > "$LOG"
    # A parent make's flags and variables (make V=1, CC=...) must not leak
    # into newlib's makefiles, nor the caller's compiler settings into its
    # configure: the key would not see them.
    unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES GNUMAKEFLAGS
    unset CC CXX CPP CFLAGS CXXFLAGS CPPFLAGS LDFLAGS LIBS
    export LC_ALL=C

    local start=$SECONDS
    fetch_package
    unpack_source
    apply_patches
    configure_newlib
    compile_newlib
    install_newlib
    stage "done in $((SECONDS - start)) s"
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
    if [ "$mode" = print ]; then
        is_built || die "not built yet: $SYSROOT (run $0)"
        echo "$SYSROOT"
        return 0
    fi
    if [ "$mode" = build ] && is_built; then
        echo "$SYSROOT"
        return 0
    fi

    mkdir -p "$CACHE_ROOT"
    # One build at a time per cache; a waiting caller may find it done.
    exec 9> "$CACHE_ROOT/newlib.lock"
    if ! flock -n 9; then
        say "another newlib build holds $CACHE_ROOT/newlib.lock; waiting"
        flock 9
    fi
    if [ "$mode" = force ]; then
        say "--force: removing $SYSROOT"
        rm -rf "$SYSROOT"
    elif is_built; then
        echo "$SYSROOT"
        return 0
    fi
    say "building newlib $NEWLIB_VERSION ($DEB_PKG $DEB_VERSION) into $SYSROOT"
    build
    echo "$SYSROOT"
}

main "$@"
