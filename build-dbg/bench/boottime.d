build-dbg/bench/boottime.o: bench/boottime.c kernel/boot.h \
 arch/x86_64/bootinfo.h kernel/cmdline.h kernel/clock.h kernel/console.h
kernel/boot.h:
arch/x86_64/bootinfo.h:
kernel/cmdline.h:
kernel/clock.h:
kernel/console.h:
