# drivers.sh - in-guest tests of PCI, the virtio transports and
# virtio-net (tests/guest/ktest_net*.c). Sourced by tests/run.sh, whose
# guest/pass/fail functions and $run, $logs, $build it uses.
#
# Single-VM cases put the NIC on an isolated QEMU hub (no host network).
# Pair cases boot two VMs joined by a QEMU stream netdev on a unix socket
# in a private temporary directory: no IP address or port is involved,
# so parallel runs cannot collide. The echo VM runs in the background
# with its own timeout and is stopped (by its PID) if it outlives the
# pinging VM; its verdict counts as a test of its own (NAME.peer).
# Stream sockets rather than dgram ones: a unix datagram socket queues
# only net.unix.max_dgram_qlen (10) frames, and QEMU then stalls for
# milliseconds, which hides the driver's behaviour.

drv_image=$build/ktest_net.elf
drv_mac=52:54:00:12:34:56
drv_hub=(--qemu-arg=-netdev --qemu-arg=hubport,id=n0,hubid=0)

# drv_nic DEVICE OPTS: the arguments for one NIC on the hub.
drv_nic() {
    printf '%s\n' "${drv_hub[@]}" --qemu-arg=-device "--qemu-arg=$1,netdev=n0,mac=$drv_mac$2"
}

# drv_pair NAME MACHINE DEVICE-OPTS "MODE COUNT SIZE WINDOW" PATTERNS \
#          [RUN-ARGS...] [-- GUEST-ARGS...]
drv_pair() {
    local name=$1 machine=$2 opts=$3 shape=$4 patterns=$5
    shift 5
    local run_args=() guest_args=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do run_args+=("$1"); shift; done
    [ $# -gt 0 ] && shift
    guest_args=("$@")
    local dev=virtio-net-pci
    [ "$machine" = microvm ] && dev=virtio-net-device
    local dir
    dir=$(mktemp -d "${TMPDIR:-/tmp}/hermit-net.XXXXXX")
    local sock=$dir/link.sock
    local mode=${shape%% *}

    timeout 100 "$run" --timeout 90 --machine "$machine" "${run_args[@]}" \
        --qemu-arg=-netdev --qemu-arg="stream,id=n0,server=on,addr.type=unix,addr.path=$sock" \
        --qemu-arg=-device --qemu-arg="$dev,netdev=n0,mac=52:54:00:00:00:0b$opts" \
        "$drv_image" -- echo "$mode" "${guest_args[@]}" > "$logs/$name.peer.log" 2>&1 &
    local peer=$!
    # shellcheck disable=SC2086  # shape is four words on purpose
    guest "$name" 0 $'^ok ping\n'"$patterns" -- --machine "$machine" "${run_args[@]}" \
        --qemu-arg=-netdev \
        --qemu-arg="stream,id=n0,server=off,addr.type=unix,addr.path=$sock,reconnect-ms=100" \
        --qemu-arg=-device --qemu-arg="$dev,netdev=n0,mac=52:54:00:00:00:0a$opts" \
        "$drv_image" -- ping $shape "${guest_args[@]}"

    # The echo VM leaves after the goodbye; a failed ping leaves it waiting.
    local waited=0
    while kill -0 "$peer" 2>/dev/null && [ $waited -lt 20 ]; do
        sleep 0.5
        waited=$((waited + 1))
    done
    kill "$peer" 2>/dev/null
    wait "$peer"
    local rc=$?
    if [ $rc -eq 0 ] && grep -q '^ok echo' "$logs/$name.peer.log"; then
        pass "$name.peer"
    else
        fail "$name.peer" "echo VM exit status $rc"
    fi
    rm -rf "$dir"
}

# --- PCI enumeration -------------------------------------------------------
mapfile -t drv_nic_pci < <(drv_nic virtio-net-pci "")
drv_expect='^pci: [0-9]+ functions, access ports
^pci 00:00\.0 8086:1237
1af4:1000 class 02\.00\.00
^  msix: cap 0x[0-9a-f]+, 4 entries
^  virtio vendor capabilities: [1-9]
^  intx: gsi (5|9|10|11) flags 0xd
^ok pci'
guest drivers-pci-pc 0 "$drv_expect" \
    -- "${drv_nic_pci[@]}" "$drv_image" -- pci 8086:1237 8086:7000 1af4:1000
drv_expect='^pci: [0-9]+ functions, access ecam
^pci 00:00\.0 8086:29c0
1af4:10(00|41) class 02\.00\.00
^  intx: gsi 2[0-3] flags 0
^pci: ecam and ports agree on ([0-9]+) of \1 functions
^ok pci'
guest drivers-pci-q35-ecam 0 "$drv_expect" \
    -- --machine q35 "${drv_nic_pci[@]}" "$drv_image" -- pci 8086:29c0 8086:2918
mapfile -t drv_nic_bridged < <(drv_nic virtio-net-pci ",bus=br,addr=0")
drv_root_port=(--qemu-arg=-device --qemu-arg=pcie-root-port,id=br,bus=pcie.0,chassis=1,addr=5)
guest drivers-pci-q35-root-port 0 $'^pci 01:00\\.0 1af4:1041\n^  intx: gsi 2[0-3]\n^ok pci' \
    -- --machine q35 "${drv_root_port[@]}" "${drv_nic_bridged[@]}" \
    "$drv_image" -- pci 1b36:000c 1af4:1041
guest drivers-pci-pc-bridge 0 $'^pci 01:00\\.0 1af4:1000\n^ok pci' \
    -- --qemu-arg=-device --qemu-arg=pci-bridge,id=br,chassis_nr=1,addr=5 \
    "${drv_nic_bridged[@]}" "$drv_image" -- pci 1b36:0001 1af4:1000

# --- virtio-net bring-up: MAC from the command line, transport, interrupts --
guest vnet-up-pc-modern 0 $'transport pci-modern irq msix\nmrg_rxbuf yes event_idx yes\n^ok up' \
    -- "${drv_nic_pci[@]}" "$drv_image" -- up "$drv_mac" transport=pci-modern irq=msix
mapfile -t drv_nic_legacy < <(drv_nic virtio-net-pci ",disable-modern=on")
guest vnet-up-pc-legacy 0 $'transport pci-legacy irq msix\n^ok up' \
    -- "${drv_nic_legacy[@]}" "$drv_image" -- up "$drv_mac" transport=pci-legacy
guest vnet-up-q35-modern 0 '^ok up' \
    -- --machine q35 "${drv_nic_pci[@]}" "$drv_image" -- up "$drv_mac" transport=pci-modern
# qboot assigns no BARs: the kernel places bus 0's (drivers/pci_assign.c).
guest vnet-up-pc-qboot 0 $'pci: assigned [0-9]+ BARs the firmware left empty\n^ok up' \
    -- -v --firmware qboot "${drv_nic_pci[@]}" "$drv_image" -- up "$drv_mac" irq=msix
guest vnet-up-q35-qboot 0 $'pci: assigned [0-9]+ BARs the firmware left empty\n^ok up' \
    -- -v --machine q35 --firmware qboot "${drv_nic_pci[@]}" "$drv_image" -- up "$drv_mac"
mapfile -t drv_nic_intx < <(drv_nic virtio-net-pci ",vectors=0")
guest vnet-up-pc-intx 0 $'irq intx\n^ok up' \
    -- "${drv_nic_intx[@]}" "$drv_image" -- up "$drv_mac" irq=intx
mapfile -t drv_nic_mtu < <(drv_nic virtio-net-pci ",host_mtu=9000")
guest vnet-up-mtu-9000 0 $'mtu 9000\n^ok up' \
    -- "${drv_nic_mtu[@]}" "$drv_image" -- up "$drv_mac" mtu=9000
mapfile -t drv_nic_mmio < <(drv_nic virtio-net-device "")
guest vnet-up-microvm-mmio-v1 0 $'transport mmio-v1 irq gsi\n^ok up' \
    -- --machine microvm "${drv_nic_mmio[@]}" "$drv_image" -- up "$drv_mac" transport=mmio-v1
guest vnet-up-microvm-mmio-v2 0 $'transport mmio-v2 irq gsi\n^ok up' \
    -- --machine microvm --qemu-arg=-global --qemu-arg=virtio-mmio.force-legacy=false \
    "${drv_nic_mmio[@]}" "$drv_image" -- up "$drv_mac" transport=mmio-v2
# Without ACPI, microvm would name the device after "--" (Linux's
# convention); hermit-run turns that off and the scan finds it. A kernel
# option naming it works too.
drv_expect=$'command line "loglevel=info -- ktest_net.elf up [0-9a-f:]+"\ntransport mmio-v1\n^ok up'
guest vnet-up-microvm-no-acpi 0 "$drv_expect" \
    -- -v --machine microvm --no-acpi "${drv_nic_mmio[@]}" "$drv_image" -- up "$drv_mac"
guest vnet-up-microvm-kernel-option 0 $'vnet0: mmio 0xfeb00e00 mmio-v1\n^ok up' \
    -- -v --machine microvm --no-acpi --kopt virtio_mmio.device=512@0xfeb00e00:12 \
    "${drv_nic_mmio[@]}" "$drv_image" -- up "$drv_mac"
# Only kernel options name virtio-mmio devices: the same word among the
# program's arguments must not make the kernel probe an address (a fake
# register block in the image's data, found with nm).
drv_fake=$(nm "$drv_image" | awk '$3 == "ktest_fake_mmio" { print "0x" $1 }')
guest mmio-device-kernel-option 0 $'a device\n^ok mmio-fake' \
    -- --kopt "virtio_mmio.device=512@$drv_fake:5" "$drv_image" -- mmio-fake yes
guest mmio-device-program-argument-ignored 0 $'no device\n^ok mmio-fake' \
    -- "$drv_image" -- mmio-fake no "virtio_mmio.device=512@$drv_fake:5"
drv_expect=$'^refuse: feature negotiation failed, status 0x8[0-9a-f]\n^ok refuse'
guest vnet-refuse-unknown-feature 0 "$drv_expect" \
    -- "${drv_nic_pci[@]}" "$drv_image" -- refuse
guest vnet-wake-cross-cpu 0 $'^wake \\(irq\\): timeout timed out\n^wake \\(poll\\)\n^ok wake' \
    -- --smp 2 "${drv_nic_pci[@]}" "$drv_image" -- wake

# --- two VMs exchanging frames -----------------------------------------------
drv_pair net-pair-pc-msix-irq pc "" "irq 2000 1500 16" $'transport pci-modern irq msix mode irq'
drv_pair net-pair-pc-msix-poll pc "" "poll 2000 1500 16" $'mode poll\nirqs 0 \\(vector 0\\)'
drv_pair net-pair-pc-latency-irq pc "" "irq 1000 64 1" 'rtt us min'
drv_pair net-pair-pc-latency-poll pc "" "poll 1000 64 1" 'irqs 0 \(vector 0\)'
drv_pair net-pair-pc-legacy pc ",disable-modern=on" "irq 1000 1500 16" 'transport pci-legacy'
drv_pair net-pair-pc-legacy-split-header pc ",disable-modern=on,mrg_rxbuf=off,any_layout=off" \
    "irq 500 1500 8" 'transport pci-legacy'
drv_pair net-pair-q35-intx q35 ",vectors=0" "irq 1000 1500 16" 'irq intx mode irq'
drv_pair net-pair-q35-intx-behind-root-port q35 ",vectors=0,bus=br,addr=0" "irq 300 1500 8" \
    'irq intx mode irq' "${drv_root_port[@]}"
drv_pair net-pair-jumbo-mergeable q35 ",host_mtu=9000" "irq 500 9000 8" \
    $'mtu 9000\n0 dropped, [1-9][0-9]* merged buffers'
drv_pair net-pair-jumbo-no-merge q35 ",host_mtu=9000,mrg_rxbuf=off" "poll 500 9000 8" \
    $'mtu 9000\n0 dropped, 0 merged buffers'
drv_pair net-pair-smp-thread-on-cpu1 pc "" "irq 1000 1500 16" \
    $'on other cpus: 0; driving thread on cpu 1' --smp 2 -- cpu=1
drv_pair net-pair-microvm-mmio-v1 microvm "" "irq 1000 1500 16" 'transport mmio-v1 irq gsi'
drv_pair net-pair-microvm-mmio-v2-poll microvm "" "poll 1000 1500 16" 'transport mmio-v2' \
    --qemu-arg=-global --qemu-arg=virtio-mmio.force-legacy=false
