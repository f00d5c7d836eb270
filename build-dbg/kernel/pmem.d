build-dbg/kernel/pmem.o: kernel/pmem.c kernel/pmem.h \
 arch/x86_64/bootinfo.h kernel/console.h kernel/exitcode.h \
 arch/x86_64/cpu.h kernel/freelist.h kernel/panic.h kernel/spinlock.h
kernel/pmem.h:
arch/x86_64/bootinfo.h:
kernel/console.h:
kernel/exitcode.h:
arch/x86_64/cpu.h:
kernel/freelist.h:
kernel/panic.h:
kernel/spinlock.h:
