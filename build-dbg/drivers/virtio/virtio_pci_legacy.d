build-dbg/drivers/virtio/virtio_pci_legacy.o: \
 drivers/virtio/virtio_pci_legacy.c arch/x86_64/cpu.h drivers/portio.h \
 drivers/virtio/virtio_pci.h drivers/msix.h drivers/pci.h \
 drivers/pci_cap.h drivers/pci.h drivers/virtio/virtio.h \
 drivers/virtio/virtq.h
arch/x86_64/cpu.h:
drivers/portio.h:
drivers/virtio/virtio_pci.h:
drivers/msix.h:
drivers/pci.h:
drivers/pci_cap.h:
drivers/pci.h:
drivers/virtio/virtio.h:
drivers/virtio/virtq.h:
