build-dbg/arch/x86_64/bootinfo.o: arch/x86_64/bootinfo.c \
 arch/x86_64/bootinfo.h kernel/include/string.h
arch/x86_64/bootinfo.h:
kernel/include/string.h:
