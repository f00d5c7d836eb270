"""disk_layout.py - where everything lies on a hermit-image disk, and the
byte-level rules for reading and patching it. Pure logic, no I/O.

    LBA 0            protective MBR carrying GRUB's boot.img (first 440 bytes)
    1 MiB - 2 MiB    partition 1, BIOS boot (EF02): GRUB's i386-pc core.img
    2 MiB - ...      partition 2, EFI system (EF00), FAT32
    last 33 sectors  the backup GPT

Here: the sizes of the ESP and the disk per format, GRUB's patches to
boot.img (the MBR) and core.img (its block list) as grub-bios-setup makes
them, and the checks --verify runs on sector 0, core.img, both GPT
headers and their entry tables, and a fixed VHD's footer. ImageError,
which every disk_*.py module raises, is defined here. Used by
cluster/hermit-image, disk_build.py and disk_verify.py; unit-tested in
tests/cloud/test_image_logic.py.
"""

import binascii
import re
import struct

SECTOR = 512
MIB = 1 << 20
GIB = 1 << 30
EXIT_FAIL, EXIT_USAGE = 1, 2

# Layout (LBAs of 512-byte sectors).
BIOS_BOOT_LBA = 2048               # partition 1 at 1 MiB ...
BIOS_BOOT_SECTORS = 2048           # ... 1 MiB long
ESP_LBA = 4096                     # partition 2 at 2 MiB
ESP_MIN = 48 * MIB                 # FAT32 wants >= 65525 clusters
DEFAULT_RAW_SIZE = 64 * MIB
MAX_SIZE_GIB = 2040                # a VHD's limit, and plenty for a unikernel
CORE_MAX = 0x78000 - 0x9000        # what diskboot can load below 0x78000 (grub-bios-setup)

GUID_BIOS_BOOT = "21686148-6449-6E6F-744E-656564454649"
GUID_ESP = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"

# GRUB's boot.img (include/grub/i386/pc/boot.h) and diskboot.img.
BOOT_BPB_START, BOOT_BPB_END = 0x03, 0x5A
BOOT_KERNEL_SECTOR = 0x5C          # LE64: LBA of core.img's first sector
BOOT_DRIVE = 0x64                  # 0xFF: use the drive the BIOS passed in DL
BOOT_DRIVE_CHECK = 0x66            # a 2-byte jmp; NOPs for hard disks
BOOT_CODE_END = 0x1B8              # 440: disk signature and partition table follow
BLOCKLIST_SIZE = 12                # struct grub_pc_bios_boot_blocklist: u64 start, u16 len, u16 seg
BLOCKLIST_SEGMENT = 0x800 + (SECTOR >> 4)   # GRUB_BOOT_I386_PC_KERNEL_SEG + one sector


class ImageError(Exception):
    """A refusal: bad input, a failed build step, or a disk that fails --verify."""

    def __init__(self, message, status=EXIT_FAIL):
        super().__init__(message)
        self.status = status


def usage_error(message):
    return ImageError(message, EXIT_USAGE)


def round_up(n, unit):
    return (n + unit - 1) // unit * unit


