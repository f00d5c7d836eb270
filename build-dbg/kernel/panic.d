build-dbg/kernel/panic.o: kernel/panic.c kernel/panic.h kernel/console.h \
 kernel/exitcode.h kernel/format.h arch/x86_64/machine.h \
 arch/x86_64/paging.h arch/x86_64/cpu.h
kernel/panic.h:
kernel/console.h:
kernel/exitcode.h:
kernel/format.h:
arch/x86_64/machine.h:
arch/x86_64/paging.h:
arch/x86_64/cpu.h:
