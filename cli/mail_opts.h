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

#include <getopt.h>

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

enum { OPT_MAIL_TO = 512, OPT_MAIL_CC, OPT_MAIL_FROM, OPT_MAIL_SMTP, OPT_MAIL_STARTTLS,
       OPT_MAIL_ATTACH_WORKBOOK, OPT_MAIL_DRY_RUN, OPT_MAIL_PDF };

#define CLI_MAIL_LONG_OPTIONS                                              \
    {"to", required_argument, NULL, OPT_MAIL_TO},                          \
    {"cc", required_argument, NULL, OPT_MAIL_CC},                          \
    {"from", required_argument, NULL, OPT_MAIL_FROM},                      \
    {"smtp", required_argument, NULL, OPT_MAIL_SMTP},                      \
    {"starttls", no_argument, NULL, OPT_MAIL_STARTTLS},                    \
    {"attach-workbook", no_argument, NULL, OPT_MAIL_ATTACH_WORKBOOK},      \
    {"dry-run", required_argument, NULL, OPT_MAIL_DRY_RUN}

void cli_mail_opts_init(cli_mail_opts *opts);
/* Takes a mail option from getopt_long; false when c is not one. */
bool cli_mail_opts_parse(cli_mail_opts *opts, int c, const char *arg);

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
