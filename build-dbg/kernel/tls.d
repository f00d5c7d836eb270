build-dbg/kernel/tls.o: kernel/tls.c kernel/tls.h kernel/heap.h \
 kernel/spinlock.h kernel/kerr.h kernel/ssp.h kernel/include/string.h
kernel/tls.h:
kernel/heap.h:
kernel/spinlock.h:
kernel/kerr.h:
kernel/ssp.h:
kernel/include/string.h:
