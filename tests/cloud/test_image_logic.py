#!/usr/bin/env python3
"""test_image_logic.py - the pure parts of cluster/hermit-image (its
modules cluster/disk_layout.py and cluster/disk_contents.py), on the
host, no VM, no disk tools: size rounding per format, --size/--name/
--cmdline checks, grub.cfg's text and quoting, GRUB's boot sector and
core.img patches (against the installed boot.img when there is one), the
GPT reader against tables built here (and their corruptions), the VHD
footer, the multiboot2/ELF checks and the MANIFEST. Prints one PASS/FAIL
line per case.
"""

import binascii
import hashlib
import os
import struct
import sys
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(HERE, "..", "..", "cluster"))
import disk_build  # noqa: E402  (cluster/disk_build.py: only its GRUB_DIR)
import disk_contents as contents  # noqa: E402  (cluster/disk_contents.py)
import disk_layout as layout  # noqa: E402  (cluster/disk_layout.py)

MIB, GIB = layout.MIB, layout.GIB
failures = 0


def check(name, ok, detail=""):
    global failures
    print(f"PASS {name}" if ok else f"FAIL {name}: {detail}")
    failures += 0 if ok else 1


def refused(fn, *args, needle="", status=None):
    try:
        fn(*args)
    except layout.ImageError as e:
        return needle in str(e) and (status is None or e.status == status)
    return False


def test_sizes():
    check("round-up", layout.round_up(1, MIB) == MIB and layout.round_up(MIB, MIB) == MIB
          and layout.round_up(0, GIB) == 0)
    check("esp-minimum", layout.esp_size(1000) == layout.ESP_MIN)
    big = layout.esp_size(100 * MIB)
    check("esp-grows", big >= 100 * MIB + 12 * MIB and big % MIB == 0, str(big))
    esp = layout.ESP_MIN
    check("size-raw-default", layout.disk_size("raw", esp) == 64 * MIB)
    check("size-qcow2-default", layout.disk_size("qcow2", esp) == 64 * MIB)
    check("size-gce-whole-gib", layout.disk_size("gce", esp) == GIB)
    check("size-gce-grows-by-gib", layout.disk_size("gce", GIB) == 2 * GIB)
    vhd = layout.disk_size("vhd", 100 * MIB + 3)
    check("size-vhd-whole-mib", vhd % MIB == 0 and vhd >= layout.min_disk_size(100 * MIB + 3),
          str(vhd))
    check("size-given", layout.disk_size("raw", esp, 3) == 3 * GIB and
          layout.disk_size("gce", esp, 2) == 2 * GIB)
    check("size-too-small", refused(layout.disk_size, "raw", 2 * GIB, 1, needle="too small"))
    check("size-parse", layout.parse_size_gib("10") == 10 and layout.parse_size_gib(None) is None)
    for bad in ("0", "-1", "1.5", "1G", "", "abc", str(layout.MAX_SIZE_GIB + 1)):
        if not refused(layout.parse_size_gib, bad, needle="whole number of GiB", status=2):
            check("size-parse-refuses", False, repr(bad))
            break
    else:
        check("size-parse-refuses", True)
    # The backup GPT needs 33 sectors after the last partition.
    check("min-disk-room-for-backup-gpt",
          layout.min_disk_size(esp) - (layout.ESP_LBA * 512 + esp) >= 33 * 512)


def test_names_and_cmdline():
    check("argv0", contents.argv0_of("/x/build/hello.elf") == "hello" and
          contents.argv0_of("app") == "app" and contents.argv0_of(".elf") == ".elf")
    check("default-name", contents.default_name("hello") == "hermit-hello" and
          contents.default_name("My_App.v2") == "hermit-my-app-v2" and
          contents.default_name("___") == "hermit")
    check("default-name-fits", contents.check_name(contents.default_name("x" * 200)) is not None)
    check("name-ok", contents.check_name("a") == "a" and
          contents.check_name("mpi-job-7") == "mpi-job-7")
    bad = [n for n in ("", "7up", "Upper", "ends-", "under_score", "a" * 64)
           if not refused(contents.check_name, n, status=2)]
    check("name-refused", not bad, str(bad))
    check("cmdline-default", contents.kernel_words(None) == ["ip=dhcp", "cloud=auto"])
    check("cmdline-empty", contents.kernel_words("") == [])
    check("cmdline-quoted", contents.kernel_words("a=1 'b=two words'") == ["a=1", "b=two words"])
    check("cmdline-newline", refused(contents.kernel_words, "a\nb", needle="one line"))
    check("cmdline-unbalanced", refused(contents.kernel_words, "a 'b", status=2))
    check("cmdline-no-argv", refused(contents.kernel_words, "a -- b", needle="after --"))
    check("words-ok", contents.check_words(["a b", "it's", "$x"], "argument") ==
          ["a b", "it's", "$x"])
    check("words-empty", refused(contents.check_words, ["a", ""], "argument",
                                 needle="argument 2 is empty", status=2))
    check("words-tab", refused(contents.check_words, ["a\tb"], "argument",
                               needle="control character"))
    check("cmdline-empty-word", refused(contents.kernel_words, "a ''", needle="kernel option 2"))
    check("loader-cmdline", contents.loader_cmdline([], ["hello"]) == "-- hello" and
          contents.loader_cmdline(["ip=dhcp"], ["a", "b"]) == "ip=dhcp -- a b")


def test_grub_cfg():
    cfg = contents.grub_cfg("hermit-hello", ["ip=dhcp", "cloud=auto"], ["hello"])
    lines = [ln.strip() for ln in cfg.splitlines()]
    check("cfg-serial", lines[:3] == ["serial --unit=0 --speed=115200",
                                      "terminal_input serial console",
                                      "terminal_output serial console"], str(lines[:3]))
    check("cfg-timeout-0", "set timeout=0" in lines)
    check("cfg-entry", "multiboot2 /boot/hermit/app.elf ip=dhcp cloud=auto -- hello" in lines
          and "boot" in lines and cfg.count("menuentry") == 1, cfg)
    empty = contents.grub_cfg("n", [], ["hello"])
    check("cfg-no-options", "multiboot2 /boot/hermit/app.elf -- hello" in empty, empty)
    odd = contents.grub_cfg("n", ["x=a b"], ["app", "it's", "", "$HOME;{}"])
    check("cfg-quoting",
          "multiboot2 /boot/hermit/app.elf 'x=a b' -- app 'it'\\''s' '' '$HOME;{}'" in odd, odd)
    check("cfg-quote-plain", contents.grub_quote("ip=10.0.0.2/24,gw") == "ip=10.0.0.2/24,gw")
    check("cfg-parse", contents.parse_grub_cfg(cfg) ==
          ("/boot/hermit/app.elf", "ip=dhcp cloud=auto -- hello"))
    check("cfg-parse-none", contents.parse_grub_cfg("set timeout=0\n") is None)


def fake_boot_img():
    img = bytearray(512)
    img[0:2] = b"\xeb\x63"
    img[0x66:0x68] = b"\x74\x05"          # the drive check's jz
    img[0x180:0x186] = b"GRUB \0"
    img[510:512] = b"\x55\xaa"
    return bytes(img)


def protective_mbr(total):
    mbr = bytearray(512)
    mbr[0x1B8:0x1BC] = b"\x12\x34\x56\x78"
    entry = struct.pack("<B3sB3sII", 0, b"\0\x02\0", 0xEE, b"\xff\xff\xff", 1,
                        min(total - 1, 0xFFFFFFFF))
    mbr[0x1BE:0x1CE] = entry
    mbr[510:512] = b"\x55\xaa"
    return bytes(mbr)


def test_mbr():
    path = os.path.join(disk_build.GRUB_DIR, "i386-pc", "boot.img")
    real = os.path.isfile(path)
    boot = open(path, "rb").read() if real else fake_boot_img()
    old = protective_mbr(131072)
    mbr = layout.patch_mbr(boot, old, 2048)
    check("mbr-kernel-sector", struct.unpack_from("<Q", mbr, 0x5C)[0] == 2048)
    check("mbr-drive-check-nops", mbr[0x66:0x68] == b"\x90\x90")
    check("mbr-boot-drive", mbr[0x64] == 0xFF)
    check("mbr-table-kept", mbr[0x1B8:510] == old[0x1B8:510] and mbr[510:] == b"\x55\xaa")
    unchanged = [i for i in range(0x1B8) if mbr[i] != boot[i]
                 and not (0x03 <= i < 0x5A or 0x5C <= i < 0x64 or i in (0x64, 0x66, 0x67))]
    check("mbr-code-is-boot-img" + ("" if real else "-fake"), not unchanged, str(unchanged[:8]))
    check("mbr-check-ok", layout.check_boot_code(mbr, 2048) == [],
          str(layout.check_boot_code(mbr, 2048)))
    check("mbr-check-wrong-lba", layout.check_boot_code(mbr, 4096) != [])
    check("mbr-check-blank", layout.check_boot_code(old, 2048) != [])
    unpatched = bytearray(mbr)
    unpatched[0x66:0x68] = boot[0x66:0x68]
    check("mbr-check-drive-check", any("drive check" in p for p in
                                       layout.check_boot_code(bytes(unpatched), 2048)))
    check("mbr-protective", layout.protective_mbr_problems(old, 131072) == [] and
          layout.protective_mbr_problems(old, 131000) != [] and
          layout.protective_mbr_problems(bytes(512), 131072) != [])
    check("mbr-sizes", refused(layout.patch_mbr, boot[:511], old, 2048))


def fake_core(sectors):
    core = bytearray(512 * sectors)
    core[:4] = b"\x52\xe8\x28\x01"          # diskboot's first bytes
    struct.pack_into("<QHH", core, 500, 2, sectors - 1, 0x820)
    return bytes(core)


def test_core():
    core = fake_core(60)
    patched = layout.patch_core(core, 2048)
    start, length, seg = struct.unpack_from("<QHH", patched, 500)
    check("core-blocklist", start == 2049 and length == 59 and seg == 0x820,
          f"{start} {length} {seg:#x}")
    check("core-rest-unchanged", patched[:500] == core[:500] and patched[512:] == core[512:])
    check("core-check-ok", layout.check_core(patched[:512], 2048, 2048) == 60)
    check("core-check-wrong-lba", isinstance(layout.check_core(patched[:512], 4096, 2048), list))
    check("core-check-too-long", isinstance(layout.check_core(patched[:512], 2048, 50), list))
    check("core-bad-length", refused(layout.patch_core, fake_core(60)[:512 * 59], 2048,
                                     needle="block list"))
    no_term = bytearray(core)
    struct.pack_into("<QHH", no_term, 488, 7, 3, 0x820)
    check("core-no-terminator", refused(layout.patch_core, bytes(no_term), 2048,
                                        needle="terminator"))
    check("core-too-small", refused(layout.patch_core, core[:512], 2048))
    path = os.path.join(disk_build.GRUB_DIR, "i386-pc", "diskboot.img")
    if os.path.isfile(path):
        # grub-mkimage puts diskboot.img first; its default segment is the one we expect.
        disk = open(path, "rb").read()
        check("core-diskboot-segment",
              struct.unpack_from("<H", disk, 510)[0] == layout.BLOCKLIST_SEGMENT)


def make_gpt(total, parts, esize=128, count=128):
    """A disk image (bytes) of TOTAL sectors with a protective MBR and GPT."""
    disk = bytearray(total * 512)
    disk[:512] = protective_mbr(total)
    table = bytearray(count * esize)
    for i, (type_guid, first, last, name) in enumerate(parts):
        e = uuid.UUID(type_guid).bytes_le + uuid.uuid4().bytes_le + \
            struct.pack("<QQQ", first, last, 0) + name.encode("utf-16-le").ljust(72, b"\0")
        table[i * esize:i * esize + len(e)] = e
    tsec = len(table) // 512
    table_crc = binascii.crc32(table)
    guid = uuid.uuid4().bytes_le

    def header(my, alt, entries):
        h = bytearray(layout.GPT_HEADER.pack(b"EFI PART", 0x10000, 92, 0, 0, my, alt, 2 + tsec,
                                             total - 2 - tsec, guid, entries, count, esize,
                                             table_crc))
        struct.pack_into("<I", h, 16, binascii.crc32(h))
        return bytes(h)

    disk[512:512 + 92] = header(1, total - 1, 2)
    disk[1024:1024 + len(table)] = table
    disk[(total - 1 - tsec) * 512:(total - 1) * 512] = table
    disk[(total - 1) * 512:(total - 1) * 512 + 92] = header(total - 1, 1, total - 1 - tsec)
    return disk


def gpt_of(disk):
    total = len(disk) // 512
    return layout.read_gpt(lambda lba, n: bytes(disk[lba * 512:(lba + n) * 512]), total)


def test_gpt():
    parts = [(layout.GUID_BIOS_BOOT, 2048, 4095, "BIOS boot"), (layout.GUID_ESP, 4096, 8191, "ESP")]
    disk = make_gpt(16384, parts)
    try:
        got = gpt_of(disk)
        ok = [(n, t, f, la) for n, t, f, la, _ in got] == \
            [(1, layout.GUID_BIOS_BOOT, 2048, 4095), (2, layout.GUID_ESP, 4096, 8191)]
        check("gpt-read", ok and got[1][4] == "ESP", str(got))
    except layout.ImageError as e:
        check("gpt-read", False, str(e))
    check("gpt-guid-text", layout.guid_str(uuid.UUID(layout.GUID_ESP).bytes_le) == layout.GUID_ESP)

    def corrupt(name, at, needle, data=None):
        bad = bytearray(data if data is not None else disk)
        if at is not None:
            bad[at] ^= 0xFF
        try:
            gpt_of(bad)
            check(name, False, "accepted")
        except layout.ImageError as e:
            check(name, needle in str(e), str(e))

    corrupt("gpt-primary-crc", 512 + 40, "primary GPT header's CRC32")
    corrupt("gpt-entries-crc", 1024 + 33, "entries' CRC32")
    corrupt("gpt-backup-crc", 16383 * 512 + 40, "backup GPT header's CRC32")
    corrupt("gpt-backup-entries-crc", (16383 - 32) * 512 + 33, "backup GPT partition entries")
    corrupt("gpt-no-signature", 512, "no primary GPT header")
    corrupt("gpt-truncated", None, "truncated", data=disk[:-512 * 2048])
    corrupt("gpt-grown", None, "disk ends", data=disk + bytes(512 * 2048))
    corrupt("gpt-tiny", None, "too small", data=disk[:512 * 40])
    outside = make_gpt(16384, [(layout.GUID_ESP, 4096, 16383, "ESP")])
    corrupt("gpt-partition-outside", None, "outside the usable range", data=outside)


def vhd_footer(size, disk_type=2):
    f = bytearray(512)
    f[0:8] = b"conectix"
    struct.pack_into(">II", f, 8, 2, 0x10000)
    struct.pack_into(">Q", f, 16, 0xFFFFFFFFFFFFFFFF)
    struct.pack_into(">QQ", f, 40, size, size)
    struct.pack_into(">I", f, 60, disk_type)
    struct.pack_into(">I", f, 64, ~sum(f) & 0xFFFFFFFF)
    return bytes(f)


