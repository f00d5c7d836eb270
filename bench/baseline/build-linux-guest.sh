#!/usr/bin/env bash
# build-linux-guest.sh - builds the Linux guest that the benchmarks compare
# HermitCore-C against: Debian's cloud kernel plus a tiny initramfs
# (busybox, /init, the portio helper and the programs given with --add).
# MPI programs: bench/baseline/linux-mpicc links them against MPICH built for
# Linux from the same Debian source (build-mpich-linux.sh), and
# `cluster/hermit-mpirun --guest linux` boots one such guest per rank
# (--virtio-net, --keyed-only; /init sets up NICs, names and environment as
# a HermitCore-C rank gets them, see guest-init and docs/mpirun.md).
#
#   bench/baseline/build-linux-guest.sh [--fwq] [--virtio-net] [--add /host/path/prog ...]
#
#   --add PROG   copy a static program into the initramfs's /bin (repeatable)
#   --fwq        build bench/noise/fwq_linux static and add it
#   --virtio-net put the kernel's virtio-net modules into /lib/modules (with
#                their load order in /lib/modules/order); /init loads them
#                when the command line configures NICs (ip=, see guest-init)
#   --keyed-only leave the stable names below alone (for launchers that
#                pass the printed keyed path to linux-run --initrd)
#
# The last line on stdout is the path of the keyed initramfs just built or
# reused; use it rather than the stable names below when several guests
# may be built at once (the stable names point at the last build).
#
# Output, in ${HERMIT_CACHE:-~/.cache/hermitcore-c}/linux-guest/ (never in
# the repo; Debian's binaries are fetched at run time, not committed):
#   vmlinuz, initramfs.cpio.gz   what bench/baseline/linux-run boots
#   initramfs.contents           the names in the initramfs's /bin
#   debs/*.deb, debs/SHA256SUMS  the downloaded packages and their checksums
# Everything is keyed by package versions and input hashes, so a second run
# with the same inputs only checks and relinks.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE=${HERMIT_CACHE:-$HOME/.cache/hermitcore-c}/linux-guest
KERNEL_META=linux-image-cloud-amd64
BUSYBOX_PKG=busybox-static
PROG=build-linux-guest

. "$REPO/scripts/recipe.sh"            # say, die, need_tool

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
}

adds=()
virtio_net=
keyed_only=
# Load order: each module after the ones it needs.
VIRTIO_NET_MODULES="drivers/virtio/virtio_ring drivers/virtio/virtio
    drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci_legacy_dev
    drivers/virtio/virtio_pci net/core/failover drivers/net/net_failover drivers/net/virtio_net"
parse_args() {
    while [ $# -gt 0 ]; do
        case "$1" in
        --add) [ $# -ge 2 ] || usage; adds+=("$2"); shift 2 ;;
        --add=*) adds+=("${1#--add=}"); shift ;;
        --fwq) local fwq; fwq=$(build_fwq) || exit 1; adds+=("$fwq"); shift ;;
        --virtio-net) virtio_net=1; shift ;;
        --keyed-only) keyed_only=1; shift ;;
        -h|--help) usage ;;
        *) say "unknown argument: $1"; usage ;;
        esac
    done
}

# A dynamically linked program would find no loader in the initramfs.
check_static() {
    local prog=$1
    [ -f "$prog" ] && [ -x "$prog" ] || die "--add $prog: not an executable file"
    head -c 4 "$prog" | grep -q 'ELF' || die "--add $prog: not an ELF program"
    if readelf -l "$prog" 2>/dev/null | grep -q 'INTERP'; then
        die "--add $prog: dynamically linked; rebuild it with -static"
    fi
}

# The newest version apt would install; an empty list gets one apt-get update.
candidate() {
    apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p' | grep -v '(none)' || true
}

resolve_version() {
    local pkg=$1 version
    version=$(candidate "$pkg")
    if [ -z "$version" ] && [ -z "${UPDATED:-}" ]; then
        say "apt does not know $pkg; running apt-get update"
        apt-get update -q >&2 || die "apt-get update failed"
        UPDATED=1
        version=$(candidate "$pkg")
    fi
    [ -n "$version" ] || die "no installable version of $pkg in the apt sources"
    echo "$version"
}

# The meta package holds no kernel: follow its dependency to the real one.
kernel_package() {
    local meta_version pkg
    meta_version=$(resolve_version "$KERNEL_META")
    pkg=$(apt-cache show "$KERNEL_META=$meta_version" |
          sed -n 's/^Depends: .*\(linux-image-[0-9][^ ,]*-cloud-amd64\).*/\1/p' | head -n1)
    [ -n "$pkg" ] || die "cannot find the kernel package that $KERNEL_META $meta_version depends on"
    echo "$pkg"
}

# apt-cache takes ~0.5 s a call; its answers only change when the package
# lists do, so they are remembered under a hash of the lists' names and times.
apt_lists_key() {
    ls -l --time-style=+%s /var/lib/apt/lists/ /etc/apt/sources.list.d/ 2>/dev/null |
        sha256sum | cut -c1-16
}

# Sets kpkg, kversion and bversion.
resolve_packages() {
    local memo="$CACHE/resolved-$(apt_lists_key)"
    if [ -f "$memo" ]; then
        read -r kpkg kversion bversion < "$memo"
        [ -n "$bversion" ] && return 0
    fi
    kpkg=$(kernel_package)
    kversion=$(resolve_version "$kpkg")
    bversion=$(resolve_version "$BUSYBOX_PKG")
    rm -f "$CACHE"/resolved-*
    echo "$kpkg $kversion $bversion" > "$CACHE/resolved-$(apt_lists_key)"
}

deb_path() {
    local pkg=$1 version=$2
    echo "$CACHE/debs/${pkg}_${version//:/%3a}_amd64.deb"
}

# Checksums are recorded at download and verified on every reuse.
fetch_deb() {
    local pkg=$1 version=$2 deb
    deb=$(deb_path "$pkg" "$version")
    mkdir -p "$CACHE/debs"
    if [ -f "$deb" ] && grep -q " $(basename "$deb")\$" "$CACHE/debs/SHA256SUMS" 2>/dev/null; then
        (cd "$CACHE/debs" && grep " $(basename "$deb")\$" SHA256SUMS | sha256sum -c --quiet -) \
            || die "$deb does not match debs/SHA256SUMS; delete it and rerun"
        say "cached $pkg $version"
        return 0
    fi
    say "downloading $pkg $version"
    (cd "$CACHE/debs" && apt-get download -q -o APT::Sandbox::User=root "$pkg=$version" >&2) || die "apt-get download $pkg=$version failed"
    [ -f "$deb" ] || die "apt-get download did not produce $deb"
    (cd "$CACHE/debs" && {
        grep -v " $(basename "$deb")\$" SHA256SUMS 2>/dev/null || true
        sha256sum "$(basename "$deb")"
    } > SHA256SUMS.new && mv SHA256SUMS.new SHA256SUMS)
}

# Unpacks a .deb once into a directory named after it. Only PATHS when
# given: the kernel package's 100 MB of modules are useless to a guest
# whose initramfs loads none.
unpack_deb() {
    local deb=$1 dir; shift
    dir="$CACHE/unpacked/$(basename "$deb" .deb)"
    if [ ! -f "$dir/.done" ]; then
        say "unpacking $(basename "$deb")"
        rm -rf "$dir"
        mkdir -p "$dir"
        if [ $# -eq 0 ]; then
            dpkg-deb -x "$deb" "$dir"
        else
            dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir" --wildcards "$@"
        fi
        touch "$dir/.done"
    fi
    echo "$dir"
}

build_static() {
    local out=$1; shift
    mkdir -p "$(dirname "$out")"
    gcc -O2 -static -Wall -Wextra -Werror -o "$out.tmp" "$@" && mv "$out.tmp" "$out"
}

# Rebuilt whenever a source is newer than the binary.
build_if_stale() {
    local out=$1; shift
    local src
    for src in "$@"; do
        case "$src" in -*) continue ;; esac
        if [ ! -f "$out" ] || [ "$src" -nt "$out" ]; then
            say "compiling $(basename "$out")"
            build_static "$out" "$@" || die "building $out failed"
            return 0
        fi
    done
}

build_fwq() {
    local out="$CACHE/build/fwq_linux"
    build_if_stale "$out" -pthread -I"$REPO/bench/noise" \
        "$REPO/bench/noise/fwq_linux.c" "$REPO/bench/noise/fwq.c" "$REPO/bench/noise/fwq.h"
    echo "$out"
}

# The virtio-net modules of the guest's own kernel package, unpacked once.
# (Its own directory: unpack_deb's for the kernel holds only vmlinuz.)
virtio_net_dir() {
    local deb=$1 m dir patterns=()
    dir="$CACHE/unpacked/$(basename "$deb" .deb)-virtio-net"
    if [ ! -f "$dir/.done" ]; then
        say "unpacking the virtio-net modules of $(basename "$deb")"
        for m in $VIRTIO_NET_MODULES; do
            patterns+=("./lib/modules/*/kernel/$m.ko")
        done
        rm -rf "$dir"
        mkdir -p "$dir"
        dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir" --wildcards "${patterns[@]}" \
            || die "cannot unpack the virtio-net modules from $deb"
        touch "$dir/.done"
    fi
    echo "$dir"
}

# Builds the tree in a scratch directory, then one cpio archive from it.
make_initramfs() {
    local out=$1 busybox=$2 portio=$3 modules=$4 root prog m
    root=$(mktemp -d "$CACHE/root.XXXXXX")
    mkdir -p "$root"/{bin,dev,proc,sys,tmp,root}
    cp "$busybox" "$root/bin/busybox"
    # Links made here, not by `busybox --install` at boot: boot time is measured.
    local applet
    for applet in $("$busybox" --list); do
        [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
    done
    cp "$HERE/guest-init" "$root/init"
    chmod 755 "$root/init"
    cp "$portio" "$root/bin/portio"
    for prog in "${adds[@]}"; do
        cp "$prog" "$root/bin/$(basename "$prog")"
    done
    if [ -n "$modules" ]; then
        mkdir -p "$root/lib/modules"
        for m in $VIRTIO_NET_MODULES; do
            cp "$modules"/lib/modules/*/kernel/"$m.ko" "$root/lib/modules/" \
                || die "the kernel package has no $m.ko"
            echo "${m##*/}.ko" >> "$root/lib/modules/order"
        done
    fi
    local tmp
    tmp=$(mktemp "$out.XXXXXX")
    (cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
        cpio --quiet -o -H newc -R 0:0 --reproducible) | gzip -9n > "$tmp"
    (cd "$root/bin" && ls -1) > "$tmp.contents"
    mv "$tmp.contents" "$out.contents"
    mv "$tmp" "$out"
    rm -rf "$root"
}

# Key: busybox version plus the hash of every file that goes in.
initramfs_key() {
    local busybox_version=$1 portio=$2 kpkg=$3
    {
        echo "$busybox_version"
        [ -z "$virtio_net" ] || echo "virtio-net $kpkg $VIRTIO_NET_MODULES"
        sha256sum "$HERE/guest-init" "$portio" | cut -d' ' -f1
        local prog
        for prog in "${adds[@]}"; do
            echo "$(basename "$prog") $(sha256sum < "$prog" | cut -d' ' -f1)"
        done
    } | sha256sum | cut -c1-16
}

main() {
    mkdir -p "$CACHE"
    parse_args "$@"
    # One build at a time: downloads, unpacking and the stable names are shared.
    exec 9> "$CACHE/.lock"
    if ! flock -n 9; then
        say "waiting for another build of the Linux guest"
        flock 9
    fi
    local prog
    for prog in "${adds[@]}"; do check_static "$prog"; done
    need_tool cpio cpio
    need_tool dpkg-deb dpkg
    need_tool gcc gcc

    local kpkg kversion bversion
    resolve_packages
    say "kernel $kpkg $kversion, busybox $bversion"
    fetch_deb "$kpkg" "$kversion"
    fetch_deb "$BUSYBOX_PKG" "$bversion"

    local kdir bdir vmlinuz
    kdir=$(unpack_deb "$(deb_path "$kpkg" "$kversion")" './boot/vmlinuz-*')
    bdir=$(unpack_deb "$(deb_path "$BUSYBOX_PKG" "$bversion")")
    vmlinuz=$(ls "$kdir"/boot/vmlinuz-* 2>/dev/null | head -n1)
    [ -n "$vmlinuz" ] || die "no /boot/vmlinuz-* in $kpkg"
    [ -x "$bdir/bin/busybox" ] || die "no /bin/busybox in $BUSYBOX_PKG"

    local portio="$CACHE/build/portio"
    build_if_stale "$portio" "$HERE/portio.c"

    local modules=
    [ -z "$virtio_net" ] || modules=$(virtio_net_dir "$(deb_path "$kpkg" "$kversion")")

    local key initramfs
    key=$(initramfs_key "$bversion" "$portio" "$kpkg")
    initramfs="$CACHE/initramfs-$key.cpio.gz"
    if [ -f "$initramfs" ] && [ -f "$initramfs.contents" ]; then
        say "cached initramfs $key"
    else
        say "packing initramfs $key (${#adds[@]} added program(s))"
        make_initramfs "$initramfs" "$bdir/bin/busybox" "$portio" "$modules"
    fi

    # Stable names for linux-run; the keyed files stay for the next switch back.
    ln -sfn "$vmlinuz" "$CACHE/vmlinuz"
    if [ -n "$keyed_only" ]; then
        echo "$kpkg $kversion" > "$CACHE/kernel-version"
        say "ready: $initramfs"
        echo "$initramfs"
        return 0
    fi
    ln -sfn "$(basename "$initramfs")" "$CACHE/initramfs.cpio.gz"
    ln -sfn "$(basename "$initramfs").contents" "$CACHE/initramfs.contents"
    echo "$kpkg $kversion" > "$CACHE/kernel-version"
    say "ready: $CACHE/vmlinuz ($(basename "$vmlinuz"))"
    say "ready: $CACHE/initramfs.cpio.gz ($(du -h "$initramfs" | cut -f1); /bin: $(
        printf '%s ' portio "${adds[@]##*/}")${virtio_net:+; virtio-net modules})"
    echo "$initramfs"
}

main "$@"
