build-dbg/drivers/msix.o: drivers/msix.c drivers/msix.h drivers/pci.h \
 drivers/pci_cap.h drivers/irq.h
drivers/msix.h:
drivers/pci.h:
drivers/pci_cap.h:
drivers/irq.h:
