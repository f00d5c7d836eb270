build-dbg/drivers/pci_res.o: drivers/pci_res.c drivers/pci.h \
 drivers/pci_cap.h kernel/discovery.h arch/x86_64/bootinfo.h \
 arch/x86_64/platform.h
drivers/pci.h:
drivers/pci_cap.h:
kernel/discovery.h:
arch/x86_64/bootinfo.h:
arch/x86_64/platform.h:
