#!/usr/bin/env bash
# check_lab.sh -- check the emulated cloud itself (vpc.sh, metadata_server.py,
# instance.sh) end to end, root only, in a lab of its own:
#
#   check_lab.sh [--disk DISK]
#
# A Linux "instance" without a VM (vpc.sh client: a namespace whose eth0 is on
# the VPC's bridge) takes a DHCP lease with busybox udhcpc (skipped if busybox
# is missing) and reads each flavour's metadata service through the gateway
# with curl. With --disk, the disk image also boots under SeaBIOS and OVMF
# (instance.sh, one VM at a time, a GCE metadata server up) and must power
# off (QEMU exit 0); if it asks DHCP for an address, it must ask for the MTU
# and read the metadata server. A third lab, made with --routed, gives two
# such clients GCE's /32 leases: each reaches the other only through the
# gateway (Linux clients only, no VM). Prints one PASS/FAIL/SKIP line per
# case; exit 1 if any failed.
set -uo pipefail

HERE=$(dirname "$(readlink -f "$0")")
VPC=$HERE/vpc.sh
LAB=vchk
NOLAB=vchkn
RLAB=vchkr
MAC=52:54:00:c0:ff:01
IP=10.128.0.50
disk=''
[[ ${1:-} != --disk ]] || { disk=${2:?--disk wants a file}; }

failures=0
check() {   # check NAME OK [WHY]
    if [[ $2 == 1 ]]; then echo "PASS $1"; else echo "FAIL $1: ${3:-}"; failures=$((failures + 1)); fi
}
ok() { "$@" >/dev/null 2>&1 && echo 1 || echo 0; }

if [[ $EUID -ne 0 ]]; then echo "SKIP lab: needs root"; exit 0; fi
tmp=$(mktemp -d)
cleanup() { "$VPC" down "$LAB"; "$VPC" down "$NOLAB"; "$VPC" down "$RLAB"; rm -rf "$tmp"; }
trap cleanup EXIT
"$VPC" down "$LAB"; "$VPC" down "$NOLAB"; "$VPC" down "$RLAB"

"$VPC" up "$LAB" >"$tmp/up.out" 2>&1
check vpc-up "$(ok test -d /run/hermit-vpc/$LAB)" "$(cat "$tmp/up.out")"
[[ -d /run/hermit-vpc/$LAB ]] || exit 1
mode=$(stat -c %a /run/hermit-vpc/$LAB)
check vpc-state-0700 "$([[ $mode == 700 ]] && echo 1 || echo 0)" "mode $mode"
addrs=$("$VPC" exec "$LAB" ip -4 -o addr show dev vpcbr0 | awk '{print $4}' | sort | tr '\n' ' ')
check vpc-bridge-addresses "$([[ $addrs == "10.128.0.1/24 169.254.169.254/32 " ]] && echo 1 || echo 0)" "$addrs"
mtu=$("$VPC" exec "$LAB" cat /sys/class/net/vpcbr0/mtu)
check vpc-bridge-mtu "$([[ $mtu == 1460 ]] && echo 1 || echo 0)" "mtu $mtu"
fwd=$("$VPC" exec "$LAB" sysctl -n net.ipv4.ip_forward)
check vpc-not-routing "$([[ $fwd == 0 ]] && echo 1 || echo 0)" "ip_forward=$fwd without --routed"

"$VPC" add-instance "$LAB" c1 "$MAC" "$IP"
cns=$("$VPC" client "$LAB" c1 "$MAC")
C=(ip netns exec "$cns")

# DHCP: the fixed address, router, DNS; option 26 only when asked for.
cat >"$tmp/dhcp-script" <<'EOF'
#!/bin/sh
[ "$1" = bound ] || exit 0
echo "ip=$ip mask=$mask router=$router dns=$dns mtu=${mtu:-none} hostname=${hostname:-none}" >"$LEASE_OUT"
EOF
chmod +x "$tmp/dhcp-script"
if command -v busybox >/dev/null && busybox --list | grep -qx udhcpc; then
    LEASE_OUT=$tmp/lease1 "${C[@]}" busybox udhcpc -i eth0 -n -q -f -t 3 -T 1 -s "$tmp/dhcp-script" >/dev/null 2>&1
    got=$(cat "$tmp/lease1" 2>/dev/null)
    check dhcp-fixed-address "$([[ $got == "ip=$IP mask=24 router=10.128.0.1 dns=10.128.0.1 mtu=none hostname=c1" ]] && echo 1 || echo 0)" "$got"
    LEASE_OUT=$tmp/lease2 "${C[@]}" busybox udhcpc -i eth0 -n -q -f -t 3 -T 1 -O mtu -s "$tmp/dhcp-script" >/dev/null 2>&1
    got=$(cat "$tmp/lease2" 2>/dev/null)
    check dhcp-mtu-when-asked "$([[ $got == *"mtu=1460"* ]] && echo 1 || echo 0)" "$got"
else
    echo "SKIP dhcp: no busybox udhcpc (apt-get install busybox)"
fi

"${C[@]}" ip addr add "$IP/24" dev eth0
"${C[@]}" ip link set eth0 mtu 1460
"${C[@]}" ip route add default via 10.128.0.1
if command -v busybox >/dev/null; then   # the gateway's DNS knows the metadata server's name
    got=$("${C[@]}" busybox nslookup metadata.google.internal 10.128.0.1 2>/dev/null | grep -c 169.254.169.254)
    check dns-metadata-name "$([[ $got -ge 1 ]] && echo 1 || echo 0)" "no answer"
fi
printf '{"%s": {"name": "c1", "attributes": {"hermit-rank": "3"}, "user_data": "u=1\\n"}}\n' "$IP" >"$tmp/md.json"
curl_=("${C[@]}" curl -s -m 3)
M=http://169.254.169.254

"$VPC" metadata "$LAB" gce "$tmp/md.json"
got=$("${curl_[@]}" -H 'Metadata-Flavor: Google' $M/computeMetadata/v1/instance/attributes/hermit-rank)
check gce-through-gateway "$([[ $got == 3 ]] && echo 1 || echo 0)" "$got"
got=$("${curl_[@]}" -o /dev/null -w '%{http_code}' $M/computeMetadata/v1/instance/attributes/hermit-rank)
check gce-needs-header "$([[ $got == 403 ]] && echo 1 || echo 0)" "$got"

"$VPC" metadata "$LAB" ec2 "$tmp/md.json"
token=$("${curl_[@]}" -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' $M/latest/api/token)
got=$("${curl_[@]}" -H "X-aws-ec2-metadata-token: $token" $M/latest/meta-data/local-ipv4)
check ec2-token-then-get "$([[ $got == "$IP" ]] && echo 1 || echo 0)" "$got"
got=$("${curl_[@]}" -o /dev/null -w '%{http_code}' $M/latest/meta-data/local-ipv4)
check ec2-needs-token "$([[ $got == 401 ]] && echo 1 || echo 0)" "$got"

"$VPC" metadata "$LAB" openstack "$tmp/md.json"
got=$("${curl_[@]}" $M/openstack/latest/meta_data.json)
check openstack-meta-data "$([[ $got == *'"meta": {"hermit-rank": "3"}'* ]] && echo 1 || echo 0)" "$got"

"$VPC" metadata "$LAB" gce "$tmp/md.json" --fault hang
start=$SECONDS
got=$("${C[@]}" curl -s -m 2 -o /dev/null -w '%{http_code}' -H 'Metadata-Flavor: Google' $M/computeMetadata/v1/instance/id)
check fault-hang-through-gateway "$([[ $got == 000 && $((SECONDS - start)) -le 4 ]] && echo 1 || echo 0)" "$got"
"$VPC" metadata "$LAB" off
check metadata-off "$(ok test ! -e /run/hermit-vpc/$LAB/metadata.pid)"

# No DHCP server: no lease.
"$VPC" up "$NOLAB" --no-dhcp
"$VPC" client "$NOLAB" c1 "$MAC" >/dev/null
if command -v busybox >/dev/null; then
    LEASE_OUT=$tmp/lease3 ip netns exec "hermit-vpc-$NOLAB-c1" busybox udhcpc -i eth0 -n -q -f -t 2 -T 1 -s "$tmp/dhcp-script" >/dev/null 2>&1
    check no-dhcp-no-lease "$(ok test ! -e "$tmp/lease3")"
fi

# A routed lab (GCE's /32 leases): two clients take their leases with udhcpc
# and apply them as a GCE guest does (address/32, option 121's routes), then
# reach each other through the gateway only.
if command -v busybox >/dev/null; then
    "$VPC" up "$RLAB" --routed
    got=$("$VPC" exec "$RLAB" sysctl -n net.ipv4.ip_forward net.ipv4.conf.all.send_redirects \
              net.ipv4.conf.vpcbr0.send_redirects | tr '\n' ' ')
    check routed-forwards-no-redirects "$([[ $got == "1 0 0 " ]] && echo 1 || echo 0)" \
        "ip_forward, all and vpcbr0 send_redirects: $got"
    cat >"$tmp/apply-script" <<'EOF'
#!/bin/sh
[ "$1" = bound ] || exit 0
echo "ip=$ip mask=$mask router=$router broadcast=${broadcast:-none} routes=${staticroutes:-none}" >"$LEASE_OUT"
ip addr add "$ip/$mask" dev "$interface"
set -- $staticroutes
while [ $# -ge 2 ]; do   # destination, next hop (0.0.0.0: on-link)
    if [ "$2" = 0.0.0.0 ]; then ip route add "$1" dev "$interface"; else ip route add "$1" via "$2"; fi
    shift 2
done
EOF
    chmod +x "$tmp/apply-script"
    for n in 1 2; do
        "$VPC" add-instance "$RLAB" "r$n" "52:54:00:c0:ff:2$n" "10.128.0.6$n"
        "$VPC" client "$RLAB" "r$n" "52:54:00:c0:ff:2$n" >/dev/null
        LEASE_OUT=$tmp/rlease$n ip netns exec "hermit-vpc-$RLAB-r$n" busybox udhcpc -i eth0 -n -q -f -t 3 -T 1 \
            -O staticroutes -s "$tmp/apply-script" >/dev/null 2>&1
    done
    R1=(ip netns exec "hermit-vpc-$RLAB-r1")
    got=$(cat "$tmp/rlease1" 2>/dev/null)
    check routed-dhcp-lease-32 "$([[ $got == "ip=10.128.0.61 mask=32 router=10.128.0.1 broadcast=none routes=10.128.0.1/32 0.0.0.0 0.0.0.0/0 10.128.0.1" ]] && echo 1 || echo 0)" "$got"
    # A client that does not ask for option 121 gets none (offer and ack to
    # each of the two that asked: 4).
    LEASE_OUT=$tmp/rlease3 ip netns exec "hermit-vpc-$RLAB-r2" busybox udhcpc -i eth0 -n -q -f -t 3 -T 1 \
        -s "$tmp/dhcp-script" >/dev/null 2>&1
    got=$(grep -c 'sent size: .*option:121' "/run/hermit-vpc/$RLAB/dnsmasq.log")
    check routed-121-only-when-asked "$([[ $got == 4 && -s $tmp/rlease3 ]] && echo 1 || echo 0)" \
        "option 121 sent $got times, expected 4; lease without it: $(cat "$tmp/rlease3" 2>/dev/null)"
    got=$("${R1[@]}" ip -4 -o addr show dev eth0 | awk '{print $4}')
    check routed-address-32 "$([[ $got == 10.128.0.61/32 ]] && echo 1 || echo 0)" "$got"
    got=$("${R1[@]}" ip -4 route get 10.128.0.62)
    check routed-peer-via-gateway "$([[ $got == *"via 10.128.0.1 "* ]] && echo 1 || echo 0)" "$got"
    got=$("${R1[@]}" ping -n -c 2 -W 2 10.128.0.62 2>&1) && rc=0 || rc=$?   # one routed hop: TTL 64 - 1
    check routed-ping-peer "$([[ $rc == 0 && $got == *"ttl=63"* ]] && echo 1 || echo 0)" "$(tail -n 2 <<<"$got")"
    brmac=$("$VPC" exec "$RLAB" cat /sys/class/net/vpcbr0/address)
    got=$("${R1[@]}" ip -4 neigh show dev eth0 | awk '{print $1, $3}' | sort | tr '\n' ' ')
    check routed-arp-gateway-only "$([[ $got == "10.128.0.1 $brmac " ]] && echo 1 || echo 0)" "neighbours: $got"
    # The gateway forwarded the pings (in and out of vpcbr0) and sent no
    # redirect for them (it would with send_redirects=1).
    # shellcheck disable=SC2016  # an awk program
    got=$("$VPC" exec "$RLAB" awk '$1 != k {k = $1; for (i = 2; i <= NF; i++) c[i] = $i; next}
        {for (i = 2; i <= NF; i++) if (c[i] == "ForwDatagrams" || c[i] == "OutRedirects") printf "%s=%s ", c[i], $i}' /proc/net/snmp)
    check routed-no-icmp-redirect "$([[ $got =~ ^ForwDatagrams=[1-9][0-9]*\ OutRedirects=0\ $ ]] && echo 1 || echo 0)" "$got"
    # The ports are isolated: a peer's ARP request never reaches r2.
    check routed-no-layer2-to-peer "$([[ $(ok "${R1[@]}" busybox arping -q -c 2 -w 3 -I eth0 10.128.0.62) == 0 ]] && echo 1 || echo 0)" \
        "10.128.0.62 answered ARP from a peer"
    printf '{"10.128.0.61": {"name": "r1", "attributes": {"hermit-rank": "5"}}}\n' >"$tmp/md-r1.json"
    "$VPC" metadata "$RLAB" gce "$tmp/md-r1.json"
    got=$("${R1[@]}" curl -s -m 3 -H 'Metadata-Flavor: Google' $M/computeMetadata/v1/instance/attributes/hermit-rank)
    check routed-metadata-through-gateway "$([[ $got == 5 ]] && echo 1 || echo 0)" "$got"
else
    echo "SKIP routed: no busybox (udhcpc, arping)"
fi

if [[ -n $disk ]]; then
    "$VPC" add-instance "$LAB" i1 52:54:00:c0:ff:11 10.128.0.11
    echo '{"10.128.0.11": {"name": "i1", "attributes": {"hermit-rank": "0"}}}' >"$tmp/md-i1.json"
    "$VPC" metadata "$LAB" gce "$tmp/md-i1.json"
    for fw in bios uefi; do
        rc=$("$HERE/instance.sh" "$LAB" i1 --disk "$disk" --firmware "$fw" --timeout 300 --serial "$tmp/$fw.log" 2>"$tmp/$fw.err")
        check "boot-$fw-powers-off" "$([[ $rc == 0 ]] && echo 1 || echo 0)" "exit $rc $(tail -c 300 "$tmp/$fw.log")"
    done
    leased=$(grep -c "DHCPACK(vpcbr0) 10.128.0.11 52:54:00:c0:ff:11" /run/hermit-vpc/$LAB/dnsmasq.log)
    if [[ $leased -ge 1 ]]; then
        asked=$(grep -c "requested options:.*26:mtu" /run/hermit-vpc/$LAB/dnsmasq.log)
        check boot-dhcp-asks-mtu "$([[ $asked -ge 1 ]] && echo 1 || echo 0)" "no 26:mtu in the request"
        asked=$(grep -c '^[0-9:]* 10.128.0.11 "GET /computeMetadata/v1/' /run/hermit-vpc/$LAB/metadata.log)
        check boot-reads-metadata "$([[ $asked -ge 1 ]] && echo 1 || echo 0)" "no request from 10.128.0.11"
    else
        echo "SKIP boot-dhcp: the image asked no DHCP (no network in it?)"
    fi
    taps=$("$VPC" exec "$LAB" ip -o link show | grep -c ' t-')
    check boot-taps-removed "$([[ $taps == 0 ]] && echo 1 || echo 0)" "$taps taps left"
fi

"$VPC" down "$LAB"; "$VPC" down "$NOLAB"; "$VPC" down "$RLAB"
left=$("$VPC" leftovers "$LAB"; "$VPC" leftovers "$NOLAB"; "$VPC" leftovers "$RLAB")
check down-leaves-nothing "$([[ -z $left ]] && echo 1 || echo 0)" "$left"
[[ $failures -eq 0 ]]
