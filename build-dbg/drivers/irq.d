build-dbg/drivers/irq.o: drivers/irq.c drivers/irq.h arch/x86_64/apic.h \
 kernel/console.h arch/x86_64/cpu.h arch/x86_64/ioapic.h kernel/percpu.h \
 kernel/list.h kernel/spinlock.h arch/x86_64/trap.h
drivers/irq.h:
arch/x86_64/apic.h:
kernel/console.h:
arch/x86_64/cpu.h:
arch/x86_64/ioapic.h:
kernel/percpu.h:
kernel/list.h:
kernel/spinlock.h:
arch/x86_64/trap.h:
