/* Drafted mappings and header fingerprints (lp/draft.h). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lp/draft.h"

#define PROFILES LP_SOURCE_DIR "/templates/profiles"

static char *temp_dir(void)
{
    char *path = strdup("/tmp/lp-draft-XXXXXX");
    cr_assert_not_null(mkdtemp(path));
    return path;
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    cr_assert_not_null(fp);
    fputs(text, fp);
    fclose(fp);
}

/* The SHA-256 of "Id\nName", from `printf 'Id\nName' | sha256sum`. */
Test(draft, fingerprint_is_sha256_of_names_joined_by_newline)
{
    char *names[] = {"Id", "Name"};
    char hex[65];
    lp_header_fingerprint(names, 2, hex);
    cr_expect_str_eq(hex, "f3f15e76cbd905c402bb5f5251a8e34d71687bafd5abd936e2692fd94bf208ba");
}

Test(draft, headers_key_is_read_and_checked)
{
    char *dir = temp_dir();
    char path[256], errmsg[LP_ERRMSG_SIZE] = "";
    snprintf(path, sizeof path, "%s/m.yaml", dir);
    write_text(path, "files: {leads: [a.csv]}\n"
                     "columns: {leads: {lead_id: x, created_at: y}}\n"
                     "headers:\n"
                     "  a.csv:\n"
                     "    sha256: f3f15e76cbd905c402bb5f5251a8e34d71687bafd5abd936e2692fd94bf208ba\n"
                     "    columns: [x, y]\n");
    lp_mapping *m = NULL;
    cr_assert_eq(lp_mapping_load(PROFILES, NULL, path, &m, errmsg), LP_OK, "%s", errmsg);
    cr_assert_eq(m->nheader_prints, 1);
    cr_expect_str_eq(m->header_prints[0].file, "a.csv");
    cr_expect_eq(m->header_prints[0].ncolumns, 2);
    cr_expect_str_eq(m->header_prints[0].columns[1], "y");
    lp_mapping_free(m);

    write_text(path, "headers:\n  a.csv: {sha256: 12, columns: [x]}\n");
    m = NULL;
    cr_expect_eq(lp_mapping_load(PROFILES, NULL, path, &m, errmsg), LP_ERR_CONFIG);
    cr_expect(strstr(errmsg, "line 2") && strstr(errmsg, "64 hex digits"), "%s", errmsg);
    lp_mapping_free(m);
    free(dir);
}

typedef struct warned {
    int n;
    char message[512];
} warned;

static void on_warn(void *ctx, const char *file, const char *message)
{
    warned *w = ctx;
    (void)file;
    w->n++;
    snprintf(w->message, sizeof w->message, "%s", message);
}

Test(draft, drifted_headers_are_named)
{
    char *dir = temp_dir();
    char path[256], csv[256], errmsg[LP_ERRMSG_SIZE] = "";
    snprintf(path, sizeof path, "%s/m.yaml", dir);
    snprintf(csv, sizeof csv, "%s/a.csv", dir);
    write_text(path, "headers:\n  a.csv: {columns: [lead_id, created_at, mql_date]}\n"
                     "  b.csv: {columns: [x]}\n");
    write_text(csv, "lead_id,created_at,mql_at\nL1,2026-11-10,\n");
    lp_mapping *m = NULL;
    cr_assert_eq(lp_mapping_load(PROFILES, "generic", path, &m, errmsg), LP_OK, "%s", errmsg);
    warned w = {0};
    size_t changed = 0;
    cr_assert_eq(lp_mapping_headers_compare(m, dir, on_warn, &w, &changed), LP_OK);
    cr_expect_eq(changed, 2);
    cr_expect_eq(w.n, 2);
    /* the last warning is b.csv, which is gone */
    cr_expect(strstr(w.message, "b.csv") && strstr(w.message, "no longer in the folder"), "%s",
              w.message);
    lp_mapping_free(m);

    write_text(path, "headers:\n  a.csv: {columns: [lead_id, created_at, mql_date]}\n");
    m = NULL;
    cr_assert_eq(lp_mapping_load(PROFILES, "generic", path, &m, errmsg), LP_OK, "%s", errmsg);
    memset(&w, 0, sizeof w);
    cr_assert_eq(lp_mapping_headers_compare(m, dir, on_warn, &w, &changed), LP_OK);
    cr_expect_eq(changed, 1);
    cr_expect(strstr(w.message, "gone (renamed or dropped?): mql_date") &&
              strstr(w.message, "new: mql_at"), "%s", w.message);
    lp_mapping_free(m);
    free(dir);
}

/* Canonical names, no profile: every required column by name, references
 * by join coverage against the keys of the other files. */
Test(draft, canonical_names_without_a_profile)
{
    lp_draft_options o = {.input_dir = LP_SOURCE_DIR "/fixtures/tiny",
                          .profiles_dir = PROFILES, .profile = "none"};
    lp_buf yaml = {0};
    lp_draft_summary s;
    char errmsg[LP_ERRMSG_SIZE] = "";
    cr_assert_eq(lp_mapping_draft(&o, &yaml, &s, errmsg), LP_OK, "%s", errmsg);
    cr_expect_eq(s.files_mapped, 7, "%s", yaml.data);
    cr_expect_eq(s.ambiguous, 0);
    cr_expect_str_eq(s.profile, "");
    cr_expect(strstr(yaml.data, "    lead_id: lead_id") != NULL, "%s", yaml.data);
    cr_expect(strstr(yaml.data, "% of its values are lead ids in leads.csv") != NULL, "%s",
              yaml.data);
    cr_expect(strstr(yaml.data, "\n  activities.csv:\n    sha256: ") != NULL);
    lp_buf_reset(&yaml);
}

Test(draft, empty_folder_is_bad_input)
{
    char *dir = temp_dir();
    lp_draft_options o = {.input_dir = dir, .profiles_dir = PROFILES, .profile = "none"};
    lp_buf yaml = {0};
    char errmsg[LP_ERRMSG_SIZE] = "";
    cr_expect_eq(lp_mapping_draft(&o, &yaml, NULL, errmsg), LP_ERR_INPUT);
    cr_expect(strstr(errmsg, "no CSV files") != NULL, "%s", errmsg);
    lp_buf_reset(&yaml);
    rmdir(dir);
    free(dir);
}

/* Every allocation of a draft may fail: no crash, no leak (the ASan
 * build checks the leaks), and the failure is reported. */
Test(draft, allocation_failure_walk, .timeout = 120)
{
    lp_draft_options o = {.input_dir = LP_SOURCE_DIR "/fixtures/tiny",
                          .profiles_dir = PROFILES};
    char errmsg[LP_ERRMSG_SIZE];
    long before = lp_alloc_count();
    lp_buf yaml = {0};
    cr_assert_eq(lp_mapping_draft(&o, &yaml, NULL, errmsg), LP_OK);
    lp_buf_reset(&yaml);
    long total = lp_alloc_count() - before;
    long step = total / 400 + 1;
    for (long n = 1; n <= total; n += step) {
        lp_alloc_fail_after(n);
        lp_buf out = {0};
        lp_status st = lp_mapping_draft(&o, &out, NULL, errmsg);
        lp_alloc_fail_after(0);
        cr_expect(st == LP_OK || st == LP_ERR_NOMEM || st == LP_ERR_INPUT, "n=%ld: %s", n,
                  lp_status_str(st));
        lp_buf_reset(&out);
    }
}
