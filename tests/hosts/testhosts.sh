#!/usr/bin/env bash
# testhosts.sh -- simulate cluster machines ("test hosts") on this one machine.
#
# A lab LAB is a head node and hosts h1..hN, each a network namespace LAB-NODE
# with its own address, UTS hostname, /etc/hosts, /etc/ssh and OpenSSH sshd,
# all joined by the bridge LAB-dc in the root namespace ("the datacenter"), so
# that `ssh h2 hostname` and `mpiexec.hydra -f hostfile` work as on real
# machines. See README.md beside this file.
#
#   testhosts.sh up LAB N                   make head + h1..hN
#   testhosts.sh down LAB                   remove everything of LAB
#   testhosts.sh exec LAB NODE CMD [ARG...] run CMD on NODE (head or hI)
#   testhosts.sh cut LAB NODE               cut NODE's uplink ("host dies")
#   testhosts.sh leftovers LAB              list what of LAB is still present
#   testhosts.sh addr LAB NODE              print NODE's IPv4 address
set -Eeuo pipefail

readonly STATE_ROOT=/run/hermit-testhosts
readonly SUBNET=10.201.0   # same for every lab: labs share no L2 segment
readonly MARK=HERMIT_TESTHOSTS_LAB   # env var tagging every process `exec` starts
readonly MAX_HOSTS=200
SELF=$(readlink -f "$0")
readonly SELF

die() { echo "testhosts.sh: $*" >&2; exit 1; }
# Any other failing command: one line naming it (once, from the main shell).
trap '[[ $BASH_SUBSHELL -gt 0 ]] || die "line $LINENO: \"$BASH_COMMAND\" failed"' ERR

# quietly CMD...: run CMD showing nothing; if it fails, die with its last line.
quietly() {
    local out
    out=$("$@" 2>&1) || die "$1 failed: $(tail -n1 <<<"$out")"
}

check_lab_name() {
    [[ $1 =~ ^[a-z][a-z0-9]{0,5}$ ]] || die "bad LAB name '$1' (want [a-z][a-z0-9]{0,5})"
}

node_addr() {  # head -> .1, hI -> .(10+I)
    if [[ $1 == head ]]; then echo "$SUBNET.1"; else echo "$SUBNET.$((10 + ${1#h}))"; fi
}

# check_node LAB NODE: die unless NODE is a node of the running lab LAB.
check_node() {
    check_lab_name "$1"
    [[ -d $STATE_ROOT/$1 ]] || die "lab '$1' is not up"
    [[ $2 =~ ^(head|h[1-9][0-9]*)$ && -e /run/netns/$1-$2 ]] || die "no node '$2' in lab '$1'"
}

# up, down, cut and leftovers handle links of the root network namespace.
check_in_root_netns() {
    local ns
    ns=$(ip netns identify 2>/dev/null || true)
    [[ ! $ns =~ ^[a-z][a-z0-9]{0,5}-(head|h[0-9]+)$ ]] || die "run this from the root network namespace, not inside node $ns"
}

# Names of LAB's namespaces, links and /etc/netns entries: LAB-dc, LAB-head, LAB-hI.
is_lab_name() { [[ $2 =~ ^$1-(dc|head|h[0-9]+)$ ]]; }
lab_netns() { local n; for n in $(ip netns list 2>/dev/null | cut -d' ' -f1); do is_lab_name "$1" "$n" && echo "$n"; done; true; }
lab_links() { local n; for n in /sys/class/net/*; do is_lab_name "$1" "${n##*/}" && echo "${n##*/}"; done; true; }
lab_etc_dirs() { local d; for d in /etc/netns/"$1"-*; do is_lab_name "$1" "${d##*/}" && echo "$d"; done; true; }

# lab_pids LAB: live processes in LAB's namespaces, or started by `exec` (marked
# in their environment) or LAB's sshds (whose proctitle overwrites it; named by
# their log file) even if their namespace is gone; except us and our ancestors.
lab_pids() {
    local ns pid self=" " p=$$
    while [[ $p -gt 1 ]]; do self+="$p "; p=$(awk '/^PPid:/{print $2}' /proc/"$p"/status 2>/dev/null || echo 0); done
    { for ns in $(lab_netns "$1"); do ip netns pids "$ns" 2>/dev/null; done
      grep -lzx -- "$MARK=$1" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3
      pgrep -f -- "sshd -f /etc/ssh/sshd_config -E $STATE_ROOT/$1/sshd-" || true
    } | sort -un | while read -r pid; do
        [[ $self != *" $pid "* && -d /proc/$pid ]] && echo "$pid"
    done; true
}

# Bridge netfilter: with bridge-nf-call-iptables=1, bridged packets go through
# the root namespace's iptables FORWARD chain; if iptables is here, an ACCEPT
# rule lets LAB's pass whatever the chain's policy (e.g. Docker's DROP).
lab_rule() { echo "FORWARD -i $1-dc -o $1-dc -m comment --comment hermit-testhosts-$1 -j ACCEPT"; }
allow_bridged_traffic() {
    ! command -v iptables >/dev/null || iptables -w -I $(lab_rule "$1") 2>/dev/null || true
}
disallow_bridged_traffic() {
    ! command -v iptables >/dev/null || while iptables -w -D $(lab_rule "$1") 2>/dev/null; do :; done
}
lab_iptables_rules() {
    ! command -v iptables >/dev/null || iptables -w -S FORWARD 2>/dev/null | grep -F -- "hermit-testhosts-$1 " || true
}

# Install what the nodes need; leave no system sshd running in the root namespace.
install_packages() {
    local pkgs=() before pid
    [[ -x /usr/sbin/sshd ]] || pkgs+=(openssh-server)
    command -v ssh-keygen >/dev/null || pkgs+=(openssh-client)
    command -v ping >/dev/null || pkgs+=(iputils-ping)
    [[ ${#pkgs[@]} -eq 0 ]] && return 0
    before=" $(pgrep -x sshd | tr '\n' ' ' || true) "
    export DEBIAN_FRONTEND=noninteractive
    local apt=(apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=300 "${pkgs[@]}")
    "${apt[@]}" >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 || true; quietly "${apt[@]}"; }
    if [[ -d /run/systemd/system ]]; then systemctl disable --now ssh.service ssh.socket >/dev/null 2>&1 || true; fi
    for pid in $(pgrep -x sshd || true); do   # the package's own sshd, if its postinst started one
        if [[ $before != *" $pid "* && $(readlink /proc/"$pid"/ns/net) == "$(readlink /proc/self/ns/net)" ]]; then
            kill "$pid" 2>/dev/null || true
        fi
    done
}

write_node_etc() {  # write_node_etc LAB NODE N: /etc/netns/LAB-NODE/{hosts,hostname,ssh/}
    local lab=$1 node=$2 n=$3 i etc=/etc/netns/$1-$2 state=$STATE_ROOT/$1
    mkdir -p "$etc/ssh"
    echo "$node" >"$etc/hostname"
    { printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n'
      printf '%s\thead\n' "$(node_addr head)"
      for ((i = 1; i <= n; i++)); do printf '%s\th%d\n' "$(node_addr h$i)" "$i"; done
    } >"$etc/hosts"
    cat >"$etc/ssh/ssh_config" <<EOF
Host *
    IdentityFile $state/id_ed25519
    IdentitiesOnly yes
    StrictHostKeyChecking no
    UserKnownHostsFile /dev/null
    GlobalKnownHostsFile /dev/null
    BatchMode yes
    LogLevel ERROR
    ConnectTimeout 5
    ServerAliveInterval 5
    ServerAliveCountMax 2
EOF
    cat >"$etc/ssh/sshd_config" <<EOF
ListenAddress $(node_addr "$node"):22
HostKey /etc/ssh/ssh_host_ed25519_key
PidFile $state/sshd-$node.pid
PermitRootLogin prohibit-password
AuthorizedKeysFile $state/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
X11Forwarding no
PrintMotd no
PrintLastLog no
MaxStartups 100:30:200
MaxSessions 100
Subsystem sftp /usr/lib/openssh/sftp-server
EOF
    quietly ssh-keygen -q -t ed25519 -N '' -C "$node.$lab" -f "$etc/ssh/ssh_host_ed25519_key"
}

make_node() {  # make_node LAB NODE: namespace, veth to the bridge, address
    local ns=$1-$2
    quietly ip netns add "$ns"
    quietly ip link add "$ns" type veth peer name eth0 netns "$ns"
    quietly ip link set "$ns" addrgenmode none master "$1-dc"   # no address in the root namespace
    quietly ip link set "$ns" up
    quietly ip -n "$ns" link set lo up
    quietly ip -n "$ns" addr add "$(node_addr "$2")/24" dev eth0
    quietly ip -n "$ns" link set eth0 up
}

# Each node's sshd holds the node's namespaces: its network, its hostname
# (UTS) and a mount namespace in which the directories a real machine keeps
# to itself are its own: /run/netns (network namespaces made on the node),
# /run/hermit-net (cluster/hermit-net's state) and /srv (a local disk, for
# files only one node holds). Sessions and `exec` join them, so two nodes
# can each make a namespace of the same name.
readonly PRIVATE_DIRS="/run/netns /run/hermit-net /srv"
start_sshd() {  # start_sshd LAB NODE: sshd daemonizes once it listens
    mkdir -p -m 0700 /run/hermit-net
    mkdir -p /run/netns
    env "$MARK=$1" ip netns exec "$1-$2" unshare --uts --mount --propagation private -- \
        /bin/sh -c 'hostname "$0" && for d in $1; do mount -t tmpfs -o mode=0700 tmpfs "$d" || exit 1; done &&
                    shift && exec "$@"' "$2" "$PRIVATE_DIRS" \
        /usr/sbin/sshd -f /etc/ssh/sshd_config -E "$STATE_ROOT/$1/sshd-$2.log" \
        </dev/null >/dev/null 2>&1 || die "sshd on $2 failed to start: $(tail -n1 "$STATE_ROOT/$1/sshd-$2.log" 2>/dev/null)"
}

# check_reachable LAB NODE: the head opens a TCP connection to NODE's sshd.
check_reachable() {
    "$SELF" exec "$1" head timeout 3 bash -c 'exec 3<>/dev/tcp/$0/22' "$2" </dev/null >/dev/null 2>&1 ||
        die "head cannot reach $2:22 over $1-dc (bridge netfilter dropping traffic?)"
}

cmd_up() {
    [[ $# -eq 2 ]] || die "usage: testhosts.sh up LAB N"
    local lab=$1 n=$2 i node state=$STATE_ROOT/$1
    check_lab_name "$lab"
    [[ $n =~ ^[1-9][0-9]*$ && $n -le $MAX_HOSTS ]] || die "bad N '$n' (want 1..$MAX_HOSTS hosts)"
    [[ $EUID -eq 0 ]] || die "must run as root"
    check_in_root_netns
    [[ -e $state || -n $(lab_netns "$lab")$(lab_links "$lab") ]] &&
        die "lab '$lab' already exists (run: testhosts.sh down $lab)"
    install_packages
    trap 'exit 130' INT TERM
    trap 'if [[ $? -ne 0 ]]; then teardown_lab "'"$lab"'" >/dev/null 2>&1; fi' EXIT

    mkdir -p "$STATE_ROOT" && mkdir -m 0700 "$state"
    echo "$n" >"$state/n"
    quietly ssh-keygen -q -t ed25519 -N '' -C "testhosts-$lab" -f "$state/id_ed25519"
    cp "$state/id_ed25519.pub" "$state/authorized_keys"
    mkdir -p /run/sshd   # sshd's privilege separation directory

    quietly ip link add "$lab-dc" type bridge
    quietly ip link set "$lab-dc" addrgenmode none   # no address in the root namespace
    quietly ip link set "$lab-dc" up
    allow_bridged_traffic "$lab"
    for node in head $(seq -f 'h%g' 1 "$n"); do
        make_node "$lab" "$node"
        write_node_etc "$lab" "$node" "$n"
        start_sshd "$lab" "$node"
    done
    for ((i = 1; i <= n; i++)); do check_reachable "$lab" "h$i"; done
    "$SELF" exec "$lab" head ssh h1 true </dev/null >/dev/null 2>&1 || die "head cannot ssh to h1"
}

# stop_processes PID...: TERM, KILL after 1.5 s, and wait (5 s at most) until
# they are reaped too, so that no zombie shows in `pgrep` after `down`.
stop_processes() {
    local pid i alive
    kill "$@" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        alive=()
        for pid; do [[ ! -e /proc/$pid ]] || alive+=("$pid"); done
        [[ ${#alive[@]} -gt 0 ]] || return 0
        [[ $i -ne 15 ]] || kill -9 "${alive[@]}" 2>/dev/null || true
        sleep 0.1
    done
}

# teardown_lab LAB: remove whatever of LAB is present; never fails.
teardown_lab() {
    local lab=$1 link ns dir pids
    set +e; trap - ERR   # go on whatever fails
    for _ in 1 2; do   # twice: a process may have forked while being stopped
        pids=$(lab_pids "$lab")
        [[ -z $pids ]] || stop_processes $pids
    done
    disallow_bridged_traffic "$lab" || true
    for link in $(lab_links "$lab"); do ip link del "$link" 2>/dev/null || true; done
    for ns in $(lab_netns "$lab"); do ip netns del "$ns" 2>/dev/null || true; done
    for dir in $(lab_etc_dirs "$lab"); do rm -rf "$dir"; done
    rm -rf "${STATE_ROOT:?}/$lab"
    rmdir /etc/netns "$STATE_ROOT" 2>/dev/null || true   # only if now empty
    true
}

cmd_down() {
    [[ $# -eq 1 ]] || die "usage: testhosts.sh down LAB"
    check_lab_name "$1"
    check_in_root_netns
    teardown_lab "$1"
}

cmd_exec() {
    [[ $# -ge 3 ]] || die "usage: testhosts.sh exec LAB NODE CMD [ARG...]"
    check_node "$1" "$2"
    local lab=$1 node=$2
    shift 2
    # Into the namespaces the node's sshd holds (start_sshd): its network,
    # hostname and mounts (/etc/netns/LAB-NODE/* over /etc/*, private /run dirs).
    local pid
    pid=$(cat "$STATE_ROOT/$lab/sshd-$node.pid" 2>/dev/null) && [[ -d /proc/$pid ]] ||
        die "node '$node' of lab '$lab' is not running (its sshd is gone)"
    exec env "$MARK=$lab" nsenter -t "$pid" -n -u -m --wd="$PWD" -- "$@"
}

cmd_cut() {
    [[ $# -eq 2 ]] || die "usage: testhosts.sh cut LAB NODE"
    check_node "$1" "$2"
    check_in_root_netns
    quietly ip link set "$1-$2" down
    quietly ip -n "$1-$2" link set eth0 down
}

cmd_leftovers() {
    [[ $# -eq 1 ]] || die "usage: testhosts.sh leftovers LAB"
    check_lab_name "$1"
    check_in_root_netns
    local lab=$1 x out
    out=$(
        for x in $(lab_netns "$lab"); do echo "netns $x"; done
        for x in $(lab_links "$lab"); do echo "link $x"; done
        for x in $(lab_pids "$lab"); do echo "process $x $(tr '\0' ' ' </proc/"$x"/cmdline 2>/dev/null)"; done
        for x in $(lab_etc_dirs "$lab"); do echo "file $x"; done
        [[ ! -e $STATE_ROOT/$lab ]] || echo "file $STATE_ROOT/$lab"
        lab_iptables_rules "$lab" | sed 's/^/iptables /'
    )
    [[ -z $out ]] && return 0
    echo "$out"
    exit 1
}

cmd_addr() {
    [[ $# -eq 2 ]] || die "usage: testhosts.sh addr LAB NODE"
    check_node "$1" "$2"
    node_addr "$2"
}

main() {
    [[ $# -ge 1 ]] || die "usage: testhosts.sh up|down|exec|cut|leftovers|addr LAB ..."
    local cmd=$1
    shift
    case $cmd in
        up | down | exec | cut | leftovers | addr) "cmd_$cmd" "$@" ;;
        *) die "unknown command '$cmd' (want up, down, exec, cut, leftovers or addr)" ;;
    esac
}

main "$@"
