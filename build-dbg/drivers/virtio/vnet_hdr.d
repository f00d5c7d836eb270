build-dbg/drivers/virtio/vnet_hdr.o: drivers/virtio/vnet_hdr.c \
 drivers/virtio/vnet_hdr.h kernel/inet_sum.h
drivers/virtio/vnet_hdr.h:
kernel/inet_sum.h:
