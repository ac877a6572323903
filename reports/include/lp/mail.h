/*
 * mail.h: the weekly pack as an email, sent over SMTP.
 *
 * The message is built here, byte for byte, as an RFC 5322 / MIME message:
 *
 *   multipart/mixed
 *     multipart/related              (only when a chart is inlined)
 *       multipart/alternative
 *         text/plain; charset=UTF-8  quoted-printable
 *         text/html;  charset=UTF-8  quoted-printable, KPI table, <img cid:>
 *       image/png                    base64, Content-ID, inline
 *     application/pdf                base64, attachment; filename=...
 *     workbook (.xlsx)               base64, attachment (optional)
 *
 * Why build the bytes ourselves rather than use libcurl's curl_mime_* API:
 * the exact same bytes are needed for --dry-run (an .eml file), for the size
 * check before sending (what the server's SIZE limit sees, after base64), and
 * for tests that read the message without a server. curl_mime_* assembles
 * the message only while uploading, with its own boundaries and no access to
 * the result. So lp_mail_message_new() produces the complete message once,
 * and lp_mail_send() uploads it unchanged with CURLOPT_READFUNCTION; libcurl
 * still does the SMTP dialogue, dot-stuffing, TLS and AUTH.
 *
 * Every string inserted into the HTML part is HTML-escaped. Header values
 * that are not plain ASCII are encoded as RFC 2047 encoded-words (UTF-8,
 * base64); non-ASCII attachment names use RFC 2231. Inputs must be valid
 * UTF-8; header inputs (subject, addresses) must not contain CR or LF.
 *
 * Credentials: lp_mail_send() reads the SMTP user and password only from the
 * environment (LEADPACK_SMTP_USER, LEADPACK_SMTP_PASSWORD) or, when
 * use_netrc is set and the environment has none, from ~/.netrc (or
 * netrc_file). They are never taken as arguments and never appear in an
 * error message or log.
 *
 * libcurl: curl_easy_init() initialises libcurl on first use; a
 * multi-threaded program should call curl_global_init(CURL_GLOBAL_DEFAULT)
 * once at start-up, before any thread sends mail.
 */
#ifndef LP_MAIL_H
#define LP_MAIL_H

#include <stdint.h>

#include "lp/lp.h"

/* Default size above which lp_mail_check_size() warns: 10 MiB, the
 * smallest limit common among mail providers. */
#define LP_MAIL_SIZE_LIMIT_DEFAULT ((size_t)10 * 1024 * 1024)

/* One row of the KPI table in the message body. All strings borrowed,
 * UTF-8; NULL is printed as empty. */
typedef struct lp_mail_kpi {
    const char *label;   /* "Qualified leads" */
    const char *value;   /* "412" */
    const char *change;  /* "up 38 (10%) on last week" */
    const char *status;  /* "on target" */
} lp_mail_kpi;

/* What the message says and carries. Plain inputs, all borrowed: the
 * message copies what it needs, so the spec may be freed after
 * lp_mail_message_new() returns. */
typedef struct lp_mail_spec {
    const char *from;              /* required: "leadpack@example.com" or
                                      "Leadpack <leadpack@example.com>";
                                      its domain names the Message-ID */
    const char *const *to;         /* required: nto >= 1 addresses, same forms */
    size_t nto;
    const char *const *cc;         /* optional: ncc addresses */
    size_t ncc;
    const char *subject;           /* required: "Weekly leadership pack, 2026-W47" */
    const char *title;             /* heading of the body; NULL = subject */
    const char *const *headlines;  /* headline sentences, one paragraph each */
    size_t nheadlines;
    const lp_mail_kpi *kpis;       /* KPI table rows; nkpis = 0 leaves it out */
    size_t nkpis;
    const char *chart_png_path;    /* PNG shown inline (cid:); NULL = none */
    const char *chart_alt;         /* alt text of the chart; NULL = "Chart" */
    const char *pdf_path;          /* PDF to attach; NULL = none */
    const char *workbook_path;     /* workbook to attach; NULL = none */
    int64_t date;                  /* Date header, seconds since the epoch
                                      (UTC); 0 = now */
} lp_mail_spec;

/* A complete message: header and body bytes, CRLF line endings, 7-bit. */
typedef struct lp_mail_message lp_mail_message;

/* Builds the message. Reads the chart, PDF and workbook files.
 * LP_ERR_USAGE when a required field is missing, an address is malformed
 * (no '@', spaces, non-ASCII) or a header input holds CR/LF; LP_ERR_INPUT
 * when a string is not valid UTF-8; LP_ERR_IO when a file cannot be read;
 * LP_ERR_NOMEM. errmsg (LP_ERRMSG_SIZE bytes, may be NULL) says which input
 * and why. Caller frees *out_message with lp_mail_message_free(). */
lp_status lp_mail_message_new(const lp_mail_spec *spec, lp_mail_message **out_message,
                              char *errmsg);
void lp_mail_message_free(lp_mail_message *message);

/* The message bytes (NUL-terminated, CRLF line endings) and their length:
 * what is uploaded and what a dry run writes. Borrowed. */
const char *lp_mail_message_data(const lp_mail_message *message);
size_t lp_mail_message_size(const lp_mail_message *message);
/* The Message-ID, with angle brackets: "<...@example.com>". Borrowed. */
const char *lp_mail_message_id(const lp_mail_message *message);
/* Envelope sender (bare address) and recipients (To then Cc, bare). */
const char *lp_mail_message_sender(const lp_mail_message *message);
size_t lp_mail_message_nrecipients(const lp_mail_message *message);
const char *lp_mail_message_recipient(const lp_mail_message *message, size_t i);

/* Size check. Returns true when the message is larger than limit_bytes
 * (0 = LP_MAIL_SIZE_LIMIT_DEFAULT) and then writes a warning for the user
 * into warning (LP_ERRMSG_SIZE bytes, may be NULL): the size, the limit, and
 * whether leaving the workbook out (no --attach-workbook) would help. */
bool lp_mail_check_size(const lp_mail_message *message, size_t limit_bytes, char *warning);

/* Writes the message as an .eml file, atomically (fileio.h).
 * LP_ERR_OUTPUT when it cannot be written. */
lp_status lp_mail_message_write(const lp_mail_message *message, const char *path,
                                char *errmsg);

/* How to deliver. Zero-initialise, then set what you need. */
typedef struct lp_mail_options {
    const char *smtp_url;      /* "smtp://host:port" or "smtps://host:port"
                                  (implicit TLS); required unless dry_run */
    bool starttls;             /* require STARTTLS on smtp:// (CURLUSESSL_ALL);
                                  fails if the server does not offer it */
    const char *ca_file;       /* PEM bundle to verify the server with;
                                  NULL = the system's */
    bool use_netrc;            /* fall back to ~/.netrc for credentials */
    const char *netrc_file;    /* netrc file instead of ~/.netrc; NULL = default */
    int max_retries;           /* retries after a 4xx answer; < 0 = none,
                                  0 = default 3 */
    long retry_delay_ms;       /* wait before the first retry, doubled for
                                  each next one (capped at 5 minutes);
                                  0 = default 30 000 ms */
    long connect_timeout_s;    /* 0 = default 30 s */
    long timeout_s;            /* whole transfer, per attempt; 0 = default 300 s */
    size_t size_limit;         /* bytes for the size warning; 0 = default */
    bool dry_run;              /* write eml_path instead of sending */
    const char *eml_path;      /* required when dry_run */
} lp_mail_options;

/* What happened, for the log line and the CLI. */
typedef struct lp_mail_report {
    size_t message_bytes;          /* size of what was (or would be) sent */
    bool oversized;                /* message_bytes > size limit */
    char warning[LP_ERRMSG_SIZE];  /* the size warning when oversized, else "" */
    int attempts;                  /* SMTP sessions tried (0 for a dry run) */
    long response_code;            /* server's last reply code (250 when sent) */
} lp_mail_report;

/* Sends the message (or, with dry_run, writes it to eml_path). A 4xx reply
 * at any step is retried up to max_retries times with exponential backoff.
 * LP_ERR_DELIVERY when the server answers 5xx, refuses a recipient, still
 * answers 4xx after the last retry, cannot be reached, or TLS/AUTH fails:
 * errmsg then holds the server's reply text, the reply code and libcurl's
 * reason ("smtp://mx:25 refused the message: 550 5.1.1 <x@y>: no such user
 * (RCPT failed: 550)"). LP_ERR_USAGE when smtp_url (or eml_path for a dry
 * run) is missing; LP_ERR_OUTPUT when the dry-run file cannot be written.
 * out_report (may be NULL) is filled in whatever the outcome; the size
 * check is made before sending and does not stop it. */
lp_status lp_mail_send(const lp_mail_message *message, const lp_mail_options *options,
                       lp_mail_report *out_report, char *errmsg);

#endif
