/* parse_edn.c - one line of a Jepsen EDN history ({:process 1, :type :ok,
 * :f :read, :value 3}) into an event. A small hand-written reader: the map's
 * known keys are decoded, any other form is skipped whole. */
#include "check/parse.h"
#include "check/buf.h"
#include "check/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64  /* nesting allowed inside a value we skip */

struct reader {
    struct check_history *h;
    const char *start, *p, *end;
    char *err;
    size_t err_len;
};

static size_t column(const struct reader *r)
{
    return (size_t)(r->p - r->start) + 1;
}

static int fail(struct reader *r, const char *expected)
{
    const char *got = r->p < r->end ? "" : "end of line";
    if (r->p < r->end)
        return check_errorf(r->err, r->err_len, CHECK_ERR_PARSE,
                            "expected %s at column %zu, got '%c'", expected, column(r), *r->p);
    return check_errorf(r->err, r->err_len, CHECK_ERR_PARSE, "expected %s at column %zu, got %s",
                        expected, column(r), got);
}

static void skip_space(struct reader *r)
{
    while (r->p < r->end) {
        char c = *r->p;
        if (c == ' ' || c == ',' || c == '\t' || c == '\r' || c == '\n') {
            r->p++;
        } else if (c == ';') {  /* a comment runs to the end of the line */
            r->p = r->end;
        } else {
            break;
        }
    }
}

/* Characters that end a symbol, keyword or number. */
static bool is_delimiter(char c)
{
    return strchr(" ,\t\r\n{}[]()\";", c) != NULL;
}

/* Reads a token (symbol, keyword, number) and returns its length. */
static size_t token(struct reader *r, const char **text)
{
    *text = r->p;
    while (r->p < r->end && !is_delimiter(*r->p))
        r->p++;
    return (size_t)(r->p - *text);
}

static bool token_is(const char *text, size_t len, const char *word)
{
    return strlen(word) == len && memcmp(text, word, len) == 0;
}

/* An integer token ("-12", "7N"), in *out. False for anything else. */
static bool token_int(const char *text, size_t len, int64_t *out)
{
    char digits[32];
    if (len > 0 && text[len - 1] == 'N')
        len--;
    if (len == 0 || len >= sizeof digits)
        return false;
    memcpy(digits, text, len);
    digits[len] = '\0';
    size_t i = (digits[0] == '-' || digits[0] == '+') ? 1 : 0;
    if (i == len)
        return false;
    for (; i < len; i++)
        if (digits[i] < '0' || digits[i] > '9')
            return false;
    errno = 0;
    long long value = strtoll(digits, NULL, 10);
    if (errno == ERANGE)
        return false;
    *out = (int64_t)value;
    return true;
}

/* Reads a string literal into b (escapes decoded). */
static int read_string(struct reader *r, struct check_buf *b)
{
    r->p++; /* opening quote */
    while (r->p < r->end && *r->p != '"') {
        char c = *r->p++;
        if (c != '\\') {
            check_buf_append(b, &c, 1);
            continue;
        }
        if (r->p >= r->end)
            break;
        char e = *r->p++;
        switch (e) {
        case 'n': check_buf_append(b, "\n", 1); break;
        case 't': check_buf_append(b, "\t", 1); break;
        case 'r': check_buf_append(b, "\r", 1); break;
        case 'b': check_buf_append(b, "\b", 1); break;
        case 'f': check_buf_append(b, "\f", 1); break;
        case 'u': {
            unsigned code = 0;
            for (int i = 0; i < 4; i++, r->p++) {
                if (r->p >= r->end || !strchr("0123456789abcdefABCDEF", *r->p) || *r->p == '\0')
                    return fail(r, "four hex digits after \\u");
                char d = *r->p;
                code = code * 16 + (unsigned)(d <= '9' ? d - '0' : (d | 0x20) - 'a' + 10);
            }
            char utf8[3];
            if (code < 0x80) {
                utf8[0] = (char)code;
                check_buf_append(b, utf8, 1);
            } else if (code < 0x800) {
                utf8[0] = (char)(0xc0 | (code >> 6));
                utf8[1] = (char)(0x80 | (code & 0x3f));
                check_buf_append(b, utf8, 2);
            } else {
                utf8[0] = (char)(0xe0 | (code >> 12));
                utf8[1] = (char)(0x80 | ((code >> 6) & 0x3f));
                utf8[2] = (char)(0x80 | (code & 0x3f));
                check_buf_append(b, utf8, 3);
            }
            break;
        }
        default: check_buf_append(b, &e, 1); break;
        }
    }
    if (r->p >= r->end)
        return fail(r, "'\"' to close the string");
    r->p++;
    return b->failed ? CHECK_ERR_NOMEM : 0;
}

/* Skips one form of any kind, nested up to MAX_DEPTH. */
static int skip_form(struct reader *r, int depth)
{
    skip_space(r);
    if (r->p >= r->end)
        return fail(r, "a value");
    if (depth > MAX_DEPTH)
        return fail(r, "less deeply nested values");
    char c = *r->p;
    if (c == '"') {
        struct check_buf scratch;
        check_buf_init(&scratch);
        int rc = read_string(r, &scratch);
        check_buf_close(&scratch);
        return rc;
    }
    char close = 0;
    if (c == '{') close = '}';
    else if (c == '[') close = ']';
    else if (c == '(') close = ')';
    else if (c == '#' && r->p + 1 < r->end && r->p[1] == '{') {
        r->p++;
        close = '}';
    } else if (c == '#' || c == '\'' || c == '@' || c == '^') {
        /* A tag (#inst), quote or deref: a prefix and then the form it applies to. */
        const char *text;
        r->p++;
        if (c == '#' || c == '^') {
            if (c == '^') {
                int rc = skip_form(r, depth + 1);
                if (rc != 0)
                    return rc;
            } else {
                token(r, &text);
            }
        }
        return skip_form(r, depth + 1);
    } else if (c == '}' || c == ']' || c == ')') {
        return fail(r, "a value");
    } else if (c == '\\') {  /* a character literal: \a, \newline */
        const char *text;
        r->p++;
        if (r->p < r->end)
            r->p++;
        token(r, &text);
        return 0;
    }
    if (close == 0) {
        const char *text;
        if (token(r, &text) == 0)
            return fail(r, "a value");
        return 0;
    }
    r->p++;
    for (;;) {
        skip_space(r);
        if (r->p >= r->end) {
            char expected[32];
            snprintf(expected, sizeof expected, "'%c'", close);
            return fail(r, expected);
        }
        if (*r->p == close) {
            r->p++;
            return 0;
        }
        int rc = skip_form(r, depth + 1);
        if (rc != 0)
            return rc;
    }
}

/* Skips a form and interns its source text (for values of another shape). */
static int form_text(struct reader *r, uint32_t *id)
{
    skip_space(r);
    const char *from = r->p;
    int rc = skip_form(r, 0);
    if (rc != 0)
        return rc;
    if (check_history_intern(r->h, from, (size_t)(r->p - from), id) != 0)
        return check_errorf(r->err, r->err_len, CHECK_ERR_NOMEM, "out of memory");
    return 0;
}

/* Reads a vector element of a pair: an integer or nil. */
static bool pair_element(struct reader *r, int64_t *out, bool *is_null)
{
    skip_space(r);
    const char *text;
    size_t len = token(r, &text);
    *is_null = token_is(text, len, "nil");
    if (*is_null) {
        *out = 0;
        return true;
    }
    return token_int(text, len, out);
}

static int read_value(struct reader *r, struct check_value *v)
{
    memset(v, 0, sizeof *v);
    v->str = CHECK_NO_STRING;
    skip_space(r);
    if (r->p >= r->end)
        return fail(r, "a value");
    const char *from = r->p;
    if (*r->p == '"') {
        struct check_buf b;
        check_buf_init(&b);
        int rc = read_string(r, &b);
        if (rc == 0) {
            v->kind = CHECK_VALUE_STRING;
            rc = check_history_intern(r->h, b.text ? b.text : "", b.len, &v->str);
            if (rc != 0)
                rc = check_errorf(r->err, r->err_len, CHECK_ERR_NOMEM, "out of memory");
        }
        check_buf_close(&b);
        return rc;
    }
    if (*r->p == '[') {
        /* [a b] of integers or nils is a pair; any other vector is kept as text. */
        r->p++;
        if (pair_element(r, &v->i, &v->first_null) && pair_element(r, &v->j, &v->second_null)) {
            skip_space(r);
            if (r->p < r->end && *r->p == ']') {
                r->p++;
                v->kind = CHECK_VALUE_PAIR;
                return 0;
            }
        }
        r->p = from;
    } else if (!is_delimiter(*r->p) && *r->p != '#' && *r->p != '\\') {
        const char *text;
        size_t len = token(r, &text);
        if (token_is(text, len, "nil")) {
            v->kind = CHECK_VALUE_NULL;
            return 0;
        }
        if (token_int(text, len, &v->i)) {
            v->kind = CHECK_VALUE_INT;
            return 0;
        }
        r->p = from;
    }
    v->kind = CHECK_VALUE_OTHER;
    return form_text(r, &v->str);
}

/* Reads a name-like value (keyword, symbol, string or integer) into its
 * text without a keyword's colon: used for :f, :type, :key and :process. */
static int read_name(struct reader *r, struct check_buf *b, bool *was_keyword, bool *was_int)
{
    skip_space(r);
    *was_keyword = false;
    *was_int = false;
    if (r->p >= r->end)
        return fail(r, "a value");
    if (*r->p == '"')
        return read_string(r, b);
    if (is_delimiter(*r->p) || *r->p == '#')
        return 1;
    const char *text;
    size_t len = token(r, &text);
    int64_t number;
    *was_int = token_int(text, len, &number);
    *was_keyword = len > 1 && text[0] == ':';
    if (*was_keyword) {
        text++;
        len--;
    }
    check_buf_append(b, text, len);
    return b->failed ? CHECK_ERR_NOMEM : 0;
}

static int intern_buf(struct reader *r, const struct check_buf *b, uint32_t *id)
{
    if (check_history_intern(r->h, b->text ? b->text : "", b->len, id) != 0)
        return check_errorf(r->err, r->err_len, CHECK_ERR_NOMEM, "out of memory");
    return 0;
}

static bool parse_type(const char *s, size_t len, enum check_type *type)
{
    static const char *const names[] = {"invoke", "ok", "fail", "info"};
    for (int t = 0; t < 4; t++) {
        if (token_is(s, len, names[t])) {
            *type = (enum check_type)t;
            return true;
        }
    }
    return false;
}

/* Reads the value of one known key into ev; *seen records which were set. */
enum { SEEN_PROCESS = 1, SEEN_TYPE = 2, SEEN_F = 4, NEMESIS = 8 };

static int read_known(struct reader *r, const char *key, size_t key_len, struct check_event *ev,
                      int *seen)
{
    struct check_buf b;
    bool keyword, integer;
    int rc = 0;
    check_buf_init(&b);
    const char *at = r->p;
    if (token_is(key, key_len, "process")) {
        rc = read_name(r, &b, &keyword, &integer);
        if (rc == 0 && keyword && token_is(b.text, b.len, "nemesis")) {
            *seen |= NEMESIS;
        } else if (rc == 0 && integer) {
            token_int(b.text, b.len, &ev->process);
            *seen |= SEEN_PROCESS;
        } else if (rc >= 0) {
            r->p = at;
            skip_space(r);
            rc = fail(r, "an integer for :process");
        }
    } else if (token_is(key, key_len, "type")) {
        rc = read_name(r, &b, &keyword, &integer);
        if (rc == 0 && keyword && parse_type(b.text, b.len, &ev->type)) {
            *seen |= SEEN_TYPE;
        } else if (rc >= 0) {
            r->p = at;
            skip_space(r);
            rc = fail(r, ":invoke, :ok, :fail or :info for :type");
        }
    } else if (token_is(key, key_len, "f")) {
        rc = read_name(r, &b, &keyword, &integer);
        if (rc == 0 && b.len > 0 && !integer) {
            ev->fn = check_fn_parse(b.text, b.len);
            rc = intern_buf(r, &b, &ev->f_name);
            *seen |= SEEN_F;
        } else if (rc >= 0) {
            r->p = at;
            skip_space(r);
            rc = fail(r, "a keyword for :f");
        }
    } else if (token_is(key, key_len, "key")) {
        skip_space(r);
        const char *text = r->p;
        size_t len = r->p < r->end && !is_delimiter(*r->p) ? token(r, &text) : 0;
        r->p = text;
        if (token_is(text, len, "nil")) {
            r->p += len;
            ev->key = CHECK_NO_STRING;
        } else {
            rc = read_name(r, &b, &keyword, &integer);
            if (rc == 0)
                rc = intern_buf(r, &b, &ev->key);
            else if (rc > 0)
                rc = fail(r, "a keyword, string or integer for :key");
        }
    } else if (token_is(key, key_len, "value")) {
        rc = read_value(r, &ev->value);
    } else if (token_is(key, key_len, "error")) {
        skip_space(r);
        const char *from = r->p;
        if (r->p < r->end && (*r->p == ':' || *r->p == '"')) {
            rc = read_name(r, &b, &keyword, &integer);
            if (rc == 0)
                rc = intern_buf(r, &b, &ev->error);
        } else {
            r->p = from;
            rc = form_text(r, &ev->error);
        }
    } else if (token_is(key, key_len, "time") || token_is(key, key_len, "index")) {
        skip_space(r);
        const char *text;
        size_t len = token(r, &text);
        int64_t number;
        bool is_time = token_is(key, key_len, "time");
        if (!token_int(text, len, &number) || (!is_time && number < 0)) {
            r->p = text;
            rc = fail(r, is_time ? "an integer for :time" : "a non-negative integer for :index");
        } else if (is_time) {
            ev->time = number / 1000; /* Jepsen records nanoseconds */
        } else {
            ev->index = number;
        }
    } else {
        rc = skip_form(r, 0);
    }
    if (rc == 0 && b.failed)
        rc = check_errorf(r->err, r->err_len, CHECK_ERR_NOMEM, "out of memory");
    check_buf_close(&b);
    return rc;
}

int check_parse_edn_line(struct check_history *h, const char *text, size_t len,
                         struct check_event *ev, char *err, size_t err_len)
{
    *ev = (struct check_event){
        .key = CHECK_NO_STRING,
        .value = {.kind = CHECK_VALUE_ABSENT, .str = CHECK_NO_STRING},
        .error = CHECK_NO_STRING,
        .f_name = CHECK_NO_STRING,
        .time = CHECK_NO_TIME,
        .index = CHECK_NO_INDEX,
    };
    struct reader r = {.h = h, .start = text, .p = text, .end = text + len,
                       .err = err, .err_len = err_len};
    int seen = 0, rc;
    skip_space(&r);
    if (r.p >= r.end || *r.p != '{')
        return fail(&r, "'{' to start an EDN map");
    r.p++;
    for (;;) {
        skip_space(&r);
        if (r.p >= r.end)
            return fail(&r, "'}' to close the map");
        if (*r.p == '}') {
            r.p++;
            break;
        }
        if (*r.p == ':') {
            const char *key;
            size_t key_len = token(&r, &key);
            rc = read_known(&r, key + 1, key_len - 1, ev, &seen);
        } else {
            rc = skip_form(&r, 0); /* a key of another kind: skip it and its value */
            if (rc == 0)
                rc = skip_form(&r, 0);
        }
        if (rc != 0)
            return rc;
    }
    skip_space(&r);
    if (r.p < r.end)
        return fail(&r, "end of line after the map");
    if (seen & NEMESIS)
        return CHECK_PARSE_SKIP;
    if (!(seen & SEEN_PROCESS))
        return check_errorf(err, err_len, CHECK_ERR_PARSE, "expected a :process key");
    if (!(seen & SEEN_TYPE))
        return check_errorf(err, err_len, CHECK_ERR_PARSE, "expected a :type key");
    if (!(seen & SEEN_F))
        return check_errorf(err, err_len, CHECK_ERR_PARSE, "expected an :f key");
    return 0;
}
