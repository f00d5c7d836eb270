build-dbg/drivers/virtio/vnet_io.o: drivers/virtio/vnet_io.c \
 kernel/clock.h kernel/console.h arch/x86_64/cpu.h kernel/kerr.h \
 arch/x86_64/paging.h kernel/vmem.h drivers/virtio/vnet_state.h \
 kernel/sync.h kernel/waitqueue.h kernel/list.h kernel/spinlock.h \
 kernel/thread.h drivers/virtio/virtio.h drivers/virtio/virtq.h \
 drivers/virtio/virtio_net.h drivers/virtio/vnet_hdr.h \
 drivers/virtio/vnet_rx.h
kernel/clock.h:
kernel/console.h:
arch/x86_64/cpu.h:
kernel/kerr.h:
arch/x86_64/paging.h:
kernel/vmem.h:
drivers/virtio/vnet_state.h:
kernel/sync.h:
kernel/waitqueue.h:
kernel/list.h:
kernel/spinlock.h:
kernel/thread.h:
drivers/virtio/virtio.h:
drivers/virtio/virtq.h:
drivers/virtio/virtio_net.h:
drivers/virtio/vnet_hdr.h:
drivers/virtio/vnet_rx.h:
