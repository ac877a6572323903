/*
 * The SQLite store of the ledger (ledger_internal.h).
 *
 * A file is never created over something else: an existing file is opened
 * without SQLITE_OPEN_CREATE and read (sqlite_master, quick_check) before
 * anything is written, so a foreign or corrupt file is refused untouched.
 * Two runs at once: WAL lets readers go on while one writer holds the
 * lock; BEGIN IMMEDIATE takes the write lock at the start of a record, and
 * the busy timeout makes the second writer wait for the first.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ledger_internal.h"

#define BUSY_MS_DEFAULT 30000

static lp_status fail(lp_ledger *l, int rc, const char *what)
{
    sqlite3 *db = l->db;
    int primary = rc & 0xff;
    const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    if (primary == SQLITE_NOTADB) {
        lp_errmsg_set(l->errmsg, "%s is not a leadpack ledger (%s); leadpack leaves it as it is",
                      l->shown, msg);
        return LP_ERR_INPUT;
    }
    if (primary == SQLITE_CORRUPT) {
        lp_errmsg_set(l->errmsg, "%s is a corrupt ledger (%s); leadpack leaves it as it is",
                      l->shown, msg);
        return LP_ERR_INPUT;
    }
    lp_errmsg_set(l->errmsg, "%s: %s: %s", l->shown, what, msg);
    return LP_ERR_IO;
}

static lp_status sq_exec(lp_ledger *l, const char *sql, int n, const char *const *params,
                         ledger_row_fn fn, void *ctx)
{
    sqlite3 *db = l->db;
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
    if (rc != SQLITE_OK) return fail(l, rc, "cannot read the ledger");
    for (int i = 0; i < n; i++) {
        rc = params[i] ? sqlite3_bind_text(stmt, i + 1, params[i], -1, SQLITE_STATIC)
                       : sqlite3_bind_null(stmt, i + 1);
        if (rc != SQLITE_OK) {
            sqlite3_finalize(stmt);
            return fail(l, rc, "cannot read the ledger");
        }
    }
    bool more = true;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (!fn || !more) continue;
        int ncols = sqlite3_column_count(stmt);
        const char *values[16];
        char numbers[16][32];
        if (ncols > 16) ncols = 16;
        for (int c = 0; c < ncols; c++) {
            int type = sqlite3_column_type(stmt, c);
            if (type == SQLITE_NULL) {
                values[c] = NULL;
            } else if (type == SQLITE_FLOAT) {
                /* sqlite's own text form keeps 15 digits; %.17g reads back exactly */
                snprintf(numbers[c], sizeof numbers[c], "%.17g", sqlite3_column_double(stmt, c));
                values[c] = numbers[c];
            } else {
                values[c] = (const char *)sqlite3_column_text(stmt, c);
            }
        }
        more = fn(ctx, ncols, values);
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) return fail(l, rc, "cannot use the ledger");
    return LP_OK;
}

static lp_status sq_simple(lp_ledger *l, const char *sql, const char *what)
{
    char *err = NULL;
    int rc = sqlite3_exec(l->db, sql, NULL, NULL, &err);
    sqlite3_free(err);
    return rc == SQLITE_OK ? LP_OK : fail(l, rc, what);
}

static lp_status sq_begin(lp_ledger *l)
{
    return sq_simple(l, "BEGIN IMMEDIATE", "cannot lock the ledger for writing");
}

static lp_status sq_commit(lp_ledger *l)
{
    return sq_simple(l, "COMMIT", "cannot write the ledger");
}

static void sq_rollback(lp_ledger *l)
{
    if (!sqlite3_get_autocommit(l->db)) sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
}

static lp_status sq_tables(lp_ledger *l, ledger_row_fn fn, void *ctx)
{
    return sq_exec(l, "SELECT name FROM sqlite_master WHERE type = 'table' "
                      "AND name NOT LIKE 'sqlite_%'", 0, NULL, fn, ctx);
}

static void sq_close(lp_ledger *l)
{
    sqlite3_close(l->db);
    l->db = NULL;
}

static const ledger_store sqlite_store = {
    .name = "sqlite",
    .run_id_ddl = "run_id INTEGER PRIMARY KEY AUTOINCREMENT",
    .exec = sq_exec,
    .begin_write = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .tables = sq_tables,
    .close = sq_close,
};

lp_status lp_ledger_sqlite_open(lp_ledger *l, const char *path)
{
    l->store = &sqlite_store;
    snprintf(l->shown, sizeof l->shown, "%s", path);
    struct stat info;
    bool exists = stat(path, &info) == 0;
    if (exists && !S_ISREG(info.st_mode)) {
        lp_errmsg_set(l->errmsg, "%s is not a leadpack ledger (not a file)", path);
        return LP_ERR_INPUT;
    }
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (exists ? 0 : SQLITE_OPEN_CREATE);
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, flags, NULL);
    l->db = db;
    if (rc != SQLITE_OK) {
        lp_status st = fail(l, rc, exists ? "cannot open the ledger" : "cannot create the ledger");
        return st == LP_ERR_INPUT ? st : LP_ERR_IO;
    }
    int busy_ms = BUSY_MS_DEFAULT;
    const char *env = getenv("LEADPACK_LEDGER_BUSY_MS");
    if (env && *env) busy_ms = atoi(env);
    sqlite3_busy_timeout(db, busy_ms);
    sqlite3_extended_result_codes(db, 1);
    return LP_OK;
}

static bool count_row(void *ctx, int ncols, const char *const *values)
{
    (void)ncols;
    (void)values;
    (*(size_t *)ctx)++;
    return true;
}

static bool first_value(void *ctx, int ncols, const char *const *values)
{
    char *out = ctx;
    snprintf(out, 128, "%s", ncols > 0 && values[0] ? values[0] : "");
    return false;
}

lp_status lp_ledger_sqlite_check(lp_ledger *l, bool *out_empty)
{
    size_t ntables = 0;
    lp_status st = sq_tables(l, count_row, &ntables);
    if (st) return st;
    *out_empty = ntables == 0;
    if (ntables == 0) return LP_OK;
    char result[128] = "";
    st = sq_exec(l, "PRAGMA quick_check", 0, NULL, first_value, result);
    if (st) return st;
    if (strcmp(result, "ok") != 0) {
        lp_errmsg_set(l->errmsg, "%s is a corrupt ledger (SQLite quick_check: %s); leadpack "
                      "leaves it as it is", l->shown, result);
        return LP_ERR_INPUT;
    }
    return LP_OK;
}

lp_status lp_ledger_sqlite_wal(lp_ledger *l)
{
    char mode[128] = "";
    lp_status st = sq_exec(l, "PRAGMA journal_mode = WAL", 0, NULL, first_value, mode);
    if (st) return st;
    if (strcmp(mode, "wal") != 0) {
        lp_errmsg_set(l->errmsg, "%s: cannot switch the ledger to WAL (journal mode %s)",
                      l->shown, mode);
        return LP_ERR_IO;
    }
    return LP_OK;
}
