/* jscan.h - a zero-allocation scanner for one-line JSON objects, used to
 * index trace files. It exists for speed: a 1 000 000-event trace must open
 * in well under a second, and building a cJSON tree per line takes most of
 * that budget by itself. Everything else (scenarios, settings) uses cJSON. */
#ifndef FAULTLINE_VIZ_JSCAN_H
#define FAULTLINE_VIZ_JSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum viz_jtype { VIZ_J_NONE, VIZ_J_STR, VIZ_J_NUM, VIZ_J_BOOL, VIZ_J_NULL, VIZ_J_OBJ, VIZ_J_ARR };

/* A value inside the scanned text (borrowed: valid while the text is). For
 * strings, p..p+n is the raw text between the quotes (escapes not decoded;
 * `escaped` says whether there are any); for the rest, the whole value. */
struct viz_jval {
    enum viz_jtype type;
    const char *p;
    size_t n;
    bool escaped;
};

/* A position inside an object or array being walked. */
struct viz_jiter {
    const char *p, *end;
    bool first;
};

/* Starts walking the object that is the whole of text[0..len) (leading and
 * trailing blanks allowed). Returns false when it does not start with '{'. */
bool viz_json_object(struct viz_jiter *it, const char *text, size_t len);
/* Starts walking the members of an object value, or the elements of an array
 * value. Returns false when `v` is not of that type. */
bool viz_json_enter(struct viz_jiter *it, const struct viz_jval *v);
/* Next member of an object: returns 1 with *key (a string) and *val, 0 at the
 * closing brace, -1 on malformed input. */
int viz_json_member(struct viz_jiter *it, struct viz_jval *key, struct viz_jval *val);
/* Next element of an array: 1, 0 at the end, -1 on malformed input. */
int viz_json_element(struct viz_jiter *it, struct viz_jval *val);
/* True when only blanks follow the object just walked to its end. */
bool viz_json_at_end(const struct viz_jiter *it);

/* Reads an integer value; false when it is not an integer number. */
bool viz_json_int(const struct viz_jval *v, int64_t *out);
/* Reads any number; false when it is not one. */
bool viz_json_double(const struct viz_jval *v, double *out);
/* True when the value is a string equal to `s` (no escapes involved). */
bool viz_json_is(const struct viz_jval *v, const char *s);
/* Copies a string value, decoding escapes, into buf (always NUL-terminated,
 * truncated to cap-1 bytes on a UTF-8 boundary). Returns the length written;
 * 0 when the value is not a string. */
size_t viz_json_str(const struct viz_jval *v, char *buf, size_t cap);
/* Finds member `key` of the object text[0..len) without decoding the rest.
 * Returns true and *val when present. */
bool viz_json_get(const char *text, size_t len, const char *key, struct viz_jval *val);

#endif
