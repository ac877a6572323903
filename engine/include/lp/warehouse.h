/*
 * warehouse.h: reading the canonical model from a PostgreSQL-compatible
 * engine (libpq), as an alternative to a folder of CSV exports.
 *
 * Source: a libpq URI with one extra query parameter, the schema:
 *     postgresql://USER@HOST:PORT/DB?schema=crm   (postgres:// also works;
 *     other query parameters such as sslmode or service go to libpq as
 *     they are; the default schema is "public").
 * Credentials come only from what libpq reads (PGPASSWORD, ~/.pgpass, a
 * service file, PGUSER...). A password in the URI (user:secret@ or
 * ?password=) is refused with LP_ERR_USAGE, and the source is only ever
 * shown without its query string.
 *
 * Mapping: the table maps' `files` lists name tables or views. A mapping
 * file gives them with `tables:` (mapping.h), e.g.
 *     profile: salesforce
 *     tables: {leads: [lead], activities: [task, event], users: [crm.user]}
 * A name is "table" (in the source's schema) or "schema.table"; it matches
 * the server's name exactly, else case-insensitively. Names still in file
 * form (a profile's "Lead.csv"; no `tables:` given) are looked up without
 * the .csv suffix and are optional (missing = the "missing_file" note of a
 * missing export); names with glob characters are skipped. Columns are found
 * exactly as CSV headers are (load.h): the first of the mapped source names
 * the table has (trimmed, case-insensitive), else a column named like the
 * canonical column, else the default, else absent.
 *
 * Session: client_encoding UTF8, DateStyle ISO, TimeZone = the report time
 * zone (settings->time_zone), so a timestamp without time zone means local
 * report time exactly as an instant without offset in a CSV does.
 *
 * Modes (settings->db_mode, reported through log):
 *
 *  copy      Each mapped table is streamed with
 *              COPY (SELECT "col", ... FROM "schema"."table") TO STDOUT
 *                   (FORMAT csv, HEADER)
 *            (PQgetCopyData) into the CSV loader's column builders: same
 *            plan, value maps, value parsing, rejects (file = "schema.table",
 *            line = line of the COPY output, header = 1), reconciliation
 *            (rows read = loaded + rejected per stream) and quality notes.
 *            Export order (it decides ties in attribution and the order of
 *            detail rows) is made independent of the server's scan order,
 *            which differs from insertion order even on one server:
 *            ORDER BY the table's key (lead_id, campaign_id, touch_id then
 *            lead_id, touched_at, campaign_id; opportunity_id, owner_id;
 *            period, measure, team) and then every other selected column,
 *            text in byte order (COLLATE "C"). A CSV export sorted the same
 *            way gives the same results/. Activities are not sorted: the
 *            measures sort each lead's activities by time and nothing reads
 *            their order (so the reject lines of activities follow the
 *            server's order).
 *
 *  pushdown  What is pushed down to the server:
 *            1. Row restriction of the largest table, activities: only the
 *               rows SLA first touch and follow-up can use are copied,
 *                 FROM activities a
 *                 LEFT JOIN (SELECT btrim(CAST(lead_id AS text)) AS lead_key,
 *                                   min(date_trunc('second', mql_at)) AS first_mql
 *                            FROM leads WHERE mql_at IS NOT NULL GROUP BY 1) l
 *                        ON l.lead_key = btrim(CAST(a.lead_id AS text))
 *                 CROSS JOIN (SELECT max(at) AS latest FROM activities) m
 *                 WHERE a.at IS NULL OR a.lead_id IS NULL OR btrim(...) = ''
 *                                                (kept: they are rejects)
 *                    OR a.at = m.latest          (keeps the data's as-of)
 *                    OR date_trunc('second', a.at) >= l.first_mql
 *               (a join the server runs as a hash join; min() over duplicate
 *               lead ids keeps every row any of them needs),
 *               i.e. activities at or after the hand-off of an MQL lead. The
 *               measures read activities only for MQL leads, from hand-off
 *               on (first touch, follow-ups) and for as-of, so every
 *               results/ file is the same as in copy mode. Applied only when
 *               it is provably the same: one leads table; lead_id, mql_at
 *               and at mapped to real columns (no default, no value map);
 *               mql_at and at of type date or timestamp[tz]; the
 *               qualification setting is "none" (no mql_at derived from
 *               status or score). Otherwise activities are copied whole
 *               and the log says why. The loader's view differs only in
 *               what results/ does not hold: the activities file report
 *               counts the copied rows, reject lines count the copied
 *               rows, and orphan activities (no such lead) are not copied,
 *               so the "orphan" note counts none.
 *            2. GROUP BY on the server, per period of the report calendar
 *               (weeks by date_trunc('week'), months, quarters and fiscal
 *               quarters from date_trunc('month'), in the report zone):
 *                 mql_count  leads by mql_at    sql_count  leads by sql_at
 *                 won_count, won_amount  opportunities with is_won true,
 *                            by close_date
 *               counting only rows the loader would load (required values
 *               present). These server figures are reconciled against the
 *               copied rows period by period (counts exactly, amounts to
 *               1e-9 relative) and the log reports agreement or each
 *               difference; a difference does not stop the run.
 *            What is NOT pushed down, and why (all stay row-level, so that
 *            results/ is byte-identical to the CSV run):
 *             - published figures keep coming from the row-level measures:
 *               a server sum of amounts is exact decimal arithmetic and can
 *               differ in the last bit from the double sum of the CSV run;
 *               and the rows of leads and opportunities must be copied
 *               anyway for lifetime figures (funnel, routing, reverse
 *               funnel, campaigns, open pipeline, detail sheets);
 *             - every breakdown by channel (inbound pipeline, inbound won):
 *               channel needs the inbound and partner source lists after the
 *               mapping's value maps, the lead of each opportunity (its
 *               lead_id or the lead that names it) and partner users;
 *             - MQL/SQL breakdowns by source, campaign, team and segment
 *               (value maps, creating campaign from the earliest touch);
 *             - touches (lifetime per campaign, attribution, detail sheet)
 *               and the small tables (campaigns, users, targets);
 *             - text-typed dates: the server cannot read them as leadpack
 *               does (date order, Excel serials), so their aggregates are
 *               skipped and the restriction is not applied.
 *
 * SQL: plain PostgreSQL (information_schema, COPY (query) TO STDOUT,
 * date_trunc, to_char, EXISTS); identifiers quoted with PQescapeIdentifier,
 * values passed as parameters (PQexecParams); no cursors, no temporary
 * tables, so a distributed engine can plan every statement in parallel.
 *
 * Errors (LP_ERR_DATABASE, exit 2, message in errmsg): cannot connect (the
 * host and libpq's reason), authentication failed (the user; where
 * credentials are read from), missing schema, table or view (with the
 * tables that exist in the schema), missing required column (with the
 * table's columns), a column whose type cannot be read for its canonical
 * column (e.g. bytea or json for created_at), a failed query.
 */
#ifndef LP_WAREHOUSE_H
#define LP_WAREHOUSE_H

#include "lp/mapping.h"
#include "lp/settings.h"

typedef struct lp_warehouse_options {
    const char *source;            /* postgresql://... as above */
    const lp_mapping *mapping;     /* tables and columns (borrowed) */
    const lp_settings *settings;   /* time zone, db_mode, limits; NULL = defaults */
    int threads;                   /* parser threads; 0 = number of cores */
    /* One line per step ("copy crm.lead: 1200 rows"), or NULL. */
    void (*log)(void *ctx, const char *line);
    void *log_ctx;
} lp_warehouse_options;

/* Connects, checks every mapped table and column against
 * information_schema, and loads the dataset in settings->db_mode ("copy" or
 * "pushdown"). On LP_OK the caller owns *out_ds (lp_dataset_free). On
 * failure errmsg (LP_ERRMSG_SIZE bytes) holds the reason; the status is
 * LP_ERR_USAGE for a malformed source or a password on the command line,
 * LP_ERR_DATABASE for server-side failures, LP_ERR_CONFIG for a bad
 * db_mode or time zone, and the loader's statuses otherwise. */
lp_status lp_warehouse_load(const lp_warehouse_options *options, lp_dataset **out_ds,
                            char *errmsg);

/* The source as it may be shown: scheme://user@host:port/db without the
 * query string, into buf (truncated to size). */
void lp_warehouse_describe(const char *source, char *buf, size_t size);

#endif
