/*
 * warehouse_internal.h: what the two halves of the warehouse source share
 * (not part of the public API): warehouse.c reads the source, the schema
 * and COPYs the tables; pushdown.c restricts the copies to what the
 * measures read and reconciles the server's figures with the loaded rows.
 */
#ifndef LP_WAREHOUSE_INTERNAL_H
#define LP_WAREHOUSE_INTERNAL_H

#include <libpq-fe.h>

#include "lp/warehouse.h"

#define NAME_SIZE 128
#define MAX_STREAMS 32

/* ---- Small helpers ---- */

typedef struct db_col {
    char *name;      /* column_name */
    char *type;      /* information_schema data_type, e.g. "timestamp with time zone" */
} db_col;

/* One server table or view feeding a canonical table. */
typedef struct stream_plan {
    lp_table_id id;
    char schema[NAME_SIZE];
    char table[NAME_SIZE];
    char label[2 * NAME_SIZE + 2];     /* schema.table */
    db_col *cols;                      /* server columns in ordinal order */
    size_t ncols;
    int pick[LP_CANON_MAX_COLUMNS];    /* server column per canonical column, or -1 */
} stream_plan;

typedef struct wh {
    const lp_warehouse_options *opts;
    const lp_mapping *mapping;
    PGconn *conn;
    char *errmsg;
    char schema[NAME_SIZE];            /* the source's default schema */
    char shown[256];                   /* the source as it may be shown */
    bool pushdown;
    stream_plan plans[MAX_STREAMS];
    size_t nplans;
    /* Pushdown: the window (restrictions 1 and 2 of warehouse.h). */
    bool window;                       /* as_of and window_start are known */
    bool as_of_given;
    int64_t as_of, window_start;       /* window_start = W, <= as_of */
    const char *touches_why;           /* why touches are copied whole, or NULL */
    bool touches_restricted;           /* some touches stayed on the server */
    /* Touches counted on the server, per trimmed campaign id. */
    struct touch_count *counts;
    size_t ncounts, counts_cap;
    int64_t touches_counted;
    int64_t plan_counted[MAX_STREAMS]; /* per touches plan */
    /* The count statement (every restricted touches plan), sent on conn2
     * before the copies start, or run on conn after the first touches copy
     * when no second connection could be opened. */
    lp_buf count_sql;
    PGconn *conn2;
    bool counts_sent, counts_done;
} wh;

typedef struct touch_count {
    char *key;
    int64_t touches, responders;
} touch_count;

/* ---- warehouse.c: the shared helpers ---- */

/* A line to options->log, when set. */
void lp_wh_log(const wh *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Monotonic seconds, for the logged timings. */
double lp_wh_now_seconds(void);
/* libpq's message on one line: newlines and tabs become spaces, the end is
 * trimmed. */
void lp_wh_one_line(const char *msg, char *buf, size_t size);
/* information_schema data_type classes. */
bool lp_wh_is_text_type(const char *t);
bool lp_wh_is_time_type(const char *t);
bool lp_wh_is_number_type(const char *t);
/* Appends a quoted identifier / the plan's schema-qualified table. */
void lp_wh_put_ident(wh *w, lp_buf *buf, const char *name);
void lp_wh_put_table(wh *w, lp_buf *buf, const stream_plan *p);
/* Runs sql with text parameters on conn (lp_wh_query: on w->conn); NULL
 * with w->errmsg set on failure; the caller PQclears the result. */
PGresult *lp_wh_query_on(wh *w, PGconn *conn, const char *sql, int nparams,
                         const char *const *params);
PGresult *lp_wh_query(wh *w, const char *sql, int nparams, const char *const *params);
/* Opens and sets up a session (UTF8, ISO dates, report zone). */
lp_status lp_wh_open_conn(wh *w, const char *conninfo, PGconn **out_conn);
/* Index of a canonical column of table id, or -1. */
int lp_wh_canon_index(lp_table_id id, const char *name);

/* ---- pushdown.c: db_mode pushdown ---- */

/* Fixes as-of and W as lp_measures_compute will (lp_window_compute) and
 * hands them to the session; leaves w->window false (and logs why) when it
 * cannot. */
lp_status lp_wh_pushdown_window(wh *w);
/* Sends the touches count statement on a second connection before the
 * copies start (or leaves it for after the first touches copy). */
lp_status lp_wh_touch_counts_start(wh *w, const char *conninfo);
/* Appends the WHERE restriction of the COPY of p (activities, touches) to
 * sql; true when the copy is restricted, else false (logged why). */
bool lp_wh_restrict_copy(wh *w, const stream_plan *p, lp_buf *sql);
/* Reads the touches counted on the server, after a restricted copy. */
lp_status lp_wh_touch_counts_collect(wh *w);
/* Adds the server's per-campaign touch counts to the dataset. */
lp_status lp_wh_campaign_counts_add(wh *w, lp_dataset *ds);
/* Reconciles the server's per-period GROUP BY figures (mql_count,
 * sql_count, won) with the rows loaded and logs agreement or each
 * difference; a difference does not stop the run (warehouse.h, item 3). */
lp_status lp_wh_pushdown_figures(wh *w, const lp_dataset *ds);

#endif
