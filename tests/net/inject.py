#!/usr/bin/env python3
"""inject.py - host-side frame injector for the bad-input network suite
(tests/suites/net_bad.sh): sends thousands of random and malformed
Ethernet/ARP/IP/ICMP/UDP/TCP frames into a VM's network, then checks that
the VM's TCP stack still works by completing a handshake and an echo
itself.

    inject.py SOCK_DIR [--frames N] [--seed S] [--mac MAC] [--ip IP]

The VM's QEMU joins its NIC, the other VM's link and this program on one
QEMU hub; this program's port is
    -netdev dgram,local.type=unix,local.path=SOCK_DIR/vm.sock,
                  remote.type=unix,remote.path=SOCK_DIR/inject.sock
so one unix datagram is one Ethernet frame, both ways. No host network
interface or port is involved.

The injector poses as 10.0.0.77 (MAC 52:54:00:00:01:77) and answers ARP
for it, so the target's replies (SYN-ACKs, RSTs, ICMP) have somewhere to
go. Phases: random bytes, truncated and oversized frames, broken ARP,
broken IPv4 headers, fragments, ICMP, UDP, TCP with bad data offsets and
options, a SYN flood from many addresses, then a real connection to the
echo port that receives malformed in-window segments. At the end the same
connection must still echo a well-formed segment: "inject: echo ok".
Exit status 0 when the echo came back, 1 otherwise, 2 on setup errors.
"""

import argparse
import os
import random
import socket
import struct
import sys
import threading
import time

ME_MAC = bytes.fromhex("525400000177")
ME_IP = socket.inet_aton("10.0.0.77")
BCAST = b"\xff" * 6
ETH_IP, ETH_ARP = 0x0800, 0x0806
ECHO_PORT = 7000
MAX_DGRAM = 65536 + 14      # QEMU's dgram netdev reads at most NET_BUFSIZE (68 KiB)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(dst, ethertype, payload, src=ME_MAC):
    return dst + src + struct.pack("!H", ethertype) + payload


def ip4(src, dst, proto, payload, ident=0, frag=0, ttl=64, ihl=5, total=None,
        options=b"", bad_sum=False, version=4):
    total = 20 + len(options) + len(payload) if total is None else total
    hdr = struct.pack("!BBHHHBBH4s4s", version << 4 | ihl, 0, total & 0xFFFF, ident, frag, ttl,
                      proto, 0, src, dst) + options
    s = csum(hdr[:ihl * 4] if ihl * 4 <= len(hdr) else hdr)
    if bad_sum:
        s ^= 0x5A5A
    return hdr[:10] + struct.pack("!H", s) + hdr[12:] + payload


def l4_sum(src, dst, proto, segment):
    pseudo = src + dst + struct.pack("!BBH", 0, proto, len(segment))
    return csum(pseudo + segment)


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b"", window=65535, offset=None,
        options=b"", urg=0, bad_sum=False):
    offset = (20 + len(options)) // 4 if offset is None else offset
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      (offset & 15) << 4, flags, window, 0, urg) + options
    seg = hdr + payload
    s = l4_sum(src, dst, 6, seg) ^ (0x1234 if bad_sum else 0)
    return seg[:16] + struct.pack("!H", s) + seg[18:]


def udp(src, dst, sport, dport, payload, length=None):
    length = 8 + len(payload) if length is None else length
    seg = struct.pack("!HHHH", sport, dport, length & 0xFFFF, 0) + payload
    s = l4_sum(src, dst, 17, seg) or 0xFFFF
    return seg[:6] + struct.pack("!H", s) + seg[8:]


def arp(op, sha, spa, tha, tpa, hlen=6, plen=4, htype=1, ptype=ETH_IP):
    return struct.pack("!HHBBH", htype, ptype, hlen, plen, op) + sha + spa + tha + tpa


class Link:
    """The datagram socket, plus the little protocol work the injector does.

    A receiver thread drains the socket all the time: QEMU's unix datagram
    queue toward us is short (net.unix.max_dgram_qlen, 10 by default), and
    while it is full QEMU holds back the VM's transmissions, which in turn
    holds back what the VM takes in.
    """

    def __init__(self, sock_dir, mac, ip):
        self.vm_path = os.path.join(sock_dir, "vm.sock")
        self.path = os.path.join(sock_dir, "inject.sock")
        self.mac, self.ip = mac, ip
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.s.bind(self.path)
        self.s.settimeout(2.0)
        self.sent = self.dropped = self.skipped = self.received = 0
        self.inbox = []             # TCP segments to us: (sport, dport, seq, ack, flags, data)
        self.lock = threading.Lock()
        self.running = True
        self.rx = threading.Thread(target=self.receive, daemon=True)
        self.rx.start()

    def close(self):
        self.running = False
        self.rx.join(timeout=3)
        self.s.close()
        os.unlink(self.path)

    def send(self, frame):
        """Blocks while QEMU's queue is full (2 s at most, then counts a drop)."""
        if not frame:
            # QEMU's dgram netdev reads a 0-byte datagram as the end of the
            # connection and stops reading: such a frame cannot be sent.
            self.skipped += 1
            return
        try:
            self.s.sendto(frame[:MAX_DGRAM], self.vm_path)
            self.sent += 1
        except OSError:
            self.dropped += 1

    def receive(self):
        while self.running:
            try:
                frame = self.s.recv(70000)
            except socket.timeout:
                continue
            except OSError:
                return
            self.received += 1
            self.handle(frame)

    def handle(self, f):
        if len(f) < 14:
            return
        etype = struct.unpack("!H", f[12:14])[0]
        if etype == ETH_ARP and len(f) >= 42:
            op = struct.unpack("!H", f[20:22])[0]
            if op == 1 and f[38:42] == ME_IP:
                reply = arp(2, ME_MAC, ME_IP, f[22:28], f[28:32])
                self.send(eth(f[6:12], ETH_ARP, reply))
            return
        if etype != ETH_IP or len(f) < 34 or f[14 + 16:14 + 20] != ME_IP:
            return
        ihl = (f[14] & 15) * 4
        if f[14 + 9] != 6:
            return
        t = f[14 + ihl:]
        if len(t) < 20:
            return
        sport, dport, seq, ack, off, flags = struct.unpack("!HHIIBB", t[:14])
        total = struct.unpack("!H", f[16:18])[0]
        data = t[(off >> 4) * 4:total - ihl]
        with self.lock:
            self.inbox.append((sport, dport, seq, ack, flags, data))
            del self.inbox[:-1000]

    def wait_segment(self, dport, timeout, want=None):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self.lock:
                for i, seg in enumerate(self.inbox):
                    if seg[1] == dport and (want is None or want(seg)):
                        del self.inbox[i]
                        return seg
            time.sleep(0.005)
        return None


# --- generators: each returns one frame -------------------------------------------------

def rand_bytes(r, n):
    return r.randbytes(n)


def g_random(r, t):
    return rand_bytes(r, r.choice([0, 1, 13, 14, 15, 60, 64, r.randrange(0, 1600)]))


def g_oversized(r, t):
    return eth(t.mac, ETH_IP, rand_bytes(r, r.choice([1515, 1600, 4000, 9000, 16000, 65000])))


def g_truncated(r, t):
    full = eth(t.mac, ETH_IP, ip4(ME_IP, t.ip, 6, tcp(ME_IP, t.ip, 4000, ECHO_PORT, 1, 0, 0x02)))
    return full[:r.randrange(0, len(full))]


