# tests/suites/launch.sh - host-side cases of the launch scripts (sourced
# by tests/run.sh): bin/hermit-run's accelerator probe, launchers that die,
# hermit-net under faults, QEMU's privileges. At most 2 VMs at once.
host_cases accel-probe "" tests/launch/test_accel_probe.py

# Which firmware QEMU gets: qboot unless SeaBIOS is needed (tests/launch/test_firmware.py).
host_cases firmware "firmware-" tests/launch/test_firmware.py

# A launcher stopped by SIGHUP cleans up; one killed by SIGKILL takes its
# ranks and VMs with it, and hermit-net gc removes the network it left.
export HERMIT_TEST_BUILD=$build
host_cases launch-orphans "" tests/launch/test_orphans.py

# hermit-net create/destroy under faults: stopped or failing creates leave
# nothing, racing creates and destroys leave no stray switch, destroy
# kills only a process that is still ours.
host_cases net-faults "" tests/launch/test_hermit_net.py

# QEMU never runs as root: the bridge plan's VM drops to the VM user,
# sandboxed, and its tap belongs to that user.
host_cases vm-privileges "" tests/launch/test_vm_privileges.py
