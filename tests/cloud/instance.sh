#!/usr/bin/env bash
# instance.sh -- boot a cloud instance: a QEMU VM from a disk image (no
# -kernel), inside the VPC lab LAB (vpc.sh) on a fresh tap of its bridge.
#
#   instance.sh LAB NAME --disk DISK --firmware bios|uefi [--mac MAC]
#               [--mem 256M] [--cpus 1] --timeout S --serial LOG
#
# bios: -machine pc (SeaBIOS); uefi: -machine q35 with OVMF (read-only code,
# a private copy of the variables). The disk (raw or qcow2, detected) is
# opened with snapshot=on, so instances can share one image. One virtio-net
# NIC without an option ROM (no iPXE). No isa-debug-exit: as on a cloud, the
# guest ends by powering off through ACPI, and QEMU then exits 0.
#
# MAC: --mac, else the one `vpc.sh add-instance LAB NAME ...` recorded, else
# one derived from NAME. Runs QEMU under `timeout S` (exit 124 if it ran out),
# prints QEMU's exit status on stdout and exits with it; removes its tap
# afterwards. Meant to run in the background too: `instance.sh ... &`; a TERM
# or INT stops the VM, cleans up and reports 143 or 130.
set -Eeuo pipefail

readonly STATE_ROOT=/run/hermit-vpc
readonly OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
readonly OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
SELF=$(readlink -f "$0")
readonly VPC=${SELF%/*}/vpc.sh

die() { echo "instance.sh: $*" >&2; exit 2; }
usage() { die "usage: instance.sh LAB NAME --disk DISK --firmware bios|uefi [--mac MAC] [--mem 256M] [--cpus 1] --timeout S --serial LOG"; }

[[ $# -ge 2 ]] || usage
lab=$1 name=$2
shift 2
disk='' firmware='' mac='' mem=256M cpus=1 seconds='' serial=''
while [[ $# -gt 0 ]]; do
    [[ $# -ge 2 ]] || usage
    case $1 in
        --disk) disk=$2 ;;
        --firmware) firmware=$2 ;;
        --mac) mac=${2,,} ;;
        --mem) mem=$2 ;;
        --cpus) cpus=$2 ;;
        --timeout) seconds=$2 ;;
        --serial) serial=$2 ;;
        *) usage ;;
    esac
    shift 2
done
[[ -n $disk && -n $firmware && -n $seconds && -n $serial ]] || usage
[[ $lab =~ ^[a-z][a-z0-9]{0,7}$ && -d $STATE_ROOT/$lab ]] || die "lab '$lab' is not up"
[[ $name =~ ^[a-z0-9][a-z0-9-]{0,12}$ ]] || die "bad NAME '$name' (want [a-z0-9][a-z0-9-]{0,12})"
[[ -f $disk && -r $disk ]] || die "no disk image '$disk'"
[[ $firmware =~ ^(bios|uefi)$ ]] || die "--firmware wants bios or uefi"
[[ $mem =~ ^[1-9][0-9]*[MG]?$ ]] || die "bad --mem '$mem'"
[[ $cpus =~ ^[1-9][0-9]?$ ]] || die "bad --cpus '$cpus'"
[[ $seconds =~ ^[1-9][0-9]*$ ]] || die "bad --timeout '$seconds' (seconds)"
disk=$(readlink -f "$disk")
serial=$(readlink -f "$serial")
[[ -d ${serial%/*} ]] || die "no directory for the serial log '$serial'"

if [[ -z $mac ]]; then
    mac=$(awk -F, -v n="$name" '$3 == n {print $1}' "$STATE_ROOT/$lab/dhcp-hosts" 2>/dev/null || true)
fi
if [[ -z $mac ]]; then   # locally administered, stable per NAME
    mac=$(printf '%s' "$name" | md5sum | sed -E 's/^(..)(..)(..).*/52:54:01:\1:\2:\3/')
fi
[[ $mac =~ ^[0-9a-f]{2}(:[0-9a-f]{2}){5}$ ]] || die "bad MAC '$mac'"

# raw or qcow2, from the image's first bytes (QEMU refuses to guess for raw).
if [[ $(head -c 4 "$disk" | od -An -tx1 | tr -d ' \n') == 514649fb ]]; then
    format=qcow2
else
    format=raw
fi

vars=''
tap=''
cleanup() {
    [[ -z $tap ]] || "$VPC" untap "$lab" "$name" 2>/dev/null || true
    [[ -z $vars ]] || rm -f "$vars"
}
trap cleanup EXIT
# A TERM or INT stops QEMU (through timeout, which passes it on) and makes us
# report 128+signal: QEMU itself ends with 0 on a TERM.
child='' stopped=''
stop() { stopped=$1; [[ -z $child ]] || kill -TERM "$child" 2>/dev/null || true; }
trap 'stop 143' TERM
trap 'stop 130' INT

machine=(-machine pc)
if [[ $firmware == uefi ]]; then
    [[ -r $OVMF_CODE && -r $OVMF_VARS ]] || die "OVMF is not installed (apt-get install ovmf)"
    vars=$(mktemp "$STATE_ROOT/$lab/ovmf-vars-$name.XXXXXX")
    cp "$OVMF_VARS" "$vars"
    machine=(-machine q35
             -drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_CODE"
             -drive "if=pflash,format=raw,unit=1,file=$vars")
fi

tap=$("$VPC" tap "$lab" "$name") || { tap=; die "cannot make the tap for '$name'"; }

# shellcheck disable=SC2054  # commas inside QEMU options
qemu=(qemu-system-x86_64 -name "$name"
      "${machine[@]}"
      -accel tcg,thread=multi -cpu max -m "$mem" -smp "$cpus"
      -drive "file=$disk,format=$format,if=virtio,snapshot=on"
      -netdev "tap,id=net0,ifname=$tap,script=no,downscript=no"
      -device "virtio-net-pci,netdev=net0,mac=$mac,romfile="
      -display none -monitor none -parallel none
      -serial "file:$serial" -no-reboot)

# QEMU runs inside the VPC's namespace (vpc.sh exec execs into it), under timeout.
if [[ -n $stopped ]]; then echo "$stopped"; exit "$stopped"; fi
set +e
timeout -k 5 "$seconds" "$VPC" exec "$lab" "${qemu[@]}" </dev/null &
child=$!
# wait returns >128 when a trapped signal interrupts it: wait again until the
# child has ended; bash keeps its status for the last wait.
while kill -0 "$child" 2>/dev/null; do wait "$child"; done
wait "$child"
rc=$?
[[ -z $stopped ]] || rc=$stopped
set -e
echo "$rc"
exit "$rc"
