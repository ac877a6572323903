/*
 * Warehouse source (warehouse.h): the canonical model from a
 * PostgreSQL-compatible engine through libpq.
 *
 * Steps: parse the source (refusing passwords on the command line), connect
 * and classify a failure, set the session (UTF8, ISO dates, report zone),
 * resolve every mapped table and column against information_schema (so an
 * error names what does exist), then stream one COPY per table into the
 * loader (engine/load/load_stream.h). In pushdown mode the activities COPY
 * carries a semi-join restriction and the server's per-period GROUP BY
 * figures are reconciled against the copied rows.
 *
 * One connection, used from the loading thread only: COPY output is pulled
 * by the CSV reader's reading thread (csv_stream.h), the parsing of chunks
 * runs on its worker threads as for files.
 */
#include "lp/warehouse.h"

#include <ctype.h>
#include <libpq-fe.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lp/time.h"
#include "lp/value.h"
#include "../load/load_stream.h"

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

static void wh_log(const wh *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void required_present_as(wh *w, const struct stream_plan *p, const char *alias,
                                lp_buf *sql);
static void required_present(wh *w, const struct stream_plan *p, lp_buf *sql);
static bool required_typed(const struct stream_plan *p);
static void put_blank(wh *w, lp_buf *sql, const struct stream_plan *p, const char *alias,
                      const char *col);

static void wh_log(const wh *w, const char *fmt, ...)
{
    if (!w->opts->log) return;
    char line[LP_ERRMSG_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    w->opts->log(w->opts->log_ctx, line);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* libpq's message on one line: newlines and tabs become spaces, the end is
 * trimmed. */
static void one_line(const char *msg, char *buf, size_t size)
{
    size_t o = 0;
    bool space = false;
    for (const char *p = msg ? msg : ""; *p && o + 1 < size; p++) {
        if (*p == '\n' || *p == '\t' || *p == '\r' || *p == ' ') {
            space = o > 0;
            continue;
        }
        if (space && o + 2 < size) buf[o++] = ' ';
        space = false;
        buf[o++] = *p;
    }
    buf[o] = '\0';
}

static bool is_text_type(const char *t)
{
    return !strcmp(t, "text") || !strcmp(t, "character varying") || !strcmp(t, "character") ||
           !strcmp(t, "name") || !strcmp(t, "USER-DEFINED"); /* citext, enums */
}

static bool is_time_type(const char *t)
{
    return !strcmp(t, "date") || !strcmp(t, "timestamp with time zone") ||
           !strcmp(t, "timestamp without time zone");
}

static bool is_int_type(const char *t)
{
    return !strcmp(t, "smallint") || !strcmp(t, "integer") || !strcmp(t, "bigint");
}

static bool is_number_type(const char *t)
{
    return is_int_type(t) || !strcmp(t, "numeric") || !strcmp(t, "real") ||
           !strcmp(t, "double precision");
}

/* Server types whose text form the loader reads for a canonical type. */
static bool type_readable(lp_type canon, const char *t)
{
    if (is_text_type(t)) return true;
    switch (canon) {
    case LP_TYPE_DATE:
    case LP_TYPE_INSTANT: return is_time_type(t);
    case LP_TYPE_INT64:
    case LP_TYPE_DOUBLE: return is_number_type(t);
    case LP_TYPE_BOOL: return !strcmp(t, "boolean") || is_int_type(t);
    case LP_TYPE_STRING:
        return is_number_type(t) || is_time_type(t) || !strcmp(t, "boolean") ||
               !strcmp(t, "uuid");
    }
    return false;
}

static const char *readable_list(lp_type canon)
{
    switch (canon) {
    case LP_TYPE_DATE:
    case LP_TYPE_INSTANT: return "date, timestamp, timestamptz or text";
    case LP_TYPE_INT64:
    case LP_TYPE_DOUBLE: return "an integer, numeric, real, double precision or text";
    case LP_TYPE_BOOL: return "boolean, an integer or text";
    case LP_TYPE_STRING: return "text, a number, a date, boolean or uuid";
    }
    return "text";
}

static bool eq_nocase_trim(const char *a, const char *b)
{
    const char *as, *bs;
    size_t alen = lp_value_trim(a, strlen(a), &as);
    size_t blen = lp_value_trim(b, strlen(b), &bs);
    return alen == blen && strncasecmp(as, bs, alen) == 0;
}

/* A quoted identifier (PQescapeIdentifier) appended to buf. */
static void put_ident(wh *w, lp_buf *buf, const char *name)
{
    char *q = PQescapeIdentifier(w->conn, name, strlen(name));
    if (!q) {
        buf->failed = true;
        return;
    }
    lp_buf_puts(buf, q);
    PQfreemem(q);
}

/* "schema"."table" appended to buf. */
static void put_table(wh *w, lp_buf *buf, const stream_plan *p)
{
    put_ident(w, buf, p->schema);
    lp_buf_puts(buf, ".");
    put_ident(w, buf, p->table);
}

/* Runs a parameterised query that returns rows. NULL (and errmsg) on
 * failure. */
static PGresult *query_on(wh *w, PGconn *conn, const char *sql, int nparams,
                          const char *const *params)
{
    PGresult *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
    if (res && PQresultStatus(res) == PGRES_TUPLES_OK) return res;
    char reason[LP_ERRMSG_SIZE];
    one_line(res ? PQresultErrorMessage(res) : PQerrorMessage(conn), reason, sizeof reason);
    lp_errmsg_set(w->errmsg, "%s: query failed: %s", w->shown, reason);
    PQclear(res);
    return NULL;
}

static PGresult *query(wh *w, const char *sql, int nparams, const char *const *params)
{
    return query_on(w, w->conn, sql, nparams, params);
}

/* ---- Source ---- */

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
        if (s[i] == '%' && i + 2 < len + 0 && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            out[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            out[o++] = s[i] == '+' ? ' ' : s[i];
        }
    }
    out[o] = '\0';
}

static size_t scheme_len(const char *source)
{
    if (!strncasecmp(source, "postgresql://", 13)) return 13;
    if (!strncasecmp(source, "postgres://", 11)) return 11;
    return 0;
}

void lp_warehouse_describe(const char *source, char *buf, size_t size)
{
    if (!size) return;
    size_t n = source ? strcspn(source, "?") : 0;
    snprintf(buf, size, "%.*s", (int)n, source ? source : "");
}

/* Splits the source into the libpq URI (without schema=) and the schema. */
static lp_status parse_source(wh *w, const char *source, lp_buf *conninfo)
{
    size_t skip = scheme_len(source);
    if (!skip) {
        lp_errmsg_set(w->errmsg, "--source \"%.100s\" is not a postgresql:// URL "
                      "(postgresql://user@host:port/db?schema=crm)", source);
        return LP_ERR_USAGE;
    }
    const char *authority = source + skip;
    size_t alen = strcspn(authority, "/?");
    const char *at = NULL;
    for (size_t i = 0; i < alen; i++)
        if (authority[i] == '@') at = authority + i;
    if (at && memchr(authority, ':', (size_t)(at - authority))) {
        lp_errmsg_set(w->errmsg, "--source: leave the password out of the URL; leadpack "
                      "takes it only from PGPASSWORD, ~/.pgpass or a service file");
        return LP_ERR_USAGE;
    }
    snprintf(w->schema, sizeof w->schema, "public");
    const char *q = strchr(source, '?');
    size_t base = q ? (size_t)(q - source) : strlen(source);
    lp_buf_append(conninfo, source, base);
    bool first = true;
    for (const char *p = q ? q + 1 : NULL; p && *p;) {
        size_t len = strcspn(p, "&");
        const char *eq = memchr(p, '=', len);
        size_t klen = eq ? (size_t)(eq - p) : len;
        if (klen == 6 && !strncasecmp(p, "schema", 6)) {
            if (eq) url_decode(eq + 1, len - klen - 1, w->schema, sizeof w->schema);
            if (!w->schema[0]) {
                lp_errmsg_set(w->errmsg, "--source: schema= is empty");
                return LP_ERR_USAGE;
            }
        } else if (klen == 8 && !strncasecmp(p, "password", 8)) {
            lp_errmsg_set(w->errmsg, "--source: leave the password out of the URL; leadpack "
                          "takes it only from PGPASSWORD, ~/.pgpass or a service file");
            return LP_ERR_USAGE;
        } else if (len) {
            lp_buf_puts(conninfo, first ? "?" : "&");
            lp_buf_append(conninfo, p, len);
            first = false;
        }
        p += len;
        if (*p == '&') p++;
    }
    if (conninfo->failed) return LP_ERR_NOMEM;
    lp_warehouse_describe(source, w->shown, sizeof w->shown);
    return LP_OK;
}

/* Connects *out_conn (the caller closes it, also on failure) and sets the
 * session: UTF8, ISO dates, the report time zone. */
static lp_status open_conn(wh *w, const char *conninfo, PGconn **out_conn)
{
    PGconn *conn = *out_conn = PQconnectdb(conninfo);
    if (!conn) return LP_ERR_NOMEM;
    if (PQstatus(conn) != CONNECTION_OK) {
        char reason[LP_ERRMSG_SIZE];
        const char *msg = PQerrorMessage(conn);
        one_line(msg, reason, sizeof reason);
        bool auth = PQconnectionNeedsPassword(conn) || strstr(msg, "authentication failed") ||
                    strstr(msg, "no password supplied");
        if (auth)
            lp_errmsg_set(w->errmsg,
                          "%s: authentication failed for user %s (leadpack reads the password "
                          "only from PGPASSWORD, ~/.pgpass or a service file): %s",
                          w->shown, PQuser(conn) ? PQuser(conn) : "?", reason);
        else
            lp_errmsg_set(w->errmsg, "%s: cannot connect: %s", w->shown, reason);
        return LP_ERR_DATABASE;
    }
    if (PQsetClientEncoding(conn, "UTF8") != 0) {
        lp_errmsg_set(w->errmsg, "%s: the server cannot send UTF-8", w->shown);
        return LP_ERR_DATABASE;
    }
    const lp_settings *set = w->opts->settings;
    const char *zone = set && set->time_zone[0] ? set->time_zone : "UTC";
    const char *params[1] = {zone};
    PGresult *res = query_on(w, conn,
                             "SELECT set_config('DateStyle', 'ISO, YMD', false), "
                             "set_config('TimeZone', $1, false)",
                             1, params);
    if (!res) {
        char reason[LP_ERRMSG_SIZE];
        snprintf(reason, sizeof reason, "%s", w->errmsg);
        lp_errmsg_set(w->errmsg, "%s: cannot use the report time zone \"%s\" on the server (%s)",
                      w->shown, zone, reason);
        return LP_ERR_DATABASE;
    }
    PQclear(res);
    return LP_OK;
}

static lp_status connect_source(wh *w, const char *conninfo)
{
    return open_conn(w, conninfo, &w->conn);
}

/* ---- Tables and columns ---- */

static void plan_free(stream_plan *p)
{
    for (size_t i = 0; i < p->ncols; i++) {
        lp_free(p->cols[i].name);
        lp_free(p->cols[i].type);
    }
    lp_free(p->cols);
    p->cols = NULL;
    p->ncols = 0;
}

/* The tables and views of a schema, comma-separated, into out. */
static lp_status schema_tables(wh *w, const char *schema, lp_buf *out, size_t *out_n)
{
    const char *params[1] = {schema};
    PGresult *res = query(w,
                          "SELECT table_name FROM information_schema.tables "
                          "WHERE table_schema = $1 ORDER BY table_name",
                          1, params);
    if (!res) return LP_ERR_DATABASE;
    int n = PQntuples(res);
    for (int i = 0; i < n; i++) lp_buf_printf(out, "%s%s", i ? ", " : "", PQgetvalue(res, i, 0));
    PQclear(res);
    *out_n = (size_t)n;
    return out->failed ? LP_ERR_NOMEM : LP_OK;
}

/* Finds a table or view by name in schema: exact, else case-insensitive.
 * *out_found false when none. */
static lp_status find_table(wh *w, const char *schema, const char *name, char *out_schema,
                            char *out_table, bool *out_found)
{
    const char *params[2] = {schema, name};
    PGresult *res = query(w,
                          "SELECT table_schema, table_name FROM information_schema.tables "
                          "WHERE lower(table_schema) = lower($1) AND lower(table_name) = lower($2) "
                          "ORDER BY (table_schema = $1 AND table_name = $2) DESC, "
                          "table_schema, table_name",
                          2, params);
    if (!res) return LP_ERR_DATABASE;
    *out_found = PQntuples(res) > 0;
    if (*out_found) {
        snprintf(out_schema, NAME_SIZE, "%s", PQgetvalue(res, 0, 0));
        snprintf(out_table, NAME_SIZE, "%s", PQgetvalue(res, 0, 1));
    }
    PQclear(res);
    return LP_OK;
}

static lp_status missing_table(wh *w, lp_table_id id, const char *schema, const char *name)
{
    lp_buf names = {0};
    size_t n = 0;
    lp_status st = schema_tables(w, schema, &names, &n);
    if (st) {
        lp_buf_reset(&names);
        return st;
    }
    if (n)
        lp_errmsg_set(w->errmsg, "%s: no table or view %s.%s for %s. Tables in schema %s: %s",
                      w->shown, schema, name, lp_canon_table_name(id), schema, names.data);
    else
        lp_errmsg_set(w->errmsg,
                      "%s: no table or view %s.%s for %s; schema %s holds no table this user "
                      "can see (does it exist? is it spelled as on the server?)",
                      w->shown, schema, name, lp_canon_table_name(id), schema);
    lp_buf_reset(&names);
    return LP_ERR_DATABASE;
}

static lp_status load_columns(wh *w, stream_plan *p)
{
    const char *params[2] = {p->schema, p->table};
    PGresult *res = query(w,
                          "SELECT column_name, data_type FROM information_schema.columns "
                          "WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position",
                          2, params);
    if (!res) return LP_ERR_DATABASE;
    int n = PQntuples(res);
    lp_status st = LP_OK;
    p->cols = lp_calloc((size_t)n + 1, sizeof *p->cols);
    if (!p->cols) st = LP_ERR_NOMEM;
    for (int i = 0; i < n && !st; i++) {
        p->cols[i].name = lp_strdup(PQgetvalue(res, i, 0));
        p->cols[i].type = lp_strdup(PQgetvalue(res, i, 1));
        if (!p->cols[i].name || !p->cols[i].type) st = LP_ERR_NOMEM;
        p->ncols = (size_t)i + 1;
    }
    PQclear(res);
    return st;
}

static int col_find(const stream_plan *p, const char *name)
{
    for (size_t i = 0; i < p->ncols; i++)
        if (eq_nocase_trim(p->cols[i].name, name)) return (int)i;
    return -1;
}

static const lp_column_map *column_map(const lp_mapping *m, lp_table_id id, const char *canon)
{
    const lp_table_map *tm = &m->tables[id];
    for (size_t k = 0; k < tm->ncolumns; k++)
        if (!strcmp(tm->columns[k].canonical, canon)) return &tm->columns[k];
    return NULL;
}

/* Chooses the server column of every canonical column as the loader
 * chooses a header (load.h), and checks required columns and types. */
static lp_status plan_columns(wh *w, stream_plan *p)
{
    size_t ncanon;
    const lp_canon_column *canon = lp_canon_columns(p->id, &ncanon);
    for (size_t c = 0; c < ncanon && c < LP_CANON_MAX_COLUMNS; c++) {
        const lp_column_map *cm = column_map(w->mapping, p->id, canon[c].name);
        int field = -1;
        for (size_t k = 0; cm && k < cm->nsources && field < 0; k++)
            field = col_find(p, cm->sources[k]);
        if (field < 0) field = col_find(p, canon[c].name);
        p->pick[c] = field;
        if (field < 0 && canon[c].required && !(cm && cm->default_value)) {
            lp_buf msg = {0};
            lp_buf_printf(&msg, "%s: table %s has no column for %s.%s", w->shown, p->label,
                          lp_canon_table_name(p->id), canon[c].name);
            if (cm && cm->nsources) {
                lp_buf_puts(&msg, " (looked for ");
                for (size_t k = 0; k < cm->nsources; k++)
                    lp_buf_printf(&msg, "%s%s", k ? ", " : "", cm->sources[k]);
                lp_buf_printf(&msg, ", %s)", canon[c].name);
            }
            lp_buf_printf(&msg, ". Columns of %s: ", p->label);
            for (size_t i = 0; i < p->ncols; i++)
                lp_buf_printf(&msg, "%s%s", i ? ", " : "", p->cols[i].name);
            lp_errmsg_set(w->errmsg, "%s", msg.failed || !msg.data ? "out of memory" : msg.data);
            lp_buf_reset(&msg);
            return LP_ERR_DATABASE;
        }
        if (field >= 0 && !type_readable(canon[c].type, p->cols[field].type)) {
            lp_errmsg_set(w->errmsg,
                          "%s: column %s.%s is of type %s, which cannot be read as %s.%s "
                          "(it needs %s)",
                          w->shown, p->label, p->cols[field].name, p->cols[field].type,
                          lp_canon_table_name(p->id), canon[c].name,
                          readable_list(canon[c].type));
            return LP_ERR_DATABASE;
        }
    }
    return LP_OK;
}

/* A mapped name in file form: a profile's file list, not `tables:`. */
static bool file_form(const char *name, bool *out_glob)
{
    *out_glob = strpbrk(name, "*?[") != NULL;
    size_t n = strlen(name);
    return *out_glob || (n > 4 && !strcasecmp(name + n - 4, ".csv"));
}

/* Resolves every mapped name to a server table and plans its columns. */
static lp_status plan_tables(wh *w, lp_dataset *ds)
{
    for (int id = 0; id < LP_TABLE_COUNT; id++) {
        const lp_table_map *tm = &w->mapping->tables[id];
        size_t found_here = 0;
        for (size_t k = 0; k < tm->nfiles; k++) {
            bool glob;
            bool optional = file_form(tm->files[k], &glob);
            if (glob) continue;
            char schema[NAME_SIZE], name[NAME_SIZE];
            const char *dot = strchr(tm->files[k], '.');
            size_t n = strlen(tm->files[k]);
            if (optional) n -= 4; /* ".csv" */
            dot = dot && (size_t)(dot - tm->files[k]) < n ? dot : NULL;
            if (dot) {
                snprintf(schema, sizeof schema, "%.*s", (int)(dot - tm->files[k]), tm->files[k]);
                snprintf(name, sizeof name, "%.*s", (int)(n - (size_t)(dot - tm->files[k]) - 1),
                         dot + 1);
            } else {
                snprintf(schema, sizeof schema, "%s", w->schema);
                snprintf(name, sizeof name, "%.*s", (int)n, tm->files[k]);
            }
            if (w->nplans == MAX_STREAMS) {
                lp_errmsg_set(w->errmsg, "%s: more than %d tables mapped", w->shown, MAX_STREAMS);
                return LP_ERR_LIMIT;
            }
            stream_plan *p = &w->plans[w->nplans];
            memset(p, 0, sizeof *p);
            p->id = (lp_table_id)id;
            bool found;
            lp_status st = find_table(w, schema, name, p->schema, p->table, &found);
            if (st) return st;
            if (!found) {
                if (optional) continue;
                return missing_table(w, (lp_table_id)id, schema, name);
            }
            bool seen = false;
            for (size_t i = 0; i < w->nplans && !seen; i++)
                seen = !strcmp(w->plans[i].schema, p->schema) &&
                       !strcmp(w->plans[i].table, p->table) && w->plans[i].id == p->id;
            if (seen) continue;
            size_t sl = strlen(p->schema), tl = strlen(p->table);
            memcpy(p->label, p->schema, sl);
            p->label[sl] = '.';
            memcpy(p->label + sl + 1, p->table, tl + 1);
            w->nplans++;
            if ((st = load_columns(w, p))) return st;
            if ((st = plan_columns(w, p))) return st;
            found_here++;
        }
        if (tm->nfiles && !found_here) {
            lp_buf names = {0};
            for (size_t k = 0; k < tm->nfiles; k++)
                lp_buf_printf(&names, "%s%s", k ? ", " : "", tm->files[k]);
            char msg[LP_ERRMSG_SIZE];
            snprintf(msg, sizeof msg, "No %s table in schema %s (looked for %s)",
                     lp_canon_table_name((lp_table_id)id), w->schema,
                     names.data ? names.data : "");
            lp_buf_reset(&names);
            lp_status st = lp_load_stream_missing(ds, (lp_table_id)id, msg);
            if (st) return st;
        }
    }
    /* Optional names may all be missing, but not every table at once: that
     * is a wrong schema or database, not a partial export. */
    for (int id = 0; id < LP_TABLE_COUNT && !w->nplans; id++) {
        const lp_table_map *tm = &w->mapping->tables[id];
        for (size_t k = 0; k < tm->nfiles; k++) {
            bool glob;
            bool optional = file_form(tm->files[k], &glob);
            if (glob) continue;
            char name[NAME_SIZE];
            size_t n = strlen(tm->files[k]) - (optional ? 4 : 0);
            snprintf(name, sizeof name, "%.*s", (int)n, tm->files[k]);
            return missing_table(w, (lp_table_id)id, w->schema, name);
        }
    }
    if (!w->nplans) {
        lp_errmsg_set(w->errmsg, "%s: the mapping names no table (give tables: in a mapping file)",
                      w->shown);
        return LP_ERR_CONFIG;
    }
    return LP_OK;
}

/* ---- Pushdown: the activities restriction ---- */

static int canon_index(lp_table_id id, const char *name)
{
    size_t n;
    const lp_canon_column *canon = lp_canon_columns(id, &n);
    for (size_t c = 0; c < n; c++)
        if (!strcmp(canon[c].name, name)) return (int)c;
    return -1;
}

static bool has_value_map(const lp_mapping *m, const char *column)
{
    for (size_t i = 0; i < m->nvalues; i++)
        if (!strcmp(m->values[i].column, column) && m->values[i].n) return true;
    return false;
}

/* The only leads plan, or NULL with the reason. */
static const stream_plan *single_plan(const wh *w, lp_table_id id, const char **why)
{
    const stream_plan *found = NULL;
    for (size_t i = 0; i < w->nplans; i++) {
        if (w->plans[i].id != id) continue;
        if (found) {
            *why = "more than one table feeds it";
            return NULL;
        }
        found = &w->plans[i];
    }
    if (!found) *why = "no table feeds it";
    return found;
}

/* The column of a canonical column when it is a server date or timestamp
 * column without a value map; NULL otherwise. */
static const char *time_col(const stream_plan *p, const lp_mapping *m, const char *canon)
{
    int c = canon_index(p->id, canon);
    if (c < 0 || p->pick[c] < 0 || has_value_map(m, canon)) return NULL;
    return is_time_type(p->cols[p->pick[c]].type) ? p->cols[p->pick[c]].name : NULL;
}

static const char *plain_col(const stream_plan *p, const lp_mapping *m, const char *canon)
{
    int c = canon_index(p->id, canon);
    if (c < 0 || p->pick[c] < 0 || has_value_map(m, canon)) return NULL;
    return p->cols[p->pick[c]].name;
}

/* A lead or campaign id as the loader keys it: its text trimmed of the
 * loader's white space (lp_value_trim: space, tab, CR, LF, no-break
 * space). */
static void put_key(wh *w, lp_buf *sql, const char *alias, const char *col)
{
    lp_buf_printf(sql, "btrim(CAST(%s", alias);
    put_ident(w, sql, col);
    lp_buf_puts(sql, " AS text), ' ' || chr(9) || chr(10) || chr(13) || chr(160))");
}

/* The server type of a column of plan p (by name). */
static const char *col_type(const stream_plan *p, const char *col)
{
    for (size_t i = 0; i < p->ncols; i++)
        if (!strcmp(p->cols[i].name, col)) return p->cols[i].type;
    return "text";
}

/* x IS NULL OR key(x) = '' (the loader's null; only text can be blank). */
static void put_blank(wh *w, lp_buf *sql, const stream_plan *p, const char *alias,
                      const char *col)
{
    lp_buf_printf(sql, "(%s", alias);
    put_ident(w, sql, col);
    lp_buf_puts(sql, " IS NULL");
    if (is_text_type(col_type(p, col))) {
        lp_buf_puts(sql, " OR ");
        put_key(w, sql, alias, col);
        lp_buf_puts(sql, " = ''");
    }
    lp_buf_puts(sql, ")");
}

/* The instant of a session setting (set by pushdown_window), as a scalar
 * subquery: the server evaluates it once (an InitPlan), not per row. */
static void put_setting(lp_buf *sql, const char *name)
{
    lp_buf_printf(sql,
                  "(SELECT to_timestamp(CAST(current_setting('leadpack.%s') AS double precision)))",
                  name);
}

/* The end of as-of's second (as-of + 1 s), as put_setting. The loader reads
 * instants to the second, so for a whole second S
 *     date_trunc('second', t) <= S  <=>  t < S + 1 s
 *     date_trunc('second', t) >= S  <=>  t >= S
 * and the restrictions compare the columns themselves: no date_trunc per
 * row (time zone offsets are whole seconds, so this holds for date and
 * timestamp without time zone columns, cast in the session's zone, too). */
static void put_as_of_end(lp_buf *sql)
{
    lp_buf_puts(sql, "(SELECT to_timestamp(CAST(current_setting('leadpack.as_of') AS double "
                     "precision) + 1))");
}

/* date_trunc('second', f(col)) with f an aggregate ("min", "max") or "". */
static void put_second_of(wh *w, lp_buf *sql, const char *f, const char *alias, const char *col)
{
    lp_buf_printf(sql, "date_trunc('second', %s(%s", f, alias);
    put_ident(w, sql, col);
    lp_buf_puts(sql, "))");
}

static bool is_timestamp_type(const char *t)
{
    return !strcmp(t, "timestamp with time zone") || !strcmp(t, "timestamp without time zone");
}

/* The column of canon when it is a real column (no value map) or absent:
 * *out_col NULL when absent. false when it has a value map. */
static bool optional_plain(const stream_plan *p, const lp_mapping *m, const char *canon,
                           const char **out_col)
{
    int c = canon_index(p->id, canon);
    *out_col = c >= 0 && p->pick[c] >= 0 ? p->cols[p->pick[c]].name : NULL;
    return !has_value_map(m, canon);
}

/* Appends the WHERE clause of the activities restriction to sql, or
 * explains in *why why it cannot apply. */
static bool restrict_activities(wh *w, const stream_plan *a, lp_buf *sql, const char **why)
{
    const lp_settings *set = w->opts->settings;
    if (set && set->qualification != LP_QUALIFY_NONE) {
        *why = "the qualification setting derives mql_at from status or score";
        return false;
    }
    const stream_plan *l = single_plan(w, LP_LEADS, why);
    if (!l) return false;
    const char *l_id = plain_col(l, w->mapping, "lead_id");
    const char *l_mql = time_col(l, w->mapping, "mql_at");
    const char *a_lead = plain_col(a, w->mapping, "lead_id");
    const char *a_at = time_col(a, w->mapping, "at");
    if (!l_id || !a_lead) {
        *why = "lead_id is not a plain column of both tables";
        return false;
    }
    if (!l_mql || !a_at) {
        *why = "mql_at and at are not both date or timestamp columns";
        return false;
    }
    /* A LEFT JOIN on the leads' hand-offs per (trimmed) id, so the server
     * plans a hash join (an EXISTS inside an OR becomes a subplan per row);
     * min() and max() over duplicate ids keep every row any of them needs.
     * With a window only ids with a hand-off in or after it join (HAVING):
     * a smaller hash table and no test per activity. */
    lp_buf_puts(sql, " LEFT JOIN (SELECT ");
    put_key(w, sql, "", l_id);
    lp_buf_puts(sql, " AS lead_key, ");
    put_second_of(w, sql, "min", "", l_mql);
    lp_buf_puts(sql, " AS first_mql FROM ");
    put_table(w, sql, l);
    lp_buf_puts(sql, " WHERE ");
    put_ident(w, sql, l_mql);
    lp_buf_puts(sql, " IS NOT NULL GROUP BY 1");
    if (w->window) {
        /* second(max(mql_at)) >= W <=> max(mql_at) >= W (W a whole second) */
        lp_buf_puts(sql, " HAVING max(");
        put_ident(w, sql, l_mql);
        lp_buf_puts(sql, ") >= ");
        put_setting(sql, "window_start");
    }
    lp_buf_puts(sql, ") l ON l.lead_key = ");
    put_key(w, sql, "a.", a_lead);
    /* The row that may be the data's as-of: with a window, as-of is known
     * (no second scan of activities for their max). */
    if (!w->window) {
        lp_buf_puts(sql, " CROSS JOIN (SELECT max(");
        put_ident(w, sql, a_at);
        lp_buf_puts(sql, ") AS latest FROM ");
        put_table(w, sql, a);
        lp_buf_puts(sql, ") m");
    }
    /* The white-space test of lead_id (a btrim) comes last: the server
     * evaluates an OR in order, so it runs only on rows nothing else
     * keeps. */
    lp_buf_puts(sql, " WHERE a.");
    put_ident(w, sql, a_at);
    lp_buf_puts(sql, " IS NULL");
    if (!w->window) {
        lp_buf_puts(sql, " OR a.");
        put_ident(w, sql, a_at);
        lp_buf_puts(sql, " = m.latest");
    } else if (!w->as_of_given) {
        /* second(at) = as-of */
        lp_buf_puts(sql, " OR (a.");
        put_ident(w, sql, a_at);
        lp_buf_puts(sql, " >= ");
        put_setting(sql, "as_of");
        lp_buf_puts(sql, " AND a.");
        put_ident(w, sql, a_at);
        lp_buf_puts(sql, " < ");
        put_as_of_end(sql);
        lp_buf_puts(sql, ")");
    }
    /* second(at) >= first_mql (a whole second) */
    lp_buf_puts(sql, " OR (a.");
    put_ident(w, sql, a_at);
    lp_buf_puts(sql, " >= l.first_mql");
    if (w->window) {
        /* The measures leave out activities after as-of. */
        lp_buf_puts(sql, " AND a.");
        put_ident(w, sql, a_at);
        lp_buf_puts(sql, " < ");
        put_as_of_end(sql);
    }
    lp_buf_puts(sql, ") OR ");
    put_blank(w, sql, a, "a.", a_lead);
    return true;
}

/* ---- Pushdown: the window ---- */

/* max(second(col)) of the loaded rows of every plan of table id, as an
 * instant, into *latest (NONE-like INT64_MIN when none). false (with
 * *why) when a column the measures take the as-of from is not typed.
 * Once *latest is known only rows with a column after it are read
 * (WHERE col > $1, the cheap test first): a row at or before it cannot
 * raise it, and the white-space tests of required columns then run on a
 * few rows instead of the whole table. */
static lp_status server_latest(wh *w, lp_table_id id, const char *const *cols, int ncols,
                               int64_t *latest, const char **why)
{
    for (size_t i = 0; i < w->nplans; i++) {
        const stream_plan *p = &w->plans[i];
        if (p->id != id) continue;
        if (!required_typed(p)) {
            *why = "a required column is text";
            return LP_OK;
        }
        lp_buf sql = {0};
        int nsel = 0;
        lp_buf_puts(&sql, "SELECT ");
        for (int k = 0; k < ncols; k++) {
            int c = canon_index(id, cols[k]);
            if (c < 0 || p->pick[c] < 0) continue; /* absent: the measures skip it too */
            const char *col = time_col(p, w->mapping, cols[k]);
            if (!col) {
                *why = "a column as-of is taken from is not a date or timestamp";
                lp_buf_reset(&sql);
                return LP_OK;
            }
            lp_buf_puts(&sql, nsel ? ", " : "");
            lp_buf_puts(&sql, "to_char(date_trunc('second', max(");
            put_ident(w, &sql, col);
            lp_buf_puts(&sql, ")), 'YYYY-MM-DD HH24:MI:SS')");
            nsel++;
        }
        if (!nsel) {
            lp_buf_reset(&sql);
            continue;
        }
        lp_buf_puts(&sql, " FROM ");
        put_table(w, &sql, p);
        lp_buf_puts(&sql, " WHERE true");
        bool after = *latest != INT64_MIN;
        for (int k = 0, n = 0; k < ncols && after; k++) {
            int c = canon_index(id, cols[k]);
            if (c < 0 || p->pick[c] < 0) continue;
            lp_buf_puts(&sql, n++ ? " OR " : " AND (");
            put_ident(w, &sql, p->cols[p->pick[c]].name);
            lp_buf_puts(&sql, " > (SELECT to_timestamp(CAST($1 AS double precision)))");
            if (n == nsel) lp_buf_puts(&sql, ")");
        }
        required_present(w, p, &sql);
        if (sql.failed) {
            lp_buf_reset(&sql);
            return LP_ERR_NOMEM;
        }
        char since[32];
        snprintf(since, sizeof since, "%lld", (long long)*latest);
        const char *params[1] = {since};
        PGresult *res = query(w, sql.data, after ? 1 : 0, after ? params : NULL);
        lp_buf_reset(&sql);
        if (!res) return LP_ERR_DATABASE;
        for (int k = 0; k < PQnfields(res) && PQntuples(res) == 1; k++) {
            if (PQgetisnull(res, 0, k)) continue;
            const char *v = PQgetvalue(res, 0, k);
            int64_t t;
            if (!lp_value_parse_instant(v, strlen(v), LP_DATE_YMD, &t)) {
                PQclear(res);
                lp_errmsg_set(w->errmsg, "%s: the server sent the instant \"%s\"", w->shown, v);
                return LP_ERR_DATABASE;
            }
            if (t > *latest) *latest = t;
        }
        PQclear(res);
    }
    return LP_OK;
}

/* Hands as-of and W to the session of conn (read by put_setting). */
static lp_status set_window(wh *w, PGconn *conn)
{
    char a[32], s[32];
    snprintf(a, sizeof a, "%lld", (long long)w->as_of);
    snprintf(s, sizeof s, "%lld", (long long)w->window_start);
    const char *params[2] = {a, s};
    PGresult *res = query_on(w, conn,
                             "SELECT set_config('leadpack.as_of', $1, false), "
                             "set_config('leadpack.window_start', $2, false)",
                             2, params);
    if (!res) return LP_ERR_DATABASE;
    PQclear(res);
    return LP_OK;
}

/* Fixes as-of and W as lp_measures_compute will (warehouse.h) and hands
 * them to the session; leaves w->window false (and logs why) when it
 * cannot. */
static lp_status pushdown_window(wh *w)
{
    const lp_warehouse_options *o = w->opts;
    const lp_settings *set = o->settings;
    const char *why = NULL;
    int64_t as_of = INT64_MIN;
    if (o->has_as_of) {
        as_of = o->as_of;
        w->as_of_given = true;
    } else {
        static const char *const lead_cols[] = {"created_at", "mql_at", "sql_at"};
        static const char *const touch_cols[] = {"touched_at"};
        static const char *const act_cols[] = {"at"};
        static const char *const opp_cols[] = {"created_at"};
        /* The small tables first: their latest instant bounds the scans of
         * the large ones. */
        lp_status st = server_latest(w, LP_OPPORTUNITIES, opp_cols, 1, &as_of, &why);
        if (!st && !why) st = server_latest(w, LP_LEADS, lead_cols, 3, &as_of, &why);
        if (!st && !why) st = server_latest(w, LP_TOUCHES, touch_cols, 1, &as_of, &why);
        if (!st && !why) st = server_latest(w, LP_ACTIVITIES, act_cols, 1, &as_of, &why);
        if (st) return st;
        if (!why && as_of == INT64_MIN) why = "the data has no dated rows";
        if (!why && o->has_now && as_of > o->now)
            why = "a row is dated after the run and is set aside on copy";
    }
    lp_calendar cal = set ? set->calendar : (lp_calendar){LP_PERIOD_WEEK, 1};
    lp_window win;
    if (!why && lp_window_compute(&cal, as_of, o->period_label, &win) != LP_OK)
        why = "the period label does not parse";
    if (why) {
        wh_log(w, "pushdown: no window (as-of: %s); touches are copied whole and activities "
               "restricted without it", why);
        w->touches_why = "no window is known";
        return LP_OK;
    }
    w->as_of = as_of;
    w->window_start = win.bound[0] < as_of ? win.bound[0] : as_of;
    lp_status st = set_window(w, w->conn);
    if (st) return st;
    w->window = true;
    char when[40], from[40];
    lp_instant_format_utc(w->as_of, when, sizeof when);
    lp_instant_format_utc(w->window_start, from, sizeof from);
    wh_log(w, "pushdown: as-of %s (%s), period %s, window from %s", when,
           w->as_of_given ? "given" : "latest on the server",
           win.labels[LP_WINDOW_PERIODS - 1], from);
    return LP_OK;
}

/* ---- Pushdown: the touches restriction ---- */

typedef struct touch_plan {
    const stream_plan *l;                  /* the leads plan */
    const char *l_id, *l_created, *l_mql, *l_sql, *l_opp, *l_camp;
    const char *t_lead, *t_camp, *t_at, *t_resp;
} touch_plan;

/* Whether restriction 2 applies to touches plan p (*why otherwise). */
static bool touches_check(wh *w, const stream_plan *p, touch_plan *tp, const char **why)
{
    const lp_mapping *m = w->mapping;
    const lp_settings *set = w->opts->settings;
    memset(tp, 0, sizeof *tp);
    if (w->touches_why) {
        *why = w->touches_why;
        return false;
    }
    if (set && set->qualification != LP_QUALIFY_NONE) {
        *why = "the qualification setting derives mql_at from status or score";
        return false;
    }
    const stream_plan *l = tp->l = single_plan(w, LP_LEADS, why);
    if (!l) return false;
    tp->l_id = plain_col(l, m, "lead_id");
    tp->l_created = plain_col(l, m, "created_at");
    tp->l_camp = plain_col(l, m, "campaign_id");
    tp->t_lead = plain_col(p, m, "lead_id");
    tp->t_camp = plain_col(p, m, "campaign_id");
    tp->t_at = plain_col(p, m, "touched_at");
    if (!tp->l_id || !tp->l_created || !tp->t_lead || !tp->t_camp || !tp->t_at) {
        *why = "lead_id, created_at, campaign_id or touched_at is not a real column";
        return false;
    }
    if (!tp->l_camp) {
        *why = "leads have no campaign_id column, so every lead's earliest touch is its "
               "creating campaign";
        return false;
    }
    int lc = canon_index(LP_LEADS, "created_at"), tc = canon_index(LP_TOUCHES, "touched_at");
    if (!is_timestamp_type(l->cols[l->pick[lc]].type) ||
        !is_timestamp_type(p->cols[p->pick[tc]].type)) {
        *why = "leads created_at and touched_at are not both timestamp columns";
        return false;
    }
    if (!optional_plain(l, m, "mql_at", &tp->l_mql) || !optional_plain(l, m, "sql_at", &tp->l_sql) ||
        !optional_plain(l, m, "opportunity_id", &tp->l_opp) ||
        !optional_plain(p, m, "responded", &tp->t_resp)) {
        *why = "a value map applies to mql_at, sql_at, opportunity_id or responded";
        return false;
    }
    int rc = canon_index(LP_TOUCHES, "responded");
    if (tp->t_resp && strcmp(p->cols[p->pick[rc]].type, "boolean") != 0) {
        *why = "responded is not a boolean column";
        return false;
    }
    bool camps = false;
    for (size_t i = 0; i < w->nplans; i++) {
        const stream_plan *q = &w->plans[i];
        if (q->id == LP_OPPORTUNITIES && !optional_plain(q, m, "lead_id", &(const char *){0})) {
            *why = "a value map applies to opportunities lead_id";
            return false;
        }
        if (q->id != LP_CAMPAIGNS) continue;
        camps = true;
        if (!plain_col(q, m, "campaign_id")) {
            *why = "campaigns campaign_id is not a real column";
            return false;
        }
    }
    if (!camps) {
        *why = "there is no campaigns table to key the server's counts by";
        return false;
    }
    return true;
}

/* The lead keys whose touches may stay on the server, for "key IN (...)":
 * keys of exactly one leads row (required values present) with no event
 * and a campaign_id, which no opportunities row names. One GROUP BY over
 * the leads' rows and the opportunities' lead ids (UNION ALL; n counts
 * only the leads' rows), so each key is trimmed once and no join feeds the
 * aggregate. counted: also created by as-of (min(created_at) < as-of +
 * 1 s), the measures' rule for lifetime touches. */
static void put_plain_leads(wh *w, const touch_plan *tp, bool counted, lp_buf *sql)
{
    const lp_mapping *m = w->mapping;
    lp_buf_puts(sql, "SELECT u.lead_key FROM (SELECT ");
    put_key(w, sql, "l.", tp->l_id);
    lp_buf_puts(sql, " AS lead_key, 1 AS is_lead, CASE WHEN ");
    bool any = false;
    const char *event[3] = {tp->l_mql, tp->l_sql, tp->l_opp};
    for (int e = 0; e < 3; e++) {
        if (!event[e]) continue;
        lp_buf_puts(sql, any ? " OR NOT " : "NOT ");
        put_blank(w, sql, tp->l, "l.", event[e]);
        any = true;
    }
    lp_buf_puts(sql, any ? " OR " : "");
    put_blank(w, sql, tp->l, "l.", tp->l_camp);
    lp_buf_puts(sql, " THEN 1 ELSE 0 END AS need, l.");
    put_ident(w, sql, tp->l_created);
    lp_buf_puts(sql, " AS created FROM ");
    put_table(w, sql, tp->l);
    lp_buf_puts(sql, " l WHERE true");
    required_present_as(w, tp->l, "l.", sql);
    /* A lead an opportunities row names by lead_id. */
    for (size_t i = 0; i < w->nplans; i++) {
        const char *col = NULL;
        if (w->plans[i].id != LP_OPPORTUNITIES) continue;
        optional_plain(&w->plans[i], m, "lead_id", &col);
        if (!col) continue;
        lp_buf_puts(sql, " UNION ALL SELECT ");
        put_key(w, sql, "o.", col);
        lp_buf_puts(sql, ", 0, 1, NULL FROM ");
        put_table(w, sql, &w->plans[i]);
        lp_buf_puts(sql, " o WHERE o.");
        put_ident(w, sql, col);
        lp_buf_puts(sql, " IS NOT NULL");
    }
    lp_buf_puts(sql, ") u GROUP BY u.lead_key HAVING sum(u.is_lead) = 1 AND max(u.need) = 0");
    if (counted) {
        lp_buf_puts(sql, " AND min(u.created) < ");
        put_as_of_end(sql);
    }
}

/* The keys of every loaded lead (required values present). */
static void put_lead_keys(wh *w, const touch_plan *tp, lp_buf *sql)
{
    lp_buf_puts(sql, "SELECT ");
    put_key(w, sql, "l.", tp->l_id);
    lp_buf_puts(sql, " FROM ");
    put_table(w, sql, tp->l);
    lp_buf_puts(sql, " l WHERE true");
    required_present_as(w, tp->l, "l.", sql);
}

/* The campaigns' ids (required values present). */
static void put_campaign_keys(wh *w, lp_buf *sql)
{
    size_t k = 0;
    for (size_t i = 0; i < w->nplans; i++) {
        const stream_plan *q = &w->plans[i];
        if (q->id != LP_CAMPAIGNS) continue;
        lp_buf_puts(sql, k++ ? " UNION ALL SELECT " : "SELECT ");
        put_key(w, sql, "", plain_col(q, w->mapping, "campaign_id"));
        lp_buf_puts(sql, " FROM ");
        put_table(w, sql, q);
        lp_buf_puts(sql, " WHERE true");
        required_present(w, q, sql);
    }
}

/* D of restriction 2, "the touch stays on the server", for a touches row
 * a: touched_at < W AND key(lead_id) IN (plain leads) AND key(campaign_id)
 * IN (campaign ids). NULL counts as false (the caller wraps it in
 * coalesce). The touches' required values (lead_id, campaign_id,
 * touched_at) are present when it holds: the keys match only non-blank
 * keys and a NULL touched_at makes the comparison NULL. The cheap time
 * test comes first: the server evaluates an AND in order, so touches of
 * the window skip the two keys (uncorrelated IN lists, planned as hashed
 * subplans, or semi-joins where the IN is a top-level condition). */
static void put_touch_drop(wh *w, const touch_plan *tp, bool counted, lp_buf *sql)
{
    lp_buf_puts(sql, "(a.");
    put_ident(w, sql, tp->t_at);
    lp_buf_puts(sql, " < ");
    put_setting(sql, "window_start");
    lp_buf_puts(sql, " AND ");
    put_key(w, sql, "a.", tp->t_lead);
    lp_buf_puts(sql, " IN (");
    put_plain_leads(w, tp, counted, sql);
    lp_buf_puts(sql, ") AND ");
    put_key(w, sql, "a.", tp->t_camp);
    lp_buf_puts(sql, " IN (");
    put_campaign_keys(w, sql);
    lp_buf_puts(sql, "))");
}

/* A touch after as-of that nothing reads: not an orphan (the data-quality
 * note counts those), not a reject (as in D), of a campaigns row's id
 * (keyspace order); the measures leave out every touch after as-of:
 * second(touched_at) > as-of <=> touched_at >= as-of + 1 s. When as-of is
 * the data's, no loaded touch is after it and the IN lists are never
 * evaluated (a hashed subplan is built on first use). */
static void put_touch_late(wh *w, const touch_plan *tp, lp_buf *sql)
{
    lp_buf_puts(sql, "(a.");
    put_ident(w, sql, tp->t_at);
    lp_buf_puts(sql, " >= ");
    put_as_of_end(sql);
    lp_buf_puts(sql, " AND ");
    put_key(w, sql, "a.", tp->t_lead);
    lp_buf_puts(sql, " IN (");
    put_lead_keys(w, tp, sql);
    lp_buf_puts(sql, ") AND ");
    put_key(w, sql, "a.", tp->t_camp);
    lp_buf_puts(sql, " IN (");
    put_campaign_keys(w, sql);
    lp_buf_puts(sql, "))");
}

/* The server's per-campaign counts of the touches of plan p (index pi)
 * it keeps: rows (pi, campaign key, touches, responders), appended to sql
 * (a UNION ALL over the touches plans). */
static void put_touch_count(wh *w, size_t pi, const touch_plan *tp, lp_buf *sql)
{
    lp_buf_printf(sql, "%sSELECT %zu, ", sql->len ? " UNION ALL " : "", pi);
    put_key(w, sql, "a.", tp->t_camp);
    lp_buf_puts(sql, ", count(*), ");
    if (tp->t_resp) {
        lp_buf_puts(sql, "sum(CASE WHEN a.");
        put_ident(w, sql, tp->t_resp);
        lp_buf_puts(sql, " THEN 1 ELSE 0 END)");
    } else {
        lp_buf_puts(sql, "0");
    }
    lp_buf_puts(sql, " FROM ");
    put_table(w, sql, &w->plans[pi]);
    /* D, its lead created by as-of, touched by as-of: second(x) <= as-of
     * <=> x < as-of + 1 s. */
    lp_buf_puts(sql, " a WHERE ");
    put_touch_drop(w, tp, true, sql);
    lp_buf_puts(sql, " AND a.");
    put_ident(w, sql, tp->t_at);
    lp_buf_puts(sql, " < ");
    put_as_of_end(sql);
    lp_buf_puts(sql, " GROUP BY 2");
}

/* Builds the count statement of every touches plan restriction 2 applies
 * to and sends it on a second connection, so that the server counts while
 * this connection copies the tables (libpq runs one statement at a time
 * per connection, and a COPY cannot be pipelined). Without a second
 * connection (a connection limit, say) the count runs on the first one
 * after the first touches copy. */
static lp_status start_touch_counts(wh *w, const char *conninfo)
{
    for (size_t i = 0; i < w->nplans; i++) {
        touch_plan tp;
        const char *why;
        if (w->plans[i].id == LP_TOUCHES && touches_check(w, &w->plans[i], &tp, &why))
            put_touch_count(w, i, &tp, &w->count_sql);
    }
    if (w->count_sql.failed) return LP_ERR_NOMEM;
    if (!w->count_sql.len) return LP_OK;
    char saved[LP_ERRMSG_SIZE];
    snprintf(saved, sizeof saved, "%s", w->errmsg);
    lp_status st = open_conn(w, conninfo, &w->conn2);
    if (!st) st = set_window(w, w->conn2);
    if (!st && !PQsendQueryParams(w->conn2, w->count_sql.data, 0, NULL, NULL, NULL, NULL, 0)) {
        one_line(PQerrorMessage(w->conn2), w->errmsg, LP_ERRMSG_SIZE);
        st = LP_ERR_DATABASE;
    }
    if (st == LP_ERR_NOMEM) return st;
    if (st) {
        wh_log(w, "pushdown: no second connection for the touches count (%s); it runs after "
               "the touches copy", w->errmsg);
        snprintf(w->errmsg, LP_ERRMSG_SIZE, "%s", saved);
        PQfinish(w->conn2);
        w->conn2 = NULL;
        return LP_OK;
    }
    w->counts_sent = true;
    return LP_OK;
}

/* The result of the count statement into w->counts (once). */
static lp_status collect_touch_counts(wh *w)
{
    if (w->counts_done) return LP_OK;
    w->counts_done = true;
    PGresult *res = NULL;
    if (w->counts_sent) {
        PGresult *r;
        while ((r = PQgetResult(w->conn2))) {
            if (!res) res = r;
            else PQclear(r);
        }
        if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
            char reason[LP_ERRMSG_SIZE];
            one_line(res ? PQresultErrorMessage(res) : PQerrorMessage(w->conn2), reason,
                     sizeof reason);
            lp_errmsg_set(w->errmsg, "%s: query failed: %s", w->shown, reason);
            PQclear(res);
            return LP_ERR_DATABASE;
        }
    } else {
        res = query(w, w->count_sql.data, 0, NULL);
        if (!res) return LP_ERR_DATABASE;
    }
    lp_status st = LP_OK;
    for (int i = 0; i < PQntuples(res) && !st; i++) {
        size_t pi = (size_t)strtoull(PQgetvalue(res, i, 0), NULL, 10);
        const char *key = PQgetvalue(res, i, 1);
        int64_t n = strtoll(PQgetvalue(res, i, 2), NULL, 10);
        int64_t r = PQgetisnull(res, i, 3) ? 0 : strtoll(PQgetvalue(res, i, 3), NULL, 10);
        w->touches_counted += n;
        if (pi < MAX_STREAMS) w->plan_counted[pi] += n;
        size_t j = 0;
        while (j < w->ncounts && strcmp(w->counts[j].key, key) != 0) j++;
        if (j == w->ncounts) {
            if (w->ncounts == w->counts_cap) {
                size_t cap = w->counts_cap ? w->counts_cap * 2 : 64;
                touch_count *v = lp_realloc(w->counts, cap * sizeof *v);
                if (!v) {
                    st = LP_ERR_NOMEM;
                    break;
                }
                w->counts = v;
                w->counts_cap = cap;
            }
            w->counts[j] = (touch_count){lp_strdup(key), 0, 0};
            if (!w->counts[j].key) {
                st = LP_ERR_NOMEM;
                break;
            }
            w->ncounts++;
        }
        w->counts[j].touches += n;
        w->counts[j].responders += r;
    }
    PQclear(res);
    return st;
}

static int count_cmp(const void *a, const void *b)
{
    return strcmp(((const touch_count *)a)->key, ((const touch_count *)b)->key);
}

/* Adds the server's counts to the campaigns table (LP_PUSHDOWN_TOUCHES,
 * LP_PUSHDOWN_RESPONDERS), on the first row of each campaign id. */
static lp_status add_campaign_counts(wh *w, lp_dataset *ds)
{
    lp_table *t = ds->tables[LP_CAMPAIGNS];
    const lp_column *id = t ? lp_table_column(t, "campaign_id") : NULL;
    if (!id || id->type != LP_TYPE_STRING) {
        if (w->ncounts) {
            lp_errmsg_set(w->errmsg, "%s: the campaigns table did not load its ids", w->shown);
            return LP_ERR_DATABASE;
        }
        return LP_OK;
    }
    qsort(w->counts, w->ncounts, sizeof *w->counts, count_cmp);
    uint8_t *seen = lp_calloc((size_t)lp_strpool_count(t->pool) + 1, 1);
    lp_column *tc = NULL, *rc = NULL;
    lp_status st = seen ? LP_OK : LP_ERR_NOMEM;
    if (!st) st = lp_table_add_column(t, LP_PUSHDOWN_TOUCHES, LP_TYPE_INT64, &tc);
    if (!st) st = lp_table_add_column(t, LP_PUSHDOWN_RESPONDERS, LP_TYPE_INT64, &rc);
    int64_t placed = 0;
    for (size_t r = 0; r < t->nrows && !st; r++) {
        const touch_count *hit = NULL;
        if (lp_column_valid(id, r) && !seen[id->v.i32[r]]) {
            seen[id->v.i32[r]] = 1;
            touch_count probe = {(char *)lp_column_str(id, r), 0, 0};
            hit = bsearch(&probe, w->counts, w->ncounts, sizeof *w->counts, count_cmp);
        }
        st = lp_column_append_int64(tc, hit ? hit->touches : 0);
        if (!st) st = lp_column_append_int64(rc, hit ? hit->responders : 0);
        if (hit) placed += hit->touches;
    }
    lp_free(seen);
    if (!st) st = lp_table_finish(t);
    if (!st && placed != w->touches_counted) {
        lp_errmsg_set(w->errmsg, "%s: %lld touches counted on the server match no campaign "
                      "loaded", w->shown, (long long)(w->touches_counted - placed));
        st = LP_ERR_DATABASE;
    }
    return st;
}

/* ---- COPY ---- */

/* ORDER BY of a copied table: the rows stand in for an export, whose order
 * reaches results/ through ties (attribution, detail rows) and keyspace
 * order, so it must not depend on the server's scan order (which differs
 * from insertion order even on one PostgreSQL server, and between runs on a
 * distributed engine). The table's key columns come first, then every other
 * selected column, text in byte order (COLLATE "C"): duplicate keys are
 * ordered too. Activities are not ordered: the measures sort each lead's
 * activities by time and nothing else reads their order, so the largest
 * table is spared a sort. */
static void put_order_by(wh *w, const stream_plan *p, lp_buf *sql)
{
    static const char *const keys[LP_TABLE_COUNT][4] = {
        [LP_LEADS] = {"lead_id"},
        [LP_CAMPAIGNS] = {"campaign_id"},
        [LP_TOUCHES] = {"touch_id", "lead_id", "touched_at", "campaign_id"},
        [LP_OPPORTUNITIES] = {"opportunity_id"},
        [LP_USERS] = {"owner_id"},
        [LP_TARGETS] = {"period", "measure", "team"},
    };
    if (p->id == LP_ACTIVITIES) return;
    size_t ncanon;
    lp_canon_columns(p->id, &ncanon);
    int order[LP_CANON_MAX_COLUMNS + 4];
    size_t n = 0;
    for (int k = 0; k < 4 && keys[p->id][k]; k++) {
        int c = canon_index(p->id, keys[p->id][k]);
        if (c >= 0 && p->pick[c] >= 0) order[n++] = p->pick[c];
    }
    for (size_t c = 0; c < ncanon && c < LP_CANON_MAX_COLUMNS; c++)
        if (p->pick[c] >= 0) order[n++] = p->pick[c];
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        bool dup = false;
        for (size_t k = 0; k < i && !dup; k++) dup = order[k] == order[i];
        if (dup) continue;
        const db_col *col = &p->cols[order[i]];
        lp_buf_puts(sql, any ? ", a." : " ORDER BY a.");
        put_ident(w, sql, col->name);
        if (is_text_type(col->type) && strcmp(col->type, "USER-DEFINED") != 0)
            lp_buf_puts(sql, " COLLATE \"C\"");
        any = true;
    }
}

typedef struct copy_pull {
    PGconn *conn;
    const char *label;
    char *row;          /* current COPY row from libpq (PQfreemem) */
    int len;
    int off;
    bool done;
    size_t rows;        /* COPY rows received, header included */
} copy_pull;

static lp_status pull_copy(void *ctx, void *buf, size_t size, size_t *out_got, char *errmsg)
{
    copy_pull *cp = ctx;
    size_t got = 0;
    char *out = buf;
    while (got < size) {
        if (cp->row && cp->off < cp->len) {
            size_t n = (size_t)(cp->len - cp->off);
            if (n > size - got) n = size - got;
            memcpy(out + got, cp->row + cp->off, n);
            got += n;
            cp->off += (int)n;
            continue;
        }
        if (cp->row) {
            PQfreemem(cp->row);
            cp->row = NULL;
        }
        if (cp->done) break;
        int n = PQgetCopyData(cp->conn, &cp->row, 0);
        if (n == -1) {
            cp->done = true;
            PGresult *res = PQgetResult(cp->conn);
            bool ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
            char reason[LP_ERRMSG_SIZE];
            one_line(res ? PQresultErrorMessage(res) : PQerrorMessage(cp->conn), reason,
                     sizeof reason);
            PQclear(res);
            while ((res = PQgetResult(cp->conn))) PQclear(res);
            if (!ok) {
                lp_errmsg_set(errmsg, "%s: COPY failed: %s", cp->label, reason);
                return LP_ERR_DATABASE;
            }
            break;
        }
        if (n < 0) {
            char reason[LP_ERRMSG_SIZE];
            one_line(PQerrorMessage(cp->conn), reason, sizeof reason);
            lp_errmsg_set(errmsg, "%s: COPY failed: %s", cp->label, reason);
            cp->done = true;
            return LP_ERR_DATABASE;
        }
        cp->len = n;
        cp->off = 0;
        cp->rows++;
    }
    *out_got = got;
    return LP_OK;
}

/* COPY (SELECT picked columns FROM table [restriction]) into the loader. */
static lp_status copy_table(wh *w, const lp_load_options *lopts, lp_dataset *ds,
                            const stream_plan *p)
{
    lp_buf sql = {0};
    lp_status st = LP_OK;
    size_t ncanon;
    const lp_canon_column *canon = lp_canon_columns(p->id, &ncanon);
    lp_buf_puts(&sql, "COPY (SELECT ");
    bool any = false, selected[LP_CANON_MAX_COLUMNS] = {false};
    for (size_t c = 0; c < ncanon && c < LP_CANON_MAX_COLUMNS; c++) {
        if (p->pick[c] < 0) continue;
        if (!canon[c].required && lopts->columns && !(lopts->columns[p->id] >> c & 1)) {
            ds->unloaded[p->id] |= 1u << c; /* not selected: no figure reads it */
            continue;
        }
        bool dup = false;
        for (size_t k = 0; k < c && !dup; k++) dup = selected[k] && p->pick[k] == p->pick[c];
        selected[c] = true;
        if (dup) continue;
        lp_buf_puts(&sql, any ? ", a." : "a.");
        put_ident(w, &sql, p->cols[p->pick[c]].name);
        any = true;
    }
    if (!any) lp_buf_puts(&sql, "1 AS \"(none)\"");
    lp_buf_puts(&sql, " FROM ");
    put_table(w, &sql, p);
    lp_buf_puts(&sql, " a");
    const char *why = NULL;
    bool restricted = false;
    touch_plan tp;
    if (w->pushdown && p->id == LP_ACTIVITIES) {
        restricted = restrict_activities(w, p, &sql, &why);
        if (!restricted)
            wh_log(w, "pushdown: %s copied whole: %s", p->label, why);
    } else if (w->pushdown && p->id == LP_TOUCHES) {
        restricted = touches_check(w, p, &tp, &why);
        if (restricted) {
            w->touches_restricted = true;
            lp_buf_puts(&sql, " WHERE NOT coalesce(");
            put_touch_drop(w, &tp, false, &sql);
            lp_buf_puts(&sql, ", false) AND NOT coalesce(");
            put_touch_late(w, &tp, &sql);
            lp_buf_puts(&sql, ", false)");
        } else {
            wh_log(w, "pushdown: %s copied whole: %s", p->label, why);
        }
    }
    put_order_by(w, p, &sql);
    lp_buf_puts(&sql, ") TO STDOUT (FORMAT csv, HEADER)");
    if (sql.failed) {
        lp_buf_reset(&sql);
        return LP_ERR_NOMEM;
    }
    double t0 = now_seconds();
    PGresult *res = PQexec(w->conn, sql.data);
    lp_buf_reset(&sql);
    if (!res || PQresultStatus(res) != PGRES_COPY_OUT) {
        char reason[LP_ERRMSG_SIZE];
        one_line(res ? PQresultErrorMessage(res) : PQerrorMessage(w->conn), reason,
                 sizeof reason);
        lp_errmsg_set(w->errmsg, "%s: COPY of %s failed: %s", w->shown, p->label, reason);
        PQclear(res);
        return LP_ERR_DATABASE;
    }
    PQclear(res);
    copy_pull cp = {.conn = w->conn, .label = p->label};
    st = lp_load_stream_add(lopts, ds, p->id, p->label, pull_copy, &cp, w->errmsg);
    if (cp.row) PQfreemem(cp.row);
    if (st) return st;
    const char *what = !restricted ? ""
                       : p->id == LP_ACTIVITIES
                           ? (w->window ? " (activities from the hand-off to as-of of MQLs "
                                          "handed off in or after the window)"
                                        : " (activities at or after an MQL hand-off)")
                           : " (touches of leads with an MQL, SQL, opportunity or no "
                             "campaign_id, orphans, duplicate ids, from the window to as-of)";
    wh_log(w, "%s %s: %zu rows%s, %.2f s", restricted ? "pushdown copy" : "copy", p->label,
           cp.rows ? cp.rows - 1 : 0, what, now_seconds() - t0);
    if (restricted && p->id == LP_TOUCHES) {
        t0 = now_seconds();
        st = collect_touch_counts(w);
        if (st) return st;
        wh_log(w, "pushdown: %s: %lld other touches counted per campaign on the server "
               "(lifetime touches and responders only), %s %.2f s",
               p->label, (long long)w->plan_counted[p - w->plans],
               w->counts_sent ? "on a second connection during the copies, waited"
                              : "after the copy,",
               now_seconds() - t0);
    }
    return LP_OK;
}

/* ---- Pushdown: GROUP BY on the server, reconciled ---- */

typedef struct period_sum {
    int64_t ordinal;
    int64_t count;
    double amount;
} period_sum;

typedef struct period_sums {
    period_sum *v;
    size_t n, cap;
} period_sums;

static lp_status sums_add(period_sums *s, int64_t ordinal, int64_t count, double amount)
{
    for (size_t i = 0; i < s->n; i++) {
        if (s->v[i].ordinal == ordinal) {
            s->v[i].count += count;
            s->v[i].amount += amount;
            return LP_OK;
        }
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        period_sum *v = lp_realloc(s->v, cap * sizeof *v);
        if (!v) return LP_ERR_NOMEM;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = (period_sum){ordinal, count, amount};
    return LP_OK;
}

static int by_ordinal(const void *a, const void *b)
{
    int64_t x = ((const period_sum *)a)->ordinal, y = ((const period_sum *)b)->ordinal;
    return (x > y) - (x < y);
}

/* Server side: rows of (YYYY-MM-DD of the bucket start, count[, sum]). */
static lp_status server_sums(wh *w, const lp_calendar *cal, const char *sql, period_sums *out)
{
    const char *params[1] = {cal->kind == LP_PERIOD_WEEK ? "week" : "month"};
    PGresult *res = query(w, sql, 1, params);
    if (!res) return LP_ERR_DATABASE;
    lp_status st = LP_OK;
    for (int i = 0; i < PQntuples(res) && !st; i++) {
        int32_t days;
        const char *day = PQgetvalue(res, i, 0);
        if (!lp_value_parse_date(day, strlen(day), LP_DATE_YMD, &days)) {
            lp_errmsg_set(w->errmsg, "%s: the server sent the period \"%s\"", w->shown, day);
            st = LP_ERR_DATABASE;
            break;
        }
        int64_t ordinal = lp_period_of(cal, lp_date_to_instant(days));
        double amount = PQnfields(res) > 2 && !PQgetisnull(res, i, 2)
                            ? strtod(PQgetvalue(res, i, 2), NULL) : 0;
        st = sums_add(out, ordinal, strtoll(PQgetvalue(res, i, 1), NULL, 10), amount);
    }
    PQclear(res);
    return st;
}

/* Compares server and loaded sums; logs each difference. Returns the
 * number of differences. */
static size_t reconcile(const wh *w, const lp_calendar *cal, const char *figure,
                        period_sums *server, period_sums *loaded, bool amounts)
{
    qsort(server->v, server->n, sizeof *server->v, by_ordinal);
    qsort(loaded->v, loaded->n, sizeof *loaded->v, by_ordinal);
    size_t i = 0, j = 0, diffs = 0;
    while (i < server->n || j < loaded->n) {
        period_sum zero = {0, 0, 0}, s, l;
        if (j >= loaded->n || (i < server->n && server->v[i].ordinal < loaded->v[j].ordinal)) {
            s = server->v[i++];
            l = zero;
            l.ordinal = s.ordinal;
        } else if (i >= server->n || loaded->v[j].ordinal < server->v[i].ordinal) {
            l = loaded->v[j++];
            s = zero;
            s.ordinal = l.ordinal;
        } else {
            s = server->v[i++];
            l = loaded->v[j++];
        }
        double scale = fabs(s.amount) > 1 ? fabs(s.amount) : 1;
        bool amount_diff = amounts && fabs(s.amount - l.amount) > 1e-9 * scale;
        if (s.count != l.count || amount_diff) {
            char label[24];
            lp_period_label(cal, s.ordinal, label, sizeof label);
            wh_log(w, "pushdown: %s in %s differs: %lld (amount %.2f) on the server, %lld "
                   "(amount %.2f) in the copied rows",
                   figure, label, (long long)s.count, s.amount, (long long)l.count, l.amount);
            diffs++;
        }
    }
    return diffs;
}

/* Loaded side: count (and amount) per period of an instant or date column,
 * for rows where filter (a BOOL column) is true when given. */
static lp_status loaded_sums(const lp_table *t, const lp_calendar *cal, const char *column,
                             const char *filter, const char *amount, period_sums *out)
{
    const lp_column *col = t ? lp_table_column(t, column) : NULL;
    const lp_column *flt = t && filter ? lp_table_column(t, filter) : NULL;
    const lp_column *amt = t && amount ? lp_table_column(t, amount) : NULL;
    if (!col) return LP_OK;
    for (size_t r = 0; r < t->nrows; r++) {
        if (!lp_column_valid(col, r)) continue;
        if (filter && (!flt || !lp_column_valid(flt, r) || !flt->v.b[r])) continue;
        int64_t instant = col->type == LP_TYPE_DATE ? lp_date_to_instant(col->v.i32[r])
                                                    : col->v.i64[r];
        double a = amt && lp_column_valid(amt, r) ? amt->v.f64[r] : 0;
        lp_status st = sums_add(out, lp_period_of(cal, instant), 1, a);
        if (st) return st;
    }
    return LP_OK;
}

/* "AND col IS NOT NULL AND btrim(CAST(col AS text)) <> ''" for every
 * required canonical column of the plan: the rows the loader would load. */
static void required_present_as(wh *w, const stream_plan *p, const char *alias, lp_buf *sql)
{
    size_t ncanon;
    const lp_canon_column *canon = lp_canon_columns(p->id, &ncanon);
    for (size_t c = 0; c < ncanon && c < LP_CANON_MAX_COLUMNS; c++) {
        if (!canon[c].required || p->pick[c] < 0) continue;
        const char *name = p->cols[p->pick[c]].name;
        lp_buf_puts(sql, " AND NOT ");
        put_blank(w, sql, p, alias, name);
    }
}

static void required_present(wh *w, const stream_plan *p, lp_buf *sql)
{
    required_present_as(w, p, "", sql);
}

/* Every required column is a date/timestamp when of a time canonical type,
 * so that the loader rejects nothing the server counts. */
static bool required_typed(const stream_plan *p)
{
    size_t ncanon;
    const lp_canon_column *canon = lp_canon_columns(p->id, &ncanon);
    for (size_t c = 0; c < ncanon && c < LP_CANON_MAX_COLUMNS; c++) {
        if (!canon[c].required) continue;
        if (p->pick[c] < 0) return false;
        if ((canon[c].type == LP_TYPE_INSTANT || canon[c].type == LP_TYPE_DATE) &&
            !is_time_type(p->cols[p->pick[c]].type))
            return false;
    }
    return true;
}

static lp_status pushdown_figures(wh *w, const lp_dataset *ds)
{
    const lp_settings *set = w->opts->settings;
    lp_calendar cal = set ? set->calendar : (lp_calendar){LP_PERIOD_WEEK, 1};
    lp_status st = LP_OK;
    size_t figures = 0, diffs = 0, periods = 0;
    const char *why = NULL;
    double t0 = now_seconds();

    /* MQL and SQL counts by period. */
    const stream_plan *l = single_plan(w, LP_LEADS, &why);
    if (l && !required_typed(l)) {
        l = NULL;
        why = "a required column is text";
    }
    static const char *const lead_figures[2][2] = {{"mql_count", "mql_at"},
                                                   {"sql_count", "sql_at"}};
    for (int f = 0; f < 2 && !st; f++) {
        const char *col = l ? time_col(l, w->mapping, lead_figures[f][1]) : NULL;
        if (!col) {
            wh_log(w, "pushdown: %s stays row-level (%s)", lead_figures[f][0],
                   l ? "its column is not a date or timestamp" : why);
            continue;
        }
        lp_buf sql = {0};
        lp_buf_puts(&sql, "SELECT to_char(date_trunc($1, ");
        put_ident(w, &sql, col);
        lp_buf_puts(&sql, "), 'YYYY-MM-DD'), count(*) FROM ");
        put_table(w, &sql, l);
        lp_buf_puts(&sql, " WHERE ");
        put_ident(w, &sql, col);
        lp_buf_puts(&sql, " IS NOT NULL");
        required_present(w, l, &sql);
        lp_buf_puts(&sql, " GROUP BY 1");
        period_sums server = {0}, loaded = {0};
        st = sql.failed ? LP_ERR_NOMEM : server_sums(w, &cal, sql.data, &server);
        lp_buf_reset(&sql);
        if (!st)
            st = loaded_sums(ds->tables[LP_LEADS], &cal, lead_figures[f][1], NULL, NULL,
                             &loaded);
        if (!st) {
            diffs += reconcile(w, &cal, lead_figures[f][0], &server, &loaded, false);
            figures++;
            periods += server.n;
        }
        lp_free(server.v);
        lp_free(loaded.v);
    }

    /* Won count and amount by period of close_date. */
    const stream_plan *o = st ? NULL : single_plan(w, LP_OPPORTUNITIES, &why);
    if (o && !required_typed(o)) {
        o = NULL;
        why = "a required column is text";
    }
    const char *close = o ? time_col(o, w->mapping, "close_date") : NULL;
    const char *won = o ? plain_col(o, w->mapping, "is_won") : NULL;
    int wc = o ? canon_index(LP_OPPORTUNITIES, "is_won") : -1;
    if (won && strcmp(o->cols[o->pick[wc]].type, "boolean") != 0) won = NULL;
    const char *amount = o ? plain_col(o, w->mapping, "amount") : NULL;
    int ac = o ? canon_index(LP_OPPORTUNITIES, "amount") : -1;
    if (amount && !is_number_type(o->cols[o->pick[ac]].type)) amount = NULL;
    if (!st && o && close && won && (amount || ac < 0 || o->pick[ac] < 0)) {
        lp_buf sql = {0};
        lp_buf_puts(&sql, "SELECT to_char(date_trunc($1, ");
        put_ident(w, &sql, close);
        lp_buf_puts(&sql, "), 'YYYY-MM-DD'), count(*), ");
        if (amount) {
            lp_buf_puts(&sql, "sum(");
            put_ident(w, &sql, amount);
            lp_buf_puts(&sql, ")");
        } else {
            lp_buf_puts(&sql, "0");
        }
        lp_buf_puts(&sql, " FROM ");
        put_table(w, &sql, o);
        lp_buf_puts(&sql, " WHERE ");
        put_ident(w, &sql, won);
        lp_buf_puts(&sql, " AND ");
        put_ident(w, &sql, close);
        lp_buf_puts(&sql, " IS NOT NULL");
        required_present(w, o, &sql);
        lp_buf_puts(&sql, " GROUP BY 1");
        period_sums server = {0}, loaded = {0};
        st = sql.failed ? LP_ERR_NOMEM : server_sums(w, &cal, sql.data, &server);
        lp_buf_reset(&sql);
        if (!st)
            st = loaded_sums(ds->tables[LP_OPPORTUNITIES], &cal, "close_date", "is_won",
                             "amount", &loaded);
        if (!st) {
            diffs += reconcile(w, &cal, "won_count/won_amount", &server, &loaded, true);
            figures += 2;
            periods += server.n;
        }
        lp_free(server.v);
        lp_free(loaded.v);
    } else if (!st) {
        wh_log(w, "pushdown: won by period stays row-level (%s)",
               !o ? why : "close_date, is_won or amount is not a typed column");
    }
    if (st) return st;
    if (figures)
        wh_log(w, "pushdown: %zu server GROUP BY figure%s over %zu period rows, %.2f s: %s",
               figures, figures == 1 ? "" : "s", periods, now_seconds() - t0,
               diffs ? "differences logged above; results come from the copied rows"
                     : "agree with the copied rows");
    return LP_OK;
}

/* ---- Entry point ---- */

lp_status lp_warehouse_load(const lp_warehouse_options *options, lp_dataset **out_ds,
                            char *errmsg)
{
    char local[LP_ERRMSG_SIZE];
    if (!errmsg) errmsg = local;
    errmsg[0] = '\0';
    if (!options || !options->source || !options->mapping) {
        lp_errmsg_set(errmsg, "lp_warehouse_load: a source and a mapping are required");
        return LP_ERR_USAGE;
    }
    wh w = {0};
    w.opts = options;
    w.mapping = options->mapping;
    w.errmsg = errmsg;
    const lp_settings *set = options->settings;
    const char *mode = set && set->db_mode[0] ? set->db_mode : "copy";
    if (strcmp(mode, "copy") != 0 && strcmp(mode, "pushdown") != 0) {
        lp_errmsg_set(errmsg, "db_mode \"%s\" is not copy or pushdown", mode);
        return LP_ERR_CONFIG;
    }
    w.pushdown = !strcmp(mode, "pushdown");

    lp_buf conninfo = {0};
    lp_dataset *ds = NULL;
    lp_status st = parse_source(&w, options->source, &conninfo);
    if (st) goto cleanup;
    double t0 = now_seconds();
    if ((st = connect_source(&w, conninfo.data))) goto cleanup;
    wh_log(&w, "source %s, schema %s, db_mode %s (server %d)", w.shown, w.schema, mode,
           PQserverVersion(w.conn));
    lp_load_options lopts = {
        .mapping = options->mapping,
        .settings = options->settings,
        .threads = options->threads,
        .columns = options->columns,
        .has_now = options->has_now,
        .now = options->now,
    };
    if ((st = lp_load_stream_begin(&lopts, &ds, errmsg))) goto cleanup;
    if ((st = plan_tables(&w, ds))) goto cleanup;
    wh_log(&w, "checked %zu table%s against information_schema, %.2f s", w.nplans,
           w.nplans == 1 ? "" : "s", now_seconds() - t0);
    if (w.pushdown && (st = pushdown_window(&w))) goto cleanup;
    if (w.pushdown && w.window && (st = start_touch_counts(&w, conninfo.data))) goto cleanup;
    for (size_t i = 0; i < w.nplans && !st; i++) st = copy_table(&w, &lopts, ds, &w.plans[i]);
    if (!st) st = lp_load_stream_finish(ds, errmsg);
    if (!st && w.touches_restricted) st = add_campaign_counts(&w, ds);
    if (!st && w.pushdown) st = pushdown_figures(&w, ds);
cleanup:
    for (size_t i = 0; i < w.ncounts; i++) lp_free(w.counts[i].key);
    lp_free(w.counts);
    for (size_t i = 0; i < w.nplans; i++) plan_free(&w.plans[i]);
    if (w.nplans < MAX_STREAMS) plan_free(&w.plans[w.nplans]);
    if (w.conn) PQfinish(w.conn);
    if (w.conn2) PQfinish(w.conn2);
    lp_buf_reset(&w.count_sql);
    lp_buf_reset(&conninfo);
    if (st) {
        if (!errmsg[0]) lp_errmsg_set(errmsg, "%s: %s", w.shown, lp_status_str(st));
        lp_dataset_free(ds);
        return st;
    }
    *out_ds = ds;
    return LP_OK;
}
