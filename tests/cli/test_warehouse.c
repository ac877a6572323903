/*
 * The warehouse source end to end: a real PostgreSQL server (Debian's
 * postgresql package) is started once for the whole executable by the
 * PRE_ALL hook (tests/pg/pg.sh: initdb into a temporary folder, the server
 * on a free loopback port, run as the postgres user when the tests run as
 * root) and loaded with the checked-in Salesforce sample as typed tables
 * (tests/pg/salesforce.sql), the generic-dialect fixture (schema gen,
 * tests/pg/generic.sql) and that fixture with planted touches (schema
 * plant, tests/pg/plant.sql, which also adds the one-connection role
 * lp_one). Each test runs the leadpack binary against it.
 * The server's port and folder reach the test processes through the
 * environment; POST_ALL stops it. Without server binaries every test skips.
 *
 * Expected values: the CSV run of the same sample is the reference; the
 * copy and pushdown runs must give byte-identical results/ files.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runner.h"

#define PG_SH LP_SOURCE_DIR "/tests/pg/pg.sh"
#define SAMPLE LP_SOURCE_DIR "/fixtures/sample/salesforce"
#define AS_OF "2026-03-02"
#define GENERIC LP_SOURCE_DIR "/fixtures/dialects/generic"

static char pg_dir[256];

/* A port nothing listens on right now. */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int port = 0;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0) close(fd);
    return port;
}

static int run_sh(const char *const *argv)
{
    run_result r = run_program(argv, NULL);
    int code = r.exit_code;
    if (code && code != 77) fprintf(stderr, "%s %s: %s%s\n", argv[0], argv[1], r.out, r.err);
    run_result_free(&r);
    return code;
}

/* LP_TEST_PG: "skip", "failed" or "PORT"; LP_TEST_PG_DIR: the folder. */
ReportHook(PRE_ALL)(struct criterion_test_set *tests)
{
    (void)tests;
    snprintf(pg_dir, sizeof pg_dir, "/tmp/lp-pg-XXXXXX");
    if (!mkdtemp(pg_dir)) {
        setenv("LP_TEST_PG", "failed", 1);
        return;
    }
    char port[16];
    snprintf(port, sizeof port, "%d", free_port());
    const char *start[] = {PG_SH, "start", pg_dir, port, NULL};
    int code = run_sh(start);
    if (code == 0) {
        const char *load[] = {PG_SH, "load", pg_dir, port, LP_SOURCE_DIR "/tests/pg/salesforce.sql",
                              SAMPLE, NULL};
        code = run_sh(load);
    }
    if (code == 0) {
        const char *gen[] = {PG_SH, "load", pg_dir, port, LP_SOURCE_DIR "/tests/pg/generic.sql",
                             GENERIC, NULL};
        code = run_sh(gen);
    }
    if (code == 0) {
        const char *plant[] = {PG_SH, "load", pg_dir, port, LP_SOURCE_DIR "/tests/pg/plant.sql",
                               GENERIC, NULL};
        code = run_sh(plant);
    }
    setenv("LP_TEST_PG", code == 77 ? "skip" : code ? "failed" : port, 1);
    setenv("LP_TEST_PG_DIR", pg_dir, 1);
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
    (void)stats;
    if (!pg_dir[0]) return;
    const char *stop[] = {PG_SH, "stop", pg_dir, NULL};
    run_sh(stop);
    const char *rm[] = {"/bin/rm", "-rf", pg_dir, NULL};
    run_sh(rm);
}

/* The server's port, or skips/fails the test. */
static const char *server_port(void)
{
    const char *state = getenv("LP_TEST_PG");
    if (!state || !strcmp(state, "skip"))
        cr_skip_test("PostgreSQL server binaries are missing (apt-get install postgresql)");
    if (!strcmp(state, "failed"))
        cr_assert_fail("the PostgreSQL server did not start; see %s/log", getenv("LP_TEST_PG_DIR"));
    return state;
}

static void source_url(char *buf, size_t size, const char *port, const char *schema)
{
    snprintf(buf, size, "postgresql://lp@127.0.0.1:%s/leadpack?schema=%s", port, schema);
}

static char *write_temp(const char *dir, const char *name, const char *text)
{
    char *path = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "w");
    cr_assert(fp != NULL);
    fputs(text, fp);
    fclose(fp);
    return path;
}

/* Every file of results/ in a is in b with the same bytes, and the other
 * way round. */
static void expect_same_results(const char *a, const char *b)
{
    DIR *d = opendir(a);
    cr_assert(d != NULL, "%s", a);
    struct dirent *e;
    size_t files = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char pa[512], pb[512];
        snprintf(pa, sizeof pa, "%s/%s", a, e->d_name);
        snprintf(pb, sizeof pb, "%s/%s", b, e->d_name);
        size_t na = 0, nb = 0;
        char *ca = read_file(pa, &na), *cb = read_file(pb, &nb);
        cr_expect(cb != NULL, "%s is missing", pb);
        if (ca && cb)
            cr_expect(na == nb && memcmp(ca, cb, na) == 0, "%s differs from %s", pb, pa);
        free(ca);
        free(cb);
        files++;
    }
    closedir(d);
    cr_expect_geq(files, 7, "results/ holds the seven files of templates/DEFINITIONS.md and more");
    d = opendir(b);
    size_t files_b = 0;
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.') files_b++;
    if (d) closedir(d);
    cr_expect_eq(files_b, files);
}

Test(warehouse, csv_copy_and_pushdown_agree_byte_for_byte, .timeout = 60)
{
    const char *port = server_port();
    setenv("PGPASSWORD", "lp-secret", 1);
    char *tmp = make_temp_dir();
    char url[256], out_csv[512], out_copy[512], out_push[512];
    source_url(url, sizeof url, port, "crm");
    snprintf(out_csv, sizeof out_csv, "%s/csv", tmp);
    snprintf(out_copy, sizeof out_copy, "%s/copy", tmp);
    snprintf(out_push, sizeof out_push, "%s/push", tmp);
    char *copy_yaml = write_temp(tmp, "copy.yaml", "db_mode: copy\n");
    char *push_yaml = write_temp(tmp, "push.yaml", "db_mode: pushdown\n");
    /* the pushdown run names its tables with tables: (and schema.table) */
    char *mapping = write_temp(tmp, "mapping.yaml",
                               "profile: salesforce\n"
                               "tables:\n"
                               "  leads: [lead]\n"
                               "  campaigns: [Campaign]\n"
                               "  touches: [crm.campaignmember]\n"
                               "  activities: [task, event]\n"
                               "  opportunities: [opportunity]\n"
                               "  users: [user]\n"
                               "  targets: [targets]\n");

    const char *csv[] = {leadpack_bin(), "run", "--input", SAMPLE, "--profile", "salesforce",
                         "--as-of", AS_OF, "--out", out_csv, NULL};
    run_result r = run_program(csv, NULL);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    run_result_free(&r);

    const char *copy[] = {leadpack_bin(), "run", "--source", url, "--profile", "salesforce",
                          "--settings", copy_yaml, "--as-of", AS_OF, "--out", out_copy, NULL};
    r = run_program(copy, NULL);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    cr_expect(strstr(r.err, "db_mode copy") != NULL, "%s", r.err);
    /* fixtures/sample/salesforce/Lead.csv holds 4,000 leads (fixtures/README.md). */
    cr_expect(strstr(r.err, "copy crm.lead: 4000 rows") != NULL, "%s", r.err);
    cr_expect(strstr(r.err, "lp-secret") == NULL, "the password is never logged");
    run_result_free(&r);

    const char *push[] = {leadpack_bin(), "run", "--source", url, "--mapping", mapping,
                          "--settings", push_yaml, "--as-of", AS_OF, "--out", out_push, NULL};
    r = run_program(push, NULL);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    cr_expect(strstr(r.err, "db_mode pushdown") != NULL, "%s", r.err);
    /* 5923 tasks in Task.csv; only those at or after an MQL hand-off travel */
    cr_expect(strstr(r.err, "pushdown copy crm.task: ") != NULL, "%s", r.err);
    cr_expect(strstr(r.err, "copy crm.task: 5923 rows") == NULL, "%s", r.err);
    cr_expect(strstr(r.err, "agree with the copied rows") != NULL, "%s", r.err);
    run_result_free(&r);

    char a[600], b[600];
    snprintf(a, sizeof a, "%s/results", out_csv);
    snprintf(b, sizeof b, "%s/results", out_copy);
    expect_same_results(a, b);
    snprintf(b, sizeof b, "%s/results", out_push);
    expect_same_results(a, b);
    free(copy_yaml);
    free(push_yaml);
    free(mapping);
    free(tmp);
}

/* Without --as-of the as-of is the latest instant of the data; the
 * pushdown restriction of activities must keep it. */
Test(warehouse, pushdown_keeps_the_data_as_of, .timeout = 60)
{
    const char *port = server_port();
    setenv("PGPASSWORD", "lp-secret", 1);
    char *tmp = make_temp_dir();
    char url[256], out_csv[512], out_push[512];
    source_url(url, sizeof url, port, "crm");
    snprintf(out_csv, sizeof out_csv, "%s/csv", tmp);
    snprintf(out_push, sizeof out_push, "%s/push", tmp);
    char *push_yaml = write_temp(tmp, "push.yaml", "db_mode: pushdown\n");
    const char *csv[] = {leadpack_bin(), "run", "--quiet", "--input", SAMPLE, "--out", out_csv,
                         NULL};
    run_result r = run_program(csv, NULL);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    run_result_free(&r);
    const char *push[] = {leadpack_bin(), "run", "--quiet", "--source", url, "--profile",
                          "salesforce", "--settings", push_yaml, "--out", out_push, NULL};
    r = run_program(push, NULL);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    run_result_free(&r);
    char a[600], b[600];
    snprintf(a, sizeof a, "%s/results", out_csv);
    snprintf(b, sizeof b, "%s/results", out_push);
    expect_same_results(a, b);
    free(push_yaml);
    free(tmp);
}

/* The count in a log line "...<prefix>N..." (-1 when the line is absent). */
static long long log_number(const char *log, const char *prefix)
{
    const char *p = strstr(log, prefix);
    return p ? strtoll(p + strlen(prefix), NULL, 10) : -1;
}

/* Pushdown leaves on the server the touches no row-level figure reads and
 * counts them there per campaign (warehouse.h, restriction 2); campaigns.csv
 * and every other results/ file stay identical. */
Test(warehouse, pushdown_touches_left_on_the_server, .timeout = 60)
{
    const char *port = server_port();
    setenv("PGPASSWORD", "lp-secret", 1);
    char *tmp = make_temp_dir();
    char gen_url[256], plant_url[256], out[4][512];
    source_url(gen_url, sizeof gen_url, port, "gen");
    source_url(plant_url, sizeof plant_url, port, "plant");
    const char *names[4] = {"csv", "gen", "plant_copy", "plant_push"};
    for (int i = 0; i < 4; i++) snprintf(out[i], sizeof out[i], "%s/%s", tmp, names[i]);
    char *copy_yaml = write_temp(tmp, "copy.yaml", "db_mode: copy\n");
    char *push_yaml = write_temp(tmp, "push.yaml", "db_mode: pushdown\n");

    const char *csv[] = {leadpack_bin(), "run", "--quiet", "--input", GENERIC, "--profile",
                         "generic", "--out", out[0], NULL};
    run_result r = run_program(csv, NULL);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    run_result_free(&r);

    const char *gen[] = {leadpack_bin(), "run", "--source", gen_url, "--profile", "generic",
                         "--settings", push_yaml, "--out", out[1], NULL};
    r = run_program(gen, NULL);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    long long copied = log_number(r.err, "pushdown copy gen.touches: ");
    long long counted = log_number(r.err, "pushdown: gen.touches: ");
    /* fixtures/dialects/generic/touches.csv holds 615 touches (616 lines
     * with the header), all of leads that exist, none after the data's
     * as-of: each is either copied or counted on the server. */
    cr_expect_gt(copied, 0, "%s", r.err);
    cr_expect_gt(counted, 0, "some touches stay on the server: %s", r.err);
    cr_expect_eq(copied + counted, 615, "%s", r.err);
    run_result_free(&r);

    const char *pcopy[] = {leadpack_bin(), "run", "--quiet", "--source", plant_url, "--profile",
                           "generic", "--settings", copy_yaml, "--out", out[2], NULL};
    r = run_program(pcopy, NULL);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    run_result_free(&r);
    const char *ppush[] = {leadpack_bin(), "run", "--source", plant_url, "--profile", "generic",
                           "--settings", push_yaml, "--out", out[3], NULL};
    r = run_program(ppush, NULL);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    /* tests/pg/plant.sql: TPLANT-A (a lead with no event) is counted on the
     * server; TPLANT-B (an MQL's touch) and TPLANT-C (an orphan) travel. */
    cr_expect_eq(log_number(r.err, "pushdown copy plant.touches: "), copied + 2, "%s", r.err);
    cr_expect_eq(log_number(r.err, "pushdown: plant.touches: "), counted + 1, "%s", r.err);
    run_result_free(&r);

    char a[600], b[600];
    snprintf(a, sizeof a, "%s/results", out[0]);
    snprintf(b, sizeof b, "%s/results", out[1]);
    expect_same_results(a, b);
    snprintf(a, sizeof a, "%s/results", out[2]);
    snprintf(b, sizeof b, "%s/results", out[3]);
    expect_same_results(a, b);
    free(copy_yaml);
    free(push_yaml);
    free(tmp);
}

/* A role that may hold one connection (tests/pg/plant.sql: lp_one,
 * CONNECTION LIMIT 1): the touches count cannot go to a second connection,
 * runs on the first after the touches copy, and counts the same. */
Test(warehouse, pushdown_with_one_connection, .timeout = 60)
{
    const char *port = server_port();
    setenv("PGPASSWORD", "lp-secret", 1);
    char *tmp = make_temp_dir();
    char url[256], out_csv[512], out_push[512];
    snprintf(url, sizeof url, "postgresql://lp_one@127.0.0.1:%s/leadpack?schema=gen", port);
    snprintf(out_csv, sizeof out_csv, "%s/csv", tmp);
    snprintf(out_push, sizeof out_push, "%s/push", tmp);
    char *push_yaml = write_temp(tmp, "push.yaml", "db_mode: pushdown\n");
    const char *csv[] = {leadpack_bin(), "run", "--quiet", "--input", GENERIC, "--profile",
                         "generic", "--out", out_csv, NULL};
    run_result r = run_program(csv, NULL);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    run_result_free(&r);
    const char *push[] = {leadpack_bin(), "run", "--source", url, "--profile", "generic",
                          "--settings", push_yaml, "--out", out_push, NULL};
    r = run_program(push, NULL);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    cr_expect(strstr(r.err, "no second connection for the touches count") != NULL, "%s", r.err);
    cr_expect(strstr(r.err, "after the copy") != NULL, "%s", r.err);
    /* the same split as pushdown_touches_left_on_the_server: 615 touches in
     * fixtures/dialects/generic/touches.csv, each copied or counted */
    long long copied = log_number(r.err, "pushdown copy gen.touches: ");
    long long counted = log_number(r.err, "pushdown: gen.touches: ");
    cr_expect_gt(counted, 0, "%s", r.err);
    cr_expect_eq(copied + counted, 615, "%s", r.err);
    run_result_free(&r);
    char a[600], b[600];
    snprintf(a, sizeof a, "%s/results", out_csv);
    snprintf(b, sizeof b, "%s/results", out_push);
    expect_same_results(a, b);
    free(push_yaml);
    free(tmp);
}

/* ---- Errors: exit 2 with a message that says what and where ---- */

typedef struct error_case {
    const char *name;
    const char *password;     /* PGPASSWORD, NULL = unset */
    const char *schema;
    const char *mapping;      /* mapping file text, NULL = --profile salesforce */
    bool dead_port;           /* a port nothing listens on */
    int exit_code;
    const char *expect[3];    /* substrings of stderr */
} error_case;

static const error_case error_cases[] = {
    {"cannot_connect", "lp-secret", "crm", NULL, true, 2,
     {"cannot connect", "Connection refused", NULL}},
    {"wrong_password", "not-the-password", "crm", NULL, false, 2,
     {"authentication failed for user lp", "PGPASSWORD", NULL}},
    {"no_password", NULL, "crm", NULL, false, 2, {"authentication failed", NULL, NULL}},
    {"missing_table", "lp-secret", "crm",
     "profile: salesforce\ntables:\n  leads: [leads_2026]\n", false, 2,
     {"no table or view crm.leads_2026 for leads", "Tables in schema crm:",
      "campaignmember, event, lead, opportunity, targets, task, user"}},
    {"missing_schema", "lp-secret", "sales", NULL, false, 2,
     {"schema sales holds no table", NULL, NULL}},
    {"missing_column", "lp-secret", "crm", "profile: salesforce\ntables:\n  leads: [user]\n",
     false, 2,
     {"table crm.user has no column for leads.created_at", "(looked for CreatedDate, created_at)",
      "Columns of crm.user: id, firstname, lastname, name, email, department, usertype"}},
    {"unreadable_type", "lp-secret", "crm", "profile: salesforce\ntables:\n  leads: [badlead]\n",
     false, 2,
     {"column crm.badlead.createddate is of type bytea", "leads.created_at", NULL}},
};

static void run_error_case(const error_case *c)
{
    const char *port = server_port();
    if (c->password) setenv("PGPASSWORD", c->password, 1);
    else unsetenv("PGPASSWORD");
    setenv("PGPASSFILE", "/nonexistent/leadpack-test-pgpass", 1);
    char *tmp = make_temp_dir();
    char url[256], dead[16];
    snprintf(dead, sizeof dead, "%d", free_port());
    source_url(url, sizeof url, c->dead_port ? dead : port, c->schema);
    char *mapping = c->mapping ? write_temp(tmp, "mapping.yaml", c->mapping) : NULL;
    const char *argv[] = {leadpack_bin(), "check", "--source", url,
                          mapping ? "--mapping" : "--profile", mapping ? mapping : "salesforce",
                          NULL};
    run_result r = run_program(argv, NULL);
    cr_expect_eq(r.exit_code, c->exit_code, "%s: exit %d: %s", c->name, r.exit_code, r.err);
    for (int i = 0; i < 3 && c->expect[i]; i++)
        cr_expect(strstr(r.err, c->expect[i]) != NULL, "%s: no \"%s\" in: %s", c->name,
                  c->expect[i], r.err);
    if (c->password)
        cr_expect(strstr(r.err, c->password) == NULL, "%s: the password was printed", c->name);
    run_result_free(&r);
    free(mapping);
    free(tmp);
}

/* The parameter is an index into error_cases: parameters are copied into
 * the test process, where pointers into the binary need not hold. */
static int error_index[sizeof error_cases / sizeof error_cases[0]] = {0, 1, 2, 3, 4, 5, 6};

ParameterizedTestParameters(warehouse, errors_exit_2)
{
    return cr_make_param_array(int, error_index, sizeof error_index / sizeof error_index[0]);
}

ParameterizedTest(int *index, warehouse, errors_exit_2, .timeout = 30)
{
    run_error_case(&error_cases[*index]);
}

/* A password on the command line is refused before any connection. */
Test(warehouse, password_in_the_url_is_refused)
{
    const char *argv[] = {leadpack_bin(), "check", "--source",
                          "postgresql://lp:hunter2@127.0.0.1:1/leadpack", NULL};
    run_result r = run_program(argv, NULL);
    cr_expect_eq(r.exit_code, 1, "%s", r.err);
    cr_expect(strstr(r.err, "leave the password out of the URL") != NULL, "%s", r.err);
    cr_expect(strstr(r.err, "hunter2") == NULL);
    run_result_free(&r);
}
