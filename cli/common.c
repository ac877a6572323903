/* Shared plumbing of the subcommands (cli.h). */
#include "cli.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <fnmatch.h>
#include <getopt.h>

#include "lp/draft.h"
#include "lp/fileio.h"
#include "lp/stats.h"
#include "lp/time.h"
#include "lp/warehouse.h"

/* The load phase's log line: rows, rejects, and the memory the loaded
 * tables take beside the size of the files they came from. */
static void log_loaded(const lp_dataset *ds, double seconds, const char *what)
{
    size_t rows = 0, rejected = 0, file_bytes = 0, table_bytes = 0;
    for (size_t i = 0; i < ds->nfiles; i++) {
        rows += ds->files[i].rows_read;
        rejected += ds->files[i].rows_rejected;
        struct stat st;
        if (stat(ds->files[i].path, &st) == 0 && S_ISREG(st.st_mode))
            file_bytes += (size_t)st.st_size;
    }
    int unloaded = 0;
    for (int t = 0; t < LP_TABLE_COUNT; t++) {
        table_bytes += lp_table_bytes(ds->tables[t]);
        unloaded += __builtin_popcount(ds->unloaded[t]);
    }
    char skipped[96] = "";
    if (unloaded)
        snprintf(skipped, sizeof skipped, " (%d column%s no figure reads left out)", unloaded,
                 unloaded == 1 ? "" : "s");
    if (file_bytes)
        cli_log("load %.2f s: %zu %s, %zu rows read, %zu rejected; %.1f MB in memory "
                "for %.1f MB of CSV%s", seconds, ds->nfiles, what, rows, rejected,
                (double)table_bytes / 1e6, (double)file_bytes / 1e6, skipped);
    else
        cli_log("load %.2f s: %zu %s, %zu rows read, %zu rejected; %.1f MB in memory",
                seconds, ds->nfiles, what, rows, rejected, (double)table_bytes / 1e6);
}

static bool log_quiet;

bool cli_path(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= size) {
        if (size) buf[0] = '\0';
        return false;
    }
    return true;
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Whether exe_dir (the folder of the running binary) is the CMake build
 * folder it was built in; both are resolved with realpath so "build/." or a
 * symbolic link to it still count. */
static bool in_build_dir(const char *exe_dir)
{
    char exe_real[PATH_MAX], build_real[PATH_MAX];
    if (!realpath(exe_dir, exe_real) || !realpath(LP_BUILD_DIR, build_real)) return false;
    return strcmp(exe_real, build_real) == 0;
}

/* Search order: $LEADPACK_DATA_DIR; the installed share folder beside the
 * binary (BIN/../share/leadpack); the source tree, for a binary running from
 * the build folder it was built in only; the configured install prefix. An
 * installed binary never reads the source tree, even if it still exists. */
const char *cli_data_dir(void)
{
    static char dir[PATH_MAX + 64];
    if (dir[0]) return dir;
    const char *env = getenv("LEADPACK_DATA_DIR");
    if (env && is_dir(env)) {
        cli_path(dir, sizeof dir, "%s", env);
        return dir;
    }
    char exe[PATH_MAX];
    bool from_build_dir = false;
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            char candidate[PATH_MAX + 64];
            cli_path(candidate, sizeof candidate, "%s/../share/leadpack/templates", exe);
            if (is_dir(candidate)) {
                cli_path(dir, sizeof dir, "%s/../share/leadpack", exe);
                return dir;
            }
            from_build_dir = in_build_dir(exe);
        }
    }
    /* A binary in its build folder reads the source tree it was built from,
     * so an older installed copy never shadows templates being edited. */
    if (from_build_dir && is_dir(LP_SOURCE_DIR "/templates")) {
        cli_path(dir, sizeof dir, "%s", LP_SOURCE_DIR);
        return dir;
    }
    cli_path(dir, sizeof dir, "%s", LP_DATA_DIR);
    return dir;
}

const char *cli_templates_dir(void)
{
    static char dir[PATH_MAX + 16];
    if (!dir[0]) cli_path(dir, sizeof dir, "%s/templates", cli_data_dir());
    return dir;
}

void cli_log_set_quiet(bool quiet) { log_quiet = quiet; }

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_log(const char *fmt, ...)
{
    if (log_quiet) return;
    va_list ap;
    va_start(ap, fmt);
    fputs("leadpack: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("leadpack: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* The one option loop of the subcommands: each option's getopt code is
 * its index in options, offset past the character codes. */
int cli_options_parse(const char *command, int argc, char **argv, const cli_option *options,
                      size_t n)
{
    enum { FIRST_CODE = 256 };
    struct option long_options[CLI_MAX_OPTIONS + 1];
    if (n > CLI_MAX_OPTIONS) {
        cli_error("%s: too many options (at most %d)", command, CLI_MAX_OPTIONS);
        return EXIT_USAGE;
    }
    for (size_t i = 0; i < n; i++)
        long_options[i] = (struct option){options[i].name,
                                          options[i].text ? required_argument : no_argument,
                                          NULL, FIRST_CODE + (int)i};
    long_options[n] = (struct option){NULL, 0, NULL, 0};
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
        if (c < FIRST_CODE || c >= FIRST_CODE + (int)n) {
            cli_error("%s: unknown or incomplete option \"%s\"; see leadpack help %s", command,
                      argv[optind - 1], command);
            return EXIT_USAGE;
        }
        const cli_option *o = &options[c - FIRST_CODE];
        if (o->text) *o->text = optarg;
        else *o->flag = true;
    }
    if (optind < argc) {
        cli_error("%s: unexpected argument \"%s\"; see leadpack help %s", command, argv[optind],
                  command);
        return EXIT_USAGE;
    }
    return EXIT_DONE;
}

/* The moment of the run that records are future-dated after
 * (lp_load_options.now): none with --as-of (the output then depends on the
 * input and the as-of only); else $LEADPACK_NOW when set (an ISO 8601
 * instant; tests pin the clock with it, read in the settings' time zone
 * when it names no offset), else the clock. Returns an exit code. */
static int run_now(const cli_input *in, const lp_settings *settings, bool *out_has_now,
                   int64_t *out_now)
{
    *out_has_now = false;
    if (in->as_of_text) return EXIT_DONE;
    const char *env = getenv("LEADPACK_NOW");
    if (env && *env) {
        if (lp_time_parse_instant(env, settings->time_zone, out_now) != LP_OK) {
            cli_error("LEADPACK_NOW \"%s\" is not an ISO 8601 date or time", env);
            return EXIT_USAGE;
        }
    } else {
        *out_now = (int64_t)time(NULL);
    }
    *out_has_now = true;
    return EXIT_DONE;
}

/* ---- --source: a PostgreSQL-compatible warehouse (lp/warehouse.h) ---- */

static void log_line(void *ctx, const char *line)
{
    (void)ctx;
    cli_log("%s", line);
}

/* The --source branch of cli_load, after the settings: the mapping (a
 * profile cannot be detected from files, so without --profile or a mapping
 * that names one, the generic profile applies), then the warehouse load. */
static int cli_load_source(const cli_input *in, cli_loaded *out)
{
    char errmsg[LP_ERRMSG_SIZE] = "";
    char shown[256];
    lp_warehouse_describe(in->source, shown, sizeof shown);
    out->input_dir = lp_strdup(shown);
    if (!out->input_dir) return EXIT_OUTPUT;
    char profiles_dir[PATH_MAX + 32];
    cli_path(profiles_dir, sizeof profiles_dir, "%s/profiles", cli_templates_dir());
    const char *profile = in->profile;
    if (!profile && !in->mapping_path) {
        profile = "generic";
        cli_log("profile generic (a database source; give --profile or --mapping for another)");
    }
    lp_status st = lp_mapping_load(profiles_dir, profile, in->mapping_path, &out->mapping, errmsg);
    if (st) {
        cli_error("%s", errmsg[0] ? errmsg : lp_status_str(st));
        return lp_status_exit_code_blaming(st, EXIT_BAD_INPUT);
    }
    cli_phase_clock clock = cli_phase_begin();
    lp_warehouse_options options = {
        .source = in->source,
        .mapping = out->mapping,
        .settings = &out->settings,
        .threads = 0,
        .log = log_line,
        .period_label = in->period_label,
        .columns = in->columns,
    };
    options.has_as_of = out->has_as_of;
    options.as_of = out->as_of;
    int code = run_now(in, &out->settings, &options.has_now, &options.now);
    if (code) return code;
    st = lp_warehouse_load(&options, &out->dataset, errmsg);
    if (st) {
        cli_error("%s", errmsg[0] ? errmsg : lp_status_str(st));
        return lp_status_exit_code(st);
    }
    log_loaded(out->dataset, cli_phase_end("load", clock), "tables");
    return EXIT_DONE;
}

/* Header drift (lp/draft.h): each changed file is warned about on stderr
 * at once and becomes a data-quality note once the dataset exists. */
typedef struct header_warnings {
    lp_buf files;      /* file names, NUL-separated */
    lp_buf messages;   /* messages, NUL-separated */
    size_t n;
} header_warnings;

static void header_warn(void *ctx, const char *file, const char *message)
{
    header_warnings *w = ctx;
    fprintf(stderr, "leadpack: warning: %s\n", message);
    lp_buf_append(&w->files, file, strlen(file) + 1);
    lp_buf_append(&w->messages, message, strlen(message) + 1);
    w->n++;
}

static lp_status header_notes(header_warnings *w, const lp_mapping *m, lp_dataset *ds)
{
    if (w->files.failed || w->messages.failed) return LP_ERR_NOMEM;
    const char *file = w->files.data, *message = w->messages.data;
    for (size_t i = 0; i < w->n; i++) {
        const char *table = "";
        for (int t = 0; t < LP_TABLE_COUNT && !*table; t++)
            for (size_t p = 0; p < m->tables[t].nfiles && !*table; p++)
                if (!fnmatch(m->tables[t].files[p], file, FNM_CASEFOLD))
                    table = lp_canon_table_name((lp_table_id)t);
        lp_status st = lp_dataset_add_note(ds, table, "header_change", 1, message);
        if (st) return st;
        file += strlen(file) + 1;
        message += strlen(message) + 1;
    }
    return LP_OK;
}

int cli_load(const cli_input *in, cli_loaded *out)
{
    char errmsg[LP_ERRMSG_SIZE] = "";
    memset(out, 0, sizeof(*out));
    lp_stats_init();

    lp_status st = lp_settings_init(&out->settings);
    if (st) {
        cli_error("settings: %s", lp_status_str(st));
        return lp_status_exit_code(st);
    }
    out->settings_ready = true;
    if (in->settings_path) {
        st = lp_settings_load(&out->settings, in->settings_path, errmsg);
        if (st) {
            cli_error("%s", errmsg[0] ? errmsg : lp_status_str(st));
            return EXIT_BAD_INPUT;
        }
    }
    /* A pack written for a period kind (the monthly review) uses it unless
     * --period names another: the measures and a --source's pushdown
     * window both read it from the settings. */
    if (in->period_kind &&
        lp_period_kind_parse(in->period_kind, &out->settings.calendar.kind) != LP_OK) {
        cli_error("unknown period kind \"%s\" (%s)", in->period_kind, LP_PERIOD_KIND_NAMES);
        return EXIT_BAD_INPUT;
    }
    if (lp_tz_set(out->settings.time_zone) != LP_OK) {
        cli_error("%s: unknown time zone \"%s\"",
                  in->settings_path ? in->settings_path : "settings",
                  out->settings.time_zone);
        return EXIT_BAD_INPUT;
    }
    if (in->as_of_text) {
        /* The one reading of --as-of: a time without an offset is local
         * time in the settings' zone. */
        if (lp_time_parse_instant(in->as_of_text, out->settings.time_zone, &out->as_of) !=
            LP_OK) {
            cli_error("--as-of \"%s\" is not an ISO 8601 date or time", in->as_of_text);
            return EXIT_USAGE;
        }
        out->has_as_of = true;
    }

    if (in->source) return cli_load_source(in, out);

    char sample[PATH_MAX + 64];
    const char *input_dir = in->input_dir;
    if (!input_dir) {
        cli_path(sample, sizeof sample, "%s/fixtures/sample/salesforce", cli_data_dir());
        input_dir = sample;
    }
    if (!is_dir(input_dir)) {
        cli_error("%s: no such folder", input_dir);
        return EXIT_BAD_INPUT;
    }
    out->input_dir = lp_strdup(input_dir);
    if (!out->input_dir) return EXIT_OUTPUT;

    char profiles_dir[PATH_MAX + 32];
    cli_path(profiles_dir, sizeof profiles_dir, "%s/profiles", cli_templates_dir());
    char *detected = NULL;
    char reason[512] = "";
    const char *profile = in->profile;
    if (!profile && !in->mapping_path) {
        st = lp_mapping_detect(profiles_dir, input_dir, &detected, reason, sizeof reason);
        if (st) {
            cli_error("%s: could not tell which CRM the exports come from (%s); "
                      "give --profile or --mapping", input_dir,
                      reason[0] ? reason : lp_status_str(st));
            return EXIT_BAD_INPUT;
        }
        cli_log("profile %s (%s)", detected, reason);
        profile = detected;
    }
    st = lp_mapping_load(profiles_dir, profile, in->mapping_path, &out->mapping, errmsg);
    if (st) {
        cli_error("%s", errmsg[0] ? errmsg : lp_status_str(st));
        lp_free(detected);
        return lp_status_exit_code_blaming(st, EXIT_BAD_INPUT);
    }

    /* a mapping drafted by `leadpack map` knows the headers it was made from */
    header_warnings drift = {0};
    st = lp_mapping_headers_compare(out->mapping, input_dir, header_warn, &drift, NULL);
    if (st) {
        cli_error("%s", lp_status_str(st));
        lp_free(detected);
        return lp_status_exit_code(st);
    }

    cli_phase_clock clock = cli_phase_begin();
    lp_load_options options = {
        .input_dir = input_dir,
        .mapping = out->mapping,
        .settings = &out->settings,
        .progress = !log_quiet,
        .threads = 0,
        .columns = in->columns,
        .defer_digests = in->defer_digests,
    };
    int code = run_now(in, &out->settings, &options.has_now, &options.now);
    if (code) {
        lp_free(detected);
        return code;
    }
    st = lp_dataset_load(&options, &out->dataset, errmsg);
    if (st == LP_OK) st = header_notes(&drift, out->mapping, out->dataset);
    lp_buf_reset(&drift.files);
    lp_buf_reset(&drift.messages);
    if (st == LP_OK) {
        const char *name = out->mapping->profile ? out->mapping->profile : "custom mapping";
        out->dataset->profile = lp_strdup(name);
        out->dataset->profile_reason = lp_strdup(detected ? reason : "given");
        if (!out->dataset->profile || !out->dataset->profile_reason) st = LP_ERR_NOMEM;
    }
    lp_free(detected);
    if (st) {
        cli_error("%s", errmsg[0] ? errmsg : lp_status_str(st));
        return lp_status_exit_code(st);
    }
    log_loaded(out->dataset, cli_phase_end("load", clock), "files");
    return EXIT_DONE;
}

void cli_loaded_clear(cli_loaded *loaded)
{
    lp_dataset_free(loaded->dataset);
    lp_mapping_free(loaded->mapping);
    if (loaded->settings_ready) lp_settings_clear(&loaded->settings);
    lp_free(loaded->input_dir);
    memset(loaded, 0, sizeof(*loaded));
}

/* ---- Phase timings ---- */

#define MAX_PHASES 16

static struct {
    const char *name;
    double wall, cpu, peak_mb;
} phases[MAX_PHASES];
static int nphases;

static double process_cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

cli_phase_clock cli_phase_begin(void)
{
    cli_phase_clock clock = {cli_now(), process_cpu()};
    return clock;
}

double cli_phase_end(const char *name, cli_phase_clock start)
{
    double wall = cli_now() - start.wall;
    cli_phase_record(name, wall, process_cpu() - start.cpu);
    return wall;
}

void cli_phase_record(const char *name, double wall, double cpu)
{
    if (nphases >= MAX_PHASES) return;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    phases[nphases].name = name;
    phases[nphases].wall = wall;
    phases[nphases].cpu = cpu;
    phases[nphases].peak_mb = (double)ru.ru_maxrss / 1024.0;
    nphases++;
}

double cli_thread_cpu(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return 0;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

lp_status cli_timings_write(const char *path)
{
    lp_outfile out;
    lp_status st = lp_outfile_open(&out, path);
    if (st) return st;
    fputs("phase,wall_s,cpu_s,peak_rss_mb\n", out.fp);
    for (int i = 0; i < nphases; i++)
        fprintf(out.fp, "%s,%.6f,%.6f,%.1f\n", phases[i].name, phases[i].wall, phases[i].cpu,
                phases[i].peak_mb);
    return lp_outfile_commit(&out);
}
