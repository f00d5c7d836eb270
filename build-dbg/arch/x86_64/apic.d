build-dbg/arch/x86_64/apic.o: arch/x86_64/apic.c arch/x86_64/apic.h \
 arch/x86_64/cpu.h
arch/x86_64/apic.h:
arch/x86_64/cpu.h:
