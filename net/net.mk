# net/net.mk - the network layer: lwIP 2.1.3 (built in the cache by
# net/lwip/build.sh), its port to HermitCore-C (net/*.c) and the socket
# test programs (tests/net/*.c, run by tests/suites/net.sh).
#
# Included after libc/*.mk, so LIBC_CFLAGS and NEWLIB_SYSROOT are known.
# build.sh prints lwIP's prefix on its last line; recorded as a makefile
# fragment (like newlib's), which make builds and then restarts with
# LWIP_PREFIX set. The fragment is only wanted once newlib's sysroot is
# known, because lwIP is compiled against newlib's headers.

# lwIP gets the glue's flags without the warning policy (upstream code
# is not ours to fix) and without dependency files (the cache is keyed
# by flags and port headers instead).
LWIP_CFLAGS = $(filter-out -Werror -Wall -Wextra -MMD -MP,$(LIBC_CFLAGS)) -w -I$(CURDIR)/net/include
LWIP_STAMP := $(BUILD)/lwip.mk
# The patches' folder too: its time changes when a patch is removed, which
# no remaining file's time would tell.
LWIP_SRC   := net/lwip/build.sh net/lwip/lwip.sha256 net/lwip/patches $(wildcard net/lwip/patches/*.patch) \
              $(wildcard net/include/*.h net/include/arch/*.h) \
              $(wildcard libc/include/*.h libc/include/*/*.h)

$(LWIP_STAMP): $(LWIP_SRC) $(NEWLIB_STAMP)
	@mkdir -p $(@D)
	@echo "  LWIP    (cached in $${HERMIT_CACHE:-$$HOME/.cache/hermitcore-c})"
	$(Q)prefix=$$(LWIP_CFLAGS='$(LWIP_CFLAGS)' net/lwip/build.sh) && \
	  echo "LWIP_PREFIX := $$(echo "$$prefix" | tail -n 1)" > $@.tmp && mv $@.tmp $@

ifeq ($(filter clean deps,$(MAKECMDGOALS)),)
ifneq ($(NEWLIB_SYSROOT),)
-include $(LWIP_STAMP)
endif
endif

lwip: $(LWIP_STAMP)
.PHONY: lwip

# The C library's socket glue (libc/socket.c, poll.c, netdb.c) includes
# net/netsock.h and net/net.h.
LIBC_CFLAGS += -iquote net

# Our port: compiled with lwIP's headers and the port's configuration.
NET_CFLAGS = $(LIBC_CFLAGS) -Inet/include -I$(LWIP_PREFIX)/src/include
NET_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(wildcard net/*.c))
LIBNET   := $(BUILD)/lib/libhermit-net.a

$(BUILD)/net/%.o: net/%.c $(LWIP_STAMP)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(NET_CFLAGS) -c -o $@ $<

# lwIP's global names (tcp_connect, udp_send, netif_add, ...) would clash
# with applications' own: the port and the stack are linked into one
# object in which only net/exports.txt stays global. Two of the wrapped
# lwIP functions are counted by net/net_stats.c; tcp_timer_needed wakes
# the tcpip thread (net/timer_wake.c).
NET_BLOB := $(BUILD)/net/hermit-net.o
NET_WRAPS := tcp_rexmit_rto_commit tcp_err tcp_timer_needed
$(NET_BLOB): $(NET_OBJS) $(LWIP_STAMP) net/exports.txt
	@echo "  LD      $@"
	$(Q)$(LD) -r $(addprefix --wrap=,$(NET_WRAPS)) -o $@.tmp $(NET_OBJS) \
	  --whole-archive $(LWIP_PREFIX)/lib/liblwip.a
	$(Q)objcopy --keep-global-symbols=net/exports.txt $@.tmp $@ && rm -f $@.tmp

$(LIBNET): $(NET_BLOB)
	@mkdir -p $(@D)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

# Inside libc.mk's link group: the port, then the stack it drives. The C
# library refers to the network layer only weakly (so hermit-cc images
# without these archives still link); -u pulls it in here.
NET_LIBS = -u netsock_socket $(LIBNET)

# --- socket test programs ---------------------------------------------------
$(BUILD)/tests/net/%.o: tests/net/%.c $(NEWLIB_STAMP)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(LIBC_APP_CFLAGS) -c -o $@ $<

$(eval $(call libc_image,net-server,tests/net/server.o))
$(eval $(call libc_image,net-client,tests/net/client.o tests/net/client_conn.o))
NET_IMAGES := $(BUILD)/net-server.elf $(BUILD)/net-client.elf
$(NET_IMAGES): $(LIBNET)
all: $(NET_IMAGES) $(LIBNET)

# The libc suite's images link the network layer too (LIBC_LINK).
$(patsubst %,$(BUILD)/libc-%.elf,$(LIBC_TEST_PROGRAMS)): $(LIBNET)


# Pure logic of the port, tested on the host.
UNIT_TESTS += dhcp_options
UNIT_SRC_dhcp_options := net/dhcp_options.c
UNIT_TESTS += siphash
UNIT_SRC_siphash := net/siphash.c
HOST_CFLAGS += -Inet

# lwIP's core as net/lwip/build.sh compiles it, without the socket API:
# for host programs that run the port's TCP without threads, with the
# configuration tests/fuzz/lwip/lwipopts.h derives from ours.
LWIP_CORE_SRC := core/def.c core/dns.c core/inet_chksum.c core/init.c core/ip.c core/mem.c \
    core/memp.c core/netif.c core/pbuf.c core/raw.c core/stats.c core/sys.c core/tcp.c \
    core/tcp_in.c core/tcp_out.c core/timeouts.c core/udp.c core/ipv4/autoip.c \
    core/ipv4/dhcp.c core/ipv4/etharp.c core/ipv4/icmp.c core/ipv4/igmp.c core/ipv4/ip4.c \
    core/ipv4/ip4_addr.c core/ipv4/ip4_frag.c netif/ethernet.c
LWIP_HOST_SRC = net/dhcp_hooks.c net/dhcp_options.c net/tcp_isn.c net/siphash.c kernel/inet_sum.c \
    tests/fuzz/lwip/isn_host.c $(addprefix $(LWIP_PREFIX)/src/,$(LWIP_CORE_SRC))
LWIP_HOST_INC = -Itests/fuzz/lwip -Inet/include -I$(LWIP_PREFIX)/src/include

# The sender's loss recovery against a scripted receiver
# (net/lwip/patches/tcp-newreno.patch). Our test with our warnings;
# lwIP's code with none (not ours to fix).
# Both run on the simulated wire of tests/unit/tcp_wire.c: lwIP sending
# (recovery) and receiving (its ACKs).
ifneq ($(LWIP_PREFIX),)
UNIT_TESTS += tcp_recovery tcp_acks
$(BUILD)/unit/test_tcp_recovery $(BUILD)/unit/test_tcp_acks: $(BUILD)/unit/test_%: \
        tests/unit/test_%.c tests/unit/tcp_wire.c tests/unit/tcp_wire.h tests/unit/check.h \
        $(LWIP_STAMP) tests/fuzz/lwip/lwipopts.h net/include/lwipopts.h net/include/lwip_hooks.h
	@mkdir -p $(@D) $(BUILD)/net/host
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(LWIP_HOST_INC) $(HOST_CFLAGS) -c -o $(BUILD)/net/host/test_$*.o $<
	$(Q)$(HOSTCC) $(LWIP_HOST_INC) $(HOST_CFLAGS) -c -o $(BUILD)/net/host/tcp_wire_$*.o \
	  tests/unit/tcp_wire.c
	$(Q)$(HOSTCC) $(LWIP_HOST_INC) $(HOST_CFLAGS) -w -o $@ $(BUILD)/net/host/test_$*.o \
	  $(BUILD)/net/host/tcp_wire_$*.o $(LWIP_HOST_SRC)
endif
