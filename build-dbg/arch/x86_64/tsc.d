build-dbg/arch/x86_64/tsc.o: arch/x86_64/tsc.c arch/x86_64/tsc.h \
 arch/x86_64/cpu.h
arch/x86_64/tsc.h:
arch/x86_64/cpu.h:
