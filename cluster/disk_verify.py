"""disk_verify.py - hermit-image --verify: is a built disk sound, before an
upload?

The container first (a gce tar lists exactly disk.raw in oldgnu format;
qemu-img check/info for qcow2; a VHD's footer), unpacked to a raw disk
in a temporary directory. Then the raw disk: the protective MBR and
GRUB's boot code, both GPT headers and their CRCs (and sgdisk -v when
installed), core.img's block list, the FAT (fsck.fat -n when installed),
and every file the MANIFEST lists against its SHA-256.

verify(path) returns the MANIFEST's fields with the disk's kind and
size, or raises ImageError (disk_layout.py) naming the first problem.
Used by cluster/hermit-image (--verify, and its verify for other scripts).
"""

import gzip
import hashlib
import json
import os
import shutil
import struct
import subprocess
import tempfile

from disk_build import SBIN, copy_sparse, mtools_env, read_at, run, tool
from disk_contents import (ESP_APP, ESP_CFG, ESP_EFI, ESP_MANIFEST, elf_problem,
                           multiboot2_header_ok, parse_grub_cfg, parse_manifest)
from disk_layout import (GIB, GUID_BIOS_BOOT, GUID_ESP, SECTOR, ImageError, check_boot_code,
                         check_core, protective_mbr_problems, read_gpt, vhd_footer_problems)


def verify_raw(path, tmp):
    """Checks a raw disk; returns the MANIFEST's fields."""
    size = os.path.getsize(path)
    if size % SECTOR:
        raise ImageError(f"its size {size} is not a whole number of sectors (truncated?)")
    total = size // SECTOR
    entries = read_gpt(lambda lba, n: read_at(path, lba * SECTOR, n * SECTOR), total)
    mbr = read_at(path, 0, SECTOR)
    problems = protective_mbr_problems(mbr, total)
    if problems:
        raise ImageError(problems[0])
    sgdisk = shutil.which("sgdisk") or shutil.which("sgdisk", path=os.pathsep.join(SBIN))
    if sgdisk:
        out = subprocess.run([sgdisk, "-v", path], stdin=subprocess.DEVNULL,
                             capture_output=True, text=True)
        if out.returncode != 0 or "No problems found" not in out.stdout:
            text = [ln.strip() for ln in (out.stdout + out.stderr).splitlines()
                    if ln.strip() and "Caution" not in ln]
            raise ImageError("sgdisk -v finds problems: " + (text[0] if text else "?"))
    parts = {n: (t, first, last) for n, t, first, last, _ in entries}
    if parts.get(1, (None,))[0] != GUID_BIOS_BOOT:
        raise ImageError("partition 1 is not a BIOS boot partition (EF02)")
    if parts.get(2, (None,))[0] != GUID_ESP:
        raise ImageError("partition 2 is not an EFI system partition (EF00)")
    _, boot_first, boot_last = parts[1]
    _, esp_first, esp_last = parts[2]
    problems = check_boot_code(mbr, boot_first)
    if problems:
        raise ImageError(problems[0])
    loaded = check_core(read_at(path, boot_first * SECTOR, SECTOR), boot_first,
                        boot_last - boot_first + 1)
    if isinstance(loaded, list):
        raise ImageError(loaded[0])

    esp = os.path.join(tmp, "esp.img")
    esp_len = (esp_last - esp_first + 1) * SECTOR
    with open(esp, "wb") as f:
        f.truncate(esp_len)
    copy_sparse(path, esp, offset_in=esp_first * SECTOR, length=esp_len)
    fsck = shutil.which("fsck.fat") or shutil.which("fsck.fat", path=os.pathsep.join(SBIN))
    if fsck:
        out = subprocess.run([fsck, "-n", esp], stdin=subprocess.DEVNULL,
                             capture_output=True, text=True)
        if out.returncode != 0:
            lines = [ln for ln in out.stdout.splitlines()[1:] if ln.strip()]
            raise ImageError("the ESP's FAT file system is damaged (fsck.fat -n: "
                             f"{lines[0].strip() if lines else out.returncode})")
    env = mtools_env()
    mtype = tool("mcopy", "mtools")

    def esp_file(where):
        done = subprocess.run([mtype, "-i", esp, "::" + where, "-"], stdin=subprocess.DEVNULL,
                              capture_output=True, env=env)
        if done.returncode != 0:
            raise ImageError(f"the ESP has no {where}")
        return done.stdout

    fields, sums = parse_manifest(esp_file(ESP_MANIFEST).decode("utf-8", "replace"))
    listed = {where for _, _, where in sums}
    for need in ("mbr", "core.img", ESP_EFI, ESP_CFG, ESP_APP):
        if need not in listed:
            raise ImageError(f"the MANIFEST lists no {need}")
    for digest, length, where in sums:
        if where == "mbr":
            data = mbr[:length]
        elif where == "core.img":
            if length > (boot_last - boot_first + 1) * SECTOR:
                raise ImageError("core.img is longer than its partition")
            data = read_at(path, boot_first * SECTOR, length)
        else:
            data = esp_file(where)
        if len(data) != length or hashlib.sha256(data).hexdigest() != digest:
            raise ImageError(f"{where} differs from what was built (damaged?)")
        if where == ESP_EFI and not (data[:2] == b"MZ" and len(data) > 0x40 and
                                     data[struct.unpack_from("<I", data, 0x3C)[0]:][:6]
                                     == b"PE\0\0\x64\x86"):
            raise ImageError(f"{ESP_EFI} is not an x86-64 EFI application")
        if where == ESP_APP and (elf_problem(data[:64]) or not multiboot2_header_ok(data)):
            raise ImageError(f"{ESP_APP} is not a multiboot2 x86-64 ELF")
        if where == ESP_CFG:
            entry = parse_grub_cfg(data.decode("utf-8", "replace"))
            if not entry or entry[0] != ESP_APP:
                raise ImageError(f"{ESP_CFG} does not boot {ESP_APP} with multiboot2")
    fields["size"] = size
    return fields


def verify_tar(path, tmp):
    listing = run(["tar", "-tzf", path], "tar -tzf")
    if listing.splitlines() != ["disk.raw"]:
        raise ImageError("the archive must hold exactly one file, disk.raw")
    try:
        with gzip.open(path, "rb") as g:
            header = g.read(SECTOR)
    except (OSError, EOFError) as e:
        raise ImageError(f"not a gzip file: {e}")
    if header[257:265] != b"ustar  \0":
        raise ImageError("the archive is not in tar's oldgnu format (GCE needs it)")
    run(["tar", "-xSzf", path, "-C", tmp, "disk.raw"], "tar -x")
    raw = os.path.join(tmp, "disk.raw")
    if os.path.getsize(raw) % GIB:
        raise ImageError("disk.raw is not a whole number of GiB (GCE needs that)")
    return verify_raw(raw, tmp)


def verify_qcow2(path, tmp):
    qemu_img = tool("qemu-img", "qemu-utils")
    try:
        info = json.loads(run([qemu_img, "info", "--output=json", path], "qemu-img info"))
    except ValueError:
        raise ImageError("qemu-img info printed no JSON")
    if info.get("format") != "qcow2":
        raise ImageError(f"not a qcow2 image (qemu-img sees {info.get('format')})")
    run([qemu_img, "check", "-q", "-f", "qcow2", path], "qemu-img check")
    raw = os.path.join(tmp, "disk.raw")
    run([qemu_img, "convert", "-f", "qcow2", "-O", "raw", path, raw], "qemu-img convert")
    if os.path.getsize(raw) != info.get("virtual-size"):
        raise ImageError("the qcow2's contents do not match its virtual size")
    return verify_raw(raw, tmp)


def verify_vhd(path, tmp):
    file_size = os.path.getsize(path)
    if file_size < SECTOR:
        raise ImageError("too short to be a VHD")
    size = vhd_footer_problems(read_at(path, file_size - SECTOR, SECTOR), file_size)
    if isinstance(size, list):
        raise ImageError(size[0])
    qemu_img = shutil.which("qemu-img")
    if qemu_img:
        out = subprocess.run([qemu_img, "info", "--output=json", "-f", "vpc", path],
                             stdin=subprocess.DEVNULL, capture_output=True, text=True)
        try:
            info = json.loads(out.stdout) if out.returncode == 0 else {}
        except ValueError:
            info = {}
        if info.get("format") != "vpc" or info.get("virtual-size") != size:
            raise ImageError("qemu-img does not read it as a VHD of its footer's size")
    raw = os.path.join(tmp, "disk.raw")
    with open(raw, "wb") as f:
        f.truncate(size)
    copy_sparse(path, raw, length=size)
    return verify_raw(raw, tmp)


def kind_of(path):
    """The container DISK is, from its name, else its first bytes."""
    lower = path.lower()
    for suffix, kind in ((".tar.gz", "gce"), (".tgz", "gce"), (".qcow2", "qcow2"),
                         (".vhd", "vhd"), (".raw", "raw"), (".img", "raw")):
        if lower.endswith(suffix):
            return kind
    with open(path, "rb") as f:
        head = f.read(4)
    if head[:2] == b"\x1f\x8b":
        return "gce"
    if head == b"QFI\xfb":
        return "qcow2"
    if os.path.getsize(path) >= SECTOR and read_at(path, os.path.getsize(path) - SECTOR, 8) \
            == b"conectix":
        return "vhd"
    return "raw"


def verify(path):
    """Checks a disk built by hermit-image before an upload. Returns a dict
    (kind, size, name, cmdline, argv); raises ImageError naming the problem."""
    if not os.path.isfile(path):
        raise ImageError("no such file")
    kind = kind_of(path)
    tmp = tempfile.mkdtemp(prefix="hermit-image-verify-")
    try:
        fields = {"gce": verify_tar, "qcow2": verify_qcow2, "vhd": verify_vhd,
                  "raw": verify_raw}[kind](path, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    fields["kind"] = kind
    return fields
