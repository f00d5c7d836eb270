"""disk_build.py - the tools that make a hermit-image disk, run without
root: grub-mkimage for GRUB's two images, sgdisk for the GPT, mtools for
the ESP's FAT32 file system.

    grub_images     core.img (i386-pc, prefix (,gpt2)/boot/grub),
                    BOOTX64.EFI (x86_64-efi, prefix /boot/grub), boot.img
    partition_disk  a sparse disk: GPT, GRUB's boot code in the protective
                    MBR and core.img in partition 1 (disk_layout.py patches)
    make_esp        the FAT32 image of the ESP, holding the given files

And the helpers disk_verify.py shares: finding a tool (one line naming
its Debian package when missing), running one (its first line of errors
in the ImageError), and reading or copying a disk's bytes, sparse.
Used by cluster/hermit-image.
"""

import os
import shutil
import subprocess

from disk_layout import (BIOS_BOOT_LBA, BIOS_BOOT_SECTORS, BOOT_CODE_END, CORE_MAX, ESP_LBA,
                         SECTOR, ImageError, patch_mbr)

GRUB_PC_MODULES = ("biosdisk", "part_gpt", "part_msdos", "fat", "multiboot2", "normal",
                   "serial", "terminal", "configfile", "boot", "echo", "test", "halt")
GRUB_EFI_MODULES = ("part_gpt", "part_msdos", "fat", "multiboot2", "normal", "serial",
                    "terminal", "configfile", "boot", "echo", "test", "halt",
                    "efi_gop", "efi_uga", "all_video")
GRUB_DIR = "/usr/lib/grub"
SBIN = ("/usr/sbin", "/sbin")


def tool(name, package):
    found = shutil.which(name) or shutil.which(name, path=os.pathsep.join(SBIN))
    if not found:
        raise ImageError(f"needs {name} (Debian package {package}); run 'make deps'")
    return found


def run(argv, what, env=None, **kw):
    try:
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              env=env, **kw)
    except OSError as e:
        raise ImageError(f"{what}: {e}")
    if done.returncode != 0:
        text = [ln.strip() for ln in (done.stderr + done.stdout).splitlines() if ln.strip()]
        raise ImageError(f"{what} failed: {text[0] if text else f'status {done.returncode}'}")
    return done.stdout


def mtools_env():
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1", MTOOLS_NO_VFAT="0")
    env.pop("MTOOLSRC", None)
    return env


def copy_sparse(src, dst, offset_in=0, offset_out=0, length=None):
    """Copies LENGTH bytes (default: all of SRC from OFFSET_IN), skipping
    zero blocks so DST stays sparse; DST must already be long enough."""
    block = 1 << 16
    zero = bytes(block)
    with open(src, "rb") as fin, open(dst, "r+b") as fout:
        fin.seek(offset_in)
        left = length if length is not None else os.fstat(fin.fileno()).st_size - offset_in
        pos = offset_out
        while left > 0:
            chunk = fin.read(min(block, left))
            if not chunk:
                raise ImageError(f"{src} ends early")
            if chunk != zero[:len(chunk)]:
                fout.seek(pos)
                fout.write(chunk)
            pos += len(chunk)
            left -= len(chunk)


def read_at(path, offset, length):
    with open(path, "rb") as f:
        f.seek(offset)
        data = f.read(length)
    if len(data) != length:
        raise ImageError(f"the disk ends before byte {offset + length} (truncated?)")
    return data


def grub_images(tmp):
    """(core.img, BOOTX64.EFI, boot.img) made by grub-mkimage."""
    mkimage = tool("grub-mkimage", "grub-common")
    for target, package in (("i386-pc", "grub-pc-bin"), ("x86_64-efi", "grub-efi-amd64-bin")):
        if not os.path.isfile(os.path.join(GRUB_DIR, target, "moddep.lst")):
            raise ImageError(f"needs GRUB's {target} modules in {GRUB_DIR}/{target} "
                             f"(Debian package {package}); run 'make deps'")
    core = os.path.join(tmp, "core.img")
    efi = os.path.join(tmp, "BOOTX64.EFI")
    run([mkimage, "-O", "i386-pc", "-d", f"{GRUB_DIR}/i386-pc", "-o", core,
         "-p", "(,gpt2)/boot/grub", *GRUB_PC_MODULES], "grub-mkimage -O i386-pc")
    run([mkimage, "-O", "x86_64-efi", "-d", f"{GRUB_DIR}/x86_64-efi", "-o", efi,
         "-p", "/boot/grub", *GRUB_EFI_MODULES], "grub-mkimage -O x86_64-efi")
    with open(core, "rb") as f:
        core_img = f.read()
    with open(efi, "rb") as f:
        efi_img = f.read()
    with open(os.path.join(GRUB_DIR, "i386-pc", "boot.img"), "rb") as f:
        boot_img = f.read()
    if len(core_img) > min(CORE_MAX, BIOS_BOOT_SECTORS * SECTOR):
        raise ImageError(f"core.img is {len(core_img)} bytes, more than GRUB's boot code loads")
    return core_img, efi_img, boot_img


def make_esp(tmp, esp_bytes, files):
    """A FAT32 file system image of ESP_BYTES holding FILES [(path, bytes)]."""
    env = mtools_env()
    esp = os.path.join(tmp, "esp.img")
    with open(esp, "wb") as f:
        f.truncate(esp_bytes)
    run([tool("mformat", "mtools"), "-i", esp, "-F", "-T", str(esp_bytes // SECTOR),
         "-h", "64", "-s", "32", "-H", str(ESP_LBA), "-v", "HERMIT-ESP", "::"],
        "mformat", env=env)
    dirs = set()
    for where, _ in files:
        parts = where.strip("/").split("/")[:-1]
        for i in range(1, len(parts) + 1):
            dirs.add("/" + "/".join(parts[:i]))
    mmd = tool("mmd", "mtools")
    for d in sorted(dirs, key=lambda d: d.count("/")):
        run([mmd, "-i", esp, "::" + d], f"mmd {d}", env=env)
    mcopy = tool("mcopy", "mtools")
    for i, (where, data) in enumerate(files):
        src = os.path.join(tmp, f"file{i}")
        with open(src, "wb") as f:
            f.write(data)
        run([mcopy, "-i", esp, "-o", src, "::" + where], f"mcopy {where}", env=env)
        os.unlink(src)
    return esp


def partition_disk(path, size, esp_bytes, core_img, boot_img):
    """A sparse disk of SIZE bytes: GPT with the BIOS boot partition and
    the ESP, GRUB's boot code in the protective MBR and core.img in
    partition 1. Returns the boot code written (440 bytes)."""
    with open(path, "wb") as f:
        f.truncate(size)
    esp_last = ESP_LBA + esp_bytes // SECTOR - 1
    run([tool("sgdisk", "gdisk"), "--clear",
         f"--new=1:{BIOS_BOOT_LBA}:{BIOS_BOOT_LBA + BIOS_BOOT_SECTORS - 1}",
         "--typecode=1:EF02", "--change-name=1:BIOS boot",
         f"--new=2:{ESP_LBA}:{esp_last}", "--typecode=2:EF00", "--change-name=2:EFI system",
         path], "sgdisk")
    with open(path, "r+b") as f:
        mbr = patch_mbr(boot_img, f.read(SECTOR), BIOS_BOOT_LBA)
        f.seek(0)
        f.write(mbr)
        f.seek(BIOS_BOOT_LBA * SECTOR)
        f.write(core_img)
    return mbr[:BOOT_CODE_END]
