/*
 * socket_file.h - what libc/poll.c needs to know about socket
 * descriptors (libc/socket.c): which lwIP socket a file is.
 */
#ifndef LIBC_SOCKET_FILE_H
#define LIBC_SOCKET_FILE_H

struct file;

/* The lwIP socket behind f, or -1 if f is not a socket. */
int socket_file_sock(struct file *f);

#endif
