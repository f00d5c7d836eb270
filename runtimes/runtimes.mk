# runtimes/runtimes.mk - the runtimes of gcc's languages and OpenMP, built
# from Debian's gcc-12-source for our target by runtimes/build.sh into the
# cache. Today: libgomp, the OpenMP runtime (hermit-cc -fopenmp).
#
# build.sh prints the prefix on its last line; it is recorded in
# $(BUILD)/gomp.mk, which bin/hermit-cc reads. Like MPICH's, libgomp's
# configure links test programs with hermit-cc, so the stamp waits for the
# runtime archives, and the cache key sees which functions they define.
# The OpenMP test images: $(BUILD)/omp-<name>.elf from tests/openmp/<name>.c.

GOMP_STAMP := $(BUILD)/gomp.mk
GOMP_SRC   := runtimes/build.sh runtimes/gcc-12-source.sha256 runtimes/gomp-probed-functions.txt \
              scripts/recipe.sh bin/hermit-cc

$(GOMP_STAMP): $(GOMP_SRC) $(NEWLIB_STAMP) $(LIBHERMIT) $(LIBHERMIT_C) $(LIBNET) $(BUILD)/ksyms-empty.o
	@mkdir -p $(@D)
	@echo "  LIBGOMP (cached in $${HERMIT_CACHE:-$$HOME/.cache/hermitcore-c})"
	$(Q)prefix=$$(HERMIT_BUILD=$(abspath $(BUILD)) runtimes/build.sh | tail -n 1) && \
	  [ -n "$$prefix" ] && echo "GOMP_PREFIX := $$prefix" > $@.tmp && mv $@.tmp $@

gomp: $(GOMP_STAMP)
.PHONY: gomp

OMP_TEST_PROGRAMS := $(patsubst tests/openmp/%.c,%,$(wildcard tests/openmp/*.c))
OMP_IMAGES := $(patsubst %,$(BUILD)/omp-%.elf,$(OMP_TEST_PROGRAMS))

$(BUILD)/omp-%.elf: tests/openmp/%.c $(GOMP_STAMP) bin/hermit-cc $(LIBHERMIT) $(LIBHERMIT_C) $(LIBNET) $(BUILD)/ksyms-empty.o
	@echo "  OMPCC   $<"
	$(Q)HERMIT_BUILD=$(abspath $(BUILD)) bin/hermit-cc -O2 -g -Wall -Werror -fopenmp -o $@ $<

all: $(OMP_IMAGES)
