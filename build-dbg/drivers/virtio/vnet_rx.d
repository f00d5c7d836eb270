build-dbg/drivers/virtio/vnet_rx.o: drivers/virtio/vnet_rx.c \
 drivers/virtio/vnet_rx.h drivers/virtio/virtio_net.h \
 drivers/virtio/vnet_hdr.h
drivers/virtio/vnet_rx.h:
drivers/virtio/virtio_net.h:
drivers/virtio/vnet_hdr.h:
