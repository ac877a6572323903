/*
 * The analyst workbook, read back by real readers: openpyxl for cells,
 * formats, tables and links, LibreOffice headless to recalculate every
 * formula (tests/reports/xlsx_check.py). The result set, narrative and
 * template are built here by hand; every expected figure in the check
 * script is worked out by hand from the rows below.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lp/time.h"
#include "lp/xlsx.h"

extern char **environ;

/* ---- Hand-built inputs ---- */

/* A result table from "name:T name:T ..." (T = S I D B T) and cells as text,
 * row after row; "" is null, "~LONG" a 40,000-character text. */
static void add_table(lp_results *res, const char *name, const char *spec,
                      const char *const *cells, size_t ncells)
{
    lp_table *t = lp_table_new(name);
    cr_assert_not_null(t);
    char names[16][40];
    char types[16];
    size_t ncols = 0;
    const char *p = spec;
    while (*p) {
        size_t n = strcspn(p, ":");
        memcpy(names[ncols], p, n);
        names[ncols][n] = '\0';
        types[ncols] = p[n + 1];
        lp_type type = types[ncols] == 'S' ? LP_TYPE_STRING
                       : types[ncols] == 'I' ? LP_TYPE_INT64
                       : types[ncols] == 'D' ? LP_TYPE_DOUBLE
                       : types[ncols] == 'B' ? LP_TYPE_BOOL : LP_TYPE_INSTANT;
        cr_assert_eq(lp_table_add_column(t, names[ncols], type, NULL), LP_OK);
        ncols++;
        p += n + 2;
        while (*p == ' ') p++;
    }
    cr_assert_eq(ncells % ncols, 0, "%s: %zu cells for %zu columns", name, ncells, ncols);
    static char long_text[40001];
    memset(long_text, 'x', 40000);
    for (size_t i = 0; i < ncells; i++) {
        lp_column *c = t->columns[i % ncols];
        const char *v = cells[i];
        lp_status st;
        if (!*v) {
            st = lp_column_append_null(c);
        } else if (c->type == LP_TYPE_STRING) {
            const char *s = strcmp(v, "~LONG") == 0 ? long_text : v;
            st = lp_column_append_string(c, s, strlen(s));
        } else if (c->type == LP_TYPE_INT64) {
            st = lp_column_append_int64(c, strtoll(v, NULL, 10));
        } else if (c->type == LP_TYPE_DOUBLE) {
            st = lp_column_append_double(c, strtod(v, NULL));
        } else if (c->type == LP_TYPE_BOOL) {
            st = lp_column_append_bool(c, v[0] == '1');
        } else {
            int64_t instant;
            cr_assert_eq(lp_instant_parse_iso(v, &instant), LP_OK, "%s", v);
            st = lp_column_append_int64(c, instant);
        }
        cr_assert_eq(st, LP_OK);
    }
    cr_assert_eq(lp_table_finish(t), LP_OK);
    cr_assert_eq(lp_results_add(res, t), LP_OK);
}

#define ADD(res, name, spec, ...)                                                        \
    add_table(res, name, spec, (const char *const[]){__VA_ARGS__},                       \
              sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

typedef struct fixture {
    lp_settings settings;
    lp_dataset *ds;
    lp_results *res;
    lp_narrative nar;
    lp_template tpl;
} fixture;

static char *inbound[] = {"web", "event", "webinar"};
static char *partner[] = {"partner"};
static char *headlines[] = {
    "Marketing handed sales 4 qualified leads, down 2 on last week.",
    "Sales reached 33% of qualified leads within a day; the target is 95%."};
static char *changes[] = {"Qualified leads fell from 6 to 4, within normal variation."};
static lp_kpi kpis[] = {
    {"mql_count", "Qualified leads", "4", "down 2", "below target", false},
    {"sla_compliance", "Reached within a day", "33%", "", "below target", false},
};
static char *terms[] = {"MQL", "SLA compliance"};
static char *texts[] = {"A lead marketing judged ready for sales.",
                        "Of the MQLs whose deadline has passed, the share touched in time."};
static char *caveats[] = {"Partner figures are missing: the users export has no partners."};

static lp_template_section sections[] = {
    {"cover", "cover", "Cover", NULL, NULL, NULL, 0, true, false},
    {"headlines", "headlines", "This week", NULL, NULL, NULL, 0, true, true},
    {"volume", "volume", "Qualified lead volume", "line_band", "headline", NULL, 0, true, true},
    {"campaigns", "campaigns", "Campaigns", "bars", "campaigns", NULL, 0, true, true},
    {"sla", "sla", "Speed to lead", "bars", "sla_by_team", NULL, 0, true, true},
    {"pipeline", "pipeline", "Inbound pipeline", "bars", NULL, NULL, 0, true, true},
    {"won", "won", "Closed from inbound", NULL, NULL, NULL, 0, true, true},
    {"breaches", "breaches", "SLA breaches", NULL, "breaches", NULL, 0, false, true},
    {"funnel", "funnel", "Funnel", "funnel", "funnel", NULL, 0, true, true},
    {"routing", "routing", "Routing", "intervals", "routing", NULL, 0, true, true},
    {"forecast", "forecast", "Forecast", "line_band", "forecast", NULL, 0, true, true},
    {"mqls", "detail", "MQL rows", NULL, "detail_mqls", NULL, 0, false, true},
    {"quality", "quality", "Data quality", NULL, NULL, NULL, 0, true, true},
    {"definitions", "definitions", "Definitions", NULL, NULL, NULL, 0, true, true},
    {"parameters", "parameters", "Parameters", NULL, NULL, NULL, 0, false, true},
};

static void fixture_build(fixture *fx)
{
    memset(fx, 0, sizeof(*fx));
    cr_assert_eq(lp_tz_set("Europe/Berlin"), LP_OK);
    lp_settings *st = &fx->settings;
    snprintf(st->time_zone, sizeof(st->time_zone), "Europe/Berlin");
    st->calendar = (lp_calendar){LP_PERIOD_WEEK, 1};
    st->inbound_sources = inbound;
    st->n_inbound_sources = 3;
    st->partner_sources = partner;
    st->n_partner_sources = 1;
    st->sla_hours = 24;
    st->followup_activities = 3;
    st->followup_days = 7;
    st->attribution = LP_ATTR_FIRST_TOUCH;
    snprintf(st->currency, sizeof(st->currency), "USD");
    st->sla_target = 0.95;
    snprintf(st->paper, sizeof(st->paper), "A4");
    snprintf(st->db_mode, sizeof(st->db_mode), "copy");
    st->mail_max_mb = 10;
    st->max_file_bytes = 8589934592u;
    st->max_field_bytes = 1048576;
    st->max_columns = 2000;

    fx->ds = lp_dataset_new();
    lp_file_report *f;
    cr_assert_eq(lp_dataset_add_file(fx->ds, "exports/Lead.csv", LP_LEADS, &f), LP_OK);
    f->dialect = strdup("comma, UTF-8, LF");
    f->rows_read = 10;
    f->rows_loaded = 9;
    f->rows_rejected = 1;
    snprintf(f->sha256, sizeof(f->sha256), "%s",
             "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    cr_assert_eq(lp_dataset_add_reject(fx->ds, "exports/Lead.csv", 7, "CreatedDate",
                                       "=HYPERLINK(\"http://example.com\")",
                                       "is not a date"), LP_OK);
    cr_assert_eq(lp_dataset_add_note(fx->ds, "leads", "duplicate_id", 2,
                                     "2 leads share an id; the first is kept."), LP_OK);

    lp_results *res = fx->res = lp_results_new();
    res->settings = st;
    res->dataset = fx->ds;
    res->calendar = st->calendar;
    cr_assert_eq(lp_period_parse(&res->calendar, "2026-W47", &res->period), LP_OK);
    res->window_first = res->period - 12;
    snprintf(res->period_label, sizeof(res->period_label), "2026-W47");
    cr_assert_eq(lp_instant_parse_iso("2026-11-23T10:00:00Z", &res->as_of), LP_OK);

    ADD(res, "headline", "measure:S period:S value:D low:D high:D",
        "mql_count", "2026-W46", "6", "", "",
        "mql_count", "2026-W47", "4", "", "",
        "sql_count", "2026-W46", "2", "", "",
        "sql_count", "2026-W47", "3", "", "",
        "acceptance_rate", "2026-W46", "0.5", "0.19", "0.81",
        "acceptance_rate", "2026-W47", "0.5", "0.15", "0.85",
        "inbound_pipeline_count", "2026-W47", "3", "", "",
        "inbound_pipeline_amount", "2026-W47", "35000.5", "", "",
        "open_inbound_pipeline_amount", "2026-W47", "90000", "", "",
        "sla_eligible", "2026-W47", "3", "", "",
        "sla_within", "2026-W47", "1", "", "",
        "sla_compliance", "2026-W46", "0.5", "0.2", "0.8",
        "sla_compliance", "2026-W47", "0.33333333333333331", "0.06", "0.79",
        "sla_median_hours", "2026-W47", "25", "", "",
        "sla_p90_hours", "2026-W47", "48", "", "",
        "sla_untouched", "2026-W47", "2", "", "",
        "sla_pending", "2026-W47", "1", "", "",
        "followup_compliance", "2026-W47", "0.5", "0.1", "0.9",
        "inbound_won_count", "2026-W47", "2", "", "",
        "inbound_won_amount", "2026-W47", "60000", "", "",
        "inbound_win_rate", "2026-W47", "0.4", "0.1", "0.8",
        "inbound_avg_deal", "2026-W47", "30000", "", "",
        "inbound_cycle_median_days", "2026-W47", "50.5", "", "",
        "inbound_won_share", "2026-W47", "0.75", "", "");
    ADD(res, "changes",
        "measure:S current:D previous:D change:D change_pct:D p_value:D real:B test:S",
        "mql_count", "4", "6", "-2", "-0.3333", "0.75", "0", "poisson",
        "sla_compliance", "0.33333333333333331", "0.5", "-0.16666666666666669", "", "0.6",
        "0", "two_proportion");
    ADD(res, "targets", "measure:S period:S team:S target:D actual:D attainment:D",
        "mql", "2026-W47", "", "5", "4", "0.8",
        "mql", "2026-W47", "East", "3", "2", "0.6667");
    ADD(res, "mql_trend", "period:S mqls:I sqls:I mql_target:D",
        "2026-W46", "6", "2", "5",
        "2026-W47", "4", "3", "5");
    ADD(res, "volume_by_source",
        "key:S mqls:I sqls:I accepted:I acceptance_rate:D low:D high:D mql_target:D",
        "web", "2", "1", "1", "0.5", "0.09", "0.91", "",
        "event", "1", "1", "1", "1", "0.21", "1", "",
        "webinar", "1", "0", "0", "0", "0", "0.79", "",
        "we*", "0", "0", "0", "", "", "", "");
    ADD(res, "volume_by_team",
        "key:S mqls:I sqls:I accepted:I acceptance_rate:D low:D high:D mql_target:D",
        "East", "2", "1", "1", "0.5", "0.09", "0.91", "3",
        "West", "2", "2", "1", "0.5", "0.09", "0.91", "");
    ADD(res, "campaigns",
        "campaign_id:S name:S touches:I responders:I response_rate:D leads_created:I mqls:D "
        "sqls:D opportunities:D pipeline:D won:D cost:D cost_per_lead:D cost_per_mql:D "
        "cost_per_opportunity:D return:D",
        "C1", "=HYPERLINK(\"http://example.com\",\"Webinar\")", "2", "1", "0.5", "2", "2",
        "1", "1.5", "10000", "40000", "1000", "500", "500", "666.66666666666663", "39",
        "C2", "Autumn event", "3", "2", "0.66666666666666663", "2", "2", "1", "1.5",
        "25000.5", "20000", "3000", "1500", "1500", "2000", "5.666666666666667",
        "(no campaign)", "(no campaign)", "0", "0", "", "0", "0", "1", "0", "0", "0", "",
        "", "", "", "");
    ADD(res, "attribution",
        "campaign_id:S name:S model:S mqls:D sqls:D opportunities:D pipeline:D won:D",
        "C1", "Webinar", "first_touch", "2", "1", "1.5", "10000", "40000",
        "C1", "Webinar", "last_touch", "1", "1", "1", "8000", "30000",
        "C1", "Webinar", "linear", "1.5", "1", "1.25", "9000", "35000",
        "C1", "Webinar", "u_shaped", "1.6", "1", "1.3", "9200", "36000",
        "C1", "Webinar", "w_shaped", "1.7", "1", "1.35", "9400", "37000",
        "C2", "Autumn event", "first_touch", "2", "1", "1.5", "25000.5", "20000",
        "C2", "Autumn event", "last_touch", "3", "1", "2", "27000.5", "30000",
        "C2", "Autumn event", "linear", "2.5", "1", "1.75", "26000.5", "25000",
        "C2", "Autumn event", "u_shaped", "2.4", "1", "1.7", "25800.5", "24000",
        "C2", "Autumn event", "w_shaped", "2.3", "1", "1.65", "25600.5", "23000");
    ADD(res, "sla_by_owner",
        "owner_id:S team:S eligible:I within:I compliance:D median_hours:D p90_hours:D "
        "untouched:I pending:I",
        "U1", "East", "2", "1", "0.5", "25", "48", "0", "0",
        "U2", "West", "1", "0", "0", "", "", "2", "1");
    ADD(res, "sla_by_team",
        "team:S eligible:I within:I compliance:D low:D high:D median_hours:D p90_hours:D "
        "untouched:I pending:I followup_eligible:I followup_met:I followup_compliance:D",
        "East", "2", "1", "0.5", "0.09", "0.91", "25", "48", "0", "0", "2", "1", "0.5",
        "West", "1", "0", "0", "0", "0.79", "", "", "2", "1", "1", "0", "0");
    ADD(res, "breaches",
        "lead_id:S owner_id:S team:S mql_at:T first_touch_at:T hours_late:D",
        "L2", "U1", "East", "2026-11-17T12:00:00Z", "2026-11-19T12:00:00Z", "24",
        "L3", "U2", "West", "2026-11-18T09:00:00Z", "", "97");
    ADD(res, "funnel", "step:S reached:I rate:D low:D high:D",
        "lead", "100", "", "", "",
        "mql", "40", "0.4", "0.31", "0.5",
        "sql", "10", "0.25", "0.14", "0.4",
        "opportunity", "5", "0.5", "0.24", "0.76",
        "won", "2", "0.4", "0.12", "0.77");
    ADD(res, "routing", "team:S mqls:I won:I rate:D low:D high:D",
        "East", "50", "5", "0.1", "0.05", "0.19",
        "West", "40", "2", "0.05", "0.02", "0.14");
    ADD(res, "forecast", "period:S mql_forecast:D low:D high:D",
        "2026-W48", "4.5", "2", "7");
    ADD(res, "pipeline_by_stage", "key:S count:I amount:D",
        "Discovery", "2", "10000",
        "Proposal", "1", "25000.5");
    ADD(res, "coverage",
        "open_inbound_pipeline:D quota:D won_to_date:D remaining_quota:D coverage:D",
        "90000", "100000", "40000", "60000", "1.5");
    ADD(res, "won_by_source", "key:S count:I amount:D",
        "web", "1", "40000",
        "event", "1", "20000");
    ADD(res, "switched_off", "figure:S reason:S",
        "sla_by_partner", "No partner users in the users export.");
    ADD(res, "detail_mqls",
        "lead_id:S created_at:T mql_at:T sql_at:T source:S channel:S campaign_id:S "
        "owner_id:S team:S company:S email:S segment:S first_touch_at:T "
        "hours_to_first_touch:D within_sla:B pending:B",
        "L1", "2026-11-10T08:00:00Z", "2026-11-16T08:30:00Z", "2026-11-17T10:00:00Z", "web",
        "inbound", "C1", "U1", "East", "=1+1", "a@example.com", "1-49",
        "2026-11-16T10:30:00Z", "2", "1", "0",
        "L2", "2026-11-11T08:00:00Z", "2026-11-17T12:00:00Z", "", "Web", "inbound", "C1",
        "U1", "East", "+1 555", "b@example.com", "50-199", "2026-11-19T12:00:00Z", "48", "0",
        "0",
        "L3", "2026-11-12T08:00:00Z", "2026-11-18T09:00:00Z", "2026-11-20T09:00:00Z",
        "event", "inbound", "C2", "U2", "West", "@SUM(A1)", "c@example.com", "1-49", "", "",
        "0", "0",
        "L4", "2026-11-13T08:00:00Z", "2026-11-22T20:00:00Z", "", "webinar", "inbound", "C2",
        "U2", "West", "~LONG", "d@example.com", "200-999", "", "", "", "1");
    ADD(res, "detail_inbound_opportunities",
        "opportunity_id:S lead_id:S created_at:T stage:S amount:D close_date:T is_won:B "
        "source:S campaign_id:S owner_id:S",
        "O1", "L1", "2026-11-17T09:00:00Z", "Discovery", "10000", "", "0", "web", "C1", "U1",
        "O2", "L3", "2026-11-19T15:00:00Z", "Proposal", "25000.5", "2027-01-15T00:00:00Z",
        "0", "event", "C2", "U2",
        "O3", "", "2026-11-20T10:00:00Z", "Discovery", "", "", "0", "web", "C1", "U1");
    ADD(res, "detail_inbound_wins",
        "opportunity_id:S lead_id:S created_at:T stage:S amount:D close_date:T is_won:B "
        "source:S campaign_id:S owner_id:S",
        "O9", "L7", "2026-10-01T09:00:00Z", "Closed Won", "40000", "2026-11-17T23:00:00Z",
        "1", "web", "C1", "U1",
        "O8", "L8", "2026-09-15T09:00:00Z", "Closed Won", "20000", "2026-11-19T23:00:00Z",
        "1", "event", "C2", "U2");
    /* The previous period's six MQLs (headline mql_count 2026-W46 = 6). */
    ADD(res, "detail_mqls_previous", "lead_id:S mql_at:T",
        "P1", "2026-11-09T09:00:00Z", "P2", "2026-11-10T09:00:00Z", "P3", "2026-11-11T09:00:00Z",
        "P4", "2026-11-12T09:00:00Z", "P5", "2026-11-13T09:00:00Z", "P6", "2026-11-14T09:00:00Z");
    ADD(res, "detail_touches", "lead_id:S campaign_id:S touched_at:T responded:B",
        "L1", "C1", "2026-11-01T09:00:00Z", "1",
        "L2", "C1", "2026-11-02T09:00:00Z", "0",
        "L3", "C2", "2026-11-03T09:00:00Z", "1",
        "L4", "C2", "2026-11-04T09:00:00Z", "1",
        "L1", "C2", "2026-11-05T09:00:00Z", "0");

    /* The figures of P (targets and statuses) by the catalogue's rule. */
    cr_assert_eq(lp_figures_build(res), LP_OK);

    fx->nar = (lp_narrative){
        .title = "Weekly leadership pack",
        .period_words = "the week of 16 November 2026",
        .as_of_words = "23 November 2026, 11:00 CET",
        .headlines = headlines, .nheadlines = 2,
        .changes = changes, .nchanges = 1,
        .kpis = kpis, .nkpis = 2,
        .glossary_terms = terms, .glossary_texts = texts, .nglossary = 2,
        .caveats = caveats, .ncaveats = 1,
    };
    fx->tpl = (lp_template){
        .name = "weekly-leadership", .title = "Weekly leadership pack",
        .sections = sections, .nsections = sizeof(sections) / sizeof(sections[0]),
    };
}

