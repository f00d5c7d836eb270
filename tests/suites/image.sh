# tests/suites/image.sh - cloud disk images (cluster/hermit-image), sourced
# by tests/run.sh, whose pass/fail/skip/host_cases and $build, $logs it uses.
#
# The host-side logic first (tests/cloud/test_image_logic.py). Then one GPT
# disk of hello.elf boots with no -kernel through GRUB + multiboot2 under
# SeaBIOS (pc) and under OVMF (q35); a qcow2 of ktest.elf boots under
# SeaBIOS and its arguments and exit status come through GRUB; the gce tar
# and the VHD pass --verify; damaged disks are refused; bad input gets one
# line, a non-zero status and no output. QEMUs run one at a time, each
# under timeout, on a snapshot of the disk.

im_tool=cluster/hermit-image
im_tmp=$(mktemp -d /tmp/hermit-image-test-XXXXXX)
im_ovmf_code=/usr/share/OVMF/OVMF_CODE_4M.fd
im_ovmf_vars=/usr/share/OVMF/OVMF_VARS_4M.fd

host_cases image-logic image. tests/cloud/test_image_logic.py

# im_build NAME ARGS...: builds an image (hermit-image ARGS), then checks it
# with --verify; passes NAME if both succeed.
im_build() {
    local name=$1
    shift
    if timeout 120 "$im_tool" "$@" > "$logs/$name.log" 2>&1; then
        local disk
        disk=$(sed -n 's/^hermit-image: built \(.*\) (.*$/\1/p' "$logs/$name.log")
        if timeout 120 "$im_tool" --verify "$disk" >> "$logs/$name.log" 2>&1; then
            pass "$name"
            return 0
        fi
        fail "$name" "--verify refused the new disk"
        return 1
    fi
    fail "$name" "hermit-image failed: $(tail -n 1 "$logs/$name.log")"
    return 1
}

# im_boot NAME FIRMWARE DISK FORMAT STATUS PATTERN: boots DISK with no
# -kernel (pc + SeaBIOS, or q35 + OVMF); passes if the serial log matches
# PATTERN (extended regexps, one a line, each must match), the debug console says status=STATUS and QEMU exits with
# isa-debug-exit's ((STATUS & 0x7f) << 1) | 1.
im_boot() {
    local name=$1 firmware=$2 disk=$3 format=$4 want=$5 pattern=$6
    local dir=$im_tmp/$name machine=pc fw=() rc start took
    mkdir -p "$dir"
    if [ "$firmware" = ovmf ]; then
        machine=q35
        cp "$im_ovmf_vars" "$dir/vars.fd"
        fw=(-drive "if=pflash,format=raw,readonly=on,file=$im_ovmf_code"
            -drive "if=pflash,format=raw,file=$dir/vars.fd")
    fi
    start=$(date +%s%N)
    timeout 120 qemu-system-x86_64 -machine "$machine" -accel tcg -m 256M -display none \
        -serial "file:$dir/serial.log" "${fw[@]}" \
        -drive "file=$disk,format=$format,if=virtio,snapshot=on" \
        -device isa-debug-exit,iobase=0xf4,iosize=4 -debugcon "file:$dir/debug.log" \
        -net none > "$dir/qemu.log" 2>&1
    rc=$?
    took=$(( ($(date +%s%N) - start) / 1000000 ))
    # The log without GRUB's terminal escapes and carriage returns.
    { tr -d '\r' < "$dir/serial.log" | sed 's/\x1b\[[0-9;=]*[A-Za-z]//g'
      cat "$dir/qemu.log" "$dir/debug.log"; } > "$logs/$name.log" 2>/dev/null
    echo "boot took $took ms, QEMU status $rc" >> "$logs/$name.log"
    local expect=$(( ((want & 0x7f) << 1) | 1 ))
    if [ $rc -eq 124 ]; then
        fail "$name" "no exit within 120 s"
    elif [ $rc -ne $expect ]; then
        fail "$name" "QEMU exit status $rc, expected $expect"
    elif ! grep -q "status=$want\$" "$dir/debug.log"; then
        fail "$name" "debug console lacks status=$want"
    else
        local p
        while IFS= read -r p; do
            [ -z "$p" ] && continue
            if ! grep -Eq -- "$p" "$logs/$name.log"; then
                fail "$name" "serial log lacks /$p/"
                return
            fi
        done <<<"$pattern"
        pass "$name"
    fi
}

# im_refused NAME PATTERN ARGS...: hermit-image ARGS must fail with exactly
# one line matching PATTERN and leave $im_tmp/out missing.
im_refused() {
    local name=$1 pattern=$2 rc
    shift 2
    rm -rf "$im_tmp/out"
    "$im_tool" "$@" > "$logs/$name.log" 2>&1
    rc=$?
    if [ $rc -eq 0 ]; then
        fail "$name" "accepted"
    elif [ "$(wc -l < "$logs/$name.log")" -ne 1 ] || ! grep -Eq -- "$pattern" "$logs/$name.log"; then
        fail "$name" "not one line matching /$pattern/: $(head -c 200 "$logs/$name.log")"
    elif [ -e "$im_tmp/out" ]; then
        fail "$name" "left $im_tmp/out behind"
    else
        pass "$name"
    fi
}

# im_damaged NAME PATTERN DISK: --verify must refuse DISK in one line.
im_damaged() {
    local name=$1 pattern=$2 disk=$3
    "$im_tool" --verify "$disk" > "$logs/$name.log" 2>&1
    if [ $? -eq 1 ] && [ "$(wc -l < "$logs/$name.log")" -eq 1 ] &&
       grep -Eq -- "$pattern" "$logs/$name.log"; then
        pass "$name"
    else
        fail "$name" "not refused as /$pattern/: $(head -c 200 "$logs/$name.log")"
    fi
}

im_run_suite() {
    local hello=$build/hello.elf ktest=$build/ktest.elf raw=$im_tmp/raw/disk.raw

    if im_build image-build-raw "$hello" -o "$im_tmp/raw" --format raw --cmdline ''; then
        im_boot image-boot-seabios seabios "$raw" raw 0 '^Hello from HermitCore-C'
        if [ -f "$im_ovmf_code" ] && [ -f "$im_ovmf_vars" ]; then
            im_boot image-boot-ovmf ovmf "$raw" raw 0 '^Hello from HermitCore-C'
        else
            skip image-boot-ovmf "no OVMF ($im_ovmf_code); run 'make deps'"
        fi
    fi

    # qcow2 (OpenStack): arguments with spaces and quotes, kernel options,
    # and a status above 127 through the debug console.
    if im_build image-build-qcow2 "$ktest" -o "$im_tmp/qcow2" --format qcow2 \
           --cmdline 'loglevel=info' -- exit 200; then
        im_boot image-boot-qcow2-seabios seabios "$im_tmp/qcow2/disk.qcow2" qcow2 200 \
            'hermit: booted via multiboot2, command line "loglevel=info -- ktest exit 200"'
    fi
    if im_build image-build-argv "$ktest" -o "$im_tmp/argv" --format raw --cmdline '' \
           -- args "two words" "it's" 'back\slash' '$x;{y}'; then
        im_boot image-argv-through-grub seabios "$im_tmp/argv/disk.raw" raw 0 \
            $'argv\\[2\\]=<two words>\nargv\\[3\\]=<it\'s>'
        if ! grep -Fq 'argv[5]=<$x;{y}>' "$logs/image-argv-through-grub.log" ||
           ! grep -Fq 'argv[4]=<back\slash>' "$logs/image-argv-through-grub.log"; then
            fail image-argv-through-grub.special "GRUB changed an argument"
        else
            pass image-argv-through-grub.special
        fi
    fi

    # GCE: a whole-GiB disk.raw, alone, in an oldgnu sparse tar.
    if im_build image-build-gce "$hello" -o "$im_tmp/gce" --format gce --name hello-gce; then
        local listing
        listing=$(tar -tvzf "$im_tmp/gce/disk.tar.gz" 2>&1)
        if [ "$(wc -l <<<"$listing")" -eq 1 ] && [ "$(awk '{print $6}' <<<"$listing")" = disk.raw ] &&
           [ $(( $(awk '{print $3}' <<<"$listing") % (1 << 30) )) -eq 0 ] &&
           grep -q 'name hello-gce' "$logs/image-build-gce.log"; then
            pass image-gce-tar
        else
            fail image-gce-tar "archive lists: $listing"
        fi
        head -c 200000 "$im_tmp/gce/disk.tar.gz" > "$im_tmp/cut.tar.gz"
        im_damaged image-refuses-truncated-tar 'unexpected end of file|failed' "$im_tmp/cut.tar.gz"
    fi

    # Azure: a fixed VHD of a whole number of MiB.
    if im_build image-build-vhd "$hello" -o "$im_tmp/vhd" --format vhd; then
        local info
        info=$(qemu-img info --output=json -f vpc "$im_tmp/vhd/disk.vhd" 2>&1)
        if grep -q '"virtual-size": 67108864' <<<"$info" &&
           [ "$(stat -c %s "$im_tmp/vhd/disk.vhd")" -eq $((67108864 + 512)) ]; then
            pass image-vhd-fixed
        else
            fail image-vhd-fixed "not a 64 MiB fixed VHD"
        fi
        cp "$im_tmp/vhd/disk.vhd" "$im_tmp/bad.vhd"
        printf 'x' | dd of="$im_tmp/bad.vhd" bs=1 seek=$((67108864 + 20)) conv=notrunc status=none
        im_damaged image-refuses-bad-vhd-footer 'checksum' "$im_tmp/bad.vhd"
    fi

    if [ -f "$raw" ]; then
        cp --sparse=always "$raw" "$im_tmp/short.raw"
        truncate -s -1M "$im_tmp/short.raw"
        im_damaged image-refuses-truncated-raw 'truncated' "$im_tmp/short.raw"
        cp --sparse=always "$raw" "$im_tmp/gpt.raw"
        printf 'x' | dd of="$im_tmp/gpt.raw" bs=1 seek=$((512 + 40)) conv=notrunc status=none
        im_damaged image-refuses-bad-gpt-crc 'CRC32' "$im_tmp/gpt.raw"
        # One byte of the application inside the FAT.
        local at
        at=$(grep -obUaF 'Hello from HermitCore-C' "$raw" | head -n 1 | cut -d: -f1)
        cp --sparse=always "$raw" "$im_tmp/app.raw"
        printf 'J' | dd of="$im_tmp/app.raw" bs=1 seek="${at:-0}" conv=notrunc status=none
        im_damaged image-refuses-damaged-app 'app.elf differs' "$im_tmp/app.raw"
        cp --sparse=always "$raw" "$im_tmp/mbr.raw"
        dd if=/dev/zero of="$im_tmp/mbr.raw" bs=440 count=1 conv=notrunc status=none
        im_damaged image-refuses-no-boot-code 'no GRUB boot code' "$im_tmp/mbr.raw"
    fi
    if [ -f "$im_tmp/qcow2/disk.qcow2" ]; then
        head -c 1000000 "$im_tmp/qcow2/disk.qcow2" > "$im_tmp/cut.qcow2"
        im_damaged image-refuses-truncated-qcow2 'qemu-img' "$im_tmp/cut.qcow2"
    fi

    # Bad input: one line, a non-zero status, nothing left.
    local out=$im_tmp/out
    im_refused image-bad-missing 'no such file' "$build/no-such.elf" -o "$out" --format raw
    im_refused image-bad-not-elf 'not an ELF' Makefile -o "$out" --format raw
    head -c 40000 /dev/zero > "$im_tmp/zero.elf"
    printf '\177ELF\002\001' | dd of="$im_tmp/zero.elf" conv=notrunc status=none
    printf '\076' | dd of="$im_tmp/zero.elf" bs=1 seek=18 conv=notrunc status=none
    im_refused image-bad-not-multiboot2 'not a multiboot2 image' "$im_tmp/zero.elf" -o "$out" --format raw
    im_refused image-bad-format "unknown format 'iso'" "$hello" -o "$out" --format iso
    im_refused image-bad-size '--size must be a whole number of GiB' "$hello" -o "$out" --format gce --size 1.5
    im_refused image-bad-size-zero '--size must be' "$hello" -o "$out" --format raw --size 0
    im_refused image-bad-name '--name must be' "$hello" -o "$out" --format raw --name Bad_Name
    im_refused image-bad-empty-arg 'empty' "$hello" -o "$out" --format raw -- ''
    im_refused image-bad-outdir-parent 'cannot create output directory' \
        "$hello" -o "$out/deeper" --format raw
    touch "$im_tmp/afile"
    im_refused image-bad-outdir-file 'not a directory' "$hello" -o "$im_tmp/afile" --format raw
    # Unwritable: root writes anywhere but /proc.
    if [ "$(id -u)" -eq 0 ]; then
        im_refused image-bad-outdir-unwritable 'cannot write to output directory' \
            "$hello" -o /proc --format raw
    else
        mkdir -p "$im_tmp/ro" && chmod 555 "$im_tmp/ro"
        im_refused image-bad-outdir-unwritable 'cannot write to output directory' \
            "$hello" -o "$im_tmp/ro" --format raw
        [ -z "$(ls -A "$im_tmp/ro")" ] || fail image-bad-outdir-unwritable.empty "left files"
    fi
    im_refused image-bad-verify-usage 'takes nothing else' --verify "$raw" -o "$out"
}

if [ ! -f "$build/hello.elf" ] || [ ! -f "$build/ktest.elf" ]; then
    fail image "no $build/hello.elf or $build/ktest.elf (make all)"
else
    im_run_suite
fi
chmod -R u+w "$im_tmp" 2>/dev/null
rm -rf "$im_tmp"
