/*
 * ledger_internal.h: the two stores behind lp/ledger.h.
 *
 * ledger.c speaks SQL that both SQLite and PostgreSQL run unchanged (text
 * parameters written `?`, INSERT ... ON CONFLICT DO NOTHING, RETURNING),
 * through the few operations below; store_sqlite.c and store_pg.c carry
 * them out. Every value crosses as text (a double as "%.17g", which reads
 * back exactly), NULL for SQL NULL.
 */
#ifndef LP_LEDGER_INTERNAL_H
#define LP_LEDGER_INTERNAL_H

#include "lp/ledger.h"

/* One result row: ncols values, NULL for SQL NULL. Return false to stop. */
typedef bool (*ledger_row_fn)(void *ctx, int ncols, const char *const *values);

typedef struct ledger_store {
    const char *name;   /* "sqlite", "postgresql" */
    /* The run_id column of runs in CREATE TABLE. */
    const char *run_id_ddl;
    /* Runs one statement with n text parameters; rows go to fn (may be
     * NULL). Writes ledger->errmsg on failure. */
    lp_status (*exec)(lp_ledger *ledger, const char *sql, int n, const char *const *params,
                      ledger_row_fn fn, void *ctx);
    /* A write transaction that holds the store's write lock from its start
     * (SQLite BEGIN IMMEDIATE, waiting up to the busy timeout; PostgreSQL
     * BEGIN and an advisory lock on the ledger). */
    lp_status (*begin_write)(lp_ledger *ledger);
    lp_status (*commit)(lp_ledger *ledger);
    void (*rollback)(lp_ledger *ledger);
    /* Tables of the ledger's schema (or file) as names, into fn. */
    lp_status (*tables)(lp_ledger *ledger, ledger_row_fn fn, void *ctx);
    void (*close)(lp_ledger *ledger);
} ledger_store;

struct lp_ledger {
    const ledger_store *store;
    void *db;               /* sqlite3 * or PGconn * */
    char shown[512];        /* target without its query string */
    char schema[128];       /* PostgreSQL schema */
    char *errmsg;           /* the current call's error buffer (LP_ERRMSG_SIZE) */
    char scratch[LP_ERRMSG_SIZE];
};

/* Open the store of target into ledger (store, db, shown set); the schema
 * is checked and created by ledger.c afterwards. */
lp_status lp_ledger_sqlite_open(lp_ledger *ledger, const char *path);
lp_status lp_ledger_pg_open(lp_ledger *ledger, const char *url);

/* SQLite: the file holds a database that passes quick_check. LP_ERR_INPUT
 * otherwise (the message says why). Called before anything is written. */
lp_status lp_ledger_sqlite_check(lp_ledger *ledger, bool *out_empty);
/* SQLite: switch a new file to WAL (kept in the file). */
lp_status lp_ledger_sqlite_wal(lp_ledger *ledger);

#endif
