/*
 * The results/ folder writer. Expected bytes are written out by hand from
 * RFC 4180 and templates/DEFINITIONS.md; the shortest round-trip forms of doubles are
 * Python's repr() (/usr/bin/python3: repr(1/3) = '0.3333333333333333',
 * repr(13000/17000) = '0.7647058823529411'), an independent implementation
 * of the same rule.
 */
#include <criterion/criterion.h>

#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lp/results_files.h"
#include "lp/time.h"

static char *make_tmpdir(void)
{
    static char dir[256];
    snprintf(dir, sizeof dir, "%s/results-test-XXXXXX", P_tmpdir);
    cr_assert(mkdtemp(dir), "mkdtemp");
    return dir;
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    cr_assert(fp, "cannot open %s", path);
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

static lp_table *sample_table(void)
{
    lp_table *t = lp_table_new("sample");
    lp_column *name, *count, *value, *at, *flag, *day;
    lp_table_add_column(t, "name", LP_TYPE_STRING, &name);
    lp_table_add_column(t, "count", LP_TYPE_INT64, &count);
    lp_table_add_column(t, "value", LP_TYPE_DOUBLE, &value);
    lp_table_add_column(t, "at", LP_TYPE_INSTANT, &at);
    lp_table_add_column(t, "flag", LP_TYPE_BOOL, &flag);
    lp_table_add_column(t, "day", LP_TYPE_DATE, &day);
    int64_t instant;
    lp_instant_parse_iso("2026-11-16T10:00:00Z", &instant);
    const char *names[] = {"plain", "has,comma", "=SUM(A1)", "-5", "say \"hi\"", "@x", "\ttab",
                           "=a,b", "+1", "line\nbreak"};
    double values[] = {0.1, 1.0 / 3, 1000, -2.5, 13000.0 / 17000, 0, 1e21, 123456789.125,
                       -0.0, 5e-324};
    for (int i = 0; i < 10; i++) {
        lp_column_append_string(name, names[i], strlen(names[i]));
        lp_column_append_int64(count, i == 1 ? -7 : i);
        lp_column_append_double(value, values[i]);
        if (i == 0) lp_column_append_int64(at, instant);
        else lp_column_append_null(at);
        if (i < 2) lp_column_append_bool(flag, i == 0);
        else lp_column_append_null(flag);
        if (i == 0) lp_column_append_date(day, (int32_t)lp_days_from_civil(2026, 11, 16));
        else lp_column_append_null(day);
    }
    /* A null string and a null number. */
    lp_column_append_null(name);
    lp_column_append_null(count);
    lp_column_append_null(value);
    lp_column_append_null(at);
    lp_column_append_null(flag);
    lp_column_append_null(day);
    lp_table_finish(t);
    return t;
}

Test(results_files, csv_format_nulls_and_injection)
{
    lp_results *res = lp_results_new();
    cr_assert_eq(lp_results_add(res, sample_table()), LP_OK);
    char *dir = make_tmpdir();
    char err[LP_ERRMSG_SIZE];
    cr_assert_eq(lp_results_write_dir(res, dir, err), LP_OK, "%s", err);
    char path[512];
    snprintf(path, sizeof path, "%s/sample.csv", dir);
    const char *expected =
        "name,count,value,at,flag,day\r\n"
        "plain,0,0.1,2026-11-16T10:00:00Z,true,2026-11-16\r\n"
        "\"has,comma\",-7,0.3333333333333333,,false,\r\n"
        "'=SUM(A1),2,1000,,,\r\n"
        "'-5,3,-2.5,,,\r\n"
        "\"say \"\"hi\"\"\",4,0.7647058823529411,,,\r\n"
        "'@x,5,0,,,\r\n"
        "'\ttab,6,1e+21,,,\r\n"
        "\"'=a,b\",7,123456789.125,,,\r\n"
        "'+1,8,0,,,\r\n"
        "\"line\nbreak\",9,5e-324,,,\r\n"
        ",,,,,\r\n";
    cr_expect_str_eq(slurp(path), expected);
    /* rejects.csv: header only without a dataset. */
    snprintf(path, sizeof path, "%s/rejects.csv", dir);
    cr_expect_str_eq(slurp(path), "file,line,column,value,reason\r\n");
    lp_results_free(res);
}

Test(results_files, shortest_double_round_trips)
{
    char buf[48];
    double samples[] = {0.1, 0.2 + 0.1, 1.0 / 3, 2.0 / 7, 1e-7, 123456.789, 6500, 1e300};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        lp_results_format_double(samples[i], buf, sizeof buf);
        cr_expect(strtod(buf, NULL) == samples[i], "%s", buf);
        cr_expect(!strchr(buf, ','), "decimal mark must be '.': %s", buf);
    }
    lp_results_format_double(0.2 + 0.1, buf, sizeof buf);
    cr_expect_str_eq(buf, "0.30000000000000004"); /* python3: repr(0.2 + 0.1) */
    lp_results_format_double(6500, buf, sizeof buf);
    cr_expect_str_eq(buf, "6500");
}

/* The fewest significant digits that read back, found by trying every
 * count from one up: the definition, independent of how the writer finds it. */
static int fewest_digits(double value)
{
    char sci[40];
    for (int prec = 1; prec < 17; prec++) {
        snprintf(sci, sizeof sci, "%.*e", prec - 1, value);
        if (strtod(sci, NULL) == value) return prec;
    }
    return 17;
}

static int significant_digits(const char *text)
{
    int n = 0, trailing_zeros = 0;
    bool leading = true;
    for (const char *p = text; *p && *p != 'e'; p++) {
        if (*p < '0' || *p > '9') continue;
        if (leading && *p == '0') continue;
        leading = false;
        n++;
        trailing_zeros = *p == '0' ? trailing_zeros + 1 : 0;
    }
    /* 6500 has two significant digits: zeros before the decimal mark are
     * the exponent's (the writer prints no mark after them) */
    return strchr(text, '.') ? n : n - trailing_zeros;
}

Test(results_files, shortest_double_over_random_doubles)
{
    uint64_t state = 0x9e3779b97f4a7c15u;
    char buf[48];
    for (int i = 0; i < 200000; i++) {
        state = state * 6364136223846793005u + 1442695040888963407u;
        double value;
        if (i % 2) {
            uint64_t bits = state;
            memcpy(&value, &bits, sizeof value);
            if (!isfinite(value)) continue;
        } else {
            /* amounts and rates as exports hold them: few digits, any scale */
            value = (double)(int64_t)(state >> 40) / pow(10, (double)(state % 9));
        }
        lp_results_format_double(value, buf, sizeof buf);
        cr_assert(strtod(buf, NULL) == value || value == 0, "%.17g printed as %s", value, buf);
        if (value == 0) continue;
        cr_assert_eq(significant_digits(buf), fewest_digits(value), "%.17g printed as %s", value,
                     buf);
    }
}

Test(results_files, rejects_from_dataset)
{
    lp_dataset *ds = lp_dataset_new();
    lp_dataset_add_reject(ds, "Lead.csv", 1043, "CreatedDate", "31/02/2026", "not a date");
    lp_dataset_add_reject(ds, "Lead.csv", 1050, "", "a,b", "expected 9 fields, found 11");
    lp_results *res = lp_results_new();
    res->dataset = ds;
    char *dir = make_tmpdir();
    char err[LP_ERRMSG_SIZE];
    cr_assert_eq(lp_results_write_dir(res, dir, err), LP_OK, "%s", err);
    char path[512];
    snprintf(path, sizeof path, "%s/rejects.csv", dir);
    cr_expect_str_eq(slurp(path), "file,line,column,value,reason\r\n"
                                  "Lead.csv,1043,CreatedDate,31/02/2026,not a date\r\n"
                                  "Lead.csv,1050,,\"a,b\",\"expected 9 fields, found 11\"\r\n");
    lp_results_free(res);
    lp_dataset_free(ds);
}

static int count_entries(const char *dir, const char *containing)
{
    DIR *d = opendir(dir);
    cr_assert(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strstr(e->d_name, containing)) n++;
    closedir(d);
    return n;
}

Test(results_files, atomic_replace_and_failure_leaves_no_partial_file)
{
    char *dir = make_tmpdir();
    char path[512], err[LP_ERRMSG_SIZE];
    /* A previous run's file is replaced whole. */
    snprintf(path, sizeof path, "%s/sample.csv", dir);
    FILE *fp = fopen(path, "w");
    fputs("old contents\n", fp);
    fclose(fp);
    lp_results *res = lp_results_new();
    lp_results_add(res, sample_table());
    cr_assert_eq(lp_results_write_dir(res, dir, err), LP_OK, "%s", err);
    cr_expect(strncmp(slurp(path), "name,count", 10) == 0);
    cr_expect_eq(count_entries(dir, ".tmp-"), 0);

    /* A file that cannot be put in place (a folder holds its name): the
     * write fails with LP_ERR_OUTPUT, names the file, leaves no temporary. */
    lp_table *blocked = lp_table_new("blocked");
    lp_table_add_column(blocked, "x", LP_TYPE_INT64, NULL);
    lp_table_finish(blocked);
    lp_results_add(res, blocked);
    snprintf(path, sizeof path, "%s/blocked.csv", dir);
    cr_assert_eq(mkdir(path, 0755), 0);
    cr_expect_eq(lp_results_write_dir(res, dir, err), LP_ERR_OUTPUT);
    cr_expect(strstr(err, "blocked.csv"), "%s", err);
    cr_expect_eq(count_entries(dir, ".tmp-"), 0);

    /* The folder is created with its parents. */
    char nested[400];
    snprintf(nested, sizeof nested, "%s/a/b/results", dir);
    lp_results *one = lp_results_new();
    lp_results_add(one, sample_table());
    cr_expect_eq(lp_results_write_dir(one, nested, err), LP_OK, "%s", err);
    snprintf(path, sizeof path, "%s/sample.csv", nested);
    cr_expect_eq(access(path, R_OK), 0);
    lp_results_free(one);
    lp_results_free(res);
}
