build-dbg/kernel/ssp.o: kernel/ssp.c kernel/ssp.h kernel/console.h \
 arch/x86_64/cpu.h arch/x86_64/entropy.h kernel/exitcode.h \
 arch/x86_64/machine.h kernel/panic.h
kernel/ssp.h:
kernel/console.h:
arch/x86_64/cpu.h:
arch/x86_64/entropy.h:
kernel/exitcode.h:
arch/x86_64/machine.h:
kernel/panic.h:
