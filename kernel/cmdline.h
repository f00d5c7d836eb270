/*
 * cmdline.h - the kernel command line: options, then "--", then argv.
 *
 *   loglevel=info probe -- ./ring 10 "two words"
 *
 * Before "--", each word is an option: `key=value` or a bare `key`
 * (value NULL). Keys are letters, digits, '_', '.', '-'. After "--",
 * each word is an argument for main(); argv[0] is the first of them.
 * Words split on blanks; single quotes keep text literally, double quotes
 * honour \" and \\, and a backslash outside quotes escapes one character.
 *
 * Contract: cmdline_parse copies `text`; on success the strings in *cl
 * live as long as *cl. On error, error_pos holds the byte offset in `text`
 * where the problem starts, and *cl holds what came before it.
 */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H

#include <stddef.h>

#define CMDLINE_MAX         4096
#define CMDLINE_OPTS_MAX    64
#define CMDLINE_ARGS_MAX    256

enum cmdline_error {
    CMDLINE_OK = 0,
    CMDLINE_ETOOLONG,           /* text longer than CMDLINE_MAX - 1 */
    CMDLINE_EEMPTYKEY,          /* "=value", or an option '' */
    CMDLINE_EBADKEY,            /* key holds a character outside [A-Za-z0-9_.-] */
    CMDLINE_EQUOTE,             /* a quote is never closed, or a trailing backslash */
    CMDLINE_ETOOMANYOPTS,
    CMDLINE_ETOOMANYARGS,
};

struct cmdline_option {
    const char *key;
    const char *value;          /* NULL for a bare flag */
};

struct cmdline {
    char storage[CMDLINE_MAX + 1];
    struct cmdline_option opts[CMDLINE_OPTS_MAX];
    unsigned opt_count;
    char *argv[CMDLINE_ARGS_MAX + 1];   /* NULL-terminated */
    int argc;
    size_t error_pos;
};

int cmdline_parse(struct cmdline *cl, const char *text);
const char *cmdline_strerror(int error);

/* The value of the last option named key: NULL if absent or a bare flag. */
const char *cmdline_get(const struct cmdline *cl, const char *key);
/* True if an option named key appears at all. */
int cmdline_has(const struct cmdline *cl, const char *key);

#endif
