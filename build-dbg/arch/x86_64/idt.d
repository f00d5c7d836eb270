build-dbg/arch/x86_64/idt.o: arch/x86_64/idt.c arch/x86_64/idt.h \
 arch/x86_64/gdt.h arch/x86_64/trap.h
arch/x86_64/idt.h:
arch/x86_64/gdt.h:
arch/x86_64/trap.h:
