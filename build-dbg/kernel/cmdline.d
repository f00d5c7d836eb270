build-dbg/kernel/cmdline.o: kernel/cmdline.c kernel/cmdline.h \
 kernel/include/string.h
kernel/cmdline.h:
kernel/include/string.h:
