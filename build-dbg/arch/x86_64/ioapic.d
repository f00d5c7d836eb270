build-dbg/arch/x86_64/ioapic.o: arch/x86_64/ioapic.c arch/x86_64/ioapic.h \
 arch/x86_64/cpu.h
arch/x86_64/ioapic.h:
arch/x86_64/cpu.h:
