/*
 * test_cmdline.c - splitting the kernel command line into options and argv.
 */
#include "check.h"
#include "cmdline.h"

#include <string.h>

static struct cmdline cl;

static void test_options_and_args(void)
{
    CHECK(cmdline_parse(&cl, "loglevel=info probe  -- ./ring 10 x=y") == CMDLINE_OK);
    CHECK(cl.opt_count == 2);
    CHECK(!strcmp(cl.opts[0].key, "loglevel") && !strcmp(cl.opts[0].value, "info"));
    CHECK(!strcmp(cl.opts[1].key, "probe") && cl.opts[1].value == NULL);
    CHECK(cl.argc == 3 && !strcmp(cl.argv[0], "./ring") && !strcmp(cl.argv[2], "x=y"));
    CHECK(cl.argv[3] == NULL);
    CHECK(cmdline_has(&cl, "probe") && !cmdline_has(&cl, "ring"));
    CHECK(!strcmp(cmdline_get(&cl, "loglevel"), "info"));
    CHECK(cmdline_get(&cl, "probe") == NULL);
}

static void test_empty(void)
{
    CHECK(cmdline_parse(&cl, "") == CMDLINE_OK && cl.opt_count == 0 && cl.argc == 0);
    CHECK(cmdline_parse(&cl, "  \t ") == CMDLINE_OK && cl.opt_count == 0);
    CHECK(cmdline_parse(&cl, "--") == CMDLINE_OK && cl.argc == 0 && cl.argv[0] == NULL);
    CHECK(cmdline_parse(&cl, "a=") == CMDLINE_OK && !strcmp(cl.opts[0].value, ""));
}

static void test_quoting(void)
{
    CHECK(cmdline_parse(&cl, "-- 'two words' \"say \\\"hi\\\"\" a\\ b 'it'\"'\"'s' ''") ==
          CMDLINE_OK);
    CHECK(cl.argc == 5);
    CHECK(!strcmp(cl.argv[0], "two words"));
    CHECK(!strcmp(cl.argv[1], "say \"hi\""));
    CHECK(!strcmp(cl.argv[2], "a b"));
    CHECK(!strcmp(cl.argv[3], "it's"));
    CHECK(!strcmp(cl.argv[4], ""));
    CHECK(cmdline_parse(&cl, "msg='hello world' -- '--' --") == CMDLINE_OK);
    CHECK(!strcmp(cmdline_get(&cl, "msg"), "hello world"));
    CHECK(cl.argc == 2 && !strcmp(cl.argv[0], "--") && !strcmp(cl.argv[1], "--"));
}

static void test_last_wins(void)
{
    CHECK(cmdline_parse(&cl, "env=A=1 env=B=2") == CMDLINE_OK);
    CHECK(cl.opt_count == 2 && !strcmp(cl.opts[0].value, "A=1"));
    CHECK(!strcmp(cmdline_get(&cl, "env"), "B=2"));
}

static void test_errors(void)
{
    CHECK(cmdline_parse(&cl, "ok=1 =x") == CMDLINE_EEMPTYKEY && cl.error_pos == 5);
    CHECK(cmdline_parse(&cl, "a@b=1") == CMDLINE_EBADKEY && cl.error_pos == 0);
    /* Found by fuzzing: a quoted empty word before "--" was an option named "". */
    CHECK(cmdline_parse(&cl, "x '' -- a") == CMDLINE_EEMPTYKEY && cl.error_pos == 2);
    CHECK(cmdline_parse(&cl, "\"\"=1") == CMDLINE_EEMPTYKEY && cl.opt_count == 0);
    CHECK(cmdline_parse(&cl, "-- ''") == CMDLINE_OK && cl.argc == 1 && !strcmp(cl.argv[0], ""));
    CHECK(cmdline_parse(&cl, "x=1 -- 'open") == CMDLINE_EQUOTE && cl.error_pos == 7);
    CHECK(cmdline_parse(&cl, "-- \"open") == CMDLINE_EQUOTE);
    CHECK(cmdline_parse(&cl, "-- end\\") == CMDLINE_EQUOTE);
    CHECK(cmdline_strerror(CMDLINE_EQUOTE)[0] != '\0');
}

static void test_limits(void)
{
    static char text[CMDLINE_MAX + 16];
    size_t n = 0;

    for (int i = 0; i <= CMDLINE_OPTS_MAX; i++)
        n += (size_t)sprintf(text + n, "k%d ", i);
    CHECK(cmdline_parse(&cl, text) == CMDLINE_ETOOMANYOPTS);

    n = (size_t)sprintf(text, "--");
    for (int i = 0; i <= CMDLINE_ARGS_MAX; i++)
        n += (size_t)sprintf(text + n, " a");
    CHECK(cmdline_parse(&cl, text) == CMDLINE_ETOOMANYARGS);

    memset(text, 'a', CMDLINE_MAX);
    text[CMDLINE_MAX] = '\0';
    CHECK(cmdline_parse(&cl, text) == CMDLINE_ETOOLONG);
    text[CMDLINE_MAX - 1] = '\0';           /* the longest that fits */
    CHECK(cmdline_parse(&cl, text) == CMDLINE_OK && strlen(cl.opts[0].key) == CMDLINE_MAX - 1);
}

int main(void)
{
    static const struct check_case cases[] = {
        { "options_and_args", test_options_and_args },
        { "empty", test_empty },
        { "quoting", test_quoting },
        { "last_wins", test_last_wins },
        { "errors", test_errors },
        { "limits", test_limits },
    };
    return check_run("cmdline", cases, sizeof(cases) / sizeof(cases[0]));
}
