build-dbg/kernel/heap.o: kernel/heap.c kernel/heap.h kernel/spinlock.h \
 kernel/include/string.h
kernel/heap.h:
kernel/spinlock.h:
kernel/include/string.h:
