/*
 * sys/utsname.h - the system's name (libc/process.c): sysname
 * "HermitCore-C", nodename the hostname (kernel option hostname=),
 * release and version those of this build, machine "x86_64".
 */
#ifndef _SYS_UTSNAME_H
#define _SYS_UTSNAME_H

#ifdef __cplusplus
extern "C" {
#endif

#define _UTSNAME_LENGTH 65

struct utsname {
    char sysname[_UTSNAME_LENGTH];
    char nodename[_UTSNAME_LENGTH];
    char release[_UTSNAME_LENGTH];
    char version[_UTSNAME_LENGTH];
    char machine[_UTSNAME_LENGTH];
    char domainname[_UTSNAME_LENGTH];
};

int uname(struct utsname *name);

#ifdef __cplusplus
}
#endif

#endif
