/* The in-memory loaders (lp_csv_read_buffer, lp_csv_read_header_buffer,
 * lp_dataset_load_memory, lp_settings_load_memory, lp_mapping_load_memory):
 * small inputs whose records were written out by hand (digests from the
 * sha256sum tool), and the fixtures read both from memory and from their
 * files, which must give the same results. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lp/csv.h"
#include "lp/load.h"
#include "lp/mapping.h"
#include "lp/settings.h"

#define TINY LP_SOURCE_DIR "/fixtures/tiny"
#define PROFILES LP_SOURCE_DIR "/templates/profiles"

static char *slurp(const char *path, size_t *out_size)
{
    FILE *fp = fopen(path, "rb");
    cr_assert_not_null(fp, "%s", path);
    char *data = NULL;
    size_t size = 0, got;
    char block[4096];
    while ((got = fread(block, 1, sizeof block, fp)) > 0) {
        data = realloc(data, size + got + 1);
        cr_assert_not_null(data);
        memcpy(data + size, block, got);
        size += got;
    }
    fclose(fp);
    if (!data) data = calloc(1, 1);
    *out_size = size;
    return data;
}

/* ---- CSV ---- */

typedef struct rows {
    lp_buf text;       /* "LINE:f1|f2\n" per record, header included */
    size_t records;
} rows;

static void put(lp_buf *b, const lp_csv_record *rec)
{
    lp_buf_printf(b, "%zu:", rec->line);
    for (size_t i = 0; i < rec->nfields; i++) {
        if (i) lp_buf_puts(b, "|");
        lp_buf_append(b, rec->fields[i], rec->lens[i]);
    }
    lp_buf_puts(b, "\n");
}

static lp_status on_header(void *ctx, const lp_csv_record *h, const lp_csv_dialect *d)
{
    (void)d;
    put(&((rows *)ctx)->text, h);
    return LP_OK;
}

static lp_status on_chunk_new(void *ctx, void **out)
{
    *out = ctx;
    return LP_OK;
}

static lp_status on_record(void *chunk, const lp_csv_record *rec)
{
    rows *r = chunk;
    put(&r->text, rec);
    r->records++;
    return LP_OK;
}

static lp_status on_chunk_done(void *ctx, void *chunk)
{
    (void)ctx;
    (void)chunk;
    return LP_OK;
}

static void on_chunk_free(void *ctx, void *chunk)
{
    (void)ctx;
    (void)chunk;
}

Test(memory_loaders, csv_buffer_hand_counted)
{
    /* BOM, semicolons, CRLF, a quoted delimiter and a blank line: two
     * records on lines 2 and 4. */
    static const char text[] = "\xef\xbb\xbfid;name\r\n1;\"a;b\"\r\n\r\n2;c\r\n";
    rows r = {0};
    lp_csv_handler h = {&r, on_header, on_chunk_new, on_record, on_chunk_done, on_chunk_free};
    lp_csv_options o = {.threads = 1, .label = "x.csv"};
    lp_csv_info info;
    char errmsg[LP_ERRMSG_SIZE] = "";
    cr_assert_eq(lp_csv_read_buffer(text, sizeof text - 1, &o, &h, &info, errmsg), LP_OK, "%s",
                 errmsg);
    cr_assert_str_eq(r.text.data, "1:id|name\n2:1|a;b\n4:2|c\n");
    cr_assert_eq(info.records, 2);
    cr_assert_eq(info.file_bytes, sizeof text - 1);
    cr_assert_str_eq(info.sha256,
                     "a6ea3fc20a64eb67e14efb4d892acdbdd977ff3df6a1423a2f43ddb055c54205");
    char describe[64];
    lp_csv_dialect_describe(&info.dialect, describe, sizeof describe);
    cr_assert_str_eq(describe, "semicolon, UTF-8 with BOM, CRLF");
    lp_buf_reset(&r.text);

    lp_csv_header *hdr = NULL;
    cr_assert_eq(lp_csv_read_header_buffer(text, sizeof text - 1, "x.csv", NULL, &hdr, errmsg),
                 LP_OK);
    cr_assert_eq(hdr->nnames, 2);
    cr_assert_str_eq(hdr->names[0], "id");
    cr_assert_str_eq(hdr->names[1], "name");
    cr_assert_eq(hdr->dialect.delimiter, ';');
    lp_csv_header_free(hdr);
}

Test(memory_loaders, csv_buffer_errors_name_the_label)
{
    rows r = {0};
    lp_csv_handler h = {&r, on_header, on_chunk_new, on_record, on_chunk_done, on_chunk_free};
    lp_csv_options o = {.threads = 1, .label = "leads.csv"};
    char errmsg[LP_ERRMSG_SIZE] = "";
    cr_assert_eq(lp_csv_read_buffer("", 0, &o, &h, NULL, errmsg), LP_ERR_INPUT);
    cr_assert_str_eq(errmsg, "leads.csv is empty");
    static const char quote[] = "a,b\n1,\"x\n";
    cr_assert_eq(lp_csv_read_buffer(quote, sizeof quote - 1, &o, &h, NULL, errmsg),
                 LP_ERR_INPUT);
    cr_assert(strstr(errmsg, "leads.csv line 2: unterminated quoted field"), "%s", errmsg);
    /* max_field_bytes: "12345" is 5 bytes, over a limit of 4 */
    static const char wide[] = "a,b\n12345,x\n";
    o.limits.max_field_bytes = 4;
    cr_assert_eq(lp_csv_read_buffer(wide, sizeof wide - 1, &o, &h, NULL, errmsg), LP_ERR_LIMIT);
    cr_assert(strstr(errmsg, "leads.csv line 2"), "%s", errmsg);
    lp_buf_reset(&r.text);
}

/* Every fixture of fixtures/tiny read from memory and from its file gives
 * the same records, dialect and digest. */
Test(memory_loaders, csv_buffer_same_as_file)
{
    static const char *const names[] = {"leads.csv", "touches.csv", "opportunities.csv",
                                        "activities.csv", "campaigns.csv"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", TINY, names[i]);
        size_t size;
        char *data = slurp(path, &size);
        rows a = {0}, b = {0};
        lp_csv_handler ha = {&a, on_header, on_chunk_new, on_record, on_chunk_done,
                             on_chunk_free};
        lp_csv_handler hb = {&b, on_header, on_chunk_new, on_record, on_chunk_done,
                             on_chunk_free};
        lp_csv_options o = {.threads = 1, .label = names[i]};
        lp_csv_info ia, ib;
        char errmsg[LP_ERRMSG_SIZE];
        cr_assert_eq(lp_csv_read(path, &o, &ha, &ia, errmsg), LP_OK, "%s", errmsg);
        cr_assert_eq(lp_csv_read_buffer(data, size, &o, &hb, &ib, errmsg), LP_OK, "%s", errmsg);
        cr_assert_str_eq(a.text.data, b.text.data, "%s", names[i]);
        cr_assert_gt(ia.records, 0);
        cr_assert_eq(ia.records, ib.records);
        cr_assert_eq(ia.file_bytes, ib.file_bytes);
        cr_assert_str_eq(ia.sha256, ib.sha256);
        cr_assert_eq(memcmp(&ia.dialect, &ib.dialect, sizeof ia.dialect), 0);
        lp_buf_reset(&a.text);
        lp_buf_reset(&b.text);
        free(data);
    }
}

/* ---- Dataset ---- */

static lp_mapping *generic(void)
{
    lp_mapping *m = NULL;
    char errmsg[LP_ERRMSG_SIZE];
    cr_assert_eq(lp_mapping_load(PROFILES, "generic", NULL, &m, errmsg), LP_OK, "%s", errmsg);
    return m;
}

Test(memory_loaders, dataset_same_as_folder)
{
    static const char *const names[] = {"users.csv",     "touches.csv",  "targets.csv",
                                        "opportunities.csv", "leads.csv", "campaigns.csv",
                                        "activities.csv"};
    enum { N = sizeof names / sizeof names[0] };
    lp_memfile files[N];
    for (size_t i = 0; i < N; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", TINY, names[i]);
        files[i].name = names[i];
        files[i].data = slurp(path, &files[i].size);
    }
    lp_mapping *m = generic();
    lp_load_options o = {.input_dir = TINY, .mapping = m, .threads = 1};
    lp_dataset *a = NULL, *b = NULL;
    char errmsg[LP_ERRMSG_SIZE];
    cr_assert_eq(lp_dataset_load(&o, &a, errmsg), LP_OK, "%s", errmsg);
    o.input_dir = NULL;
    cr_assert_eq(lp_dataset_load_memory(&o, files, N, &b, errmsg), LP_OK, "%s", errmsg);
    cr_assert_eq(a->nfiles, b->nfiles);
    for (size_t i = 0; i < a->nfiles; i++) {
        /* the folder's paths are input_dir/NAME, the memory's NAME */
        const char *pa = strrchr(a->files[i].path, '/');
        cr_assert_str_eq(pa ? pa + 1 : a->files[i].path, b->files[i].path);
        cr_assert_eq(a->files[i].rows_read, b->files[i].rows_read);
        cr_assert_eq(a->files[i].rows_loaded, b->files[i].rows_loaded);
        cr_assert_eq(a->files[i].rows_rejected, b->files[i].rows_rejected);
        cr_assert_str_eq(a->files[i].sha256, b->files[i].sha256);
    }
    for (int t = 0; t < LP_TABLE_COUNT; t++) {
        cr_assert_eq(!a->tables[t], !b->tables[t]);
        if (a->tables[t]) cr_assert_eq(a->tables[t]->nrows, b->tables[t]->nrows);
    }
    cr_assert_eq(a->nnotes, b->nnotes);
    for (size_t i = 0; i < a->nnotes; i++)
        cr_assert_str_eq(a->notes[i].message, b->notes[i].message);
    lp_dataset_free(a);
    lp_dataset_free(b);
    lp_mapping_free(m);
    for (size_t i = 0; i < N; i++) free((void *)files[i].data);
}

/* Patterns match names as glob does: leads.csv and leads_*.csv, sorted per
 * pattern; a hidden file is not matched by the wildcard. */
Test(memory_loaders, dataset_matches_like_glob)
{
    static const char head[] = "lead_id,created_at\n";
    static const char one[] = "lead_id,created_at\nL1,2026-01-05\n";
    static const char two[] = "lead_id,created_at\nL2,2026-01-06\nL3,2026-01-07\n";
    lp_memfile files[] = {
        {"leads_b.csv", two, sizeof two - 1},
        {".leads_x.csv", one, sizeof one - 1},
        {"leads.csv", head, sizeof head - 1},
        {"leads_a.csv", one, sizeof one - 1},
    };
    lp_mapping *m = generic();
    lp_load_options o = {.mapping = m, .threads = 1};
    lp_dataset *ds = NULL;
    char errmsg[LP_ERRMSG_SIZE];
    cr_assert_eq(lp_dataset_load_memory(&o, files, 4, &ds, errmsg), LP_OK, "%s", errmsg);
    cr_assert_eq(ds->nfiles, 3);
    cr_assert_str_eq(ds->files[0].path, "leads.csv");
    cr_assert_str_eq(ds->files[1].path, "leads_a.csv");
    cr_assert_str_eq(ds->files[2].path, "leads_b.csv");
    cr_assert_eq(ds->tables[LP_LEADS]->nrows, 3); /* 0 + 1 + 2 */
    lp_dataset_free(ds);

    /* No leads file at all: the required table is missing, as from an
     * empty folder. */
    lp_load_options f = {.input_dir = LP_SOURCE_DIR "/fixtures", .mapping = m, .threads = 1};
    lp_dataset *from_folder = NULL;
    char folder_msg[LP_ERRMSG_SIZE] = "";
    lp_status fst = lp_dataset_load(&f, &from_folder, folder_msg);
    lp_status mst = lp_dataset_load_memory(&o, NULL, 0, &ds, errmsg);
    cr_assert_eq(fst, mst);
    if (mst == LP_OK) {
        cr_assert_eq(ds->nfiles, 0);
        lp_dataset_free(ds);
    } else {
        cr_assert_str_eq(folder_msg, errmsg);
    }
    lp_dataset_free(from_folder);
    lp_mapping_free(m);
}

/* ---- Settings and mappings ---- */

static void collect(void *ctx, const char *key, const char *value)
{
    lp_buf_printf(ctx, "%s=%s\n", key, value);
}

Test(memory_loaders, settings_same_as_file)
{
    const char *path = LP_SOURCE_DIR "/templates/settings.yaml";
    size_t size;
    char *data = slurp(path, &size);
    lp_settings a, b;
    char errmsg[LP_ERRMSG_SIZE];
    cr_assert_eq(lp_settings_init(&a), LP_OK);
    cr_assert_eq(lp_settings_init(&b), LP_OK);
    cr_assert_eq(lp_settings_load(&a, path, errmsg), LP_OK, "%s", errmsg);
    lp_memfile file = {"settings.yaml", data, size};
    cr_assert_eq(lp_settings_load_memory(&b, &file, errmsg), LP_OK, "%s", errmsg);
    lp_buf ta = {0}, tb = {0};
    lp_settings_each(&a, collect, &ta);
    lp_settings_each(&b, collect, &tb);
    cr_assert_str_eq(ta.data, tb.data);
    lp_buf_reset(&ta);
    lp_buf_reset(&tb);

    /* sla_hours must be above 0: line 2 of the file named settings.yaml */
    static const char bad[] = "period: week\nsla_hours: 0\n";
    lp_memfile badfile = {"settings.yaml", bad, sizeof bad - 1};
    cr_assert_eq(lp_settings_load_memory(&b, &badfile, errmsg), LP_ERR_CONFIG);
    cr_assert(!strncmp(errmsg, "settings.yaml line 2: ", 22), "%s", errmsg);
    lp_settings_clear(&a);
    lp_settings_clear(&b);
    free(data);
}

static void mapping_equal(const lp_mapping *a, const lp_mapping *b)
{
    cr_assert_str_eq(a->profile, b->profile);
    cr_assert_str_eq(a->date_order, b->date_order);
    cr_assert_eq(a->nvalues, b->nvalues);
    cr_assert_eq(a->nskip_footer, b->nskip_footer);
    for (int t = 0; t < LP_TABLE_COUNT; t++) {
        cr_assert_eq(a->tables[t].nfiles, b->tables[t].nfiles);
        for (size_t f = 0; f < a->tables[t].nfiles; f++)
            cr_assert_str_eq(a->tables[t].files[f], b->tables[t].files[f]);
        cr_assert_eq(a->tables[t].ncolumns, b->tables[t].ncolumns);
        for (size_t c = 0; c < a->tables[t].ncolumns; c++) {
            const lp_column_map *ca = &a->tables[t].columns[c], *cb = &b->tables[t].columns[c];
            cr_assert_str_eq(ca->canonical, cb->canonical);
            cr_assert_eq(ca->nsources, cb->nsources);
            for (size_t s = 0; s < ca->nsources; s++)
                cr_assert_str_eq(ca->sources[s], cb->sources[s]);
        }
    }
}

Test(memory_loaders, mapping_same_as_files)
{
    static const char *const names[] = {"generic.yaml", "salesforce.yaml", "hubspot.yaml"};
    lp_memfile profiles[3];
    for (size_t i = 0; i < 3; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", PROFILES, names[i]);
        profiles[i].name = names[i];
        profiles[i].data = slurp(path, &profiles[i].size);
    }
    char errmsg[LP_ERRMSG_SIZE];
    for (size_t i = 0; i < 3; i++) {
        char name[32];
        snprintf(name, sizeof name, "%.*s", (int)(strlen(names[i]) - 5), names[i]);
        lp_mapping *a = NULL, *b = NULL;
        cr_assert_eq(lp_mapping_load(PROFILES, name, NULL, &a, errmsg), LP_OK, "%s", errmsg);
        cr_assert_eq(lp_mapping_load_memory(profiles, 3, name, NULL, &b, errmsg), LP_OK, "%s",
                     errmsg);
        mapping_equal(a, b);
        lp_mapping_free(a);
        lp_mapping_free(b);
    }
    /* A user mapping naming its profile, with one column changed. */
    static const char user[] = "profile: salesforce\ncolumns:\n  leads:\n    source: Origin\n";
    lp_memfile u = {"mapping.yaml", user, sizeof user - 1};
    lp_mapping *m = NULL;
    cr_assert_eq(lp_mapping_load_memory(profiles, 3, NULL, &u, &m, errmsg), LP_OK, "%s", errmsg);
    cr_assert_str_eq(m->profile, "salesforce");
    const lp_table_map *leads = &m->tables[LP_LEADS];
    bool found = false;
    for (size_t c = 0; c < leads->ncolumns; c++)
        if (!strcmp(leads->columns[c].canonical, "source")) {
            cr_assert_eq(leads->columns[c].nsources, 1);
            cr_assert_str_eq(leads->columns[c].sources[0], "Origin");
            found = true;
        }
    cr_assert(found);
    lp_mapping_free(m);
    /* A profile that is not among them. */
    static const char other[] = "profile: marketo\n";
    lp_memfile o = {"mapping.yaml", other, sizeof other - 1};
    cr_assert_eq(lp_mapping_load_memory(profiles, 3, NULL, &o, &m, errmsg), LP_ERR_CONFIG);
    cr_assert(strstr(errmsg, "mapping.yaml line 1: unknown profile \"marketo\""), "%s", errmsg);
    for (size_t i = 0; i < 3; i++) free((void *)profiles[i].data);
}

/* ---- A prepared profile (lp_mapping_load_prepared) ---- */

static void strv_equal(char *const *a, size_t na, char *const *b, size_t nb, const char *what)
{
    cr_assert_eq(na, nb, "%s: %zu and %zu entries", what, na, nb);
    for (size_t i = 0; i < na; i++) cr_assert_str_eq(a[i], b[i], "%s[%zu]", what, i);
}

static void opt_str_equal(const char *a, const char *b, const char *what)
{
    cr_assert_eq(!a, !b, "%s: one is NULL", what);
    if (a) cr_assert_str_eq(a, b, "%s", what);
}

/* Every field of two mappings, in order. */
static void mapping_identical(const lp_mapping *a, const lp_mapping *b)
{
    cr_assert_str_eq(a->profile, b->profile);
    cr_assert_str_eq(a->date_order, b->date_order);
    strv_equal(a->detect, a->ndetect, b->detect, b->ndetect, "detect");
    strv_equal(a->skip_footer, a->nskip_footer, b->skip_footer, b->nskip_footer, "skip_footer");
    for (int t = 0; t < LP_TABLE_COUNT; t++) {
        const lp_table_map *ta = &a->tables[t], *tb = &b->tables[t];
        strv_equal(ta->files, ta->nfiles, tb->files, tb->nfiles, "files");
        cr_assert_eq(ta->ncolumns, tb->ncolumns);
        for (size_t c = 0; c < ta->ncolumns; c++) {
            const lp_column_map *ca = &ta->columns[c], *cb = &tb->columns[c];
            cr_assert_str_eq(ca->canonical, cb->canonical);
            strv_equal(ca->sources, ca->nsources, cb->sources, cb->nsources, ca->canonical);
            opt_str_equal(ca->default_value, cb->default_value, ca->canonical);
        }
    }
    cr_assert_eq(a->nvalues, b->nvalues);
    for (size_t i = 0; i < a->nvalues; i++) {
        cr_assert_str_eq(a->values[i].column, b->values[i].column);
        strv_equal(a->values[i].from, a->values[i].n, b->values[i].from, b->values[i].n, "from");
        strv_equal(a->values[i].to, a->values[i].n, b->values[i].to, b->values[i].n, "to");
    }
    cr_assert_eq(a->nheader_prints, b->nheader_prints);
    for (size_t i = 0; i < a->nheader_prints; i++) {
        const lp_header_print *pa = &a->header_prints[i], *pb = &b->header_prints[i];
        opt_str_equal(pa->file, pb->file, "headers file");
        opt_str_equal(pa->sha256, pb->sha256, "headers sha256");
        strv_equal(pa->columns, pa->ncolumns, pb->columns, pb->ncolumns, "headers columns");
    }
}

#define MAX_USER_FILES 64

typedef struct user_files {
    lp_memfile files[MAX_USER_FILES];
    char *names[MAX_USER_FILES];
    size_t n;
} user_files;

static void user_file_add(user_files *u, const char *name, char *data, size_t size)
{
    cr_assert_lt(u->n, MAX_USER_FILES);
    u->names[u->n] = strdup(name);
    u->files[u->n] = (lp_memfile){"mapping.yaml", data, size};
    u->n++;
}

/* The .yaml files below dir, at any depth. */
static void user_files_walk(user_files *u, const char *dir)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "%s", dir);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        cr_assert_eq(stat(path, &st), 0, "%s", path);
        size_t len = strlen(e->d_name);
        if (S_ISDIR(st.st_mode)) {
            user_files_walk(u, path);
        } else if (len > 5 && !strcmp(e->d_name + len - 5, ".yaml")) {
            size_t size;
            char *data = slurp(path, &size);
            user_file_add(u, path, data, size);
        }
    }
    closedir(d);
}

/* lp_mapping_load_prepared gives what lp_mapping_load_memory gives, status,
 * message and mapping, for every profile prepared, the profile named, none
 * or another named, and user mappings: none, the profiles themselves, the
 * mapping files of fixtures/ and tests/fuzz/regressions/mapping, and
 * hand-written ones using every key. */
Test(memory_loaders, mapping_prepared_same_as_memory)
{
    /* the shipped profiles, and one written here that uses every key */
    static const char *const names[] = {"generic", "salesforce", "hubspot", "marketo",
                                        "pipedrive", "salesforce-report", "every"};
    enum { NPROFILES = sizeof names / sizeof names[0] };
    static const char every[] =
        "description: every key\ndetect: [Id, Created]\nfiles:\n  leads: [L.csv, L_*.csv]\n"
        "columns:\n  leads:\n    lead_id: Id\n    created_at: [Created, Made]\n"
        "    source: null\n  users:\n    owner_id: Name\n    name: Name\n"
        "defaults:\n  leads:\n    country: DE\n  opportunities:\n    stage: Won\n"
        "values:\n  source:\n    web: Website\n    ads: Paid\n  stage:\n    Won It: won\n"
        "skip_footer: [Total, Generated]\ndate_order: dmy\n"
        "headers:\n  L.csv:\n    columns: [Id, Created]\n";
    lp_memfile profiles[NPROFILES];
    char files[NPROFILES][64];
    for (size_t i = 0; i < NPROFILES; i++) {
        char path[512];
        snprintf(files[i], sizeof files[i], "%s.yaml", names[i]);
        snprintf(path, sizeof path, "%s/%s", PROFILES, files[i]);
        profiles[i].name = files[i];
        if (strcmp(names[i], "every")) {
            profiles[i].data = slurp(path, &profiles[i].size);
        } else {
            profiles[i].data = strdup(every);
            profiles[i].size = sizeof every - 1;
        }
    }
    static const char *const written[] = {
        "profile: generic\ncolumns:\n  leads:\n    source: null\n    email: [Mail, E-mail]\n"
        "defaults:\n  leads:\n    country: FR\n  opportunities:\n    stage: Won\n"
        "values:\n  source:\n    ads: Paid Search\n  stage:\n    Closed Won: won\n",
        "detect: [Id, Name]\nskip_footer: [Total, Generated by]\ndate_order: dmy\n"
        "files:\n  leads: [Lead.csv]\n",
        "headers:\n  leads.csv:\n    columns: [lead_id, created_at]\n",
        "tables:\n  leads: [crm.lead]\n  users: owners\n",
        "tables:\n  leads: [../secret]\n",
        "tables:\n  opportunities: /etc/passwd\n",
        "columns:\n  leads:\n    lead_id: null\n    created_at: null\n",
        "profile: salesforce\ncolumns:\n  leads:\n    source: Origin\n",
        "profile: hubspot\n",
        "profile: nothing\n",
        "profile: [a]\n",
        "profile: generic\nprofile: generic\n",
        "- a\n- b\n",
        "columns: {leads: {lead_id: x\n",
        "",
    };
    user_files u = {0};
    for (size_t i = 0; i < sizeof written / sizeof written[0]; i++)
        user_file_add(&u, written[i], strdup(written[i]), strlen(written[i]));
    for (size_t i = 0; i < NPROFILES; i++) {
        char *copy = malloc(profiles[i].size + 1);
        memcpy(copy, profiles[i].data, profiles[i].size);
        user_file_add(&u, files[i], copy, profiles[i].size);
    }
    user_files_walk(&u, LP_SOURCE_DIR "/fixtures/bad");
    user_files_walk(&u, LP_SOURCE_DIR "/fixtures/public");
    user_files_walk(&u, LP_SOURCE_DIR "/tests/fuzz/regressions/mapping");

    size_t compared = 0, loaded = 0;
    for (size_t p = 0; p < NPROFILES; p++) {
        char errmsg[LP_ERRMSG_SIZE];
        lp_mapping_prepared *prep = NULL;
        cr_assert_eq(lp_mapping_prepare(&profiles[p], names[p], &prep, errmsg), LP_OK, "%s",
                     errmsg);
        if (!strcmp(names[p], "every")) {
            /* what it read, key by key */
            lp_mapping *m = NULL;
            cr_assert_eq(lp_mapping_load_prepared(prep, profiles, NPROFILES, "every", NULL, &m,
                                                  errmsg), LP_OK, "%s", errmsg);
            cr_assert_eq(m->ndetect, 2);
            cr_assert_eq(m->nskip_footer, 2);
            cr_assert_eq(m->nvalues, 2);
            cr_assert_eq(m->values[0].n, 2);
            cr_assert_eq(m->nheader_prints, 1);
            cr_assert_eq(m->header_prints[0].ncolumns, 2);
            cr_assert_str_eq(m->date_order, "dmy");
            cr_assert_eq(m->tables[LP_LEADS].ncolumns, 3); /* source: null is dropped */
            cr_assert_str_eq(m->tables[LP_LEADS].columns[2].canonical, "country");
            cr_assert_str_eq(m->tables[LP_LEADS].columns[2].default_value, "DE");
            lp_mapping_free(m);
        }
        const char *chosen[] = {names[p], NULL, names[(p + 1) % NPROFILES]};
        for (size_t c = 0; c < 3; c++)
            for (size_t f = 0; f <= u.n; f++) {
                const lp_memfile *user = f < u.n ? &u.files[f] : NULL;
                if (!user && !chosen[c]) continue;
                char err_a[LP_ERRMSG_SIZE] = "", err_b[LP_ERRMSG_SIZE] = "";
                lp_mapping *a = NULL, *b = NULL;
                lp_status sa = lp_mapping_load_memory(profiles, NPROFILES, chosen[c], user, &a,
                                                      err_a);
                lp_status sb = lp_mapping_load_prepared(prep, profiles, NPROFILES, chosen[c],
                                                        user, &b, err_b);
                const char *what = user ? u.names[f] : "(no user file)";
                cr_assert_eq(sa, sb, "%s over %s: %d and %d", what, names[p], sa, sb);
                if (sa) {
                    cr_assert_str_eq(err_a, err_b, "%s", what);
                } else {
                    mapping_identical(a, b);
                    loaded++;
                }
                lp_mapping_free(a);
                lp_mapping_free(b);
                compared++;
            }
        lp_mapping_prepared_free(prep);
    }
    /* both outcomes were compared, many times */
    cr_assert_gt(loaded, 50);
    cr_assert_gt(compared - loaded, 50);

    /* A profile file of other bytes under the prepared one's name is read,
     * not taken for it. */
    char errmsg[LP_ERRMSG_SIZE];
    lp_mapping_prepared *prep = NULL;
    cr_assert_eq(lp_mapping_prepare(&profiles[0], "generic", &prep, errmsg), LP_OK, "%s", errmsg);
    static const char changed[] = "files:\n  leads: [other.csv]\ndate_order: dmy\n";
    lp_memfile altered[NPROFILES];
    memcpy(altered, profiles, sizeof altered);
    altered[0].data = changed;
    altered[0].size = sizeof changed - 1;
    lp_mapping *m = NULL;
    cr_assert_eq(lp_mapping_load_prepared(prep, altered, NPROFILES, "generic", NULL, &m, errmsg),
                 LP_OK, "%s", errmsg);
    cr_assert_eq(m->tables[LP_LEADS].nfiles, 1);
    cr_assert_str_eq(m->tables[LP_LEADS].files[0], "other.csv");
    cr_assert_str_eq(m->date_order, "dmy");
    cr_assert_eq(m->tables[LP_LEADS].ncolumns, 0);
    lp_mapping_free(m);
    lp_mapping_prepared_free(prep);
    /* A file that is not NAME.yaml is refused. */
    cr_assert_eq(lp_mapping_prepare(&profiles[1], "generic", &prep, errmsg), LP_ERR_USAGE);
    /* Table names that would lead out of an input folder are refused. */
    static const char escape[] = "tables:\n  leads: [../secret]\n";
    lp_memfile e = {"mapping.yaml", escape, sizeof escape - 1};
    cr_assert_eq(lp_mapping_load_memory(profiles, NPROFILES, "generic", &e, &m, errmsg),
                 LP_ERR_CONFIG);
    cr_assert_str_eq(errmsg, "mapping.yaml line 2: tables.leads: \"../secret\" is not a table name");

    for (size_t i = 0; i < u.n; i++) {
        free(u.names[i]);
        free((void *)u.files[i].data);
    }
    for (size_t i = 0; i < NPROFILES; i++) free((void *)profiles[i].data);
}
