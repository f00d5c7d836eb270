/*
 * options.c - validation of kernel options against a table of known names.
 */
#include "options.h"
#include "console.h"
#include "exitcode.h"
#include "format.h"

#include <stddef.h>
#include <string.h>

enum value_kind { FLAG, VALUE, LAYER };

static const struct {
    const char *name;
    enum value_kind kind;
    const char *help;
} known[] = {
    { "loglevel", VALUE, "error|warn|info|debug" },
    { "probe", FLAG, "time a fixed loop and exit (accelerator probe)" },
    { "idle", VALUE, "halt|poll" },
    { "acpi", VALUE, "on|off" },
    { "cpus", VALUE, "a number from 1 to 64" },
    { "stats", FLAG, "print per-CPU busy/idle ticks and network counters at exit" },
    /* Read by the layers above, which validate the values themselves. */
    { "env", LAYER, "KEY=VALUE, one per variable (C library)" },
    { "epoch", LAYER, "seconds since 1970 at boot (C library wall clock)" },
    { "hostname", LAYER, "the name gethostname() returns" },
    { "ip", LAYER, "ADDR/PREFIX or dhcp, comma-separated, one per NIC (network)" },
    { "gw", LAYER, "the default gateway's IPv4 address (network)" },
    { "mtu", LAYER, "the NICs' IP MTU, 576..65535 (network)" },
    { "hosts", LAYER, "NAME:ADDR,NAME:ADDR, a static hosts table (network)" },
    { "cloud", LAYER, "auto|gce|ec2|openstack: job settings from the metadata service (C library)" },
    { "virtio_mmio.device", LAYER, "SIZE@BASE:GSI, one per virtio-mmio device (drivers)" },
};

#define KNOWN_COUNT (sizeof(known) / sizeof(known[0]))

static int find(const char *name)
{
    for (size_t i = 0; i < KNOWN_COUNT; i++)
        if (!strcmp(known[i].name, name))
            return (int)i;
    return -1;
}

static int reject(const char *problem)
{
    kprintf("hermit: bad kernel option: %s\nhermit: known options:", problem);
    for (size_t i = 0; i < KNOWN_COUNT; i++)
        kprintf(" %s%s", known[i].name, known[i].kind == FLAG ? "" : "=");
    kprintf(" (then -- and the program's arguments)\n");
    return EXIT_BAD_CMDLINE;
}

static int parse_count(const char *text, unsigned *out)
{
    unsigned v = 0;

    if (!*text)
        return 0;
    for (; *text; text++) {
        if (*text < '0' || *text > '9' || v > 1000)
            return 0;
        v = v * 10 + (unsigned)(*text - '0');
    }
    if (v < 1 || v > 64)
        return 0;
    *out = v;
    return 1;
}

int options_apply(const struct cmdline *cl, struct kernel_options *out)
{
    int level = -1;
    char msg[160];

    memset(out, 0, sizeof(*out));
    for (unsigned i = 0; i < cl->opt_count; i++) {
        const struct cmdline_option *o = &cl->opts[i];
        int k = find(o->key);
        if (k < 0)
            return ksnprintf(msg, sizeof(msg), "unknown option '%s'", o->key), reject(msg);
        if (known[k].kind == LAYER) {
            if (!o->value)
                return ksnprintf(msg, sizeof(msg), "'%s' needs a value: %s", o->key,
                                 known[k].help), reject(msg);
            continue;
        }
        if (known[k].kind == VALUE && !o->value)
            return ksnprintf(msg, sizeof(msg), "'%s' needs a value: %s", o->key,
                             known[k].help), reject(msg);
        if (known[k].kind == FLAG && o->value)
            return ksnprintf(msg, sizeof(msg), "'%s' takes no value", o->key), reject(msg);
        if (!strcmp(o->key, "loglevel")) {
            level = console_parse_level(o->value);
            if (level < 0)
                return ksnprintf(msg, sizeof(msg), "loglevel must be %s, not '%s'",
                                 known[k].help, o->value), reject(msg);
        } else if (!strcmp(o->key, "probe")) {
            out->probe = 1;
        } else if (!strcmp(o->key, "stats")) {
            out->stats = 1;
        } else if (!strcmp(o->key, "idle") && (!strcmp(o->value, "halt") ||
                                               !strcmp(o->value, "poll"))) {
            out->idle = !strcmp(o->value, "poll") ? IDLE_POLL : IDLE_HALT;
        } else if (!strcmp(o->key, "acpi") && (!strcmp(o->value, "on") ||
                                               !strcmp(o->value, "off"))) {
            out->acpi_off = !strcmp(o->value, "off");
        } else if (!strcmp(o->key, "cpus") && parse_count(o->value, &out->max_cpus)) {
            /* parsed */
        } else {
            return ksnprintf(msg, sizeof(msg), "%s must be %s, not '%s'", o->key,
                             known[k].help, o->value), reject(msg);
        }
    }
    if (level >= 0)
        console_set_level((enum log_level)level);
    return 0;
}
