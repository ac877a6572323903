/*
 * leadpack mail, and the message bundle that `run` leaves for it. The mail
 * body carries the headline sentences and KPI table exactly as the
 * narrative worded them, so the message, the PDF and the workbook agree.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "lp/chart.h"
#include "lp/fileio.h"
#include "lp/mail.h"
#include "mail_opts.h"

#define MAX_ADDRESSES 64
#define MAX_LINES 64

void cli_mail_opts_init(cli_mail_opts *opts) { memset(opts, 0, sizeof(*opts)); }

/* ---- The bundle ---- */

/* CSV field, quoted when needed (RFC 4180). */
static void csv_field(FILE *fp, const char *s, bool last)
{
    s = s ? s : "";
    if (strpbrk(s, ",\"\r\n")) {
        fputc('"', fp);
        for (; *s; s++) {
            if (*s == '"') fputc('"', fp);
            fputc(*s, fp);
        }
        fputc('"', fp);
    } else {
        fputs(s, fp);
    }
    fputc(last ? '\n' : ',', fp);
}

static lp_status write_text_file(const char *path, const char *const *lines, size_t n)
{
    lp_outfile out;
    lp_status st = lp_outfile_open(&out, path);
    if (st) return st;
    for (size_t i = 0; i < n; i++) {
        /* One sentence a line: a sentence never holds a newline. */
        for (const char *p = lines[i]; *p; p++) fputc(*p == '\n' ? ' ' : *p, out.fp);
        fputc('\n', out.fp);
    }
    return lp_outfile_commit(&out);
}

int cli_mail_bundle_write(const lp_results *results, const lp_narrative *narrative,
                          const lp_template *tpl, const char *out_dir)
{
    char dir[PATH_MAX], path[PATH_MAX + 32];
    cli_path(dir, sizeof dir, "%s/message", out_dir);
    if (lp_mkdir_p(dir) != LP_OK) {
        cli_error("%s: cannot create the folder", dir);
        return EXIT_OUTPUT;
    }
    char subject[256];
    cli_path(subject, sizeof subject, "%s, %s", tpl->title ? tpl->title : "leadpack",
             results->period_label);
    const char *subject_line = subject, *period_line = results->period_label;
    cli_path(path, sizeof path, "%s/subject.txt", dir);
    lp_status st = write_text_file(path, &subject_line, 1);
    if (!st) {
        cli_path(path, sizeof path, "%s/period.txt", dir);
        st = write_text_file(path, &period_line, 1);
    }
    if (!st) {
        cli_path(path, sizeof path, "%s/headlines.txt", dir);
        st = write_text_file(path, (const char *const *)narrative->headlines,
                             narrative->nheadlines);
    }
    if (!st) {
        lp_outfile out;
        cli_path(path, sizeof path, "%s/kpis.csv", dir);
        st = lp_outfile_open(&out, path);
        if (!st) {
            fputs("label,value,change,status\n", out.fp);
            for (size_t i = 0; i < narrative->nkpis; i++) {
                csv_field(out.fp, narrative->kpis[i].label, false);
                csv_field(out.fp, narrative->kpis[i].value, false);
                csv_field(out.fp, narrative->kpis[i].change, false);
                csv_field(out.fp, narrative->kpis[i].status, true);
            }
            st = lp_outfile_commit(&out);
        }
    }
    if (!st) {
        char errmsg[LP_ERRMSG_SIZE] = "";
        cli_path(path, sizeof path, "%s/trend.png", dir);
        st = lp_chart_write_trend_png(results, path, errmsg);
        if (st) {
            cli_error("%s", errmsg[0] ? errmsg : lp_status_str(st));
            return EXIT_OUTPUT;
        }
    }
    if (st) {
        cli_error("%s: cannot write the message bundle (%s)", dir, lp_status_str(st));
        return EXIT_OUTPUT;
    }
    return EXIT_DONE;
}

/* ---- Reading the bundle back ---- */

typedef struct bundle {
    char *subject;
    char *lines[MAX_LINES];      /* headline sentences */
    size_t nlines;
    char *kpi_fields[MAX_LINES][4];
    lp_mail_kpi kpis[MAX_LINES];
    size_t nkpis;
} bundle;

static void bundle_clear(bundle *b)
{
    free(b->subject);
    for (size_t i = 0; i < b->nlines; i++) free(b->lines[i]);
    for (size_t i = 0; i < b->nkpis; i++)
        for (int f = 0; f < 4; f++) free(b->kpi_fields[i][f]);
    memset(b, 0, sizeof(*b));
}

static char *read_line(FILE *fp)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, fp);
    if (n < 0) {
        free(line);
        return NULL;
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
    return line;
}

/* Splits one CSV record of four fields (quoted fields hold no newline here). */
static bool split_kpi(const char *line, char *fields[4])
{
    const char *p = line;
    for (int f = 0; f < 4; f++) {
        lp_buf field = {0};
        if (*p == '"') {
            for (p++; *p; p++) {
                if (*p == '"' && p[1] == '"') {
                    lp_buf_append(&field, "\"", 1);
                    p++;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    lp_buf_append(&field, p, 1);
                }
            }
        } else {
            const char *end = strchr(p, ',');
            size_t len = end ? (size_t)(end - p) : strlen(p);
            lp_buf_append(&field, p, len);
            p += len;
        }
        fields[f] = strdup(field.data ? field.data : "");
        lp_buf_reset(&field);
        if (f < 3) {
            if (*p != ',') return false;
            p++;
        }
    }
    return true;
}

static int bundle_read(const char *out_dir, bundle *b)
{
    char path[PATH_MAX + 32];
    memset(b, 0, sizeof(*b));
    cli_path(path, sizeof path, "%s/message/subject.txt", out_dir);
    FILE *fp = fopen(path, "r");
    if (!fp || !(b->subject = read_line(fp))) {
        if (fp) fclose(fp);
        cli_error("%s: no pack to mail; run `leadpack run --out %s` first", path, out_dir);
        return EXIT_BAD_INPUT;
    }
    fclose(fp);
    cli_path(path, sizeof path, "%s/message/headlines.txt", out_dir);
    if ((fp = fopen(path, "r"))) {
        char *line;
        while (b->nlines < MAX_LINES && (line = read_line(fp))) b->lines[b->nlines++] = line;
        fclose(fp);
    }
    cli_path(path, sizeof path, "%s/message/kpis.csv", out_dir);
    if ((fp = fopen(path, "r"))) {
        char *line = read_line(fp); /* header */
        free(line);
        while (b->nkpis < MAX_LINES && (line = read_line(fp))) {
            char **fields = b->kpi_fields[b->nkpis];
            bool ok = split_kpi(line, fields);
            free(line);
            if (!ok) {
                for (int f = 0; f < 4; f++) free(fields[f]);
                continue;
            }
            b->kpis[b->nkpis] = (lp_mail_kpi){fields[0], fields[1], fields[2], fields[3]};
            b->nkpis++;
        }
        fclose(fp);
    }
    return EXIT_DONE;
}

/* Splits a comma-separated address list in place. */
static size_t split_addresses(char *list, const char **out, size_t max)
{
    size_t n = 0;
    for (char *tok = strtok(list, ","); tok && n < max; tok = strtok(NULL, ",")) {
        while (*tok == ' ') tok++;
        char *end = tok + strlen(tok);
        while (end > tok && end[-1] == ' ') *--end = '\0';
        if (*tok) out[n++] = tok;
    }
    return n;
}

static bool file_exists(const char *path)
{
    struct stat st;
    return path && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Prints a mail library error: its messages already start with "mail: ". */
static void mail_error(const char *errmsg, lp_status st)
{
    if (errmsg[0]) cli_error("%s", errmsg);
    else cli_error("mail: %s", lp_status_str(st));
}

/* true when an smtp:// URL names this machine (localhost, 127.0.0.0/8 or
 * [::1]): a relay there is reached without crossing a network, so the
 * settings' STARTTLS requirement (mail.starttls, on by default) does not
 * apply to it; --starttls still requires it. */
static bool smtp_on_loopback(const char *url)
{
    if (!url || strncmp(url, "smtp://", 7) != 0) return false;
    const char *host = url + 7;
    const char *end = host + strcspn(host, "/?#");
    const char *at = memchr(host, '@', (size_t)(end - host));
    if (at) host = at + 1;
    size_t len;
    if (*host == '[') {
        const char *close = memchr(host, ']', (size_t)(end - host));
        if (!close) return false;
        len = (size_t)(close - host) + 1;
        return len == 5 && strncmp(host, "[::1]", 5) == 0;
    }
    len = strcspn(host, ":/?#");
    if (len == 9 && strncasecmp(host, "localhost", 9) == 0) return true;
    if (len < 4 || strncmp(host, "127.", 4) != 0) return false;
    for (size_t i = 4; i < len; i++)
        if (!((host[i] >= '0' && host[i] <= '9') || host[i] == '.')) return false;
    return true;
}

int cli_mail_send_bundle(const cli_mail_opts *opts, const lp_settings *settings,
                         const char *out_dir, const char *pdf_path, const char *xlsx_path)
{
    const char *to = opts->to ? opts->to : settings->mail_to;
    const char *cc = opts->cc ? opts->cc : settings->mail_cc;
    const char *from = opts->from ? opts->from : settings->mail_from;
    const char *smtp = opts->smtp ? opts->smtp : settings->mail_smtp;
    if (!from) from = "leadpack <leadpack@localhost>";
    if (!to || !*to) {
        cli_error("mail: no recipients; give --to or mail_to in the settings");
        return EXIT_USAGE;
    }
    if (!smtp && !opts->dry_run_path) {
        cli_error("mail: no SMTP server; give --smtp smtp://host:port or mail_smtp in the settings");
        return EXIT_USAGE;
    }
    if (!file_exists(pdf_path)) {
        cli_error("%s: no such PDF to attach", pdf_path ? pdf_path : "(none)");
        return EXIT_BAD_INPUT;
    }
    if (opts->attach_workbook && !file_exists(xlsx_path)) {
        cli_error("%s: no such workbook to attach", xlsx_path ? xlsx_path : "(none)");
        return EXIT_BAD_INPUT;
    }

    bundle b;
    int exit_code = bundle_read(out_dir, &b);
    if (exit_code) return exit_code;

    char *to_copy = strdup(to), *cc_copy = strdup(cc ? cc : "");
    const char *to_list[MAX_ADDRESSES], *cc_list[MAX_ADDRESSES];
    size_t nto = to_copy ? split_addresses(to_copy, to_list, MAX_ADDRESSES) : 0;
    size_t ncc = cc_copy ? split_addresses(cc_copy, cc_list, MAX_ADDRESSES) : 0;

    char png[PATH_MAX + 32];
    cli_path(png, sizeof png, "%s/message/trend.png", out_dir);
    lp_mail_spec spec = {
        .from = from,
        .to = to_list,
        .nto = nto,
        .cc = cc_list,
        .ncc = ncc,
        .subject = b.subject,
        .headlines = (const char *const *)b.lines,
        .nheadlines = b.nlines,
        .kpis = b.kpis,
        .nkpis = b.nkpis,
        .chart_png_path = file_exists(png) ? png : NULL,
        .chart_alt = "Qualified leads per period over the last 13 periods",
        .pdf_path = pdf_path,
        .workbook_path = opts->attach_workbook ? xlsx_path : NULL,
    };
    char errmsg[LP_ERRMSG_SIZE] = "";
    lp_mail_message *message = NULL;
    lp_status st = lp_mail_message_new(&spec, &message, errmsg);
    if (st) {
        mail_error(errmsg, st);
        exit_code = lp_status_exit_code_blaming(st, EXIT_USAGE);
        goto cleanup;
    }
    lp_mail_options options = {
        .smtp_url = smtp,
        .starttls = opts->starttls || (settings->mail_starttls && !smtp_on_loopback(smtp)),
        .use_netrc = true,
        .size_limit = settings->mail_max_mb > 0
                          ? (size_t)(settings->mail_max_mb * 1024.0 * 1024.0) : 0,
        .dry_run = opts->dry_run_path != NULL,
        .eml_path = opts->dry_run_path,
    };
    lp_mail_report report;
    st = lp_mail_send(message, &options, &report, errmsg);
    if (report.oversized) fprintf(stderr, "leadpack: warning: %s\n", report.warning);
    if (st) {
        mail_error(errmsg, st);
        exit_code = lp_status_exit_code(st);
        goto cleanup;
    }
    if (options.dry_run)
        cli_log("mail: wrote %s (%zu bytes) for %zu recipients", opts->dry_run_path,
                report.message_bytes, nto + ncc);
    else
        cli_log("mail: sent %s (%zu bytes) to %zu recipients after %d attempt%s",
                lp_mail_message_id(message), report.message_bytes, nto + ncc,
                report.attempts, report.attempts == 1 ? "" : "s");

cleanup:
    lp_mail_message_free(message);
    free(to_copy);
    free(cc_copy);
    bundle_clear(&b);
    return exit_code;
}

int cmd_mail(int argc, char **argv)
{
    cli_mail_opts opts;
    cli_mail_opts_init(&opts);
    const char *out_dir = "out", *settings_path = NULL;
    bool quiet = false;
    const cli_option mail_options[] = {
        CLI_MAIL_OPTIONS(&opts),
        {"pdf", &opts.pdf_path, NULL},
        {"out", &out_dir, NULL},
        {"settings", &settings_path, NULL},
        {"quiet", NULL, &quiet},
    };
    int code = cli_options_parse("mail", argc, argv, mail_options,
                                 sizeof mail_options / sizeof *mail_options);
    if (code) return code;
    cli_log_set_quiet(quiet);
    lp_settings settings;
    if (lp_settings_init(&settings) != LP_OK) return EXIT_OUTPUT;
    char errmsg[LP_ERRMSG_SIZE] = "";
    if (settings_path && lp_settings_load(&settings, settings_path, errmsg) != LP_OK) {
        cli_error("%s", errmsg);
        lp_settings_clear(&settings);
        return EXIT_BAD_INPUT;
    }
    /* The last pack's files: the subject names its period. */
    char pdf[PATH_MAX], xlsx[PATH_MAX], subject_path[PATH_MAX + 32];
    pdf[0] = xlsx[0] = '\0';
    cli_path(subject_path, sizeof subject_path, "%s/message/period.txt", out_dir);
    FILE *fp = fopen(subject_path, "r");
    if (fp) {
        char *period = read_line(fp);
        fclose(fp);
        if (period) {
            cli_path(pdf, sizeof pdf, "%s/leadpack-%s.pdf", out_dir, period);
            cli_path(xlsx, sizeof xlsx, "%s/leadpack-%s.xlsx", out_dir, period);
            free(period);
        }
    }
    int exit_code = cli_mail_send_bundle(&opts, &settings, out_dir,
                                         opts.pdf_path ? opts.pdf_path : pdf, xlsx);
    lp_settings_clear(&settings);
    return exit_code;
}
