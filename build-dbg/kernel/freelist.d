build-dbg/kernel/freelist.o: kernel/freelist.c kernel/freelist.h
kernel/freelist.h:
