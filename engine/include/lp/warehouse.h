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
 *  pushdown  Rows no figure reads stay on the server; per-campaign counts of
 *            the touches left there come from a GROUP BY. First the window
 *            is fixed as lp_measures_compute fixes it (measures.h): as-of =
 *            options->as_of when given, else the latest of leads
 *            created_at, mql_at, sql_at, touches touched_at, activities at
 *            and opportunities created_at, read on the server (max of each,
 *            to the second, over the rows the loader loads; the small
 *            tables first, each later scan reading only rows after the
 *            latest instant so far); P and the window from
 *            lp_window_compute (time.h) with the settings' calendar and
 *            period_label, as the measures fix them (W = the window's
 *            data_start: the window's start or the first of the twelve
 *            trend months, whichever is first; as-of when earlier). W and as-of reach the
 *            statements as session settings (set_config with parameters,
 *            read with current_setting: COPY takes no parameters). Without
 *            typed columns for as-of (text, value maps) no window is known
 *            and only restriction 1 applies, in its form without W.
 *            1. Activities: only the rows SLA first touch and follow-up
 *               can read are copied,
 *                 FROM activities a
 *                 LEFT JOIN (SELECT key(lead_id) AS lead_key,
 *                                   second(min(mql_at)) AS first_mql
 *                            FROM leads WHERE mql_at IS NOT NULL GROUP BY 1
 *                            HAVING max(mql_at) >= W) l
 *                        ON l.lead_key = key(a.lead_id)
 *                 WHERE a.at IS NULL
 *                    OR second(a.at) = as-of  (as-of from the data: keeps it)
 *                    OR (a.at >= l.first_mql AND second(a.at) <= as-of)
 *                    OR lead_id blank         (kept: at or lead_id blank
 *                                              are rejects)
 *               (key(x) = x as text trimmed of the loader's white space,
 *               second(t) = date_trunc('second', t); a hash join; min()
 *               and max() over duplicate lead ids keep every row any of
 *               them needs; without a window the HAVING and the as-of
 *               bound go and "a.at = (SELECT max(at) FROM activities)"
 *               keeps the data's as-of). Against whole seconds the
 *               statements compare the columns themselves, second(t) <= S
 *               as t < S + 1 s, so nothing is truncated per row, and the
 *               white-space test comes last in the OR, where it runs only
 *               on rows nothing else keeps: activities at or after the hand-off of an
 *               MQL handed off in or after the window. The measures read
 *               activities only for MQLs (prep: activities of leads with
 *               no mql_at by as-of are skipped) and SLA figures only for
 *               MQLs handed off in the window (templates/DEFINITIONS.md 4: "For the MQLs
 *               handed off in P", over the 13 periods of headline.csv;
 *               breaches and detail_mqls: P), from hand-off on ("First
 *               touch is the earliest activity at or after hand-off";
 *               follow-ups in [mql_at, mql_at + 7 days)). Applied only
 *               when provably the same: one leads table; lead_id, mql_at
 *               and at real columns (no default, no value map); mql_at and
 *               at date or timestamp[tz]; qualification "none" (no mql_at
 *               derived from status or score). Otherwise activities are
 *               copied whole and the log says why.
 *            2. Touches: a touch is left on the server (D below) only when
 *               no row-level figure reads it:
 *                 - its lead_id, campaign_id and touched_at are present
 *                   (else the loader rejects it: copied, so rejects.csv
 *                   is the same);
 *                 - its lead_id names exactly one lead (else an orphan,
 *                   counted in data quality, or a duplicate id whose first
 *                   row in export order decides: copied);
 *                 - that lead has no mql_at, no sql_at, no opportunity
 *                   (leads.opportunity_id blank and no opportunities row
 *                   names it), and a campaign_id: attribution reads every
 *                   touch of a lead with an MQL, SQL or opportunity (METRICS
 *                   2: "through the touches of each event's lead at or
 *                   before the event"), and a lead without campaign_id
 *                   takes its earliest touch as creating campaign (METRICS
 *                   mapping rules; leads_created, breakdowns by campaign);
 *                 - touched_at is before W: touches in the window list a
 *                   campaign ("a touch in the window") and touches in P
 *                   fill detail_touches; W <= as-of keeps the latest touch
 *                   (the data's as-of);
 *                 - its campaign_id is a campaigns row's id: the keyspace
 *                   of campaign ids (their order in campaigns.csv) then
 *                   does not depend on which touches are copied.
 *               In SQL, with the keys as uncorrelated IN lists after the
 *               time test (the server evaluates an AND in order, so
 *               touches of the window skip them; the lists become hashed
 *               subplans, or semi-joins in the count):
 *                 D = a.touched_at < W
 *                     AND key(a.lead_id) IN (plain leads)
 *                     AND key(a.campaign_id) IN (campaign ids)
 *                 plain leads = SELECT lead_key FROM (
 *                       SELECT key(lead_id), 1 AS is_lead, CASE WHEN an
 *                              event or no campaign_id THEN 1 ELSE 0 END
 *                              AS need FROM leads WHERE required present
 *                       UNION ALL SELECT key(lead_id), 0, 1
 *                              FROM opportunities WHERE lead_id IS NOT NULL)
 *                     GROUP BY 1 HAVING sum(is_lead) = 1 AND max(need) = 0
 *               (one GROUP BY, each key trimmed once). A touch after
 *               as-of of a loaded lead and campaign is not copied either
 *               (nothing reads it); when as-of is the data's there is none
 *               and its IN lists are never built.
 *               The COPY selects NOT coalesce(D, false), in the same
 *               ORDER BY as copy mode, so every copied lead's touches keep
 *               their export order (attribution ties). The touches left
 *               on the server count only through the lifetime touches and
 *               responders of campaigns.csv (METRICS 2: "touches and
 *               responders (lifetime memberships)"), so the server counts
 *               them per campaign with the measures' own rule (lead
 *               created by as-of, touched_at by as-of):
 *                 SELECT key(campaign_id), count(*),
 *                        sum(CASE WHEN responded THEN 1 ELSE 0 END)
 *                 FROM touches a WHERE D (plain leads also HAVING
 *                      min(created_at) < as-of + 1 s)
 *                   AND a.touched_at < as-of + 1 s
 *                 GROUP BY 1
 *               This statement runs on a second connection, sent before
 *               the first COPY, so the server counts while the tables
 *               copy; when no second connection opens (a connection
 *               limit) it runs on the first after the touches COPY and
 *               the log says so.
 *               The counts are added to the campaigns table as two
 *               INT64 columns (LP_PUSHDOWN_TOUCHES, LP_PUSHDOWN_RESPONDERS
 *               below; on the first row of each id, 0 on repeats), which
 *               the campaigns measure adds to the copied touches' counts.
 *               Applied only when provably the same: a window is known;
 *               qualification "none"; one leads table with lead_id,
 *               created_at (timestamp[tz]) and campaign_id real columns;
 *               touches lead_id, campaign_id, touched_at (timestamp[tz])
 *               and responded (boolean, or absent) real columns; campaigns
 *               campaign_id a real column; no value map on any of them,
 *               nor on mql_at, sql_at, opportunity_id. Otherwise touches
 *               are copied whole and the log says why.
 *            3. GROUP BY on the server, per period of the report calendar
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
 *            The loader's view differs from copy mode only in what
 *            results/ does not hold: file reports and reject line numbers
 *            count the copied rows, and orphan activities are not copied
 *            (the "orphan" note of activities counts none).
 *            What is NOT pushed down, and why (all stay row-level, so that
 *            results/ is byte-identical to the CSV run):
 *             - leads and opportunities are copied whole: the funnel
 *               cohort is the window's leads but its steps read their
 *               opportunities by as-of, routing reads lifetime MQLs,
 *               campaigns.csv lifetime MQLs, SQLs, opportunities and
 *               leads_created, the reverse funnel the trailing four
 *               quarters, open inbound pipeline every opportunity created
 *               before E; every one of those reads the lead's channel and
 *               creating campaign, row by row;
 *             - the published mql_count, sql_count, won figures keep
 *               coming from the copied rows (item 3 is a reconciliation):
 *               the rows are copied anyway for the lifetime figures, so
 *               taking the counts from the server saves no transfer; the
 *               published won and pipeline figures are inbound ones, and
 *               channel needs the inbound and partner source lists after
 *               the value maps, the lead of each opportunity (its lead_id
 *               or the lead that names it) and partner users; a server sum
 *               of amounts is exact decimal arithmetic and can differ in
 *               the last bit from the double sum of the CSV run;
 *             - MQL/SQL breakdowns by source, campaign, team and segment
 *               (value maps, creating campaign from the earliest touch);
 *             - the small tables (campaigns, users, targets);
 *             - columns no figure reads (e.g. leads industry, activities
 *               type) are still selected: leaving one out would make the
 *               loader report it as missing ("missing_column" notes, null
 *               counts in the pack's data quality);
 *             - text-typed dates: the server cannot read them as leadpack
 *               does (date order, Excel serials), so their aggregates are
 *               skipped and the restrictions are not applied.
 *
 * SQL: plain PostgreSQL (information_schema, COPY (query) TO STDOUT,
 * date_trunc, to_char, IN (subquery), UNION ALL); identifiers quoted with
 * PQescapeIdentifier, values passed as parameters (PQexecParams); no
 * cursors, no temporary tables, no session tuning (work_mem, jit), so a
 * distributed engine can plan every statement in parallel. Pushdown opens
 * at most two connections (the second for the touches count).
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

#include <stdbool.h>
#include <stdint.h>

typedef struct lp_warehouse_options {
    const char *source;            /* postgresql://... as above */
    const lp_mapping *mapping;     /* tables and columns (borrowed) */
    const lp_settings *settings;   /* time zone, db_mode, limits; NULL = defaults */
    int threads;                   /* parser threads; 0 = number of cores */
    /* The run's --as-of and --period (lp_measures_options), which fix the
     * window of the pushdown restrictions; without them as-of is the
     * data's and P the period before it. */
    bool has_as_of;
    int64_t as_of;
    const char *period_label;      /* NULL = the last complete period */
    /* lp_load_options.has_now and now: rows dated after now are set aside
     * as future-dated. In pushdown mode, a server whose latest dated row is
     * after now gives no window (the window would otherwise be fixed from a
     * row the load sets aside), and the tables are copied as without one. */
    bool has_now;
    int64_t now;
    /* lp_load_options.columns: the columns to load (the others are not
     * selected), or NULL for every column. */
    const uint32_t *columns;
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
/* The pushdown load adds LP_PUSHDOWN_TOUCHES and LP_PUSHDOWN_RESPONDERS
 * (model.h) to the campaigns table (restriction 2 above). */

lp_status lp_warehouse_load(const lp_warehouse_options *options, lp_dataset **out_ds,
                            char *errmsg);

/* The source as it may be shown: scheme://user@host:port/db without the
 * query string, into buf (truncated to size). */
void lp_warehouse_describe(const char *source, char *buf, size_t size);

#endif
