/* Fuzz targets (targets.h). Files go to one mkdtemp() folder per process. */
#include "targets.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lp/csv.h"
#include "lp/load.h"
#include "lp/mapping.h"
#include "lp/settings.h"
#include "lp/template.h"
#include "lp/value.h"

#define FUZZ_TEMPLATES_DIR LP_SOURCE_DIR "/templates"
#define FUZZ_PROFILES_DIR LP_SOURCE_DIR "/templates/profiles"

static char fuzz_dir[64];

/* Writes the bytes to name in the process's folder; returns its path. */
static const char *fuzz_file(const char *name, const uint8_t *data, size_t size)
{
    static char path[128];
    if (!fuzz_dir[0]) {
        snprintf(fuzz_dir, sizeof fuzz_dir, "/tmp/leadpack-fuzz-XXXXXX");
        if (!mkdtemp(fuzz_dir)) abort();
    }
    snprintf(path, sizeof path, "%s/%s", fuzz_dir, name);
    FILE *fp = fopen(path, "wb");
    if (!fp) abort();
    if (size && fwrite(data, 1, size, fp) != size) abort();
    fclose(fp);
    return path;
}

void lp_fuzz_cleanup(void)
{
    if (!fuzz_dir[0]) return;
    static const char *const names[] = {"leads.csv", "mapping.yaml", "settings.yaml",
                                        "template.yaml"};
    char path[128];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", fuzz_dir, names[i]);
        unlink(path);
    }
    rmdir(fuzz_dir);
    fuzz_dir[0] = '\0';
}

/* ---- CSV ---- */

typedef struct csv_count {
    size_t records;
    size_t fields;
} csv_count;

static lp_status on_header(void *ctx, const lp_csv_record *header, const lp_csv_dialect *d)
{
    (void)ctx;
    (void)d;
    for (size_t i = 0; i < header->nfields; i++)
        if (strlen(header->fields[i]) > header->lens[i]) abort();
    return LP_OK;
}

static lp_status on_chunk_new(void *ctx, void **out_chunk)
{
    (void)ctx;
    csv_count *c = lp_calloc(1, sizeof *c);
    if (!c) return LP_ERR_NOMEM;
    *out_chunk = c;
    return LP_OK;
}

static lp_status on_record(void *chunk, const lp_csv_record *rec)
{
    csv_count *c = chunk;
    if (rec->nfields < 1 || rec->line < 1) abort();
    for (size_t i = 0; i < rec->nfields; i++)
        if (rec->fields[i][rec->lens[i]] != '\0') abort();
    c->records++;
    c->fields += rec->nfields;
    return LP_OK;
}

static lp_status on_chunk_done(void *ctx, void *chunk)
{
    size_t *total = ctx;
    *total += ((csv_count *)chunk)->records;
    lp_free(chunk);
    return LP_OK;
}

static void on_chunk_free(void *ctx, void *chunk)
{
    (void)ctx;
    lp_free(chunk);
}

static lp_mapping *generic_mapping(void)
{
    static lp_mapping *mapping;
    char errmsg[LP_ERRMSG_SIZE];
    if (!mapping && lp_mapping_load(FUZZ_PROFILES_DIR, "generic", NULL, &mapping, errmsg))
        abort();
    return mapping;
}

int lp_fuzz_csv(const uint8_t *data, size_t size)
{
    char errmsg[LP_ERRMSG_SIZE];
    const char *path = fuzz_file("leads.csv", data, size);
    lp_csv_limits limits = {.max_field_bytes = 4096, .max_columns = 256};

    lp_csv_header *header = NULL;
    if (lp_csv_read_header(path, &limits, &header, errmsg) == LP_OK) {
        for (size_t i = 0; i < header->nnames; i++)
            if (!header->names[i]) abort();
    }
    lp_csv_header_free(header);

    size_t total = 0;
    lp_csv_handler handler = {&total, on_header, on_chunk_new, on_record, on_chunk_done,
                              on_chunk_free};
    lp_csv_options options = {.limits = limits, .threads = 1, .label = "leads.csv"};
    lp_csv_info info;
    if (lp_csv_read(path, &options, &handler, &info, errmsg) == LP_OK) {
        if (info.records != total) abort();
        char describe[64];
        lp_csv_dialect_describe(&info.dialect, describe, sizeof describe);
    }

    lp_settings settings;
    if (lp_settings_init(&settings)) abort();
    settings.max_field_bytes = 4096;
    settings.max_columns = 256;
    lp_load_options load = {.input_dir = fuzz_dir, .mapping = generic_mapping(),
                            .settings = &settings, .threads = 1};
    lp_dataset *ds = NULL;
    if (lp_dataset_load(&load, &ds, errmsg) == LP_OK) {
        for (size_t i = 0; i < ds->nfiles; i++)
            if (ds->files[i].rows_read != ds->files[i].rows_loaded + ds->files[i].rows_rejected)
                abort();
    }
    lp_dataset_free(ds);
    lp_settings_clear(&settings);
    return 0;
}

/* ---- Values ---- */

int lp_fuzz_value(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    bool decimal_comma = data[0] & 1;
    lp_date_order order = (lp_date_order)((data[0] >> 1) % 3);
    const char *s = (const char *)data + 1;
    size_t len = size - 1;

    const char *start = NULL;
    size_t trimmed = lp_value_trim(s, len, &start);
    if (trimmed > len || (trimmed && (start < s || start + trimmed > s + len))) abort();

    double number = 0;
    if (lp_value_parse_number(s, len, decimal_comma, &number) && !isfinite(number)) abort();
    int64_t whole = 0;
    lp_value_parse_int64(s, len, decimal_comma, &whole);
    bool flag = false;
    lp_value_parse_bool(s, len, &flag);
    int32_t days = 0;
    lp_value_parse_date(s, len, order, &days);
    int64_t instant = 0;
    lp_value_parse_instant(s, len, order, &instant);

    /* lp_date_order_parse takes a NUL-terminated string. */
    char text[64];
    size_t n = len < sizeof text - 1 ? len : sizeof text - 1;
    memcpy(text, s, n);
    text[n] = '\0';
    lp_date_order parsed;
    lp_date_order_parse(text, &parsed);
    return 0;
}

/* ---- Mapping, settings, template ---- */

int lp_fuzz_mapping(const uint8_t *data, size_t size)
{
    char errmsg[LP_ERRMSG_SIZE];
    const char *path = fuzz_file("mapping.yaml", data, size);
    lp_mapping *mapping = NULL;
    if (lp_mapping_load(FUZZ_PROFILES_DIR, "generic", path, &mapping, errmsg) == LP_OK) {
        for (int t = 0; t < LP_TABLE_COUNT; t++)
            for (size_t f = 0; f < mapping->tables[t].nfiles; f++) {
                const char *file = mapping->tables[t].files[f];
                if (file[0] == '/' || strstr(file, "..")) {
                    /* "a..b" is a name, "../x" is not: only a ".." part escapes. */
                    for (const char *p = file; (p = strstr(p, "..")); p += 2)
                        if ((p == file || p[-1] == '/') && (p[2] == '/' || !p[2])) abort();
                    if (file[0] == '/') abort();
                }
            }
    }
    lp_mapping_free(mapping);
    return 0;
}

static void ignore_setting(void *ctx, const char *key, const char *value)
{
    size_t *n = ctx;
    *n += strlen(key) + strlen(value);
}

int lp_fuzz_settings(const uint8_t *data, size_t size)
{
    char errmsg[LP_ERRMSG_SIZE];
    const char *path = fuzz_file("settings.yaml", data, size);
    lp_settings settings;
    if (lp_settings_init(&settings)) abort();
    if (lp_settings_load(&settings, path, errmsg) == LP_OK) {
        size_t chars = 0;
        lp_settings_each(&settings, ignore_setting, &chars);
    }
    lp_settings_clear(&settings);
    return 0;
}

int lp_fuzz_template(const uint8_t *data, size_t size)
{
    char errmsg[LP_ERRMSG_SIZE];
    const char *path = fuzz_file("template.yaml", data, size);
    lp_template *tpl = NULL;
    if (lp_template_load(FUZZ_TEMPLATES_DIR, path, &tpl, errmsg) == LP_OK) {
        for (size_t i = 0; i < tpl->nsections; i++)
            if (!tpl->sections[i].id || !tpl->sections[i].kind) abort();
        lp_template_text(tpl, "change.up");
    }
    lp_template_free(tpl);
    return 0;
}
