# bench/osu/osu.mk - our OSU-compatible benchmarks as images:
# bench/osu/osu_NAME.c + osu_util.c -> build/osu/osu_NAME.elf, built with
# bin/hermit-mpicc exactly as a user would build the real OSU programs.
# Included after mpi-port/*.mk (it needs MPICH_STAMP and MPICC). The same
# sources build unchanged with any mpicc (tests/suites/osu.sh checks the
# host's), which is how the Linux-guest baseline builds them.

OSU_PROGRAMS := $(filter-out osu_util,$(patsubst bench/osu/%.c,%,$(wildcard bench/osu/osu_*.c)))
OSU_IMAGES   := $(patsubst %,$(BUILD)/osu/%.elf,$(OSU_PROGRAMS))

$(BUILD)/osu/%.elf: bench/osu/%.c bench/osu/osu_util.c bench/osu/osu_util.h $(MPICH_STAMP) $(MPICC) \
                    $(LIBHERMIT) $(LIBHERMIT_C) $(LIBNET) $(BUILD)/ksyms-empty.o
	@mkdir -p $(@D)
	@echo "  MPICC   $<"
	$(Q)HERMIT_BUILD=$(abspath $(BUILD)) $(MPICC) -O2 -g -Wall -Wextra -Werror -o $@ $< bench/osu/osu_util.c

osu-images: $(OSU_IMAGES)
.PHONY: osu-images
all: $(OSU_IMAGES)

# The Linux-guest baseline's build of the same sources (bench/baseline/
# linux-mpicc: static, MPICH 4.0.2 for Linux from the same Debian source,
# built into the cache on first use, ~7 min). Only benchmarks need it, so
# it is not part of `all`.
LINUX_MPICC := bench/baseline/linux-mpicc
OSU_LINUX   := $(patsubst %,$(BUILD)/osu-linux/%,$(OSU_PROGRAMS))

$(BUILD)/osu-linux/%: bench/osu/%.c bench/osu/osu_util.c bench/osu/osu_util.h $(LINUX_MPICC) \
                      bench/baseline/build-mpich-linux.sh mpi-port/configure.flags
	@mkdir -p $(@D)
	@echo "  LINUX-MPICC $<"
	$(Q)$(LINUX_MPICC) -O2 -g -Wall -Wextra -Werror -o $@ $< bench/osu/osu_util.c 2> $@.log || \
	  { cat $@.log; rm -f $@; exit 1; }

osu-linux: $(OSU_LINUX)
.PHONY: osu-linux
