build-dbg/kernel/vmem.o: kernel/vmem.c kernel/vmem.h arch/x86_64/cpu.h \
 kernel/freelist.h kernel/heap.h kernel/spinlock.h arch/x86_64/paging.h \
 kernel/panic.h kernel/pmem.h arch/x86_64/bootinfo.h
kernel/vmem.h:
arch/x86_64/cpu.h:
kernel/freelist.h:
kernel/heap.h:
kernel/spinlock.h:
arch/x86_64/paging.h:
kernel/panic.h:
kernel/pmem.h:
arch/x86_64/bootinfo.h:
