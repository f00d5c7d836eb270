#!/usr/bin/env bash
# Installs the host packages HermitCore-C needs on a Debian 12 machine.
#
# Idempotent: checks each tool first and only touches apt when something is
# missing. QEMU must come from bookworm-backports because bookworm's QEMU 7.2
# cannot emulate x2APIC under TCG; deb-src entries are added because later
# layers fetch newlib, lwIP and MPICH with `apt-get source`.
set -euo pipefail

need=()
have() { command -v "$1" >/dev/null 2>&1; }

qemu_ok() {
    have qemu-system-x86_64 || return 1
    local major
    major=$(qemu-system-x86_64 --version | sed -n 's/^QEMU emulator version \([0-9]*\).*/\1/p')
    [ "${major:-0}" -ge 8 ]
}

have nasm        || need+=(nasm)
have gcc         || need+=(gcc)
have ld          || need+=(binutils)
have make        || need+=(make)
have python3     || need+=(python3)
have grub-file   || need+=(grub-common)
have grub-mkrescue || need+=(grub-common)
[ -d /usr/lib/grub/i386-pc ] || need+=(grub-pc-bin)
have xorriso     || need+=(xorriso)
have mformat     || need+=(mtools)
# cluster/hermit-image: one GPT disk booting through GRUB on BIOS and UEFI,
# built from files (sgdisk, mtools), checked (fsck.fat), converted
# (qemu-img); OVMF boots it in the tests. sbin may be off a user's PATH.
[ -d /usr/lib/grub/x86_64-efi ] || need+=(grub-efi-amd64-bin)
[ -f /usr/share/OVMF/OVMF_CODE_4M.fd ] || need+=(ovmf)
have sgdisk   || [ -x /usr/sbin/sgdisk ]   || need+=(gdisk)
have fsck.fat || [ -x /usr/sbin/fsck.fat ] || need+=(dosfstools)
have qemu-img    || need+=(qemu-utils)
have vde_switch  || need+=(vde2)
have cpio        || need+=(cpio)
# Host-side MPICH: only the launcher's tests use it (real PMI clients).
have mpicc       || need+=(mpich libmpich-dev)
have timeout     || need+=(coreutils)
# make bench draws its PNG plots with gnuplot (python3 may be a pyenv build
# that cannot import Debian's matplotlib); -nox: no X11 libraries.
have gnuplot     || need+=(gnuplot-nox)
qemu_ok && want_qemu=0 || want_qemu=1

if [ ${#need[@]} -eq 0 ] && [ $want_qemu -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing: ${need[*]}$([ $want_qemu -eq 1 ] && echo " qemu-system-x86 (>= 8)"); run as root or install them" >&2
    exit 1
fi

src=/etc/apt/sources.list.d/hermitcore-c.sources
if [ ! -f "$src" ]; then
    echo "install-deps: adding bookworm-backports and deb-src entries ($src)"
    cat > "$src" <<'SRC'
Types: deb deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi

echo "install-deps: apt-get update"
apt-get update -q
export DEBIAN_FRONTEND=noninteractive
if [ ${#need[@]} -gt 0 ]; then
    echo "install-deps: installing ${need[*]}"
    apt-get install -y -q --no-install-recommends "${need[@]}"
fi
if [ $want_qemu -eq 1 ]; then
    echo "install-deps: installing qemu-system-x86 from bookworm-backports"
    apt-get install -y -q --no-install-recommends -t bookworm-backports qemu-system-x86
fi
