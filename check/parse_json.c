/* parse_json.c - one line of our JSONL history format into an event, with
 * cJSON. Field by field rules are in docs/history-format.md. */
#include "check/parse.h"
#include "check/error.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* JSON numbers are doubles: integers are exact up to 2^53. */
#define MAX_EXACT_INT 9007199254740992.0

static bool json_int(const cJSON *item, int64_t *out)
{
    if (!cJSON_IsNumber(item))
        return false;
    double d = item->valuedouble;
    if (!(fabs(d) <= MAX_EXACT_INT) || d != floor(d))
        return false;
    *out = (int64_t)d;
    return true;
}

static const char *json_kind(const cJSON *item)
{
    if (cJSON_IsNull(item)) return "null";
    if (cJSON_IsBool(item)) return "a boolean";
    if (cJSON_IsNumber(item)) return "a number";
    if (cJSON_IsString(item)) return "a string";
    if (cJSON_IsArray(item)) return "an array";
    if (cJSON_IsObject(item)) return "an object";
    return "something else";
}

/* Interns the compact JSON text of item (for values of another shape). */
static int intern_printed(struct check_history *h, const cJSON *item, uint32_t *id)
{
    char *text = cJSON_PrintUnformatted(item);
    if (text == NULL)
        return CHECK_ERR_NOMEM;
    int rc = check_history_intern(h, text, strlen(text), id);
    free(text);
    return rc;
}

static int intern_string(struct check_history *h, const cJSON *item, uint32_t *id)
{
    return check_history_intern(h, item->valuestring, strlen(item->valuestring), id);
}

/* A pair element: an integer or null. */
static bool pair_element(const cJSON *item, int64_t *out, bool *is_null)
{
    *is_null = cJSON_IsNull(item);
    if (*is_null) {
        *out = 0;
        return true;
    }
    return json_int(item, out);
}

static int parse_value(struct check_history *h, const cJSON *item, struct check_value *v)
{
    memset(v, 0, sizeof *v);
    v->str = CHECK_NO_STRING;
    if (cJSON_IsNull(item)) {
        v->kind = CHECK_VALUE_NULL;
        return 0;
    }
    if (json_int(item, &v->i)) {
        v->kind = CHECK_VALUE_INT;
        return 0;
    }
    if (cJSON_IsString(item)) {
        v->kind = CHECK_VALUE_STRING;
        return intern_string(h, item, &v->str);
    }
    if (cJSON_IsArray(item) && cJSON_GetArraySize(item) == 2 &&
        pair_element(item->child, &v->i, &v->first_null) &&
        pair_element(item->child->next, &v->j, &v->second_null)) {
        v->kind = CHECK_VALUE_PAIR;
        return 0;
    }
    v->kind = CHECK_VALUE_OTHER;
    return intern_printed(h, item, &v->str);
}

static bool parse_type(const char *s, enum check_type *type)
{
    static const char *const names[] = {"invoke", "ok", "fail", "info"};
    for (int t = 0; t < 4; t++) {
        if (strcmp(s, names[t]) == 0) {
            *type = (enum check_type)t;
            return true;
        }
    }
    return false;
}

