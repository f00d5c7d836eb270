build-dbg/arch/x86_64/entropy.o: arch/x86_64/entropy.c \
 arch/x86_64/entropy.h arch/x86_64/cpu.h
arch/x86_64/entropy.h:
arch/x86_64/cpu.h:
