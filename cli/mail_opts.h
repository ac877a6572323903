/*
 * mail_opts.h: mail options shared by `leadpack mail` and `leadpack run
 * --mail`, and the message bundle a run leaves for the mail command.
 *
 * A run writes OUT/message/: subject.txt, headlines.txt (one sentence a
 * line), kpis.csv (label,value,change,status) and trend.png, so that
 * `leadpack mail` can send the pack just produced without recomputing it.
 */
#ifndef LP_CLI_MAIL_OPTS_H
#define LP_CLI_MAIL_OPTS_H

#include "cli.h"
#include "lp/narrative.h"
#include "lp/results.h"
#include "lp/template.h"

typedef struct cli_mail_opts {
    const char *to;            /* comma-separated */
    const char *cc;
    const char *from;
    const char *smtp;
    bool starttls;
    bool attach_workbook;
    const char *dry_run_path;  /* write an .eml instead of sending */
    const char *pdf_path;      /* mail: a given PDF instead of the last pack's */
} cli_mail_opts;

/* The mail options, as cli_option entries filling *m (cli_options_parse). */
#define CLI_MAIL_OPTIONS(m)                                                \
    {"to", &(m)->to, NULL}, {"cc", &(m)->cc, NULL},                        \
    {"from", &(m)->from, NULL}, {"smtp", &(m)->smtp, NULL},                \
    {"starttls", NULL, &(m)->starttls},                                    \
    {"attach-workbook", NULL, &(m)->attach_workbook},                      \
    {"dry-run", &(m)->dry_run_path, NULL}

void cli_mail_opts_init(cli_mail_opts *opts);

/* Writes OUT/message/ from the narrative and results (the trend chart as
 * PNG). Returns an exit code. */
int cli_mail_bundle_write(const lp_results *results, const lp_narrative *narrative,
                          const lp_template *tpl, const char *out_dir);
/* Sends the pack in out_dir (its message bundle, PDF and, when asked, the
 * workbook). Recipients, server and sender fall back to the settings.
 * Returns an exit code (4 when delivery failed). */
int cli_mail_send_bundle(const cli_mail_opts *opts, const lp_settings *settings,
                         const char *out_dir, const char *pdf_path, const char *xlsx_path);

#endif
