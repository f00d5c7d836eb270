# net_bad.sh - the network's bad-input suite: malformed frames injected
# into a VM's network, more connections than the guest has sockets, and a
# peer that vanishes mid-transfer. Sourced by tests/run.sh, whose
# guest/pass/fail functions and $run, $logs, $build it uses.
#
# The serving VM runs tests/net/badnet.c (built here with bin/hermit-cc
# into $build/net-bad/) in the background with its own timeout, and is
# stopped by its PID if it outlives the case. Links are unix sockets in a
# private temporary directory (QEMU stream and dgram netdevs joined on a
# QEMU hub inside the server's QEMU) or QEMU's user network with
# restrict=on and forwards bound to 127.0.0.1 only. Each case removes its
# directory; no QEMU or helper outlives it.

nb_image=$build/net-bad/badnet.elf
nb_client=$build/net-client.elf

# Rebuilt when the source or the runtime libraries are newer.
nb_build() {
    local src=tests/net/badnet.c lib
    mkdir -p "$build/net-bad"
    local stale=0
    [ -f "$nb_image" ] || stale=1
    for lib in "$src" "$build"/lib/libhermit*.a; do
        [ "$lib" -nt "$nb_image" ] && stale=1
    done
    [ $stale -eq 0 ] && return 0
    HERMIT_BUILD=$(cd "$build" && pwd) bin/hermit-cc -O2 -Wall -Wextra -Werror "$src" \
        -o "$nb_image" > "$logs/net-bad-build.log" 2>&1
}

# nb_server_start NAME QEMU-NETDEV-ARGS... : the server VM in the background
# (sets nb_peer); waits up to 60 s for it to listen.
nb_server_start() {
    local name=$1
    shift
    : > "$logs/$name.server.log"    # before the job starts: the wait below reads it
    timeout 200 "$run" --timeout 180 "$@" "$nb_image" -- serve 60 \
        > "$logs/$name.server.log" 2>&1 &
    nb_peer=$!
    wait_for_line "$logs/$name.server.log" '^badnet: listening' "$nb_peer" 60
}

# nb_server_finish NAME : the server's own verdict (it leaves after "quit").
nb_server_finish() {
    local name=$1 waited=0
    while kill -0 "$nb_peer" 2>/dev/null && [ $waited -lt 20 ]; do
        sleep 0.5
        waited=$((waited + 1))
    done
    kill "$nb_peer" 2>/dev/null
    wait "$nb_peer"
    local rc=$?
    if [ $rc -eq 0 ] && grep -q '^ok server quit' "$logs/$name.server.log" &&
        ! grep -q '^FAIL' "$logs/$name.server.log"; then
        pass "$name.server"
    else
        fail "$name.server" "server VM exit status $rc"
        tail -n 8 "$logs/$name.server.log" | sed 's/^/    | /'
    fi
}

# The client VM on the stream link of DIR.
nb_client_args() {
    local dir=$1
    echo --kopt ip=10.0.0.2/24 --kopt hosts=server:10.0.0.1,client:10.0.0.2 \
        --qemu-arg=-netdev \
        --qemu-arg="stream,id=n0,server=off,addr.type=unix,addr.path=$dir/link.sock,reconnect-ms=100" \
        --qemu-arg=-device --qemu-arg="virtio-net-pci,netdev=n0,mac=52:54:00:00:01:02"
}

# --- a: malformed frames from a host-side injector ---------------------------
# Hub in the server's QEMU: its NIC, the stream link for the client VM, and
# a dgram port whose other end is tests/net/inject.py.
nb_inject() {
    local name=net-bad-inject dir
    dir=$(mktemp -d "${TMPDIR:-/tmp}/hermit-netbad.XXXXXX")
    if ! nb_server_start "$name" --kopt ip=10.0.0.1/24 \
        --qemu-arg=-netdev --qemu-arg=hubport,id=nic0,hubid=0 \
        --qemu-arg=-device --qemu-arg=virtio-net-pci,netdev=nic0,mac=52:54:00:00:01:01 \
        --qemu-arg=-netdev \
        --qemu-arg="stream,id=s0,server=on,addr.type=unix,addr.path=$dir/link.sock" \
        --qemu-arg=-netdev --qemu-arg=hubport,id=h1,hubid=0,netdev=s0 \
        --qemu-arg=-netdev \
        --qemu-arg="dgram,id=d0,local.type=unix,local.path=$dir/vm.sock,remote.type=unix,remote.path=$dir/inject.sock" \
        --qemu-arg=-netdev --qemu-arg=hubport,id=h2,hubid=0,netdev=d0; then
        fail "$name.server" "the server VM did not start listening"
        kill "$nb_peer" 2>/dev/null; wait "$nb_peer" 2>/dev/null
        rm -rf "$dir"
        return
    fi
    timeout 150 python3 tests/net/inject.py "$dir" --frames 1000 --seed $$ \
        > "$logs/$name.injector.log" 2>&1
    local rc=$?
    if [ $rc -eq 0 ] && grep -q '^inject: echo ok' "$logs/$name.injector.log"; then
        pass "$name.injector"
    else
        fail "$name.injector" "injector exit status $rc"
        tail -n 15 "$logs/$name.injector.log" | sed 's/^/    | /'
    fi
    grep -h 'frames sent' "$logs/$name.injector.log" | sed 's/^/    /'
    # shellcheck disable=SC2046
    guest "$name.then-echo" 0 $'^ok echo32\n^ok udp\n^0 failures' -- $(nb_client_args "$dir") \
        "$nb_client" -- server echo32 udp quit
    nb_server_finish "$name"
    rm -rf "$dir"
}

# --- b: more connections than the guest has sockets --------------------------
nb_conn_limit() {
    local name=net-bad-conn-limit port=$((20000 + ($$ + 7919) % 20000))
    local fwd="hostfwd=tcp:127.0.0.1:$port-10.0.2.15:7000,hostfwd=udp:127.0.0.1:$port-10.0.2.15:7001"
    if ! nb_server_start "$name" --kopt ip=10.0.2.15/24 \
        --qemu-arg=-netdev --qemu-arg="user,id=n0,net=10.0.2.0/24,restrict=on,$fwd" \
        --qemu-arg=-device --qemu-arg=virtio-net-pci,netdev=n0; then
        fail "$name.server" "the server VM did not start listening"
        kill "$nb_peer" 2>/dev/null; wait "$nb_peer" 2>/dev/null
        return
    fi
    timeout 200 python3 tests/net/conn_flood.py "$port" --max 400 \
        > "$logs/$name.log" 2>&1
    local rc=$?
    if [ $rc -eq 0 ] && grep -q '^flood: ok' "$logs/$name.log"; then
        pass "$name"
    else
        fail "$name" "flood client exit status $rc"
    fi
    grep -h '^flood: [0-9a]' "$logs/$name.log" | sed 's/^/    /'
    nb_server_finish "$name"
    grep -h 'accepts failed' "$logs/$name.server.log" | sed 's/^/    /'
}

# --- c: a peer that vanishes mid-transfer ------------------------------------
# The client VM streams both ways (server source 7004 -> client, client ->
# server sink 7005); its QEMU is killed; the server must report an error on
# both connections (keepalive 2 s idle, 1 s interval, 3 probes) in bounded time.
nb_vanish() {
    local name=net-bad-peer-vanish dir limit=30
    dir=$(mktemp -d "${TMPDIR:-/tmp}/hermit-netbad.XXXXXX")
    if ! nb_server_start "$name" --kopt ip=10.0.0.1/24 --qemu-arg=-netdev \
        --qemu-arg="stream,id=n0,server=on,addr.type=unix,addr.path=$dir/link.sock" \
        --qemu-arg=-device --qemu-arg="virtio-net-pci,netdev=n0,mac=52:54:00:00:01:01"; then
        fail "$name.server" "the server VM did not start listening"
        kill "$nb_peer" 2>/dev/null; wait "$nb_peer" 2>/dev/null
        rm -rf "$dir"
        return
    fi
    : > "$logs/$name.client.log"    # before the job starts: the wait below reads it
    # shellcheck disable=SC2046
    timeout 130 "$run" --timeout 120 $(nb_client_args "$dir") "$nb_image" -- vanish server \
        > "$logs/$name.client.log" 2>&1 &
    local victim=$! waited=0
    wait_for_line "$logs/$name.client.log" '^vanish-client: streaming' "$victim" 90
    local t0 t1
    t0=$(date +%s%N)
    kill "$victim" 2>/dev/null          # hermit-run stops its QEMU: frames just stop
    wait "$victim" 2>/dev/null
    waited=0
    while [ "$(grep -c '^vanish: ' "$logs/$name.server.log")" -lt 2 ] &&
        [ $waited -lt $((limit * 5)) ]; do
        sleep 0.2
        waited=$((waited + 1))
    done
    t1=$(date +%s%N)
    local secs=$(( (t1 - t0) / 1000000 ))
    if ! grep -q '^vanish-client: streaming' "$logs/$name.client.log"; then
        fail "$name" "the client never streamed"
    elif [ "$(grep -c '^vanish: ' "$logs/$name.server.log")" -ge 2 ]; then
        pass "$name"
    else
        fail "$name" "the server reported no error within $limit s of the kill"
    fi
    grep -h '^vanish: ' "$logs/$name.server.log" | sed 's/^/    /'
    echo "    host: both errors seen $((secs / 1000)).$(printf %03d $((secs % 1000))) s after the kill"
    # shellcheck disable=SC2046
    guest "$name.then-echo" 0 $'^ok echo32\n^0 failures' -- $(nb_client_args "$dir") \
        "$nb_client" -- server echo32 quit
    nb_server_finish "$name"
    rm -rf "$dir"
}

if nb_build; then
    pass net-bad-build
    nb_inject
    nb_conn_limit
    nb_vanish
else
    fail net-bad-build "bin/hermit-cc tests/net/badnet.c failed"
    tail -n 15 "$logs/net-bad-build.log" | sed 's/^/    | /'
fi
