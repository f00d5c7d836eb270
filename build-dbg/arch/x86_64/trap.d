build-dbg/arch/x86_64/trap.o: arch/x86_64/trap.c arch/x86_64/trap.h \
 arch/x86_64/cpu.h
arch/x86_64/trap.h:
arch/x86_64/cpu.h:
