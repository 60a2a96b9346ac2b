/* history_read.c - splitting a history into lines, detecting its form and
 * handing each line to its parser; errors get "name:line:" in front. */
#include "check/history_read.h"
#include "check/error.h"
#include "check/parse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == ',';
}

/* Returns the format a line opening at p (after blanks) is written in. */
static enum check_format line_format(const char *p, const char *end)
{
    while (p < end && is_blank(*p))
        p++;
    if (p == end || *p != '{')
        return CHECK_FORMAT_AUTO;
    p++;
    while (p < end && (is_blank(*p) || *p == '\n'))
        p++;
    if (p < end && (*p == '"' || *p == '}'))
        return CHECK_FORMAT_JSONL;
    if (p < end && *p == ':')
        return CHECK_FORMAT_EDN;
    return CHECK_FORMAT_AUTO;
}

enum check_format check_history_detect(const char *buf, size_t len)
{
    const char *p = buf, *end = buf + len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *line_end = eol ? eol : end;
        const char *q = p;
        while (q < line_end && is_blank(*q))
            q++;
        if (q < line_end && *q != ';')
            return line_format(q, line_end);
        p = eol ? eol + 1 : end;
    }
    return CHECK_FORMAT_AUTO;
}

static int parse_lines(struct check_history *h, const char *buf, size_t len,
                       enum check_format format, char *err, size_t err_len)
{
    char detail[512];
    const char *p = buf, *end = buf + len;
    uint32_t line = 0;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *line_end = eol ? eol : end;
        const char *next = eol ? eol + 1 : end;
        line++;
        const char *q = p;
        while (q < line_end && is_blank(*q))
            q++;
        while (line_end > q && is_blank(line_end[-1]))
            line_end--;
        if (q == line_end || (format == CHECK_FORMAT_EDN && *q == ';')) {
            p = next;
            continue;
        }
        if (format == CHECK_FORMAT_AUTO) {
            format = line_format(q, line_end);
            if (format == CHECK_FORMAT_AUTO)
                return check_errorf(err, err_len, CHECK_ERR_PARSE,
                                    "%s:%u: expected a JSON object ({\"process\": ...}) or a "
                                    "Jepsen EDN map ({:process ...}) on each line",
                                    h->name, line);
        }
        struct check_event ev;
        int rc = format == CHECK_FORMAT_JSONL
                     ? check_parse_json_line(h, q, (size_t)(line_end - q), &ev, detail, sizeof detail)
                     : check_parse_edn_line(h, q, (size_t)(line_end - q), &ev, detail, sizeof detail);
        if (rc < 0) {
            const char *form = format == CHECK_FORMAT_JSONL ? "JSONL" : "EDN";
            return check_errorf(err, err_len, rc, "%s:%u: %s (this history is %s)", h->name, line,
                                detail, form);
        }
        if (rc == 0) {
            ev.line = line;
            rc = check_history_add(h, &ev, err, err_len);
            if (rc != 0)
                return rc;
        }
        p = next;
    }
    return 0;
}

int check_history_read_buffer(struct check_history *h, const char *name, const char *buf,
                              size_t len, enum check_format format, char *err, size_t err_len)
{
    if (check_history_init(h, name) != 0) {
        check_history_close(h);
        return check_errorf(err, err_len, CHECK_ERR_NOMEM, "out of memory");
    }
    int rc = parse_lines(h, buf, len, format, err, err_len);
    if (rc != 0)
        check_history_close(h);
    return rc;
}

int check_history_read_file(struct check_history *h, const char *path, enum check_format format,
                            char *err, size_t err_len)
{
    memset(h, 0, sizeof *h);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return check_errorf(err, err_len, CHECK_ERR_IO, "%s: cannot open: %s", path,
                            strerror(errno));
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            char *bigger = realloc(buf, cap);
            if (bigger == NULL) {
                free(buf);
                fclose(f);
                return check_errorf(err, err_len, CHECK_ERR_NOMEM, "%s: out of memory", path);
            }
            buf = bigger;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    int read_error = ferror(f);
    fclose(f);
    if (read_error) {
        free(buf);
        return check_errorf(err, err_len, CHECK_ERR_IO, "%s: read error", path);
    }
    int rc = check_history_read_buffer(h, path, buf, len, format, err, err_len);
    free(buf);
    return rc;
}
