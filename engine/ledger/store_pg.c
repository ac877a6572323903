/*
 * The PostgreSQL store of the ledger (ledger_internal.h), through libpq.
 *
 * The target is a libpq URL with one extra query parameter, schema=
 * (default public), which is created when missing and set as the search
 * path. Credentials come only from what libpq reads; a password in the URL
 * is refused. `?` placeholders become $1..$n; every parameter is text and
 * untyped, so the server infers its type from the column it meets. Writes
 * take a transaction-scoped advisory lock, so two runs that create the
 * schema or record at once go one after the other.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ledger_internal.h"

/* Advisory lock key of the ledger ("leadpack" in ASCII, as an int64). */
#define LEDGER_LOCK "7809643030498599787"

static void one_line(const char *msg, char *out, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; msg && msg[i] && o + 1 < size; i++)
        out[o++] = msg[i] == '\n' || msg[i] == '\r' ? ' ' : msg[i];
    while (o && out[o - 1] == ' ') o--;
    out[o] = '\0';
}

/* The SQL with each `?` outside quotes replaced by $1, $2, ... */
static char *number_params(const char *sql)
{
    size_t len = strlen(sql), n = 0;
    for (size_t i = 0; i < len; i++) n += sql[i] == '?';
    char *out = lp_malloc(len + n * 4 + 1);
    if (!out) return NULL;
    size_t o = 0;
    int k = 0;
    bool quoted = false;
    for (size_t i = 0; i < len; i++) {
        if (sql[i] == '\'') quoted = !quoted;
        if (sql[i] == '?' && !quoted)
            o += (size_t)sprintf(out + o, "$%d", ++k);
        else
            out[o++] = sql[i];
    }
    out[o] = '\0';
    return out;
}

static lp_status pg_exec(lp_ledger *l, const char *sql, int n, const char *const *params,
                         ledger_row_fn fn, void *ctx)
{
    char *numbered = number_params(sql);
    if (!numbered) return LP_ERR_NOMEM;
    PGresult *res = PQexecParams(l->db, numbered, n, NULL, params, NULL, NULL, 0);
    lp_free(numbered);
    ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        char reason[LP_ERRMSG_SIZE];
        one_line(PQerrorMessage(l->db), reason, sizeof reason);
        lp_errmsg_set(l->errmsg, "%s: the ledger query failed: %s", l->shown, reason);
        PQclear(res);
        return LP_ERR_DATABASE;
    }
    int nrows = PQntuples(res), ncols = PQnfields(res);
    if (ncols > 16) ncols = 16;
    for (int r = 0; fn && r < nrows; r++) {
        const char *values[16];
        for (int c = 0; c < ncols; c++)
            values[c] = PQgetisnull(res, r, c) ? NULL : PQgetvalue(res, r, c);
        if (!fn(ctx, ncols, values)) break;
    }
    PQclear(res);
    return LP_OK;
}

static lp_status pg_begin(lp_ledger *l)
{
    lp_status st = pg_exec(l, "BEGIN", 0, NULL, NULL, NULL);
    if (!st) st = pg_exec(l, "SELECT pg_advisory_xact_lock(" LEDGER_LOCK ")", 0, NULL, NULL, NULL);
    if (st) pg_exec(l, "ROLLBACK", 0, NULL, NULL, NULL);
    return st;
}

static lp_status pg_commit(lp_ledger *l) { return pg_exec(l, "COMMIT", 0, NULL, NULL, NULL); }

static void pg_rollback(lp_ledger *l)
{
    if (PQtransactionStatus(l->db) != PQTRANS_IDLE) {
        char keep[LP_ERRMSG_SIZE];
        snprintf(keep, sizeof keep, "%s", l->errmsg);
        pg_exec(l, "ROLLBACK", 0, NULL, NULL, NULL);
        snprintf(l->errmsg, LP_ERRMSG_SIZE, "%s", keep);
    }
}

static lp_status pg_tables(lp_ledger *l, ledger_row_fn fn, void *ctx)
{
    const char *params[1] = {l->schema};
    return pg_exec(l, "SELECT table_name FROM information_schema.tables "
                      "WHERE table_schema = ?", 1, params, fn, ctx);
}

static void pg_close(lp_ledger *l)
{
    PQfinish(l->db);
    l->db = NULL;
}

static const ledger_store pg_store = {
    .name = "postgresql",
    .run_id_ddl = "run_id BIGSERIAL PRIMARY KEY",
    .exec = pg_exec,
    .begin_write = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .tables = pg_tables,
    .close = pg_close,
};

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static void url_decode(const char *s, size_t len, char *out, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o + 1 < size; i++) {
        if (s[i] == '%' && i + 2 < len && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            out[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            out[o++] = s[i] == '+' ? ' ' : s[i];
        }
    }
    out[o] = '\0';
}

lp_status lp_ledger_pg_open(lp_ledger *l, const char *url)
{
    l->store = &pg_store;
    size_t shown = strcspn(url, "?");
    snprintf(l->shown, sizeof l->shown, "%.*s", (int)shown, url);
    size_t skip = !strncasecmp(url, "postgresql://", 13) ? 13 : 11;
    const char *authority = url + skip;
    size_t alen = strcspn(authority, "/?");
    const char *at = NULL;
    for (size_t i = 0; i < alen; i++)
        if (authority[i] == '@') at = authority + i;
    static const char no_password[] =
        "--history: leave the password out of the URL; leadpack takes it only from "
        "PGPASSWORD, ~/.pgpass or a service file";
    if (at && memchr(authority, ':', (size_t)(at - authority))) {
        lp_errmsg_set(l->errmsg, "%s", no_password);
        return LP_ERR_USAGE;
    }
    snprintf(l->schema, sizeof l->schema, "public");
    lp_buf conninfo = {0};
    lp_buf_append(&conninfo, url, shown);
    bool first = true;
    const char *q = strchr(url, '?');
    for (const char *p = q ? q + 1 : NULL; p && *p;) {
        size_t len = strcspn(p, "&");
        const char *eq = memchr(p, '=', len);
        size_t klen = eq ? (size_t)(eq - p) : len;
        if (klen == 6 && !strncasecmp(p, "schema", 6)) {
            if (eq) url_decode(eq + 1, len - klen - 1, l->schema, sizeof l->schema);
        } else if (klen == 8 && !strncasecmp(p, "password", 8)) {
            lp_buf_reset(&conninfo);
            lp_errmsg_set(l->errmsg, "%s", no_password);
            return LP_ERR_USAGE;
        } else if (len) {
            lp_buf_puts(&conninfo, first ? "?" : "&");
            lp_buf_append(&conninfo, p, len);
            first = false;
        }
        p += len;
        if (*p == '&') p++;
    }
    if (conninfo.failed || !l->schema[0]) {
        lp_buf_reset(&conninfo);
        if (!l->schema[0]) {
            lp_errmsg_set(l->errmsg, "--history: schema= is empty");
            return LP_ERR_USAGE;
        }
        return LP_ERR_NOMEM;
    }
    PGconn *conn = PQconnectdb(conninfo.data);
    lp_buf_reset(&conninfo);
    l->db = conn;
    if (!conn) return LP_ERR_NOMEM;
    if (PQstatus(conn) != CONNECTION_OK) {
        char reason[LP_ERRMSG_SIZE];
        one_line(PQerrorMessage(conn), reason, sizeof reason);
        lp_errmsg_set(l->errmsg, "%s: cannot connect to the ledger (leadpack reads the "
                      "password only from PGPASSWORD, ~/.pgpass or a service file): %s",
                      l->shown, reason);
        return LP_ERR_DATABASE;
    }
    if (PQsetClientEncoding(conn, "UTF8") != 0) {
        lp_errmsg_set(l->errmsg, "%s: the server cannot send UTF-8", l->shown);
        return LP_ERR_DATABASE;
    }
    /* The schema, then the search path: identifiers quoted by the server. */
    char *ident = PQescapeIdentifier(conn, l->schema, strlen(l->schema));
    if (!ident) return LP_ERR_NOMEM;
    char sql[512];
    lp_status st = LP_OK;
    const char *params[1] = {l->schema};
    PGresult *res = PQexecParams(conn, "SELECT 1 FROM pg_namespace WHERE nspname = $1", 1, NULL,
                                 params, NULL, NULL, 0);
    bool found = res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0;
    PQclear(res);
    if (!found) {
        snprintf(sql, sizeof sql, "CREATE SCHEMA IF NOT EXISTS %s", ident);
        st = pg_exec(l, sql, 0, NULL, NULL, NULL);
    }
    if (!st) {
        snprintf(sql, sizeof sql, "SET search_path TO %s", ident);
        st = pg_exec(l, sql, 0, NULL, NULL, NULL);
    }
    PQfreemem(ident);
    return st;
}