def esp_size(payload):
    """Bytes of the EFI system partition holding PAYLOAD bytes of files:
    room for FAT32's tables and slack, at least ESP_MIN, whole MiB."""
    return max(ESP_MIN, round_up(payload + payload // 8 + 4 * MIB, MIB))


def min_disk_size(esp):
    """Partitions up to the ESP's end, then 1 MiB for the backup GPT."""
    return ESP_LBA * SECTOR + esp + MIB


def parse_size_gib(text):
    """--size: a whole number of GiB, 1..MAX_SIZE_GIB."""
    if text is None:
        return None
    if not re.fullmatch(r"[0-9]+", text) or not 1 <= int(text) <= MAX_SIZE_GIB:
        raise usage_error(f"--size must be a whole number of GiB from 1 to {MAX_SIZE_GIB}, "
                          f"not '{text}'")
    return int(text)


def disk_size(fmt, esp, size_gib=None):
    """The disk's size in bytes for format FMT with an ESP of ESP bytes:
    --size GiB if given, else 64 MiB (raw, qcow2, vhd) or 1 GiB (gce),
    grown to fit; gce rounds to a whole GiB (GCE's rule), vhd to a whole
    MiB (Azure's)."""
    need = min_disk_size(esp)
    if size_gib is not None:
        size = size_gib * GIB
        if size < need:
            raise usage_error(f"--size {size_gib} GiB is too small: the image needs "
                              f"{need / GIB:.2f} GiB")
        return size
    if fmt == "gce":
        return round_up(need, GIB)
    return max(DEFAULT_RAW_SIZE, round_up(need, MIB))


def patch_mbr(boot_img, old_mbr, core_lba):
    """Sector 0 as grub-bios-setup writes it for a hard disk: boot.img's
    code with the disk's own BPB bytes, disk signature and partition table
    (0x1B8..0x1FE) kept, the kernel sector = CORE_LBA, boot drive 0xFF and
    the floppy drive check's jmp turned into two NOPs."""
    if len(boot_img) != SECTOR or len(old_mbr) != SECTOR:
        raise ImageError("boot.img and the MBR must be 512 bytes each")
    mbr = bytearray(boot_img)
    mbr[BOOT_BPB_START:BOOT_BPB_END] = old_mbr[BOOT_BPB_START:BOOT_BPB_END]
    struct.pack_into("<Q", mbr, BOOT_KERNEL_SECTOR, core_lba)
    mbr[BOOT_DRIVE] = 0xFF
    mbr[BOOT_DRIVE_CHECK:BOOT_DRIVE_CHECK + 2] = b"\x90\x90"
    mbr[BOOT_CODE_END:510] = old_mbr[BOOT_CODE_END:510]
    mbr[510:512] = b"\x55\xaa"
    return bytes(mbr)


def patch_core(core, core_lba):
    """core.img with its first block list (the last 12 bytes of diskboot's
    sector) pointing at the sectors after CORE_LBA; grub-mkimage has set
    the length (every sector after the first) and the segment."""
    if len(core) < 2 * SECTOR:
        raise ImageError("core.img is too small")
    img = bytearray(core)
    at = SECTOR - BLOCKLIST_SIZE
    _, length, segment = struct.unpack_from("<QHH", img, at)
    sectors = (len(core) + SECTOR - 1) // SECTOR
    if length != sectors - 1 or segment != BLOCKLIST_SEGMENT:
        raise ImageError(f"core.img's block list is not grub-mkimage's (length {length}, "
                         f"segment {segment:#x}, for {sectors} sectors)")
    if struct.unpack_from("<QHH", img, at - BLOCKLIST_SIZE)[1] != 0:
        raise ImageError("core.img's block list has no terminator")
    struct.pack_into("<Q", img, at, core_lba + 1)
    return bytes(img)


def check_boot_code(mbr, core_lba):
    """Problems with sector 0 as GRUB's boot sector for a core at CORE_LBA."""
    problems = []
    if mbr[510:512] != b"\x55\xaa":
        problems.append("the MBR has no 55 AA signature")
    if b"GRUB \0" not in mbr[:BOOT_CODE_END]:
        problems.append("the MBR holds no GRUB boot code")
    if struct.unpack_from("<Q", mbr, BOOT_KERNEL_SECTOR)[0] != core_lba:
        problems.append(f"GRUB's boot code does not point at core.img (LBA {core_lba})")
    if mbr[BOOT_DRIVE_CHECK:BOOT_DRIVE_CHECK + 2] != b"\x90\x90":
        problems.append("GRUB's boot code keeps the floppy drive check")
    return problems


def check_core(core_sector, core_lba, partition_sectors):
    """Problems with core.img's first sector at CORE_LBA in a partition of
    PARTITION_SECTORS sectors; else the number of sectors it loads."""
    start, length, segment = struct.unpack_from("<QHH", core_sector, SECTOR - BLOCKLIST_SIZE)
    if start != core_lba + 1 or segment != BLOCKLIST_SEGMENT or length == 0:
        return ["core.img's block list does not follow its first sector"]
    if 1 + length > partition_sectors:
        return ["core.img is longer than its partition"]
    return 1 + length


def protective_mbr_problems(mbr, total_sectors):
    problems = []
    ptype, start, count = mbr[0x1BE + 4], *struct.unpack_from("<II", mbr, 0x1BE + 8)
    if ptype != 0xEE or start != 1:
        problems.append("the MBR is not a GPT protective MBR")
    elif count != min(total_sectors - 1, 0xFFFFFFFF):
        problems.append("the protective MBR's size does not match the disk")
    return problems


def guid_str(raw):
    a, b, c = struct.unpack_from("<IHH", raw)
    return f"{a:08X}-{b:04X}-{c:04X}-{raw[8:10].hex().upper()}-{raw[10:16].hex().upper()}"


GPT_HEADER = struct.Struct("<8sIIIIQQQQ16sQIII")


def parse_gpt_header(sector, lba):
    """The GPT header in SECTOR (read from LBA): a dict, or raises ImageError."""
    (sig, rev, hsize, crc, _res, my_lba, alt_lba, first, last, guid,
     entries_lba, count, esize, entries_crc) = GPT_HEADER.unpack_from(sector)
    where = "primary" if lba == 1 else "backup"
    if sig != b"EFI PART":
        raise ImageError(f"no {where} GPT header at LBA {lba}")
    if not 92 <= hsize <= SECTOR:
        raise ImageError(f"the {where} GPT header has a bad size {hsize}")
    body = bytearray(sector[:hsize])
    body[16:20] = b"\0\0\0\0"
    if binascii.crc32(body) != crc:
        raise ImageError(f"the {where} GPT header's CRC32 is wrong")
    if my_lba != lba:
        raise ImageError(f"the {where} GPT header says it is at LBA {my_lba}, not {lba}")
    if esize < 128 or esize % 8 or not 0 < count <= 1024:
        raise ImageError(f"the {where} GPT header has a bad entry table ({count} x {esize})")
    return {"alternate": alt_lba, "first": first, "last": last, "guid": guid,
            "entries_lba": entries_lba, "count": count, "esize": esize,
            "entries_crc": entries_crc}


def parse_gpt_entries(table, header):
    """Used entries of a GPT entry table: [(number, type GUID, first, last, name)]."""
    if binascii.crc32(table) != header["entries_crc"]:
        raise ImageError("the GPT partition entries' CRC32 is wrong")
    out = []
    for i in range(header["count"]):
        e = table[i * header["esize"]:(i + 1) * header["esize"]]
        if e[:16] == b"\0" * 16:
            continue
        first, last = struct.unpack_from("<QQ", e, 32)
        name = e[56:128].decode("utf-16-le", "replace").rstrip("\0")
        out.append((i + 1, guid_str(e[:16]), first, last, name))
    return out


def read_gpt(read, total_sectors):
    """Both GPT headers and the entries, checked against each other.
    READ(lba, count) returns bytes. Returns the entries, or raises."""
    if total_sectors < 68:
        raise ImageError("the disk is too small to hold a GPT")
    primary = parse_gpt_header(read(1, 1), 1)
    last_lba = total_sectors - 1
    if primary["alternate"] != last_lba:
        raise ImageError(f"the backup GPT header should be at LBA {primary['alternate']}, "
                         f"but the disk ends at LBA {last_lba} (truncated or resized?)")
    backup = parse_gpt_header(read(last_lba, 1), last_lba)
    if backup["alternate"] != 1:
        raise ImageError("the backup GPT header does not point back at LBA 1")
    for key in ("first", "last", "guid", "count", "esize", "entries_crc"):
        if primary[key] != backup[key]:
            raise ImageError(f"the primary and backup GPT headers differ ({key})")
    if not primary["entries_lba"] < primary["first"] <= primary["last"] < backup["entries_lba"]:
        raise ImageError("the GPT's usable range overlaps its own tables")
    table_sectors = (primary["count"] * primary["esize"] + SECTOR - 1) // SECTOR
    size = primary["count"] * primary["esize"]
    entries = parse_gpt_entries(read(primary["entries_lba"], table_sectors)[:size], primary)
    backup_table = read(backup["entries_lba"], table_sectors)[:size]
    if binascii.crc32(backup_table) != backup["entries_crc"]:
        raise ImageError("the backup GPT partition entries' CRC32 is wrong")
    for number, _type, first, last, _name in entries:
        if not primary["first"] <= first <= last <= primary["last"]:
            raise ImageError(f"GPT partition {number} lies outside the usable range")
    return entries


def vhd_footer_problems(footer, file_size):
    """Problems with a fixed VHD's footer (the file's last 512 bytes);
    else the virtual size."""
    if footer[:8] != b"conectix":
        return ["no VHD footer (cookie 'conectix') at the end"]
    total = sum(footer[:64]) + sum(footer[68:])
    if (~total & 0xFFFFFFFF) != struct.unpack_from(">I", footer, 64)[0]:
        return ["the VHD footer's checksum is wrong"]
    size = struct.unpack_from(">Q", footer, 48)[0]
    disk_type = struct.unpack_from(">I", footer, 60)[0]
    if disk_type != 2:
        return [f"the VHD is not fixed-size (disk type {disk_type})"]
    if size + SECTOR != file_size:
        return [f"the VHD holds {file_size - SECTOR} bytes of data, its footer says {size}"]
    if size % MIB:
        return [f"the VHD's size {size} is not a whole number of MiB (Azure needs that)"]
    return size
