# tests/suites/cloud.sh - cloud instances, emulated on this machine (sourced
# by tests/run.sh).
#
# Host side, no VM: the job head against fake instances, the emulated
# metadata services, hermit-cloud's plans and cleanup. With root, a VPC
# (tests/cloud/vpc.sh: a namespace with dnsmasq's DHCP offering MTU 1460
# and a metadata server at 169.254.169.254, routed as GCE's: /32 leases,
# everything through the gateway) where instances are QEMU VMs
# booted from hermit-image disks with no -kernel, SeaBIOS and OVMF mixed:
# a 4-instance MPI job from one image, one instance per metadata flavour,
# and the ways an instance's configuration goes wrong (each a
# "hermit-cloud:" line and its status, 90-94). Nothing of the VPC is
# left afterwards.

cl_lab=hcl
cl_vpc=tests/cloud/vpc.sh
cl_tmp=$(mktemp -d /tmp/hermit-cloud-XXXXXX)
cl_secret=$cl_tmp/secret
cl_logs=$logs/cloud

host_cases cloud-head head. tests/pmi/test_head.py
[ -f tests/cloud/test_metadata_server.py ] &&
    host_cases cloud-metadata-server metadata-server. tests/cloud/test_metadata_server.py
[ -f tests/cloud/test_hermit_cloud.py ] &&
    host_cases cloud-hermit-cloud hermit-cloud. tests/cloud/test_hermit_cloud.py

# cl_md FILE FLAVOUR IP:RANK:SIZE:ARGS:ENV:SECRET:HEAD ...: the metadata
# server's configuration. GCE keys are attributes, OpenStack's are "meta",
# EC2's are user-data lines. Empty fields are left out; "-" as RANK leaves
# out all job keys.
cl_md() {
    python3 - "$@" <<'EOF'
import json, sys
path, flavour = sys.argv[1], sys.argv[2]
config = {}
for spec in sys.argv[3:]:
    ip, rank, size, args, env, secret, head = spec.split("|")
    keys = {"hermit-args": args, "hermit-env": env}
    if rank != "-":
        keys.update({"hermit-rank": rank, "hermit-size": size, "hermit-secret": secret,
                     "hermit-head": head})
    keys = {k: v for k, v in keys.items() if v}
    entry = {"name": "i-" + ip.split(".")[-1]}
    if flavour == "ec2":
        entry["user_data"] = "# hermit job\n" + "".join(f"{k}={v}\n" for k, v in keys.items())
    else:
        entry["attributes"] = keys
    config[ip] = entry
json.dump(config, open(path, "w"), indent=1)
EOF
}

# cl_boot NAME DISK FIRMWARE TIMEOUT: starts instance NAME in the background
# (its serial log is $cl_logs/NAME.serial, its QEMU status NAME.status).
cl_boot() {
    local name=$1
    ( tests/cloud/instance.sh "${cl_boot_lab:-$cl_lab}" "$name" --disk "$2" \
          --firmware "$3" --timeout "$4" --serial "$cl_logs/$name.serial" \
          > "$cl_logs/$name.status" 2> "$cl_logs/$name.err" ) &
}

# cl_head NAME N [ARGS...]: starts the job's head in the VPC, in the background.
cl_head() {
    local name=$1 n=$2
    shift 2
    "$cl_vpc" exec "$cl_lab" cluster/hermit-head -n "$n" --listen 10.128.0.1:7470 \
        --secret-file "$cl_secret" -l --trace "$@" \
        > "$cl_logs/$name.head" 2> "$cl_logs/$name.head-err" &
    cl_head_pid=$!
}

cl_expect() {       # NAME FILE PATTERNS -> PASS or FAIL
    local name=$1 file=$2 patterns=$3 pattern
    while IFS= read -r pattern; do
        [ -z "$pattern" ] && continue
        if ! grep -Eq -- "$pattern" "$file" 2>/dev/null; then
            { echo "== $file"; cat "$file" 2>/dev/null; } > "$logs/$name.log"
            fail "$name" "${file##*/} lacks /$pattern/"
            return 1
        fi
    done <<<"$patterns"
    pass "$name"
}

# cl_wait_head NAME STATUS: waits for the head; its status must be STATUS.
cl_wait_head() {
    local name=$1 want=$2 rc
    wait "$cl_head_pid"
    rc=$?
    if [ "$rc" -ne "$want" ]; then
        cat "$cl_logs/$name.head" "$cl_logs/$name.head-err" > "$logs/$name.log"
        fail "$name" "head exit status $rc, expected $want"
        return 1
    fi
    return 0
}

# cl_flavour_job NAME FLAVOUR INSTANCE DISK FIRMWARE STATUS SPEC OUT PATTERNS:
# a one-rank job (cl_md's SPEC) with the metadata server speaking FLAVOUR;
# the head's status must be STATUS and its OUT (head, head-err) match.
cl_flavour_job() {
    local name=$1 flavour=$2 instance=$3 disk=$4 firmware=$5 want=$6 spec=$7
    cl_md "$cl_tmp/$name.json" "$flavour" "$spec"
    if ! "$cl_vpc" metadata "$cl_lab" "$flavour" "$cl_tmp/$name.json" > "$logs/$name.log" 2>&1; then
        fail "$name" "the $flavour metadata server did not start"
        return
    fi
    cl_head "$name" 1 --join-timeout 120 --timeout 200
    cl_boot "$instance" "$disk" "$firmware" 200
    cl_wait_head "$name" "$want" && cl_expect "$name" "$cl_logs/$name.$8" "$9"
    wait
}

cl_run_lab() {
    local ring=$cl_tmp/ring/disk.raw proc_raw=$cl_tmp/proc/disk.raw
    local proc_qcow=$cl_tmp/procq/disk.qcow2 job i ip fw
    local ring_img=$PWD/$build/mpi-ring.elf proc_img=$cl_tmp/process.elf

    mkdir -p "$cl_logs"
    # tests/libc/process.c (arguments, environment, exit statuses) built
    # as users build: hermit-cc links the network layer into every program.
    if ! HERMIT_BUILD=$PWD/$build bin/hermit-cc -O2 tests/libc/process.c -o "$proc_img" \
             > "$logs/cloud-images.log" 2>&1; then
        fail cloud-images "hermit-cc tests/libc/process.c failed"
        return
    fi
    # One image per program serves every instance; loglevel=info shows the MTU.
    if ! cluster/hermit-image "$ring_img" -o "$cl_tmp/ring" --format raw \
             --cmdline 'ip=dhcp cloud=auto loglevel=info' >> "$logs/cloud-images.log" 2>&1 ||
       ! cluster/hermit-image "$proc_img" -o "$cl_tmp/proc" --format raw >> "$logs/cloud-images.log" 2>&1 ||
       ! cluster/hermit-image "$proc_img" -o "$cl_tmp/procq" --format qcow2 \
             >> "$logs/cloud-images.log" 2>&1; then
        fail cloud-images "hermit-image failed"
        return
    fi
    pass cloud-images
    # Routed as GCE's VPC: /32 leases, every packet (peers', the metadata
    # service's) through the gateway.
    if ! "$cl_vpc" up "$cl_lab" --routed > "$logs/cloud-vpc.log" 2>&1; then
        fail cloud-vpc "vpc.sh up failed"
        return
    fi
    for i in $(seq 11 23); do
        "$cl_vpc" add-instance "$cl_lab" "i$i" "52:54:00:12:00:$i" "10.128.0.$i" || return
    done
    head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$cl_secret"
    chmod 600 "$cl_secret"
    local s h=10.128.0.1:7470
    s=$(cat "$cl_secret")

    # --- a 4-instance MPI job from one image, BIOS and UEFI mixed (GCE) --------
    cl_md "$cl_tmp/gce.json" gce \
        "10.128.0.11|0|4|7||$s|$h" "10.128.0.12|1|4|7||$s|$h" \
        "10.128.0.13|2|4|7||$s|$h" "10.128.0.14|3|4|7||$s|$h" \
        "10.128.0.15|0|1|args 'two words' last|HOME=/cloud EMPTY=|$s|$h" \
        "10.128.0.16|x|1|||$s|$h" \
        "10.128.0.17|0|1|||$s|10.128.0.1:7999" \
        "10.128.0.18|0|1|||wrong-secret|$h" \
        "10.128.0.23|-||resolve metadata.google.internal|||"
    "$cl_vpc" metadata "$cl_lab" gce "$cl_tmp/gce.json" || return
    cl_head cloud-mpi-4-instances 4 --join-timeout 240 --timeout 400
    for i in 11 12 13 14; do
        fw=$([ $((i % 2)) -eq 1 ] && echo bios || echo uefi)
        cl_boot "i$i" "$ring" "$fw" 400
    done
    if cl_wait_head cloud-mpi-4-instances 0; then
        cl_expect cloud-mpi-4-instances "$cl_logs/cloud-mpi-4-instances.head" \
            '^\[0\] mpi-ring: OK: 4 ranks, 7 laps'
    fi
    wait
    for i in 11 12 13 14; do
        cl_expect "cloud-mpi-4-instances.i$i-powered-off" "$cl_logs/i$i.status" '^0$'
    done
    cl_expect cloud-dhcp-mtu-1460 "$cl_logs/i11.serial" 'MTU 1460 from DHCP'
    cl_expect cloud-uefi-instance "$cl_logs/i12.serial" 'cloud: gce metadata service'

    # --- one instance per flavour: arguments, environment, status ---------
    cl_head cloud-gce 1 --join-timeout 120 --timeout 200
    cl_boot i15 "$proc_raw" bios 200
    if cl_wait_head cloud-gce 0; then
        cl_expect cloud-gce "$cl_logs/cloud-gce.head" \
            $'^\\[0\\] argv\\[1\\]=<args>\n^\\[0\\] argv\\[2\\]=<two words>\n^\\[0\\] argv\\[3\\]=<last>\n^\\[0\\] HOME=</cloud> EMPTY=<>'
    fi
    wait

    # ... and the ways it goes wrong (GCE keys): each a line and a status.
    cl_head cloud-wrong-secret 1 --join-timeout 45 --timeout 120
    cl_boot i16 "$proc_raw" bios 120        # hermit-rank=x
    cl_boot i17 "$proc_raw" uefi 120        # a head nobody serves
    cl_boot i18 "$proc_raw" bios 120        # the wrong secret
    cl_boot i23 "$proc_raw" uefi 120        # no job: a name through DHCP's DNS server
    wait
    cl_expect cloud-dns-from-dhcp "$cl_logs/i23.serial" \
        'resolve metadata.google.internal: 169\.254\.169\.254'
    cl_expect cloud-no-job-powered-off "$cl_logs/i23.status" '^0$'
    cl_expect cloud-bad-metadata "$cl_logs/i16.serial" \
        'hermit-cloud: hermit-rank=x is not a rank of 0..0 \(exit status 92\)'
    cl_expect cloud-no-head "$cl_logs/i17.serial" \
        'hermit-cloud: the job.s head 10.128.0.1:7999 cannot be reached: .* \(exit status 93\)'
    cl_expect cloud-wrong-secret "$cl_logs/i18.serial" \
        'refused rank 0: wrong job secret \(exit status 94\)'
    cl_expect cloud-wrong-secret.head-logs-it "$cl_logs/cloud-wrong-secret.head-err" \
        $'refused a connection from 10.128.0.18:[0-9]+: wrong job secret\nrank 0 never joined within 45 s'

    # --- EC2: IMDSv2 token, user data; a failing rank's status -----------
    cl_flavour_job cloud-ec2 ec2 i19 "$proc_raw" uefi 3 "10.128.0.19|0|1|exit 3||$s|$h" \
        head-err 'rank 0 exited with status 3; ending the job'
    # --- OpenStack: meta_data.json, a qcow2 disk --------------------------
    cl_flavour_job cloud-openstack openstack i20 "$proc_qcow" uefi 0 \
        "10.128.0.20|0|1|args openstack||$s|$h" head '^\[0\] argv\[2\]=<openstack>'

    # --- no metadata service at all; a VPC without DHCP --------------------
    "$cl_vpc" metadata "$cl_lab" off
    cl_boot i21 "$proc_raw" bios 120
    if "$cl_vpc" up "${cl_lab}n" --no-dhcp >> "$logs/cloud-vpc.log" 2>&1; then
        cl_boot_lab=${cl_lab}n cl_boot i22 "$proc_raw" uefi 120
    else
        fail cloud-no-dhcp "vpc.sh up --no-dhcp failed"
    fi
    wait
    cl_expect cloud-no-metadata "$cl_logs/i21.serial" \
        'hermit-cloud: no instance metadata: .* \(exit status 91\)'
    cl_expect cloud-no-dhcp "$cl_logs/i22.serial" \
        'hermit-cloud: no DHCP answer on vnet0: .* \(exit status 90\)'
}

if [ "$(id -u)" -ne 0 ]; then
    skip cloud-lab "needs root (network namespaces, taps, dnsmasq)"
else
    "$cl_vpc" down "$cl_lab" > /dev/null 2>&1
    "$cl_vpc" down "${cl_lab}n" > /dev/null 2>&1
    cl_start=$(date +%s)
    cl_run_lab
    wait
    "$cl_vpc" down "$cl_lab" >> "$logs/cloud-vpc.log" 2>&1
    "$cl_vpc" down "${cl_lab}n" >> "$logs/cloud-vpc.log" 2>&1
    if left=$("$cl_vpc" leftovers "$cl_lab" 2>&1 && "$cl_vpc" leftovers "${cl_lab}n" 2>&1); then
        pass cloud-lab.cleanup
    else
        fail cloud-lab.cleanup "left behind: $(paste -sd, <<<"$left")"
    fi
    echo "cloud: VPC cases took $(($(date +%s) - cl_start)) s"
fi
rm -rf "$cl_tmp"
