build-dbg/drivers/virtio/virtio_net.o: drivers/virtio/virtio_net.c \
 drivers/virtio/virtio_net.h drivers/virtio/vnet_hdr.h kernel/clock.h \
 kernel/console.h arch/x86_64/cpu.h kernel/format.h kernel/heap.h \
 kernel/spinlock.h kernel/pmem.h arch/x86_64/bootinfo.h \
 drivers/virtio/vnet_state.h kernel/sync.h kernel/waitqueue.h \
 kernel/list.h kernel/thread.h drivers/virtio/virtio.h \
 drivers/virtio/virtq.h drivers/virtio/vnet_rx.h kernel/include/string.h
drivers/virtio/virtio_net.h:
drivers/virtio/vnet_hdr.h:
kernel/clock.h:
kernel/console.h:
arch/x86_64/cpu.h:
kernel/format.h:
kernel/heap.h:
kernel/spinlock.h:
kernel/pmem.h:
arch/x86_64/bootinfo.h:
drivers/virtio/vnet_state.h:
kernel/sync.h:
kernel/waitqueue.h:
kernel/list.h:
kernel/thread.h:
drivers/virtio/virtio.h:
drivers/virtio/virtq.h:
drivers/virtio/vnet_rx.h:
kernel/include/string.h:
