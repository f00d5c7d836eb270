build-dbg/kernel/discovery.o: kernel/discovery.c kernel/discovery.h \
 arch/x86_64/bootinfo.h arch/x86_64/platform.h arch/x86_64/apic.h \
 kernel/clock.h kernel/console.h arch/x86_64/cpu.h arch/x86_64/ioapic.h \
 arch/x86_64/machine.h arch/x86_64/paging.h kernel/panic.h
kernel/discovery.h:
arch/x86_64/bootinfo.h:
arch/x86_64/platform.h:
arch/x86_64/apic.h:
kernel/clock.h:
kernel/console.h:
arch/x86_64/cpu.h:
arch/x86_64/ioapic.h:
arch/x86_64/machine.h:
arch/x86_64/paging.h:
kernel/panic.h:
