/*
 * start.c - what runs between the kernel and main(): the C library's set-up,
 * the environment from `env=` options (and a cloud's metadata, cloud.c),
 * and exit with main's result.
 */
#include "libc_internal.h"
#include "cloud.h"

#include "boot.h"
#include "console.h"
#include "heap.h"

#include <stdlib.h>
#include <string.h>

extern char **environ;

static char *empty_environment[1];

void *libc_kernel_zalloc(size_t size)
{
    return kzalloc(size);
}

void libc_kernel_free(void *p)
{
    kfree(p);
}

const char *hostname_option(void)
{
    const char *name = cmdline_get(boot_get_cmdline(), "hostname");

    return name && *name ? name : "hermit";
}

void libc_env_init(void)
{
    const struct cmdline *cl = boot_get_cmdline();
    unsigned count = 0;

    environ = empty_environment;
    for (unsigned i = 0; i < cl->opt_count; i++)
        count += !strcmp(cl->opts[i].key, "env");
    if (!count)
        return;
    char **env = kzalloc((count + 1) * sizeof(char *));
    if (!env)
        return;
    count = 0;
    for (unsigned i = 0; i < cl->opt_count; i++) {
        const char *v = cl->opts[i].value;
        if (strcmp(cl->opts[i].key, "env"))
            continue;
        if (!strchr(v, '=') || v[0] == '=') {
            klog(LOG_WARN, "env=%s ignored: needs NAME=VALUE\n", v);
            continue;
        }
        env[count++] = (char *)v;       /* the command line outlives us */
    }
    environ = env;
}

/* newlib's __libc_init_array calls these around the constructor arrays. */
void _init(void)
{
}

void _fini(void)
{
}

void __libc_init_array(void);
void __libc_fini_array(void);

int app_start(int argc, char **argv)
{
    libc_reent_main_thread();
    libc_locks_init();
    libc_memory_init();
    libc_time_init();
    libc_env_init();
    libc_files_init();
    libc_net_init();
    libc_cloud_init(&argc, &argv);
    __libc_init_array();
    atexit(__libc_fini_array);
    exit(main(argc, argv));
}
