build-dbg/arch/x86_64/gdt.o: arch/x86_64/gdt.c arch/x86_64/gdt.h \
 arch/x86_64/cpu.h
arch/x86_64/gdt.h:
arch/x86_64/cpu.h:
