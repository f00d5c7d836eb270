# net.sh - the network suite: lwIP sockets between two VMs and to the host
# (tests/net/*.c). Sourced by tests/run.sh, whose guest/pass/fail
# functions and $run, $logs, $build it uses.
#
# Two-VM cases join the VMs with a QEMU stream netdev on a unix socket in
# a private temporary directory: the guests' addresses (10.0.0.1, .2)
# exist only on that link, and no host address or port is involved. The
# server VM runs in the background with its own timeout and is stopped by
# its PID if it outlives the client; its verdict is a test of its own
# (NAME.server). The slirp case lets a guest reach a host program on
# 127.0.0.1 through QEMU's user network (10.0.2.2 is the host's loopback
# there); its port comes from $$ so parallel runs do not collide.

net_server=$build/net-server.elf
net_client=$build/net-client.elf

# net_pair NAME PATTERNS [--stats] CHECKS... : server VM + client VM
# running CHECKS; --stats boots both with the kernel option `stats`, and
# the server's verdict then also wants its network counters.
net_pair() {
    local name=$1 patterns=$2 kopts=() server_wants='^ok server quit'
    shift 2
    if [ "${1:-}" = --stats ]; then
        kopts=(--kopt stats)
        server_wants='^hermit-stats: tcp out [1-9]'
        shift
    fi
    local dir
    dir=$(mktemp -d "${TMPDIR:-/tmp}/hermit-net.XXXXXX")
    local sock=$dir/link.sock

    : > "$logs/$name.server.log"    # before the job starts: the wait below reads it
    timeout 130 "$run" --timeout 120 "${kopts[@]}" --kopt ip=10.0.0.1/24 --kopt hostname=server \
        --qemu-arg=-netdev --qemu-arg="stream,id=n0,server=on,addr.type=unix,addr.path=$sock" \
        --qemu-arg=-device --qemu-arg="virtio-net-pci,netdev=n0,mac=52:54:00:00:01:01" \
        "$net_server" > "$logs/$name.server.log" 2>&1 &
    local peer=$!
    # The client starts once the server listens: a loaded host may boot
    # the server last, and connects to a port nobody listens on are reset.
    # A server that never listens fails the client's checks and its own.
    wait_for_line "$logs/$name.server.log" '^server: listening' "$peer" 60
    guest "$name" 0 "$patterns" -- "${kopts[@]}" --kopt ip=10.0.0.2/24 --kopt hosts=server:10.0.0.1,client:10.0.0.2 \
        --qemu-arg=-netdev \
        --qemu-arg="stream,id=n0,server=off,addr.type=unix,addr.path=$sock,reconnect-ms=100" \
        --qemu-arg=-device --qemu-arg="virtio-net-pci,netdev=n0,mac=52:54:00:00:01:02" \
        "$net_client" -- server "$@" quit

    # The server leaves after "quit"; a failed client may leave it waiting.
    local waited=0
    while kill -0 "$peer" 2>/dev/null && [ $waited -lt 20 ]; do
        sleep 0.5
        waited=$((waited + 1))
    done
    kill "$peer" 2>/dev/null
    wait "$peer"
    local rc=$?
    if [ $rc -eq 0 ] && grep -q '^ok server quit' "$logs/$name.server.log" &&
       grep -Eq "$server_wants" "$logs/$name.server.log"; then
        pass "$name.server"
    else
        fail "$name.server" "server VM exit status $rc"
    fi
    rm -rf "$dir"
}

net_pair net-names-icmp-udp $'^ok names\n^ok ping\n^ok udp\n^0 failures' names ping udp
# 32 connects in one burst to a peer not yet in the ARP table, on a link
# that loses nothing: none of the SYNs may need a retransmission (lwIP's
# ARP queue once kept 3 frames per peer; the other 29 SYNs waited 3 s).
net_pair net-tcp-echo-32-connections $'^ok echo32\n^0 failures\n^hermit-stats: tcp out .* rto 0 drop' \
    --stats echo32
net_pair net-mpich-pattern $'^ok mpich\n^0 failures' mpich
net_pair net-refused-and-reset $'^ok refused\n^ok reset\n^0 failures' refused reset
net_pair net-bulk-64MiB-and-latency $'^ok bulk\n^bulk: 64 MiB\n^ok latency\n^0 failures' bulk latency
grep -h '^\(bulk\|latency\):' "$logs/net-bulk-64MiB-and-latency.log" 2>/dev/null | sed 's/^/    /'

# The exit report's network lines: frames and TCP segments both ways, and
# the reset the client received counted as one.
net_pair net-kernel-stats-counters $'^ok reset\n^0 failures\n^hermit-stats: net vnet0 rx [1-9][0-9]* rx-bytes [1-9][0-9]* rx-dropped [0-9]+ rx-nomem [0-9]+ .* tx [1-9][0-9]* tx-bytes [1-9][0-9]* tx-busy [0-9]+ tx-overflow [0-9]+ kicks [1-9][0-9]* rekicks [0-9]+ irqs [0-9]+\n^hermit-stats: tcp out [1-9][0-9]* in [1-9][0-9]* xmit [1-9][0-9]* rexmit-fast [0-9]+ rto [0-9]+ drop [0-9]+ chkerr 0 .* aborted [0-9]+ reset [1-9]' \
    --stats reset

# A guest without ip= has no network: sockets fail cleanly, nothing crashes.
guest net-no-ip-enetdown 2 'FAIL UDP socket \(errno [0-9]+: Network interface is not configured' -- "$net_client" -- 10.0.0.1 udp

# slirp: DHCP from QEMU's user network, then a host program on loopback.
net_port=$((20000 + $$ % 20000))
python3 tests/net/host_pong.py "$net_port" 60 > "$logs/net-slirp-host.host.log" 2>&1 &
net_host=$!
sleep 0.5
guest net-slirp-dhcp-to-host 0 $'^interface vnet0 10\\.0\\.2\\.15\n^ok host\n^0 failures' \
    -- --kopt ip=dhcp --qemu-arg=-netdev --qemu-arg="user,id=n0,net=10.0.2.0/24" \
    --qemu-arg=-device --qemu-arg="virtio-net-pci,netdev=n0" \
    "$net_client" -- 10.0.2.2 names host "$net_port"
kill "$net_host" 2>/dev/null
wait "$net_host" 2>/dev/null