/* Fills ev from the fields of obj; unknown fields are ignored. */
static int parse_fields(struct check_history *h, const cJSON *obj, struct check_event *ev,
                        char *err, size_t err_len)
{
    const cJSON *type = NULL, *f = NULL, *process = NULL;
    int rc = 0;
    for (const cJSON *item = obj->child; item != NULL && rc == 0; item = item->next) {
        const char *name = item->string;
        if (strcmp(name, "type") == 0) {
            type = item;
        } else if (strcmp(name, "f") == 0) {
            f = item;
        } else if (strcmp(name, "process") == 0) {
            process = item;
        } else if (strcmp(name, "key") == 0) {
            int64_t number;
            if (cJSON_IsNull(item)) {
                ev->key = CHECK_NO_STRING;
            } else if (cJSON_IsString(item)) {
                rc = intern_string(h, item, &ev->key);
            } else if (json_int(item, &number)) {
                rc = intern_printed(h, item, &ev->key);
            } else {
                return check_errorf(err, err_len, CHECK_ERR_PARSE,
                                    "expected \"key\" to be a string or an integer, got %s",
                                    json_kind(item));
            }
        } else if (strcmp(name, "value") == 0) {
            rc = parse_value(h, item, &ev->value);
        } else if (strcmp(name, "error") == 0) {
            rc = cJSON_IsString(item) ? intern_string(h, item, &ev->error)
                                      : intern_printed(h, item, &ev->error);
        } else if (strcmp(name, "time") == 0) {
            if (!json_int(item, &ev->time) || ev->time == CHECK_NO_TIME)
                return check_errorf(err, err_len, CHECK_ERR_PARSE,
                                    "expected \"time\" to be an integer (microseconds), got %s",
                                    json_kind(item));
        } else if (strcmp(name, "index") == 0) {
            if (!json_int(item, &ev->index) || ev->index < 0)
                return check_errorf(err, err_len, CHECK_ERR_PARSE,
                                    "expected \"index\" to be a non-negative integer, got %s",
                                    json_kind(item));
        }
    }
    if (rc != 0)
        return check_errorf(err, err_len, rc, "out of memory");

    if (process == NULL)
        return check_errorf(err, err_len, CHECK_ERR_PARSE, "expected a \"process\" field");
    if (cJSON_IsString(process) && strcmp(process->valuestring, "nemesis") == 0)
        return CHECK_PARSE_SKIP;
    if (!json_int(process, &ev->process))
        return check_errorf(err, err_len, CHECK_ERR_PARSE,
                            "expected \"process\" to be an integer, got %s", json_kind(process));
    if (type == NULL)
        return check_errorf(err, err_len, CHECK_ERR_PARSE, "expected a \"type\" field");
    if (!cJSON_IsString(type) || !parse_type(type->valuestring, &ev->type))
        return check_errorf(err, err_len, CHECK_ERR_PARSE,
                            "expected \"type\" to be \"invoke\", \"ok\", \"fail\" or \"info\", got %s%s%s",
                            cJSON_IsString(type) ? "\"" : json_kind(type),
                            cJSON_IsString(type) ? type->valuestring : "",
                            cJSON_IsString(type) ? "\"" : "");
    if (f == NULL)
        return check_errorf(err, err_len, CHECK_ERR_PARSE, "expected an \"f\" field");
    if (!cJSON_IsString(f) || f->valuestring[0] == '\0')
        return check_errorf(err, err_len, CHECK_ERR_PARSE,
                            "expected \"f\" to be a non-empty string, got %s", json_kind(f));
    size_t f_len = strlen(f->valuestring);
    ev->fn = check_fn_parse(f->valuestring, f_len);
    if (check_history_intern(h, f->valuestring, f_len, &ev->f_name) != 0)
        return check_errorf(err, err_len, CHECK_ERR_NOMEM, "out of memory");
    return 0;
}

int check_parse_json_line(struct check_history *h, const char *text, size_t len,
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
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, false);
    if (root == NULL) {
        size_t column = end && end >= text ? (size_t)(end - text) + 1 : 1;
        return check_errorf(err, err_len, CHECK_ERR_PARSE,
                            "expected a JSON object, malformed JSON at column %zu", column);
    }
    /* Only whitespace may follow the object on its line. */
    while (end < text + len && (*end == ' ' || *end == '\t' || *end == '\r'))
        end++;
    int rc;
    if (!cJSON_IsObject(root))
        rc = check_errorf(err, err_len, CHECK_ERR_PARSE, "expected a JSON object, got %s",
                          json_kind(root));
    else if (end != text + len)
        rc = check_errorf(err, err_len, CHECK_ERR_PARSE,
                          "expected one JSON object per line, found more text at column %zu",
                          (size_t)(end - text) + 1);
    else
        rc = parse_fields(h, root, ev, err, err_len);
    cJSON_Delete(root);
    return rc;
}
