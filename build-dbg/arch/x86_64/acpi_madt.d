build-dbg/arch/x86_64/acpi_madt.o: arch/x86_64/acpi_madt.c \
 arch/x86_64/platform.h
arch/x86_64/platform.h:
