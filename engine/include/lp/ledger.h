/*
 * ledger.h: the ledger of published figures.
 *
 * Every `leadpack run` records what it published: each headline figure of
 * every window period (the headline table: measure x 13 periods) with its
 * value and unit, the run's as-of, the time of the run, the template, the
 * input files and their SHA-256, and, for the count figures, the keys of
 * the records behind them (lp_results.record_keys, lp/measures.h). The next
 * run reads the ledger back and says what was restated (the "restatements"
 * result table, results/restatements.csv).
 *
 * One API, two stores:
 *  - SQLite (the default): a file, created when missing. Journal in WAL
 *    mode with a busy timeout (30 s; LEADPACK_LEDGER_BUSY_MS overrides it in
 *    milliseconds), so two runs at once on one file both record, one after
 *    the other.
 *  - PostgreSQL: a target "postgresql://USER@HOST:PORT/DB[?schema=S]"
 *    (postgres:// also works; default schema "public", created when
 *    missing; other query parameters go to libpq). As with the warehouse
 *    source (lp/warehouse.h) the password comes only from what libpq reads
 *    (PGPASSWORD, ~/.pgpass, a service file); a password in the URL is
 *    refused with LP_ERR_USAGE.
 *
 * Schema (version 1; identical in both stores except run_id's type):
 *   ledger_meta    key TEXT PRIMARY KEY, value TEXT      ('application' =
 *                  'leadpack': what marks a file as a leadpack ledger)
 *   schema_version version INTEGER PRIMARY KEY, applied_at TEXT
 *   runs           run_id (INTEGER PRIMARY KEY AUTOINCREMENT | BIGSERIAL),
 *                  published_at TEXT, as_of TEXT, report_period TEXT,
 *                  template TEXT, figures INTEGER       (instants as
 *                  YYYY-MM-DDTHH:MM:SSZ, which sorts in time order)
 *   run_inputs     run_id, path TEXT, sha256 TEXT        (one per input file)
 *   keysets        hash TEXT PRIMARY KEY (hex SHA-256 of keys), figure TEXT,
 *                  n INTEGER, keys TEXT  ("key<TAB>amount\n" per record,
 *                  sorted by key in byte order; amount empty for leads)
 *   figures        run_id, figure TEXT, subject TEXT, period TEXT, value
 *                  REAL (NULL = not available), unit TEXT, keyset TEXT
 *                  (hash, or NULL for a figure without record keys),
 *                  PRIMARY KEY (run_id, figure, subject, period)
 * A key set is stored once, whatever the number of runs and figures that
 * cite it: an unchanged week costs one figures row per run, not its keys.
 * The headline figures are company-wide: their subject is "all".
 *
 * Opening refuses, with LP_ERR_INPUT and a message naming the target, and
 * never writes to: a file that is not an SQLite database, an SQLite
 * database that is not a leadpack ledger (it has tables but no ledger_meta
 * naming leadpack), a ledger that fails SQLite's quick_check (corrupt), and
 * a ledger of a newer schema version than this build knows. A PostgreSQL
 * schema that already holds a table of the ledger's names but no
 * ledger_meta is refused the same way. An older schema is migrated in one
 * transaction. A store that cannot be opened or read gives LP_ERR_IO
 * (SQLite) or LP_ERR_DATABASE (PostgreSQL).
 */
#ifndef LP_LEDGER_H
#define LP_LEDGER_H

#include "lp/results.h"

/* The schema version this build writes and reads. */
#define LP_LEDGER_SCHEMA_VERSION 1

typedef struct lp_ledger lp_ledger;

/* Opens the ledger at target: a postgresql:// or postgres:// URL, else a
 * file path (SQLite; created with the schema when missing or empty, its
 * folder must exist). On LP_OK the caller owns *out_ledger (lp_ledger_free).
 * errmsg (LP_ERRMSG_SIZE) says what was wrong otherwise, e.g.
 * `history.sqlite is not a leadpack ledger (it is an SQLite database with
 * other tables); leadpack leaves it as it is`. */
lp_status lp_ledger_open(const char *target, lp_ledger **out_ledger, char *errmsg);

/* Closes the store. lp_ledger_free(NULL) does nothing. */
void lp_ledger_free(lp_ledger *ledger);

/* "sqlite" or "postgresql". */
const char *lp_ledger_backend(const lp_ledger *ledger);

/* The target as it may be shown: the path, or the URL without its query. */
const char *lp_ledger_describe(const lp_ledger *ledger);

/* Builds the "restatements" table (columns of templates/DEFINITIONS.md):
 *   measure S, subject S, period S, published D, now D, change D,
 *   published_as_of T, cause S
 * one row per headline row of results (measure, period) that the ledger
 * published before and whose value now differs beyond rounding
 * (lp_ledger_differs), against its latest publication; change = now -
 * published (null when either is null). Rows follow the headline table's
 * order. The cause is worked out from the stored record keys for
 * mql_count, inbound_pipeline_count/_amount and inbound_won_count/_amount
 * (needs results->record_keys), in this order, joined by "; ":
 *   "5 qualified leads dated in week 45 arrived after the week 45 pack"
 *       (keys now in the period that no earlier publication of the window
 *        listed in any period);
 *   "2 moved from week 44 (date edited)" (keys last published in another
 *        window period);
 *   "1 was deleted" (keys no longer in the export at all);
 *   "1 no longer counts" (still exported, but in no window period now:
 *        its date was cleared, or it left the channel or the stage);
 *   "2 moved to week 46 (date edited)" (now in that other window period);
 *   "an opportunity's amount changed from $40,000 to $55,000" (amount
 *        figures only; up to three named, then "and N more amounts changed").
 * The first clause names the records ("qualified leads", "inbound
 * opportunities", "inbound won deals"); weeks read "week N", other periods
 * their label. Other figures, or a publication without keys: "recomputed
 * from the current exports (no record keys are kept for this figure)".
 * The caller owns *out_table (lp_results_add it). */
lp_status lp_ledger_restatements(lp_ledger *ledger, const lp_results *results,
                                 lp_table **out_table, char *errmsg);

/* What a run records beside its results. */
typedef struct lp_ledger_run {
    int64_t published_at;        /* instant of the run (UTC seconds) */
    const char *template_name;   /* the pack's template name */
} lp_ledger_run;

/* Records one run: a runs row, its inputs (results->dataset's files, path
 * and SHA-256), a figures row per headline row, and each key set of
 * results->record_keys that the ledger lacks. One transaction: on failure
 * nothing is recorded and the ledger is as it was. *out_run_id (may be NULL)
 * receives the new run's id. */
lp_status lp_ledger_record(lp_ledger *ledger, const lp_results *results,
                           const lp_ledger_run *run, int64_t *out_run_id, char *errmsg);

/* One published figure, for lp_ledger_history. Strings are borrowed for
 * the callback's duration. */
typedef struct lp_ledger_entry {
    int64_t run_id;
    const char *published_at;    /* YYYY-MM-DDTHH:MM:SSZ */
    const char *as_of;           /* YYYY-MM-DDTHH:MM:SSZ */
    const char *template_name;
    const char *report_period;   /* P of that run */
    const char *figure;
    const char *subject;
    const char *period;
    double value;                /* NAN when not available */
    const char *unit;
    int64_t keys;                /* records behind it, -1 when no key set */
} lp_ledger_entry;

/* Calls fn for every published figure, oldest run first, then figure and
 * period; measure and period (either may be NULL) keep only that figure or
 * period. fn returns false to stop early. */
lp_status lp_ledger_history(lp_ledger *ledger, const char *measure, const char *period,
                            bool (*fn)(void *ctx, const lp_ledger_entry *entry), void *ctx,
                            char *errmsg);

/* True when a figure of unit (lp_unit, lp/figures.h) moved from published
 * to now by more than its shown rounding: half a unit for counts and money,
 * half a percent (0.005) for shares and points, 0.05 for hours, days and
 * ratios, 0.0005 for p-values; a value that appeared or vanished (NAN on
 * one side only) differs. */
bool lp_ledger_differs(int unit, double published, double now);

#endif
