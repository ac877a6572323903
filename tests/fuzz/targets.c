/* Fuzz targets (targets.h). Every input is handed over in memory: the
 * targets write no file and read none per input. The profiles, the packs
 * and the default wording of templates/ are read once per process (the
 * first time a target needs them) and kept until lp_fuzz_cleanup. */
#include "targets.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp/csv.h"
#include "lp/load.h"
#include "lp/mapping.h"
#include "lp/settings.h"
#include "lp/template.h"
#include "lp/value.h"

#define FUZZ_TEMPLATES_DIR LP_SOURCE_DIR "/templates"
#define FUZZ_PROFILES_DIR LP_SOURCE_DIR "/templates/profiles"
#define FUZZ_PACKS_DIR LP_SOURCE_DIR "/templates/packs"

/* The .yaml files of a folder, read whole, by name. */
typedef struct fuzz_folder {
    lp_memfile *files;
    size_t nfiles;
    bool read;
} fuzz_folder;

static fuzz_folder fuzz_profiles, fuzz_packs;

static void folder_free(fuzz_folder *f)
{
    for (size_t i = 0; i < f->nfiles; i++) {
        free((char *)f->files[i].name);
        free((void *)f->files[i].data);
    }
    free(f->files);
    memset(f, 0, sizeof *f);
}

/* Reads dir's .yaml files into f once per process; spare entries are left
 * at the end of f->files for the caller's own file. Aborts when dir cannot
 * be read: the targets cannot run without it. */
static const fuzz_folder *folder_read(fuzz_folder *f, const char *dir)
{
    if (f->read) return f;
    DIR *d = opendir(dir);
    if (!d) abort();
    struct dirent *e;
    size_t cap = 0;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len <= 5 || strcmp(e->d_name + len - 5, ".yaml")) continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *fp = fopen(path, "rb");
        if (!fp) abort();
        char *data = NULL;
        size_t size = 0, got;
        char block[4096];
        while ((got = fread(block, 1, sizeof block, fp)) > 0) {
            if (!(data = realloc(data, size + got))) abort();
            memcpy(data + size, block, got);
            size += got;
        }
        fclose(fp);
        if (f->nfiles + 1 >= cap) {
            cap = cap ? cap * 2 : 16;
            if (!(f->files = realloc(f->files, cap * sizeof *f->files))) abort();
        }
        char *name = strdup(e->d_name);
        if (!name) abort();
        f->files[f->nfiles++] = (lp_memfile){name, data, size};
    }
    closedir(d);
    if (!f->files && !(f->files = calloc(1, sizeof *f->files))) abort();
    f->read = true;
    return f;
}

static lp_mapping *fuzz_generic;
static lp_mapping_prepared *fuzz_generic_prepared;
/* The settings of the CSV target: the defaults with small limits, made once
 * (the loader takes them read-only). */
static lp_settings fuzz_csv_settings;
static bool fuzz_csv_settings_made;
static lp_template *fuzz_wording;

void lp_fuzz_cleanup(void)
{
    lp_mapping_free(fuzz_generic);
    fuzz_generic = NULL;
    lp_mapping_prepared_free(fuzz_generic_prepared);
    fuzz_generic_prepared = NULL;
    if (fuzz_csv_settings_made) lp_settings_clear(&fuzz_csv_settings);
    fuzz_csv_settings_made = false;
    lp_template_free(fuzz_wording);
    fuzz_wording = NULL;
    folder_free(&fuzz_profiles);
    folder_free(&fuzz_packs);
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
    char errmsg[LP_ERRMSG_SIZE];
    const fuzz_folder *profiles = folder_read(&fuzz_profiles, FUZZ_PROFILES_DIR);
    if (!fuzz_generic && lp_mapping_load_memory(profiles->files, profiles->nfiles, "generic",
                                                NULL, &fuzz_generic, errmsg))
        abort();
    return fuzz_generic;
}

int lp_fuzz_csv(const uint8_t *data, size_t size)
{
    char errmsg[LP_ERRMSG_SIZE];
    lp_csv_limits limits = {.max_field_bytes = 4096, .max_columns = 256};

    lp_csv_header *header = NULL;
    if (lp_csv_read_header_buffer(data, size, "leads.csv", &limits, &header, errmsg) == LP_OK) {
        for (size_t i = 0; i < header->nnames; i++)
            if (!header->names[i]) abort();
    }
    lp_csv_header_free(header);

    size_t total = 0;
    lp_csv_handler handler = {&total, on_header, on_chunk_new, on_record, on_chunk_done,
                              on_chunk_free};
    lp_csv_options options = {.limits = limits, .threads = 1, .label = "leads.csv"};
    lp_csv_info info;
    if (lp_csv_read_buffer(data, size, &options, &handler, &info, errmsg) == LP_OK) {
        if (info.records != total || info.file_bytes != size) abort();
        char describe[64];
        lp_csv_dialect_describe(&info.dialect, describe, sizeof describe);
    }

    if (!fuzz_csv_settings_made) {
        if (lp_settings_init(&fuzz_csv_settings)) abort();
        fuzz_csv_settings.max_field_bytes = 4096;
        fuzz_csv_settings.max_columns = 256;
        fuzz_csv_settings_made = true;
    }
    lp_load_options load = {.mapping = generic_mapping(), .settings = &fuzz_csv_settings,
                            .threads = 1};
    lp_memfile leads = {"leads.csv", data, size};
    lp_dataset *ds = NULL;
    if (lp_dataset_load_memory(&load, &leads, 1, &ds, errmsg) == LP_OK) {
        if (ds->nfiles != 1) abort();
        for (size_t i = 0; i < ds->nfiles; i++)
            if (ds->files[i].rows_read != ds->files[i].rows_loaded + ds->files[i].rows_rejected)
                abort();
    }
    lp_dataset_free(ds);
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

/* The generic profile read once (lp_mapping_prepare): an input over it
 * starts from a copy of the profile's mapping instead of parsing
 * generic.yaml again, with the same result (tests/engine). */
static const lp_mapping_prepared *generic_prepared(const fuzz_folder *profiles)
{
    char errmsg[LP_ERRMSG_SIZE];
    for (size_t i = 0; !fuzz_generic_prepared && i < profiles->nfiles; i++)
        if (!strcmp(profiles->files[i].name, "generic.yaml") &&
            lp_mapping_prepare(&profiles->files[i], "generic", &fuzz_generic_prepared, errmsg))
            abort();
    if (!fuzz_generic_prepared) abort();
    return fuzz_generic_prepared;
}

int lp_fuzz_mapping(const uint8_t *data, size_t size)
{
    char errmsg[LP_ERRMSG_SIZE];
    const fuzz_folder *profiles = folder_read(&fuzz_profiles, FUZZ_PROFILES_DIR);
    lp_memfile user = {"mapping.yaml", data, size};
    lp_mapping *mapping = NULL;
    if (lp_mapping_load_prepared(generic_prepared(profiles), profiles->files, profiles->nfiles,
                                 "generic", &user, &mapping, errmsg) == LP_OK) {
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
    lp_memfile file = {"settings.yaml", data, size};
    lp_settings settings;
    if (lp_settings_init(&settings)) abort();
    if (lp_settings_load_memory(&settings, &file, errmsg) == LP_OK) {
        size_t chars = 0;
        lp_settings_each(&settings, ignore_setting, &chars);
    }
    lp_settings_clear(&settings);
    return 0;
}

int lp_fuzz_template(const uint8_t *data, size_t size)
{
    char errmsg[LP_ERRMSG_SIZE];
    /* The input is template.yaml beside the packs of templates/packs. */
    fuzz_folder *packs = &fuzz_packs;
    folder_read(packs, FUZZ_PACKS_DIR);
    if (!fuzz_wording && lp_template_wording_load(FUZZ_TEMPLATES_DIR, &fuzz_wording, errmsg))
        abort();
    packs->files[packs->nfiles] = (lp_memfile){"template.yaml", data, size};
    lp_template *tpl = NULL;
    if (lp_template_load_memory(fuzz_wording, packs->files, packs->nfiles + 1, "template.yaml",
                                &tpl, errmsg) == LP_OK) {
        for (size_t i = 0; i < tpl->nsections; i++)
            if (!tpl->sections[i].id || !tpl->sections[i].kind) abort();
        lp_template_text(tpl, "change.up");
    }
    lp_template_free(tpl);
    return 0;
}