def test_vhd():
    check("vhd-ok", layout.vhd_footer_problems(vhd_footer(64 * MIB), 64 * MIB + 512) == 64 * MIB)
    bad = bytearray(vhd_footer(64 * MIB))
    bad[30] ^= 1
    check("vhd-checksum", layout.vhd_footer_problems(bytes(bad), 64 * MIB + 512) != 64 * MIB)
    check("vhd-dynamic", "not fixed" in layout.vhd_footer_problems(vhd_footer(64 * MIB, 3),
                                                                    64 * MIB + 512)[0])
    check("vhd-size-mismatch", "footer says" in
          layout.vhd_footer_problems(vhd_footer(64 * MIB), 64 * MIB)[0])
    check("vhd-not-mib", "whole number of MiB" in
          layout.vhd_footer_problems(vhd_footer(64 * MIB + 512), 64 * MIB + 1024)[0])
    check("vhd-no-cookie", "conectix" in layout.vhd_footer_problems(bytes(512), 1024)[0])


def mb2_header(arch=0):
    magic, length = 0xE85250D6, 24
    return struct.pack("<IIII", magic, arch, length, -(magic + arch + length) & 0xFFFFFFFF) + \
        struct.pack("<HHI", 0, 0, 8)


def test_elf_checks():
    elf = bytearray(64)
    elf[:6] = b"\x7fELF\x02\x01"
    struct.pack_into("<H", elf, 18, 62)
    check("elf-ok", contents.elf_problem(bytes(elf)) is None)
    check("elf-not", contents.elf_problem(b"#!/bin/sh\n" + bytes(60)) == "not an ELF file")
    e32 = bytearray(elf)
    e32[4] = 1
    check("elf-32", "64-bit" in contents.elf_problem(bytes(e32)))
    arm = bytearray(elf)
    struct.pack_into("<H", arm, 18, 183)
    check("elf-arm", "x86-64" in contents.elf_problem(bytes(arm)))
    image = bytes(4096) + mb2_header() + bytes(100)
    check("mb2-found", contents.multiboot2_header_ok(image))
    check("mb2-unaligned",
          not contents.multiboot2_header_ok(bytes(4092) + mb2_header() + bytes(100)))
    check("mb2-too-late", not contents.multiboot2_header_ok(bytes(32768) + mb2_header()))
    bad = bytearray(image)
    bad[4096 + 12] ^= 1
    check("mb2-checksum", not contents.multiboot2_header_ok(bytes(bad)))
    check("mb2-mips", not contents.multiboot2_header_ok(bytes(8) + mb2_header(arch=4)))


def test_manifest():
    text = contents.manifest_text("hermit-hello", "ip=dhcp cloud=auto", ["hello", "a b"],
                                  [("mbr", b"x" * 440), ("/boot/hermit/app.elf", b"elf")])
    fields, sums = contents.parse_manifest(text)
    check("manifest-fields", fields == {"name": "hermit-hello", "cmdline": "ip=dhcp cloud=auto",
                                        "argv": "hello 'a b'"}, str(fields))
    check("manifest-sums", [(n, w) for _, n, w in sums] == [(440, "mbr"),
                                                             (3, "/boot/hermit/app.elf")] and
          sums[1][0] == hashlib.sha256(b"elf").hexdigest(), str(sums))
    check("manifest-foreign", refused(contents.parse_manifest, "something else\n", needle="not"))
    check("manifest-bad-line", refused(contents.parse_manifest, "hermit-image 1\nsha256 zz 3 x\n",
                                       needle="bad MANIFEST line"))


if __name__ == "__main__":
    test_sizes()
    test_names_and_cmdline()
    test_grub_cfg()
    test_mbr()
    test_core()
    test_gpt()
    test_vhd()
    test_elf_checks()
    test_manifest()
    sys.exit(1 if failures else 0)
