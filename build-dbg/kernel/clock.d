build-dbg/kernel/clock.o: kernel/clock.c kernel/clock.h arch/x86_64/cpu.h
kernel/clock.h:
arch/x86_64/cpu.h:
