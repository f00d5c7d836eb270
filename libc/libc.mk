# libc/libc.mk - the C library layer: newlib (built in the cache by
# libc/newlib/build.sh), our glue, and images linked with both.

UNIT_TESTS += ramfs cpio metadata_parse
UNIT_SRC_ramfs := libc/ramfs.c
UNIT_SRC_cpio := libc/cpio.c
UNIT_SRC_metadata_parse := libc/metadata_parse.c
HOST_CFLAGS += -Ilibc

# build.sh prints the sysroot on its last line. Recording it as a makefile
# fragment makes GNU make build newlib first and then restart with
# NEWLIB_SYSROOT set (a cold build shows newlib's progress here).
NEWLIB_STAMP := $(BUILD)/newlib.mk
NEWLIB_SRC   := libc/newlib/build.sh $(wildcard libc/newlib/patches/*.patch) \
                libc/newlib/newlib-source.sha256 scripts/recipe.sh

$(NEWLIB_STAMP): $(NEWLIB_SRC) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  NEWLIB  (cached in $${HERMIT_CACHE:-$$HOME/.cache/hermitcore-c})"
	$(Q)echo "NEWLIB_SYSROOT := $$(libc/newlib/build.sh | tail -n 1)" > $@.tmp && mv $@.tmp $@

ifeq ($(filter clean deps,$(MAKECMDGOALS)),)
-include $(NEWLIB_STAMP)
endif

newlib: $(NEWLIB_STAMP)
.PHONY: newlib

# Our glue is compiled against newlib's headers, with our additions first.
LIBC_CFLAGS = -std=gnu11 -O2 -g -nostdinc -isystem libc/include \
    -isystem $(NEWLIB_SYSROOT)/include -isystem $(GCC_INC) -D__hermit__ \
    -fno-pic -fno-pie -mno-red-zone $(SSP_CFLAGS) -fno-omit-frame-pointer \
    -fno-asynchronous-unwind-tables -Wall -Wextra -Werror \
    -iquote libc -iquote kernel -iquote $(ARCH_DIR) -iquote drivers -MMD -MP

LIBC_GLUE := $(patsubst %.c,$(BUILD)/%.o,$(wildcard libc/*.c))

$(BUILD)/libc/%.o: libc/%.c $(NEWLIB_STAMP)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(LIBC_CFLAGS) -c -o $@ $<

# The glue goes in whole, before newlib: its locks and __getreent must
# replace newlib's defaults (which live in the same archive members as
# other things newlib needs). The kernel is an archive after newlib, so
# that newlib's string functions win over the kernel's weak ones.
LIBHERMIT   := $(BUILD)/lib/libhermit.a
LIBHERMIT_C := $(BUILD)/lib/libhermit-c.a

$(LIBHERMIT): $(KERNEL_OBJS)
	@mkdir -p $(@D)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

# kernel/ssp.o goes in too: linked whole before libc.a, its
# __stack_chk_guard and __stack_chk_fail keep newlib's (ssp/
# stack_protector.o, a constant canary) out of every image. So does
# kernel/memcpy.o: newlib's memcpy never links (memcpy.c says why).
$(LIBHERMIT_C): $(LIBC_GLUE) $(BUILD)/kernel/ssp.o $(BUILD)/kernel/memcpy.o
	@mkdir -p $(@D)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

LIBGCC := $(shell $(CC) -print-libgcc-file-name)
# NET_LIBS: set by net/*.mk (lwIP and its glue) for images that use sockets.
LIBC_LINK = --whole-archive $(LIBHERMIT_C) --no-whole-archive \
    --start-group $(NET_LIBS) $(NEWLIB_SYSROOT)/lib/libc.a \
    $(NEWLIB_SYSROOT)/lib/libm.a $(LIBHERMIT) $(LIBGCC) --end-group

# APP_CFLAGS for programs that use the C library.
LIBC_APP_CFLAGS = $(LIBC_CFLAGS)

# An image of a C program: its objects + glue + newlib + kernel + symbols.
define libc_image
$(BUILD)/$(1).elf: $(addprefix $(BUILD)/,$(2)) $(LIBHERMIT) $(LIBHERMIT_C) $(NEWLIB_STAMP) $(BUILD)/ksyms-empty.o $(ARCH_DIR)/kernel.ld tools/ksyms.sh
	@echo "  LD      $$@"
	$(Q)$(LD) $(LDFLAGS) -u _start32 -o $$@.pass1 $(addprefix $(BUILD)/,$(2)) $(LIBC_LINK) $(BUILD)/ksyms-empty.o
	$(Q)tools/ksyms.sh $$@.pass1 | $(CC) -c -x assembler -o $$@.ksyms.o -
	$(Q)$(LD) $(LDFLAGS) -u _start32 -o $$@ $(addprefix $(BUILD)/,$(2)) $(LIBC_LINK) $$@.ksyms.o
	@nm -n $$@.pass1 | grep ' [tT] ' > $$@.text1; nm -n $$@ | grep ' [tT] ' > $$@.text2; \
	  cmp -s $$@.text1 $$@.text2 || { echo "ksyms: code moved between link passes" >&2; exit 1; }
	@rm -f $$@.pass1 $$@.text1 $$@.text2
endef

# C programs of the test suite and the examples are compiled against newlib.
$(BUILD)/examples/%.o: examples/%.c $(NEWLIB_STAMP)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(LIBC_APP_CFLAGS) -c -o $@ $<

$(eval $(call libc_image,hello,examples/hello.o))
all: $(BUILD)/hello.elf

$(BUILD)/tests/libc/%.o: tests/libc/%.c $(NEWLIB_STAMP)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(LIBC_APP_CFLAGS) -c -o $@ $<

LIBC_TEST_PROGRAMS := $(patsubst tests/libc/%.c,%,$(wildcard tests/libc/*.c))
$(foreach p,$(LIBC_TEST_PROGRAMS),$(eval $(call libc_image,libc-$(p),tests/libc/$(p).o)))
all: $(patsubst %,$(BUILD)/libc-%.elf,$(LIBC_TEST_PROGRAMS)) $(LIBHERMIT) $(LIBHERMIT_C)
