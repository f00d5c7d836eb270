build-dbg/drivers/pci_cap.o: drivers/pci_cap.c drivers/pci_cap.h
drivers/pci_cap.h:
