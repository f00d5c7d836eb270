build-dbg/drivers/virtio/virtio_pci_cap.o: \
 drivers/virtio/virtio_pci_cap.c drivers/virtio/virtio_pci_cap.h \
 drivers/pci_cap.h
drivers/virtio/virtio_pci_cap.h:
drivers/pci_cap.h:
