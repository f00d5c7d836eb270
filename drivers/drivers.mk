# drivers.mk - the driver layer's test image and host unit tests
# (included by the top-level Makefile; the driver sources themselves are
# linked into every image by the Makefile).
#
# ktest_net: in-guest tests of PCI, the virtio transports and virtio-net;
# tests/suites/drivers.sh runs it, often as two VMs talking to each other.

$(eval $(call image,ktest_net,tests/guest/ktest_net.o tests/guest/ktest_net_pair.o \
                              tests/guest/ktest_net_ping.o))
all: $(BUILD)/ktest_net.elf

# The pure ring and header logic, run on the host under sanitizers. The
# pattern rule does not know a test's extra sources, hence the explicit
# prerequisites.
UNIT_TESTS += virtqueue vnet_hdr vnet_rx pci_cap
UNIT_SRC_virtqueue := drivers/virtio/virtq.c
UNIT_SRC_vnet_hdr := drivers/virtio/vnet_hdr.c kernel/inet_sum.c
UNIT_SRC_vnet_rx := drivers/virtio/vnet_rx.c drivers/virtio/vnet_hdr.c drivers/virtio/virtq.c \
    kernel/inet_sum.c
UNIT_SRC_pci_cap := drivers/pci_cap.c drivers/virtio/virtio_pci_cap.c
$(BUILD)/unit/test_virtqueue: drivers/virtio/virtq.c drivers/virtio/virtq.h
$(BUILD)/unit/test_vnet_hdr: $(UNIT_SRC_vnet_hdr) drivers/virtio/vnet_hdr.h
$(BUILD)/unit/test_vnet_rx: $(UNIT_SRC_vnet_rx) drivers/virtio/vnet_rx.h drivers/virtio/virtio_net.h
$(BUILD)/unit/test_pci_cap: $(UNIT_SRC_pci_cap) drivers/pci_cap.h drivers/virtio/virtio_pci_cap.h
$(BUILD)/unit/test_virtqueue $(BUILD)/unit/test_vnet_hdr $(BUILD)/unit/test_vnet_rx \
    $(BUILD)/unit/test_pci_cap: HOST_CFLAGS += -Idrivers -Idrivers/virtio
