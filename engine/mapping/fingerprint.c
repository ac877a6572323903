/*
 * Header fingerprints (lp/draft.h): the headers: key of a mapping, and the
 * comparison `run` and `check` make with the files in the input folder so a
 * recurring export whose columns were renamed or dropped is named before
 * its figures quietly change.
 */
#include "fingerprint.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lp/draft.h"
#include "lp/sha256.h"
#include "header.h"

void lp_header_prints_free(lp_header_print *prints, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        lp_free(prints[i].file);
        lp_free(prints[i].sha256);
        for (size_t c = 0; c < prints[i].ncolumns; c++) lp_free(prints[i].columns[c]);
        lp_free(prints[i].columns);
    }
    lp_free(prints);
}

void lp_header_fingerprint(char *const *names, size_t n, char out_hex[65])
{
    lp_sha256 ctx;
    lp_sha256_init(&ctx);
    for (size_t i = 0; i < n; i++) {
        if (i) lp_sha256_update(&ctx, "\n", 1);
        lp_sha256_update(&ctx, names[i], strlen(names[i]));
    }
    lp_sha256_final_hex(&ctx, out_hex);
}

/* One file's entry: {sha256: HEX, columns: [..]} or just the column list. */
static lp_status read_print(lp_yaml *yaml, yaml_node_t *v, lp_header_print *p, char *errmsg)
{
    yaml_node_t *columns = NULL;
    if (v->type == YAML_SEQUENCE_NODE) {
        columns = v;
    } else if (v->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top;
             q++) {
            yaml_node_t *k = lp_yaml_node(yaml, q->key), *val = lp_yaml_node(yaml, q->value);
            const char *key = lp_yaml_scalar(k);
            if (key && !strcmp(key, "sha256")) {
                const char *hex = lp_yaml_scalar(val);
                if (!hex || strlen(hex) != 64)
                    return lp_yaml_error(yaml, val, errmsg,
                                         "headers.%s.sha256: expected 64 hex digits", p->file);
                if (!(p->sha256 = lp_strdup(hex))) return LP_ERR_NOMEM;
            } else if (key && !strcmp(key, "columns")) {
                columns = val;
            } else {
                return lp_yaml_error(yaml, k, errmsg,
                                     "headers.%s: unknown key \"%s\" (sha256 or columns)",
                                     p->file, key ? key : "");
            }
        }
    } else {
        return lp_yaml_error(yaml, v, errmsg,
                             "headers.%s: expected {sha256: HEX, columns: [A, B]}", p->file);
    }
    if (!columns) return LP_OK;
    if (columns->type != YAML_SEQUENCE_NODE)
        return lp_yaml_error(yaml, columns, errmsg, "headers.%s.columns: expected a list",
                             p->file);
    size_t n = (size_t)(columns->data.sequence.items.top - columns->data.sequence.items.start);
    p->columns = lp_calloc(n ? n : 1, sizeof *p->columns);
    if (!p->columns) return LP_ERR_NOMEM;
    for (yaml_node_item_t *it = columns->data.sequence.items.start;
         it < columns->data.sequence.items.top; it++) {
        yaml_node_t *item = lp_yaml_node(yaml, *it);
        const char *s = lp_yaml_scalar(item);
        if (!s)
            return lp_yaml_error(yaml, item, errmsg, "headers.%s.columns: each item must be text",
                                 p->file);
        if (!(p->columns[p->ncolumns] = lp_strdup(s))) return LP_ERR_NOMEM;
        p->ncolumns++;
    }
    return LP_OK;
}

lp_status lp_header_prints_read(lp_yaml *yaml, yaml_node_t *node, lp_header_print **prints,
                                size_t *nprints, char *errmsg)
{
    if (node->type != YAML_MAPPING_NODE)
        return lp_yaml_error(yaml, node, errmsg,
                             "headers: expected file names, each with sha256 and columns");
    size_t n = (size_t)(node->data.mapping.pairs.top - node->data.mapping.pairs.start);
    lp_header_print *list = lp_calloc(n ? n : 1, sizeof *list);
    if (!list) return LP_ERR_NOMEM;
    size_t used = 0;
    lp_status st = LP_OK;
    for (yaml_node_pair_t *p = node->data.mapping.pairs.start;
         !st && p < node->data.mapping.pairs.top; p++) {
        yaml_node_t *k = lp_yaml_node(yaml, p->key), *v = lp_yaml_node(yaml, p->value);
        const char *file = lp_yaml_scalar(k);
        if (!file || !*file) {
            st = lp_yaml_error(yaml, k, errmsg, "headers: each key is a file name");
            break;
        }
        if (!(list[used].file = lp_strdup(file))) {
            st = LP_ERR_NOMEM;
            break;
        }
        st = read_print(yaml, v, &list[used++], errmsg);
    }
    if (st) {
        lp_header_prints_free(list, used);
        return st;
    }
    lp_header_prints_free(*prints, *nprints);
    *prints = list;
    *nprints = used;
    return LP_OK;
}

static bool has_name(char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcasecmp(names[i], name)) return true;
    return false;
}

lp_status lp_mapping_headers_compare(const lp_mapping *mapping, const char *input_dir,
                                     void (*warn)(void *ctx, const char *file,
                                                  const char *message),
                                     void *ctx, size_t *out_changed)
{
    size_t changed = 0;
    lp_status st = LP_OK;
    for (size_t i = 0; mapping && i < mapping->nheader_prints && !st; i++) {
        const lp_header_print *p = &mapping->header_prints[i];
        lp_buf path = {0}, msg = {0};
        char **names = NULL;
        size_t n = 0;
        lp_buf_printf(&path, "%s/%s", input_dir, p->file);
        if (path.failed) {
            st = LP_ERR_NOMEM;
            break;
        }
        lp_status hs = lp_detect_header_read(path.data, &names, &n);
        lp_buf_reset(&path);
        if (hs == LP_ERR_NOMEM) {
            st = hs;
            break;
        }
        if (hs) {
            lp_buf_printf(&msg, "%s: the mapping was drafted from this file, which is no longer "
                                "in the folder (renamed or dropped?)", p->file);
        } else {
            char hex[65];
            lp_header_fingerprint(names, n, hex);
            bool same = p->sha256 ? !strcasecmp(hex, p->sha256) : true;
            size_t gone = 0, added = 0;
            for (size_t c = 0; c < p->ncolumns; c++) gone += !has_name(names, n, p->columns[c]);
            for (size_t c = 0; p->ncolumns && c < n; c++)
                added += !has_name(p->columns, p->ncolumns, names[c]);
            if (!same || gone || added) {
                lp_buf_printf(&msg, "%s: its headers differ from those the mapping was drafted "
                                    "from", p->file);
                if (gone) lp_buf_puts(&msg, "; gone (renamed or dropped?):");
                for (size_t c = 0, k = 0; c < p->ncolumns; c++)
                    if (!has_name(names, n, p->columns[c]))
                        lp_buf_printf(&msg, "%s %s", k++ ? "," : "", p->columns[c]);
                if (added) lp_buf_puts(&msg, "; new:");
                for (size_t c = 0, k = 0; p->ncolumns && c < n; c++)
                    if (!has_name(p->columns, p->ncolumns, names[c]))
                        lp_buf_printf(&msg, "%s %s", k++ ? "," : "", names[c]);
                if (!gone && !added)
                    lp_buf_puts(&msg, " (the same names in another order or spelling)");
                else
                    lp_buf_puts(&msg, "; review the mapping (leadpack map drafts a new one)");
            }
        }
        lp_detect_header_free(names, n);
        if (msg.failed) st = LP_ERR_NOMEM;
        else if (msg.data) {
            changed++;
            if (warn) warn(ctx, p->file, msg.data);
        }
        lp_buf_reset(&msg);
    }
    if (!st && out_changed) *out_changed = changed;
    return st;
}