static void fixture_free(fixture *fx)
{
    lp_results_free(fx->res);
    lp_dataset_free(fx->ds);
}

static char *tmp_dir(void)
{
    char *dir = strdup("/tmp/lp-xlsx-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    return dir;
}

static void rm_rf(const char *dir)
{
    /* Only our own mkdtemp folder; no shell. */
    char *argv[] = {"/bin/rm", "-rf", (char *)dir, NULL};
    pid_t pid;
    if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) == 0) waitpid(pid, NULL, 0);
}

static unsigned char *slurp(const char *path, size_t *out_len)
{
    FILE *fp = fopen(path, "rb");
    cr_assert_not_null(fp, "%s: %s", path, strerror(errno));
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    unsigned char *data = malloc((size_t)n + 1);
    cr_assert_eq(fread(data, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    *out_len = (size_t)n;
    return data;
}

/* ---- Tests ---- */

/* Both workbooks (default; and constant memory with 3 rows per detail sheet,
 * so MQLs continues on "MQLs (2)"), read back and recalculated by the check
 * script in one LibreOffice run. */
Test(xlsx, read_back_and_recalculated, .timeout = 240)
{
    fixture fx;
    fixture_build(&fx);
    char *dir = tmp_dir();
    char a[512], b[512], errmsg[LP_ERRMSG_SIZE] = "";
    snprintf(a, sizeof(a), "%s/pack.xlsx", dir);
    snprintf(b, sizeof(b), "%s/split.xlsx", dir);
    cr_assert_eq(lp_xlsx_write(fx.res, &fx.nar, &fx.tpl, a, errmsg), LP_OK, "%s", errmsg);
    lp_xlsx_options opt = {.max_detail_rows = 3, .memory = LP_XLSX_MEMORY_CONSTANT};
    cr_assert_eq(lp_xlsx_write_opt(fx.res, &fx.nar, &fx.tpl, b, &opt, errmsg), LP_OK, "%s",
                 errmsg);

    char *argv[] = {"/usr/bin/python3", LP_SOURCE_DIR "/tests/reports/xlsx_check.py", dir, a,
                    b, NULL};
    pid_t pid;
    cr_assert_eq(posix_spawn(&pid, argv[0], NULL, NULL, argv, environ), 0);
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0,
              "xlsx_check.py failed (status %d); its output above says which check", status);
    rm_rf(dir);
    free(dir);
    fixture_free(&fx);
}

Test(xlsx, same_input_gives_identical_bytes)
{
    fixture fx;
    fixture_build(&fx);
    char *dir = tmp_dir();
    char a[512], b[512], errmsg[LP_ERRMSG_SIZE] = "";
    snprintf(a, sizeof(a), "%s/one.xlsx", dir);
    snprintf(b, sizeof(b), "%s/two.xlsx", dir);
    cr_assert_eq(lp_xlsx_write(fx.res, &fx.nar, &fx.tpl, a, errmsg), LP_OK, "%s", errmsg);
    sleep(1);   /* a clock in the output would now differ */
    cr_assert_eq(lp_xlsx_write(fx.res, &fx.nar, &fx.tpl, b, errmsg), LP_OK, "%s", errmsg);
    size_t na, nb;
    unsigned char *da = slurp(a, &na), *db = slurp(b, &nb);
    cr_expect_eq(na, nb);
    cr_expect(na == nb && memcmp(da, db, na) == 0, "the two workbooks differ");
    free(da);
    free(db);
    rm_rf(dir);
    free(dir);
    fixture_free(&fx);
}

Test(xlsx, failure_leaves_no_file)
{
    fixture fx;
    fixture_build(&fx);
    char *dir = tmp_dir();
    char path[512], errmsg[LP_ERRMSG_SIZE] = "";
    snprintf(path, sizeof(path), "%s/missing-folder/pack.xlsx", dir);
    cr_expect_eq(lp_xlsx_write(fx.res, &fx.nar, &fx.tpl, path, errmsg), LP_ERR_OUTPUT);
    cr_expect(strstr(errmsg, "pack.xlsx") != NULL, "errmsg: %s", errmsg);
    struct stat sb;
    cr_expect_neq(stat(path, &sb), 0);

    /* A good file stays as it was when a later write fails. */
    snprintf(path, sizeof(path), "%s/pack.xlsx", dir);
    cr_assert_eq(lp_xlsx_write(fx.res, &fx.nar, &fx.tpl, path, errmsg), LP_OK, "%s", errmsg);
    size_t before, after;
    free(slurp(path, &before));
    cr_expect_eq(lp_xlsx_write(NULL, &fx.nar, &fx.tpl, path, errmsg), LP_ERR_USAGE);
    free(slurp(path, &after));
    cr_expect_eq(before, after);
    rm_rf(dir);
    free(dir);
    fixture_free(&fx);
}

/* Walks an allocation failure over a whole write: no crash, a clean status,
 * no file left behind. */
Test(xlsx, allocation_failures_are_clean)
{
    fixture fx;
    fixture_build(&fx);
    char *dir = tmp_dir();
    char path[512], errmsg[LP_ERRMSG_SIZE];
    snprintf(path, sizeof(path), "%s/pack.xlsx", dir);
    bool done = false;
    for (long n = 1; n < 400 && !done; n++) {
        lp_alloc_fail_after(n);
        lp_status st = lp_xlsx_write(fx.res, &fx.nar, &fx.tpl, path, errmsg);
        lp_alloc_fail_after(0);
        struct stat sb;
        if (st == LP_OK) {
            done = true;
        } else {
            cr_expect_eq(st, LP_ERR_NOMEM, "allocation %ld: %s", n, lp_status_str(st));
            cr_expect_neq(stat(path, &sb), 0, "allocation %ld left a file", n);
        }
    }
    cr_expect(done, "the write never succeeded");
    rm_rf(dir);
    free(dir);
    fixture_free(&fx);
}
