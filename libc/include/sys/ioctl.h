/*
 * sys/ioctl.h - the two socket ioctls ported code uses: FIONREAD (bytes
 * waiting) and FIONBIO (non-blocking on/off, like fcntl O_NONBLOCK).
 */
#ifndef HERMIT_SYS_IOCTL_H
#define HERMIT_SYS_IOCTL_H

#define FIONREAD        0x541B
#define FIONBIO         0x5421

int ioctl(int fd, unsigned long request, ...);

#endif
