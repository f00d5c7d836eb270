build-dbg/arch/x86_64/cmos.o: arch/x86_64/cmos.c arch/x86_64/cmos.h \
 arch/x86_64/cpu.h
arch/x86_64/cmos.h:
arch/x86_64/cpu.h:
