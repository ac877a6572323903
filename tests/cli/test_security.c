/*
 * Security checks through the real binary:
 *  - text from an export never becomes a formula in the workbook (read back
 *    with openpyxl, an independent reader): every cell holding one of the
 *    planted payloads is a string cell, and no formula cell mentions one,
 *    including the COUNTIFS formulas built with team names as criteria;
 *  - in the results CSV files, a text value that starts with =, +, -, @,
 *    tab or CR carries a single quote in front (OWASP, CSV injection);
 *  - the SMTP password (from the environment) appears nowhere: not on
 *    stderr, not in any output file; a URL holding credentials is refused
 *    without being echoed;
 *  - no shell and no other program is started by leadpack: the binary
 *    imports none of system, popen, the exec family, posix_spawn, fork
 *    (checked on its dynamic symbol table with nm; engine and reports are
 *    linked in statically, so their calls would show there too).
 * Paths in mappings and templates that escape their folder, and the
 * configurable limits, are cases of fixtures/bad (test_bad_inputs.c).
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "runner.h"

#define TINY LP_SOURCE_DIR "/fixtures/tiny"

/* Companies planted in leads whose MQL falls in the report week (so that
 * they reach the detail sheets and files). Each starts with a character a
 * spreadsheet would run; the CSV quoting of leads.csv keeps them intact. */
static const char *const payloads[] = {
    "=HYPERLINK(\"http://evil.test/\",\"open me\")",
    "+1+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
};
#define NPAYLOADS (sizeof payloads / sizeof payloads[0])

static void copy_tiny(const char *dir)
{
    DIR *d = opendir(TINY);
    cr_assert_not_null(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char from[1024], to[1024];
        snprintf(from, sizeof from, "%s/%s", TINY, e->d_name);
        snprintf(to, sizeof to, "%s/%s", dir, e->d_name);
        size_t len;
        char *data = read_file(from, &len);
        cr_assert_not_null(data);
        FILE *fp = fopen(to, "wb");
        cr_assert_not_null(fp);
        fwrite(data, 1, len, fp);
        fclose(fp);
        free(data);
    }
    closedir(d);
}

/* leads.csv with the payloads as the companies of L1..L4 (MQLs of
 * 2026-W47, the default report week of fixtures/tiny). */
static void plant_payloads(const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/leads.csv", dir);
    size_t len;
    char *data = read_file(path, &len);
    cr_assert_not_null(data);
    static const char *const companies[] = {",Acme,", ",Beta,", ",Gamma,", ",Delta,"};
    FILE *fp = fopen(path, "wb");
    cr_assert_not_null(fp);
    const char *p = data;
    for (;;) {
        const char *hit = NULL;
        size_t which = 0;
        for (size_t i = 0; i < NPAYLOADS; i++) {
            const char *h = strstr(p, companies[i]);
            if (h && (!hit || h < hit)) hit = h, which = i;
        }
        if (!hit) break;
        fwrite(p, 1, (size_t)(hit - p), fp);
        fputs(",\"", fp);
        for (const char *c = payloads[which]; *c; c++) {
            if (*c == '"') fputc('"', fp);
            fputc(*c, fp);
        }
        fputs("\",", fp);
        p = hit + strlen(companies[which]);
    }
    fputs(p, fp);
    fclose(fp);
    free(data);
}

/* A team name that would close the criterion string of a COUNTIFS formula
 * built from it (the Volume and SLA sheets count by team) and call
 * HYPERLINK. */
static const char team_payload[] = "East\") & HYPERLINK(\"http://evil.test/team\",\"x\") & (\"";

/* users.csv with Alice's team (East) renamed to the team payload. */
static void plant_team(const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/users.csv", dir);
    size_t len;
    char *data = read_file(path, &len);
    cr_assert_not_null(data);
    const char *hit = strstr(data, "u1,Alice,East,");
    cr_assert_not_null(hit);
    FILE *fp = fopen(path, "wb");
    cr_assert_not_null(fp);
    fwrite(data, 1, (size_t)(hit - data), fp);
    fputs("u1,Alice,\"", fp);
    for (const char *c = team_payload; *c; c++) {
        if (*c == '"') fputc('"', fp);
        fputc(*c, fp);
    }
    fputs("\",", fp);
    fputs(hit + strlen("u1,Alice,East,"), fp);
    fclose(fp);
    free(data);
}

static char *run_pack(void)
{
    char *tmp = make_temp_dir();
    cr_assert_not_null(tmp);
    char in[512], out[512];
    snprintf(in, sizeof in, "%s/in", tmp);
    snprintf(out, sizeof out, "%s/out", tmp);
    mkdir(in, 0755);
    copy_tiny(in);
    plant_payloads(in);
    plant_team(in);
    const char *argv[] = {leadpack_bin(), "run", "--input", in, "--profile", "generic",
                          "--out", out, "--quiet", NULL};
    run_result r = run_program(argv, NULL);
    cr_assert_eq(r.exit_code, 0, "leadpack run: %d\n%s", r.exit_code, r.err);
    run_result_free(&r);
    return tmp;
}

static const char workbook_check[] =
    "import sys, glob, openpyxl\n"
    "payloads = sys.argv[3:]\n"
    "team = sys.argv[2]\n"
    "book = glob.glob(sys.argv[1] + '/out/*.xlsx')[0]\n"
    "wb = openpyxl.load_workbook(book)\n"
    "found = set()\n"
    "bad = []\n"
    "for ws in wb.worksheets:\n"
    "    for row in ws.iter_rows():\n"
    "        for c in row:\n"
    "            v = c.value\n"
    "            if not isinstance(v, str):\n"
    "                continue\n"
    "            hits = [p for p in payloads if p in v or p[1:] in v]\n"
    "            if c.data_type == 'f':\n"
    "                if any(p[1:] in v for p in payloads) or 'cmd|' in v or 'evil' in v:\n"
    "                    bad.append('%s!%s formula %r' % (ws.title, c.coordinate, v))\n"
    "            elif hits:\n"
    "                if c.data_type not in ('s', 'inlineStr'):\n"
    "                    bad.append('%s!%s type %s' % (ws.title, c.coordinate, c.data_type))\n"
    "                found.update(p for p in payloads if v == p)\n"
    "            elif v == team:\n"
    "                found.add(team)\n"
    "missing = [p for p in payloads + [team] if p not in found]\n"
    "if missing:\n"
    "    bad.append('payloads not written as plain text anywhere: %r' % missing)\n"
    "print('\\n'.join(bad))\n"
    "sys.exit(1 if bad else 0)\n";

Test(hardening, export_text_never_becomes_a_formula)
{
    char *tmp = run_pack();
    const char *argv[9 + NPAYLOADS];
    int n = 0;
    argv[n++] = "/usr/bin/python3";
    argv[n++] = "-c";
    argv[n++] = workbook_check;
    argv[n++] = tmp;
    argv[n++] = team_payload;
    for (size_t i = 0; i < NPAYLOADS; i++) argv[n++] = payloads[i];
    argv[n] = NULL;
    run_result r = run_program(argv, NULL);
    cr_expect_eq(r.exit_code, 0, "openpyxl check:\n%s%s", r.out, r.err);
    run_result_free(&r);
    const char *rm[] = {"/bin/rm", "-rf", tmp, NULL};
    r = run_program(rm, NULL);
    run_result_free(&r);
    free(tmp);
}

/* Every field of a CSV text, unquoted, through emit. */
static void csv_fields(const char *text, void (*emit)(const char *field, void *ctx), void *ctx)
{
    size_t cap = strlen(text) + 1;
    char *field = malloc(cap);
    cr_assert_not_null(field);
    size_t len = 0;
    bool quoted = false;
    for (const char *p = text;; p++) {
        if (quoted) {
            if (*p == '"' && p[1] == '"') field[len++] = '"', p++;
            else if (*p == '"') quoted = false;
            else if (*p) field[len++] = *p;
            else break;
            continue;
        }
        if (*p == '"') {
            quoted = true;
        } else if (*p == ',' || *p == '\n' || *p == '\0') {
            field[len] = '\0';
            emit(field, ctx);
            len = 0;
            if (!*p) break;
        } else if (*p != '\r') {
            field[len++] = *p;
        }
    }
    free(field);
}

typedef struct csv_seen {
    const char *file;
    bool found[NPAYLOADS];
} csv_seen;

static void check_field(const char *field, void *ctx)
{
    csv_seen *seen = ctx;
    for (size_t i = 0; i < NPAYLOADS; i++) {
        const char *body = payloads[i] + 1; /* the payload after its first character */
        const char *at = strstr(field, body);
        if (!at || at == field) continue;
        if (at - field == 1 && field[0] == payloads[i][0]) {
            cr_expect_fail("%s: \"%s\" is written unprefixed", seen->file, field);
        } else if (at - field == 2 && field[0] == '\'' && field[1] == payloads[i][0]) {
            seen->found[i] = true;
        }
    }
}

Test(hardening, csv_results_prefix_formula_text)
{
    char *tmp = run_pack();
    char dir[600];
    snprintf(dir, sizeof dir, "%s/out/results", tmp);
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    bool found[NPAYLOADS] = {false};
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strstr(e->d_name, ".csv")) continue;
        char path[900];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        char *text = read_file(path, NULL);
        cr_assert_not_null(text);
        csv_seen seen = {e->d_name, {false}};
        csv_fields(text, check_field, &seen);
        for (size_t i = 0; i < NPAYLOADS; i++) found[i] |= seen.found[i];
        free(text);
    }
    closedir(d);
    /* detail_mqls.csv lists the companies of the week's MQLs. */
    for (size_t i = 0; i < NPAYLOADS; i++)
        cr_expect(found[i], "payload %s not found with its quote prefix", payloads[i]);
    const char *rm[] = {"/bin/rm", "-rf", tmp, NULL};
    run_result r = run_program(rm, NULL);
    run_result_free(&r);
    free(tmp);
}

/* true when the file at path (or any file under it) holds needle. */
static bool tree_holds(const char *path, const char *needle)
{
    struct stat st;
    if (stat(path, &st) != 0) return false;
    if (S_ISREG(st.st_mode)) {
        size_t len;
        char *data = read_file(path, &len);
        bool hit = data && memmem(data, len, needle, strlen(needle)) != NULL;
        free(data);
        return hit;
    }
    if (!S_ISDIR(st.st_mode)) return false;
    DIR *d = opendir(path);
    if (!d) return false;
    bool hit = false;
    struct dirent *e;
    while (!hit && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char child[1024];
        snprintf(child, sizeof child, "%s/%s", path, e->d_name);
        hit = tree_holds(child, needle);
    }
    closedir(d);
    return hit;
}

Test(hardening, smtp_credentials_are_never_logged)
{
    const char *secret = "Sup3r-S3cret-pw";
    setenv("LEADPACK_SMTP_USER", "pack-sender", 1);
    setenv("LEADPACK_SMTP_PASSWORD", secret, 1);
    char *tmp = make_temp_dir();
    char out[512];
    snprintf(out, sizeof out, "%s/out", tmp);
    /* Port 1 on loopback: nothing listens, delivery fails at once. */
    const char *argv[] = {leadpack_bin(), "run", "--input", TINY, "--profile", "generic",
                          "--out", out, "--mail", "--to", "vp@example.test",
                          "--from", "pack@example.test", "--smtp", "smtp://127.0.0.1:1", NULL};
    run_result r = run_program(argv, NULL);
    cr_expect_eq(r.exit_code, 4, "exit %d: %s", r.exit_code, r.err);
    cr_expect_null(strstr(r.err, secret), "password on stderr:\n%s", r.err);
    cr_expect_null(strstr(r.out, secret));
    cr_expect(!tree_holds(out, secret), "password written under %s", out);
    run_result_free(&r);

    /* Credentials in the URL are refused, and not repeated. */
    const char *in_url[] = {leadpack_bin(), "run", "--input", TINY, "--profile", "generic",
                            "--out", out, "--mail", "--to", "vp@example.test",
                            "--from", "pack@example.test", "--smtp",
                            "smtp://pack-sender:Url-S3cret@127.0.0.1:1", NULL};
    r = run_program(in_url, NULL);
    cr_expect_neq(r.exit_code, 0);
    cr_expect_lt(r.exit_code, 128);
    cr_expect_null(strstr(r.err, "Url-S3cret"), "password from the URL on stderr:\n%s", r.err);
    cr_expect(!tree_holds(out, "Url-S3cret"));
    run_result_free(&r);
    const char *rm[] = {"/bin/rm", "-rf", tmp, NULL};
    r = run_program(rm, NULL);
    run_result_free(&r);
    free(tmp);
}

Test(hardening, no_shell_or_program_is_started)
{
    const char *argv[] = {"/usr/bin/nm", "-D", "--undefined-only", leadpack_bin(), NULL};
    run_result r = run_program(argv, NULL);
    cr_assert_eq(r.exit_code, 0, "nm: %s", r.err);
    cr_assert_gt(strlen(r.out), 100, "nm listed nothing");
    static const char *const spawners[] = {"system", "popen", "execl", "execle", "execlp",
                                           "execv", "execve", "execvp", "execvpe", "fexecve",
                                           "posix_spawn", "posix_spawnp", "fork", "vfork",
                                           "clone", "wordexp"};
    /* Lines read "                 U name@GLIBC_2.2.5". */
    for (char *line = strtok(r.out, "\n"); line; line = strtok(NULL, "\n")) {
        char *name = strstr(line, "U ");
        if (!name) continue;
        name += 2;
        size_t len = strcspn(name, "@");
        for (size_t i = 0; i < sizeof spawners / sizeof spawners[0]; i++)
            cr_expect(!(strlen(spawners[i]) == len && !strncmp(name, spawners[i], len)),
                      "leadpack imports %s", spawners[i]);
    }
    run_result_free(&r);
}
