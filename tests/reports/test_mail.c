/*
 * Emailed reports: built messages read back by Python's email package
 * (tests/mail/check_message.py), sent to real SMTP servers on 127.0.0.1
 * (aiosmtpd's Mailbox, or tests/mail/server.py when a test needs a 451, a
 * 550, AUTH or TLS). Processes run with fork+execv, never a shell, with
 * bounded waits, and are stopped at the end of each test.
 *
 * Expected encodings are worked out independently and named beside them:
 * `printf 'Pack — W47' | base64` gives UGFjayDigJQgVzQ3; `date -u -d
 * "2026-11-23 09:00:00" +%s` gives 1795424400 and `date -u -d @1795424400
 * -R` gives "Mon, 23 Nov 2026 09:00:00 +0000"; "—" (U+2014) is E2 80 94 in
 * UTF-8 (Unicode table), so quoted-printable writes =E2=80=94.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <arpa/inet.h>
#include <cairo.h>
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lp/mail.h"

#define PYTHON "/usr/bin/python3"
#define SERVER_PY LP_SOURCE_DIR "/tests/mail/server.py"
#define CHECK_PY LP_SOURCE_DIR "/tests/mail/check_message.py"
#define WAIT_SERVER_MS 15000
#define WAIT_CHECKER_MS 30000

static char dir[64];          /* this test's mkdtemp folder */
static pid_t server_pid = -1; /* SMTP server, stopped in teardown */
static char path_pdf[128], path_png[128], path_xlsx[128], path_maildir[128], path_log[128];

/* ---- processes ----------------------------------------------------------- */

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* fork + execv; the child dies with the test (PR_SET_PDEATHSIG) even if
 * the test crashes. out_path (may be NULL) receives its stdout and stderr. */
static pid_t spawn(char *const argv[], const char *out_path)
{
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (out_path) {
            FILE *out = fopen(out_path, "a");
            if (out) {
                dup2(fileno(out), STDOUT_FILENO);
                dup2(fileno(out), STDERR_FILENO);
            }
        }
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

/* Exit status of pid, or -1 when it does not end within timeout_ms (it is
 * then killed). */
static int wait_exit(pid_t pid, long timeout_ms)
{
    long deadline = now_ms() + timeout_ms;
    int status;
    while (now_ms() < deadline) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        if (r < 0) return -1;
        usleep(20000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

static void stop_server(void)
{
    if (server_pid <= 0) return;
    kill(server_pid, SIGTERM);
    if (wait_exit(server_pid, 3000) == -1) {
        kill(server_pid, SIGKILL);
        waitpid(server_pid, NULL, WNOHANG);
    }
    server_pid = -1;
}

/* A port nobody listens on now (bound to port 0, then released). */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    cr_assert(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
              getsockname(fd, (struct sockaddr *)&sa, &len) == 0);
    close(fd);
    return ntohs(sa.sin_port);
}

static bool accepts(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bool ok = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    close(fd);
    return ok;
}

/* Starts argv as the server and waits until port accepts connections. */
static void start_server(char *const argv[], int port)
{
    char out_path[160];
    snprintf(out_path, sizeof out_path, "%s/server.out", dir);
    server_pid = spawn(argv, out_path);
    cr_assert(server_pid > 0, "cannot fork the SMTP server");
    long deadline = now_ms() + WAIT_SERVER_MS;
    while (!accepts(port)) {
        int status;
        cr_assert(waitpid(server_pid, &status, WNOHANG) == 0,
                  "the SMTP server exited at start (see %s)", out_path);
        cr_assert(now_ms() < deadline, "the SMTP server did not start within %d ms",
                  WAIT_SERVER_MS);
        usleep(30000);
    }
}

/* aiosmtpd's own Mailbox handler, as an operator would run it. */
static int start_mailbox_server(void)
{
    int port = free_port();
    char listen[32];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
    char *argv[] = {PYTHON, "-m", "aiosmtpd", "-n", "-l", listen, "-c",
                    "aiosmtpd.handlers.Mailbox", path_maildir, NULL};
    start_server(argv, port);
    return port;
}

/* tests/mail/server.py in mode, with up to four extra arguments. */
static int start_test_server(const char *mode, const char *extra1, const char *extra2,
                             const char *extra3, const char *extra4)
{
    int port = free_port();
    char port_text[16];
    snprintf(port_text, sizeof port_text, "%d", port);
    char *argv[] = {PYTHON, SERVER_PY, "--port", port_text, "--maildir", path_maildir,
                    "--log", path_log, "--mode", (char *)mode, (char *)extra1,
                    (char *)extra2, (char *)extra3, (char *)extra4, NULL};
    start_server(argv, port);
    return port;
}

/* ---- files --------------------------------------------------------------- */

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

/* A small valid PDF (one empty page) with a binary comment line, so that
 * base64 carries bytes above 0x7F. Offsets in xref are not checked by the
 * mail code; the attachment must only come back byte for byte. */
static void write_pdf(const char *path)
{
    static const char pdf[] =
        "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
        "1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
        "trailer<</Root 1 0 R>>\n%%EOF\n";
    FILE *fp = fopen(path, "wb");
    cr_assert(fp);
    fwrite(pdf, 1, sizeof pdf - 1, fp);
    fclose(fp);
}

static void write_png(const char *path)
{
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 16, 8);
    cairo_t *cr = cairo_create(surface);
    cairo_set_source_rgb(cr, 0.1, 0.4, 0.8);
    cairo_rectangle(cr, 2, 2, 6, 4);
    cairo_fill(cr);
    cairo_destroy(cr);
    cr_assert(cairo_surface_write_to_png(surface, path) == CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy(surface);
}

/* Stand-in workbook: size bytes of every value 0..255, repeated. */
static void write_blob(const char *path, size_t size)
{
    FILE *fp = fopen(path, "wb");
    cr_assert(fp);
    for (size_t i = 0; i < size; i++) fputc((int)(i * 7 % 256), fp);
    fclose(fp);
}

static char *read_text(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return strdup("");
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, fp);
    text[n] = '\0';
    fclose(fp);
    return strdup(text);
}

static int count_of(const char *haystack, const char *needle)
{
    int n = 0;
    for (const char *p = haystack; (p = strstr(p, needle)); p += strlen(needle)) n++;
    return n;
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/lp-mail-XXXXXX");
    cr_assert(mkdtemp(dir));
    snprintf(path_pdf, sizeof path_pdf, "%s/pack-2026-W47.pdf", dir);
    snprintf(path_png, sizeof path_png, "%s/chart.png", dir);
    snprintf(path_xlsx, sizeof path_xlsx, "%s/pack-2026-W47.xlsx", dir);
    snprintf(path_maildir, sizeof path_maildir, "%s/maildir", dir);
    snprintf(path_log, sizeof path_log, "%s/server.log", dir);
    write_pdf(path_pdf);
    write_png(path_png);
    write_blob(path_xlsx, 3000);
    unsetenv("LEADPACK_SMTP_USER");
    unsetenv("LEADPACK_SMTP_PASSWORD");
    server_pid = -1;
}

static void teardown(void)
{
    stop_server();
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(mail, .init = setup, .fini = teardown, .timeout = 60);

/* ---- the message under test ---------------------------------------------- */

static const char *to_list[] = {"Ana Ruiz <ana@example.com>", "ceo@example.com"};
static const char *cc_list[] = {"\"Ops, EMEA\" <ops@example.org>"};
static const char *headlines[] = {
    "Sales reached 87% of this week's qualified leads within a day; the target is 95%.",
    "Qualified leads rose to 412 — up 38 (10%) on last week, a real change.",
    "Partner leads <b>& \"referrals\"</b> converted at 31%.",
};
static const lp_mail_kpi kpis[] = {
    {"Qualified leads", "412", "up 38 (10%) on last week", "no target"},
    {"Worked within a day", "87%", "down 2 points", "below target"},
    {"Pipeline created", "€1.2M", "", "on target"},
};

static lp_mail_spec pack_spec(void)
{
    lp_mail_spec spec = {
        .from = "Leadpack <leadpack@reports.example.com>",
        .to = to_list, .nto = 2, .cc = cc_list, .ncc = 1,
        .subject = "Weekly leadership pack, 2026-W47",
        .headlines = headlines, .nheadlines = 3,
        .kpis = kpis, .nkpis = 3,
        .chart_png_path = path_png, .chart_alt = "Qualified leads by week",
        .pdf_path = path_pdf,
    };
    return spec;
}

static lp_mail_message *build(const lp_mail_spec *spec)
{
    lp_mail_message *msg = NULL;
    char errmsg[LP_ERRMSG_SIZE] = "";
    lp_status st = lp_mail_message_new(spec, &msg, errmsg);
    cr_assert_eq(st, LP_OK, "build failed: %s", errmsg);
    return msg;
}

static lp_mail_options smtp_options(int port)
{
    static char url[64];
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", port);
    lp_mail_options options = {.smtp_url = url, .connect_timeout_s = 5, .timeout_s = 20,
                               .retry_delay_ms = 50};
    return options;
}

/* Runs check_message.py on source ("--maildir" or "--eml", path) for the
 * pack_spec message, with extra arguments (NULL-terminated). */
static int check_message(const char *source, const char *path, const char *subject,
                         const char *pdf, const char *workbook, char *const extra[])
{
    char *argv[64];
    int n = 0;
    argv[n++] = PYTHON;
    argv[n++] = CHECK_PY;
    argv[n++] = (char *)source;
    argv[n++] = (char *)path;
    argv[n++] = "--subject";
    argv[n++] = (char *)subject;
    argv[n++] = "--from";
    argv[n++] = "leadpack@reports.example.com";
    argv[n++] = "--to";
    argv[n++] = "ana@example.com";
    argv[n++] = "--to";
    argv[n++] = "ceo@example.com";
    argv[n++] = "--cc";
    argv[n++] = "ops@example.org";
    for (size_t i = 0; i < 3; i++) {
        argv[n++] = "--sentence";
        argv[n++] = (char *)headlines[i];
    }
    for (size_t i = 0; i < 3; i++) {
        argv[n++] = "--kpi";
        argv[n++] = (char *)kpis[i].label;
        argv[n++] = "--kpi";
        argv[n++] = (char *)kpis[i].value;
    }
    argv[n++] = "--kpi";
    argv[n++] = "below target";
    argv[n++] = "--html-contains";
    argv[n++] = "&lt;b&gt;&amp; &quot;referrals&quot;&lt;/b&gt;";
    argv[n++] = "--html-lacks";
    argv[n++] = "<b>";
    argv[n++] = "--png";
    argv[n++] = path_png;
    if (pdf) {
        argv[n++] = "--pdf";
        argv[n++] = (char *)pdf;
    }
    if (workbook) {
        argv[n++] = "--workbook";
        argv[n++] = (char *)workbook;
    }
    for (size_t i = 0; extra && extra[i]; i++) argv[n++] = extra[i];
    argv[n] = NULL;
    pid_t pid = spawn(argv, NULL);
    cr_assert(pid > 0);
    return wait_exit(pid, WAIT_CHECKER_MS);
}

/* ---- sending ------------------------------------------------------------- */

Test(mail, delivers_to_a_real_server)
{
    int port = start_mailbox_server();
    lp_mail_spec spec = pack_spec();
    lp_mail_message *msg = build(&spec);
    lp_mail_options options = smtp_options(port);
    lp_mail_report report;
    char errmsg[LP_ERRMSG_SIZE] = "";
    lp_status st = lp_mail_send(msg, &options, &report, errmsg);
    cr_assert_eq(st, LP_OK, "send failed: %s", errmsg);
    cr_expect_eq(report.attempts, 1);
    cr_expect_eq(report.response_code, 250);
    cr_expect(!report.oversized);
    cr_expect_eq(report.message_bytes, lp_mail_message_size(msg));
    lp_mail_message_free(msg);
    stop_server();
    cr_expect_eq(check_message("--maildir", path_maildir, spec.subject, path_pdf, NULL, NULL),
                 0, "check_message.py found problems (see stderr)");
}

Test(mail, retries_after_451_then_succeeds)
{
    int port = start_test_server("tempfail-once", NULL, NULL, NULL, NULL);
    lp_mail_spec spec = pack_spec();
    lp_mail_message *msg = build(&spec);
    lp_mail_options options = smtp_options(port);
    options.max_retries = 3;
    lp_mail_report report;
    char errmsg[LP_ERRMSG_SIZE] = "";
    lp_status st = lp_mail_send(msg, &options, &report, errmsg);
    cr_assert_eq(st, LP_OK, "send failed: %s", errmsg);
    cr_expect_eq(report.attempts, 2);
    cr_expect_eq(report.response_code, 250);
    char *log = read_text(path_log);
    cr_expect_eq(count_of(log, "DATA 451"), 1, "server log: %s", log);
    cr_expect_eq(count_of(log, "DATA 250"), 1, "server log: %s", log);
    free(log);
    lp_mail_message_free(msg);
    stop_server();
    cr_expect_eq(check_message("--maildir", path_maildir, spec.subject, path_pdf, NULL, NULL),
                 0);
}

Test(mail, gives_up_after_bounded_retries_with_backoff)
{
    int port = start_test_server("tempfail-always", NULL, NULL, NULL, NULL);
    lp_mail_spec spec = pack_spec();
    lp_mail_message *msg = build(&spec);
    lp_mail_options options = smtp_options(port);
    options.max_retries = 2;
    options.retry_delay_ms = 100;
    lp_mail_report report;
    char errmsg[LP_ERRMSG_SIZE] = "";
    long start = now_ms();
    lp_status st = lp_mail_send(msg, &options, &report, errmsg);
    long elapsed = now_ms() - start;
    cr_assert_eq(st, LP_ERR_DELIVERY);
    cr_expect_eq(report.attempts, 3); /* first try + max_retries */
    cr_expect_eq(report.response_code, 451);
    cr_expect(strstr(errmsg, "451 4.3.0 Mailbox busy, try again later"), "%s", errmsg);
    cr_expect(strstr(errmsg, "after 3 attempts"), "%s", errmsg);
    /* Backoff waits 100 ms, then 200 ms: at least 300 ms in all. */
    cr_expect_geq(elapsed, 300);
    char *log = read_text(path_log);
    cr_expect_eq(count_of(log, "DATA 451"), 3, "server log: %s", log);
    free(log);
    lp_mail_message_free(msg);
}

Test(mail, refused_recipient_fails_with_the_servers_words)
{
    int port = start_test_server("reject-rcpt", NULL, NULL, NULL, NULL);
    lp_mail_spec spec = pack_spec();
    lp_mail_message *msg = build(&spec);
    lp_mail_options options = smtp_options(port);
    lp_mail_report report;
    char errmsg[LP_ERRMSG_SIZE] = "";
    lp_status st = lp_mail_send(msg, &options, &report, errmsg);
    cr_assert_eq(st, LP_ERR_DELIVERY);
    cr_expect_eq(report.attempts, 1, "a 5xx must not be retried");
    cr_expect_eq(report.response_code, 550);
    cr_expect(strstr(errmsg, "550 5.1.1 <ana@example.com>: Recipient address rejected"),
              "%s", errmsg);
    cr_expect(strstr(errmsg, "RCPT"), "%s", errmsg);
    lp_mail_message_free(msg);
}

Test(mail, absent_server_fails_clearly)
{
    int port = free_port();
    lp_mail_spec spec = pack_spec();
    lp_mail_message *msg = build(&spec);
    lp_mail_options options = smtp_options(port);
    lp_mail_report report;
    char errmsg[LP_ERRMSG_SIZE] = "";
    lp_status st = lp_mail_send(msg, &options, &report, errmsg);
    cr_assert_eq(st, LP_ERR_DELIVERY);
    cr_expect_eq(report.attempts, 1);
    char want[64];
    snprintf(want, sizeof want, "cannot reach the SMTP server smtp://127.0.0.1:%d", port);
    cr_expect(strstr(errmsg, want), "%s", errmsg);
    cr_expect(strstr(errmsg, "onnect"), "%s", errmsg);
    lp_mail_message_free(msg);
}

Test(mail, authenticates_from_the_environment_only)
{
    int port = start_test_server("auth", "--user", "pack-sender", "--password",
                                 "s3cret-Pa55");
    lp_mail_spec spec = pack_spec();
    lp_mail_message *msg = build(&spec);
    lp_mail_options options = smtp_options(port);
    char errmsg[LP_ERRMSG_SIZE] = "";

    /* Without credentials the server refuses MAIL (530). */
    cr_expect_eq(lp_mail_send(msg, &options, NULL, errmsg), LP_ERR_DELIVERY);
    cr_expect(strstr(errmsg, "530"), "%s", errmsg);

    setenv("LEADPACK_SMTP_USER", "pack-sender", 1);
    setenv("LEADPACK_SMTP_PASSWORD", "wrong-Pa55", 1);
    cr_expect_eq(lp_mail_send(msg, &options, NULL, errmsg), LP_ERR_DELIVERY);
    cr_expect(strstr(errmsg, "refused the login"), "%s", errmsg);
    cr_expect(!strstr(errmsg, "wrong-Pa55") && !strstr(errmsg, "pack-sender"), "%s", errmsg);

    setenv("LEADPACK_SMTP_PASSWORD", "s3cret-Pa55", 1);
    lp_status st = lp_mail_send(msg, &options, NULL, errmsg);
    cr_expect_eq(st, LP_OK, "%s", errmsg);
    char *log = read_text(path_log);
    cr_expect_eq(count_of(log, "AUTH 535"), 1, "server log: %s", log);
    cr_expect_eq(count_of(log, "AUTH 235"), 1, "server log: %s", log);
    cr_expect_eq(count_of(log, "DATA 250"), 1, "server log: %s", log);
    free(log);

    /* Without the environment, a netrc file supplies them when allowed. */
    unsetenv("LEADPACK_SMTP_USER");
    unsetenv("LEADPACK_SMTP_PASSWORD");
    char netrc[160];
    snprintf(netrc, sizeof netrc, "%s/netrc", dir);
    FILE *fp = fopen(netrc, "w");
    cr_assert(fp);
    fputs("machine 127.0.0.1 login pack-sender password s3cret-Pa55\n", fp);
    fclose(fp);
    options.use_netrc = true;
    options.netrc_file = netrc;
    st = lp_mail_send(msg, &options, NULL, errmsg);
    cr_expect_eq(st, LP_OK, "%s", errmsg);
    log = read_text(path_log);
    cr_expect_eq(count_of(log, "AUTH 235"), 2, "server log: %s", log);
    free(log);
    lp_mail_message_free(msg);
}

Test(mail, starttls_is_required_and_used)
{
    int port = start_test_server("accept", "--starttls", dir, NULL, NULL);
    char ca[160];
    snprintf(ca, sizeof ca, "%s/cert.pem", dir);
    lp_mail_spec spec = pack_spec();
    lp_mail_message *msg = build(&spec);
    lp_mail_options options = smtp_options(port);
    options.starttls = true;
    options.ca_file = ca;
    char errmsg[LP_ERRMSG_SIZE] = "";
    lp_status st = lp_mail_send(msg, &options, NULL, errmsg);
    cr_expect_eq(st, LP_OK, "%s", errmsg);
    char *log = read_text(path_log);
    cr_expect_eq(count_of(log, "DATA 250"), 1, "server log: %s", log);
    free(log);
    lp_mail_message_free(msg);
}

Test(mail, starttls_fails_when_the_server_lacks_it)
{
    int port = start_test_server("accept", NULL, NULL, NULL, NULL);
    lp_mail_spec spec = pack_spec();
    lp_mail_message *msg = build(&spec);
    lp_mail_options options = smtp_options(port);
    options.starttls = true;
    char errmsg[LP_ERRMSG_SIZE] = "";
    cr_expect_eq(lp_mail_send(msg, &options, NULL, errmsg), LP_ERR_DELIVERY);
    cr_expect(strstr(errmsg, "STARTTLS"), "%s", errmsg);
    char *log = read_text(path_log);
    cr_expect_eq(count_of(log, "DATA"), 0, "the message went out in clear: %s", log);
    free(log);
    lp_mail_message_free(msg);
}

Test(mail, implicit_tls_with_smtps)
{
    int port = start_test_server("accept", "--smtps", dir, NULL, NULL);
    char ca[160], url[64];
    snprintf(ca, sizeof ca, "%s/cert.pem", dir);
    snprintf(url, sizeof url, "smtps://127.0.0.1:%d", port);
    lp_mail_spec spec = pack_spec();
    lp_mail_message *msg = build(&spec);
    lp_mail_options options = smtp_options(port);
    options.smtp_url = url;
    options.ca_file = ca;
    char errmsg[LP_ERRMSG_SIZE] = "";
    cr_expect_eq(lp_mail_send(msg, &options, NULL, errmsg), LP_OK, "%s", errmsg);
    lp_mail_message_free(msg);
}

/* ---- dry run, size, encodings -------------------------------------------- */

Test(mail, dry_run_writes_the_exact_message)
{
    static const char *from_named = "Équipe Leadpack <leadpack@reports.example.com>";
    lp_mail_spec spec = pack_spec();
    spec.from = from_named;
    spec.subject = "Weekly leadership pack — 2026-W47, Zürich";
    spec.workbook_path = path_xlsx;
    lp_mail_message *msg = build(&spec);
    char eml[160];
    snprintf(eml, sizeof eml, "%s/pack.eml", dir);
    lp_mail_options options = {.dry_run = true, .eml_path = eml};
    lp_mail_report report;
    char errmsg[LP_ERRMSG_SIZE] = "";
    cr_assert_eq(lp_mail_send(msg, &options, &report, errmsg), LP_OK, "%s", errmsg);
    cr_expect_eq(report.attempts, 0);

    FILE *fp = fopen(eml, "rb");
    cr_assert(fp);
    char *bytes = malloc(lp_mail_message_size(msg) + 1);
    size_t n = fread(bytes, 1, lp_mail_message_size(msg) + 1, fp);
    fclose(fp);
    cr_expect_eq(n, lp_mail_message_size(msg));
    cr_expect(memcmp(bytes, lp_mail_message_data(msg), n) == 0);
    free(bytes);
    /* The subject is not ASCII, so it must be encoded-words. */
    cr_expect(strstr(lp_mail_message_data(msg), "\r\nSubject: =?UTF-8?B?"));

    char *extra[] = {"--from-name", "Équipe Leadpack", NULL};
    cr_expect_eq(check_message("--eml", eml, spec.subject, path_pdf, path_xlsx, extra), 0,
                 "check_message.py found problems (see stderr)");
    lp_mail_message_free(msg);
}

Test(mail, headers_and_text_encoded_as_worked_out_by_hand)
{
    static const char *one_to[] = {"ana@example.com"};
    static const char *lines[] = {"Up 5% — good.", "a=b", ".dot", "From here"};
    lp_mail_spec spec = {
        .from = "leadpack@reports.example.com", .to = one_to, .nto = 1,
        .subject = "Pack — W47", .headlines = lines, .nheadlines = 4,
        .date = 1795424400, /* date -u -d "2026-11-23 09:00:00" +%s */
    };
    lp_mail_message *msg = build(&spec);
    const char *data = lp_mail_message_data(msg);
    cr_expect(strstr(data, "\r\nSubject: =?UTF-8?B?UGFjayDigJQgVzQ3?=\r\n"), "%s", data);
    cr_expect(strstr(data, "\r\nDate: Mon, 23 Nov 2026 09:00:00 +0000\r\n"), "%s", data);
    cr_expect(strstr(data, "\r\nMIME-Version: 1.0\r\n"));
    cr_expect(strstr(data, "\r\nTo: ana@example.com\r\n"));
    /* Quoted-printable by hand: U+2014 is =E2=80=94, '=' is =3D, a leading
     * '.' is =2E and a leading 'F' is =46. */
    cr_expect(strstr(data, "\r\nUp 5% =E2=80=94 good.\r\n"), "%s", data);
    cr_expect(strstr(data, "\r\na=3Db\r\n"));
    cr_expect(strstr(data, "\r\n=2Edot\r\n"));
    cr_expect(strstr(data, "\r\n=46rom here\r\n"));
    /* No chart: the alternative sits directly in the mixed part. */
    cr_expect(!strstr(data, "multipart/related"));
    const char *id = lp_mail_message_id(msg);
    cr_expect(id[0] == '<' && strstr(id, "@reports.example.com>"), "%s", id);
    lp_mail_message *again = build(&spec);
    cr_expect_str_neq(lp_mail_message_id(again), id);
    cr_expect_str_eq(lp_mail_message_sender(msg), "leadpack@reports.example.com");
    cr_expect_eq(lp_mail_message_nrecipients(msg), 1);
    lp_mail_message_free(again);
    lp_mail_message_free(msg);
}

Test(mail, warns_when_the_message_is_too_large)
{
    lp_mail_spec spec = pack_spec();
    lp_mail_message *small = build(&spec);
    char warning[LP_ERRMSG_SIZE] = "";
    cr_expect(!lp_mail_check_size(small, 0, warning));
    cr_expect(lp_mail_check_size(small, 1000, warning));
    cr_expect(!strstr(warning, "--attach-workbook"), "%s", warning);

    /* A 3 MB workbook is about 4 MB as base64 (4/3): over a 2 MB limit. */
    write_blob(path_xlsx, 3 * 1024 * 1024);
    spec.workbook_path = path_xlsx;
    lp_mail_message *big = build(&spec);
    cr_expect_gt(lp_mail_message_size(big), (size_t)4 * 1024 * 1024);
    char eml[160];
    snprintf(eml, sizeof eml, "%s/big.eml", dir);
    lp_mail_options options = {.dry_run = true, .eml_path = eml,
                               .size_limit = 2 * 1024 * 1024};
    lp_mail_report report;
    cr_assert_eq(lp_mail_send(big, &options, &report, NULL), LP_OK);
    cr_expect(report.oversized);
    cr_expect(strstr(report.warning, "--attach-workbook"), "%s", report.warning);
    cr_expect(strstr(report.warning, "2.0 MB"), "%s", report.warning);
    cr_expect(!lp_mail_check_size(big, 0, NULL)); /* under the default 10 MiB */
    lp_mail_message_free(big);
    lp_mail_message_free(small);
}

/* ---- bad inputs ---------------------------------------------------------- */

/* Fixed arrays, not pointers: Criterion copies the cases into each test's
 * own process, where addresses of this one do not hold. */
typedef struct bad_case {
    char field[16];   /* which spec field to spoil */
    char value[64];   /* its value; "" with is_null = NULL */
    bool is_null;
    lp_status want;
} bad_case;

ParameterizedTestParameters(mail, rejects_bad_inputs)
{
    static bad_case cases[] = {
        {"subject", "Pack\r\nBcc: everyone@example.com", false, LP_ERR_USAGE},
        {"to", "not an address", false, LP_ERR_USAGE},
        {"to", "ana@exa mple.com", false, LP_ERR_USAGE},
        {"to", "Ana <ana@example.com>\nBcc: x@y.z", false, LP_ERR_USAGE},
        {"from", "nobody", false, LP_ERR_USAGE},
        {"from", "jos\xc3\xa9@example.com", false, LP_ERR_USAGE},
        {"headline", "bad \xff byte", false, LP_ERR_INPUT},
        {"subject", "overlong \xc0\xaf slash", false, LP_ERR_INPUT},
        {"pdf", "/nonexistent/pack.pdf", false, LP_ERR_IO},
        {"subject", "", true, LP_ERR_USAGE},
    };
    return cr_make_param_array(bad_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(bad_case *c, mail, rejects_bad_inputs)
{
    lp_mail_spec spec = pack_spec();
    const char *value = c->is_null ? NULL : c->value;
    const char *one[] = {value};
    if (strcmp(c->field, "subject") == 0) spec.subject = value;
    else if (strcmp(c->field, "to") == 0) spec.to = one, spec.nto = 1;
    else if (strcmp(c->field, "from") == 0) spec.from = value;
    else if (strcmp(c->field, "headline") == 0) spec.headlines = one, spec.nheadlines = 1;
    else if (strcmp(c->field, "pdf") == 0) spec.pdf_path = value;
    lp_mail_message *msg = NULL;
    char errmsg[LP_ERRMSG_SIZE] = "";
    cr_expect_eq(lp_mail_message_new(&spec, &msg, errmsg), c->want, "%s: %s", c->field,
                 errmsg);
    cr_expect_null(msg);
    cr_expect_neq(errmsg[0], '\0');
}

Test(mail, rejects_urls_with_credentials_or_other_schemes)
{
    lp_mail_spec spec = pack_spec();
    lp_mail_message *msg = build(&spec);
    const char *urls[] = {"smtp://user:pw@127.0.0.1:25", "http://127.0.0.1:25", "", NULL};
    for (size_t i = 0; i < 4; i++) {
        lp_mail_options options = {.smtp_url = urls[i]};
        char errmsg[LP_ERRMSG_SIZE] = "";
        cr_expect_eq(lp_mail_send(msg, &options, NULL, errmsg), LP_ERR_USAGE, "%s",
                     urls[i] ? urls[i] : "(null)");
        cr_expect(!strstr(errmsg, "pw@"), "%s", errmsg);
    }
    lp_mail_options dry = {.dry_run = true};
    cr_expect_eq(lp_mail_send(msg, &dry, NULL, NULL), LP_ERR_USAGE);
    lp_mail_message_free(msg);
}

/* Every allocation of a build fails in turn: each failure is reported as
 * LP_ERR_NOMEM (nothing crashes, nothing half-built comes out), and with
 * enough allocations the build succeeds. */
Test(mail, survives_allocation_failures)
{
    lp_mail_spec spec = pack_spec();
    spec.workbook_path = path_xlsx;
    for (long n = 1; n < 10000; n++) {
        lp_mail_message *msg = NULL;
        lp_alloc_fail_after(n);
        lp_status st = lp_mail_message_new(&spec, &msg, NULL);
        lp_alloc_fail_after(0);
        if (st == LP_OK) {
            cr_expect_gt(n, 5);
            lp_mail_message_free(msg);
            return;
        }
        cr_assert_eq(st, LP_ERR_NOMEM, "allocation %ld: status %d", n, st);
        cr_assert_null(msg);
    }
    cr_assert_fail("the build never succeeded");
}
