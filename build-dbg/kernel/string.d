build-dbg/kernel/string.o: kernel/string.c kernel/include/string.h
kernel/include/string.h:
