#!/usr/bin/env python3
"""seeds.py - writes the seed inputs of tests/fuzz/corpus/TARGET/seed-*,
built from the inputs the unit tests use (tests/unit/test_*.c,
tests/pmi/test_pmi.py), in each harness's input layout (the comment at
the top of tests/fuzz/fuzz_TARGET.c).

    python3 tests/fuzz/seeds.py          (rewrites the seed-* files)

Inputs the fuzzer found are kept beside the seeds under other names;
this script leaves them alone.
"""

import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")


def u8(v): return struct.pack("<B", v)
def u16(v): return struct.pack("<H", v)
def u32(v): return struct.pack("<I", v)
def u64(v): return struct.pack("<Q", v)


def pad8(b):
    return b + b"\0" * (-len(b) % 8)


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def checksum(b, at):
    b = bytearray(b)
    b[at] = 0
    b[at] = (-sum(b)) & 0xFF
    return bytes(b)


# --- cmdline (tests/unit/test_cmdline.c) ----------------------------------
def cmdline():
    for i, text in enumerate([
        "loglevel=info probe  -- ./ring 10 x=y",
        "  \t ", "--", "a=",
        "-- 'two words' \"say \\\"hi\\\"\" a\\ b 'it'\"'\"'s' ''",
        "msg='hello world' -- '--' --",
        "env=A=1 env=B=2",
        "ok=1 =x", "a@b=1", "x=1 -- 'open", "-- \"open", "-- end\\",
        " ".join(f"k{i}" for i in range(65)),
        "--" + " a" * 257,
        "virtio_mmio.device=4K@0xd0000000:5 loglevel=debug stats idle=poll cpus=4 -- app",
    ]):
        write("cmdline", f"{i:02d}", text.encode())


# --- bootinfo (tests/unit/test_bootinfo.c) --------------------------------
def mb2_tag(type_, body):
    return pad8(u32(type_) + u32(8 + len(body)) + body)


def mb2(with_memmap=True, cmdline=b"probe -- a"):
    memmap = u32(24) + u32(0) + b"".join(
        u64(base) + u64(size) + u32(1) + u32(0)
        for base, size in [(0, 0x9FC00), (0x100000, 0x3FF00000)])
    tags = mb2_tag(1, cmdline + b"\0")
    if with_memmap:
        tags += mb2_tag(6, memmap)
    tags += mb2_tag(3, u32(0x400000) + u32(0x401000) + b"initrd\0\0")
    tags += mb2_tag(14, b"RSD PTR " + b"\0" * 12)
    tags += mb2_tag(0, b"")
    return u32(8 + len(tags)) + u32(0) + tags


def pvh(version=1, entries=3):
    # Addresses are offsets into the block (fuzz_bootinfo.c relocates them).
    cmd_off = 56
    cmd = pad8(b"loglevel=info -- app x\0")
    name_off = cmd_off + len(cmd)
    name = pad8(b"/input.dat\0")
    mods_off = name_off + len(name)
    mods = u64(0x800000) + u64(0x1234) + u64(name_off) + u64(0)
    map_off = mods_off + len(mods)
    memmap = b"".join(u64(a) + u64(s) + u32(t) + u32(0) for a, s, t in
                      [(0, 0x9FC00, 1), (0xF0000, 0x10000, 2), (0x100000, 0x7F00000, 1)])
    si = (u32(0x336EC578) + u32(version) + u32(0) + u32(1) + u64(mods_off) + u64(cmd_off) +
          u64(0xF5A40) + u64(map_off) + u32(entries) + u32(0))
    assert len(si) == 56
    return si + cmd + name + mods + memmap


def bootinfo():
    write("bootinfo", "mb2", u8(0) + mb2())
    write("bootinfo", "mb2-no-memmap", u8(0) + mb2(with_memmap=False, cmdline=b"x"))
    write("bootinfo", "mb2-long-cmdline", u8(0) + mb2(cmdline=b"x" * 4096))
    write("bootinfo", "pvh", u8(1) + pvh())
    write("bootinfo", "pvh-v0", u8(1) + pvh(version=0))
    write("bootinfo", "pvh-no-entries", u8(1) + pvh(entries=0))


# --- ACPI and MP tables (tests/unit/test_acpi.c, test_mptable.c) -----------
BASE = 0xF0000      # where fuzz_platform.h puts the input (after 5 bytes)


def table(sig, body, revision=1):
    t = sig + u32(36 + len(body)) + u8(revision) + u8(0) + b"HERMIT" + b"HERMITXX" + \
        u32(1) + b"HRMT" + u32(1) + body
    return checksum(t, 9)


def madt_body():
    e = b""
    e += u8(0) + u8(8) + u8(0) + u8(0) + u32(1)                 # local APIC, enabled
    e += u8(0) + u8(8) + u8(1) + u8(1) + u32(2)                 # online capable
    e += u8(0) + u8(8) + u8(2) + u8(7) + u32(0)                 # placeholder
    e += u8(9) + u8(16) + u16(0) + u32(300) + u32(1) + u32(3)   # x2APIC
    e += u8(1) + u8(12) + u8(2) + u8(0) + u32(0xFEC00000) + u32(0)
    e += u8(2) + u8(10) + u8(0) + u8(0) + u32(2) + u16(0)       # IRQ0 -> GSI2
    e += u8(2) + u8(10) + u8(0) + u8(9) + u32(9) + u16(0xD)     # SCI level/low
    e += u8(4) + u8(6) + u8(0xFF) + u16(5) + u8(1)              # NMI LINT1, all
    e += u8(10) + u8(12) + u16(5) + u32(0xFFFFFFFF) + u8(1) + b"\0\0\0"
    e += u8(5) + u8(12) + u16(0) + u64(0xFEE00000)
    return u32(0xFEE00000) + u32(1) + e


def dsdt_body():
    # Name(\_S5_, Package(4){5, 0, 0, 0}) after some unrelated AML.
    return b"\x10\x05\\_SB_" + b"\x08\\_S5_\x12\x07\x04\x0a\x05\x00\x00\x00" + b"\x5b\x80"


def fadt_body(dsdt):
    b = bytearray(244 - 36)
    b[40 - 36:44 - 36] = u32(dsdt)
    b[64 - 36:68 - 36] = u32(0x604)
    b[76 - 36:80 - 36] = u32(0x608)
    b[140 - 36:148 - 36] = u64(dsdt)
    return bytes(b)


def mcfg_body():
    return b"\0" * 8 + u64(0xB0000000) + u16(0) + u8(0) + u8(0xFF) + u32(0)


def acpi_image(xsdt=True):
    """RSDP at BASE, then the tables, each 16-aligned; returns the blob."""
    blob = bytearray(b"\0" * 0x40)
    addrs = {}

    def place(name, data):
        while len(blob) % 16:
            blob.append(0)
        addrs[name] = BASE + len(blob)
        blob.extend(data)

    place("madt", table(b"APIC", madt_body(), 5))
    place("dsdt", table(b"DSDT", dsdt_body(), 2))
    place("fadt", table(b"FACP", fadt_body(addrs["dsdt"]), 6))
    place("mcfg", table(b"MCFG", mcfg_body(), 1))
    listed = [addrs["madt"], addrs["fadt"], addrs["mcfg"], 0]
    place("rsdt", table(b"RSDT", b"".join(u32(a) for a in listed)))
    place("xsdt", table(b"XSDT", b"".join(u64(a) for a in listed)))
    rsdp = b"RSD PTR " + u8(0) + b"HERMIT" + u8(2 if xsdt else 0) + u32(addrs["rsdt"])
    if xsdt:
        rsdp += u32(36) + u64(addrs["xsdt"]) + u8(0) + b"\0\0\0"
        rsdp = checksum(rsdp[:20], 8) + rsdp[20:]
        rsdp = checksum(rsdp, 32)
    else:
        rsdp = checksum(rsdp, 8)
    blob[0:len(rsdp)] = rsdp
    return bytes(blob)


def mp_image(default_type=0):
    fp_len = 16
    table_at = BASE + 0x10
    fp = b"_MP_" + u32(0 if default_type else table_at) + u8(1) + u8(4) + u8(0) + \
        u8(default_type) + u8(0x80) + b"\0\0\0"
    fp = checksum(fp, 10)
    e = b""
    for apic, flags in [(0, 3), (1, 1), (2, 0)]:
        e += u8(0) + u8(apic) + u8(0x14) + u8(flags) + u32(0x663) + u32(0x1FBFF) + b"\0" * 8
    e += u8(1) + u8(0) + b"PCI   "
    e += u8(1) + u8(1) + b"ISA   "
    e += u8(2) + u8(2) + u8(0x11) + u8(1) + u32(0xFEC00000)
    e += u8(3) + u8(0) + u16(0) + u8(1) + u8(0) + u8(2) + u8(2)     # ISA IRQ0 -> pin 2
    e += u8(3) + u8(0) + u16(0xF) + u8(1) + u8(9) + u8(2) + u8(9)   # IRQ9 level/low
    e += u8(3) + u8(0) + u16(0) + u8(0) + u8(0x0C) + u8(2) + u8(16)  # PCI: ignored
    e += u8(4) + u8(1) + u16(0) + u8(1) + u8(0) + u8(0xFF) + u8(1)   # NMI LINT1
    count = 3 + 2 + 1 + 3 + 1
    hdr = b"PCMP" + u16(44 + len(e)) + u8(4) + u8(0) + b"HERMIT  " + b"HERMIT      " + \
        u32(0) + u16(0) + u16(count) + u32(0xFEE00000) + u16(0) + u8(0) + u8(0)
    assert len(hdr) == 44
    pcmp = checksum(hdr + e, 7)
    return fp + (b"" if default_type else pcmp)


def platform():
    # flags, EBDA segment, KiB of base memory, then the image at 0xF0000.
    head = u8(0) + u16(0x9FC0) + u16(639)
    write("acpi", "xsdt", head + acpi_image(True))
    write("acpi", "rsdt", head + acpi_image(False))
    write("acpi", "xsdt-sums-kept", u8(1) + head[1:] + acpi_image(True))
    write("madt", "qemu", table(b"APIC", madt_body(), 5))
    write("mptable", "config", head + mp_image())
    write("mptable", "default-5", head + mp_image(default_type=5))
    write("mptable", "config-sums-kept", u8(1) + head[1:] + mp_image())


# --- cpio (tests/unit/test_cpio.c) ----------------------------------------
def cpio_entry(name, mode, data=b""):
    name = name.encode() + b"\0"
    h = ("070701" + "".join(f"{v:08X}" for v in
                            [1, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name), 0])).encode()
    out = h + name
    out += b"\0" * (-len(out) % 4)
    out += data + b"\0" * (-len(data) % 4)
    return out


def cpio():
    archive = (cpio_entry("data", 0o40755) + cpio_entry("data/a.txt", 0o100644, b"alpha") +
               cpio_entry("./b", 0o100600, b"bravo!") + cpio_entry("/abs/c", 0o100644) +
               cpio_entry("TRAILER!!!", 0))
    write("cpio", "files", u8(0) + archive)
    write("cpio", "stop-after-1", u8(1) + archive)
    write("cpio", "truncated", u8(0) + archive[:120])


# --- virtq (tests/unit/test_virtqueue.c) ----------------------------------
ADD, KICK, USED, JUMP, GET, ENABLE, DISABLE, PENDING, EVENT, DRAIN = range(10)


def vq_add(out, nin, *lens):
    return u8(ADD) + u8(out) + u8(nin) + b"".join(u16(n) for n in lens)


def vq_used(length, id_=None):
    return u8(USED) + u8(0 if id_ is None else 0x80) + u32(id_ or 0) + u32(length)


def virtq():
    rx = vq_add(0, 1, 1526) * 4 + u8(KICK) + vq_used(60) + vq_used(1526) + u8(GET) * 2
    write("virtq", "rx-8", u8(3) + rx + u8(ENABLE) + vq_used(100) + u8(DRAIN))
    write("virtq", "rx-8-event-idx", u8(3 | 8) + rx + u8(EVENT) + u16(0) + u16(3) +
          vq_add(0, 1, 1526) + u8(KICK) + u8(DISABLE) + vq_used(10) + u8(PENDING) + u8(DRAIN))
    tx = vq_add(2, 0, 12, 1000) + vq_add(3, 0, 12, 20, 30) + u8(KICK) + vq_used(0) + \
        vq_used(0) + u8(DRAIN) + vq_add(1, 0, 42) * 3
    write("virtq", "tx-4", u8(2) + tx)
    write("virtq", "full-2", u8(1) + vq_add(1, 1, 10, 10) + vq_add(1, 0, 1) + vq_add(0, 0))
    write("virtq", "wrap-1", u8(0) + (vq_add(0, 1, 64) + u8(KICK) + vq_used(64) + u8(GET)) * 40)
    write("virtq", "bad-id", u8(3) + vq_add(0, 1, 100) + u8(KICK) + vq_used(5, id_=7) + u8(GET))
    write("virtq", "jump", u8(3) + vq_add(0, 1, 100) + u8(KICK) + u8(JUMP) + u16(3) + u8(DRAIN))


# --- vnet_hdr (tests/unit/test_vnet_hdr.c) --------------------------------
def vnet_hdr():
    payload = b"hello, checksum" * 3
    udp = struct.pack(">HHHH", 12345, 7, 8 + len(payload), 0x1234)
    ip = bytes.fromhex("4500") + struct.pack(">H", 20 + len(udp) + len(payload)) + \
        bytes.fromhex("00004000401100000a0000020a000001")
    frame = b"\xff" * 6 + b"\x52\x54\x00\x12\x34\x56" + b"\x08\x00" + ip + udp + payload
    hdr = u8(1) + u8(0) + u16(0) + u16(0) + u16(34) + u16(6) + u16(1)
    write("vnet_hdr", "udp-12-whole", u8(1) + u8(0) + b"\0" * 7 + hdr + frame)
    write("vnet_hdr", "udp-12-pieces", u8(1) + u8(3) + bytes([35, 1, 7, 0, 0, 0, 0]) + hdr + frame)
    write("vnet_hdr", "udp-10-odd-split", u8(0) + u8(7) + bytes([13, 1, 22, 3, 5, 0, 2]) +
          hdr[:10] + frame)
    write("vnet_hdr", "field-past-end", u8(1) + u8(1) + bytes([20] * 7) +
          u8(1) + u8(0) + u16(0) + u16(0) + u16(40) + u16(30) + u16(1) + frame[:60])


# --- metadata (tests/unit/test_metadata_parse.c) --------------------------
def metadata():
    gce = (b"HTTP/1.1 200 OK\r\nMetadata-Flavor: Google\r\nContent-Type: application/text\r\n"
           b"Content-Length: 8\r\n\r\n10.0.0.2extra")
    user = (b"# job settings\nhermit-rank=3\n  hermit-head = 10.128.0.1:7470 \r\n"
            b"noequals\nhermit-args=-n 5 'two words'\nhermit-rank=4")
    meta = (b'{"uuid": "d8e02d56-2648-49a3-bf97-6be8f1204f38", "launch_index": 0,'
            b' "public_keys": {"k": "ssh-rsa AAA"}, "keys": [{"name": "k", "type": "ssh"}],'
            b' "hermit-rank": "outside meta",'
            b' "meta": {"hermit-rank": "2", "hermit-args": "say \\"hi\\"\\n\\u0041",'
            b' "nested": {"hermit-size": "9"}, "hermit-size": "4"},'
            b' "availability_zone": "nova", "flag": true, "none": null, "x": -1.5e3}')
    write("metadata", "http-gce", u8(0) + u8(63) + gce)
    write("metadata", "http-header", u8(1) + u8(63) + b"metadata-flavor\n" + gce)
    write("metadata", "http-10-404", u8(0) + u8(63) + b"HTTP/1.0 404 Not Found\n\nnope")
    write("metadata", "http-short", u8(0) + u8(63) +
          b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort")
    write("metadata", "user-data", u8(2) + u8(63) + b"hermit-head\n" + user)
    write("metadata", "user-data-small", u8(2) + u8(7) + b"hermit-head\n" + user)
    write("metadata", "json", u8(3) + u8(63) + b"hermit-args\n" + meta)
    write("metadata", "json-small", u8(3) + u8(4) + b"hermit-args\n" + meta)
    write("metadata", "json-deep", u8(3) + u8(63) + b"a\n" + b'{"x": ' + b"[" * 60)


# --- dhcp_options (tests/unit/test_dhcp_options.c) ------------------------
def dhcp_options():
    discover = bytes([53, 1, 1, 57, 2, 0x05, 0xdc, 55, 3, 1, 3, 28, 12, 4]) + b"rank"
    write("dhcp_options", "discover", u8(26) + u8(50) + discover)
    write("dhcp_options", "no-room", u8(26) + u8(1) + discover)
    write("dhcp_options", "list-last", u8(26) + u8(9) + bytes([53, 1, 3, 55, 2, 1, 3]))
    write("dhcp_options", "padded", u8(26) + u8(10) + bytes([0, 0, 55, 1, 1]))
    write("dhcp_options", "ended", u8(26) + u8(10) + bytes([255, 55, 1, 1]))
    write("dhcp_options", "mtu", u8(26) + u8(0) + bytes([0x05, 0xb4]))


# --- pmi (tests/pmi/test_pmi.py; format in tests/fuzz/fuzz_pmi.py) --------
def pmi():
    def session(rank, extra=()):
        lines = [f"cmd=initack pmiid={rank}", "cmd=init pmi_version=1 pmi_subversion=1",
                 "cmd=get_maxes", "cmd=get_appnum", "cmd=get_my_kvsname",
                 "cmd=get_universe_size", f"cmd=put kvsname=KVS key=k{rank} value=v{rank}",
                 "cmd=barrier_in", "cmd=get kvsname=KVS key=PMI_process_mapping",
                 f"cmd=get kvsname=KVS key=k{1 - rank}", *extra]
        return [f"{rank} {line}" for line in lines]
    two = session(0) + session(1) + ["0 cmd=finalize", "1 cmd=finalize"]
    write("pmi", "two-ranks", ("size=2\n" + "\n".join(two) + "\n").encode())
    one = session(0, ["cmd=abort exitcode=7"])
    write("pmi", "abort", ("size=1\n" + "\n".join(one) + "\n").encode())
    bad = ["0 cmd=get_maxes", "1 cmd=initack pmiid=9", "2 cmd=initack pmiid=0",
           "3 cmd=initack pmiid=0", "2 cmd=initack pmiid=0", "2 cmd=frobnicate",
           "2 cmd=put kvsname=x key=a value=b", "2 key=value", "2 cmd=put kvsname=KVS key= value=",
           "2 \xff\xfe", "4 noeq"]
    write("pmi", "bad-lines", ("size=2\n" + "\n".join(bad) + "\n").encode("latin-1"))
    adopt = ["a1 cmd=put kvsname=KVS key=x value=y", "a1 cmd=barrier_in", "0 cmd=initack pmiid=0",
             "0 cmd=barrier_in", "a1 cmd=initack pmiid=1", "a1 cmd=finalize"]
    write("pmi", "adopt", ("size=2\n" + "\n".join(adopt) + "\n").encode())


# --- lwip (frames as tests/suites/net*.sh exchange them) -------------------
OUR_MAC, PEER_MAC = bytes.fromhex("525400123456"), bytes.fromhex("525400000001")
OUR_IP, PEER_IP = bytes([10, 0, 0, 2]), bytes([10, 0, 0, 1])


def inet_sum(b):
    b += b"\0" * (len(b) % 2)
    s = sum(struct.unpack(f">{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def eth(payload, ethertype=0x0800, dst=OUR_MAC):
    return dst + PEER_MAC + struct.pack(">H", ethertype) + payload


def ipv4(proto, payload, src=PEER_IP, dst=OUR_IP, ident=1, frag=0x4000, total=None):
    h = struct.pack(">BBHHHBBH4s4s", 0x45, 0, total or 20 + len(payload), ident, frag, 64,
                    proto, 0, src, dst)
    return h[:10] + struct.pack(">H", inet_sum(h)) + h[12:] + payload


def l4_sum(proto, seg, src=PEER_IP, dst=OUR_IP):
    return inet_sum(src + dst + struct.pack(">BBH", 0, proto, len(seg)) + seg)


def tcp(sport, dport, seq, ack, flags, data=b"", window=65535):
    h = struct.pack(">HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, window, 0, 0)
    seg = h + data
    c = l4_sum(6, seg)
    return eth(ipv4(6, seg[:16] + struct.pack(">H", c) + seg[18:]))


def udp(sport, dport, data, src=PEER_IP, dst=OUR_IP, dst_mac=OUR_MAC):
    seg = struct.pack(">HHHH", sport, dport, 8 + len(data), 0) + data
    c = l4_sum(17, seg, src, dst) or 0xFFFF
    return eth(ipv4(17, seg[:6] + struct.pack(">H", c) + seg[8:], src, dst), dst=dst_mac)


def arp(op, target_mac=b"\0" * 6, dst=OUR_MAC):
    return eth(struct.pack(">HHBBH", 1, 0x0800, 6, 4, op) + PEER_MAC + PEER_IP + target_mac +
               OUR_IP, 0x0806, dst)


def frames(*fs, ticks=1, flags=0):
    return u8(flags) + b"".join(struct.pack("<HB", len(f), ticks) + f for f in fs)


def dhcp_reply(msg_type, xid=0x6B8B4567):
    opts = bytes([53, 1, msg_type, 54, 4, *PEER_IP, 51, 4, 0, 0, 0x0e, 0x10, 1, 4, 255, 255, 255,
                  0, 3, 4, *PEER_IP, 6, 4, *PEER_IP, 26, 2, 0x05, 0xb4, 255])
    bootp = struct.pack(">BBBBIHH4s4s4s4s16s64s128s", 2, 1, 6, 0, xid, 0, 0, b"\0" * 4, OUR_IP,
                        PEER_IP, b"\0" * 4, OUR_MAC + b"\0" * 10, b"", b"") + \
        bytes([99, 130, 83, 99]) + opts
    return udp(67, 68, bootp, dst=bytes([255] * 4), dst_mac=b"\xff" * 6)


def lwip():
    reply = arp(2, OUR_MAC)
    write("lwip", "arp", frames(arp(1, dst=b"\xff" * 6), reply))
    ping = struct.pack(">BBHHH", 8, 0, 0, 1, 1) + b"abcdefgh" * 4
    ping = ping[:2] + struct.pack(">H", inet_sum(ping)) + ping[4:]
    write("lwip", "ping", frames(reply, eth(ipv4(1, ping))))
    write("lwip", "tcp-echo", frames(
        reply, tcp(40000, 7, 1000, 0, 0x02), tcp(40000, 7, 1001, 0x1001, 0x10),
        tcp(40000, 7, 1001, 0x1001, 0x18, b"hello, echo"),
        tcp(40000, 7, 1012, 0x1001 + 11, 0x11), ticks=2))
    write("lwip", "tcp-discard-rst", frames(
        reply, tcp(40001, 9, 7, 0, 0x02), tcp(40001, 9, 8, 0x1001, 0x10),
        tcp(40001, 9, 8, 0x1001, 0x18, b"x" * 1000), tcp(40001, 9, 1008, 0, 0x04)))
    write("lwip", "tcp-client", frames(
        # lwIP's active open sends its SYN with sequence number ISN - 1.
        reply, tcp(5000, 40001, 9000, 0x1000, 0x12), tcp(5000, 40001, 9001, 0x1000, 0x18, b"hi"),
        tcp(5000, 40001, 9003, 0x1002, 0x11), ticks=4))
    write("lwip", "udp-echo", frames(reply, udp(3000, 7, b"ping over udp")))
    data = struct.pack(">HHHH", 3000, 7, 8 + 40, 0) + b"F" * 40
    c = l4_sum(17, data)
    data = data[:6] + struct.pack(">H", c) + data[8:]
    write("lwip", "ip-fragments", frames(
        reply, eth(ipv4(17, data[:24], ident=77, frag=0x2000)),
        eth(ipv4(17, data[24:], ident=77, frag=3))))
    write("lwip", "dhcp", frames(dhcp_reply(2), reply, dhcp_reply(5), ticks=20, flags=1))


if __name__ == "__main__":
    for make in (cmdline, bootinfo, platform, cpio, virtq, vnet_hdr, metadata, dhcp_options, pmi,
                 lwip):
        make()
