build-dbg/kernel/console.o: kernel/console.c kernel/console.h \
 kernel/format.h arch/x86_64/serial.h kernel/include/string.h
kernel/console.h:
kernel/format.h:
arch/x86_64/serial.h:
kernel/include/string.h:
