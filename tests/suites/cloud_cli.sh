# tests/suites/cloud_cli.sh - cluster/hermit-cloud itself, unchanged, end to
# end against an emulated cloud (sourced by tests/run.sh).
#
# tests/cloud/fakecloud/gcloud and .../openstack are fake cloud CLIs whose
# instances are QEMU VMs in a tests/cloud/vpc.sh lab (hcc): an upload goes
# to a bucket directory, an image is unpacked into an image store, a created
# instance gets an address, its metadata at 169.254.169.254 (GCE or
# OpenStack flavour) and boots from the image (SeaBIOS or OVMF, as the
# image says); deleting stops it. hermit-cloud runs inside the lab's
# namespace, so its hermit-head is at 10.128.0.1 for the instances.
#
# Without root: the fakes' strictness only (bad flags, missing ones, a bad
# upload). As root: a 3-rank GCE job (mpi-ring), a GCE job whose every
# instance the cloud refuses (125), a 2-rank OpenStack job whose rank 1
# panics (lost: status 1), and a GCE job interrupted by SIGINT (130);
# after each, nothing of it may be left: no VM, instance, image, object,
# address or metadata. Then `vpc.sh down` leaves nothing. ~1.5 minutes.

cc_lab=hcc
cc_vpc=tests/cloud/vpc.sh
cc_fakes=$PWD/tests/cloud/fakecloud
cc_tmp=$(mktemp -d /tmp/hermit-cloud-cli-XXXXXX)
cc_state=$cc_tmp/cloud
cc_logs=$logs/cloud_cli
cc_gce=(--project hermit-test --zone us-central1-a --bucket gs://hermit-test-b
        --head-address 10.128.0.1)
mkdir -p "$cc_logs"

# cc_fake NAME WANT PATTERN CMD...: runs a fake CLI (no lab needed) and
# checks its status and that its stderr matches PATTERN.
cc_fake() {
    local name=$1 want=$2 pattern=$3 rc
    shift 3
    env FAKECLOUD_DIR="$cc_state" FAKECLOUD_LAB="$cc_lab" "$@" \
        > "$cc_logs/$name.out" 2> "$cc_logs/$name.err"
    rc=$?
    { echo "\$ $*"; echo "== status $rc"; cat "$cc_logs/$name.out" "$cc_logs/$name.err"; } \
        > "$logs/$name.log"
    if [ "$rc" -ne "$want" ]; then
        fail "$name" "status $rc, expected $want"
    elif ! grep -Eq -- "$pattern" "$cc_logs/$name.err"; then
        fail "$name" "stderr lacks /$pattern/"
    else
        pass "$name"
    fi
}

cc_strict() {
    local g=$cc_fakes/gcloud o=$cc_fakes/openstack p=--project=hermit-test
    cc_fake cloud-cli.fake-gcloud-unknown-flag 2 \
        'unrecognized arguments: --bogus' "$g" compute images delete x "$p" --bogus
    cc_fake cloud-cli.fake-gcloud-needs-zone 1 'Specify the \[--zone\] flag' \
        "$g" compute instances create x "$p" --image=x
    cc_fake cloud-cli.fake-gcloud-needs-project 1 'property \[project\] is not currently set' \
        "$g" storage rm gs://hermit-test-b/x
    cc_fake cloud-cli.fake-gcloud-bad-dict 2 'Bad syntax for dict arg' \
        "$g" compute instances create x "$p" --zone=us-central1-a --image=x --metadata=a
    cc_fake cloud-cli.fake-gcloud-unknown-command 2 'Invalid choice' \
        "$g" compute instances start x "$p"
    # An upload that is not what GCE imports: a tar of two files, not sparse.
    mkdir -p "$cc_tmp/badtar" && : > "$cc_tmp/badtar/disk.raw" && : > "$cc_tmp/badtar/extra" &&
        tar --format=oldgnu -czf "$cc_tmp/bad.tar.gz" -C "$cc_tmp/badtar" disk.raw extra
    env FAKECLOUD_DIR="$cc_state" FAKECLOUD_LAB="$cc_lab" "$g" storage buckets create \
        gs://hermit-test-b "$p" > /dev/null 2>&1
    env FAKECLOUD_DIR="$cc_state" FAKECLOUD_LAB="$cc_lab" "$g" storage cp "$cc_tmp/bad.tar.gz" \
        gs://hermit-test-b/bad.tar.gz "$p" > /dev/null 2>&1
    cc_fake cloud-cli.fake-gcloud-bad-upload 1 "must hold exactly one file, disk.raw" \
        "$g" compute images create bad "$p" --source-uri=gs://hermit-test-b/bad.tar.gz
    cc_fake cloud-cli.fake-gcloud-rm-missing 1 'matched no objects' \
        "$g" storage rm gs://hermit-test-b/missing.tar.gz "$p"
    env FAKECLOUD_DIR="$cc_state" FAKECLOUD_LAB="$cc_lab" "$g" storage rm \
        gs://hermit-test-b/bad.tar.gz "$p" > /dev/null 2>&1
    cc_fake cloud-cli.fake-openstack-needs-flavor 2 'required: --flavor' \
        "$o" --os-cloud lab server create x --image i --network private
    cc_fake cloud-cli.fake-openstack-unknown-option 2 'unrecognized arguments: --nic' \
        "$o" --os-cloud lab server create x --image i --flavor m1.small --nic net-id=x
    cc_fake cloud-cli.fake-openstack-needs-auth 1 'Missing value auth-url' \
        env -u OS_CLOUD "$o" image delete x
    cc_fake cloud-cli.fake-openstack-format-check 1 'does not match disk_format qcow2' \
        "$o" --os-cloud lab image create x --disk-format qcow2 --file "$cc_tmp/bad.tar.gz"
}

# cc_cloud NAME CLOUD ARGS...: hermit-cloud in the lab with the fakes first on
# PATH; its stdout and stderr in $cc_logs/NAME.out and .err, its serial logs
# in $cc_logs/NAME/; cc_rc is its status.
cc_cloud() {
    local name=$1 cloud=$2
    shift 2
    timeout -k 30 300 "$cc_vpc" exec "$cc_lab" env PATH="$cc_fakes:$PATH" \
        FAKECLOUD_DIR="$cc_state" FAKECLOUD_LAB="$cc_lab" FAKECLOUD_INSTANCE_TIMEOUT=400 \
        cluster/hermit-cloud "$cloud" --output-dir "$cc_logs/$name" "$@" \
        > "$cc_logs/$name.out" 2> "$cc_logs/$name.err"
    cc_rc=$?
    { echo "== status $cc_rc"; echo "== stdout"; cat "$cc_logs/$name.out"
      echo "== stderr"; cat "$cc_logs/$name.err"; } > "$logs/$name.log"
}

# cc_lab_qemu: the QEMUs running in the lab's namespace, one "PID" a line.
cc_lab_qemu() {
    local pid
    for pid in $(ip netns pids "hermit-vpc-$cc_lab" 2>/dev/null); do
        tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q '^qemu-system' && echo "$pid"
    done
    true
}

# cc_nothing_left NAME: passes NAME.cleanup if the fake cloud holds nothing
# (no instance, image or object, no metadata) and the lab no VM, tap or address
# of it; else fails, naming what is left.
cc_nothing_left() {
    local name=$1 left=() x
    while IFS= read -r x; do
        left+=("object ${x#"$cc_state/gcs/"}")
    done < <(find "$cc_state/gcs" -type f 2>/dev/null)
    for x in gce/images gce/instances openstack/images openstack/servers; do
        [ -z "$(ls -A "$cc_state/$x" 2>/dev/null)" ] ||
            left+=("$x: $(find "$cc_state/$x" -mindepth 1 -maxdepth 1 -printf '%f ')")
    done
    [ "$(tr -d ' \n' < "$cc_state/metadata.json" 2>/dev/null)" = "{}" ] ||
        left+=("metadata: $(tr -d ' \n' < "$cc_state/metadata.json" 2>/dev/null)")
    x=$(cc_lab_qemu)
    [ -z "$x" ] || left+=("QEMU $(paste -sd' ' <<<"$x")")
    x=$(ip -n "hermit-vpc-$cc_lab" -o link show 2>/dev/null | grep -o 't-fc[0-9]*' | paste -sd' ')
    [ -z "$x" ] || left+=("taps $x")
    x=$(grep -c ',fc[0-9]*$' "/run/hermit-vpc/$cc_lab/dhcp-hosts" 2>/dev/null)
    [ "${x:-0}" -eq 0 ] || left+=("$x addresses in dhcp-hosts")
    if [ ${#left[@]} -eq 0 ]; then
        pass "$name.cleanup"
    else
        { cat "$cc_state/calls.log"; } > "$logs/$name.cleanup.log" 2>/dev/null
        fail "$name.cleanup" "left behind: $(printf '%s; ' "${left[@]}")"
    fi
}

# cc_expect NAME WANT PATTERNS: hermit-cloud's status was WANT and its
# stdout+stderr match every PATTERN (newline-separated).
cc_expect() {
    local name=$1 want=$2 patterns=$3 pattern
    if [ "$cc_rc" -ne "$want" ]; then
        fail "$name" "hermit-cloud exit status $cc_rc, expected $want"
        return 1
    fi
    while IFS= read -r pattern; do
        [ -z "$pattern" ] && continue
        if ! cat "$cc_logs/$name.out" "$cc_logs/$name.err" | grep -Eq -- "$pattern"; then
            fail "$name" "output lacks /$pattern/"
            return 1
        fi
    done <<<"$patterns"
    pass "$name"
}

cc_run_lab() {
    local t0 r ok pid i
    if ! "$cc_vpc" up "$cc_lab" > "$logs/cloud-cli-vpc.log" 2>&1; then
        fail cloud-cli.vpc "vpc.sh up $cc_lab failed"
        return
    fi

    # --- GCE: 3 ranks; a value with a comma goes in gcloud's ^DELIM^ form ------
    t0=$(date +%s)
    cc_cloud cloud-cli.gce-job gce -n 3 -l "${cc_gce[@]}" --name e2e --timeout 240 \
        --env 'HERMIT_E2E=a,b' "$PWD/$build/mpi-ring.elf" 5
    echo "cloud_cli: gce job: $(($(date +%s) - t0)) s"
    cc_expect cloud-cli.gce-job 0 $'^\\[0\\] mpi-ring: OK: 3 ranks, 5 laps\ndeleting object gs://hermit-test-b/e2e.tar.gz, image e2e'
    ok=1
    for r in 0 1 2; do
        grep -aq "Booting .hermit-mpi-ring" "$cc_logs/cloud-cli.gce-job/serial-$r.log" 2>/dev/null || ok=0
    done
    grep -aq 'mpi-ring: OK: 3 ranks' "$cc_logs/cloud-cli.gce-job/serial-0.log" 2>/dev/null || ok=0
    if [ $ok -eq 1 ]; then
        pass cloud-cli.gce-job.serial-logs
    else
        fail cloud-cli.gce-job.serial-logs "$cc_logs/cloud-cli.gce-job/serial-{0,1,2}.log lack GRUB's boot line or rank 0's result"
    fi
    cc_nothing_left cloud-cli.gce-job

    # --- GCE, the cloud refuses every instance (no such network): 125, and the
    # image and the upload are deleted ------------------------------------------
    cc_cloud cloud-cli.gce-create-refused gce -n 2 "${cc_gce[@]}" --name e2enet \
        --network other "$PWD/$build/mpi-ring.elf" 1
    cc_expect cloud-cli.gce-create-refused 125 $'gcloud compute instances create failed \\(status 1\\)\nnetworks/other. was not found\ndeleting object gs://hermit-test-b/e2enet.tar.gz, image e2enet$'
    cc_nothing_left cloud-cli.gce-create-refused

    # --- OpenStack: 2 ranks, rank 1 panics; the head finds it lost --------------
    t0=$(date +%s)
    cc_cloud cloud-cli.openstack-rank-lost openstack -n 2 -l --os-cloud lab --flavor m1.small \
        --network private --head-address 10.128.0.1 --name e2eos --timeout 240 \
        "$PWD/$build/mpi-misbehave.elf" panic
    echo "cloud_cli: openstack job: $(($(date +%s) - t0)) s"
    cc_expect cloud-cli.openstack-rank-lost 1 $'^\\[0\\] mpi-misbehave: rank 0 waits in MPI_Recv\nrank 1 was lost\ndeleting image e2eos, instance e2eos-[01], instance e2eos-[01]'
    if grep -aq 'NULL pointer dereference' "$cc_logs/cloud-cli.openstack-rank-lost/serial-1.log" 2>/dev/null; then
        pass cloud-cli.openstack-rank-lost.serial-log
    else
        fail cloud-cli.openstack-rank-lost.serial-log "serial-1.log does not show rank 1's fault"
    fi
    cc_nothing_left cloud-cli.openstack-rank-lost

    # --- GCE again, interrupted once its instances exist: 130, all deleted -------
    t0=$(date +%s)
    "$cc_vpc" exec "$cc_lab" env PATH="$cc_fakes:$PATH" FAKECLOUD_DIR="$cc_state" \
        FAKECLOUD_LAB="$cc_lab" FAKECLOUD_INSTANCE_TIMEOUT=400 \
        cluster/hermit-cloud gce -n 2 -l "${cc_gce[@]}" --name e2eint --timeout 240 \
        --output-dir "$cc_logs/cloud-cli.gce-sigint" "$PWD/$build/mpi-misbehave.elf" spin \
        > "$cc_logs/cloud-cli.gce-sigint.out" 2> "$cc_logs/cloud-cli.gce-sigint.err" &
    pid=$!   # vpc.sh exec, env and ip netns exec exec: this becomes hermit-cloud
    for ((i = 0; i < 600; i++)); do
        grep -qs 'instances created; the job runs' "$cc_logs/cloud-cli.gce-sigint.err" && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    sleep 3   # let the VMs start booting: the deletion stops running VMs
    r=$(cc_lab_qemu | wc -l)
    if grep -q hermit-cloud "/proc/$pid/cmdline" 2>/dev/null; then
        kill -INT "$pid"
    fi
    for ((i = 0; i < 600; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -TERM "$pid"
    wait "$pid"
    cc_rc=$?
    echo "cloud_cli: interrupted gce job: $(($(date +%s) - t0)) s ($r QEMU running at SIGINT)"
    { echo "== status $cc_rc"; cat "$cc_logs/cloud-cli.gce-sigint.out" "$cc_logs/cloud-cli.gce-sigint.err"
    } > "$logs/cloud-cli.gce-sigint.log"
    if [ "$r" -ne 2 ]; then
        fail cloud-cli.gce-sigint "$r QEMU ran when SIGINT was sent, expected 2"
    else
        cc_expect cloud-cli.gce-sigint 130 $'SIGINT: stopping the job\ndeleting object gs://hermit-test-b/e2eint.tar.gz, image e2eint, instance e2eint-[01], instance e2eint-[01]'
    fi
    grep -q 'gcloud compute instances delete e2eint-0 e2eint-1 ' "$cc_state/calls.log" ||
        fail cloud-cli.gce-sigint.deleted "no \`gcloud compute instances delete e2eint-0 e2eint-1\` in calls.log"
    cc_nothing_left cloud-cli.gce-sigint
    cp "$cc_state/calls.log" "$cc_logs/calls.log" 2>/dev/null
}

cc_strict
if [ "$(id -u)" -ne 0 ]; then
    skip cloud-cli.lab "needs root (network namespaces, taps, dnsmasq)"
elif [ ! -f "$build/mpi-ring.elf" ] || [ ! -f "$build/mpi-misbehave.elf" ]; then
    skip cloud-cli.lab "no $build/mpi-ring.elf or mpi-misbehave.elf (make mpi)"
else
    "$cc_vpc" down "$cc_lab" > /dev/null 2>&1
    cc_start=$(date +%s)
    cc_run_lab
    wait
    "$cc_vpc" down "$cc_lab" >> "$logs/cloud-cli-vpc.log" 2>&1
    if cc_left=$("$cc_vpc" leftovers "$cc_lab" 2>&1); then
        pass cloud-cli.lab.cleanup
    else
        fail cloud-cli.lab.cleanup "left behind: $(paste -sd, <<<"$cc_left")"
    fi
    echo "cloud_cli: lab cases took $(($(date +%s) - cc_start)) s"
fi
rm -rf "$cc_tmp"
