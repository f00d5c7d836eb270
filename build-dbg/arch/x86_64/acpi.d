build-dbg/arch/x86_64/acpi.o: arch/x86_64/acpi.c arch/x86_64/platform.h \
 kernel/include/string.h
arch/x86_64/platform.h:
kernel/include/string.h:
