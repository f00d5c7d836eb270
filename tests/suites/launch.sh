# tests/suites/launch.sh - host-side cases of the launch scripts that need
# no VM (sourced by tests/run.sh): bin/hermit-run's accelerator probe.
host_cases accel-probe "" tests/launch/test_accel_probe.py
