/*
 * tbcount.c - a QEMU TCG plugin that counts guest instructions per
 * translation block, for bench/icount_profile.py.
 *
 * Each block is keyed by its start address and length; every execution
 * adds its length to the block's count. At exit the plugin writes one
 * line per executed block, "start executions instructions" (hex, then
 * decimal), to out=PATH.<pid> (default /tmp/tbcount.<pid>). Blocks end
 * at branches and calls, so attributing a block to the function that
 * holds its start address is exact at function granularity.
 *
 * QEMU's plugin API is declared here from its documented contract
 * (version 4, QEMU 9.1 and later): QEMU ships no header for it in Debian.
 * Build: gcc -O2 -shared -fPIC -fvisibility=hidden -o tbcount.so tbcount.c
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_info;

#define EXPORT __attribute__((visibility("default")))
#define CB_NO_REGS 0

EXPORT int qemu_plugin_version = 4;

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
                                           void (*cb)(qemu_plugin_id_t, struct qemu_plugin_tb *));
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb,
                                          void (*cb)(unsigned int vcpu, void *userdata),
                                          int flags, void *userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, void (*cb)(qemu_plugin_id_t, void *),
                                    void *userdata);

struct block {
    uint64_t start, insns, executions;
    struct block *next;
};

#define BUCKETS 65536

static struct block *table[BUCKETS];
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static char out_path[4096];

static void on_exec(unsigned int vcpu, void *userdata)
{
    struct block *b = userdata;

    (void)vcpu;
    __atomic_add_fetch(&b->executions, 1, __ATOMIC_RELAXED);
}

/* The same block may be translated again (after a flush): one record for both. */
static struct block *block_for(uint64_t start, uint64_t insns)
{
    unsigned h = (unsigned)((start ^ (start >> 16) ^ insns * 2654435761u) % BUCKETS);
    struct block *b;

    pthread_mutex_lock(&table_lock);
    for (b = table[h]; b && !(b->start == start && b->insns == insns); b = b->next)
        ;
    if (!b && (b = calloc(1, sizeof(*b)))) {
        b->start = start;
        b->insns = insns;
        b->next = table[h];
        table[h] = b;
    }
    pthread_mutex_unlock(&table_lock);
    return b;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    struct block *b = block_for(qemu_plugin_tb_vaddr(tb), qemu_plugin_tb_n_insns(tb));

    (void)id;
    if (b)
        qemu_plugin_register_vcpu_tb_exec_cb(tb, on_exec, CB_NO_REGS, b);
}

static void on_exit_write(qemu_plugin_id_t id, void *userdata)
{
    FILE *f = fopen(out_path, "w");

    (void)id;
    (void)userdata;
    if (!f)
        return;
    for (unsigned i = 0; i < BUCKETS; i++)
        for (struct block *b = table[i]; b; b = b->next)
            if (b->executions)
                fprintf(f, "%llx %llu %llu\n", (unsigned long long)b->start,
                        (unsigned long long)b->executions,
                        (unsigned long long)(b->insns * b->executions));
    fclose(f);
}

EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info *info, int argc,
                               char **argv)
{
    const char *out = "/tmp/tbcount";

    (void)info;
    for (int i = 0; i < argc; i++)
        if (!strncmp(argv[i], "out=", 4))
            out = argv[i] + 4;
    snprintf(out_path, sizeof(out_path), "%s.%d", out, (int)getpid());
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, on_exit_write, NULL);
    return 0;
}
