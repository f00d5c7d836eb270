build-dbg/drivers/virtio/virtio_mmio.o: drivers/virtio/virtio_mmio.c \
 drivers/virtio/virtio.h drivers/virtio/virtq.h kernel/boot.h \
 arch/x86_64/bootinfo.h kernel/cmdline.h kernel/console.h \
 arch/x86_64/cpu.h kernel/discovery.h arch/x86_64/platform.h \
 kernel/format.h kernel/heap.h kernel/spinlock.h arch/x86_64/ioapic.h \
 drivers/irq.h drivers/pci.h drivers/pci_cap.h kernel/include/string.h
drivers/virtio/virtio.h:
drivers/virtio/virtq.h:
kernel/boot.h:
arch/x86_64/bootinfo.h:
kernel/cmdline.h:
kernel/console.h:
arch/x86_64/cpu.h:
kernel/discovery.h:
arch/x86_64/platform.h:
kernel/format.h:
kernel/heap.h:
kernel/spinlock.h:
arch/x86_64/ioapic.h:
drivers/irq.h:
drivers/pci.h:
drivers/pci_cap.h:
kernel/include/string.h:
