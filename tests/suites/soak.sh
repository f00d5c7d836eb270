# tests/suites/soak.sh - the soak test (tests/soak/, docs/soak.md) in
# make check's budget. Sourced by tests/run.sh, whose pass/fail,
# host_cases, cluster_leftovers and $build, $logs it uses.
#
# The judge is tested on made-up logs (flat passes, growth fails, too few
# samples is an error). Then one short real soak: 60 s of checked traffic
# on 4 VMs (about 100 s with boot and the warm-up cycle), which must end
# with PASS and leave nothing behind. The hour-long run is `make soak`;
# the leaky run that must FAIL is `make soak SOAK_LEAK=1`, by hand.

host_cases soak-judge soak-judge. tests/soak/test_judge.py

soak_image=$build/soak/soak.elf
if [ -f "$soak_image" ]; then
    # The progress and the judge's report are the case's log; the raw
    # rank output sits next to it.
    tests/soak/run.sh --image "$soak_image" --seconds 60 --log "$logs/soak-60s-4-vms.raw.log" \
        > "$logs/soak-60s-4-vms.log" 2>&1
    rc=$?
    if [ $rc -eq 0 ]; then
        pass soak-60s-4-vms
    else
        fail soak-60s-4-vms "judge exit $rc ($(grep -m1 'verdict' "$logs/soak-60s-4-vms.log" | sed 's/^ *//'))"
    fi
    cluster_leftovers soak-60s-4-vms "qemu-system-x86_64.*$soak_image"
else
    fail soak-60s-4-vms "no $soak_image (make builds it)"
fi
