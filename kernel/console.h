/*
 * console.h - kernel output: kprintf for plain text, klog for messages
 * that carry a level and a "hermit: " prefix.
 *
 * The default level is LOG_WARN, so that an application's own output is
 * all a user sees unless they ask for more (loglevel=info on the command
 * line).
 *
 * Contract: both MAY be called from any context, including exception
 * handlers; lines from different CPUs are not interleaved within one call.
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <stddef.h>

enum log_level {
    LOG_ERROR = 0,
    LOG_WARN = 1,
    LOG_INFO = 2,
    LOG_DEBUG = 3,
};

void console_set_level(enum log_level level);
enum log_level console_level(void);

/* Parses "error", "warn", "info", "debug" or a digit 0-3; -1 if invalid. */
int console_parse_level(const char *text);

void console_write(const char *buf, size_t len);

int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void klog(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
