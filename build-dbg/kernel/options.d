build-dbg/kernel/options.o: kernel/options.c kernel/options.h \
 kernel/cmdline.h kernel/sched.h kernel/spinlock.h kernel/thread.h \
 kernel/list.h kernel/console.h kernel/exitcode.h kernel/format.h \
 kernel/include/string.h
kernel/options.h:
kernel/cmdline.h:
kernel/sched.h:
kernel/spinlock.h:
kernel/thread.h:
kernel/list.h:
kernel/console.h:
kernel/exitcode.h:
kernel/format.h:
kernel/include/string.h:
