build-dbg/drivers/virtio/virtio.o: drivers/virtio/virtio.c \
 drivers/virtio/virtio.h drivers/virtio/virtq.h kernel/console.h \
 kernel/heap.h kernel/spinlock.h drivers/pci.h drivers/pci_cap.h \
 kernel/pmem.h arch/x86_64/bootinfo.h
drivers/virtio/virtio.h:
drivers/virtio/virtq.h:
kernel/console.h:
kernel/heap.h:
kernel/spinlock.h:
drivers/pci.h:
drivers/pci_cap.h:
kernel/pmem.h:
arch/x86_64/bootinfo.h:
