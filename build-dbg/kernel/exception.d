build-dbg/kernel/exception.o: kernel/exception.c kernel/exception.h \
 kernel/console.h arch/x86_64/cpu.h kernel/exitcode.h \
 arch/x86_64/machine.h kernel/panic.h arch/x86_64/trap.h kernel/vmem.h
kernel/exception.h:
kernel/console.h:
arch/x86_64/cpu.h:
kernel/exitcode.h:
arch/x86_64/machine.h:
kernel/panic.h:
arch/x86_64/trap.h:
kernel/vmem.h:
