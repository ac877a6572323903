/*
 * bench.c: lp_bench, the driver of `make bench`. The whole pack at scale,
 * against the tools users would pick instead.
 *
 * For each dialect (default generic; also salesforce, hubspot) and scale
 * (default 0.1 and 1; 1 = one million leads):
 *   1. the dialect's exports from `leadpack fixtures`, cached in
 *      bench/data/scale-S/ (generic) or bench/data/DIALECT-scale-S/ and
 *      generated only when missing (a .complete stamp names the command and
 *      the leadpack version that made them; another seed or version
 *      regenerates them);
 *   2. every input file read once (rows counted, page cache warmed, so no
 *      tool pays for the disk);
 *   3. `leadpack run --timings`: per phase wall, CPU and peak memory from
 *      the timings file, the whole process's from wait4();
 *   4. the baselines on the same files, told the dialect:
 *      bench/baseline_pandas.py (/usr/bin/python3) and
 *      bench/baseline_duckdb.mjs (node,
 *      @duckdb/node-api installed into bench/node_modules on first use;
 *      skipped with a message when it cannot be installed);
 *   5. a check that the baselines do the same work: the mql_count of the
 *      report period (and the other headline measures both compute) next to
 *      leadpack's results/headline.csv, with a warning on any mismatch.
 * Then an aligned table on stdout (per phase times, MB/s and rows/s; ratios
 * leadpack/pandas and leadpack/DuckDB for load, measures and in total; rows/s
 * per scale, to show that cost grows linearly), the same tables in
 * Markdown (--markdown FILE; --readme FILE replaces the block between the
 * "lp_bench tables" markers of FILE, bench/README.md), with the targets
 * checked on the Salesforce dialect at scale 1, and one row per dialect,
 * tool and phase appended to bench/results.csv, every row of a run
 * carrying its timestamp.
 *
 * Children are started with posix_spawn (no shell). Exit status: 0 when
 * every leadpack run and every baseline that was not skipped succeeded,
 * 1 otherwise.
 *
 *   lp_bench [--source DIR] [--leadpack PATH] [--dialects "generic"]
 *            [--scales "0.1 1"] [--seed N] [--python PATH] [--node NAME]
 *            [--results FILE] [--markdown FILE] [--readme FILE] [--no-baselines]
 *            [--leadpack-runs N]
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <spawn.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_ops.h"
#include "lp/fileio.h"
#include "lp/lp.h"

extern char **environ;

#define MAX_SCALES 8
#define MAX_DIALECTS 4
#define MAX_RUNS (MAX_SCALES * MAX_DIALECTS)
#define MAX_PHASES 16
#define MAX_CHECKS 32
#define NAME_LEN 48

enum { TOOL_LEADPACK, TOOL_PANDAS, TOOL_DUCKDB, NTOOLS };
static const char *const tool_names[NTOOLS] = {"leadpack", "pandas", "duckdb"};

/* The phases compared across tools: each tool's name for it. */
enum { CMP_LOAD, CMP_MEASURES, CMP_TOTAL, NCMP };
static const char *const cmp_labels[NCMP] = {"load", "measures", "total"};
static const char *const cmp_phase[NCMP][NTOOLS] = {
    {"load", "load", "load"},
    {"measures", "aggregates", "queries"},
    {"total", "total", "total"},
};

typedef struct phase {
    char name[NAME_LEN];
    double wall_s;
    double cpu_s;
    double peak_mb;     /* negative when unknown */
} phase;

typedef struct check_value {
    char measure[NAME_LEN];
    double value;
} check_value;

/* One tool's run at one scale. */
typedef struct tool_run {
    bool ran;                       /* started and finished successfully */
    bool skipped;                   /* not run on purpose (message printed) */
    phase phases[MAX_PHASES];       /* the tool's own phases, in order */
    size_t nphases;
    phase total;                    /* whole process: wall clock, wait4 rusage */
    char period[NAME_LEN];          /* report period label, "" when unknown */
    check_value checks[MAX_CHECKS]; /* headline measures of the period */
    size_t nchecks;
} tool_run;

typedef struct scale_run {
    const char *dialect;            /* "generic", "salesforce", "hubspot" */
    const char *scale;              /* as given: "0.1" */
    double input_bytes;
    double rows;                    /* data rows over every input file */
    double leads;                   /* rows of leads*.csv */
    tool_run tools[NTOOLS];
} scale_run;

typedef struct bench {
    char source[PATH_MAX];          /* the leadpack source tree (absolute) */
    char leadpack[PATH_MAX];
    char python[PATH_MAX];
    char node[PATH_MAX];
    char results[PATH_MAX];
    const char *scales[MAX_SCALES];
    size_t nscales;
    char *scales_buf;
    const char *dialects[MAX_DIALECTS];
    size_t ndialects;
    char *dialects_buf;
    char markdown[PATH_MAX];        /* --markdown FILE, or "" */
    char readme[PATH_MAX];          /* --readme FILE, or "" */
    const char *seed;
    bool baselines;
    int leadpack_runs;              /* --leadpack-runs: runs per scale, the median kept */
    bool duckdb_ok;                 /* @duckdb/node-api is installed */
    char versions[NTOOLS][NAME_LEN];
    scale_run runs[MAX_RUNS];       /* dialect by dialect, each in scale order */
    size_t nruns;
} bench;

/* The dialects lp_bench runs, and the name their leads file starts with
 * (NAME.csv or NAME_*.csv), which the baselines know how to read. */
static const struct {
    const char *name;
    const char *leads_file;
} bench_dialects[] = {
    {"generic", "leads"},
    {"salesforce", "Lead"},
    {"hubspot", "contacts"},
};

/* Result of one child process. */
typedef struct child_result {
    int exit_code;                  /* -1 when killed by a signal */
    double wall_s;
    double cpu_s;                   /* user + system */
    double peak_mb;                 /* ru_maxrss */
} child_result;

/* printf into a PATH_MAX buffer. A path that does not fit is a set-up this
 * program cannot work in: it says so and exits. */
static char *pathf(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *pathf(char *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, PATH_MAX, fmt, ap);
    va_end(ap);
    if (n < 0 || n >= PATH_MAX) {
        fprintf(stderr, "lp_bench: path too long: %.80s...\n", buf);
        exit(1);
    }
    return buf;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double tv_s(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* Starts argv[0] (searched on PATH when it has no slash) with stdout and
 * stderr sent to the given files (NULL: inherited), waits for it and
 * measures it. LP_ERR_NOTFOUND when it cannot be started. */
static lp_status run_child(char *const argv[], const char *stdout_path,
                           const char *stderr_path, child_result *out_result)
{
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (stdout_path)
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, stdout_path,
                                         O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (stderr_path)
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path,
                                         O_WRONLY | O_CREAT | O_TRUNC, 0644);
    fflush(stdout);
    fflush(stderr);
    double start = now_s();
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) return LP_ERR_NOTFOUND;

    int status = 0;
    struct rusage usage;
    while (wait4(pid, &status, 0, &usage) < 0) {
        if (errno != EINTR) return LP_ERR_IO;
    }
    out_result->wall_s = now_s() - start;
    out_result->cpu_s = tv_s(usage.ru_utime) + tv_s(usage.ru_stime);
    out_result->peak_mb = (double)usage.ru_maxrss / 1024.0;
    out_result->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return LP_OK;
}

/* Whole file, NUL-terminated, into *out_text (lp_free it). */
static lp_status read_text(const char *path, char **out_text)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return LP_ERR_IO;
    lp_buf buf = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) lp_buf_append(&buf, chunk, n);
    bool bad = ferror(fp) != 0;
    fclose(fp);
    if (buf.failed) {
        lp_buf_reset(&buf);
        return LP_ERR_NOMEM;
    }
    if (bad) {
        lp_buf_reset(&buf);
        return LP_ERR_IO;
    }
    if (!buf.data) lp_buf_append(&buf, "", 0);
    *out_text = buf.data ? buf.data : lp_strdup("");
    return *out_text ? LP_OK : LP_ERR_NOMEM;
}

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* First line of a child's stdout (trimmed) into buf, or "" on failure. */
static void capture_line(char *const argv[], const char *tmp_path, char *buf, size_t size)
{
    child_result res;
    buf[0] = '\0';
    if (run_child(argv, tmp_path, "/dev/null", &res) != LP_OK || res.exit_code != 0) return;
    char *text = NULL;
    if (read_text(tmp_path, &text) == LP_OK) {
        text[strcspn(text, "\r\n")] = '\0';
        snprintf(buf, size, "%s", text);
        lp_free(text);
    }
    unlink(tmp_path);
}

/* ---- Input files ---- */

/* Counts the data rows of a CSV file (lines after the header; a last line
 * without a newline counts). Reading every byte also warms the page cache,
 * so that the first tool measured does not pay for the disk. Fields with
 * embedded newlines would be over-counted; the generator writes none. */
static lp_status count_rows(const char *path, double *out_rows, double *out_bytes)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) return LP_ERR_IO;
    enum { CHUNK = 1 << 20 };
    char *chunk = lp_malloc(CHUNK);
    if (!chunk) {
        close(fd);
        return LP_ERR_NOMEM;
    }
    double lines = 0, bytes = 0;
    char last = '\n';
    ssize_t n;
    while ((n = read(fd, chunk, CHUNK)) > 0) {
        for (const char *p = chunk, *end = chunk + n; (p = memchr(p, '\n', (size_t)(end - p)));
             p++)
            lines++;
        last = chunk[n - 1];
        bytes += (double)n;
    }
    lp_free(chunk);
    close(fd);
    if (n < 0) return LP_ERR_IO;
    if (last != '\n') lines++;
    *out_rows = lines > 0 ? lines - 1 : 0;
    *out_bytes = bytes;
    return LP_OK;
}

static const char *leads_file_of(const char *dialect)
{
    for (size_t i = 0; i < sizeof bench_dialects / sizeof bench_dialects[0]; i++)
        if (strcmp(bench_dialects[i].name, dialect) == 0) return bench_dialects[i].leads_file;
    return "leads";
}

/* Sums bytes and rows over the folder's *.csv files. */
static lp_status measure_inputs(const char *dir, scale_run *run)
{
    const char *leads_file = leads_file_of(run->dialect);
    size_t leads_len = strlen(leads_file);
    DIR *d = opendir(dir);
    if (!d) return LP_ERR_IO;
    lp_status st = LP_OK;
    run->input_bytes = run->rows = run->leads = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".csv") != 0) continue;
        char path[PATH_MAX];
        pathf(path, "%s/%s", dir, e->d_name);
        double rows, bytes;
        st = count_rows(path, &rows, &bytes);
        if (st != LP_OK) break;
        run->input_bytes += bytes;
        run->rows += rows;
        if (strncmp(e->d_name, leads_file, leads_len) == 0 &&
            (e->d_name[leads_len] == '.' || e->d_name[leads_len] == '_'))
            run->leads += rows;
    }
    closedir(d);
    return st;
}

/* The data folder of a dialect and scale: bench/data/scale-S for generic
 * (as before dialects were added), bench/data/DIALECT-scale-S otherwise. */
static char *data_dir(char *buf, const char *data_root, const char *dialect, const char *scale)
{
    if (strcmp(dialect, "generic") == 0) return pathf(buf, "%s/scale-%s", data_root, scale);
    return pathf(buf, "%s/%s-scale-%s", data_root, dialect, scale);
}

/* Generates the dialect's exports at the scale unless the stamp says they
 * are there. */
static lp_status ensure_data(const bench *b, const char *dialect, const char *scale,
                             const char *dir)
{
    char stamp_path[PATH_MAX], expected[PATH_MAX];
    pathf(stamp_path, "%s/.complete", dir);
    pathf(expected, "leadpack fixtures --dialect %s --scale %s --seed %s\nleadpack %s\n",
          dialect, scale, b->seed, b->versions[TOOL_LEADPACK]);
    char *stamp = NULL;
    if (read_text(stamp_path, &stamp) == LP_OK) {
        bool same = strcmp(stamp, expected) == 0;
        lp_free(stamp);
        if (same) return LP_OK;
    }
    if (lp_mkdir_p(dir) != LP_OK) {
        fprintf(stderr, "lp_bench: cannot create %s\n", dir);
        return LP_ERR_OUTPUT;
    }
    printf("generating %s scale %s into %s ...\n", dialect, scale, dir);
    char *argv[] = {(char *)b->leadpack, "fixtures", "--dialect", (char *)dialect, "--scale",
                    (char *)scale, "--seed", (char *)b->seed, "--out", (char *)dir, "--quiet",
                    NULL};
    child_result res;
    if (run_child(argv, NULL, NULL, &res) != LP_OK || res.exit_code != 0) {
        fprintf(stderr, "lp_bench: `leadpack fixtures --dialect %s --scale %s` failed "
                        "(is the generator in this build of %s?)\n", dialect, scale,
                b->leadpack);
        return LP_ERR_INPUT;
    }
    printf("generated %s scale %s in %.1f s\n", dialect, scale, res.wall_s);
    FILE *fp = fopen(stamp_path, "w");
    if (!fp || fputs(expected, fp) == EOF || fclose(fp) != 0) {
        fprintf(stderr, "lp_bench: cannot write %s\n", stamp_path);
        return LP_ERR_OUTPUT;
    }
    return LP_OK;
}

/* ---- Tool outputs ---- */

/* Splits one CSV line in place into at most max fields (no quoted commas
 * in the files read here; surrounding quotes are removed). */
static size_t split_csv(char *line, char **fields, size_t max)
{
    size_t n = 0;
    char *p = line;
    while (n < max) {
        char *end = strchr(p, ',');
        if (end) *end = '\0';
        size_t len = strlen(p);
        if (len >= 2 && p[0] == '"' && p[len - 1] == '"') {
            p[len - 1] = '\0';
            p++;
        }
        fields[n++] = p;
        if (!end) break;
        p = end + 1;
    }
    return n;
}

static int column_of(char **header, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(header[i], name) == 0) return (int)i;
    return -1;
}

/* Reads leadpack's --timings file: phase,wall_s,cpu_s,peak_rss_mb. */
static lp_status read_timings(const char *path, tool_run *tr)
{
    char *text = NULL;
    lp_status st = read_text(path, &text);
    if (st != LP_OK) return st;
    char *save = NULL;
    char *line = strtok_r(text, "\r\n", &save);
    char *header[8];
    size_t nh = line ? split_csv(line, header, 8) : 0;
    int c_phase = column_of(header, nh, "phase"), c_wall = column_of(header, nh, "wall_s");
    int c_cpu = column_of(header, nh, "cpu_s"), c_rss = column_of(header, nh, "peak_rss_mb");
    if (c_phase < 0 || c_wall < 0) {
        lp_free(text);
        return LP_ERR_INPUT;
    }
    tr->nphases = 0;
    while ((line = strtok_r(NULL, "\r\n", &save)) != NULL && tr->nphases < MAX_PHASES) {
        char *f[8];
        size_t nf = split_csv(line, f, 8);
        if ((size_t)c_phase >= nf || (size_t)c_wall >= nf) continue;
        phase *ph = &tr->phases[tr->nphases++];
        snprintf(ph->name, sizeof ph->name, "%s", f[c_phase]);
        ph->wall_s = strtod(f[c_wall], NULL);
        ph->cpu_s = c_cpu >= 0 && (size_t)c_cpu < nf ? strtod(f[c_cpu], NULL) : NAN;
        ph->peak_mb = c_rss >= 0 && (size_t)c_rss < nf && *f[c_rss] ? strtod(f[c_rss], NULL) : -1;
    }
    lp_free(text);
    return LP_OK;
}

/* Reads the headline measures of the report period (the last of the window,
 * periods being oldest first) from leadpack's results/headline.csv. */
static lp_status read_headline(const char *path, tool_run *tr)
{
    char *text = NULL;
    lp_status st = read_text(path, &text);
    if (st != LP_OK) return st;
    char *save = NULL;
    char *line = strtok_r(text, "\r\n", &save);
    char *header[8];
    size_t nh = line ? split_csv(line, header, 8) : 0;
    int c_m = column_of(header, nh, "measure"), c_p = column_of(header, nh, "period");
    int c_v = column_of(header, nh, "value");
    if (c_m < 0 || c_p < 0 || c_v < 0) {
        lp_free(text);
        return LP_ERR_INPUT;
    }
    tr->nchecks = 0;
    while ((line = strtok_r(NULL, "\r\n", &save)) != NULL) {
        char *f[8];
        size_t nf = split_csv(line, f, 8);
        if ((size_t)c_v >= nf) continue;
        /* a measure's later row (a later period) replaces the earlier one */
        check_value *cv = NULL;
        for (size_t i = 0; i < tr->nchecks; i++)
            if (strcmp(tr->checks[i].measure, f[c_m]) == 0) cv = &tr->checks[i];
        if (!cv && tr->nchecks < MAX_CHECKS) cv = &tr->checks[tr->nchecks++];
        if (!cv) continue;
        snprintf(cv->measure, sizeof cv->measure, "%s", f[c_m]);
        cv->value = *f[c_v] ? strtod(f[c_v], NULL) : NAN;
        if (strcmp(f[c_m], "mql_count") == 0)
            snprintf(tr->period, sizeof tr->period, "%s", f[c_p]);
    }
    lp_free(text);
    return LP_OK;
}

/* The value after "key": in a flat JSON object, or NULL. */
static const char *json_value(const char *json, const char *key)
{
    char pattern[2 * NAME_LEN + 8];
    snprintf(pattern, sizeof pattern, "\"%s\"", key);
    const char *p = strstr(json, pattern);
    if (!p) return NULL;
    p += strlen(pattern);
    while (*p == ' ') p++;
    if (*p != ':') return NULL;
    p++;
    while (*p == ' ') p++;
    return p;
}

static double json_number(const char *json, const char *key)
{
    const char *p = json_value(json, key);
    return p ? strtod(p, NULL) : NAN;
}

static void json_string(const char *json, const char *key, char *buf, size_t size)
{
    const char *p = json_value(json, key);
    buf[0] = '\0';
    if (!p || *p != '"') return;
    p++;
    size_t n = strcspn(p, "\"");
    snprintf(buf, size, "%.*s", (int)(n < size ? n : size - 1), p);
}

/* Reads a baseline's JSON line: its phases, version, period and check_*. */
static lp_status read_baseline_json(const char *path, const char *const *phase_names,
                                    tool_run *tr, char *version, size_t version_size)
{
    char *json = NULL;
    lp_status st = read_text(path, &json);
    if (st != LP_OK) return st;
    if (!strchr(json, '{')) {
        lp_free(json);
        return LP_ERR_INPUT;
    }
    tr->nphases = 0;
    for (size_t i = 0; phase_names[i] && tr->nphases < MAX_PHASES; i++) {
        char key[2 * NAME_LEN];
        phase *ph = &tr->phases[tr->nphases];
        snprintf(ph->name, sizeof ph->name, "%s", phase_names[i]);
        snprintf(key, sizeof key, "%s_wall_s", phase_names[i]);
        ph->wall_s = json_number(json, key);
        if (isnan(ph->wall_s)) continue;
        snprintf(key, sizeof key, "%s_cpu_s", phase_names[i]);
        ph->cpu_s = json_number(json, key);
        snprintf(key, sizeof key, "%s_peak_mb", phase_names[i]);
        ph->peak_mb = json_number(json, key);
        if (isnan(ph->peak_mb)) ph->peak_mb = -1;
        tr->nphases++;
    }
    json_string(json, "version", version, version_size);
    json_string(json, "period", tr->period, sizeof tr->period);
    tr->nchecks = 0;
    for (const char *p = json; (p = strstr(p, "\"check_")) && tr->nchecks < MAX_CHECKS;) {
        p += strlen("\"check_");
        size_t n = strcspn(p, "\"");
        check_value *cv = &tr->checks[tr->nchecks++];
        snprintf(cv->measure, sizeof cv->measure, "%.*s",
                 (int)(n < NAME_LEN ? n : NAME_LEN - 1), p);
        p += n;
        cv->value = *p ? strtod(p + 2 + strspn(p + 2, " "), NULL) : NAN;
    }
    lp_free(json);
    return LP_OK;
}

/* ---- Runs ---- */

static void set_total(tool_run *tr, const child_result *res)
{
    snprintf(tr->total.name, sizeof tr->total.name, "total");
    tr->total.wall_s = res->wall_s;
    tr->total.cpu_s = res->cpu_s;
    tr->total.peak_mb = res->peak_mb;
}

static void run_leadpack(const bench *b, const char *dialect, const char *data,
                         const char *rundir, tool_run *tr)
{
    char out[PATH_MAX], timings[PATH_MAX], headline[PATH_MAX];
    pathf(out, "%s/leadpack", rundir);
    pathf(timings, "%s/leadpack-timings.csv", rundir);
    unlink(timings);
    char *argv[] = {(char *)b->leadpack, "run", "--input", (char *)data, "--profile",
                    (char *)dialect, "--out", out, "--quiet", "--timings", timings, NULL};
    child_result res;
    if (run_child(argv, NULL, NULL, &res) != LP_OK) {
        fprintf(stderr, "lp_bench: cannot start %s\n", b->leadpack);
        return;
    }
    set_total(tr, &res);
    if (res.exit_code != 0) {
        fprintf(stderr, "lp_bench: leadpack run exited with status %d\n", res.exit_code);
        return;
    }
    if (read_timings(timings, tr) != LP_OK)
        fprintf(stderr, "lp_bench: no usable timings in %s\n", timings);
    pathf(headline, "%s/results/headline.csv", out);
    if (!file_exists(headline)) pathf(headline, "%s/headline.csv", out);
    if (read_headline(headline, tr) != LP_OK)
        fprintf(stderr, "lp_bench: cannot read %s\n", headline);
    tr->ran = true;
}

static int by_total_wall(const void *a, const void *b)
{
    double x = ((const tool_run *)a)->total.wall_s, y = ((const tool_run *)b)->total.wall_s;
    return (x > y) - (x < y);
}

/* Runs leadpack b->leadpack_runs times and keeps the run whose whole wall
 * time is the median (all of its phases, as one run measured them): one
 * run alone swings with what the machine did just before (a run after
 * pandas pays for pages that pandas handed back). Any failed run fails. */
static void run_leadpack_median(const bench *b, const char *dialect, const char *data,
                                const char *rundir, const char *name, tool_run *out)
{
    tool_run runs[15];
    int n = b->leadpack_runs;
    printf("%s: running leadpack %d time%s ...", name, n, n == 1 ? "" : "s");
    fflush(stdout);
    for (int i = 0; i < n; i++) {
        runs[i] = (tool_run){0};
        run_leadpack(b, dialect, data, rundir, &runs[i]);
        printf(" %.2f s", runs[i].total.wall_s);
        fflush(stdout);
        if (!runs[i].ran) {
            printf("\n");
            *out = runs[i];
            return;
        }
    }
    qsort(runs, (size_t)n, sizeof runs[0], by_total_wall);
    *out = runs[n / 2];
    printf("; median %.2f s kept\n", out->total.wall_s);
}

static void run_pandas(bench *b, const char *dialect, const char *data, const char *rundir,
                       tool_run *tr)
{
    char script[PATH_MAX], json[PATH_MAX], xlsx[PATH_MAX];
    pathf(script, "%s/bench/baseline_pandas.py", b->source);
    pathf(json, "%s/pandas.json", rundir);
    pathf(xlsx, "%s/pandas.xlsx", rundir);
    char *argv[] = {b->python, script, "--input", (char *)data, "--dialect", (char *)dialect,
                    "--out", xlsx, NULL};
    child_result res;
    if (run_child(argv, json, NULL, &res) != LP_OK) {
        fprintf(stderr, "lp_bench: cannot start %s\n", b->python);
        return;
    }
    set_total(tr, &res);
    static const char *const phases[] = {"load", "aggregates", "write", NULL};
    if (res.exit_code != 0 ||
        read_baseline_json(json, phases, tr, b->versions[TOOL_PANDAS],
                           sizeof b->versions[TOOL_PANDAS]) != LP_OK) {
        fprintf(stderr, "lp_bench: the pandas baseline failed (status %d)\n", res.exit_code);
        return;
    }
    tr->ran = true;
}

/* Installs @duckdb/node-api into bench/node_modules (bench/package.json pins
 * the version) unless it is there. */
static bool ensure_duckdb(const bench *b)
{
    char marker[PATH_MAX], prefix[PATH_MAX], log[PATH_MAX];
    pathf(marker, "%s/bench/node_modules/@duckdb/node-api/package.json",
             b->source);
    if (file_exists(marker)) return true;
    pathf(prefix, "%s/bench", b->source);
    pathf(log, "%s/bench/data/npm-install.log", b->source);
    printf("installing @duckdb/node-api into %s/node_modules ...\n", prefix);
    char *argv[] = {"npm", "install", "--prefix", prefix, "--no-audit", "--no-fund",
                    "--no-package-lock", NULL};
    child_result res;
    if (run_child(argv, log, log, &res) != LP_OK) {
        printf("DuckDB baseline skipped: npm is not installed\n");
        return false;
    }
    if (res.exit_code != 0 || !file_exists(marker)) {
        printf("DuckDB baseline skipped: npm install @duckdb/node-api failed (see %s)\n", log);
        return false;
    }
    return true;
}

static void run_duckdb(bench *b, const char *dialect, const char *data, const char *rundir,
                       tool_run *tr)
{
    char script[PATH_MAX], json[PATH_MAX];
    pathf(script, "%s/bench/baseline_duckdb.mjs", b->source);
    pathf(json, "%s/duckdb.json", rundir);
    char *argv[] = {b->node, script, "--input", (char *)data, "--dialect", (char *)dialect,
                    NULL};
    child_result res;
    if (run_child(argv, json, NULL, &res) != LP_OK) {
        printf("DuckDB baseline skipped: cannot start %s\n", b->node);
        tr->skipped = true;
        return;
    }
    set_total(tr, &res);
    static const char *const phases[] = {"load", "queries", NULL};
    if (res.exit_code != 0 ||
        read_baseline_json(json, phases, tr, b->versions[TOOL_DUCKDB],
                           sizeof b->versions[TOOL_DUCKDB]) != LP_OK) {
        fprintf(stderr, "lp_bench: the DuckDB baseline failed (status %d)\n", res.exit_code);
        return;
    }
    tr->ran = true;
}

/* ---- Reporting ---- */

static const phase *find_phase(const tool_run *tr, const char *name)
{
    if (strcmp(name, "total") == 0) return tr->ran ? &tr->total : NULL;
    for (size_t i = 0; i < tr->nphases; i++)
        if (strcmp(tr->phases[i].name, name) == 0) return &tr->phases[i];
    return NULL;
}

static const check_value *find_check(const tool_run *tr, const char *measure)
{
    for (size_t i = 0; i < tr->nchecks; i++)
        if (strcmp(tr->checks[i].measure, measure) == 0) return &tr->checks[i];
    return NULL;
}

static bool same_number(double a, double b)
{
    if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
    return fabs(a - b) <= 1e-9 + 1e-6 * fmax(fabs(a), fabs(b));
}

/* Prints the guard against comparing different work: mql_count of the
 * report period from every tool, and a warning for every headline measure
 * where a baseline disagrees with leadpack. Returns the mismatch count. */
static int print_checks(const scale_run *run)
{
    const tool_run *lp = &run->tools[TOOL_LEADPACK];
    if (!lp->ran || lp->nchecks == 0) {
        printf("check %s scale %s: no leadpack headline to compare with\n", run->dialect,
               run->scale);
        return 0;
    }
    int mismatches = 0;
    const check_value *lp_mql = find_check(lp, "mql_count");
    printf("check %s scale %s, period %s: mql_count leadpack %.0f", run->dialect, run->scale,
           lp->period, lp_mql ? lp_mql->value : NAN);
    for (int t = TOOL_PANDAS; t < NTOOLS; t++) {
        const tool_run *tr = &run->tools[t];
        if (!tr->ran) continue;
        const check_value *cv = find_check(tr, "mql_count");
        printf(", %s %.0f", tool_names[t], cv ? cv->value : NAN);
    }
    printf("\n");
    for (int t = TOOL_PANDAS; t < NTOOLS; t++) {
        const tool_run *tr = &run->tools[t];
        if (!tr->ran) continue;
        if (strcmp(tr->period, lp->period) != 0) {
            printf("WARNING: %s scale %s: %s's report period %s is not leadpack's %s\n",
                   run->dialect, run->scale, tool_names[t], tr->period, lp->period);
            mismatches++;
        }
        int compared = 0;
        for (size_t i = 0; i < tr->nchecks; i++) {
            const check_value *mine = find_check(lp, tr->checks[i].measure);
            if (!mine) continue;
            compared++;
            if (!same_number(mine->value, tr->checks[i].value)) {
                printf("WARNING: %s scale %s: %s %s = %.10g, leadpack %.10g: the baseline "
                       "does not compute the same figure\n", run->dialect, run->scale,
                       tool_names[t],
                       tr->checks[i].measure, tr->checks[i].value, mine->value);
                mismatches++;
            }
        }
        printf("  %s: %d headline measures of %s compared with leadpack\n", tool_names[t],
               compared, lp->period);
    }
    return mismatches;
}

static void fmt_num(char *buf, size_t size, double v, int decimals)
{
    if (isnan(v) || v < 0) snprintf(buf, size, "-");
    else snprintf(buf, size, "%.*f", decimals, v);
}

/* The cells of one phase row: wall, CPU, peak memory, MB/s (load only)
 * and million rows/s (the phases compared across tools only). markdown
 * rounds peak memory and the rates to fewer decimals. */
typedef struct phase_cells {
    char wall[24], cpu[24], peak[24], mbs[24], mrows[24];
} phase_cells;

static bool compared_phase(int tool, const char *name)
{
    for (int c = 0; c < NCMP; c++)
        if (strcmp(cmp_phase[c][tool], name) == 0) return true;
    return false;
}

static void phase_cells_of(const phase *ph, const scale_run *run, bool compared, bool markdown,
                           phase_cells *out)
{
    bool load = strcmp(ph->name, "load") == 0;
    fmt_num(out->wall, sizeof out->wall, ph->wall_s, 3);
    fmt_num(out->cpu, sizeof out->cpu, ph->cpu_s, 3);
    fmt_num(out->peak, sizeof out->peak, ph->peak_mb, markdown ? 0 : 1);
    fmt_num(out->mbs, sizeof out->mbs,
            load && ph->wall_s > 0 ? run->input_bytes / 1e6 / ph->wall_s : NAN, markdown ? 0 : 1);
    fmt_num(out->mrows, sizeof out->mrows,
            compared && ph->wall_s > 0 ? run->rows / 1e6 / ph->wall_s : NAN, markdown ? 2 : 3);
}

/* Every phase row of a run, the total last, to stdout or as Markdown. */
static void phase_rows(const scale_run *run, FILE *fp, bool markdown)
{
    for (int t = 0; t < NTOOLS; t++) {
        const tool_run *tr = &run->tools[t];
        if (tr->skipped) continue;
        if (!tr->ran) {
            if (!markdown) fprintf(fp, "%-9s (failed: no timings)\n", tool_names[t]);
            continue;
        }
        for (size_t i = 0; i <= tr->nphases; i++) {
            bool total = i == tr->nphases;
            const phase *ph = total ? &tr->total : &tr->phases[i];
            phase_cells c;
            phase_cells_of(ph, run, total || compared_phase(t, ph->name), markdown, &c);
            fprintf(fp, markdown ? "| %s | %s | %s | %s | %s | %s | %s |\n"
                                 : "%-9s %-15s %9s %9s %9s %9s %9s\n",
                    tool_names[t], ph->name, c.wall, c.cpu, c.peak, c.mbs, c.mrows);
        }
    }
}

/* The cells of one comparison row: each tool's wall time of phase cmp and
 * leadpack's ratio to pandas and to DuckDB. */
typedef struct cmp_cells {
    char wall[NTOOLS][24], pandas[24], duckdb[24];
} cmp_cells;

static double ratio(const scale_run *run, int cmp, int tool);

static void cmp_cells_of(const scale_run *run, int c, cmp_cells *out)
{
    for (int t = 0; t < NTOOLS; t++) {
        const phase *ph = find_phase(&run->tools[t], cmp_phase[c][t]);
        fmt_num(out->wall[t], sizeof out->wall[t], ph ? ph->wall_s : NAN, 3);
    }
    fmt_num(out->pandas, sizeof out->pandas, ratio(run, c, TOOL_PANDAS), 2);
    fmt_num(out->duckdb, sizeof out->duckdb, ratio(run, c, TOOL_DUCKDB), 2);
}

static void print_scale(const scale_run *run)
{
    printf("\n%s scale %s: %.0f leads, %.0f rows, %.1f MB of CSV\n", run->dialect, run->scale,
           run->leads, run->rows, run->input_bytes / 1e6);
    printf("%-9s %-15s %9s %9s %9s %9s %9s\n", "tool", "phase", "wall_s", "cpu_s", "peak_MB",
           "MB/s", "Mrows/s");
    phase_rows(run, stdout, false);
}

static double ratio(const scale_run *run, int cmp, int tool)
{
    const phase *lp = find_phase(&run->tools[TOOL_LEADPACK], cmp_phase[cmp][TOOL_LEADPACK]);
    const phase *other = find_phase(&run->tools[tool], cmp_phase[cmp][tool]);
    if (!lp || !other || other->wall_s <= 0) return NAN;
    return lp->wall_s / other->wall_s;
}

/* Million input rows per second of the tool's phase c in each run of one
 * dialect (runs[0..nscales)), with last/first; NAN when unknown. */
static double linear_ratio(const bench *b, const scale_run *runs, int t, int c, double *rates)
{
    double first = NAN, last = NAN;
    for (size_t s = 0; s < b->nscales; s++) {
        const phase *ph = find_phase(&runs[s].tools[t], cmp_phase[c][t]);
        rates[s] = ph && ph->wall_s > 0 ? runs[s].rows / 1e6 / ph->wall_s : NAN;
        if (!isnan(rates[s])) {
            if (isnan(first)) first = rates[s];
            last = rates[s];
        }
    }
    return last / first;
}

/* Within 30% either way on a shared machine: call it linear. */
static const char *linear_word(double r)
{
    return isnan(r) ? "-" : r < 0.7 ? "worse than linear" : r > 1.0 / 0.7 ? "fixed costs"
                                                                          : "linear";
}

static void print_linear(const bench *b, const scale_run *runs)
{
    printf("%-10s %-9s %-9s", "dialect", "tool", "phase");
    for (size_t s = 0; s < b->nscales; s++) printf(" %9s", runs[s].scale);
    printf(" %9s  %s\n", "last/1st", "cost");
    for (int t = 0; t < NTOOLS; t++) {
        for (int c = 0; c < NCMP; c++) {
            double rates[MAX_SCALES];
            double r = linear_ratio(b, runs, t, c, rates);
            bool any = false;
            for (size_t s = 0; s < b->nscales; s++) any |= !isnan(rates[s]);
            if (!any) continue;
            printf("%-10s %-9s %-9s", runs[0].dialect, tool_names[t], cmp_labels[c]);
            for (size_t s = 0; s < b->nscales; s++) {
                char cell[24];
                fmt_num(cell, sizeof cell, rates[s], 3);
                printf(" %9s", cell);
            }
            char rel[24];
            fmt_num(rel, sizeof rel, r, 2);
            printf(" %9s  %s\n", rel, linear_word(r));
        }
    }
}

static void print_summary(const bench *b)
{
    printf("\nleadpack against the alternatives: ratio = leadpack wall time / the other's "
           "(below 1: leadpack is faster)\n");
    printf("%-10s %-6s %-9s %11s %9s %9s %10s %10s\n", "dialect", "scale", "phase",
           "leadpack_s", "pandas_s", "duckdb_s", "lp/pandas", "lp/duckdb");
    for (size_t s = 0; s < b->nruns; s++) {
        const scale_run *run = &b->runs[s];
        for (int c = 0; c < NCMP; c++) {
            cmp_cells cc;
            cmp_cells_of(run, c, &cc);
            printf("%-10s %-6s %-9s %11s %9s %9s %10s %10s\n", run->dialect, run->scale,
                   cmp_labels[c], cc.wall[0], cc.wall[1], cc.wall[2], cc.pandas, cc.duckdb);
        }
    }
    printf("measures = leadpack's measures phase, pandas' aggregates, DuckDB's queries; "
           "total = the whole process\n(leadpack's total also renders the PDF and the "
           "workbook; pandas' writes a workbook; DuckDB's writes nothing).\n");

    if (b->nscales < 2) return;
    printf("\nlinear cost: million input rows per second of wall time at each scale; "
           "last/1st near 1 = linear,\nbelow = costlier per row at the larger scale, above = "
           "fixed costs weigh on the smaller one\n");
    for (size_t d = 0; d < b->ndialects; d++) print_linear(b, &b->runs[d * b->nscales]);
}

static void csv_num(FILE *fp, double v, int decimals)
{
    if (!isnan(v) && v >= 0) fprintf(fp, "%.*f", decimals, v);
}

/* Appends one row per tool and phase of this run to the results file. */
static lp_status append_results(const bench *b, const char *timestamp, const char *commit,
                                long cores, double loadavg)
{
    static const char header[] =
        "timestamp,commit,dialect,scale,tool,version,phase,wall_s,cpu_s,peak_rss_mb,input_mb,"
        "rows,mb_per_s,rows_per_s,leadpack_ratio,cores,loadavg\n";
    /* a file of other columns (an older lp_bench) is kept aside, not mixed */
    char *old = NULL;
    if (read_text(b->results, &old) == LP_OK) {
        bool same = strncmp(old, header, strlen(header)) == 0;
        lp_free(old);
        if (!same) {
            char aside[PATH_MAX];
            pathf(aside, "%s.old", b->results);
            if (rename(b->results, aside) != 0) return LP_ERR_OUTPUT;
            printf("%s had other columns: moved to %s\n", b->results, aside);
        }
    }
    bool fresh = !file_exists(b->results);
    FILE *fp = fopen(b->results, "a");
    if (!fp) return LP_ERR_OUTPUT;
    if (fresh) fputs(header, fp);
    for (size_t s = 0; s < b->nruns; s++) {
        const scale_run *run = &b->runs[s];
        for (int t = 0; t < NTOOLS; t++) {
            const tool_run *tr = &run->tools[t];
            if (!tr->ran) continue;
            for (size_t i = 0; i <= tr->nphases; i++) {
                const phase *ph = i < tr->nphases ? &tr->phases[i] : &tr->total;
                fprintf(fp, "%s,%s,%s,%s,%s,%s,%s,", timestamp, commit, run->dialect,
                        run->scale, tool_names[t], b->versions[t], ph->name);
                csv_num(fp, ph->wall_s, 4);
                fputc(',', fp);
                csv_num(fp, ph->cpu_s, 4);
                fputc(',', fp);
                csv_num(fp, ph->peak_mb, 1);
                fprintf(fp, ",%.3f,%.0f,", run->input_bytes / 1e6, run->rows);
                if (strcmp(ph->name, "load") == 0 && ph->wall_s > 0)
                    csv_num(fp, run->input_bytes / 1e6 / ph->wall_s, 2);
                fputc(',', fp);
                csv_num(fp, ph->wall_s > 0 ? run->rows / ph->wall_s : NAN, 0);
                fputc(',', fp);
                for (int c = 0; t != TOOL_LEADPACK && c < NCMP; c++)
                    if (strcmp(cmp_phase[c][t], ph->name) == 0) csv_num(fp, ratio(run, c, t), 4);
                fprintf(fp, ",%ld,%.2f\n", cores, loadavg);
            }
        }
    }
    return fclose(fp) == 0 ? LP_OK : LP_ERR_OUTPUT;
}

/* ---- Targets and Markdown ---- */

/* The run of a dialect at a scale (compared as numbers), or NULL. */
static const scale_run *find_run(const bench *b, const char *dialect, double scale)
{
    for (size_t s = 0; s < b->nruns; s++)
        if (strcmp(b->runs[s].dialect, dialect) == 0 && strtod(b->runs[s].scale, NULL) == scale)
            return &b->runs[s];
    return NULL;
}

static double wall_of(const scale_run *run, int tool, const char *name)
{
    const phase *ph = run ? find_phase(&run->tools[tool], name) : NULL;
    return ph ? ph->wall_s : NAN;
}

/* The targets, on the Salesforce dialect at scale 1 (bench/README.md):
 * whole pack at most 4 s on 2 cores, at most 0.45 of DuckDB's load +
 * queries, at least 16 times faster than pandas (whole process against
 * whole process), loading at least 400 MB/s of CSV, peak memory at most
 * half the input size, and linear cost from scale 0.1 to 4 (leadpack's
 * rows per second of the whole run at the largest scale run at least 0.7 of
 * the smallest's). Printed as text, or as a Markdown table. */
static void print_targets(const bench *b, FILE *fp, bool markdown)
{
    const scale_run *run = find_run(b, "salesforce", 1.0);
    if (!run || !run->tools[TOOL_LEADPACK].ran) {
        if (!markdown)
            printf("\ntargets: not checked (they are set on --dialects salesforce at "
                   "--scales 1)\n");
        return;
    }
    double lp = wall_of(run, TOOL_LEADPACK, "total");
    double dk = wall_of(run, TOOL_DUCKDB, "load") + wall_of(run, TOOL_DUCKDB, "queries");
    double pd = wall_of(run, TOOL_PANDAS, "total");
    double load = wall_of(run, TOOL_LEADPACK, "load");
    double input_mb = run->input_bytes / 1e6;
    double peak = run->tools[TOOL_LEADPACK].total.peak_mb;
    /* linear: the dialect's runs are contiguous, in scale order */
    const scale_run *sf = &b->runs[(size_t)(run - b->runs) / b->nscales * b->nscales];
    const scale_run *lo = NULL, *hi = NULL;
    for (size_t s = 0; s < b->nscales; s++) {
        if (isnan(wall_of(&sf[s], TOOL_LEADPACK, "total"))) continue;
        if (!lo || strtod(sf[s].scale, NULL) < strtod(lo->scale, NULL)) lo = &sf[s];
        if (!hi || strtod(sf[s].scale, NULL) > strtod(hi->scale, NULL)) hi = &sf[s];
    }
    double lin = NAN;
    char lin_scales[64] = "one scale only";
    if (lo && hi && lo != hi) {
        lin = (hi->rows / wall_of(hi, TOOL_LEADPACK, "total")) /
              (lo->rows / wall_of(lo, TOOL_LEADPACK, "total"));
        snprintf(lin_scales, sizeof lin_scales, "scale %s to %s", lo->scale, hi->scale);
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    struct {
        const char *what, *target;
        char measured[96];
        double value, bound;
        bool at_least;
    } rows[6] = {
        {"whole pack (wall)", "<= 4 s on 2 cores", "", lp, 4.0, false},
        {"leadpack / DuckDB load+queries", "<= 0.45", "", lp / dk, 0.45, false},
        {"faster than pandas (pandas / leadpack, whole runs)", ">= 16x", "", pd / lp, 16, true},
        {"loading (MB of CSV per second of load)", ">= 400 MB/s", "", input_mb / load, 400,
         true},
        {"peak memory / input size", "<= 0.5", "", peak / input_mb, 0.5, false},
        {"linear cost (rows/s at the largest scale / the smallest)", ">= 0.7, 0.1 to 4", "",
         lin, 0.7, true},
    };
    snprintf(rows[0].measured, sizeof rows[0].measured, "%.2f s on %ld cores", lp, cores);
    snprintf(rows[1].measured, sizeof rows[1].measured, "%.2f (%.2f s / %.2f s)", lp / dk, lp,
             dk);
    snprintf(rows[2].measured, sizeof rows[2].measured, "%.1fx (%.2f s / %.2f s)", pd / lp, pd,
             lp);
    snprintf(rows[3].measured, sizeof rows[3].measured, "%.0f MB/s (%.1f MB in %.2f s)",
             input_mb / load, input_mb, load);
    snprintf(rows[4].measured, sizeof rows[4].measured, "%.2f (%.0f MB / %.0f MB)",
             peak / input_mb, peak, input_mb);
    snprintf(rows[5].measured, sizeof rows[5].measured, "%.2f (%s)", lin, lin_scales);
    if (markdown)
        fprintf(fp, "\n**Targets** (Salesforce dialect, scale 1)\n\n"
                    "| target | goal | measured | met |\n|---|---|---|---|\n");
    else
        fprintf(fp, "\ntargets (Salesforce dialect, scale 1)\n");
    for (int i = 0; i < 6; i++) {
        double v = rows[i].value;
        const char *met = isnan(v) ? "not measured"
                          : (rows[i].at_least ? v >= rows[i].bound : v <= rows[i].bound)
                              ? "yes" : "no";
        if (isnan(v)) snprintf(rows[i].measured, sizeof rows[i].measured, "-");
        if (markdown)
            fprintf(fp, "| %s | %s | %s | %s |\n", rows[i].what, rows[i].target,
                    rows[i].measured, met);
        else
            fprintf(fp, "  %-58s %-18s %-32s %s\n", rows[i].what, rows[i].target,
                    rows[i].measured, met);
    }
}

/* The per-phase tables, the comparison and the targets in Markdown. */
static void markdown_tables(const bench *b, FILE *fp, const char *timestamp,
                            const char *commit, long cores, double loadavg)
{
    fprintf(fp, "Measured %s by `lp_bench`: leadpack %s (commit %s), pandas %s, DuckDB %s; "
                "%ld cores, load average %.1f at start%s.\n",
            timestamp, b->versions[TOOL_LEADPACK], commit[0] ? commit : "-",
            b->versions[TOOL_PANDAS][0] ? b->versions[TOOL_PANDAS] : "-",
            b->versions[TOOL_DUCKDB][0] ? b->versions[TOOL_DUCKDB] : "-", cores, loadavg,
            loadavg > 0.5 * (double)cores ? " (a busy machine: timings are noisy)" : "");
    for (size_t d = 0; d < b->ndialects; d++) {
        fprintf(fp, "\n### %s\n", b->dialects[d]);
        for (size_t s = 0; s < b->nscales; s++) {
            const scale_run *run = &b->runs[d * b->nscales + s];
            fprintf(fp, "\nScale %s: %.0f leads, %.0f rows, %.1f MB of CSV.\n\n"
                        "| tool | phase | wall s | CPU s | peak MB | MB/s | Mrows/s |\n"
                        "|---|---|--:|--:|--:|--:|--:|\n",
                    run->scale, run->leads, run->rows, run->input_bytes / 1e6);
            phase_rows(run, fp, true);
        }
        fprintf(fp, "\n| scale | phase | leadpack s | pandas s | DuckDB s | lp/pandas | "
                    "lp/DuckDB |\n|---|---|--:|--:|--:|--:|--:|\n");
        for (size_t s = 0; s < b->nscales; s++) {
            const scale_run *run = &b->runs[d * b->nscales + s];
            for (int c = 0; c < NCMP; c++) {
                cmp_cells cc;
                cmp_cells_of(run, c, &cc);
                fprintf(fp, "| %s | %s | %s | %s | %s | %s | %s |\n", run->scale,
                        cmp_labels[c], cc.wall[0], cc.wall[1], cc.wall[2], cc.pandas, cc.duckdb);
            }
        }
        if (b->nscales > 1) {
            const scale_run *runs = &b->runs[d * b->nscales];
            double rates[MAX_SCALES];
            double r = linear_ratio(b, runs, TOOL_LEADPACK, CMP_TOTAL, rates);
            fprintf(fp, "\nleadpack's whole run, million rows per second:");
            for (size_t s = 0; s < b->nscales; s++)
                fprintf(fp, " %.2f at scale %s%s", rates[s], runs[s].scale,
                        s + 1 < b->nscales ? "," : "");
            fprintf(fp, " (last/first %.2f: %s).\n", r, linear_word(r));
        }
    }
    print_targets(b, fp, true);
}

#define README_BEGIN "<!-- lp_bench tables begin -->"
#define README_END "<!-- lp_bench tables end -->"

/* Writes the Markdown tables to --markdown FILE and into --readme FILE
 * between its README_BEGIN and README_END lines. */
static lp_status write_markdown(const bench *b, const char *timestamp, const char *commit,
                                long cores, double loadavg)
{
    if (!b->markdown[0] && !b->readme[0]) return LP_OK;
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem) return LP_ERR_NOMEM;
    markdown_tables(b, mem, timestamp, commit, cores, loadavg);
    if (fclose(mem) != 0) {
        free(text);
        return LP_ERR_NOMEM;
    }
    lp_status st = LP_OK;
    if (b->markdown[0]) {
        FILE *fp = fopen(b->markdown, "w");
        if (!fp || fputs(text, fp) == EOF || fclose(fp) != 0) {
            fprintf(stderr, "lp_bench: cannot write %s\n", b->markdown);
            st = LP_ERR_OUTPUT;
        } else {
            printf("\nMarkdown tables written to %s\n", b->markdown);
        }
    }
    char *doc = NULL;
    if (b->readme[0] && read_text(b->readme, &doc) == LP_OK) {
        char *begin = strstr(doc, README_BEGIN "\n");
        char *end = begin ? strstr(begin, README_END) : NULL;
        char tmp[PATH_MAX];
        pathf(tmp, "%s.tmp", b->readme);
        FILE *fp = begin && end ? fopen(tmp, "w") : NULL;
        if (!begin || !end) {
            fprintf(stderr, "lp_bench: %s has no \"%s\" ... \"%s\" block\n", b->readme,
                    README_BEGIN, README_END);
            st = LP_ERR_OUTPUT;
        } else if (!fp || fwrite(doc, 1, (size_t)(begin - doc) + strlen(README_BEGIN "\n"),
                                 fp) == 0 ||
                   fputs(text, fp) == EOF || fputs(end, fp) == EOF || fclose(fp) != 0 ||
                   rename(tmp, b->readme) != 0) {
            fprintf(stderr, "lp_bench: cannot update %s\n", b->readme);
            st = LP_ERR_OUTPUT;
        } else {
            printf("tables written into %s\n", b->readme);
        }
    } else if (b->readme[0]) {
        fprintf(stderr, "lp_bench: cannot read %s\n", b->readme);
        st = LP_ERR_OUTPUT;
    }
    lp_free(doc);
    free(text);
    return st;
}

/* ---- Set-up ---- */

static void usage(void)
{
    fprintf(stderr,
            "usage: lp_bench [--source DIR] [--leadpack PATH] [--dialects \"generic\"]\n"
            "                [--scales \"0.1 1\"] [--seed N] [--python PATH] [--node NAME]\n"
            "                [--results FILE] [--markdown FILE] [--readme FILE]\n"
            "                [--no-baselines] [--leadpack-runs N]\n"
            "dialects: generic, salesforce, hubspot\n");
}

/* Folder of this executable (the build folder), into buf. */
static void exe_dir(char *buf, size_t size)
{
    ssize_t n = readlink("/proc/self/exe", buf, size - 1);
    if (n <= 0) {
        snprintf(buf, size, ".");
        return;
    }
    buf[n] = '\0';
    char *slash = strrchr(buf, '/');
    if (slash) *slash = '\0';
}

static lp_status parse_args(bench *b, int argc, char **argv)
{
    const char *source = ".", *leadpack = NULL, *scales = "0.1 1", *results = NULL;
    const char *dialects = "generic";
    b->seed = "1";
    b->baselines = true;
    b->leadpack_runs = 3;
    snprintf(b->python, sizeof b->python, "/usr/bin/python3");
    snprintf(b->node, sizeof b->node, "node");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--no-baselines") == 0) {
            b->baselines = false;
            continue;
        }
        if (!v) {
            usage();
            return LP_ERR_USAGE;
        }
        if (strcmp(a, "--source") == 0) source = v;
        else if (strcmp(a, "--leadpack") == 0) leadpack = v;
        else if (strcmp(a, "--scales") == 0) scales = v;
        else if (strcmp(a, "--dialects") == 0) dialects = v;
        else if (strcmp(a, "--markdown") == 0) pathf(b->markdown, "%s", v);
        else if (strcmp(a, "--readme") == 0) pathf(b->readme, "%s", v);
        else if (strcmp(a, "--seed") == 0) b->seed = v;
        else if (strcmp(a, "--python") == 0) snprintf(b->python, sizeof b->python, "%s", v);
        else if (strcmp(a, "--node") == 0) snprintf(b->node, sizeof b->node, "%s", v);
        else if (strcmp(a, "--results") == 0) results = v;
        else if (strcmp(a, "--leadpack-runs") == 0 && atoi(v) >= 1 && atoi(v) <= 15)
            b->leadpack_runs = atoi(v);
        else {
            usage();
            return LP_ERR_USAGE;
        }
        i++;
    }
    if (!realpath(source, b->source)) {
        fprintf(stderr, "lp_bench: no source folder %s\n", source);
        return LP_ERR_USAGE;
    }
    if (leadpack) {
        if (!realpath(leadpack, b->leadpack)) {
            fprintf(stderr, "lp_bench: no leadpack at %s\n", leadpack);
            return LP_ERR_USAGE;
        }
    } else {
        char dir[PATH_MAX - 16];
        exe_dir(dir, sizeof dir);
        pathf(b->leadpack, "%s/leadpack", dir);
    }
    if (results) pathf(b->results, "%s", results);
    else pathf(b->results, "%s/bench/results.csv", b->source);

    b->scales_buf = lp_strdup(scales);
    if (!b->scales_buf) return LP_ERR_NOMEM;
    char *save = NULL;
    for (char *tok = strtok_r(b->scales_buf, " ,", &save); tok;
         tok = strtok_r(NULL, " ,", &save)) {
        char *end;
        double v = strtod(tok, &end);
        if (*end || !(v > 0) || strchr(tok, '/') || b->nscales == MAX_SCALES) {
            fprintf(stderr, "lp_bench: bad scale \"%s\" (at most %d positive numbers)\n", tok,
                    MAX_SCALES);
            return LP_ERR_USAGE;
        }
        b->scales[b->nscales++] = tok;
    }
    if (b->nscales == 0) {
        usage();
        return LP_ERR_USAGE;
    }
    b->dialects_buf = lp_strdup(dialects);
    if (!b->dialects_buf) return LP_ERR_NOMEM;
    for (char *tok = strtok_r(b->dialects_buf, " ,", &save); tok;
         tok = strtok_r(NULL, " ,", &save)) {
        bool known = false;
        for (size_t i = 0; i < sizeof bench_dialects / sizeof bench_dialects[0]; i++)
            known |= strcmp(bench_dialects[i].name, tok) == 0;
        if (!known || b->ndialects == MAX_DIALECTS) {
            fprintf(stderr, "lp_bench: bad dialect \"%s\" (generic, salesforce, hubspot)\n",
                    tok);
            return LP_ERR_USAGE;
        }
        b->dialects[b->ndialects++] = tok;
    }
    if (b->ndialects == 0) {
        usage();
        return LP_ERR_USAGE;
    }
    return LP_OK;
}

/* Warns when the build folder is not a Release build: timings of a Debug
 * or sanitizer build say nothing about leadpack's speed. */
static void check_build_type(const bench *b)
{
    char cache[PATH_MAX];
    const char *slash = strrchr(b->leadpack, '/');
    pathf(cache, "%.*s/CMakeCache.txt", (int)(slash - b->leadpack), b->leadpack);
    char *text = NULL;
    if (read_text(cache, &text) != LP_OK) return;
    const char *p = strstr(text, "CMAKE_BUILD_TYPE:STRING=");
    if (p) {
        p += strlen("CMAKE_BUILD_TYPE:STRING=");
        if (strncmp(p, "Release", 7) != 0 && strncmp(p, "RelWithDebInfo", 14) != 0)
            printf("WARNING: %s is a %.*s build; benchmark a Release build\n", b->leadpack,
                   (int)strcspn(p, "\r\n"), p);
    }
    if (strstr(text, "LP_SANITIZE:BOOL=ON"))
        printf("WARNING: %s is built with sanitizers\n", b->leadpack);
    lp_free(text);
}

int main(int argc, char **argv)
{
    bench *b = lp_calloc(1, sizeof *b);
    if (!b) return 1;
    int exit_code = 1;
    if (parse_args(b, argc, argv) != LP_OK) goto cleanup;

    char data_root[PATH_MAX], tmp[PATH_MAX];
    pathf(data_root, "%s/bench/data", b->source);
    if (lp_mkdir_p(data_root) != LP_OK) {
        fprintf(stderr, "lp_bench: cannot create %s\n", data_root);
        goto cleanup;
    }
    pathf(tmp, "%s/.capture", data_root);

    char commit[64], lp_version[NAME_LEN];
    char *git_argv[] = {"git", "-C", b->source, "rev-parse", "--short", "HEAD", NULL};
    capture_line(git_argv, tmp, commit, sizeof commit);
    char *ver_argv[] = {b->leadpack, "--version", NULL};
    capture_line(ver_argv, tmp, lp_version, sizeof lp_version);
    if (!lp_version[0]) {
        fprintf(stderr, "lp_bench: %s does not run; build it first (make build)\n",
                b->leadpack);
        goto cleanup;
    }
    const char *v = strrchr(lp_version, ' ');
    snprintf(b->versions[TOOL_LEADPACK], NAME_LEN, "%.*s", NAME_LEN - 1,
             v ? v + 1 : lp_version);
    check_build_type(b);
    b->duckdb_ok = b->baselines && ensure_duckdb(b);

    /* other work on the machine, before this run adds its own */
    double load[1] = {0};
    getloadavg(load, 1);
    bool failed = false;
    int mismatches = 0;
    b->nruns = b->ndialects * b->nscales;
    for (size_t s = 0; s < b->nruns; s++) {
        scale_run *run = &b->runs[s];
        run->dialect = b->dialects[s / b->nscales];
        run->scale = b->scales[s % b->nscales];
        const char *dialect = run->dialect;
        char data[PATH_MAX], rundir[PATH_MAX], name[PATH_MAX];
        data_dir(data, data_root, dialect, run->scale);
        pathf(rundir, "%s/runs/%s", data_root, strrchr(data, '/') + 1);
        pathf(name, "%s scale %s", dialect, run->scale);
        if (ensure_data(b, dialect, run->scale, data) != LP_OK ||
            measure_inputs(data, run) != LP_OK || lp_mkdir_p(rundir) != LP_OK) {
            fprintf(stderr, "lp_bench: no input data for %s\n", name);
            failed = true;
            continue;
        }
        run_leadpack_median(b, dialect, data, rundir, name, &run->tools[TOOL_LEADPACK]);
        failed |= !run->tools[TOOL_LEADPACK].ran;
        if (b->baselines) {
            printf("%s: running pandas ...\n", name);
            run_pandas(b, dialect, data, rundir, &run->tools[TOOL_PANDAS]);
            failed |= !run->tools[TOOL_PANDAS].ran;
            if (b->duckdb_ok) {
                printf("%s: running DuckDB ...\n", name);
                run_duckdb(b, dialect, data, rundir, &run->tools[TOOL_DUCKDB]);
                failed |= !run->tools[TOOL_DUCKDB].ran && !run->tools[TOOL_DUCKDB].skipped;
            } else {
                run->tools[TOOL_DUCKDB].skipped = true;
            }
        } else {
            run->tools[TOOL_PANDAS].skipped = run->tools[TOOL_DUCKDB].skipped = true;
        }
        mismatches += print_checks(run);
    }

    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    printf("\nleadpack %s (%s), pandas %s, DuckDB %s; %ld cores, load average %.1f at start%s\n",
           b->versions[TOOL_LEADPACK], commit[0] ? commit : "no commit",
           b->versions[TOOL_PANDAS][0] ? b->versions[TOOL_PANDAS] : "-",
           b->versions[TOOL_DUCKDB][0] ? b->versions[TOOL_DUCKDB] : "-", cores, load[0],
           load[0] > 0.5 * (double)cores ? " (a busy machine: timings are noisy)" : "");
    for (size_t s = 0; s < b->nruns; s++) print_scale(&b->runs[s]);
    print_summary(b);
    print_targets(b, stdout, false);
    {
        /* the operators read the generic dialect's canonical columns */
        const char *dirs[16], *names[16];
        static char dir_bufs[16][PATH_MAX];
        size_t n = 0;
        for (size_t s = 0; s < b->nruns && n < 16; s++) {
            if (strcmp(b->runs[s].dialect, "generic") != 0) continue;
            if (!b->runs[s].tools[TOOL_LEADPACK].ran) continue;
            pathf(dir_bufs[n], "%s/scale-%s", data_root, b->runs[s].scale);
            dirs[n] = dir_bufs[n];
            names[n] = b->runs[s].scale;
            n++;
        }
        if (n) bench_operators(b->source, dirs, names, n);
    }
    if (mismatches)
        printf("\nWARNING: %d check(s) differ: the baselines may not be doing the same work "
               "as leadpack\n", mismatches);

    char timestamp[32];
    time_t now = time(NULL);
    struct tm tm;
    strftime(timestamp, sizeof timestamp, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    if (write_markdown(b, timestamp, commit, cores, load[0]) != LP_OK) failed = true;
    if (append_results(b, timestamp, commit, cores, load[0]) != LP_OK) {
        fprintf(stderr, "lp_bench: cannot append to %s\n", b->results);
        failed = true;
    } else {
        printf("\nappended to %s (run %s)\n", b->results, timestamp);
    }
    exit_code = failed ? 1 : 0;

cleanup:
    lp_free(b->scales_buf);
    lp_free(b->dialects_buf);
    lp_free(b);
    return exit_code;
}
