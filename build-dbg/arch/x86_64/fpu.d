build-dbg/arch/x86_64/fpu.o: arch/x86_64/fpu.c arch/x86_64/fpu.h \
 arch/x86_64/cpu.h kernel/include/string.h
arch/x86_64/fpu.h:
arch/x86_64/cpu.h:
kernel/include/string.h:
