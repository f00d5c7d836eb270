# HermitCore-C top-level build.
#
#   make            host tools check, kernel objects, the example images
#   make run        an MPI job across booted VMs (the main job): 4 ranks of
#                   tests/mpi/ring.c on a private cluster network
#   make check      every test; the last line is "N passed, N failed"
#   make fuzz       fuzzes the parsers, FUZZ_SECONDS (60) each (tests/fuzz/fuzz.mk)
#   make bench      benchmarks, unikernel vs Linux guest: tables, CSV and
#                   PNG plots in bench/results/<timestamp>/ (README.md there)
#   make bench-quick  the same as a few-minute smoke run
#   make soak       mixed MPI traffic on 4 VMs for SOAK_SECONDS (3600): no
#                   failed check, memory and lwIP pools flat (docs/soak.md);
#                   SOAK_LEAK=1 leaks on purpose, and the verdict must be FAIL
#   make deps       installs the host packages (run by everything else)
#
# Images are linked twice: the first link yields the addresses from which
# tools/ksyms.sh builds the symbol table; the second link adds the table,
# which sits after all code, so no function moves (checked below).

BUILD      ?= build
# make V=1 shows the full commands.
ifeq ($(V),1)
Q :=
else
Q := @
endif
CC         := gcc
LD         := ld
NASM       := nasm
HOSTCC     := gcc

ARCH_DIR   := arch/x86_64
GCC_INC    := $(shell $(CC) -print-file-name=include)
# Stack protector for everything we build (kernel, libc glue, newlib, lwIP,
# MPICH, applications; bin/hermit-cc adds the same): the canary is the
# global __stack_chk_guard, seeded at boot (kernel/ssp.h says why global).
SSP_CFLAGS := -fstack-protector-strong -mstack-protector-guard=global

KERNEL_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -nostdinc -isystem $(GCC_INC) \
    $(SSP_CFLAGS) -fno-pic -fno-pie -mno-red-zone -mno-mmx -mno-sse \
    -mno-sse2 -mno-avx -mcmodel=small -fno-omit-frame-pointer \
    -fno-asynchronous-unwind-tables -Wall -Wextra -Werror \
    -Ikernel/include -Ikernel -I$(ARCH_DIR) -Idrivers -Idrivers/virtio -MMD -MP
# Applications may use SSE/AVX (threads save vector state); never the red
# zone, because interrupts arrive on the running thread's stack.
APP_CFLAGS := $(filter-out -mno-mmx -mno-sse -mno-sse2 -mno-avx,$(KERNEL_CFLAGS))
LDFLAGS    := -n -nostdlib -static -z max-page-size=4096 -z noexecstack \
    --no-warn-rwx-segments -T $(ARCH_DIR)/kernel.ld

ARCH_ASM   := $(wildcard $(ARCH_DIR)/*.asm)
ARCH_C     := $(wildcard $(ARCH_DIR)/*.c)
KERNEL_C   := $(wildcard kernel/*.c)
# Drivers link into every image but only run when a higher layer starts them.
DRIVER_C   := $(wildcard drivers/*.c drivers/virtio/*.c)
KERNEL_OBJS := $(patsubst %.asm,$(BUILD)/%.o,$(ARCH_ASM)) \
               $(patsubst %.c,$(BUILD)/%.o,$(ARCH_C) $(KERNEL_C) $(DRIVER_C))

IMAGES     := $(BUILD)/ktest.elf $(BUILD)/boottime.elf $(BUILD)/fwq.elf
DEPS_STAMP := $(BUILD)/.host-deps

.PHONY: all run check bench bench-quick soak unit-tests clean deps
all: $(IMAGES)

deps: $(DEPS_STAMP)
$(DEPS_STAMP): scripts/install-deps.sh
	@mkdir -p $(@D)
	@scripts/install-deps.sh
	@touch $@

$(BUILD)/%.o: %.asm | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  AS      $<"
	$(Q)$(NASM) -f elf64 -g -o $@ $<

$(BUILD)/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(KERNEL_CFLAGS) -c -o $@ $<

APP_DIRS := tests/guest bench
define app_rule
$(BUILD)/$(1)/%.o: $(1)/%.c | $(DEPS_STAMP)
	@mkdir -p $$(@D)
	@echo "  CC      $$<"
	$(Q)$(CC) $(APP_CFLAGS) -c -o $$@ $$<
endef
$(foreach d,$(APP_DIRS),$(eval $(call app_rule,$(d))))

$(BUILD)/ksyms-empty.o: tools/ksyms.sh
	@mkdir -p $(@D)
	$(Q)tools/ksyms.sh --empty | $(CC) -c -x assembler -o $@ -

# An image: the application's objects + the kernel + its symbol table.
define image
$(BUILD)/$(1).elf: $(addprefix $(BUILD)/,$(2)) $(KERNEL_OBJS) $(BUILD)/ksyms-empty.o $(ARCH_DIR)/kernel.ld tools/ksyms.sh
	@echo "  LD      $$@"
	$(Q)$(LD) $(LDFLAGS) -o $$@.pass1 $(addprefix $(BUILD)/,$(2)) $(KERNEL_OBJS) $(BUILD)/ksyms-empty.o
	$(Q)tools/ksyms.sh $$@.pass1 | $(CC) -c -x assembler -o $$@.ksyms.o -
	$(Q)$(LD) $(LDFLAGS) -o $$@ $(addprefix $(BUILD)/,$(2)) $(KERNEL_OBJS) $$@.ksyms.o
	@nm -n $$@.pass1 | grep ' [tT] ' > $$@.text1; nm -n $$@ | grep ' [tT] ' > $$@.text2; \
	  cmp -s $$@.text1 $$@.text2 || { echo "ksyms: code moved between link passes" >&2; exit 1; }
	@rm -f $$@.pass1 $$@.text1 $$@.text2
endef
$(eval $(call image,ktest,tests/guest/ktest.o tests/guest/ktest_threads.o tests/guest/ktest_fpu.o))
$(eval $(call image,boottime,bench/boottime.o))
$(eval $(call image,fwq,bench/noise/fwq_hermit.o bench/noise/fwq.o))

run: all
	cluster/hermit-mpirun -n 4 -l $(BUILD)/mpi-ring.elf

# Host unit tests: the pure parts of the kernel, built for the host with
# sanitizers.
UNIT_TESTS := freelist cmdline heap format inet_sum memcpy bootinfo acpi mptable
UNIT_SRC_freelist := kernel/freelist.c
UNIT_SRC_cmdline  := kernel/cmdline.c
UNIT_SRC_heap     := kernel/heap.c
UNIT_SRC_format   := kernel/format.c
UNIT_SRC_inet_sum := kernel/inet_sum.c
UNIT_SRC_memcpy   := kernel/memcpy.c
# Renamed on the host, where the C library's memcpy (and the sanitizer's) stay.
UNIT_CFLAGS_memcpy := -Dmemcpy=kernel_memcpy
UNIT_SRC_bootinfo := $(ARCH_DIR)/bootinfo.c
UNIT_SRC_acpi := $(ARCH_DIR)/acpi.c $(ARCH_DIR)/acpi_madt.c $(ARCH_DIR)/mptable.c
UNIT_SRC_mptable := $(UNIT_SRC_acpi)
HOST_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -fsanitize=address,undefined -fno-sanitize-recover=all \
    -fno-omit-frame-pointer -Ikernel -I$(ARCH_DIR) -Itests/unit

# Each layer may add images and unit tests in its own fragment.
-include $(wildcard drivers/*.mk libc/*.mk net/*.mk mpi-port/*.mk runtimes/*.mk bench/osu/*.mk tests/fuzz/*.mk)

# The soak program (tests/soak/), built like any MPI program; -Ilibc for
# libc/hermit_counters.h (that header says why it is not in libc/include).
# SOAK_LEAK=1 (or heap) leaks 4 KiB of heap per iteration, SOAK_LEAK=comm
# one communicator: proof that the judge can fail.
SOAK_SECONDS ?= 3600
SOAK_LEAK ?=
SOAK_SRC := $(wildcard tests/soak/*.c tests/soak/*.h) libc/hermit_counters.h
$(BUILD)/soak/soak.elf: $(SOAK_SRC) $(MPICH_STAMP) $(MPICC) $(LIBHERMIT) $(LIBHERMIT_C) $(LIBNET) $(BUILD)/ksyms-empty.o
	@mkdir -p $(@D)
	@echo "  MPICC   tests/soak/soak.c"
	$(Q)HERMIT_BUILD=$(abspath $(BUILD)) $(MPICC) -O2 -g -Wall -Wextra -Werror -Ilibc -o $@ $(filter %.c,$(SOAK_SRC))
all: $(BUILD)/soak/soak.elf

# FWQ on CPU 1 while MPI traffic runs on CPU 0 (bench/noise/fwq_traffic.c).
NOISE_TRAFFIC_SRC := bench/noise/fwq_traffic.c bench/noise/fwq.c
$(BUILD)/noise/fwq_traffic.elf: $(NOISE_TRAFFIC_SRC) bench/noise/fwq.h libc/hermit_counters.h \
                                $(MPICH_STAMP) $(MPICC) $(LIBHERMIT) $(LIBHERMIT_C) $(LIBNET) \
                                $(BUILD)/ksyms-empty.o
	@mkdir -p $(@D)
	@echo "  MPICC   bench/noise/fwq_traffic.c"
	$(Q)HERMIT_BUILD=$(abspath $(BUILD)) $(MPICC) -O2 -g -Wall -Wextra -Werror -Ilibc -Ibench/noise \
	    -o $@ $(NOISE_TRAFFIC_SRC)
all: $(BUILD)/noise/fwq_traffic.elf

soak: all
	@tests/soak/run.sh --image $(BUILD)/soak/soak.elf --seconds $(SOAK_SECONDS) \
	  $(if $(SOAK_LEAK),--leak $(if $(filter 1 heap,$(SOAK_LEAK)),heap,$(SOAK_LEAK)))

UNIT_BINS := $(patsubst %,$(BUILD)/unit/test_%,$(UNIT_TESTS))

# The sources under test are prerequisites too (second expansion), or a
# changed kernel/heap.c would leave a stale test binary passing.
.SECONDEXPANSION:
$(BUILD)/unit/test_%: tests/unit/test_%.c tests/unit/check.h $(wildcard tests/unit/*.h) \
                      $$(UNIT_SRC_$$*) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $(UNIT_CFLAGS_$*) -o $@ $< $(UNIT_SRC_$*)

unit-tests: $(UNIT_BINS)

check: all unit-tests
	@UNIT_TESTS="$(UNIT_TESTS)" tests/run.sh $(BUILD)

BENCH_OUT ?= bench/results/$(shell date +%Y%m%d-%H%M%S)
bench: all
	@BUILD=$(BUILD) bench/run.sh $(BENCH_OUT)

bench-quick: all
	@BUILD=$(BUILD) bench/run.sh --quick $(BENCH_OUT)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
