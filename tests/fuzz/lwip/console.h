/* console.h - klog for net/dhcp_hooks.c in the host fuzz build: silent. */
#ifndef FUZZ_CONSOLE_H
#define FUZZ_CONSOLE_H

enum { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };
#define klog(level, ...) ((void)(level))

#endif
