build-dbg/drivers/pci.o: drivers/pci.c drivers/pci.h drivers/pci_cap.h \
 kernel/console.h arch/x86_64/cpu.h kernel/discovery.h \
 arch/x86_64/bootinfo.h arch/x86_64/platform.h drivers/portio.h \
 kernel/spinlock.h
drivers/pci.h:
drivers/pci_cap.h:
kernel/console.h:
arch/x86_64/cpu.h:
kernel/discovery.h:
arch/x86_64/bootinfo.h:
arch/x86_64/platform.h:
drivers/portio.h:
kernel/spinlock.h:
