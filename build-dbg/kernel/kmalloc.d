build-dbg/kernel/kmalloc.o: kernel/kmalloc.c kernel/heap.h \
 kernel/spinlock.h arch/x86_64/cpu.h kernel/panic.h \
 kernel/include/string.h
kernel/heap.h:
kernel/spinlock.h:
arch/x86_64/cpu.h:
kernel/panic.h:
kernel/include/string.h:
