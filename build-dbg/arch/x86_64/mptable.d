build-dbg/arch/x86_64/mptable.o: arch/x86_64/mptable.c \
 arch/x86_64/platform.h kernel/include/string.h
arch/x86_64/platform.h:
kernel/include/string.h:
