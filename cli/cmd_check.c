/* cmd_check.c - `faultline check`: read a history (ours or Jepsen's), check
 * it for linearizability, explain a violation, and on request report stale
 * reads and session guarantees. The whole report is built in memory and
 * written at once, so output is never half-written. */
#include "cli/cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"

#define DEFAULT_MAX_BYTES ((size_t)2 << 30)  /* 2 GiB of search memory */

struct check_cli {
    const char *history;
    const struct check_model *model;  /* NULL: chosen from the ops */
    enum check_format format;
    bool json;
    bool consistency;
    struct check_options options;
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: faultline check [OPTIONS] HISTORY\n"
            "\n"
            "Checks a client history for linearizability and explains a violation.\n"
            "HISTORY is a file (or - for standard input) with one event per line, either\n"
            "faultline's JSONL ({\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"value\":3}) or Jepsen's EDN\n"
            "({:process 1, :type :ok, :f :read, :value 3}); the form is detected from the\n"
            "first line. Format: docs/history-format.md; checker: docs/checker.md.\n"
            "\n"
            "options:\n"
            "  --model NAME      the object each key holds (default: auto, from the ops):\n");
    for (size_t i = 0; check_model_at(i) != NULL; i++)
        fprintf(out, "                      %-9s %s\n", check_model_at(i)->name,
                check_model_at(i)->summary);
    fprintf(out,
            "  --timeout D       give up after D of wall time (units us, ms, s, m; e.g. 500ms):\n"
            "                    the verdict is then unknown, never a guess (default: none)\n"
            "  --max-memory N    give up when the search needs more than N bytes (suffix K, M,\n"
            "                    G; default 2G)\n"
            "  --max-steps N     give up after N search steps: a budget that gives the same\n"
            "                    answer on every machine (default: none)\n"
            "  --consistency     also report stale reads with the inconsistency window, and\n"
            "                    read-your-writes, monotonic reads and monotonic writes per process\n"
            "  --json            write the report as one JSON object\n"
            "  --format F        auto, jsonl or edn (default: auto)\n"
            "  -h, --help        this text\n"
            "\n"
            "Each key is checked on its own. fail ops did not happen and are left out; info\n"
            "ops (and ops never completed) may take effect at any time after their invoke,\n"
            "or never. The report names the longest linearizable prefix found, the op that\n"
            "cannot be placed after it, and the ops concurrent with that op.\n"
            "\n"
            "exit status: 0 linearizable, 1 not linearizable, 3 unknown (a budget ran out),\n"
            "2 bad input or usage (the message names file:line and what was expected).\n"
            "With --consistency the status is still the linearizability verdict.\n");
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "faultline check: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\ntry 'faultline check --help'\n");
    return CLI_BAD_INPUT;
}

/* Parses "500ms", "2s", "100us", "1m" into microseconds (> 0). */
static bool parse_duration(const char *text, int64_t *us)
{
    char *end;
    errno = 0;
    long long amount = strtoll(text, &end, 10);
    if (errno != 0 || end == text || amount <= 0)
        return false;
    int64_t scale;
    if (strcmp(end, "us") == 0) scale = 1;
    else if (strcmp(end, "ms") == 0) scale = 1000;
    else if (strcmp(end, "s") == 0) scale = 1000000;
    else if (strcmp(end, "m") == 0) scale = 60000000;
    else return false;
    if (amount > INT64_MAX / scale)
        return false;
    *us = amount * scale;
    return true;
}

/* Parses "512M", "2G", "65536" into bytes (> 0). */
static bool parse_size(const char *text, size_t *bytes)
{
    char *end;
    errno = 0;
    unsigned long long amount = strtoull(text, &end, 10);
    if (errno != 0 || end == text || amount == 0 || text[0] == '-')
        return false;
    unsigned shift = 0;
    if (strcmp(end, "K") == 0) shift = 10;
    else if (strcmp(end, "M") == 0) shift = 20;
    else if (strcmp(end, "G") == 0) shift = 30;
    else if (*end != '\0') return false;
    if (amount > (SIZE_MAX >> shift))
        return false;
    *bytes = (size_t)amount << shift;
    return true;
}

static bool parse_count(const char *text, uint64_t *count)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || n == 0 || text[0] == '-')
        return false;
    *count = n;
    return true;
}

/* Returns -1 when parsing succeeded, else the exit status to return. */
static int parse_args(int argc, char **argv, struct check_cli *cli)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            usage(stdout);
            return CLI_OK;
        }
        if (strcmp(arg, "--json") == 0) {
            cli->json = true;
            continue;
        }
        if (strcmp(arg, "--consistency") == 0) {
            cli->consistency = true;
            continue;
        }
        if (arg[0] != '-' || strcmp(arg, "-") == 0) {
            if (cli->history != NULL)
                return usage_error("expected one HISTORY, got a second: %s", arg);
            cli->history = arg;
            continue;
        }
        /* Options with a value: --name VALUE or --name=VALUE. */
        const char *eq = strchr(arg, '=');
        size_t name_len = eq ? (size_t)(eq - arg) : strlen(arg);
        const char *value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        char name[32];
        if (name_len >= sizeof name)
            return usage_error("unknown option %s", arg);
        memcpy(name, arg, name_len);
        name[name_len] = '\0';
        bool known = strcmp(name, "--model") == 0 || strcmp(name, "--timeout") == 0 ||
                     strcmp(name, "--max-memory") == 0 || strcmp(name, "--max-steps") == 0 ||
                     strcmp(name, "--format") == 0;
        if (!known)
            return usage_error("unknown option %s", arg);
        if (value == NULL)
            return usage_error("%s expects a value", name);
        if (strcmp(name, "--model") == 0) {
            if (strcmp(value, "auto") == 0)
                cli->model = NULL;
            else if ((cli->model = check_model_find(value)) == NULL)
                return usage_error("--model expects auto, register or kv, got \"%s\"", value);
        } else if (strcmp(name, "--timeout") == 0) {
            if (!parse_duration(value, &cli->options.timeout_us))
                return usage_error("--timeout expects a duration such as 500ms or 2s, got \"%s\"",
                                   value);
        } else if (strcmp(name, "--max-memory") == 0) {
            if (!parse_size(value, &cli->options.max_bytes))
                return usage_error("--max-memory expects a size such as 512M or 2G, got \"%s\"",
                                   value);
        } else if (strcmp(name, "--max-steps") == 0) {
            if (!parse_count(value, &cli->options.max_steps))
                return usage_error("--max-steps expects a positive integer, got \"%s\"", value);
        } else {
            if (strcmp(value, "auto") == 0) cli->format = CHECK_FORMAT_AUTO;
            else if (strcmp(value, "jsonl") == 0) cli->format = CHECK_FORMAT_JSONL;
            else if (strcmp(value, "edn") == 0) cli->format = CHECK_FORMAT_EDN;
            else return usage_error("--format expects auto, jsonl or edn, got \"%s\"", value);
        }
    }
    if (cli->history == NULL)
        return usage_error("%s", "expected a HISTORY file");
    return -1;
}

static int read_stdin(struct check_history *h, enum check_format format, char *err, size_t len)
{
    size_t used = 0, cap = 65536;
    char *buf = malloc(cap);
    while (buf != NULL) {
        size_t got = fread(buf + used, 1, cap - used, stdin);
        used += got;
        if (got == 0)
            break;
        if (used == cap) {
            char *bigger = realloc(buf, cap * 2);
            if (bigger == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    if (buf == NULL)
        return check_errorf(err, len, CHECK_ERR_NOMEM, "<stdin>: out of memory");
    if (ferror(stdin)) {
        free(buf);
        return check_errorf(err, len, CHECK_ERR_IO, "<stdin>: read error");
    }
    int rc = check_history_read_buffer(h, "<stdin>", buf, used, format, err, len);
    free(buf);
    return rc;
}

/* Builds the whole report into *text. Returns the exit status. */
static int report(const struct check_cli *cli, const struct check_history *h, char **text)
{
    char err[1024];
    struct check_result result;
    struct check_options options = cli->options;
    options.model = cli->model;
    if (check_linearizability(h, &options, &result, err, sizeof err) != 0) {
        fprintf(stderr, "faultline check: %s\n", err);
        return CLI_BAD_INPUT;
    }
    struct check_consistency consistency = {0};
    if (cli->consistency && check_consistency_run(h, &consistency, err, sizeof err) != 0) {
        check_result_close(&result);
        fprintf(stderr, "faultline check: %s\n", err);
        return CLI_BAD_INPUT;
    }
    int status = result.verdict == CHECK_LINEARIZABLE       ? CLI_OK
                 : result.verdict == CHECK_NOT_LINEARIZABLE ? CLI_FAILED
                                                            : CLI_UNKNOWN;
    if (cli->json) {
        cJSON *j = check_explain_json(h, &result);
        if (j != NULL && cli->consistency) {
            cJSON *c = check_consistency_json(h, &consistency);
            if (c == NULL || !cJSON_AddItemToObject(j, "consistency", c)) {
                cJSON_Delete(c);
                cJSON_Delete(j);
                j = NULL;
            }
        }
        char *printed = j ? cJSON_Print(j) : NULL;
        cJSON_Delete(j);
        if (printed != NULL) {
            struct check_buf b;
            check_buf_init(&b);
            check_buf_printf(&b, "%s\n", printed);
            free(printed);
            *text = check_buf_take(&b);
        }
    } else {
        struct check_buf b;
        check_buf_init(&b);
        char *lin = check_explain_text(h, &result);
        char *cons = cli->consistency ? check_consistency_text(h, &consistency) : NULL;
        if (lin != NULL && (cons != NULL || !cli->consistency)) {
            check_buf_printf(&b, "%s", lin);
            if (cons != NULL)
                check_buf_printf(&b, "\n%s", cons);
            *text = check_buf_take(&b);
        } else {
            check_buf_close(&b);
        }
        free(lin);
        free(cons);
    }
    check_consistency_close(&consistency);
    check_result_close(&result);
    if (*text == NULL) {
        fprintf(stderr, "faultline check: out of memory\n");
        return CLI_BAD_INPUT;
    }
    return status;
}

int cli_check_main(int argc, char **argv)
{
    struct check_cli cli = {.format = CHECK_FORMAT_AUTO};
    cli.options.max_bytes = DEFAULT_MAX_BYTES;
    int status = parse_args(argc, argv, &cli);
    if (status >= 0)
        return status;
    char err[1024];
    struct check_history h;
    int rc = strcmp(cli.history, "-") == 0
                 ? read_stdin(&h, cli.format, err, sizeof err)
                 : check_history_read_file(&h, cli.history, cli.format, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "faultline check: %s\n", err);
        return CLI_BAD_INPUT;
    }
    char *text = NULL;
    status = report(&cli, &h, &text);
    check_history_close(&h);
    if (text != NULL) {
        size_t len = strlen(text);
        bool written = fwrite(text, 1, len, stdout) == len && fflush(stdout) == 0;
        free(text);
        if (!written) {
            fprintf(stderr, "faultline check: cannot write the report: %s\n", strerror(errno));
            return CLI_BAD_INPUT;
        }
    }
    return status;
}
