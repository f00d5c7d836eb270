build-dbg/arch/x86_64/machine.o: arch/x86_64/machine.c \
 arch/x86_64/machine.h arch/x86_64/cpu.h arch/x86_64/serial.h
arch/x86_64/machine.h:
arch/x86_64/cpu.h:
arch/x86_64/serial.h:
