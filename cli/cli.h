/*
 * cli.h: shared plumbing of the leadpack subcommands: where the shipped
 * templates and sample live, the per-phase log, and the steps every
 * subcommand that reads exports shares (settings, mapping, load).
 */
#ifndef LP_CLI_H
#define LP_CLI_H

#include "lp/load.h"
#include "lp/mapping.h"
#include "lp/settings.h"

/* Exit codes (documented in README and the man page). */
enum {
    EXIT_DONE = 0,
    EXIT_USAGE = 1,
    EXIT_BAD_INPUT = 2,
    EXIT_OUTPUT = 3,
    EXIT_DELIVERY = 4
};

/* Options shared by run and check. */
typedef struct cli_input {
    const char *input_dir;     /* --input, or NULL for the built-in sample */
    const char *source;        /* --source postgresql://..., or NULL */
    const char *profile;       /* --profile */
    const char *mapping_path;  /* --mapping */
    const char *settings_path; /* --settings */
    bool quiet;                /* --quiet */
    const uint32_t *columns;   /* lp_load_options.columns: NULL loads every column */
    bool defer_digests;        /* lp_load_options.defer_digests (run) */
    /* run only: --as-of, or NULL. Given, nothing is future-dated (the
     * clock is not read); NULL, rows dated after the moment of the run
     * (the clock, or $LEADPACK_NOW) are set aside (lp_load_options.now).
     * Also fixes a --source's pushdown window, with: */
    const char *as_of_text;
    const char *period_label;  /* --period, or NULL */
    const char *period_kind;   /* the template's period kind ("month"...), or NULL;
                                  cli_load sets the settings' calendar to it */
} cli_input;

/* What loading produced; release with cli_loaded_clear. */
typedef struct cli_loaded {
    lp_settings settings;
    bool settings_ready;
    lp_mapping *mapping;
    lp_dataset *dataset;
    char *input_dir;           /* resolved input folder (owned) */
    bool has_as_of;            /* --as-of was given: */
    int64_t as_of;             /* read once, in the settings' time zone */
} cli_loaded;

/* The folder holding templates/ and fixtures/ (installed share/leadpack, or
 * the source tree when run from a build folder). Never NULL. */
const char *cli_data_dir(void);
/* cli_data_dir()/templates. */
const char *cli_templates_dir(void);

/* snprintf into a path buffer; false (and an empty buffer) when the path
 * would not fit, so no truncated path is ever used. */
bool cli_path(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Phase log on stderr: "leadpack: load 0.42 s ..." unless quiet. */
void cli_log_set_quiet(bool quiet);
double cli_now(void);
void cli_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Phase timings for `run --timings FILE` (the benchmark reads them): a
 * phase starts with cli_phase_begin and is recorded by cli_phase_end with its
 * wall time, CPU time of the whole process (all threads) and peak memory. */
typedef struct cli_phase_clock {
    double wall;   /* monotonic seconds at the start */
    double cpu;    /* process CPU seconds at the start */
} cli_phase_clock;
cli_phase_clock cli_phase_begin(void);
/* Records the phase and returns its wall seconds. */
double cli_phase_end(const char *name, cli_phase_clock start);
/* Records a part of a phase that ran on its own thread (e.g. "render.pdf"),
 * with that thread's wall and CPU seconds, after the phase it belongs to. */
void cli_phase_record(const char *name, double wall, double cpu);
/* CPU seconds of the calling thread so far. */
double cli_thread_cpu(void);
/* Writes phase,wall_s,cpu_s,peak_rss_mb rows (CSV) atomically. */
lp_status cli_timings_write(const char *path);

/* One long option of a subcommand: --NAME VALUE stores VALUE (borrowed
 * from argv) in *text, --NAME alone sets *flag; exactly one of the two is
 * set. */
typedef struct cli_option {
    const char *name;      /* "as-of" for --as-of */
    const char **text;     /* takes a value: stored here */
    bool *flag;            /* takes none: set true */
} cli_option;

/* Parses argv[1..] against options[0..n) (getopt_long: options and
 * arguments in any order, --name=value or --name value). An unknown or
 * incomplete option, or an argument that is no option, is reported as
 * "COMMAND: ...; see leadpack help COMMAND" and gives EXIT_USAGE; else
 * EXIT_DONE. At most CLI_MAX_OPTIONS options. */
#define CLI_MAX_OPTIONS 32
int cli_options_parse(const char *command, int argc, char **argv, const cli_option *options,
                      size_t n);

/* One-line error on stderr: "leadpack: error: ...". */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Settings, time zone, mapping (given or detected profile) and load.
 * Returns an exit code (EXIT_DONE on success) after printing any error. */
int cli_load(const cli_input *in, cli_loaded *out);
void cli_loaded_clear(cli_loaded *loaded);

int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_fixtures(int argc, char **argv);
int cmd_templates(int argc, char **argv);
int cmd_mail(int argc, char **argv);
int cmd_map(int argc, char **argv);
int cmd_history(int argc, char **argv);

#endif
