/*
 * fuzz_cmdline.c - the kernel command line (kernel/cmdline.c).
 *
 * Input: the text, up to its first NUL (the boot loader's C string).
 * Properties: every result string lies in cl.storage, the counts stay
 * within their limits, argv is NULL-terminated, an error's position lies
 * inside the text, and lookups of every parsed key find it.
 */
#include "fuzz.h"
#include "cmdline.h"

static int inside(const struct cmdline *cl, const char *s)
{
    return s >= cl->storage && s + strlen(s) < cl->storage + sizeof(cl->storage);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct cmdline cl;
    char *text = (char *)fuzz_copy(data, size, 1);
    int err = cmdline_parse(&cl, text);
    size_t len = strlen(text);

    FUZZ_CHECK(cmdline_strerror(err) != NULL);
    FUZZ_CHECK(cl.opt_count <= CMDLINE_OPTS_MAX);
    FUZZ_CHECK(cl.argc >= 0 && cl.argc <= CMDLINE_ARGS_MAX);
    FUZZ_CHECK(cl.argv[cl.argc] == NULL);
    if (err) {
        FUZZ_CHECK(err != CMDLINE_ETOOLONG ? cl.error_pos < len : len >= CMDLINE_MAX);
    } else {
        FUZZ_CHECK(len < CMDLINE_MAX);
    }
    for (int i = 0; i < cl.argc; i++)
        FUZZ_CHECK(inside(&cl, cl.argv[i]));
    for (unsigned i = 0; i < cl.opt_count; i++) {
        const char *key = cl.opts[i].key;
        FUZZ_CHECK(inside(&cl, key) && key[0] != '\0');
        FUZZ_CHECK(!cl.opts[i].value || inside(&cl, cl.opts[i].value));
        FUZZ_CHECK(cmdline_has(&cl, key));
        cmdline_get(&cl, key);
    }
    free(text);
    return 0;
}
