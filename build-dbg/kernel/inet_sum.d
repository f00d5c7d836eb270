build-dbg/kernel/inet_sum.o: kernel/inet_sum.c kernel/inet_sum.h \
 kernel/include/string.h
kernel/inet_sum.h:
kernel/include/string.h:
