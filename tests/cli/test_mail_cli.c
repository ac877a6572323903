/*
 * Mail from the command line, end to end: `leadpack run --mail` and
 * `leadpack mail` on the built-in sample, delivered to a real SMTP server on
 * 127.0.0.1 (aiosmtpd's Mailbox, as an operator would run it, or
 * tests/mail/server.py when the server must refuse), and the message read
 * back by Python's email package (tests/mail/check_message.py).
 *
 * Expected by hand: the default pack is weekly-leadership, titled "Weekly
 * leadership pack" (templates/packs/weekly-leadership.yaml); the sample's
 * as-of is 2026-11-23T09:00:00Z (fixtures/README.md), a Monday, so the
 * period is the ISO week before it, 2026-W47; the subject is "TITLE,
 * PERIOD". The headline sentences are compared with the run's own
 * OUT/message/headlines.txt (the PDF tests check that file against the
 * PDF), and the attachment with OUT/leadpack-2026-W47.pdf byte for byte.
 *
 * Processes run with fork+execv, never a shell; the server dies with the
 * test (PR_SET_PDEATHSIG) and is stopped in teardown.
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
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

#include "runner.h"

#define PYTHON "/usr/bin/python3"
#define SERVER_PY LP_SOURCE_DIR "/tests/mail/server.py"
#define CHECK_PY LP_SOURCE_DIR "/tests/mail/check_message.py"
#define SUBJECT "Weekly leadership pack, 2026-W47"
#define FROM "leadpack <pack@example.com>"
#define WAIT_SERVER_MS 15000
#define MAX_ARGS 96

static char *tmp;
static char out_dir[512], maildir[512];
static pid_t server_pid = -1;

/* ---- the SMTP server ------------------------------------------------------ */

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
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

/* Starts argv (output to TMP/server.out) and waits until port accepts. */
static void start_server(char *const argv[], int port)
{
    char log_path[600];
    snprintf(log_path, sizeof log_path, "%s/server.out", tmp);
    server_pid = fork();
    if (server_pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        FILE *log = fopen(log_path, "a");
        if (log) {
            dup2(fileno(log), STDOUT_FILENO);
            dup2(fileno(log), STDERR_FILENO);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    cr_assert(server_pid > 0, "cannot fork the SMTP server");
    long deadline = now_ms() + WAIT_SERVER_MS;
    while (!accepts(port)) {
        int status;
        cr_assert(waitpid(server_pid, &status, WNOHANG) == 0,
                  "the SMTP server exited at start (see %s)", log_path);
        cr_assert(now_ms() < deadline, "the SMTP server did not start within %d ms",
                  WAIT_SERVER_MS);
        usleep(30000);
    }
}

static void stop_server(void)
{
    if (server_pid <= 0) return;
    kill(server_pid, SIGTERM);
    long deadline = now_ms() + 3000;
    int status;
    while (waitpid(server_pid, &status, WNOHANG) == 0) {
        if (now_ms() > deadline) {
            kill(server_pid, SIGKILL);
            waitpid(server_pid, &status, 0);
            break;
        }
        usleep(20000);
    }
    server_pid = -1;
}

/* aiosmtpd's own Mailbox handler storing into TMP/maildir; returns the port. */
static int start_mailbox(void)
{
    int port = free_port();
    char listen[32];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
    char *argv[] = {PYTHON, "-m", "aiosmtpd", "-n", "-l", listen, "-c",
                    "aiosmtpd.handlers.Mailbox", maildir, NULL};
    start_server(argv, port);
    return port;
}

/* tests/mail/server.py refusing every recipient with 550; returns the port. */
static int start_refusing_server(void)
{
    int port = free_port();
    char port_text[16];
    snprintf(port_text, sizeof port_text, "%d", port);
    char *argv[] = {PYTHON, SERVER_PY, "--port", port_text, "--maildir", maildir,
                    "--mode", "reject-rcpt", NULL};
    start_server(argv, port);
    return port;
}

/* ---- fixtures ------------------------------------------------------------- */

static void setup(void)
{
    tmp = make_temp_dir();
    cr_assert_not_null(tmp);
    snprintf(out_dir, sizeof out_dir, "%s/out", tmp);
    snprintf(maildir, sizeof maildir, "%s/maildir", tmp);
    unsetenv("LEADPACK_SMTP_USER");
    unsetenv("LEADPACK_SMTP_PASSWORD");
    server_pid = -1;
}

static void teardown(void)
{
    stop_server();
    if (!tmp) return;
    const char *argv[] = {"/bin/rm", "-rf", tmp, NULL};
    run_result r = run_program(argv, NULL);
    run_result_free(&r);
    free(tmp);
}

TestSuite(mail_cli, .init = setup, .fini = teardown, .timeout = 90);

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

static size_t messages_in(const char *dir)
{
    char path[600];
    snprintf(path, sizeof path, "%s/new", dir);
    const char *argv[] = {"/bin/ls", "-A", path, NULL};
    run_result r = run_program(argv, NULL);
    size_t n = 0;
    for (const char *p = r.out; *p; p++) n += *p == '\n';
    run_result_free(&r);
    return n;
}

/* The pack, without mail, into out_dir. */
static void run_pack(void)
{
    const char *argv[] = {leadpack_bin(), "run", "--out", out_dir, "--quiet", NULL};
    run_result r = run_program(argv, NULL);
    cr_assert_eq(r.exit_code, 0, "leadpack run: %s", r.err);
    run_result_free(&r);
}

/* check_message.py on source ("--maildir" or "--eml", path): subject, from,
 * both recipients, every line of OUT/message/headlines.txt in the text and
 * HTML bodies, the inline chart by cid, and the PDF attachment. */
static void check_message(const char *source, const char *path)
{
    char headlines_path[600], png[600], pdf[600];
    snprintf(headlines_path, sizeof headlines_path, "%s/message/headlines.txt", out_dir);
    snprintf(png, sizeof png, "%s/message/trend.png", out_dir);
    snprintf(pdf, sizeof pdf, "%s/leadpack-2026-W47.pdf", out_dir);
    cr_assert(exists(pdf), "missing %s", pdf);
    char *headlines = read_file(headlines_path, NULL);
    cr_assert_not_null(headlines, "missing %s", headlines_path);

    const char *argv[MAX_ARGS] = {PYTHON, CHECK_PY, source, path, "--subject", SUBJECT,
                                  "--from", "pack@example.com", "--from-name", "leadpack",
                                  "--to", "a@example.com", "--to", "b@example.com",
                                  "--png", png, "--pdf", pdf};
    size_t argc = 18, nsentences = 0;
    for (char *line = strtok(headlines, "\n"); line && argc + 3 < MAX_ARGS;
         line = strtok(NULL, "\n")) {
        argv[argc++] = "--sentence";
        argv[argc++] = line;
        nsentences++;
    }
    argv[argc] = NULL;
    cr_expect_geq(nsentences, 3, "headlines.txt holds %zu sentences", nsentences);
    run_result r = run_program(argv, NULL);
    cr_expect_eq(r.exit_code, 0, "%s%s", r.out, r.err);
    run_result_free(&r);
    free(headlines);
}

/* ---- tests ---------------------------------------------------------------- */

Test(mail_cli, run_mail_delivers_the_pack)
{
    int port = start_mailbox();
    char smtp[64];
    snprintf(smtp, sizeof smtp, "smtp://127.0.0.1:%d", port);
    const char *argv[] = {leadpack_bin(), "run", "--mail", "--to",
                          "a@example.com,b@example.com", "--from", FROM, "--smtp", smtp,
                          "--out", out_dir, "--quiet", NULL};
    run_result r = run_program(argv, NULL);
    cr_assert_eq(r.exit_code, 0, "leadpack run --mail: exit %d, %s", r.exit_code, r.err);
    cr_expect_str_eq(r.err, "", "--quiet still wrote: %s", r.err);
    run_result_free(&r);

    char path[600], subject[256] = "";
    snprintf(path, sizeof path, "%s/message/subject.txt", out_dir);
    char *text = read_file(path, NULL);
    if (text) snprintf(subject, sizeof subject, "%.*s", (int)strcspn(text, "\n"), text);
    free(text);
    cr_expect_str_eq(subject, SUBJECT, "the bundle's subject names the pack and period");
    cr_expect_eq(messages_in(maildir), 1, "the server did not store exactly one message");
    check_message("--maildir", maildir);
}

Test(mail_cli, dry_run_writes_the_message_of_the_last_run)
{
    run_pack();
    char eml[600];
    snprintf(eml, sizeof eml, "%s/pack.eml", tmp);
    const char *argv[] = {leadpack_bin(), "mail", "--out", out_dir, "--to",
                          "a@example.com, b@example.com", "--from", FROM, "--dry-run", eml,
                          "--quiet", NULL};
    run_result r = run_program(argv, NULL);
    cr_assert_eq(r.exit_code, 0, "leadpack mail --dry-run: exit %d, %s", r.exit_code, r.err);
    run_result_free(&r);
    cr_assert(exists(eml), "no %s", eml);
    /* --eml also checks the bytes: CRLF, 7-bit, lines of at most 998. */
    check_message("--eml", eml);
}

Test(mail_cli, refused_recipient_exits_4_with_the_servers_words)
{
    int port = start_refusing_server();
    char smtp[64];
    snprintf(smtp, sizeof smtp, "smtp://127.0.0.1:%d", port);
    const char *argv[] = {leadpack_bin(), "run", "--mail", "--to", "a@example.com",
                          "--from", FROM, "--smtp", smtp, "--out", out_dir, "--quiet", NULL};
    run_result r = run_program(argv, NULL);
    cr_expect_eq(r.exit_code, 4, "exit %d, stderr: %s", r.exit_code, r.err);
    /* server.py answers RCPT with these words. */
    cr_expect(strstr(r.err, "550 5.1.1 <a@example.com>: Recipient address rejected: "
                            "User unknown here") != NULL, "stderr: %s", r.err);
    cr_expect(strstr(r.err, smtp) != NULL, "the error does not name the server: %s", r.err);
    cr_expect(strstr(r.err, "mail: mail:") == NULL, "doubled prefix: %s", r.err);
    run_result_free(&r);
    cr_expect_eq(messages_in(maildir), 0, "a refused message was stored");
    /* The pack itself was made before the mail failed, and stays. */
    char pdf[600];
    snprintf(pdf, sizeof pdf, "%s/leadpack-2026-W47.pdf", out_dir);
    cr_expect(exists(pdf), "the failed delivery removed %s", pdf);
}

Test(mail_cli, no_server_exits_4_naming_it)
{
    run_pack();
    int port = free_port(); /* nobody listens there */
    char smtp[64], want[128];
    snprintf(smtp, sizeof smtp, "smtp://127.0.0.1:%d", port);
    const char *argv[] = {leadpack_bin(), "mail", "--out", out_dir, "--to", "a@example.com",
                          "--from", FROM, "--smtp", smtp, "--quiet", NULL};
    run_result r = run_program(argv, NULL);
    cr_expect_eq(r.exit_code, 4, "exit %d, stderr: %s", r.exit_code, r.err);
    snprintf(want, sizeof want, "cannot reach the SMTP server %s", smtp);
    cr_expect(strstr(r.err, want) != NULL, "stderr: %s", r.err);
    cr_expect(strstr(r.err, "onnect") != NULL, "libcurl's reason is missing: %s", r.err);
    run_result_free(&r);
}
