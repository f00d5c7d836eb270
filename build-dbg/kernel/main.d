build-dbg/kernel/main.o: kernel/main.c kernel/boot.h \
 arch/x86_64/bootinfo.h kernel/cmdline.h kernel/clock.h kernel/console.h \
 arch/x86_64/cpu.h kernel/discovery.h arch/x86_64/platform.h \
 kernel/exception.h kernel/exitcode.h arch/x86_64/gdt.h kernel/heap.h \
 kernel/spinlock.h arch/x86_64/idt.h arch/x86_64/machine.h \
 kernel/options.h kernel/sched.h kernel/thread.h kernel/list.h \
 arch/x86_64/fpu.h arch/x86_64/apic.h arch/x86_64/paging.h kernel/panic.h \
 kernel/percpu.h kernel/pmem.h arch/x86_64/serial.h kernel/shutdown.h \
 kernel/smp.h kernel/ssp.h kernel/tlb.h arch/x86_64/trampoline.h \
 arch/x86_64/tsc.h kernel/vmem.h kernel/include/string.h
kernel/boot.h:
arch/x86_64/bootinfo.h:
kernel/cmdline.h:
kernel/clock.h:
kernel/console.h:
arch/x86_64/cpu.h:
kernel/discovery.h:
arch/x86_64/platform.h:
kernel/exception.h:
kernel/exitcode.h:
arch/x86_64/gdt.h:
kernel/heap.h:
kernel/spinlock.h:
arch/x86_64/idt.h:
arch/x86_64/machine.h:
kernel/options.h:
kernel/sched.h:
kernel/thread.h:
kernel/list.h:
arch/x86_64/fpu.h:
arch/x86_64/apic.h:
arch/x86_64/paging.h:
kernel/panic.h:
kernel/percpu.h:
kernel/pmem.h:
arch/x86_64/serial.h:
kernel/shutdown.h:
kernel/smp.h:
kernel/ssp.h:
kernel/tlb.h:
arch/x86_64/trampoline.h:
arch/x86_64/tsc.h:
kernel/vmem.h:
kernel/include/string.h:
