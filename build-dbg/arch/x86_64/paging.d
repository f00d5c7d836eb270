build-dbg/arch/x86_64/paging.o: arch/x86_64/paging.c arch/x86_64/paging.h \
 arch/x86_64/cpu.h
arch/x86_64/paging.h:
arch/x86_64/cpu.h:
