#!/usr/bin/env bash
# build.sh - builds lwIP 2.1.3, HermitCore-C's TCP/IP stack, from Debian's
# `lwip` source package (2.1.3+dfsg1-2) into a cache outside the repository.
#
#   LWIP_CFLAGS="..." net/lwip/build.sh     build if needed, print the prefix
#
# The last line on stdout is the prefix; progress goes to stderr. The prefix
# is ${HERMIT_CACHE:-~/.cache/hermitcore-c}/lwip-2.1.3-<key>/:
#   src/include/   lwIP's headers (the upstream tree plus our patches)
#   lib/liblwip.a  the stack: IPv4, TCP, UDP, raw, sockets, netconn, DHCP
#   BUILD-INFO     the inputs the key was computed from
# <key> hashes the package version and checksum, LWIP_CFLAGS, the compiler
# version, the list of compiled files and our port headers (net/include,
# and libc/include, whose <sys/select.h> sets FD_SETSIZE),
# which configure lwIP at compile time. Only the ~30 files the port needs
# are compiled (a few seconds); Debian's patches touch the PPP code, their
# own port and opt.h options we do not use, so none is applied. Ours,
# net/lwip/patches/*.patch, are applied in name order and are part of the key.
#
# Environment: LWIP_CFLAGS (required: the C library glue's flags plus
# -I net/include), HERMIT_CACHE (cache root), LWIP_JOBS (parallel compiles).
set -Eeuo pipefail
trap 'echo "lwip: error: line $LINENO: $BASH_COMMAND failed" >&2' ERR

HERE=$(cd "$(dirname "$0")" && pwd)
PORT_INCLUDE=$(cd "$HERE/../include" && pwd)
LWIP_VERSION=2.1.3
DEB_PKG=lwip
DEB_VERSION=2.1.3+dfsg1-2
ORIG_TARBALL=lwip_2.1.3+dfsg1.orig.tar.xz
PINNED_SHA_FILE=$HERE/lwip.sha256
PATCH_DIR=$HERE/patches
RECIPE_REVISION=1
CACHE_ROOT=${HERMIT_CACHE:-$HOME/.cache/hermitcore-c}
JOBS=${LWIP_JOBS:-4}

# What the port uses: IPv4 only, no PPP, no apps.
SOURCES=(
    api/api_lib.c api/api_msg.c api/err.c api/netbuf.c api/sockets.c api/tcpip.c
    core/def.c core/dns.c core/inet_chksum.c core/init.c core/ip.c core/mem.c core/memp.c
    core/netif.c core/pbuf.c core/raw.c core/stats.c core/sys.c core/tcp.c
    core/tcp_in.c core/tcp_out.c core/timeouts.c core/udp.c
    core/ipv4/autoip.c core/ipv4/dhcp.c core/ipv4/etharp.c core/ipv4/icmp.c
    core/ipv4/igmp.c core/ipv4/ip4.c core/ipv4/ip4_addr.c core/ipv4/ip4_frag.c
    netif/ethernet.c
)

say() { echo "lwip: $*" >&2; }
die() { say "error: $*"; exit 1; }

pinned_sha() {
    local sha file
    read -r sha file < "$PINNED_SHA_FILE" || true
    [ "$file" = "$ORIG_TARBALL" ] || die "$PINNED_SHA_FILE pins '$file', not $ORIG_TARBALL"
    [[ "$sha" =~ ^[0-9a-f]{64}$ ]] || die "$PINNED_SHA_FILE: not a SHA-256: $sha"
    echo "$sha"
}

key_inputs() {
    echo "recipe $RECIPE_REVISION"
    echo "package $DEB_PKG $DEB_VERSION sha256 $(pinned_sha)"
    echo "cflags $LWIP_CFLAGS"
    echo "gcc $(gcc -dumpfullversion) $(gcc -dumpmachine)"
    echo "sources ${SOURCES[*]}"
    local h
    while IFS= read -r h; do
        echo "port ${h#"$PORT_INCLUDE"/} $(sha256sum < "$h" | cut -d' ' -f1)"
    done < <(find "$PORT_INCLUDE" "$HERE/../../libc/include" -name '*.h' | LC_ALL=C sort)
    local p
    for p in "$PATCH_DIR"/*.patch; do
        [ -e "$p" ] || continue
        echo "patch $(basename "$p") $(sha256sum < "$p" | cut -d' ' -f1)"
    done
}

# Applies our patches, in name order, to the unpacked tree in $1.
apply_patches() {
    local tree=$1 p
    for p in "$PATCH_DIR"/*.patch; do
        [ -e "$p" ] || continue
        say "applying $(basename "$p")"
        patch -p1 -N --no-backup-if-mismatch -s -d "$tree" -i "$p" >&2 \
            || die "$(basename "$p") does not apply to lwIP $LWIP_VERSION"
    done
}

# Leaves the verified tarball in $CACHE_ROOT/downloads/.
fetch_tarball() {
    local dir=$CACHE_ROOT/downloads expected
    expected=$(pinned_sha)
    mkdir -p "$dir"
    if [ -f "$dir/$ORIG_TARBALL" ] &&
       [ "$(sha256sum < "$dir/$ORIG_TARBALL" | cut -d' ' -f1)" = "$expected" ]; then
        return 0
    fi
    say "fetching $DEB_PKG $DEB_VERSION with apt-get source"
    local tmp
    tmp=$(mktemp -d "$dir/lwip.XXXXXX")
    if ! (cd "$tmp" && apt-get source -q --download-only "$DEB_PKG=$DEB_VERSION" >&2); then
        [ "$(id -u)" -eq 0 ] || die "apt-get source $DEB_PKG failed; run 'apt-get update' as root (deb-src from scripts/install-deps.sh)"
        say "apt-get source failed; running apt-get update once"
        apt-get update -q >&2 || die "apt-get update failed"
        (cd "$tmp" && apt-get source -q --download-only "$DEB_PKG=$DEB_VERSION" >&2) \
            || die "apt-get source $DEB_PKG=$DEB_VERSION failed (is there a deb-src entry for bookworm?)"
    fi
    local actual
    actual=$(sha256sum < "$tmp/$ORIG_TARBALL" | cut -d' ' -f1)
    [ "$actual" = "$expected" ] || die "$ORIG_TARBALL has SHA-256 $actual, $PINNED_SHA_FILE pins $expected"
    mv "$tmp/$ORIG_TARBALL" "$dir/$ORIG_TARBALL"
    rm -rf "$tmp"
}

build() {
    local work=$PREFIX.work start=$SECONDS
    rm -rf "$work"
    mkdir -p "$work/obj" "$work/lib"
    fetch_tarball
    say "unpacking $ORIG_TARBALL"
    tar -xJf "$CACHE_ROOT/downloads/$ORIG_TARBALL" -C "$work" --strip-components=1 \
        lwip-$LWIP_VERSION/src
    [ -f "$work/src/core/tcp.c" ] || die "$ORIG_TARBALL holds no lwIP source tree"
    command -v patch >/dev/null || die "'patch' not found: apt-get install patch"
    apply_patches "$work"
    say "compiling ${#SOURCES[@]} files (-j$JOBS)"
    local flags
    # shellcheck disable=SC2206  # LWIP_CFLAGS is a list of words on purpose
    flags=($LWIP_CFLAGS -I"$work/src/include")
    local s o pids=() failed=0
    for s in "${SOURCES[@]}"; do
        o=$work/obj/$(echo "${s%.c}" | tr / _).o
        gcc "${flags[@]}" -c -o "$o" "$work/src/$s" 2>> "$work/build.log" &
        pids+=($!)
        if [ ${#pids[@]} -ge "$JOBS" ]; then
            wait "${pids[0]}" || failed=1
            pids=("${pids[@]:1}")
        fi
    done
    for s in "${pids[@]}"; do wait "$s" || failed=1; done
    if [ $failed -ne 0 ]; then
        tail -n 30 "$work/build.log" >&2
        die "compiling lwIP failed (log: $work/build.log)"
    fi
    ar rcs "$work/lib/liblwip.a" "$work"/obj/*.o
    echo "$KEY_INPUTS" > "$work/BUILD-INFO"
    rm -rf "$work/obj" "$PREFIX"
    mv "$work" "$PREFIX"
    say "done in $((SECONDS - start)) s"
}

main() {
    [ -n "${LWIP_CFLAGS:-}" ] || die "LWIP_CFLAGS is not set (run through make)"
    KEY_INPUTS=$(key_inputs)
    PREFIX=$CACHE_ROOT/lwip-$LWIP_VERSION-$(echo "$KEY_INPUTS" | sha256sum | cut -c1-12)
    if [ ! -f "$PREFIX/lib/liblwip.a" ]; then
        mkdir -p "$CACHE_ROOT"
        exec 9> "$CACHE_ROOT/lwip.lock"
        flock 9
        [ -f "$PREFIX/lib/liblwip.a" ] || build
    fi
    echo "$PREFIX"
}

main "$@"
