/*
 * Delivering the built message over SMTP with libcurl (mail.h).
 *
 * Each attempt is a fresh easy handle and a fresh SMTP session, so that a
 * retry after a 4xx never reuses a connection the server may have
 * abandoned. The message bytes are uploaded as they are with a read
 * callback; libcurl does the dialogue, dot-stuffing, STARTTLS and AUTH.
 *
 * The server's own words: libcurl's error buffer says only which step
 * failed ("RCPT failed: 550"). To tell the user why, a debug callback reads
 * the replies coming in (CURLINFO_HEADER_IN) and keeps the last one with a
 * code of 400 or more. It never looks at what goes out, which is where the
 * AUTH exchange and so the credentials are: nothing of them is stored or
 * printed.
 */
#include "lp/mail.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DEFAULT_RETRIES 3
#define DEFAULT_RETRY_DELAY_MS 30000L
#define MAX_RETRY_DELAY_MS 300000L
#define DEFAULT_CONNECT_TIMEOUT_S 30L
#define DEFAULT_TIMEOUT_S 300L

/* The message being uploaded: the read callback walks it. */
typedef struct upload {
    const char *data;
    size_t len;
    size_t pos;  /* bytes handed to libcurl so far */
} upload;

/* Replies read from the server during one attempt. */
typedef struct reply_log {
    char current[LP_ERRMSG_SIZE];  /* reply being read, lines joined by " " */
    bool current_done;             /* current holds a complete reply */
    char error[LP_ERRMSG_SIZE];    /* last complete reply with code >= 400 */
    long error_code;               /* its code, 0 when none */
} reply_log;

static size_t read_message(char *buffer, size_t size, size_t nitems, void *userp)
{
    upload *up = userp;
    size_t room = size * nitems;
    size_t left = up->len - up->pos;
    size_t n = left < room ? left : room;
    memcpy(buffer, up->data + up->pos, n);
    up->pos += n;
    return n;
}

/* One reply line ("250-SIZE 1000", "550 5.1.1 no such user"): the last line
 * of a reply has a space (or nothing) after the code. */
static void log_reply_line(reply_log *log, const char *line, size_t len)
{
    while (len && (line[len - 1] == '\r' || line[len - 1] == '\n')) len--;
    if (len < 3) return;
    if (log->current_done) {
        log->current[0] = '\0';
        log->current_done = false;
    }
    size_t used = strlen(log->current);
    size_t room = sizeof log->current - used - 1;
    if (used && room) {
        log->current[used++] = ' ';
        room--;
    }
    size_t n = len < room ? len : room;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)line[i];
        log->current[used + i] = c < 0x20 || c == 0x7F ? '?' : (char)c;
    }
    log->current[used + n] = '\0';
    if (len == 3 || line[3] != '-') {
        log->current_done = true;
        long code = strtol(log->current, NULL, 10);
        if (code >= 400) {
            memcpy(log->error, log->current, sizeof log->error);
            log->error_code = code;
        }
    }
}

/* CURLOPT_DEBUGFUNCTION: reads only the server's replies. */
static int watch_replies(CURL *handle, curl_infotype type, char *data, size_t size, void *userp)
{
    (void)handle;
    if (type != CURLINFO_HEADER_IN) return 0;
    const char *end = data + size;
    while (data < end) {
        const char *nl = memchr(data, '\n', (size_t)(end - data));
        size_t len = nl ? (size_t)(nl - data + 1) : (size_t)(end - data);
        log_reply_line(userp, data, len);
        data += len;
    }
    return 0;
}

/* smtp:// or smtps:// with no user or password in it: credentials come from
 * the environment or netrc only, never from a command line. */
static lp_status check_url(const char *url, char *errmsg)
{
    if (!url || !*url) {
        lp_errmsg_set(errmsg, "mail: no SMTP server given (smtp://host:port or "
                      "smtps://host:port)");
        return LP_ERR_USAGE;
    }
    const char *rest;
    if (strncasecmp(url, "smtp://", 7) == 0) rest = url + 7;
    else if (strncasecmp(url, "smtps://", 8) == 0) rest = url + 8;
    else {
        lp_errmsg_set(errmsg, "mail: the SMTP server must be smtp://host:port or "
                      "smtps://host:port");
        return LP_ERR_USAGE;
    }
    size_t authority = strcspn(rest, "/?#");
    if (memchr(rest, '@', authority)) {
        lp_errmsg_set(errmsg, "mail: the SMTP URL must not hold a user or password; set "
                      "LEADPACK_SMTP_USER and LEADPACK_SMTP_PASSWORD instead");
        return LP_ERR_USAGE;
    }
    if (authority == 0 || strpbrk(url, " \t\r\n")) {
        lp_errmsg_set(errmsg, "mail: the SMTP server URL has no host");
        return LP_ERR_USAGE;
    }
    return LP_OK;
}

static void sleep_ms(long ms)
{
    struct timespec left = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&left, &left) == -1 && errno == EINTR) {
    }
}

/* One SMTP session. Returns libcurl's result; fills errbuf, the reply log
 * and the last reply code. */
static CURLcode send_once(const lp_mail_message *message, const lp_mail_options *options,
                          char *errbuf, reply_log *log, long *out_code)
{
    CURLcode res = CURLE_OUT_OF_MEMORY;
    struct curl_slist *rcpts = NULL;
    char *from = NULL;
    upload up = {lp_mail_message_data(message), lp_mail_message_size(message), 0};
    memset(log, 0, sizeof *log);
    errbuf[0] = '\0';
    *out_code = 0;
    CURL *curl = curl_easy_init();
    if (!curl) goto cleanup;

    lp_buf addr = {0};
    lp_buf_printf(&addr, "<%s>", lp_mail_message_sender(message));
    from = addr.data;
    if (addr.failed) goto cleanup;
    for (size_t i = 0; i < lp_mail_message_nrecipients(message); i++) {
        lp_buf rcpt = {0};
        lp_buf_printf(&rcpt, "<%s>", lp_mail_message_recipient(message, i));
        struct curl_slist *grown = rcpt.failed ? NULL : curl_slist_append(rcpts, rcpt.data);
        lp_buf_reset(&rcpt);
        if (!grown) goto cleanup;
        rcpts = grown;
    }

    curl_easy_setopt(curl, CURLOPT_URL, options->smtp_url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpts);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_message);
    curl_easy_setopt(curl, CURLOPT_READDATA, &up);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)up.len);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, options->connect_timeout_s > 0
                     ? options->connect_timeout_s : DEFAULT_CONNECT_TIMEOUT_S);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, options->timeout_s > 0 ? options->timeout_s
                                                                   : DEFAULT_TIMEOUT_S);
    curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, watch_replies);
    curl_easy_setopt(curl, CURLOPT_DEBUGDATA, log);
    curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L);
    curl_easy_setopt(curl, CURLOPT_USE_SSL, options->starttls ? (long)CURLUSESSL_ALL
                                                              : (long)CURLUSESSL_NONE);
    if (options->ca_file) curl_easy_setopt(curl, CURLOPT_CAINFO, options->ca_file);

    const char *user = getenv("LEADPACK_SMTP_USER");
    if (user && *user) {
        const char *password = getenv("LEADPACK_SMTP_PASSWORD");
        curl_easy_setopt(curl, CURLOPT_USERNAME, user);
        curl_easy_setopt(curl, CURLOPT_PASSWORD, password ? password : "");
    } else if (options->use_netrc) {
        curl_easy_setopt(curl, CURLOPT_NETRC, (long)CURL_NETRC_OPTIONAL);
        if (options->netrc_file) curl_easy_setopt(curl, CURLOPT_NETRC_FILE, options->netrc_file);
    }

    res = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, out_code);

cleanup:
    curl_slist_free_all(rcpts);
    lp_free(from);
    curl_easy_cleanup(curl);
    return res;
}

static bool is_unreachable(CURLcode res)
{
    return res == CURLE_COULDNT_CONNECT || res == CURLE_COULDNT_RESOLVE_HOST ||
           res == CURLE_COULDNT_RESOLVE_PROXY || res == CURLE_OPERATION_TIMEDOUT;
}

lp_status lp_mail_send(const lp_mail_message *message, const lp_mail_options *options,
                       lp_mail_report *out_report, char *errmsg)
{
    lp_mail_report report;
    memset(&report, 0, sizeof report);
    lp_status st = LP_OK;
    if (!message || !options) {
        lp_errmsg_set(errmsg, "mail: no message or options");
        st = LP_ERR_USAGE;
        goto cleanup;
    }
    report.message_bytes = lp_mail_message_size(message);
    report.oversized = lp_mail_check_size(message, options->size_limit, report.warning);

    if (options->dry_run) {
        if (!options->eml_path) {
            lp_errmsg_set(errmsg, "mail: a dry run needs a file to write the message to");
            st = LP_ERR_USAGE;
        } else {
            st = lp_mail_message_write(message, options->eml_path, errmsg);
        }
        goto cleanup;
    }
    if ((st = check_url(options->smtp_url, errmsg))) goto cleanup;

    int retries = options->max_retries < 0 ? 0
                  : options->max_retries == 0 ? DEFAULT_RETRIES : options->max_retries;
    long delay_ms = options->retry_delay_ms > 0 ? options->retry_delay_ms
                                                : DEFAULT_RETRY_DELAY_MS;
    char errbuf[CURL_ERROR_SIZE];
    reply_log log;
    CURLcode res = CURLE_OK;
    long code = 0;
    for (int attempt = 0; attempt <= retries; attempt++) {
        if (attempt) {
            sleep_ms(delay_ms);
            delay_ms = delay_ms > MAX_RETRY_DELAY_MS / 2 ? MAX_RETRY_DELAY_MS : delay_ms * 2;
        }
        report.attempts++;
        res = send_once(message, options, errbuf, &log, &code);
        /* After a failure libcurl may close politely with QUIT ("221 Bye"),
         * which becomes the last reply: the failing one is in the log. */
        if (res != CURLE_OK && log.error_code) code = log.error_code;
        report.response_code = code;
        if (res == CURLE_OK) break;
        if (code < 400 || code >= 500) break;
    }
    if (res == CURLE_OK) goto cleanup;

    st = LP_ERR_DELIVERY;
    const char *reason = errbuf[0] ? errbuf : curl_easy_strerror(res);
    char tries[48] = "";
    if (report.attempts > 1) snprintf(tries, sizeof tries, " after %d attempts", report.attempts);
    if (res == CURLE_OUT_OF_MEMORY) {
        lp_errmsg_set(errmsg, "mail: out of memory sending through %s", options->smtp_url);
        st = LP_ERR_NOMEM;
    } else if (res == CURLE_LOGIN_DENIED) {
        lp_errmsg_set(errmsg, "mail: %s refused the login from LEADPACK_SMTP_USER/"
                      "LEADPACK_SMTP_PASSWORD or netrc: %s (%s)", options->smtp_url,
                      log.error_code ? log.error : "no reason given", reason);
    } else if (log.error_code) {
        lp_errmsg_set(errmsg, "mail: %s refused the message%s: %s (%s)", options->smtp_url,
                      tries, log.error, reason);
    } else if (is_unreachable(res)) {
        lp_errmsg_set(errmsg, "mail: cannot reach the SMTP server %s: %s", options->smtp_url,
                      reason);
    } else if (res == CURLE_USE_SSL_FAILED) {
        lp_errmsg_set(errmsg, "mail: %s does not offer STARTTLS, which --starttls requires "
                      "(%s)", options->smtp_url, reason);
    } else {
        lp_errmsg_set(errmsg, "mail: sending through %s failed%s: %s", options->smtp_url,
                      tries, reason);
    }

cleanup:
    if (out_report) *out_report = report;
    return st;
}
