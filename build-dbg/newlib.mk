NEWLIB_SYSROOT := /root/.cache/hermitcore-c/newlib-3.3.0-e4c3264719b0
