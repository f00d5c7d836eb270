/*
 * cmdline.c - splits the command line into words, then into options and
 * arguments. Words are decoded into cl->storage one after another; a
 * decoded word is never longer than its source, so storage cannot overflow.
 */
#include "cmdline.h"

#include <stdbool.h>
#include <string.h>

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

/*
 * Decodes one word starting at *pos into *out. Returns CMDLINE_OK, or
 * CMDLINE_EQUOTE. *quoted tells whether any part was quoted (so that a
 * quoted "--" stays an argument).
 */
static int next_word(const char *text, size_t *pos, char **out, bool *quoted)
{
    size_t i = *pos;
    char *w = *out;

    *quoted = false;
    while (text[i] && !is_blank(text[i])) {
        char c = text[i++];
        if (c == '\'') {
            *quoted = true;
            while (text[i] && text[i] != '\'')
                *w++ = text[i++];
            if (!text[i])
                return CMDLINE_EQUOTE;
            i++;
        } else if (c == '"') {
            *quoted = true;
            while (text[i] && text[i] != '"') {
                if (text[i] == '\\' && (text[i + 1] == '"' || text[i + 1] == '\\'))
                    i++;
                *w++ = text[i++];
            }
            if (!text[i])
                return CMDLINE_EQUOTE;
            i++;
        } else if (c == '\\') {
            if (!text[i])
                return CMDLINE_EQUOTE;
            *w++ = text[i++];
        } else {
            *w++ = c;
        }
    }
    *w++ = '\0';
    *pos = i;
    *out = w;
    return CMDLINE_OK;
}

static int add_option(struct cmdline *cl, char *word)
{
    char *eq = strchr(word, '=');

    /* "=value", or a bare word that quoting made empty ('' or "") */
    if (eq == word || !*word)
        return CMDLINE_EEMPTYKEY;
    if (eq)
        *eq = '\0';
    for (const char *k = word; *k; k++)
        if (!is_key_char(*k))
            return CMDLINE_EBADKEY;
    if (cl->opt_count == CMDLINE_OPTS_MAX)
        return CMDLINE_ETOOMANYOPTS;
    cl->opts[cl->opt_count++] = (struct cmdline_option){ word, eq ? eq + 1 : NULL };
    return CMDLINE_OK;
}

int cmdline_parse(struct cmdline *cl, const char *text)
{
    size_t pos = 0;
    char *out = cl->storage;
    bool in_args = false;

    cl->opt_count = 0;
    cl->argc = 0;
    cl->argv[0] = NULL;
    cl->error_pos = 0;
    if (strlen(text) >= CMDLINE_MAX)
        return CMDLINE_ETOOLONG;

    for (;;) {
        while (is_blank(text[pos]))
            pos++;
        if (!text[pos])
            return CMDLINE_OK;

        size_t start = pos;
        char *word = out;
        bool quoted;
        int err = next_word(text, &pos, &out, &quoted);
        if (!err && !in_args && !quoted && !strcmp(word, "--")) {
            in_args = true;
            continue;
        }
        if (!err && in_args) {
            if (cl->argc == CMDLINE_ARGS_MAX)
                err = CMDLINE_ETOOMANYARGS;
            else {
                cl->argv[cl->argc++] = word;
                cl->argv[cl->argc] = NULL;
            }
        } else if (!err) {
            err = add_option(cl, word);
        }
        if (err) {
            cl->error_pos = start;
            return err;
        }
    }
}

const char *cmdline_strerror(int error)
{
    switch (error) {
    case CMDLINE_OK: return "no error";
    case CMDLINE_ETOOLONG: return "command line too long";
    case CMDLINE_EEMPTYKEY: return "option with an empty name";
    case CMDLINE_EBADKEY: return "option name may hold only letters, digits, '_', '.', '-'";
    case CMDLINE_EQUOTE: return "unterminated quote or trailing backslash";
    case CMDLINE_ETOOMANYOPTS: return "too many options";
    case CMDLINE_ETOOMANYARGS: return "too many arguments";
    default: return "unknown error";
    }
}

const char *cmdline_get(const struct cmdline *cl, const char *key)
{
    for (unsigned i = cl->opt_count; i-- > 0;)
        if (!strcmp(cl->opts[i].key, key))
            return cl->opts[i].value;
    return NULL;
}

int cmdline_has(const struct cmdline *cl, const char *key)
{
    for (unsigned i = 0; i < cl->opt_count; i++)
        if (!strcmp(cl->opts[i].key, key))
            return 1;
    return 0;
}
