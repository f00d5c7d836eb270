#!/usr/bin/env bash
# vpc.sh -- an emulated cloud VPC on this one machine, for tests (issue 14:
# no cloud is reachable from here, so tests emulate one).
#
# A lab LAB is the network namespace hermit-vpc-LAB holding the bridge vpcbr0
# with the VPC's gateway 10.128.0.1/24 and the metadata server's address
# 169.254.169.254/32 (guests reach it through the gateway, as on GCE), a
# dnsmasq serving DHCP (10.128.0.10-250, fixed addresses per MAC) and DNS,
# and optionally metadata_server.py on 169.254.169.254:80. VMs run inside the
# namespace on taps of the bridge (instance.sh). See README.md beside this file.
#
# With --routed the lab is routed as GCE's VPC is: DHCP gives each instance a
# /32 (netmask 255.255.255.255, router 10.128.0.1, option 121 when asked:
# 10.128.0.1/32 on-link and 0.0.0.0/0 via 10.128.0.1, no broadcast option),
# the namespace forwards (ip_forward=1, send_redirects=0: no ICMP redirects)
# and the bridge's ports are isolated, so an instance reaches another only
# through the gateway: it ARPs for 10.128.0.1 alone, and ARP for a peer goes
# unanswered. The metadata server, too, is reached only through the gateway
# (ARP for 169.254.169.254 goes unanswered), as for Linux guests on GCE.
#
#   vpc.sh up LAB [--mtu N] [--no-dhcp] [--routed]   make the VPC (MTU 1460 like GCE)
#   vpc.sh down LAB                           remove everything of LAB; never fails
#   vpc.sh exec LAB CMD [ARG...]              run CMD in the VPC's namespace
#   vpc.sh add-instance LAB NAME MAC IP       DHCP gives MAC the address IP (and NAME)
#   vpc.sh tap LAB NAME                       make tap t-NAME on the bridge; print its name
#   vpc.sh untap LAB NAME                     remove tap t-NAME
#   vpc.sh metadata LAB FLAVOUR CONFIG [ARG...]  (re)start the metadata server
#   vpc.sh metadata LAB off                   stop it
#   vpc.sh client LAB NAME [MAC]              a Linux "instance" without a VM: namespace
#                                             hermit-vpc-LAB-NAME, eth0 on the bridge
#   vpc.sh leftovers LAB                      list what of LAB is still present
set -Eeuo pipefail

readonly STATE_ROOT=/run/hermit-vpc
readonly BRIDGE=vpcbr0
readonly SUBNET=10.128.0
readonly GATEWAY=$SUBNET.1
readonly METADATA_ADDR=169.254.169.254
readonly DHCP_FIRST=$SUBNET.10 DHCP_LAST=$SUBNET.250
# --routed: GCE's lease, a /32 whose gateway is on-link by option 121 (RFC 3442)
readonly HOST_NETMASK=255.255.255.255
readonly ROUTES_121=$GATEWAY/32,0.0.0.0,0.0.0.0/0,$GATEWAY
readonly MARK=HERMIT_VPC_LAB   # env var tagging every process `exec` starts
SELF=$(readlink -f "$0")
HERE=$(dirname "$SELF")
readonly SELF HERE

die() { echo "vpc.sh: $*" >&2; exit 1; }
# Any other failing command: one line naming it (once, from the main shell).
trap '[[ $BASH_SUBSHELL -gt 0 ]] || die "line $LINENO: \"$BASH_COMMAND\" failed"' ERR

# quietly CMD...: run CMD showing nothing; if it fails, die with its last line.
quietly() {
    local out
    out=$("$@" 2>&1) || die "$1 failed: $(tail -n1 <<<"$out")"
}

check_lab_name() {
    [[ $1 =~ ^[a-z][a-z0-9]{0,7}$ ]] || die "bad LAB name '$1' (want [a-z][a-z0-9]{0,7})"
}
check_name() {   # instance, tap and client names: t-NAME must fit IFNAMSIZ (15)
    [[ $1 =~ ^[a-z0-9][a-z0-9-]{0,12}$ ]] || die "bad NAME '$1' (want [a-z0-9][a-z0-9-]{0,12})"
}
check_mac() {
    [[ ${1,,} =~ ^[0-9a-f]{2}(:[0-9a-f]{2}){5}$ ]] || die "bad MAC '$1'"
    (( (16#${1:0:2} & 1) == 0 )) || die "MAC '$1' is a multicast address"
}
netns_of() { echo "hermit-vpc-$1"; }
state_of() { echo "$STATE_ROOT/$1"; }

check_up() {
    check_lab_name "$1"
    [[ -d $(state_of "$1") && -e /run/netns/$(netns_of "$1") ]] || die "lab '$1' is not up"
}

check_in_root_netns() {
    local ns
    ns=$(ip netns identify 2>/dev/null || true)
    [[ $ns != hermit-vpc-* ]] || die "run this from the root network namespace, not inside $ns"
}

# LAB's namespaces: the VPC's and its clients' (hermit-vpc-LAB-NAME).
lab_netns() {
    local n
    for n in $(ip netns list 2>/dev/null | cut -d' ' -f1); do
        [[ $n == "hermit-vpc-$1" || $n == "hermit-vpc-$1-"* ]] && echo "$n"
    done
    true
}

# lab_pids LAB: live processes in LAB's namespaces or started by `exec`
# (marked in their environment), except us and our ancestors.
lab_pids() {
    local ns pid self=" " p=$$
    while [[ $p -gt 1 ]]; do self+="$p "; p=$(awk '/^PPid:/{print $2}' /proc/"$p"/status 2>/dev/null || echo 0); done
    { for ns in $(lab_netns "$1"); do ip netns pids "$ns" 2>/dev/null; done
      grep -lzx -- "$MARK=$1" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3
    } | sort -un | while read -r pid; do
        [[ $self != *" $pid "* ]] && running "$pid" && echo "$pid"
    done; true
}

install_packages() {
    command -v dnsmasq >/dev/null && return 0
    export DEBIAN_FRONTEND=noninteractive
    local apt=(apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=300 dnsmasq-base)
    "${apt[@]}" >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 || true; quietly "${apt[@]}"; }
}

# start_dnsmasq LAB: DHCP and DNS on the bridge; fixed addresses from the
# lab's dhcp-hosts file (MAC,IP,NAME lines, read again on SIGHUP). Options
# such as the MTU (26) go only to clients that ask for them. A routed lab
# hands out a /32 instead of the /24 (the range keeps the /24: dnsmasq matches
# it to vpcbr0's address), no broadcast address (an option without data is
# not sent) and option 121, whose 0.0.0.0 next hop (on-link) dnsmasq keeps
# as it is in a route with a /prefix.
start_dnsmasq() {
    local lab=$1 state mtu lease32=()
    state=$(state_of "$lab")
    mtu=$(cat "$state/mtu")
    if is_routed "$lab"; then   # (28 is the broadcast address)
        # shellcheck disable=SC2054  # commas inside dnsmasq's options
        lease32=(--dhcp-option=option:netmask,"$HOST_NETMASK"
                 --dhcp-option=28
                 --dhcp-option=option:classless-static-route,"$ROUTES_121")
    fi
    env "$MARK=$lab" ip netns exec "$(netns_of "$lab")" dnsmasq \
        --conf-file=/dev/null --no-resolv --no-hosts \
        --pid-file="$state/dnsmasq.pid" --user=root --group=root \
        --bind-interfaces --interface="$BRIDGE" \
        --dhcp-range="$DHCP_FIRST,$DHCP_LAST,255.255.255.0,1h" \
        --dhcp-option=option:router,"$GATEWAY" \
        --dhcp-option=option:dns-server,"$GATEWAY" \
        --dhcp-option=option:mtu,"$mtu" \
        "${lease32[@]}" \
        --dhcp-hostsfile="$state/dhcp-hosts" \
        --dhcp-leasefile="$state/leases" \
        --dhcp-authoritative --no-ping --log-dhcp \
        --address=/metadata.google.internal/"$METADATA_ADDR" \
        --log-facility="$state/dnsmasq.log" \
        </dev/null >/dev/null 2>"$state/dnsmasq.err" ||
        die "dnsmasq failed to start: $(tail -n1 "$state/dnsmasq.err")"
    local pid
    pid=$(cat "$state/dnsmasq.pid" 2>/dev/null) && [[ -d /proc/$pid ]] || die "dnsmasq is not running"
}

# is_routed LAB: LAB was made with --routed.
is_routed() { [[ $(cat "$(state_of "$1")/routed" 2>/dev/null) == 1 ]]; }

# isolate_port LAB PORT: in a routed lab, PORT (a tap or a client's veth) may
# not talk to the other ports at layer 2, only to the bridge itself (the
# gateway): what one instance sends another goes through the gateway.
isolate_port() {
    is_routed "$1" || return 0
    quietly ip -n "$(netns_of "$1")" link set dev "$2" type bridge_slave isolated on
}

cmd_up() {
    [[ $# -ge 1 ]] || die "usage: vpc.sh up LAB [--mtu N] [--no-dhcp] [--routed]"
    local lab=$1 mtu=1460 dhcp=1 routed=0 state ns
    shift
    check_lab_name "$lab"
    while [[ $# -gt 0 ]]; do
        case $1 in
            --mtu) [[ $# -ge 2 && $2 =~ ^[0-9]+$ && $2 -ge 576 && $2 -le 9000 ]] ||
                       die "--mtu wants 576..9000"; mtu=$2; shift 2 ;;
            --no-dhcp) dhcp=0; shift ;;
            --routed) routed=1; shift ;;
            *) die "unknown option '$1'" ;;
        esac
    done
    [[ $EUID -eq 0 ]] || die "must run as root"
    check_in_root_netns
    state=$(state_of "$lab") ns=$(netns_of "$lab")
    [[ -e $state || -n $(lab_netns "$lab") ]] && die "lab '$lab' already exists (run: vpc.sh down $lab)"
    [[ $dhcp -eq 0 ]] || install_packages
    trap 'exit 130' INT TERM
    trap 'if [[ $? -ne 0 ]]; then teardown_lab "'"$lab"'" >/dev/null 2>&1; fi' EXIT

    mkdir -p "$STATE_ROOT" && mkdir -m 0700 "$state"
    echo "$mtu" >"$state/mtu"
    echo "$dhcp" >"$state/dhcp"
    echo "$routed" >"$state/routed"
    : >"$state/dhcp-hosts"

    quietly ip netns add "$ns"
    quietly ip -n "$ns" link set lo up
    # An IPv4-only VPC (GCE's default): no IPv6 on the bridge or the taps.
    quietly ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    if [[ $routed -eq 1 ]]; then
        # The gateway routes between instances, and sends no ICMP redirect
        # though the packet leaves by the bridge it came in on: it would name
        # a peer that a /32 instance cannot reach directly. "default" before
        # the bridge exists, so vpcbr0 inherits it (and is set below too).
        quietly ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 \
            net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.default.send_redirects=0
    fi
    quietly ip -n "$ns" link add "$BRIDGE" type bridge
    quietly ip -n "$ns" link set "$BRIDGE" mtu "$mtu"
    quietly ip -n "$ns" addr add "$GATEWAY/24" dev "$BRIDGE"
    if [[ $routed -eq 1 ]]; then
        # The metadata server is behind the gateway, not on the link: its
        # address sits on lo and the bridge answers ARP only for its own
        # (arp_ignore=1), so a guest that ARPs for 169.254.169.254 instead
        # of routing it through its gateway gets no answer.
        quietly ip -n "$ns" addr add "$METADATA_ADDR/32" dev lo
        quietly ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.arp_ignore=1
    else
        quietly ip -n "$ns" addr add "$METADATA_ADDR/32" dev "$BRIDGE"
    fi
    quietly ip -n "$ns" link set "$BRIDGE" up
    [[ $routed -eq 0 ]] || quietly ip netns exec "$ns" sysctl -qw net.ipv4.conf."$BRIDGE".send_redirects=0
    [[ $dhcp -eq 0 ]] || start_dnsmasq "$lab"
}

# running PID: PID is a process that has not ended (a zombie has).
running() { [[ -e /proc/$1 ]] && ! grep -q '^State:[[:space:]]*Z' /proc/"$1"/status 2>/dev/null; }

# stop_processes PID...: TERM, KILL after 1.5 s, and wait (5 s at most) until
# they have ended (their parent, not us, may reap them later).
stop_processes() {
    local pid i alive
    kill "$@" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        alive=()
        for pid; do ! running "$pid" || alive+=("$pid"); done
        [[ ${#alive[@]} -gt 0 ]] || return 0
        [[ $i -ne 15 ]] || kill -9 "${alive[@]}" 2>/dev/null || true
        sleep 0.1
    done
}

# teardown_lab LAB: remove whatever of LAB is present; never fails. Taps,
# veths and the bridge go with the namespaces.
teardown_lab() {
    local lab=$1 ns pids
    set +e; trap - ERR
    for _ in 1 2; do   # twice: a process may have forked while being stopped
        pids=$(lab_pids "$lab")
        [[ -z $pids ]] || stop_processes $pids
    done
    for ns in $(lab_netns "$lab"); do ip netns del "$ns" 2>/dev/null || true; done
    rm -rf "${STATE_ROOT:?}/$lab"
    rmdir "$STATE_ROOT" 2>/dev/null || true   # only if now empty
    true
}

cmd_down() {
    [[ $# -eq 1 ]] || die "usage: vpc.sh down LAB"
    check_lab_name "$1"
    check_in_root_netns
    teardown_lab "$1"
}

cmd_exec() {
    [[ $# -ge 2 ]] || die "usage: vpc.sh exec LAB CMD [ARG...]"
    check_up "$1"
    local lab=$1
    shift
    exec env "$MARK=$lab" ip netns exec "$(netns_of "$lab")" "$@"
}

cmd_add_instance() {
    [[ $# -eq 4 ]] || die "usage: vpc.sh add-instance LAB NAME MAC IP"
    local lab=$1 name=$2 mac=${3,,} ip=$4 state pid
    check_up "$lab"
    check_name "$name"
    check_mac "$mac"
    [[ $ip =~ ^10\.128\.0\.([0-9]{1,3})$ && ${BASH_REMATCH[1]} -ge 2 && ${BASH_REMATCH[1]} -le 254 ]] ||
        die "bad IP '$ip' (want $SUBNET.2 .. $SUBNET.254)"
    state=$(state_of "$lab")
    exec 9>>"$state/lock"
    flock 9   # one add-instance at a time: check, then append
    while IFS=, read -r m i n; do
        [[ $m != "$mac" ]] || die "MAC $mac is already instance '$n'"
        [[ $i != "$ip" ]] || die "address $ip is already instance '$n'"
        [[ $n != "$name" ]] || die "instance '$name' already exists"
    done <"$state/dhcp-hosts"
    echo "$mac,$ip,$name" >>"$state/dhcp-hosts"
    if pid=$(cat "$state/dnsmasq.pid" 2>/dev/null) && [[ -d /proc/$pid ]]; then
        kill -HUP "$pid"   # dnsmasq reads --dhcp-hostsfile again
    fi
}

tap_name() { echo "t-$1"; }

cmd_tap() {
    [[ $# -eq 2 ]] || die "usage: vpc.sh tap LAB NAME"
    local lab=$1 ns tap
    check_up "$lab"
    check_name "$2"
    ns=$(netns_of "$lab") tap=$(tap_name "$2")
    ! ip -n "$ns" link show "$tap" >/dev/null 2>&1 || die "tap $tap already exists in lab '$lab'"
    quietly ip -n "$ns" tuntap add dev "$tap" mode tap
    quietly ip -n "$ns" link set "$tap" mtu "$(cat "$(state_of "$lab")/mtu")" master "$BRIDGE" up
    isolate_port "$lab" "$tap"
    echo "$tap"
}

cmd_untap() {
    [[ $# -eq 2 ]] || die "usage: vpc.sh untap LAB NAME"
    check_lab_name "$1"
    check_name "$2"
    ip -n "$(netns_of "$1")" link del "$(tap_name "$2")" 2>/dev/null || true
}

stop_metadata() {
    local state pid
    state=$(state_of "$1")
    if pid=$(cat "$state/metadata.pid" 2>/dev/null) && running "$pid"; then
        stop_processes "$pid"
    fi
    rm -f "$state/metadata.pid"
}

cmd_metadata() {
    [[ $# -ge 2 ]] || die "usage: vpc.sh metadata LAB FLAVOUR CONFIG [ARG...] | vpc.sh metadata LAB off"
    local lab=$1 flavour=$2 config state pid i
    check_up "$lab"
    state=$(state_of "$lab")
    stop_metadata "$lab"
    [[ $flavour != off ]] || return 0
    [[ $flavour =~ ^(gce|ec2|openstack)$ ]] || die "bad FLAVOUR '$flavour' (want gce, ec2 or openstack)"
    [[ $# -ge 3 ]] || die "usage: vpc.sh metadata LAB FLAVOUR CONFIG [ARG...]"
    config=$(readlink -f "$3") && [[ -f $config ]] || die "no config file '$3'"
    shift 3
    echo "== $(date +%T) $flavour $config $*" >>"$state/metadata.log"
    rm -f "$state/metadata.out"
    env "$MARK=$lab" ip netns exec "$(netns_of "$lab")" setsid "${PYTHON:-python3}" \
        "$HERE/metadata_server.py" --flavour "$flavour" --config "$config" \
        --listen "$METADATA_ADDR:80" --mtu "$(cat "$state/mtu")" "$@" \
        </dev/null >"$state/metadata.out" 2>>"$state/metadata.log" &
    pid=$!
    echo "$pid" >"$state/metadata.pid"
    for ((i = 0; i < 100; i++)); do   # up to 10 s for "listening on ..."
        grep -q '^listening on ' "$state/metadata.out" 2>/dev/null && return 0
        running "$pid" || die "metadata server failed: $(tail -n1 "$state/metadata.log")"
        sleep 0.1
    done
    die "metadata server did not start listening within 10 s"
}

cmd_client() {
    [[ $# -ge 2 && $# -le 3 ]] || die "usage: vpc.sh client LAB NAME [MAC]"
    local lab=$1 name=$2 mac=${3:-} ns cns peer
    check_up "$lab"
    check_name "$name"
    [[ -z $mac ]] || check_mac "$mac"
    ns=$(netns_of "$lab") cns=$(netns_of "$lab")-$name peer=c-$name
    [[ ! -e /run/netns/$cns ]] || die "client '$name' already exists in lab '$lab'"
    quietly ip netns add "$cns"
    quietly ip -n "$cns" link set lo up
    quietly ip -n "$ns" link add "$peer" type veth peer name eth0 netns "$cns"
    quietly ip -n "$ns" link set "$peer" mtu "$(cat "$(state_of "$lab")/mtu")" master "$BRIDGE" up
    isolate_port "$lab" "$peer"
    [[ -z $mac ]] || quietly ip -n "$cns" link set eth0 address "$mac"
    quietly ip -n "$cns" link set eth0 up
    echo "$cns"
}

cmd_leftovers() {
    [[ $# -eq 1 ]] || die "usage: vpc.sh leftovers LAB"
    check_lab_name "$1"
    local lab=$1 x out
    out=$(
        for x in $(lab_netns "$lab"); do echo "netns $x"; done
        for x in $(lab_pids "$lab"); do echo "process $x $(tr '\0' ' ' </proc/"$x"/cmdline 2>/dev/null)"; done
        [[ ! -e $STATE_ROOT/$lab ]] || echo "file $STATE_ROOT/$lab"
    )
    [[ -z $out ]] && return 0
    echo "$out"
    exit 1
}

main() {
    [[ $# -ge 1 ]] || die "usage: vpc.sh up|down|exec|add-instance|tap|untap|metadata|client|leftovers LAB ..."
    local cmd=$1
    shift
    case $cmd in
        up | down | exec | tap | untap | metadata | client | leftovers) "cmd_$cmd" "$@" ;;
        add-instance) cmd_add_instance "$@" ;;
        *) die "unknown command '$cmd'" ;;
    esac
}

main "$@"