def g_arp(r, t):
    kind = r.randrange(5)
    if kind == 0:   # truncated
        return eth(BCAST, ETH_ARP, rand_bytes(r, r.randrange(0, 28)))
    if kind == 1:   # odd hardware/protocol lengths
        return eth(BCAST, ETH_ARP, arp(1, ME_MAC, ME_IP, b"\0" * 6, t.ip,
                                       hlen=r.randrange(256), plen=r.randrange(256)))
    if kind == 2:   # requests for the target from random 10.0.0.100-250 senders
        spa = bytes([10, 0, 0, r.randrange(100, 250)])
        return eth(BCAST, ETH_ARP, arp(1, r.randbytes(6), spa, b"\0" * 6, t.ip))
    if kind == 3:   # unsolicited replies with random opcodes
        spa = bytes([10, 0, 0, r.randrange(100, 250)])
        return eth(t.mac, ETH_ARP, arp(r.randrange(65536), r.randbytes(6), spa, t.mac, t.ip))
    return eth(BCAST, ETH_ARP, rand_bytes(r, r.randrange(28, 80)))


def g_ip_header(r, t):
    payload = rand_bytes(r, r.randrange(0, 200))
    proto = r.choice([1, 6, 17, 0, 2, 47, 255, r.randrange(256)])
    kind = r.randrange(7)
    if kind == 0:
        return eth(t.mac, ETH_IP, ip4(ME_IP, t.ip, proto, payload, version=r.randrange(16)))
    if kind == 1:
        return eth(t.mac, ETH_IP, ip4(ME_IP, t.ip, proto, payload, ihl=r.randrange(0, 5)))
    if kind == 2:   # header longer than the packet
        return eth(t.mac, ETH_IP, ip4(ME_IP, t.ip, proto, payload[:8], ihl=15))
    if kind == 3:   # total length beyond or before the end of the frame
        return eth(t.mac, ETH_IP, ip4(ME_IP, t.ip, proto, payload,
                                     total=r.choice([0, 1, 19, 20, 65535, len(payload) + 200])))
    if kind == 4:
        return eth(t.mac, ETH_IP, ip4(ME_IP, t.ip, proto, payload, bad_sum=True))
    if kind == 5:   # options: random bytes, with a valid checksum
        opts = rand_bytes(r, 4 * r.randrange(1, 11))
        return eth(t.mac, ETH_IP, ip4(ME_IP, t.ip, proto, payload, options=opts,
                                     ihl=5 + len(opts) // 4))
    return eth(t.mac, ETH_IP, ip4(ME_IP, t.ip, proto, payload, ttl=0))


def g_fragment(r, t):
    ident = r.randrange(65536)
    offset = r.choice([0, 1, 8, 100, 8000, 8189, 8191, r.randrange(8192)])
    mf = r.choice([0, 0x2000])
    df = r.choice([0, 0x4000])
    payload = rand_bytes(r, r.choice([0, 1, 8, 16, 600, 1480]))
    proto = r.choice([1, 6, 17])
    return eth(t.mac, ETH_IP, ip4(ME_IP, t.ip, proto, payload, ident=ident,
                                 frag=mf | df | offset))


def g_icmp(r, t):
    kind = r.randrange(3)
    body = rand_bytes(r, r.randrange(0, 1400))
    if kind == 0:   # echo requests with good checksums: the target answers each
        msg = struct.pack("!BBHHH", 8, 0, 0, r.randrange(65536), r.randrange(65536)) + body
        msg = msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]
    elif kind == 1:  # random type/code, bad or good checksum
        msg = bytes([r.randrange(256), r.randrange(256)]) + r.randbytes(2) + body
    else:           # truncated
        msg = bytes([8])[:r.randrange(2)] + r.randbytes(r.randrange(0, 7))
    return eth(t.mac, ETH_IP, ip4(ME_IP, t.ip, 1, msg))


def g_udp(r, t):
    payload = rand_bytes(r, r.randrange(0, 1400))
    dport = r.choice([7001, 67, 68, r.randrange(65536)])
    length = r.choice([None, 0, 7, 8, 9, 65535, len(payload) + 100])
    seg = udp(ME_IP, t.ip, r.randrange(1024, 65536), dport, payload, length=length)
    if r.random() < 0.3:
        seg = seg[:6] + r.randbytes(2) + seg[8:]
    return eth(t.mac, ETH_IP, ip4(ME_IP, t.ip, 17, seg))


def tcp_options(r):
    kinds = [
        lambda: b"\x02\x04" + r.randbytes(2),                  # MSS
        lambda: b"\x02\x00",                                   # MSS, length 0
        lambda: b"\x03\x03" + bytes([r.randrange(256)]),       # window scale, any shift
        lambda: b"\x03\x00",                                   # length 0: a loop hazard
        lambda: b"\x03\x01",                                   # length 1
        lambda: b"\x08\x0a" + r.randbytes(8),                  # timestamps
        lambda: bytes([r.randrange(256), r.randrange(256)]),   # anything
        lambda: b"\x01",                                       # NOP
        lambda: b"\x00",                                       # end of list
        lambda: r.randbytes(r.randrange(1, 12)),
    ]
    opts = b"".join(r.choice(kinds)() for _ in range(r.randrange(1, 6)))
    return (opts + b"\x01" * 3)[:len(opts) + (-len(opts)) % 4][:40]


def g_tcp(r, t):
    sport = r.randrange(1024, 65536)
    dport = r.choice([ECHO_PORT, 7001, 7004, 7005, r.randrange(65536)])
    flags = r.choice([0x02, 0x12, 0x04, 0x10, 0x11, 0x01, 0x29, 0x3F, 0xFF, 0x00,
                      r.randrange(256)])
    payload = rand_bytes(r, r.choice([0, 1, 100, 1460, r.randrange(0, 1460)]))
    kind = r.randrange(4)
    if kind == 0:   # data offset anywhere from 0 to 15
        seg = tcp(ME_IP, t.ip, sport, dport, r.randrange(1 << 32), r.randrange(1 << 32), flags,
                  payload, offset=r.randrange(16))
    elif kind == 1:  # malformed options on a SYN
        seg = tcp(ME_IP, t.ip, sport, dport, r.randrange(1 << 32), 0, 0x02, b"",
                  options=tcp_options(r))
    elif kind == 2:  # bad checksum
        seg = tcp(ME_IP, t.ip, sport, dport, r.randrange(1 << 32), r.randrange(1 << 32), flags,
                  payload, bad_sum=True)
    else:            # truncated below 20 bytes
        seg = tcp(ME_IP, t.ip, sport, dport, 1, 0, flags)[:r.randrange(0, 20)]
    return eth(t.mac, ETH_IP, ip4(ME_IP, t.ip, 6, seg))


def g_syn_flood(r, t):
    """SYNs from many (unanswerable) addresses: half-open pcbs and ARP queries."""
    src = bytes([10, 0, 0, r.randrange(100, 250)])
    seg = tcp(src, t.ip, r.randrange(1024, 65536), ECHO_PORT, r.randrange(1 << 32), 0, 0x02)
    return eth(t.mac, ETH_IP, ip4(src, t.ip, 6, seg), src=r.randbytes(6))


def g_other(r, t):
    kind = r.randrange(4)
    if kind == 0:   # VLAN tag
        return eth(t.mac, 0x8100, r.randbytes(2) + struct.pack("!H", ETH_IP) + rand_bytes(r, 60))
    if kind == 1:   # IPv6, unsupported here
        return eth(t.mac, 0x86DD, rand_bytes(r, r.randrange(0, 200)))
    if kind == 2:   # broadcast and multicast destinations
        return eth(r.choice([BCAST, bytes.fromhex("01005e000001")]), ETH_IP,
                   ip4(ME_IP, bytes([255, 255, 255, 255]), 17, udp(ME_IP, t.ip, 68, 67,
                                                                  rand_bytes(r, 300))))
    return eth(t.mac, r.randrange(65536), rand_bytes(r, r.randrange(0, 100)))


PHASES = [("random", g_random), ("oversized", g_oversized), ("truncated", g_truncated),
          ("arp", g_arp), ("ip-header", g_ip_header), ("fragments", g_fragment),
          ("icmp", g_icmp), ("udp", g_udp), ("tcp", g_tcp), ("syn-flood", g_syn_flood),
          ("other", g_other)]


# --- a real connection, abused in-window, then asked for an echo ----------------------------

def connect(link, r, timeout=45.0):
    """A handshake with the echo port: (sport, seq, ack, SYNs sent), or None."""
    sport = r.randrange(20000, 60000)
    iss = r.randrange(1 << 32)
    for attempt in range(1, 11):
        link.send(eth(link.mac, ETH_IP, ip4(ME_IP, link.ip, 6,
                                            tcp(ME_IP, link.ip, sport, ECHO_PORT, iss, 0, 0x02,
                                                options=b"\x02\x04\x05\xb4"))))
        seg = link.wait_segment(sport, timeout / 10, lambda s: s[4] & 0x12 == 0x12)
        if seg:
            ack = (seg[2] + 1) & 0xFFFFFFFF
            link.send(eth(link.mac, ETH_IP, ip4(ME_IP, link.ip, 6,
                                                tcp(ME_IP, link.ip, sport, ECHO_PORT, iss + 1,
                                                    ack, 0x10))))
            return sport, iss + 1, ack, attempt
    return None


def abuse(link, r, conn, count):
    sport, seq, ack = conn
    for _ in range(count):
        kind = r.randrange(6)
        data = rand_bytes(r, r.randrange(1, 1400))
        s = seq + r.choice([0, 1, 1000, 70000, -5, 1 << 31])
        if kind == 0:   # header shorter than 20 bytes: never data
            seg = tcp(ME_IP, link.ip, sport, ECHO_PORT, s, ack, 0x18, data,
                      offset=r.randrange(5))
        elif kind == 1:
            seg = tcp(ME_IP, link.ip, sport, ECHO_PORT, s, ack, 0x18, data, bad_sum=True)
        elif kind == 2:
            seg = tcp(ME_IP, link.ip, sport, ECHO_PORT, s, ack, 0x10, b"",
                      options=tcp_options(r))
        elif kind == 3:  # acknowledging data never sent
            seg = tcp(ME_IP, link.ip, sport, ECHO_PORT, seq, ack + r.randrange(1, 1 << 31),
                      0x10, b"")
        elif kind == 4:  # urgent pointer anywhere
            seg = tcp(ME_IP, link.ip, sport, ECHO_PORT, seq + 100000, ack, 0x30, data,
                      urg=r.randrange(65536))
        else:            # out-of-order data far ahead (queued, never completed)
            seg = tcp(ME_IP, link.ip, sport, ECHO_PORT, seq + r.randrange(1000, 200000), ack,
                      0x18, data)
        link.send(eth(link.mac, ETH_IP, ip4(ME_IP, link.ip, 6, seg)))


def echo(link, conn, timeout=20.0):
    """Sends one well-formed segment and collects the echo (acknowledging it)."""
    sport, seq, ack = conn
    msg = b"inject: still alive?"
    got = b""
    end = time.monotonic() + timeout
    retry = 0.0
    while time.monotonic() < end and len(got) < len(msg):
        if time.monotonic() >= retry:
            link.send(eth(link.mac, ETH_IP, ip4(ME_IP, link.ip, 6,
                                                tcp(ME_IP, link.ip, sport, ECHO_PORT, seq, ack,
                                                    0x18, msg))))
            retry = time.monotonic() + 1.0
        seg = link.wait_segment(sport, 0.2)
        if seg and seg[5] and seg[2] == (ack + len(got)) & 0xFFFFFFFF:
            got += seg[5]
            link.send(eth(link.mac, ETH_IP, ip4(ME_IP, link.ip, 6,
                                                tcp(ME_IP, link.ip, sport, ECHO_PORT,
                                                    seq + len(msg), ack + len(got), 0x10))))
    return got == msg


def main():
    p = argparse.ArgumentParser(description="Inject malformed frames into a VM's network.")
    p.add_argument("sock_dir")
    p.add_argument("--frames", type=int, default=1000, help="frames per phase (default 1000)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--mac", default="52:54:00:00:01:01", help="the target's MAC")
    p.add_argument("--ip", default="10.0.0.1", help="the target's IPv4 address")
    p.add_argument("--phases", default=",".join(n for n, _ in PHASES),
                   help="comma-separated phases to run (default: all, in order)")
    p.add_argument("--wait", type=float, default=30, help="seconds to wait for the VM's socket")
    args = p.parse_args()

    r = random.Random(args.seed)
    target = bytes.fromhex(args.mac.replace(":", ""))
    link_end = time.monotonic() + args.wait
    while not os.path.exists(os.path.join(args.sock_dir, "vm.sock")):
        if time.monotonic() > link_end:
            print("inject: the VM's socket never appeared", flush=True)
            return 2
        time.sleep(0.1)
    link = Link(args.sock_dir, target, socket.inet_aton(args.ip))
    try:
        t0 = time.monotonic()
        wanted = args.phases.split(",")
        for name, gen in [(n, g) for n, g in PHASES if n in wanted]:
            before = link.sent
            for _ in range(args.frames):
                link.send(gen(r, link))
                if name == "syn-flood":
                    # Paced, so the SYNs reach the stack rather than
                    # overflow the VM's receive ring: the point is a
                    # listener full of half-open connections.
                    time.sleep(0.001)
            print(f"inject: {name}: {link.sent - before} frames", flush=True)
        conn = connect(link, r)
        if not conn:
            print("inject: FAIL no SYN-ACK from the echo port after the garbage", flush=True)
            return 1
        # The SYN flood left its half-open connections in the listener's
        # backlog: a stack that keeps them (20 s in lwIP) answers none of
        # the first SYNs; one that makes room answers the first.
        print(f"inject: connected to the echo port with {conn[3]} SYN(s) "
              f"({time.monotonic() - t0:.1f} s)", flush=True)
        if conn[3] > 2:
            print("inject: FAIL the echo port ignored SYNs after the flood", flush=True)
            return 1
        # Two connections' initial sequence numbers: RFC 6528 makes them
        # unrelated. lwIP's own generator gave every connection of the first
        # half second after boot 6509 or 6510, guessable by any sender.
        other = connect(link, r)
        if not other:
            print("inject: FAIL no SYN-ACK for a second connection", flush=True)
            return 1
        link.send(eth(link.mac, ETH_IP, ip4(ME_IP, link.ip, 6,
                                            tcp(ME_IP, link.ip, other[0], ECHO_PORT, other[1],
                                                other[2], 0x14))))
        isn_a, isn_b = (conn[2] - 1) & 0xFFFFFFFF, (other[2] - 1) & 0xFFFFFFFF
        gap = min((isn_a - isn_b) & 0xFFFFFFFF, (isn_b - isn_a) & 0xFFFFFFFF)
        print(f"inject: the echo port's initial sequence numbers {isn_a} and {isn_b}", flush=True)
        if gap < 1 << 16:
            print("inject: FAIL predictable initial sequence numbers", flush=True)
            return 1
        conn = conn[:3]
        abuse(link, r, conn, args.frames)
        print(f"inject: in-window abuse: {args.frames} segments ({time.monotonic() - t0:.1f} s)",
              flush=True)
        ok = echo(link, conn)
        print(f"inject: {link.sent} frames sent, {link.dropped} not accepted by the socket, "
              f"{link.skipped} empty ones skipped, {link.received} received, "
              f"{time.monotonic() - t0:.1f} s", flush=True)
        print("inject: echo ok" if ok else "inject: FAIL no echo on the abused connection",
              flush=True)
        return 0 if ok else 1
    finally:
        link.close()


if __name__ == "__main__":
    sys.exit(main())
