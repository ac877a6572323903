/*
 * Warehouse source (warehouse.h): the canonical model from a
 * PostgreSQL-compatible engine through libpq.
 *
 * Steps: parse the source (refusing passwords on the command line), connect
 * and classify a failure, set the session (UTF8, ISO dates, report zone),
 * resolve every mapped table and column against information_schema (so an
 * error names what does exist), then stream one COPY per table into the
 * loader (engine/load/load_stream.h). In pushdown mode (pushdown.c) the
 * activities and touches COPYs carry restrictions and the server's
 * per-period GROUP BY figures are reconciled against the copied rows.
 *
 * One connection, used from the loading thread only: COPY output is pulled
 * by the CSV reader's reading thread (csv_stream.h), the parsing of chunks
 * runs on its worker threads as for files.
 */
#include "warehouse_internal.h"

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

void lp_wh_log(const wh *w, const char *fmt, ...)
{
    if (!w->opts->log) return;
    char line[LP_ERRMSG_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    w->opts->log(w->opts->log_ctx, line);
}

double lp_wh_now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* libpq's message on one line: newlines and tabs become spaces, the end is
 * trimmed. */
void lp_wh_one_line(const char *msg, char *buf, size_t size)
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

bool lp_wh_is_text_type(const char *t)
{
    return !strcmp(t, "text") || !strcmp(t, "character varying") || !strcmp(t, "character") ||
           !strcmp(t, "name") || !strcmp(t, "USER-DEFINED"); /* citext, enums */
}

bool lp_wh_is_time_type(const char *t)
{
    return !strcmp(t, "date") || !strcmp(t, "timestamp with time zone") ||
           !strcmp(t, "timestamp without time zone");
}

static bool is_int_type(const char *t)
{
    return !strcmp(t, "smallint") || !strcmp(t, "integer") || !strcmp(t, "bigint");
}

bool lp_wh_is_number_type(const char *t)
{
    return is_int_type(t) || !strcmp(t, "numeric") || !strcmp(t, "real") ||
           !strcmp(t, "double precision");
}

/* Server types whose text form the loader reads for a canonical type. */
static bool type_readable(lp_type canon, const char *t)
{
    if (lp_wh_is_text_type(t)) return true;
    switch (canon) {
    case LP_TYPE_DATE:
    case LP_TYPE_INSTANT: return lp_wh_is_time_type(t);
    case LP_TYPE_INT64:
    case LP_TYPE_DOUBLE: return lp_wh_is_number_type(t);
    case LP_TYPE_BOOL: return !strcmp(t, "boolean") || is_int_type(t);
    case LP_TYPE_STRING:
        return lp_wh_is_number_type(t) || lp_wh_is_time_type(t) || !strcmp(t, "boolean") ||
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
void lp_wh_put_ident(wh *w, lp_buf *buf, const char *name)
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
void lp_wh_put_table(wh *w, lp_buf *buf, const stream_plan *p)
{
    lp_wh_put_ident(w, buf, p->schema);
    lp_buf_puts(buf, ".");
    lp_wh_put_ident(w, buf, p->table);
}

/* Runs a parameterised query that returns rows. NULL (and errmsg) on
 * failure. */
PGresult *lp_wh_query_on(wh *w, PGconn *conn, const char *sql, int nparams,
                          const char *const *params)
{
    PGresult *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
    if (res && PQresultStatus(res) == PGRES_TUPLES_OK) return res;
    char reason[LP_ERRMSG_SIZE];
    lp_wh_one_line(res ? PQresultErrorMessage(res) : PQerrorMessage(conn), reason, sizeof reason);
    lp_errmsg_set(w->errmsg, "%s: query failed: %s", w->shown, reason);
    PQclear(res);
    return NULL;
}

PGresult *lp_wh_query(wh *w, const char *sql, int nparams, const char *const *params)
{
    return lp_wh_query_on(w, w->conn, sql, nparams, params);
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
lp_status lp_wh_open_conn(wh *w, const char *conninfo, PGconn **out_conn)
{
    PGconn *conn = *out_conn = PQconnectdb(conninfo);
    if (!conn) return LP_ERR_NOMEM;
    if (PQstatus(conn) != CONNECTION_OK) {
        char reason[LP_ERRMSG_SIZE];
        const char *msg = PQerrorMessage(conn);
        lp_wh_one_line(msg, reason, sizeof reason);
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
    PGresult *res = lp_wh_query_on(w, conn,
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
    return lp_wh_open_conn(w, conninfo, &w->conn);
}

/* ---- Tables and columns ---- */

int lp_wh_canon_index(lp_table_id id, const char *name)
{
    size_t n;
    const lp_canon_column *canon = lp_canon_columns(id, &n);
    for (size_t c = 0; c < n; c++)
        if (!strcmp(canon[c].name, name)) return (int)c;
    return -1;
}

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
    PGresult *res = lp_wh_query(w,
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
    static const char *const sql =
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE lower(table_schema) = lower($1) AND lower(table_name) = lower($2) "
        "ORDER BY (table_schema = $1 AND table_name = $2) DESC, table_schema, table_name";
    PGresult *res = lp_wh_query(w, sql, 2, params);
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
    static const char *const sql =
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position";
    PGresult *res = lp_wh_query(w, sql, 2, params);
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
        int c = lp_wh_canon_index(p->id, keys[p->id][k]);
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
        lp_wh_put_ident(w, sql, col->name);
        if (lp_wh_is_text_type(col->type) && strcmp(col->type, "USER-DEFINED") != 0)
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
            lp_wh_one_line(res ? PQresultErrorMessage(res) : PQerrorMessage(cp->conn), reason,
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
            lp_wh_one_line(PQerrorMessage(cp->conn), reason, sizeof reason);
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
        lp_wh_put_ident(w, &sql, p->cols[p->pick[c]].name);
        any = true;
    }
    if (!any) lp_buf_puts(&sql, "1 AS \"(none)\"");
    lp_buf_puts(&sql, " FROM ");
    lp_wh_put_table(w, &sql, p);
    lp_buf_puts(&sql, " a");
    bool restricted = w->pushdown && lp_wh_restrict_copy(w, p, &sql);
    put_order_by(w, p, &sql);
    lp_buf_puts(&sql, ") TO STDOUT (FORMAT csv, HEADER)");
    if (sql.failed) {
        lp_buf_reset(&sql);
        return LP_ERR_NOMEM;
    }
    double t0 = lp_wh_now_seconds();
    PGresult *res = PQexec(w->conn, sql.data);
    lp_buf_reset(&sql);
    if (!res || PQresultStatus(res) != PGRES_COPY_OUT) {
        char reason[LP_ERRMSG_SIZE];
        lp_wh_one_line(res ? PQresultErrorMessage(res) : PQerrorMessage(w->conn), reason,
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
    lp_wh_log(w, "%s %s: %zu rows%s, %.2f s", restricted ? "pushdown copy" : "copy", p->label,
              cp.rows ? cp.rows - 1 : 0, what, lp_wh_now_seconds() - t0);
    if (restricted && p->id == LP_TOUCHES) {
        t0 = lp_wh_now_seconds();
        st = lp_wh_touch_counts_collect(w);
        if (st) return st;
        lp_wh_log(w, "pushdown: %s: %lld other touches counted per campaign on the server "
                  "(lifetime touches and responders only), %s %.2f s",
                  p->label, (long long)w->plan_counted[p - w->plans],
                  w->counts_sent ? "on a second connection during the copies, waited"
                              : "after the copy,",
               lp_wh_now_seconds() - t0);
    }
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
    double t0 = lp_wh_now_seconds();
    if ((st = connect_source(&w, conninfo.data))) goto cleanup;
    lp_wh_log(&w, "source %s, schema %s, db_mode %s (server %d)", w.shown, w.schema, mode,
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
    lp_wh_log(&w, "checked %zu table%s against information_schema, %.2f s", w.nplans,
              w.nplans == 1 ? "" : "s", lp_wh_now_seconds() - t0);
    if (w.pushdown && (st = lp_wh_pushdown_window(&w))) goto cleanup;
    if (w.pushdown && w.window && (st = lp_wh_touch_counts_start(&w, conninfo.data))) goto cleanup;
    for (size_t i = 0; i < w.nplans && !st; i++) st = copy_table(&w, &lopts, ds, &w.plans[i]);
    if (!st) st = lp_load_stream_finish(ds, errmsg);
    if (!st && w.touches_restricted) st = lp_wh_campaign_counts_add(&w, ds);
    if (!st && w.pushdown) st = lp_wh_pushdown_figures(&w, ds);
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
