# tests/fuzz/fuzz.mk - fuzzing the pure parsers (included by the Makefile).
#
#   make fuzz                      every target for FUZZ_SECONDS (60) each,
#                                  one after the other; prints executions,
#                                  coverage and crashes (build/fuzz/TARGET/)
#   make fuzz FUZZ_TARGETS="acpi pmi" FUZZ_SECONDS=300
#   make fuzz-coverage             line coverage of each target's sources by its
#                                  corpus (seeds + what make fuzz found), llvm-cov
#   make check                     replays the corpora (tests/suites/fuzz_replay.sh)
#
# Each C harness tests/fuzz/fuzz_TARGET.c is built twice: with clang's
# libFuzzer for `make fuzz`, and with gcc and tests/fuzz/standalone.c for
# the replay, so `make check` needs no clang. Both under ASan and UBSan;
# not the alignment check: these parsers read packed x86 firmware and
# loader structures, where a misaligned load is legal and intended.
# Targets whose harness steers around a known bug (fuzz.h: FUZZ_KNOWN_BUGS)
# get a third build that does not, to replay tests/fuzz/corpus-known.
# pmi is a Python fuzzer (tests/fuzz/fuzz_pmi.py) of cluster/pmi.py.
# lwip builds lwIP itself for the host from the cached, patched source
# (LWIP_PREFIX, known once the network layer was built: make all).

FUZZ_C_TARGETS := cmdline bootinfo acpi madt mptable cpio virtq vnet_hdr metadata dhcp_options
FUZZ_KNOWN_TARGETS :=
FUZZ_TARGETS ?= $(FUZZ_C_TARGETS) pmi
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang

FUZZ_SRC_cmdline := kernel/cmdline.c
FUZZ_SRC_bootinfo := $(ARCH_DIR)/bootinfo.c
FUZZ_SRC_acpi := $(ARCH_DIR)/acpi.c $(ARCH_DIR)/acpi_madt.c
FUZZ_SRC_madt := $(ARCH_DIR)/acpi_madt.c
FUZZ_SRC_mptable := $(ARCH_DIR)/mptable.c $(ARCH_DIR)/acpi.c $(ARCH_DIR)/acpi_madt.c
FUZZ_SRC_cpio := libc/cpio.c
FUZZ_SRC_virtq := drivers/virtio/virtq.c drivers/virtio/vnet_rx.c drivers/virtio/vnet_hdr.c \
    kernel/inet_sum.c
FUZZ_SRC_vnet_hdr := drivers/virtio/vnet_hdr.c kernel/inet_sum.c
FUZZ_SRC_metadata := libc/metadata_parse.c
FUZZ_SRC_dhcp_options := net/dhcp_options.c

# lwIP's core and our hooks as net/net.mk lists them for host programs.
ifneq ($(LWIP_PREFIX),)
FUZZ_C_TARGETS += lwip
FUZZ_SRC_lwip = $(LWIP_HOST_SRC)
FUZZ_XFLAGS_lwip := -Itests/fuzz/lwip -Inet/include -I$(LWIP_PREFIX)/src/include -w
FUZZ_XDEPS_lwip := $(wildcard tests/fuzz/lwip/*.h tests/fuzz/lwip/arch/*.h) net/include/lwipopts.h \
    net/include/lwip_hooks.h
endif

FUZZ_CFLAGS := -std=gnu11 -O1 -g -fno-omit-frame-pointer -Wall -Wextra -Werror \
    -fno-sanitize-recover=all \
    -Ikernel -I$(ARCH_DIR) -Ilibc -Inet -Idrivers -Idrivers/virtio -Itests/fuzz -Itests/unit
FUZZ_DEPS := tests/fuzz/fuzz.h tests/fuzz/fuzz_platform.h tests/unit/pvh_layout.h

# $(1): target. libFuzzer build, replay build, and (if listed) the replay
# build that walks into the known bugs.
define fuzz_target
$(BUILD)/fuzz/bin/fuzz_$(1): tests/fuzz/fuzz_$(1).c $(FUZZ_SRC_$(1)) $(FUZZ_DEPS) $(FUZZ_XDEPS_$(1))
	@mkdir -p $$(@D)
	@echo "  FUZZCC  $$@"
	$(Q)$(FUZZ_CC) $(FUZZ_XFLAGS_$(1)) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -fno-sanitize=alignment -o $$@ \
	  tests/fuzz/fuzz_$(1).c $(FUZZ_SRC_$(1))

$(BUILD)/fuzz/replay/fuzz_$(1): tests/fuzz/fuzz_$(1).c $(FUZZ_SRC_$(1)) $(FUZZ_DEPS) $(FUZZ_XDEPS_$(1)) tests/fuzz/standalone.c
	@mkdir -p $$(@D)
	@echo "  HOSTCC  $$@"
	$(Q)$(HOSTCC) $(FUZZ_XFLAGS_$(1)) $(FUZZ_CFLAGS) -fsanitize=address,undefined -fno-sanitize=alignment -o $$@ \
	  tests/fuzz/standalone.c tests/fuzz/fuzz_$(1).c $(FUZZ_SRC_$(1))

$(BUILD)/fuzz/cov/fuzz_$(1): tests/fuzz/fuzz_$(1).c $(FUZZ_SRC_$(1)) $(FUZZ_DEPS) $(FUZZ_XDEPS_$(1)) tests/fuzz/standalone.c
	@mkdir -p $$(@D)
	@echo "  FUZZCC  $$@"
	$(Q)$(FUZZ_CC) $(FUZZ_XFLAGS_$(1)) $(FUZZ_CFLAGS) -fprofile-instr-generate -fcoverage-mapping -o $$@ \
	  tests/fuzz/standalone.c tests/fuzz/fuzz_$(1).c $(FUZZ_SRC_$(1))

$(BUILD)/fuzz/replay-known/fuzz_$(1): tests/fuzz/fuzz_$(1).c $(FUZZ_SRC_$(1)) $(FUZZ_DEPS) $(FUZZ_XDEPS_$(1)) tests/fuzz/standalone.c
	@mkdir -p $$(@D)
	@echo "  HOSTCC  $$@"
	$(Q)$(HOSTCC) $(FUZZ_XFLAGS_$(1)) $(FUZZ_CFLAGS) -DFUZZ_KNOWN_BUGS=1 -fsanitize=address,undefined -fno-sanitize=alignment -o $$@ \
	  tests/fuzz/standalone.c tests/fuzz/fuzz_$(1).c $(FUZZ_SRC_$(1))
endef
$(foreach t,$(FUZZ_C_TARGETS),$(eval $(call fuzz_target,$(t))))

FUZZ_REPLAY_BINS := $(patsubst %,$(BUILD)/fuzz/replay/fuzz_%,$(FUZZ_C_TARGETS)) \
                    $(patsubst %,$(BUILD)/fuzz/replay-known/fuzz_%,$(FUZZ_KNOWN_TARGETS))

.PHONY: fuzz fuzz-bins fuzz-replay fuzz-coverage
fuzz-bins: $(patsubst %,$(BUILD)/fuzz/bin/fuzz_%,$(filter $(FUZZ_C_TARGETS),$(FUZZ_TARGETS)))

fuzz-replay: $(FUZZ_REPLAY_BINS)

# The clang check comes first, so a machine without it gets one clear line.
fuzz:
	@command -v $(FUZZ_CC) >/dev/null || \
	  { echo "make fuzz: needs $(FUZZ_CC) with libFuzzer (apt-get install clang)" >&2; exit 1; }
	@$(MAKE) --no-print-directory fuzz-bins FUZZ_TARGETS="$(FUZZ_TARGETS)"
	@tests/fuzz/run.sh $(BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# mptable links acpi.c only for platform_strerror: its coverage says nothing.
FUZZ_COV_mptable := mptable.c
fuzz-coverage: $(patsubst %,$(BUILD)/fuzz/cov/fuzz_%,$(filter $(FUZZ_C_TARGETS),$(FUZZ_TARGETS)))
	@FUZZ_COV_mptable="$(FUZZ_COV_mptable)" tests/fuzz/coverage.sh $(BUILD) \
	  $(filter $(FUZZ_C_TARGETS),$(FUZZ_TARGETS))

check: fuzz-replay
