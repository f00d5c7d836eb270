# tests/suites/launch.sh - host-side cases of the launch scripts that need
# no VM (sourced by tests/run.sh): bin/hermit-run's accelerator probe.
host_cases accel-probe "" tests/launch/test_accel_probe.py

# A launcher stopped by SIGHUP cleans up; one killed by SIGKILL takes its
# ranks and VMs with it, and hermit-net gc removes the network it left.
export HERMIT_TEST_BUILD=$build
host_cases launch-orphans "" tests/launch/test_orphans.py

# hermit-net create/destroy under faults: stopped or failing creates leave
# nothing, racing creates and destroys leave no stray switch, destroy
# kills only a process that is still ours.
host_cases net-faults "" tests/launch/test_hermit_net.py
