/*
 * Malformed exports through the real binary (fixtures/bad/, cases.tsv).
 *
 * Each case starts from a copy of a good export folder (the case's base:
 * fixtures/tiny with profile generic, or the Salesforce sample) and overlays
 * the case's files: CSV files replace the export's, mapping.yaml,
 * settings.yaml and template.yaml are given with --mapping, --settings and
 * --template. Cases too large to commit (a 10 MB field, a 100,000-column
 * header) or cut from the 1,200-lead sample are generated here at run time.
 *
 * Then `leadpack run --quiet` must either
 *  - exit 2 with exactly one line on stderr, "leadpack: error: ...", holding
 *    the case's expected text (which names file, line, column or value), and
 *    leave no pack and no temporary file in the output folder; or
 *  - exit 0; then `leadpack check --json` must show, for every file, rows
 *    read = loaded + rejected, the case's total of rejected rows (counted by
 *    hand from the case's file); results/rejects.csv must hold one record
 *    per rejected row, and the case's expected text must be in rejects.csv
 *    or among check's findings (values nulled in optional columns are
 *    findings, not rejects).
 * An exit status of 128 or more (a signal) fails every case.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runner.h"

#define BAD_DIR LP_SOURCE_DIR "/fixtures/bad"
#define MAX_CASES 128

typedef struct bad_case {
    char name[64];      /* folder under fixtures/bad */
    char base[64];      /* folder under fixtures/ copied first */
    char profile[32];   /* --profile (unless the case has a mapping) */
    int exit_code;      /* expected exit status: 0 or 2 */
    int rejected;       /* exit 0: total rows rejected over all files */
    char expect[160];   /* text expected in stderr (exit 2) or check --json (exit 0); "-" none */
    char generate[32];  /* run-time generator, or "-" */
} bad_case;

static bad_case cases[MAX_CASES];

/* Copies src into dst[size], cut to fit. */
static void set_text(char *dst, size_t size, const char *src)
{
    size_t n = strnlen(src, size - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void load_cases(size_t *out_n)
{
    FILE *fp = fopen(BAD_DIR "/cases.tsv", "r");
    size_t n = 0;
    char line[1024];
    while (fp && n < MAX_CASES && fgets(line, sizeof line, fp)) {
        if (line[0] == '#' || line[0] == '\n') continue;
        line[strcspn(line, "\r\n")] = '\0';
        char *fields[8] = {0};
        char *p = line;
        for (int i = 0; i < 8 && p; i++) {
            fields[i] = p;
            p = strchr(p, '\t');
            if (p) *p++ = '\0';
        }
        if (!fields[6]) continue;
        bad_case *c = &cases[n++];
        set_text(c->name, sizeof c->name, fields[0]);
        set_text(c->base, sizeof c->base, fields[1]);
        set_text(c->profile, sizeof c->profile, fields[2]);
        c->exit_code = atoi(fields[3]);
        c->rejected = strcmp(fields[4], "-") ? atoi(fields[4]) : -1;
        set_text(c->expect, sizeof c->expect, fields[5]);
        set_text(c->generate, sizeof c->generate, fields[6]);
    }
    if (fp) fclose(fp);
    *out_n = n;
}

static void write_bytes(const char *path, const char *data, size_t len)
{
    FILE *fp = fopen(path, "wb");
    cr_assert_not_null(fp, "cannot write %s", path);
    cr_assert_eq(fwrite(data, 1, len, fp), len);
    fclose(fp);
}

static void copy_file(const char *from, const char *to)
{
    size_t len = 0;
    char *data = read_file(from, &len);
    cr_assert_not_null(data, "cannot read %s", from);
    write_bytes(to, data, len);
    free(data);
}

/* Copies the regular files of folder from into folder to; with extra, the
 * YAML files named mapping/settings/template go to extra instead. */
static void copy_folder(const char *from, const char *to, const char *extra)
{
    DIR *d = opendir(from);
    if (!d) return; /* generated cases need no folder */
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char src[1024], dst[1024];
        snprintf(src, sizeof src, "%s/%s", from, e->d_name);
        struct stat st;
        if (stat(src, &st) != 0 || !S_ISREG(st.st_mode)) continue;
        bool config = extra && (!strcmp(e->d_name, "mapping.yaml") ||
                                !strcmp(e->d_name, "settings.yaml") ||
                                !strcmp(e->d_name, "template.yaml"));
        snprintf(dst, sizeof dst, "%s/%s", config ? extra : to, e->d_name);
        copy_file(src, dst);
    }
    closedir(d);
}

/* leads.csv of fixtures/tiny with the company of the first lead replaced by
 * a field of 10 MiB (above the default 1 MiB limit), quoted or not. */
static void generate_big_field(const char *in, bool quoted)
{
    size_t big = (size_t)10 << 20;
    const char *head = "lead_id,created_at,source,campaign_id,owner_id,company,employees,"
                       "email,mql_at,sql_at,opportunity_id\n"
                       "L1,2026-11-10T09:00:00Z,Web,c1,u1,";
    const char *tail = ",30,a@acme.test,2026-11-16T10:00:00Z,2026-11-17T10:00:00Z,\n"
                       "L2,2026-11-12T08:00:00Z,paid search,,u1,Beta,120,b@beta.test,"
                       "2026-11-17T09:00:00Z,,\n";
    size_t hl = strlen(head), tl = strlen(tail);
    char *data = malloc(hl + big + tl);
    cr_assert_not_null(data);
    memcpy(data, head, hl);
    memset(data + hl, 'x', big);
    if (quoted) data[hl] = data[hl + big - 1] = '"';
    memcpy(data + hl + big, tail, tl);
    char path[1024];
    snprintf(path, sizeof path, "%s/leads.csv", in);
    write_bytes(path, data, hl + big + tl);
    free(data);
}

/* leads.csv whose header has 100,000 columns (lead_id, created_at, then
 * c2 .. c99999) and one data row of as many fields. */
static void generate_wide_header(const char *in)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/leads.csv", in);
    FILE *fp = fopen(path, "wb");
    cr_assert_not_null(fp);
    fputs("lead_id,created_at", fp);
    for (int i = 2; i < 100000; i++) fprintf(fp, ",c%d", i);
    fputs("\nL1,2026-11-10T09:00:00Z", fp);
    for (int i = 2; i < 100000; i++) fputs(",v", fp);
    fputc('\n', fp);
    fclose(fp);
}

/* The sample's Lead.csv, edited: "quote" opens a quote before the company
 * on line 100 that never closes; "dates" makes the CreatedDate of lines 50
 * and 60 impossible (February 30). CreatedDate is the first date on a line. */
static void generate_salesforce(const char *in, bool quote)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/Lead.csv", in);
    size_t len = 0;
    char *data = read_file(path, &len);
    cr_assert_not_null(data);
    FILE *fp = fopen(path, "wb");
    cr_assert_not_null(fp);
    size_t line = 1;
    for (char *p = data; p < data + len;) {
        char *eol = memchr(p, '\n', (size_t)(data + len - p));
        size_t n = eol ? (size_t)(eol - p) + 1 : (size_t)(data + len - p);
        if (quote && line == 100) {
            /* Id,FirstName,LastName,Company: quote after the third comma. */
            char *c = p;
            for (int k = 0; k < 3; k++) c = memchr(c, ',', n - (size_t)(c - p)) + 1;
            fwrite(p, 1, (size_t)(c - p), fp);
            fputc('"', fp);
            fwrite(c, 1, n - (size_t)(c - p), fp);
        } else if (!quote && (line == 50 || line == 60)) {
            char *t = strstr(p, ".000+0000"); /* after the first instant's seconds */
            cr_assert(t && t < p + n);
            char *date = t - 19;              /* YYYY-MM-DDTHH:MM:SS */
            fwrite(p, 1, (size_t)(date - p), fp);
            fputs("2026-02-30", fp);
            fwrite(date + 10, 1, n - (size_t)(date + 10 - p), fp);
        } else {
            fwrite(p, 1, n, fp);
        }
        p += n;
        line++;
    }
    fclose(fp);
    free(data);
}

/* Records in a CSV text (quotes may hold line ends), header excluded. */
static size_t csv_records(const char *text)
{
    size_t records = 0;
    bool quoted = false, any = false;
    for (const char *p = text; *p; p++) {
        if (*p == '"') quoted = !quoted;
        if (*p == '\n' && !quoted) {
            records++;
            any = false;
        } else if (*p != '\r') {
            any = true;
        }
    }
    if (any) records++;
    return records ? records - 1 : 0;
}

ParameterizedTestParameters(hardening, bad_inputs)
{
    size_t n = 0;
    load_cases(&n);
    return cr_make_param_array(bad_case, cases, n);
}

ParameterizedTest(bad_case *c, hardening, bad_inputs)
{
    char *tmp = make_temp_dir();
    cr_assert_not_null(tmp);
    char in[512], out[512], src[512], mapping[512], settings[512], tpl[512];
    snprintf(in, sizeof in, "%s/in", tmp);
    snprintf(out, sizeof out, "%s/out", tmp);
    cr_assert_eq(mkdir(in, 0755), 0);
    snprintf(src, sizeof src, "%s/fixtures/%s", LP_SOURCE_DIR, c->base);
    copy_folder(src, in, NULL);
    snprintf(src, sizeof src, "%s/%s", BAD_DIR, c->name);
    copy_folder(src, in, tmp);

    if (!strcmp(c->generate, "big_field")) generate_big_field(in, false);
    else if (!strcmp(c->generate, "big_quoted_field")) generate_big_field(in, true);
    else if (!strcmp(c->generate, "wide_header")) generate_wide_header(in);
    else if (!strcmp(c->generate, "sf_unterminated")) generate_salesforce(in, true);
    else if (!strcmp(c->generate, "sf_bad_dates")) generate_salesforce(in, false);
    else cr_assert_str_eq(c->generate, "-", "%s: unknown generator", c->name);

    const char *argv[20];
    int argc = 0;
    argv[argc++] = leadpack_bin();
    argv[argc++] = "run";
    int common = argc;
    argv[argc++] = "--input";
    argv[argc++] = in;
    snprintf(mapping, sizeof mapping, "%s/mapping.yaml", tmp);
    snprintf(settings, sizeof settings, "%s/settings.yaml", tmp);
    snprintf(tpl, sizeof tpl, "%s/template.yaml", tmp);
    if (access(mapping, F_OK) == 0) {
        argv[argc++] = "--mapping";
        argv[argc++] = mapping;
    } else {
        argv[argc++] = "--profile";
        argv[argc++] = c->profile;
    }
    if (access(settings, F_OK) == 0) {
        argv[argc++] = "--settings";
        argv[argc++] = settings;
    }
    int load_args_end = argc;
    if (access(tpl, F_OK) == 0) {
        argv[argc++] = "--template";
        argv[argc++] = tpl;
    }
    argv[argc++] = "--out";
    argv[argc++] = out;
    argv[argc++] = "--quiet";
    argv[argc] = NULL;

    run_result r = run_program(argv, NULL);
    cr_assert_lt(r.exit_code, 128, "%s: leadpack crashed (status %d)\n%s", c->name,
                 r.exit_code, r.err);
    cr_assert_eq(r.exit_code, c->exit_code, "%s: exit %d, expected %d\nstderr: %s", c->name,
                 r.exit_code, c->exit_code, r.err);

    if (c->exit_code != 0) {
        /* One line, naming what is wrong. */
        size_t lines = 0;
        for (const char *p = r.err; *p; p++) lines += *p == '\n';
        cr_expect_eq(lines, 1, "%s: stderr should be one line:\n%s", c->name, r.err);
        cr_expect_eq(strncmp(r.err, "leadpack: error: ", 17), 0, "%s: %s", c->name, r.err);
        cr_expect_not_null(strstr(r.err, c->expect), "%s: stderr lacks \"%s\":\n%s", c->name,
                           c->expect, r.err);
        /* Nothing published, nothing half-written. */
        DIR *d = opendir(out);
        struct dirent *e;
        while (d && (e = readdir(d)))
            cr_expect(strncmp(e->d_name, "leadpack-", 9) != 0 && !strstr(e->d_name, ".tmp"),
                      "%s: a failed run left %s", c->name, e->d_name);
        if (d) closedir(d);
    } else {
        /* The same inputs through check --json. */
        const char *check[20];
        int k = 0;
        check[k++] = leadpack_bin();
        check[k++] = "check";
        for (int i = common; i < load_args_end; i++) check[k++] = argv[i];
        check[k++] = "--json";
        check[k] = NULL;
        run_result j = run_program(check, NULL);
        cr_assert_eq(j.exit_code, 0, "%s: check exit %d: %s", c->name, j.exit_code, j.err);
        size_t total_rejected = 0, files = 0;
        for (const char *p = strstr(j.out, "\"rows_read\":"); p;
             p = strstr(p + 1, "\"rows_read\":")) {
            size_t read = 0, loaded = 0, rejected = 0;
            cr_assert_eq(sscanf(p, "\"rows_read\":%zu,\"rows_loaded\":%zu,\"rows_rejected\":%zu",
                                &read, &loaded, &rejected), 3);
            cr_expect_eq(read, loaded + rejected, "%s: read %zu != loaded %zu + rejected %zu",
                         c->name, read, loaded, rejected);
            total_rejected += rejected;
            files++;
        }
        cr_expect_gt(files, 0, "%s: no file reports:\n%s", c->name, j.out);
        cr_expect_eq(total_rejected, (size_t)c->rejected, "%s: %zu rejected, expected %d",
                     c->name, total_rejected, c->rejected);
        char rejects[600];
        snprintf(rejects, sizeof rejects, "%s/results/rejects.csv", out);
        char *text = read_file(rejects, NULL);
        cr_assert_not_null(text, "%s: no rejects.csv", c->name);
        if (strcmp(c->expect, "-") != 0)
            cr_expect(strstr(j.out, c->expect) || strstr(text, c->expect),
                      "%s: neither check nor rejects.csv holds \"%s\":\n%s\n%s", c->name,
                      c->expect, j.out, text);
        cr_expect_eq(csv_records(text), total_rejected, "%s: rejects.csv:\n%s", c->name, text);
        free(text);
        run_result_free(&j);
    }
    run_result_free(&r);
    const char *rm[] = {"/bin/rm", "-rf", tmp, NULL};
    run_result gone = run_program(rm, NULL);
    run_result_free(&gone);
    free(tmp);
}
