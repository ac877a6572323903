/* Input digests worked out beside the run (lp/digest.h, lp_load_options
 * .defer_digests): the digests are those of the sha256sum tool, whether the
 * idle thread finished a file or the waiter took it over; a file that
 * changed after it was loaded fails with its name. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lp/digest.h"
#include "lp/load.h"

#define SRC(...) (char *[]){__VA_ARGS__}, sizeof((char *[]){__VA_ARGS__}) / sizeof(char *)

static void sha256sum(const char *path, char out[65])
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "sha256sum '%s'", path);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    cr_assert_eq(fscanf(p, "%64s", out), 1);
    pclose(p);
}

static void make_dir(char *dir, size_t size)
{
    snprintf(dir, size, "/tmp/lp-digest-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    cr_assert_not_null(fp);
    fputs(text, fp);
    fclose(fp);
}

/* A leads file of n rows (about 40 bytes each). */
static void write_leads(const char *path, size_t n)
{
    FILE *fp = fopen(path, "w");
    cr_assert_not_null(fp);
    fputs("Id,CreatedDate\n", fp);
    for (size_t i = 0; i < n; i++)
        fprintf(fp, "L%07zu,2026-11-%02zuT09:00:00Z\n", i, 1 + i % 28);
    fclose(fp);
}

static lp_dataset *load_deferred(const char *dir)
{
    lp_column_map cols[] = {{"lead_id", SRC("Id"), NULL},
                            {"created_at", SRC("CreatedDate"), NULL}};
    lp_mapping m;
    memset(&m, 0, sizeof m);
    m.tables[LP_LEADS] = (lp_table_map){SRC("leads*.csv"), cols, 2};
    lp_load_options opts = {.input_dir = dir, .mapping = &m, .threads = 1,
                            .defer_digests = true};
    char errmsg[LP_ERRMSG_SIZE] = "";
    lp_dataset *ds = NULL;
    lp_status st = lp_dataset_load(&opts, &ds, errmsg);
    cr_assert_eq(st, LP_OK, "%s", errmsg);
    return ds;
}

static void remove_dir(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(digest, deferred_digests_are_those_of_sha256sum)
{
    char dir[64], a[128], b[128];
    make_dir(dir, sizeof dir);
    snprintf(a, sizeof a, "%s/leads_a.csv", dir);
    snprintf(b, sizeof b, "%s/leads_b.csv", dir);
    write_leads(a, 200000); /* 8 MB: several blocks */
    write_file(b, "Id,CreatedDate\nX1,2026-11-02T10:00:00Z\n");
    lp_dataset *ds = load_deferred(dir);
    cr_assert_eq(ds->nfiles, 2);
    cr_expect_not_null(ds->digests);
    cr_expect_str_eq(ds->files[0].sha256, "", "not filled before lp_dataset_digests");
    char errmsg[LP_ERRMSG_SIZE] = "";
    cr_assert_eq(lp_dataset_digests(ds, errmsg), LP_OK, "%s", errmsg);
    char expect[65];
    for (size_t i = 0; i < 2; i++) {
        sha256sum(ds->files[i].path, expect);
        cr_expect_str_eq(ds->files[i].sha256, expect, "%s", ds->files[i].path);
    }
    /* a second call gives the same */
    cr_assert_eq(lp_dataset_digests(ds, errmsg), LP_OK);
    sha256sum(ds->files[0].path, expect);
    cr_expect_str_eq(ds->files[0].sha256, expect);
    lp_dataset_free(ds);
    remove_dir(dir);
}

/* The file as stat saw it (what the loader records). */
static lp_digest_file as_loaded(const char *path)
{
    struct stat sb;
    cr_assert_eq(stat(path, &sb), 0);
    return (lp_digest_file){path, (uint64_t)sb.st_size, (uint64_t)sb.st_dev, (uint64_t)sb.st_ino,
                            (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec};
}

Test(digest, waiting_at_once_takes_over_the_file)
{
    /* 40 MB: the idle thread is stopped somewhere inside it and the waiter
     * carries on from there; the result must not depend on where. */
    char dir[64], path[128];
    make_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/big.csv", dir);
    write_leads(path, 1000000);
    char expect[65];
    sha256sum(path, expect);
    lp_digest_file f = as_loaded(path);
    for (int round = 0; round < 3; round++) {
        lp_digest_file skipped = {0};
        lp_digest_job *job = NULL;
        cr_assert_eq(lp_digest_new(&job), LP_OK);
        cr_assert_eq(lp_digest_add(job, &f), LP_OK);
        cr_assert_eq(lp_digest_add(job, &skipped), LP_OK);
        if (round == 1) usleep(20000);
        char hex[2][65], errmsg[LP_ERRMSG_SIZE] = "";
        cr_assert_eq(lp_digest_wait(job, hex, errmsg), LP_OK, "%s", errmsg);
        cr_expect_str_eq(hex[0], expect, "round %d", round);
        cr_expect_str_eq(hex[1], "", "skipped entry");
        lp_digest_free(job);
    }
    remove_dir(dir);
}

static lp_status digest_one(const lp_digest_file *f, char *errmsg)
{
    lp_digest_job *job = NULL;
    cr_assert_eq(lp_digest_new(&job), LP_OK);
    cr_assert_eq(lp_digest_add(job, f), LP_OK);
    char hex[1][65];
    lp_status st = lp_digest_wait(job, hex, errmsg);
    lp_digest_free(job);
    return st;
}

/* Each file changes between what the load recorded and the digest (the
 * job starts after the change, so the outcome does not depend on timing). */
Test(digest, a_file_changed_after_loading_fails_with_its_name)
{
    char dir[64], path[128], errmsg[LP_ERRMSG_SIZE] = "";
    make_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/leads.csv", dir);
    write_file(path, "Id,CreatedDate\nX1,2026-11-02T10:00:00Z\n");

    /* appended to */
    lp_digest_file f = as_loaded(path);
    FILE *fp = fopen(path, "a");
    cr_assert_not_null(fp);
    fputs("X2,2026-11-03T10:00:00Z\n", fp);
    fclose(fp);
    cr_expect_eq(digest_one(&f, errmsg), LP_ERR_INPUT);
    cr_expect(strstr(errmsg, path) && strstr(errmsg, "changed while leadpack") &&
                  strstr(errmsg, "size or modification time"),
              "%s", errmsg);

    /* replaced by another file of the same size */
    f = as_loaded(path);
    char other[160];
    snprintf(other, sizeof other, "%s/other.tmp", dir);
    write_file(other, "Id,CreatedDate\nX9,2026-11-02T10:00:00Z\nX2,2026-11-03T10:00:00Z\n");
    cr_assert_eq(rename(other, path), 0);
    cr_expect_eq(digest_one(&f, errmsg), LP_ERR_INPUT);
    cr_expect(strstr(errmsg, "another file has taken its name"), "%s", errmsg);

    /* removed */
    f = as_loaded(path);
    cr_assert_eq(unlink(path), 0);
    cr_expect_eq(digest_one(&f, errmsg), LP_ERR_IO);
    cr_expect(strstr(errmsg, path) && strstr(errmsg, "cannot be read again"), "%s", errmsg);
    remove_dir(dir);
}

Test(digest, freeing_before_waiting_stops_the_thread)
{
    char dir[64], path[128];
    make_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/leads.csv", dir);
    write_leads(path, 500000);
    lp_dataset *ds = load_deferred(dir);
    lp_dataset_free(ds); /* no wait: the thread stops and its file is closed */
    remove_dir(dir);
}
