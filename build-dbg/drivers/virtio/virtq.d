build-dbg/drivers/virtio/virtq.o: drivers/virtio/virtq.c \
 drivers/virtio/virtq.h kernel/include/string.h
drivers/virtio/virtq.h:
kernel/include/string.h:
