/* Minimal CSV header reader for profile detection (header.h). */
#include "header.h"

#include <stdio.h>
#include <string.h>

/* The header is read from the first 64 KiB; a longer header line is cut
 * there, which only loses names at its end. */
#define HEADER_BYTES 65536

void lp_detect_header_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++) lp_free(names[i]);
    lp_free(names);
}

/* The delimiter that occurs most outside quotes before the first line end;
 * comma when none does. */
static char guess_delimiter(const char *s, size_t len)
{
    size_t comma = 0, semi = 0, tab = 0;
    bool quoted = false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '"') quoted = !quoted;
        else if (!quoted && (c == '\n' || c == '\r')) break;
        else if (!quoted && c == ',') comma++;
        else if (!quoted && c == ';') semi++;
        else if (!quoted && c == '\t') tab++;
    }
    if (tab > comma && tab >= semi) return '\t';
    if (semi > comma) return ';';
    return ',';
}

static lp_status push_name(char ***names, size_t *n, const char *s, size_t len)
{
    while (len && (*s == ' ' || *s == '\t')) s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t')) len--;
    char **grown = lp_realloc(*names, (*n + 1) * sizeof **names);
    if (!grown) return LP_ERR_NOMEM;
    *names = grown;
    if (!(grown[*n] = lp_strndup(s, len))) return LP_ERR_NOMEM;
    (*n)++;
    return LP_OK;
}

lp_status lp_detect_header_read(const char *path, char ***out_names, size_t *out_n)
{
    lp_status st = LP_OK;
    char *block = NULL, *field = NULL;
    char **names = NULL;
    size_t n = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp) return LP_ERR_IO;
    block = lp_malloc(HEADER_BYTES);
    field = lp_malloc(HEADER_BYTES);
    if (!block || !field) {
        st = LP_ERR_NOMEM;
        goto cleanup;
    }
    size_t len = fread(block, 1, HEADER_BYTES, fp);
    const char *s = block;
    if (len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) s += 3, len -= 3;
    if (len == 0) {
        st = LP_ERR_INPUT;
        goto cleanup;
    }
    char delim = guess_delimiter(s, len);
    size_t flen = 0;
    bool quoted = false, at_start = true;
    for (size_t i = 0; i <= len; i++) {
        bool end = i == len;
        char c = end ? '\n' : s[i];
        if (quoted) {
            if (c == '"' && i + 1 < len && s[i + 1] == '"') {
                field[flen++] = '"';
                i++;
            } else if (c == '"') {
                quoted = false;
            } else if (!end) {
                field[flen++] = c;
            }
            if (!end) continue;
        }
        if (c == '"' && at_start) {
            quoted = true;
            at_start = false;
        } else if (c == delim || c == '\n' || c == '\r') {
            if ((st = push_name(&names, &n, field, flen))) goto cleanup;
            flen = 0;
            at_start = true;
            if (c != delim) break;
        } else {
            if (c != ' ' || !at_start) at_start = false;
            field[flen++] = c;
        }
    }
    *out_names = names;
    *out_n = n;
    names = NULL;
cleanup:
    if (names) lp_detect_header_free(names, n);
    lp_free(block);
    lp_free(field);
    fclose(fp);
    return st;
}
