# mpi-port/mpi.mk - the MPI layer: MPICH 4.0.2 (ch3:sock, simple PMI),
# cross-built with bin/hermit-cc into the cache by mpi-port/build.sh, and
# the MPI test images build/mpi-<name>.elf from tests/mpi/<name>.c, built
# with bin/hermit-mpicc exactly as a user would.
#
# Included after net/*.mk. build.sh prints MPICH's prefix on its last line;
# it is recorded in $(BUILD)/mpich.mk, which bin/hermit-mpicc reads (so
# make needs no restart, and the fragment is not included here). MPICH's
# configure links test programs with hermit-cc, so the stamp waits for the
# runtime archives; build.sh's cache key sees which functions they define,
# not their code, so ordinary runtime edits do not rebuild MPICH.
# A failing MPICH build stops `make` with the tail of its log.

MPICH_STAMP := $(BUILD)/mpich.mk
MPICH_SRC   := mpi-port/build.sh mpi-port/mpich.sha256 mpi-port/cross-x86_64-hermit.sh mpi-port/configure.flags \
               mpi-port/probed-functions.txt $(shell find mpi-port/compat -type f) \
               $(wildcard mpi-port/patches/*.patch) bin/hermit-cc scripts/recipe.sh
MPICC       := bin/hermit-mpicc

$(MPICH_STAMP): $(MPICH_SRC) $(NEWLIB_STAMP) $(LIBHERMIT) $(LIBHERMIT_C) $(LIBNET) $(BUILD)/ksyms-empty.o
	@mkdir -p $(@D)
	@echo "  MPICH   (cached in $${HERMIT_CACHE:-$$HOME/.cache/hermitcore-c})"
	$(Q)prefix=$$(HERMIT_BUILD=$(abspath $(BUILD)) mpi-port/build.sh | tail -n 1) && \
	  [ -n "$$prefix" ] && echo "MPICH_PREFIX := $$prefix" > $@.tmp && mv $@.tmp $@

mpich: $(MPICH_STAMP)
.PHONY: mpich

# Every tests/mpi/*.c is one program and one image.
MPI_TEST_PROGRAMS := $(patsubst tests/mpi/%.c,%,$(wildcard tests/mpi/*.c))
MPI_IMAGES := $(patsubst %,$(BUILD)/mpi-%.elf,$(MPI_TEST_PROGRAMS))

$(BUILD)/mpi-%.elf: tests/mpi/%.c $(wildcard tests/mpi/*.h) $(MPICH_STAMP) $(MPICC) $(LIBHERMIT) $(LIBHERMIT_C) $(LIBNET) $(BUILD)/ksyms-empty.o
	@echo "  MPICC   $<"
	$(Q)HERMIT_BUILD=$(abspath $(BUILD)) $(MPICC) -O2 -g -Wall -Werror -o $@ $<

mpi-images: $(MPI_IMAGES)
.PHONY: mpi-images
all: $(MPI_IMAGES)
