build-dbg/drivers/virtio/virtio_pci.o: drivers/virtio/virtio_pci.c \
 kernel/console.h arch/x86_64/cpu.h kernel/format.h kernel/heap.h \
 kernel/spinlock.h drivers/irq.h drivers/portio.h \
 drivers/virtio/virtio_pci.h drivers/msix.h drivers/pci.h \
 drivers/pci_cap.h drivers/pci.h drivers/virtio/virtio.h \
 drivers/virtio/virtq.h drivers/virtio/virtio_pci_cap.h drivers/pci_cap.h
kernel/console.h:
arch/x86_64/cpu.h:
kernel/format.h:
kernel/heap.h:
kernel/spinlock.h:
drivers/irq.h:
drivers/portio.h:
drivers/virtio/virtio_pci.h:
drivers/msix.h:
drivers/pci.h:
drivers/pci_cap.h:
drivers/pci.h:
drivers/virtio/virtio.h:
drivers/virtio/virtq.h:
drivers/virtio/virtio_pci_cap.h:
drivers/pci_cap.h:
