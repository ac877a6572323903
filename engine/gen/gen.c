/*
 * Fixture generator (gen.h): writes the model of gen_model.c in the files
 * and headers of one export dialect.
 *
 * Each dialect has two writers that run at once on two threads: one writes
 * leads, touches, campaigns, users and opportunities, the other the
 * activities (the largest file). Both re-derive every lead from its own
 * random stream, so they need no shared state beyond the read-only context.
 */
#include "lp/gen.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_internal.h"
#include "gen_write.h"
#include "lp/fileio.h"
#include "lp/mapping.h"
#include "lp/time.h"

typedef struct job {
    const gen_ctx *ctx;
    const lp_mapping *map;    /* the dialect's profile: its column names */
    const char *dir;
    lp_status (*run)(struct job *job);
    lp_status status;
    char errmsg[LP_ERRMSG_SIZE];
} job;

/* ---- headers: the profile names the columns ---- */

/* One column of a generated file's header. A column the loader reads is a
 * canonical column of the file's table, written as the dialect's profile
 * names it: its alt-th source name (0 = the preferred one; a file that
 * carries several of the names, such as Salesforce's Task.csv with
 * ActivityDate and CreatedDate, names which one each column is). A column
 * the profile does not read (first names, subjects, flags) is written as
 * named here, and must not be one of the profile's names for the table. */
typedef struct gen_col {
    const char *canonical;
    int alt;
    const char *other;
} gen_col;

#define COL(c) {(c), 0, NULL}
#define COL_ALT(c, k) {(c), (k), NULL}
#define OTHER(name) {NULL, 0, (name)}
#define COLS_END {NULL, 0, NULL}

static bool profile_names(const lp_table_map *tm, const char *name)
{
    for (size_t c = 0; c < tm->ncolumns; c++)
        for (size_t k = 0; k < tm->columns[c].nsources; k++)
            if (!strcmp(tm->columns[c].sources[k], name)) return true;
    return false;
}

/* Writes the header row of file (of canonical table) from cols, a list
 * ended by COLS_END; LP_ERR_CONFIG when the profile lacks a name. */
static lp_status write_header(job *jb, wfile *f, lp_table_id table, const char *file,
                              const gen_col *cols)
{
    static const char *const table_names[LP_TABLE_COUNT] = {
        "leads", "campaigns", "touches", "activities", "opportunities", "users", "targets"};
    const lp_table_map *tm = &jb->map->tables[table];
    for (size_t i = 0; cols[i].canonical || cols[i].other; i++) {
        const gen_col *col = &cols[i];
        if (col->other) {
            if (profile_names(tm, col->other)) {
                lp_errmsg_set(jb->errmsg, "profile %s names column \"%s\" of %s (%s): the "
                              "generator must take it from the profile",
                              jb->map->profile, col->other, file, table_names[table]);
                return LP_ERR_CONFIG;
            }
            lp_gen_w_text(f, col->other);
            continue;
        }
        const lp_column_map *cm = NULL;
        for (size_t c = 0; c < tm->ncolumns && !cm; c++)
            if (!strcmp(tm->columns[c].canonical, col->canonical)) cm = &tm->columns[c];
        if (!cm || (size_t)col->alt >= cm->nsources) {
            lp_errmsg_set(jb->errmsg, "profile %s has no %s name %d for %s.%s (column %zu "
                          "of %s)", jb->map->profile, cm ? "source" : "column", col->alt + 1,
                          table_names[table], col->canonical, i + 1, file);
            return LP_ERR_CONFIG;
        }
        lp_gen_w_text(f, cm->sources[col->alt]);
    }
    lp_gen_w_end(f);
    return LP_OK;
}

/* ---- shared formatting ---- */

/* Salesforce record id: 3-character key prefix, 12 characters of record
 * number; with `eighteen`, the case-safe 3-character suffix. */
static void sf_id(char *out, const char *prefix, uint64_t n, bool eighteen)
{
    static const char digits[] =
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    memcpy(out, prefix, 3);
    memcpy(out + 3, "8d0", 3);
    for (int k = 14; k >= 6; k--) {
        out[k] = digits[n % 62];
        n /= 62;
    }
    out[15] = '\0';
    if (!eighteen) return;
    static const char suffix[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    for (int chunk = 0; chunk < 3; chunk++) {
        int bits = 0;
        for (int j = 0; j < 5; j++) {
            char c = out[chunk * 5 + j];
            if (c >= 'A' && c <= 'Z') bits |= 1 << j;
        }
        out[15 + chunk] = suffix[bits];
    }
    out[18] = '\0';
}

static void user_name(const gen_ctx *ctx, int u, char *buf, size_t size)
{
    snprintf(buf, size, "%s %s", lp_gen_first_names[ctx->users[u].first],
             lp_gen_last_names[ctx->users[u].last]);
}

static void lower_slug(const char *s, char *out, size_t size)
{
    size_t n = 0;
    for (; *s && n + 1 < size; s++) {
        char c = *s;
        if (c >= 'A' && c <= 'Z') out[n++] = (char)(c - 'A' + 'a');
        else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out[n++] = c;
    }
    out[n] = '\0';
}

static void user_email(const gen_ctx *ctx, int u, char *buf, size_t size)
{
    char first[32], last[32];
    lower_slug(lp_gen_first_names[ctx->users[u].first], first, sizeof first);
    lower_slug(lp_gen_last_names[ctx->users[u].last], last, sizeof last);
    snprintf(buf, size, "%s.%s@%s", first, last,
             ctx->users[u].partner ? "northwind-partners.com" : "leadpack-demo.com");
}

typedef struct lead_text {
    char company[64];
    char first[32], last[32];
    char email[160];
    char phone[32];
} lead_text;

static void lead_text_make(int64_t i, const gen_lead *lead, lead_text *t)
{
    lp_gen_company_name(lead->company, t->company, sizeof t->company);
    snprintf(t->first, sizeof t->first, "%s", lp_gen_first_names[lead->first_name]);
    snprintf(t->last, sizeof t->last, "%s", lp_gen_last_names[lead->last_name]);
    char slug[64], first[24], last[24];
    lower_slug(t->company, slug, sizeof slug);
    lower_slug(t->first, first, sizeof first);
    lower_slug(t->last, last, sizeof last);
    snprintf(t->email, sizeof t->email, "%s.%s@%s.com", first, last, slug);
    snprintf(t->phone, sizeof t->phone, "+1 555 %03d %04d", (int)(i / 10000 % 1000),
             (int)(i % 10000));
}

static const char *const sf_status[] = {"Open - Not Contacted", "Working - Contacted",
                                        "Closed - Converted", "Closed - Not Converted"};
static const char *const hs_status[] = {"New", "In Progress", "Open Deal", "Unqualified"};
static const char *const hs_stage[STAGE_COUNT] = {
    "Appointment Scheduled", "Qualified To Buy", "Presentation Scheduled",
    "Decision Maker Bought-In", "Contract Sent", "Closed Won", "Closed Lost",
};
static const char *const pd_stage[STAGE_COUNT] = {
    "Qualified", "Contact Made", "Demo Scheduled", "Proposal Made", "Negotiations Started",
    "Negotiations Started", "Proposal Made",
};

/* HubSpot names four of the sources differently; its profile maps them back. */
static const char *hs_source(int source)
{
    switch (source) {
    case 0: return "Direct Traffic";
    case 3: return "Social Media";
    case 4: return "Email Marketing";
    case 9: return "Referrals";
    default: return lp_gen_sources[source];
    }
}

static const char *lp_m_campaign_name(const gen_ctx *ctx, int c, char *buf, size_t size)
{
    if (c == ctx->star) {
        snprintf(buf, size, "ROI Clinic Webinar Series");
        return buf;
    }
    const gen_campaign *cp = &ctx->campaigns[c];
    int64_t y;
    int m, d;
    lp_civil_from_days(cp->start_day, &y, &m, &d);
    snprintf(buf, size, "%04d-%02d %s - %s", (int)y, m, lp_gen_campaign_types[cp->type],
             lp_gen_campaign_themes[cp->theme]);
    return buf;
}

static int64_t asof_day(void) { return LP_GEN_AS_OF / 86400; }

static void opp_name(const lead_text *t, const char *kind, char *buf, size_t size)
{
    snprintf(buf, size, "%s - %s", t ? t->company : "Renewal", kind);
}

/* ================= Plan targets (Salesforce and HubSpot forms) ================= */

/* Targets.csv in the canonical columns (period, measure, team, value): the
 * plan a sales and marketing team sets beside its CRM. For every week and
 * month of the generated year and the one after day0's: qualified leads for
 * the company (the sum of its teams) and per team, new inbound pipeline and
 * inbound closed business. Sized per generated lead, so that at the sample's
 * scale the default pack shows every status: about 34 MQLs, $240K pipeline
 * and $60K won a week at 4,000 leads. */
/* One period's row of plan targets. */
typedef struct plan_period {
    char label[24];
    double mql, pipeline, won; /* per generated lead */
} plan_period;

static int plan_period_cmp(const void *a, const void *b)
{
    return strcmp(((const plan_period *)a)->label, ((const plan_period *)b)->label);
}

static lp_status write_plan_targets(job *jb)
{
    /* Teams in byte order of their names, then the company (no team): the
     * order a warehouse copy of the file reads back in (ORDER BY period,
     * measure, team, nulls last), so both give the same results. */
    static const int team_order[GEN_TEAMS] = {3, 0, 1, 4, 2}; /* EMEA, Enterprise, ... */
    static const double team_share[GEN_TEAMS] = {0.06, 0.18, 0.35, 0.26, 0.15};
    const gen_ctx *ctx = jb->ctx;
    wfile targets = {0};
    plan_period periods[56 + 14];
    size_t np = 0;
    const lp_calendar week = {LP_PERIOD_WEEK, 1}, month = {LP_PERIOD_MONTH, 1};
    int64_t w0 = lp_period_of(&week, (int64_t)ctx->day0 * 86400);
    int64_t m0 = lp_period_of(&month, (int64_t)ctx->day0 * 86400);
    for (int64_t p = w0; p < w0 + 56; p++) {
        lp_period_label(&week, p, periods[np].label, sizeof periods[np].label);
        periods[np].mql = 0.0085, periods[np].pipeline = 60.0, periods[np].won = 15.0;
        np++;
    }
    for (int64_t p = m0; p < m0 + 14; p++) {
        lp_period_label(&month, p, periods[np].label, sizeof periods[np].label);
        periods[np].mql = 0.035, periods[np].pipeline = 275.0, periods[np].won = 62.5;
        np++;
    }
    qsort(periods, np, sizeof periods[0], plan_period_cmp);
    lp_status st = lp_gen_wf_open(&targets, jb->dir, "Targets.csv", jb->errmsg);
    if (st) goto cleanup;
    static const gen_col target_h[] = {COL("period"), COL("measure"), COL("team"),
                                       COL("value"), COLS_END};
    if ((st = write_header(jb, &targets, LP_TARGETS, "Targets.csv", target_h))) goto cleanup;
    double leads = (double)ctx->nleads;
    for (size_t k = 0; k < np; k++) {
        const plan_period *pp = &periods[k];
        int64_t team_mql[GEN_TEAMS], company = 0;
        for (int t = 0; t < GEN_TEAMS; t++) {
            team_mql[t] = (int64_t)(leads * pp->mql * team_share[t] + 0.5);
            company += team_mql[t];
        }
        for (int i = 0; i < GEN_TEAMS; i++) {
            int t = team_order[i];
            lp_gen_w_text(&targets, pp->label);
            lp_gen_w_text(&targets, "mql");
            lp_gen_w_text(&targets, lp_gen_team_names[t]);
            lp_gen_w_int(&targets, team_mql[t]);
            lp_gen_w_end(&targets);
        }
        lp_gen_w_text(&targets, pp->label);
        lp_gen_w_text(&targets, "mql");
        lp_gen_w_empty(&targets);
        lp_gen_w_int(&targets, company);
        lp_gen_w_end(&targets);
        lp_gen_w_text(&targets, pp->label);
        lp_gen_w_text(&targets, "pipeline");
        lp_gen_w_empty(&targets);
        lp_gen_w_int(&targets, (int64_t)(leads * pp->pipeline / 1000 + 0.5) * 1000);
        lp_gen_w_end(&targets);
        lp_gen_w_text(&targets, pp->label);
        lp_gen_w_text(&targets, "won");
        lp_gen_w_empty(&targets);
        lp_gen_w_int(&targets, (int64_t)(leads * pp->won / 1000 + 0.5) * 1000);
        lp_gen_w_end(&targets);
    }
cleanup:
    return lp_gen_wf_close(&targets, st, jb->errmsg);
}

/* ================= Salesforce (API names) ================= */

static lp_status sf_main(job *jb)
{
    const gen_ctx *ctx = jb->ctx;
    wfile leads = {0}, members = {0}, camps = {0}, users = {0}, opps = {0};
    lp_status st;
    char id[20], id2[20], id3[20], buf[256];
    if ((st = lp_gen_wf_open(&leads, jb->dir, "Lead.csv", jb->errmsg)) ||
        (st = lp_gen_wf_open(&members, jb->dir, "CampaignMember.csv", jb->errmsg)) ||
        (st = lp_gen_wf_open(&camps, jb->dir, "Campaign.csv", jb->errmsg)) ||
        (st = lp_gen_wf_open(&users, jb->dir, "User.csv", jb->errmsg)) ||
        (st = lp_gen_wf_open(&opps, jb->dir, "Opportunity.csv", jb->errmsg)))
        goto cleanup;
    static const gen_col lead_h[] = {
        COL("lead_id"), OTHER("FirstName"), OTHER("LastName"), COL("company"), COL("email"),
        COL("phone"), COL("industry"), COL("employees"), COL("country"), COL("source"),
        COL("status"), COL("owner_id"), COL("created_at"), COL("mql_at"), COL("sql_at"),
        OTHER("IsConverted"), COL("converted_at"), COL("opportunity_id"), COLS_END};
    static const gen_col member_h[] = {COL("touch_id"), COL("campaign_id"), COL("lead_id"),
                                       OTHER("Status"), COL("responded"), COL("touched_at"),
                                       COLS_END};
    static const gen_col opp_h[] = {
        COL("opportunity_id"), OTHER("Name"), COL("stage"), COL("amount"), COL("close_date"),
        COL("is_closed"), COL("is_won"), COL("source"), COL("campaign_id"), COL("owner_id"),
        COL("type"), COL("created_at"), COLS_END};
    if ((st = write_header(jb, &leads, LP_LEADS, "Lead.csv", lead_h)) ||
        (st = write_header(jb, &members, LP_TOUCHES, "CampaignMember.csv", member_h)) ||
        (st = write_header(jb, &opps, LP_OPPORTUNITIES, "Opportunity.csv", opp_h)))
        goto cleanup;
    gen_lead lead;
    lead_text t;
    for (int64_t i = 0; i < ctx->nleads; i++) {
        lp_gen_lead_make(ctx, i, &lead);
        lead_text_make(i, &lead, &t);
        sf_id(id, "00Q", (uint64_t)i, true);
        lp_gen_w_text(&leads, id);
        lp_gen_w_text(&leads, t.first);
        lp_gen_w_text(&leads, t.last);
        lp_gen_w_text(&leads, t.company);
        lp_gen_w_text(&leads, t.email);
        lp_gen_w_text(&leads, t.phone);
        lp_gen_w_text(&leads, lp_gen_industries[lead.industry]);
        lp_gen_w_int(&leads, lead.employees);
        lp_gen_w_text(&leads, lp_gen_countries[lead.country]);
        lp_gen_w_text(&leads, lp_gen_sources[lead.source]);
        lp_gen_w_text(&leads, sf_status[lead.status]);
        sf_id(id2, "005", (uint64_t)lead.owner, true);
        lp_gen_w_text(&leads, id2);
        lp_gen_w_dt(&leads, lead.created, DT_SF);
        lp_gen_w_dt(&leads, lead.mql_at, DT_SF);
        lp_gen_w_dt(&leads, lead.sql_at, DT_SF);
        lp_gen_w_bool(&leads, lead.has_opp, "true", "false");
        sf_id(id3, "006", (uint64_t)i, true);
        if (lead.has_opp) {
            lp_gen_w_date(&leads, lp_floor_div(lead.opp.created, 86400), D_ISO);
            lp_gen_w_text(&leads, id3);
        } else {
            lp_gen_w_empty(&leads);
            lp_gen_w_empty(&leads);
        }
        lp_gen_w_end(&leads);
        for (int k = 0; k < lead.ntouches; k++) {
            const gen_touch *tc = &lead.touches[k];
            sf_id(buf, "00v", (uint64_t)i * 16 + (uint64_t)k, true);
            lp_gen_w_text(&members, buf);
            sf_id(id2, "701", (uint64_t)tc->campaign, true);
            lp_gen_w_text(&members, id2);
            lp_gen_w_text(&members, id);
            lp_gen_w_text(&members, lp_gen_member_status[ctx->campaigns[tc->campaign].type][tc->responded]);
            lp_gen_w_bool(&members, tc->responded, "true", "false");
            lp_gen_w_dt(&members, tc->at, DT_SF);
            lp_gen_w_end(&members);
        }
        if (lead.has_opp) {
            lp_gen_w_text(&opps, id3);
            opp_name(&t, "New Business", buf, sizeof buf);
            lp_gen_w_text(&opps, buf);
            lp_gen_w_text(&opps, lp_gen_stage_names[lead.opp.stage]);
            lp_gen_w_int(&opps, lead.opp.amount);
            lp_gen_w_date(&opps, lead.opp.close_day, D_ISO);
            lp_gen_w_bool(&opps, lead.opp.closed, "true", "false");
            lp_gen_w_bool(&opps, lead.opp.won, "true", "false");
            lp_gen_w_text(&opps, lp_gen_sources[lead.source]);
            if (lead.first_campaign >= 0) {
                sf_id(id2, "701", (uint64_t)lead.first_campaign, true);
                lp_gen_w_text(&opps, id2);
            } else {
                lp_gen_w_empty(&opps);
            }
            sf_id(id2, "005", (uint64_t)lead.owner, true);
            lp_gen_w_text(&opps, id2);
            lp_gen_w_text(&opps, "New Business");
            lp_gen_w_dt(&opps, lead.opp.created, DT_SF);
            lp_gen_w_end(&opps);
        }
    }
    for (int64_t j = 0; j < ctx->nleadless; j++) {
        int owner;
        gen_opp opp;
        lp_gen_leadless_make(ctx, j, &owner, &opp);
        sf_id(id, "006", (uint64_t)(ctx->nleads + j), true);
        lp_gen_w_text(&opps, id);
        opp_name(NULL, "Existing Business", buf, sizeof buf);
        lp_gen_w_text(&opps, buf);
        lp_gen_w_text(&opps, lp_gen_stage_names[opp.stage]);
        lp_gen_w_int(&opps, opp.amount);
        lp_gen_w_date(&opps, opp.close_day, D_ISO);
        lp_gen_w_bool(&opps, opp.closed, "true", "false");
        lp_gen_w_bool(&opps, opp.won, "true", "false");
        lp_gen_w_text(&opps, lp_gen_sources[17]);
        lp_gen_w_empty(&opps);
        sf_id(id2, "005", (uint64_t)owner, true);
        lp_gen_w_text(&opps, id2);
        lp_gen_w_text(&opps, "Existing Business");
        lp_gen_w_dt(&opps, opp.created, DT_SF);
        lp_gen_w_end(&opps);
    }
    static const gen_col camp_h[] = {
        COL("campaign_id"), COL("name"), COL("type"), OTHER("Status"), COL("start_date"),
        COL("end_date"), COL("budgeted_cost"), COL("actual_cost"), OTHER("IsActive"),
        COLS_END};
    if ((st = write_header(jb, &camps, LP_CAMPAIGNS, "Campaign.csv", camp_h))) goto cleanup;
    for (int c = 0; c < ctx->ncampaigns; c++) {
        const gen_campaign *cp = &ctx->campaigns[c];
        sf_id(id, "701", (uint64_t)c, true);
        lp_gen_w_text(&camps, id);
        lp_gen_w_text(&camps, lp_m_campaign_name(ctx, c, buf, sizeof buf));
        lp_gen_w_text(&camps, lp_gen_campaign_types[cp->type]);
        bool done = cp->end_day < asof_day();
        lp_gen_w_text(&camps, done ? "Completed" : "In Progress");
        lp_gen_w_date(&camps, cp->start_day, D_ISO);
        lp_gen_w_date(&camps, cp->end_day, D_ISO);
        lp_gen_w_int(&camps, cp->budgeted_cost);
        if (cp->actual_cost >= 0) lp_gen_w_int(&camps, cp->actual_cost);
        else lp_gen_w_empty(&camps);
        lp_gen_w_bool(&camps, !done, "true", "false");
        lp_gen_w_end(&camps);
    }
    static const gen_col user_h[] = {
        COL("owner_id"), OTHER("FirstName"), OTHER("LastName"), COL("name"), OTHER("Email"),
        COL("team"), COL("is_partner"), OTHER("IsActive"), COLS_END};
    if ((st = write_header(jb, &users, LP_USERS, "User.csv", user_h))) goto cleanup;
    for (int u = 0; u < ctx->nusers; u++) {
        sf_id(id, "005", (uint64_t)u, true);
        lp_gen_w_text(&users, id);
        lp_gen_w_text(&users, lp_gen_first_names[ctx->users[u].first]);
        lp_gen_w_text(&users, lp_gen_last_names[ctx->users[u].last]);
        user_name(ctx, u, buf, sizeof buf);
        lp_gen_w_text(&users, buf);
        user_email(ctx, u, buf, sizeof buf);
        lp_gen_w_text(&users, buf);
        lp_gen_w_text(&users, lp_gen_team_names[ctx->users[u].team]);
        lp_gen_w_text(&users, ctx->users[u].partner ? "PowerPartner" : "Standard");
        lp_gen_w_text(&users, "true");
        lp_gen_w_end(&users);
    }
cleanup:
    st = lp_gen_wf_close(&leads, st, jb->errmsg);
    st = lp_gen_wf_close(&members, st, jb->errmsg);
    st = lp_gen_wf_close(&camps, st, jb->errmsg);
    st = lp_gen_wf_close(&users, st, jb->errmsg);
    st = lp_gen_wf_close(&opps, st, jb->errmsg);
    if (!st) st = write_plan_targets(jb);
    return st;
}

static const char *const call_subjects[] = {"Intro call", "Discovery call", "Follow-up call"};
static const char *const email_subjects[] = {"Intro email", "Follow-up email", "Resources"};

static lp_status sf_activities(job *jb)
{
    const gen_ctx *ctx = jb->ctx;
    wfile tasks = {0}, events = {0};
    lp_status st;
    char id[20], who[20], owner[20];
    if ((st = lp_gen_wf_open(&tasks, jb->dir, "Task.csv", jb->errmsg)) ||
        (st = lp_gen_wf_open(&events, jb->dir, "Event.csv", jb->errmsg)))
        goto cleanup;
    /* The profile lists activities.type as [TaskSubtype, EventSubtype, Type]
     * and activities.at as [ActivityDateTime, CompletedDateTime, CreatedDate,
     * ActivityDate]: a task's instant is its CreatedDate (ActivityDate is a
     * date), an event's its ActivityDateTime. */
    static const gen_col task_h[] = {
        OTHER("Id"), COL("lead_id"), COL("owner_id"), OTHER("Subject"), COL_ALT("type", 0),
        COL_ALT("type", 2), OTHER("Status"), COL_ALT("at", 3), COL_ALT("at", 2), COLS_END};
    static const gen_col event_h[] = {
        OTHER("Id"), COL("lead_id"), COL("owner_id"), OTHER("Subject"), COL_ALT("type", 1),
        COL_ALT("type", 2), COL_ALT("at", 0), COL_ALT("at", 2), COLS_END};
    if ((st = write_header(jb, &tasks, LP_ACTIVITIES, "Task.csv", task_h)) ||
        (st = write_header(jb, &events, LP_ACTIVITIES, "Event.csv", event_h)))
        goto cleanup;
    gen_lead lead;
    gen_activity acts[GEN_MAX_ACTIVITIES];
    for (int64_t i = 0; i < ctx->nleads; i++) {
        lp_gen_lead_make(ctx, i, &lead);
        int n = lp_gen_activities_make(ctx, i, &lead, acts);
        if (!n) continue;
        sf_id(who, "00Q", (uint64_t)i, true);
        sf_id(owner, "005", (uint64_t)lead.owner, true);
        for (int k = 0; k < n; k++) {
            uint64_t num = (uint64_t)i * 64 + (uint64_t)k;
            if (acts[k].type == ACT_MEETING) {
                sf_id(id, "00U", num, true);
                lp_gen_w_text(&events, id);
                lp_gen_w_text(&events, who);
                lp_gen_w_text(&events, owner);
                lp_gen_w_text(&events, "Meeting");
                lp_gen_w_text(&events, "Event");
                lp_gen_w_text(&events, "Meeting");
                lp_gen_w_dt(&events, acts[k].at, DT_SF);
                int64_t booked = acts[k].at - 86400 - (int64_t)(num % 7) * 3600;
                lp_gen_w_dt(&events, booked > lead.created ? booked : lead.created, DT_SF);
                lp_gen_w_end(&events);
            } else {
                bool call = acts[k].type == ACT_CALL;
                sf_id(id, "00T", num, true);
                lp_gen_w_text(&tasks, id);
                lp_gen_w_text(&tasks, who);
                lp_gen_w_text(&tasks, owner);
                lp_gen_w_text(&tasks, call ? call_subjects[k % 3] : email_subjects[k % 3]);
                lp_gen_w_text(&tasks, call ? "Call" : "Email");
                lp_gen_w_text(&tasks, call ? "Call" : "Email");
                lp_gen_w_text(&tasks, "Completed");
                lp_gen_w_date(&tasks, lp_floor_div(acts[k].at, 86400), D_ISO);
                lp_gen_w_dt(&tasks, acts[k].at, DT_SF);
                lp_gen_w_end(&tasks);
            }
        }
    }
cleanup:
    st = lp_gen_wf_close(&tasks, st, jb->errmsg);
    st = lp_gen_wf_close(&events, st, jb->errmsg);
    return st;
}

/* ================= HubSpot (UI labels) ================= */

static void hs_owner(const gen_ctx *ctx, int u, wfile *f)
{
    char name[96];
    user_name(ctx, u, name, sizeof name);
    lp_gen_w_text(f, name);
}

static const char *hs_lifecycle(const gen_lead *lead)
{
    if (lead->has_opp && lead->opp.won) return "Customer";
    if (lead->has_opp) return "Opportunity";
    if (lead->sql_at) return "Sales Qualified Lead";
    if (lead->mql_at) return "Marketing Qualified Lead";
    return "Lead";
}

static lp_status hs_main(job *jb)
{
    const gen_ctx *ctx = jb->ctx;
    wfile contacts = {0}, deals = {0}, owners = {0};
    lp_status st;
    char buf[256];
    if ((st = lp_gen_wf_open(&contacts, jb->dir, "contacts.csv", jb->errmsg)) ||
        (st = lp_gen_wf_open(&deals, jb->dir, "deals.csv", jb->errmsg)) ||
        (st = lp_gen_wf_open(&owners, jb->dir, "owners.csv", jb->errmsg)))
        goto cleanup;
    /* MQL date: the profile's second name, the "Date entered" property a
     * lifecycle-stage pipeline export carries. */
    static const gen_col contact_h[] = {
        COL("lead_id"), OTHER("First Name"), OTHER("Last Name"), COL("email"), COL("phone"),
        COL("company"), COL("industry"), COL("employees"), COL("country"), COL("created_at"),
        OTHER("Lifecycle Stage"), COL("status"), COL("source"), COL("owner_id"),
        COL_ALT("mql_at", 1), COL("sql_at"), COL("converted_at"), COLS_END};
    static const gen_col deal_h[] = {
        COL("opportunity_id"), OTHER("Deal Name"), COL("stage"), COL("amount"),
        COL("close_date"), COL("created_at"), COL("owner_id"), COL("source"), COL("type"),
        OTHER("Pipeline"), COL("lead_id"), COLS_END};
    if ((st = write_header(jb, &contacts, LP_LEADS, "contacts.csv", contact_h)) ||
        (st = write_header(jb, &deals, LP_OPPORTUNITIES, "deals.csv", deal_h)))
        goto cleanup;
    gen_lead lead;
    lead_text t;
    for (int64_t i = 0; i < ctx->nleads; i++) {
        lp_gen_lead_make(ctx, i, &lead);
        lead_text_make(i, &lead, &t);
        lp_gen_w_int(&contacts, 1000001 + i);
        lp_gen_w_text(&contacts, t.first);
        lp_gen_w_text(&contacts, t.last);
        lp_gen_w_text(&contacts, t.email);
        lp_gen_w_text(&contacts, t.phone);
        lp_gen_w_text(&contacts, t.company);
        lp_gen_w_text(&contacts, lp_gen_industries[lead.industry]);
        lp_gen_w_int(&contacts, lead.employees);
        lp_gen_w_text(&contacts, lp_gen_countries[lead.country]);
        lp_gen_w_dt(&contacts, lead.created, DT_SPACE);
        lp_gen_w_text(&contacts, hs_lifecycle(&lead));
        lp_gen_w_text(&contacts, hs_status[lead.status]);
        lp_gen_w_text(&contacts, hs_source(lead.source));
        hs_owner(ctx, lead.owner, &contacts);
        lp_gen_w_dt(&contacts, lead.mql_at, DT_SPACE);
        lp_gen_w_dt(&contacts, lead.sql_at, DT_SPACE);
        lp_gen_w_dt(&contacts, lead.has_opp ? lead.opp.created : 0, DT_SPACE);
        lp_gen_w_end(&contacts);
        if (lead.has_opp) {
            lp_gen_w_int(&deals, INT64_C(9000000001) + i);
            opp_name(&t, "New Business", buf, sizeof buf);
            lp_gen_w_text(&deals, buf);
            lp_gen_w_text(&deals, hs_stage[lead.opp.stage]);
            lp_gen_w_int(&deals, lead.opp.amount);
            lp_gen_w_date(&deals, lead.opp.close_day, D_ISO);
            lp_gen_w_dt(&deals, lead.opp.created, DT_SPACE);
            hs_owner(ctx, lead.owner, &deals);
            lp_gen_w_text(&deals, hs_source(lead.source));
            lp_gen_w_text(&deals, "New Business");
            lp_gen_w_text(&deals, "Sales Pipeline");
            lp_gen_w_int(&deals, 1000001 + i);
            lp_gen_w_end(&deals);
        }
    }
    for (int64_t j = 0; j < ctx->nleadless; j++) {
        int owner;
        gen_opp opp;
        lp_gen_leadless_make(ctx, j, &owner, &opp);
        lp_gen_w_int(&deals, INT64_C(9000000001) + ctx->nleads + j);
        opp_name(NULL, "Existing Business", buf, sizeof buf);
        lp_gen_w_text(&deals, buf);
        lp_gen_w_text(&deals, hs_stage[opp.stage]);
        lp_gen_w_int(&deals, opp.amount);
        lp_gen_w_date(&deals, opp.close_day, D_ISO);
        lp_gen_w_dt(&deals, opp.created, DT_SPACE);
        hs_owner(ctx, owner, &deals);
        lp_gen_w_text(&deals, lp_gen_sources[17]);
        lp_gen_w_text(&deals, "Existing Business");
        lp_gen_w_text(&deals, "Sales Pipeline");
        lp_gen_w_empty(&deals);
        lp_gen_w_end(&deals);
    }
    static const gen_col owner_h[] = {COL("owner_id"), OTHER("Email"), COL("team"),
                                      COL("is_partner"), COLS_END};
    if ((st = write_header(jb, &owners, LP_USERS, "owners.csv", owner_h))) goto cleanup;
    for (int u = 0; u < ctx->nusers; u++) {
        hs_owner(ctx, u, &owners);
        user_email(ctx, u, buf, sizeof buf);
        lp_gen_w_text(&owners, buf);
        lp_gen_w_text(&owners, lp_gen_team_names[ctx->users[u].team]);
        lp_gen_w_text(&owners, ctx->users[u].partner ? "Yes" : "No");
        lp_gen_w_end(&owners);
    }
cleanup:
    st = lp_gen_wf_close(&contacts, st, jb->errmsg);
    st = lp_gen_wf_close(&deals, st, jb->errmsg);
    st = lp_gen_wf_close(&owners, st, jb->errmsg);
    if (!st) st = write_plan_targets(jb);
    return st;
}

static lp_status hs_activities(job *jb)
{
    const gen_ctx *ctx = jb->ctx;
    wfile files[3];
    memset(files, 0, sizeof files);
    static const char *const names[3] = {"calls.csv", "emails.csv", "meetings.csv"};
    static const char *const title[3] = {"Call title", "Email subject", "Meeting name"};
    lp_status st = LP_OK;
    for (int f = 0; f < 3 && !st; f++) {
        if ((st = lp_gen_wf_open(&files[f], jb->dir, names[f], jb->errmsg))) break;
        const gen_col header[] = {OTHER("Record ID"), COL("at"), COL("owner_id"), COL("type"),
                                  OTHER(title[f]), COL("lead_id"), COLS_END};
        st = write_header(jb, &files[f], LP_ACTIVITIES, names[f], header);
    }
    if (st) goto cleanup;
    gen_lead lead;
    gen_activity acts[GEN_MAX_ACTIVITIES];
    char owner[96];
    for (int64_t i = 0; i < ctx->nleads; i++) {
        lp_gen_lead_make(ctx, i, &lead);
        int n = lp_gen_activities_make(ctx, i, &lead, acts);
        if (!n) continue;
        user_name(ctx, lead.owner, owner, sizeof owner);
        for (int k = 0; k < n; k++) {
            wfile *f = &files[acts[k].type];
            lp_gen_w_int(f, INT64_C(30000000001) + i * 64 + k);
            lp_gen_w_dt(f, acts[k].at, DT_SPACE);
            lp_gen_w_text(f, owner);
            lp_gen_w_text(f, lp_gen_activity_names[acts[k].type]);
            lp_gen_w_text(f, acts[k].type == ACT_CALL ? call_subjects[k % 3]
                      : acts[k].type == ACT_EMAIL ? email_subjects[k % 3] : "Meeting");
            lp_gen_w_int(f, 1000001 + i);
            lp_gen_w_end(f);
        }
    }
cleanup:
    for (int f = 0; f < 3; f++) st = lp_gen_wf_close(&files[f], st, jb->errmsg);
    return st;
}

/* ================= Marketo ================= */

static lp_status mk_main(job *jb)
{
    const gen_ctx *ctx = jb->ctx;
    wfile leads = {0}, members = {0}, programs = {0};
    lp_status st;
    char buf[256];
    if ((st = lp_gen_wf_open(&leads, jb->dir, "leads.csv", jb->errmsg)) ||
        (st = lp_gen_wf_open(&members, jb->dir, "program_members.csv", jb->errmsg)) ||
        (st = lp_gen_wf_open(&programs, jb->dir, "programs.csv", jb->errmsg)))
        goto cleanup;
    static const gen_col lead_h[] = {
        COL("lead_id"), OTHER("firstName"), OTHER("lastName"), COL("email"), COL("phone"),
        COL("company"), COL("industry"), COL("employees"), COL("country"), COL("source"),
        COL("status"), COL("score"), COL("created_at"), COL("campaign_id"), COL("owner_id"),
        COL("mql_at"), COL("sql_at"), COLS_END};
    static const gen_col member_h[] = {
        COL("campaign_id"), COL("lead_id"), OTHER("statusName"), COL("touched_at"),
        COL("responded"), OTHER("reachedSuccessDate"), OTHER("acquiredBy"), COLS_END};
    if ((st = write_header(jb, &leads, LP_LEADS, "leads.csv", lead_h)) ||
        (st = write_header(jb, &members, LP_TOUCHES, "program_members.csv", member_h)))
        goto cleanup;
    gen_lead lead;
    lead_text t;
    for (int64_t i = 0; i < ctx->nleads; i++) {
        lp_gen_lead_make(ctx, i, &lead);
        lead_text_make(i, &lead, &t);
        lp_gen_w_int(&leads, 1000 + i);
        lp_gen_w_text(&leads, t.first);
        lp_gen_w_text(&leads, t.last);
        lp_gen_w_text(&leads, t.email);
        lp_gen_w_text(&leads, t.phone);
        lp_gen_w_text(&leads, t.company);
        lp_gen_w_text(&leads, lp_gen_industries[lead.industry]);
        lp_gen_w_int(&leads, lead.employees);
        lp_gen_w_text(&leads, lp_gen_countries[lead.country]);
        lp_gen_w_text(&leads, lp_gen_sources[lead.source]);
        lp_gen_w_text(&leads, sf_status[lead.status]);
        lp_gen_w_int(&leads, lead.mql_at ? 60 + i % 41 : i % 55);
        lp_gen_w_dt(&leads, lead.created, DT_ISOZ);
        if (lead.channel == CH_INBOUND) lp_gen_w_int(&leads, 1001 + lead.first_campaign);
        else lp_gen_w_empty(&leads);
        user_email(ctx, lead.owner, buf, sizeof buf);
        lp_gen_w_text(&leads, buf);
        lp_gen_w_dt(&leads, lead.mql_at, DT_ISOZ);
        lp_gen_w_dt(&leads, lead.sql_at, DT_ISOZ);
        lp_gen_w_end(&leads);
        for (int k = 0; k < lead.ntouches; k++) {
            const gen_touch *tc = &lead.touches[k];
            lp_gen_w_int(&members, 1001 + tc->campaign);
            lp_gen_w_int(&members, 1000 + i);
            lp_gen_w_text(&members, lp_gen_member_status[ctx->campaigns[tc->campaign].type][tc->responded]);
            lp_gen_w_dt(&members, tc->at, DT_ISOZ);
            lp_gen_w_bool(&members, tc->responded, "true", "false");
            lp_gen_w_dt(&members, tc->responded ? tc->at : 0, DT_ISOZ);
            lp_gen_w_bool(&members, k == 0 && lead.channel == CH_INBOUND, "true", "false");
            lp_gen_w_end(&members);
        }
    }
    /* The profile reads a program's channel as the campaign type (its first
     * name for campaigns.type); Marketo's own program type is the second. */
    static const gen_col prog_h[] = {
        COL("campaign_id"), COL("name"), COL_ALT("type", 1), COL_ALT("type", 0),
        COL("start_date"), COL("end_date"), COL("actual_cost"), COLS_END};
    if ((st = write_header(jb, &programs, LP_CAMPAIGNS, "programs.csv", prog_h))) goto cleanup;
    for (int c = 0; c < ctx->ncampaigns; c++) {
        const gen_campaign *cp = &ctx->campaigns[c];
        lp_gen_w_int(&programs, 1001 + c);
        lp_gen_w_text(&programs, lp_m_campaign_name(ctx, c, buf, sizeof buf));
        lp_gen_w_text(&programs, cp->type == 0 || cp->type == 2 || cp->type == 3 ? "Event"
                          : cp->type == 1 ? "Email" : "Default");
        lp_gen_w_text(&programs, lp_gen_campaign_types[cp->type]);
        lp_gen_w_date(&programs, cp->start_day, D_ISO);
        lp_gen_w_date(&programs, cp->end_day, D_ISO);
        if (cp->actual_cost >= 0) lp_gen_w_int(&programs, cp->actual_cost);
        else lp_gen_w_empty(&programs);
        lp_gen_w_end(&programs);
    }
cleanup:
    st = lp_gen_wf_close(&leads, st, jb->errmsg);
    st = lp_gen_wf_close(&members, st, jb->errmsg);
    st = lp_gen_wf_close(&programs, st, jb->errmsg);
    return st;
}

/* ================= Pipedrive ================= */

static lp_status pd_main(job *jb)
{
    const gen_ctx *ctx = jb->ctx;
    wfile persons = {0}, deals = {0}, users = {0};
    lp_status st;
    char buf[256];
    if ((st = lp_gen_wf_open(&persons, jb->dir, "persons.csv", jb->errmsg)) ||
        (st = lp_gen_wf_open(&deals, jb->dir, "deals.csv", jb->errmsg)) ||
        (st = lp_gen_wf_open(&users, jb->dir, "users.csv", jb->errmsg)))
        goto cleanup;
    static const gen_col person_h[] = {
        COL("lead_id"), OTHER("Person - Name"), COL("company"), COL("email"), COL("phone"),
        COL("country"), COL("owner_id"), COL("status"), COL("source"), COL("created_at"),
        COL("mql_at"), COL("sql_at"), COLS_END};
    static const gen_col deal_h[] = {
        COL("opportunity_id"), OTHER("Deal - Title"), COL("amount"), OTHER("Deal - Currency"),
        OTHER("Deal - Stage"), COL("stage"), COL("created_at"), COL("close_date"),
        OTHER("Deal - Won time"), OTHER("Deal - Lost time"), COL("owner_id"), COL("lead_id"),
        COL("source"), COLS_END};
    if ((st = write_header(jb, &persons, LP_LEADS, "persons.csv", person_h)) ||
        (st = write_header(jb, &deals, LP_OPPORTUNITIES, "deals.csv", deal_h)))
        goto cleanup;
    gen_lead lead;
    lead_text t;
    for (int64_t i = 0; i < ctx->nleads; i++) {
        lp_gen_lead_make(ctx, i, &lead);
        lead_text_make(i, &lead, &t);
        lp_gen_w_int(&persons, 1 + i);
        snprintf(buf, sizeof buf, "%s %s", t.first, t.last);
        lp_gen_w_text(&persons, buf);
        lp_gen_w_text(&persons, t.company);
        lp_gen_w_text(&persons, t.email);
        lp_gen_w_text(&persons, t.phone);
        lp_gen_w_text(&persons, lp_gen_countries[lead.country]);
        hs_owner(ctx, lead.owner, &persons);
        lp_gen_w_text(&persons, lead.sql_at ? "Hot" : lead.mql_at ? "Warm" : "Cold");
        lp_gen_w_text(&persons, lp_gen_sources[lead.source]);
        lp_gen_w_dt(&persons, lead.created, DT_SPACE);
        lp_gen_w_dt(&persons, lead.mql_at, DT_SPACE);
        lp_gen_w_dt(&persons, lead.sql_at, DT_SPACE);
        lp_gen_w_end(&persons);
        if (lead.has_opp) {
            const gen_opp *o = &lead.opp;
            lp_gen_w_int(&deals, 1 + i);
            opp_name(&t, "New Business", buf, sizeof buf);
            lp_gen_w_text(&deals, buf);
            lp_gen_w_int(&deals, o->amount);
            lp_gen_w_text(&deals, "USD");
            lp_gen_w_text(&deals, pd_stage[o->stage]);
            lp_gen_w_text(&deals, !o->closed ? "open" : o->won ? "won" : "lost");
            lp_gen_w_dt(&deals, o->created, DT_SPACE);
            lp_gen_w_date(&deals, o->close_day, D_ISO);
            int64_t closed_at = o->close_day * INT64_C(86400) + 16 * 3600;
            lp_gen_w_dt(&deals, o->closed && o->won ? closed_at : 0, DT_SPACE);
            lp_gen_w_dt(&deals, o->closed && !o->won ? closed_at : 0, DT_SPACE);
            hs_owner(ctx, lead.owner, &deals);
            lp_gen_w_int(&deals, 1 + i);
            lp_gen_w_text(&deals, lp_gen_sources[lead.source]);
            lp_gen_w_end(&deals);
        }
    }
    static const gen_col user_h[] = {COL("owner_id"), OTHER("User - Email"), COL("team"),
                                     COLS_END};
    if ((st = write_header(jb, &users, LP_USERS, "users.csv", user_h))) goto cleanup;
    for (int u = 0; u < ctx->nusers; u++) {
        hs_owner(ctx, u, &users);
        user_email(ctx, u, buf, sizeof buf);
        lp_gen_w_text(&users, buf);
        lp_gen_w_text(&users, lp_gen_team_names[ctx->users[u].team]);
        lp_gen_w_end(&users);
    }
cleanup:
    st = lp_gen_wf_close(&persons, st, jb->errmsg);
    st = lp_gen_wf_close(&deals, st, jb->errmsg);
    st = lp_gen_wf_close(&users, st, jb->errmsg);
    return st;
}

static lp_status pd_activities(job *jb)
{
    const gen_ctx *ctx = jb->ctx;
    wfile acts_f = {0};
    lp_status st = lp_gen_wf_open(&acts_f, jb->dir, "activities.csv", jb->errmsg);
    if (st) return st;
    static const gen_col header[] = {
        OTHER("Activity - ID"), COL("type"), OTHER("Activity - Subject"), COL_ALT("at", 0),
        COL_ALT("at", 1), OTHER("Activity - Done"), COL("owner_id"), COL("lead_id"),
        COLS_END};
    static const char *const types[3] = {"call", "email", "meeting"};
    if ((st = write_header(jb, &acts_f, LP_ACTIVITIES, "activities.csv", header)))
        return lp_gen_wf_close(&acts_f, st, jb->errmsg);
    gen_lead lead;
    gen_activity acts[GEN_MAX_ACTIVITIES];
    char owner[96];
    for (int64_t i = 0; i < ctx->nleads; i++) {
        lp_gen_lead_make(ctx, i, &lead);
        int n = lp_gen_activities_make(ctx, i, &lead, acts);
        if (!n) continue;
        user_name(ctx, lead.owner, owner, sizeof owner);
        for (int k = 0; k < n; k++) {
            lp_gen_w_int(&acts_f, 1 + i * 64 + k);
            lp_gen_w_text(&acts_f, types[acts[k].type]);
            lp_gen_w_text(&acts_f, acts[k].type == ACT_CALL ? call_subjects[k % 3]
                            : acts[k].type == ACT_EMAIL ? email_subjects[k % 3] : "Meeting");
            lp_gen_w_dt(&acts_f, acts[k].at, DT_SPACE);
            lp_gen_w_date(&acts_f, lp_floor_div(acts[k].at, 86400), D_ISO);
            lp_gen_w_text(&acts_f, "Done");
            lp_gen_w_text(&acts_f, owner);
            lp_gen_w_int(&acts_f, 1 + i);
            lp_gen_w_end(&acts_f);
        }
    }
    return lp_gen_wf_close(&acts_f, st, jb->errmsg);
}

/* ================= Generic (canonical names) ================= */

static void gen_id(wfile *f, char kind, int64_t n, int width)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%c%0*lld", kind, width, (long long)n);
    lp_gen_w_text(f, buf);
}

static lp_status generic_main(job *jb)
{
    const gen_ctx *ctx = jb->ctx;
    wfile leads = {0}, touches = {0}, camps = {0}, users = {0}, opps = {0}, targets = {0};
    lp_status st;
    char buf[256];
    if ((st = lp_gen_wf_open(&leads, jb->dir, "leads.csv", jb->errmsg)) ||
        (st = lp_gen_wf_open(&touches, jb->dir, "touches.csv", jb->errmsg)) ||
        (st = lp_gen_wf_open(&camps, jb->dir, "campaigns.csv", jb->errmsg)) ||
        (st = lp_gen_wf_open(&users, jb->dir, "users.csv", jb->errmsg)) ||
        (st = lp_gen_wf_open(&opps, jb->dir, "opportunities.csv", jb->errmsg)) ||
        (st = lp_gen_wf_open(&targets, jb->dir, "targets.csv", jb->errmsg)))
        goto cleanup;
    static const gen_col lead_h[] = {
        COL("lead_id"), COL("created_at"), COL("source"), COL("campaign_id"), COL("owner_id"),
        COL("company"), COL("industry"), COL("employees"), COL("country"), COL("phone"),
        COL("email"), COL("score"), COL("status"), COL("mql_at"), COL("sql_at"),
        COL("disqualified_at"), COL("converted_at"), COL("opportunity_id"), COLS_END};
    static const gen_col touch_h[] = {COL("touch_id"), COL("lead_id"), COL("campaign_id"),
                                      COL("touched_at"), COL("responded"), COLS_END};
    static const gen_col opp_h[] = {
        COL("opportunity_id"), COL("created_at"), COL("stage"), COL("amount"),
        COL("close_date"), COL("is_closed"), COL("is_won"), COL("source"), COL("campaign_id"),
        COL("lead_id"), COL("owner_id"), COL("type"), COLS_END};
    if ((st = write_header(jb, &leads, LP_LEADS, "leads.csv", lead_h)) ||
        (st = write_header(jb, &touches, LP_TOUCHES, "touches.csv", touch_h)) ||
        (st = write_header(jb, &opps, LP_OPPORTUNITIES, "opportunities.csv", opp_h)))
        goto cleanup;
    gen_lead lead;
    lead_text t;
    for (int64_t i = 0; i < ctx->nleads; i++) {
        lp_gen_lead_make(ctx, i, &lead);
        lead_text_make(i, &lead, &t);
        gen_id(&leads, 'L', i, 7);
        lp_gen_w_dt(&leads, lead.created, DT_ISOZ);
        lp_gen_w_text(&leads, lp_gen_sources[lead.source]);
        if (lead.first_campaign >= 0) gen_id(&leads, 'C', lead.first_campaign, 5);
        else lp_gen_w_empty(&leads);
        gen_id(&leads, 'U', lead.owner, 4);
        lp_gen_w_text(&leads, t.company);
        lp_gen_w_text(&leads, lp_gen_industries[lead.industry]);
        lp_gen_w_int(&leads, lead.employees);
        lp_gen_w_text(&leads, lp_gen_countries[lead.country]);
        lp_gen_w_text(&leads, t.phone);
        lp_gen_w_text(&leads, t.email);
        lp_gen_w_int(&leads, lead.mql_at ? 60 + i % 41 : i % 55);
        lp_gen_w_text(&leads, sf_status[lead.status]);
        lp_gen_w_dt(&leads, lead.mql_at, DT_ISOZ);
        lp_gen_w_dt(&leads, lead.sql_at, DT_ISOZ);
        bool disq = lead.status == STATUS_UNQUALIFIED;
        lp_gen_w_dt(&leads, disq ? lead.created + 45 * 86400 : 0, DT_ISOZ);
        lp_gen_w_dt(&leads, lead.has_opp ? lead.opp.created : 0, DT_ISOZ);
        if (lead.has_opp) gen_id(&leads, 'O', i, 7);
        else lp_gen_w_empty(&leads);
        lp_gen_w_end(&leads);
        for (int k = 0; k < lead.ntouches; k++) {
            const gen_touch *tc = &lead.touches[k];
            gen_id(&touches, 'T', i * 16 + k, 8);
            gen_id(&touches, 'L', i, 7);
            gen_id(&touches, 'C', tc->campaign, 5);
            lp_gen_w_dt(&touches, tc->at, DT_ISOZ);
            lp_gen_w_bool(&touches, tc->responded, "true", "false");
            lp_gen_w_end(&touches);
        }
        if (lead.has_opp) {
            const gen_opp *o = &lead.opp;
            gen_id(&opps, 'O', i, 7);
            lp_gen_w_dt(&opps, o->created, DT_ISOZ);
            lp_gen_w_text(&opps, lp_gen_stage_names[o->stage]);
            lp_gen_w_int(&opps, o->amount);
            lp_gen_w_date(&opps, o->close_day, D_ISO);
            lp_gen_w_bool(&opps, o->closed, "true", "false");
            lp_gen_w_bool(&opps, o->won, "true", "false");
            lp_gen_w_text(&opps, lp_gen_sources[lead.source]);
            if (lead.first_campaign >= 0) gen_id(&opps, 'C', lead.first_campaign, 5);
            else lp_gen_w_empty(&opps);
            gen_id(&opps, 'L', i, 7);
            gen_id(&opps, 'U', lead.owner, 4);
            lp_gen_w_text(&opps, "New Business");
            lp_gen_w_end(&opps);
        }
    }
    for (int64_t j = 0; j < ctx->nleadless; j++) {
        int owner;
        gen_opp o;
        lp_gen_leadless_make(ctx, j, &owner, &o);
        gen_id(&opps, 'O', ctx->nleads + j, 7);
        lp_gen_w_dt(&opps, o.created, DT_ISOZ);
        lp_gen_w_text(&opps, lp_gen_stage_names[o.stage]);
        lp_gen_w_int(&opps, o.amount);
        lp_gen_w_date(&opps, o.close_day, D_ISO);
        lp_gen_w_bool(&opps, o.closed, "true", "false");
        lp_gen_w_bool(&opps, o.won, "true", "false");
        lp_gen_w_text(&opps, lp_gen_sources[17]);
        lp_gen_w_empty(&opps);
        lp_gen_w_empty(&opps);
        gen_id(&opps, 'U', owner, 4);
        lp_gen_w_text(&opps, "Existing Business");
        lp_gen_w_end(&opps);
    }
    static const gen_col camp_h[] = {COL("campaign_id"), COL("name"), COL("type"),
                                     COL("start_date"), COL("end_date"), COL("actual_cost"),
                                     COL("budgeted_cost"), COLS_END};
    if ((st = write_header(jb, &camps, LP_CAMPAIGNS, "campaigns.csv", camp_h))) goto cleanup;
    for (int c = 0; c < ctx->ncampaigns; c++) {
        const gen_campaign *cp = &ctx->campaigns[c];
        gen_id(&camps, 'C', c, 5);
        lp_gen_w_text(&camps, lp_m_campaign_name(ctx, c, buf, sizeof buf));
        lp_gen_w_text(&camps, lp_gen_campaign_types[cp->type]);
        lp_gen_w_date(&camps, cp->start_day, D_ISO);
        lp_gen_w_date(&camps, cp->end_day, D_ISO);
        if (cp->actual_cost >= 0) lp_gen_w_int(&camps, cp->actual_cost);
        else lp_gen_w_empty(&camps);
        lp_gen_w_int(&camps, cp->budgeted_cost);
        lp_gen_w_end(&camps);
    }
    static const gen_col user_h[] = {COL("owner_id"), COL("name"), COL("team"),
                                     COL("is_partner"), COLS_END};
    if ((st = write_header(jb, &users, LP_USERS, "users.csv", user_h))) goto cleanup;
    for (int u = 0; u < ctx->nusers; u++) {
        gen_id(&users, 'U', u, 4);
        user_name(ctx, u, buf, sizeof buf);
        lp_gen_w_text(&users, buf);
        lp_gen_w_text(&users, lp_gen_team_names[ctx->users[u].team]);
        lp_gen_w_bool(&users, ctx->users[u].partner, "true", "false");
        lp_gen_w_end(&users);
    }
    /* Targets: weekly MQLs for the year (about the generated rate plus 10%),
     * and a quarterly won-revenue quota. */
    static const gen_col target_h[] = {COL("period"), COL("measure"), COL("team"),
                                       COL("value"), COLS_END};
    if ((st = write_header(jb, &targets, LP_TARGETS, "targets.csv", target_h))) goto cleanup;
    lp_calendar week = {LP_PERIOD_WEEK, 1}, quarter = {LP_PERIOD_QUARTER, 1};
    int64_t first = lp_period_of(&week, (int64_t)ctx->day0 * 86400);
    int64_t weekly = (int64_t)((double)ctx->nleads * 0.36 / 52.0 * 1.1 + 0.5);
    for (int64_t p = first; p < first + 56; p++) {
        lp_period_label(&week, p, buf, sizeof buf);
        lp_gen_w_text(&targets, buf);
        lp_gen_w_text(&targets, "mql");
        lp_gen_w_empty(&targets);
        lp_gen_w_int(&targets, weekly);
        lp_gen_w_end(&targets);
    }
    int64_t q0 = lp_period_of(&quarter, (int64_t)ctx->day0 * 86400);
    for (int64_t p = q0; p < q0 + 5; p++) {
        lp_period_label(&quarter, p, buf, sizeof buf);
        lp_gen_w_text(&targets, buf);
        lp_gen_w_text(&targets, "quota");
        lp_gen_w_empty(&targets);
        lp_gen_w_int(&targets, (int64_t)((double)ctx->nleads * 1.6) / 1000 * 1000);
        lp_gen_w_end(&targets);
    }
cleanup:
    st = lp_gen_wf_close(&leads, st, jb->errmsg);
    st = lp_gen_wf_close(&touches, st, jb->errmsg);
    st = lp_gen_wf_close(&camps, st, jb->errmsg);
    st = lp_gen_wf_close(&users, st, jb->errmsg);
    st = lp_gen_wf_close(&opps, st, jb->errmsg);
    st = lp_gen_wf_close(&targets, st, jb->errmsg);
    return st;
}

static lp_status generic_activities(job *jb)
{
    const gen_ctx *ctx = jb->ctx;
    wfile f = {0};
    lp_status st = lp_gen_wf_open(&f, jb->dir, "activities.csv", jb->errmsg);
    if (st) return st;
    static const gen_col header[] = {COL("lead_id"), COL("at"), COL("owner_id"), COL("type"),
                                     COLS_END};
    static const char *const types[3] = {"call", "email", "meeting"};
    if ((st = write_header(jb, &f, LP_ACTIVITIES, "activities.csv", header)))
        return lp_gen_wf_close(&f, st, jb->errmsg);
    gen_lead lead;
    gen_activity acts[GEN_MAX_ACTIVITIES];
    for (int64_t i = 0; i < ctx->nleads; i++) {
        lp_gen_lead_make(ctx, i, &lead);
        int n = lp_gen_activities_make(ctx, i, &lead, acts);
        for (int k = 0; k < n; k++) {
            gen_id(&f, 'L', i, 7);
            lp_gen_w_dt(&f, acts[k].at, DT_ISOZ);
            gen_id(&f, 'U', lead.owner, 4);
            lp_gen_w_text(&f, types[acts[k].type]);
            lp_gen_w_end(&f);
        }
    }
    return lp_gen_wf_close(&f, st, jb->errmsg);
}

/* ================= Salesforce report exports ================= */

static void report_footer(wfile *f)
{
    f->buf[f->len++] = '\r';
    f->buf[f->len++] = '\n';
    static const char *const lines[] = {
        "\"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.\"\r\n",
        "\"Confidential Information - Do Not Distribute\"\r\n",
        "\"Generated By:  Dana Admin  11/23/2026 9:00 AM\"\r\n",
    };
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(lines[i]);
        memcpy(f->buf + f->len, lines[i], n);
        f->len += n;
    }
}

static void report_file(wfile *f)
{
    f->eol = "\r\n";
    f->quote_all = true;
    memcpy(f->buf, "\xEF\xBB\xBF", 3);
    f->len = 3;
}

static void money(wfile *f, int64_t dollars)
{
    char buf[48];
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%lld", (long long)dollars);
    int len = 0;
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0) buf[len++] = ',';
        buf[len++] = digits[i];
    }
    memcpy(buf + len, ".00", 4);
    lp_gen_w_text(f, buf);
}

static lp_status report_main(job *jb)
{
    const gen_ctx *ctx = jb->ctx;
    wfile leads = {0}, opps = {0};
    lp_status st;
    char id[20], buf[256];
    if ((st = lp_gen_wf_open(&leads, jb->dir, "Leads.csv", jb->errmsg)) ||
        (st = lp_gen_wf_open(&opps, jb->dir, "Opportunities.csv", jb->errmsg)))
        goto cleanup;
    report_file(&leads);
    report_file(&opps);
    /* Owners by name: the profile's second name for owner_id (a report
     * with owner ids would carry the first). */
    static const gen_col lead_h[] = {
        COL("lead_id"), COL_ALT("owner_id", 1), OTHER("First Name"), OTHER("Last Name"),
        COL("company"), COL("email"), COL("phone"), COL("industry"), COL("employees"),
        COL("country"), COL("source"), COL("status"), COL("created_at"), COL("mql_at"),
        COL("sql_at"), COL("converted_at"), COL("opportunity_id"), COLS_END};
    static const gen_col opp_h[] = {
        COL("opportunity_id"), OTHER("Opportunity Name"), COL_ALT("owner_id", 1),
        COL("stage"), COL("amount"), COL("close_date"), COL("created_at"), COL("is_closed"),
        COL("is_won"), COL("source"), COL("campaign_id"), COL("type"), COLS_END};
    if ((st = write_header(jb, &leads, LP_LEADS, "Leads.csv", lead_h)) ||
        (st = write_header(jb, &opps, LP_OPPORTUNITIES, "Opportunities.csv", opp_h)))
        goto cleanup;
    gen_lead lead;
    lead_text t;
    for (int64_t i = 0; i < ctx->nleads; i++) {
        lp_gen_lead_make(ctx, i, &lead);
        lead_text_make(i, &lead, &t);
        sf_id(id, "00Q", (uint64_t)i, false);
        lp_gen_w_text(&leads, id);
        hs_owner(ctx, lead.owner, &leads);
        lp_gen_w_text(&leads, t.first);
        lp_gen_w_text(&leads, t.last);
        lp_gen_w_text(&leads, t.company);
        lp_gen_w_text(&leads, t.email);
        lp_gen_w_text(&leads, t.phone);
        lp_gen_w_text(&leads, lp_gen_industries[lead.industry]);
        lp_gen_w_int(&leads, lead.employees);
        lp_gen_w_text(&leads, lp_gen_countries[lead.country]);
        lp_gen_w_text(&leads, lp_gen_sources[lead.source]);
        lp_gen_w_text(&leads, sf_status[lead.status]);
        lp_gen_w_dt(&leads, lead.created, DT_US);
        lp_gen_w_dt(&leads, lead.mql_at, DT_US);
        lp_gen_w_dt(&leads, lead.sql_at, DT_US);
        sf_id(id, "006", (uint64_t)i, false);
        if (lead.has_opp) {
            lp_gen_w_date(&leads, lp_floor_div(lead.opp.created, 86400), D_US);
            lp_gen_w_text(&leads, id);
        } else {
            lp_gen_w_empty(&leads);
            lp_gen_w_empty(&leads);
        }
        lp_gen_w_end(&leads);
        if (lead.has_opp) {
            const gen_opp *o = &lead.opp;
            lp_gen_w_text(&opps, id);
            opp_name(&t, "New Business", buf, sizeof buf);
            lp_gen_w_text(&opps, buf);
            hs_owner(ctx, lead.owner, &opps);
            lp_gen_w_text(&opps, lp_gen_stage_names[o->stage]);
            money(&opps, o->amount);
            lp_gen_w_date(&opps, o->close_day, D_US);
            lp_gen_w_date(&opps, lp_floor_div(o->created, 86400), D_US);
            lp_gen_w_text(&opps, o->closed ? "1" : "0");
            lp_gen_w_text(&opps, o->won ? "1" : "0");
            lp_gen_w_text(&opps, lp_gen_sources[lead.source]);
            if (lead.first_campaign >= 0) {
                sf_id(buf, "701", (uint64_t)lead.first_campaign, false);
                lp_gen_w_text(&opps, buf);
            } else {
                lp_gen_w_empty(&opps);
            }
            lp_gen_w_text(&opps, "New Business");
            lp_gen_w_end(&opps);
        }
    }
    report_footer(&leads);
    report_footer(&opps);
cleanup:
    st = lp_gen_wf_close(&leads, st, jb->errmsg);
    st = lp_gen_wf_close(&opps, st, jb->errmsg);
    return st;
}

/* ================= driver ================= */

typedef struct dialect {
    const char *name;
    lp_status (*main)(job *jb);
    lp_status (*activities)(job *jb);  /* NULL: the dialect has no activity export */
} dialect;

static const dialect dialects[] = {
    {"salesforce", sf_main, sf_activities},
    {"salesforce-report", report_main, NULL},
    {"hubspot", hs_main, hs_activities},
    {"marketo", mk_main, NULL},
    {"pipedrive", pd_main, pd_activities},
    {"generic", generic_main, generic_activities},
};

const char *const *lp_fixtures_dialects(void)
{
    static const char *const names[] = {"salesforce", "salesforce-report", "hubspot",
                                        "marketo", "pipedrive", "generic", NULL};
    return names;
}

static void *run_job(void *arg)
{
    job *jb = arg;
    jb->status = jb->run(jb);
    return NULL;
}

lp_status lp_fixtures_generate(const char *profiles_dir, const char *dialect_name,
                               double scale, uint64_t seed, const char *out_dir, char *errmsg)
{
    const dialect *d = NULL;
    for (size_t i = 0; i < sizeof dialects / sizeof dialects[0]; i++)
        if (dialect_name && !strcmp(dialects[i].name, dialect_name)) d = &dialects[i];
    if (!d) {
        lp_errmsg_set(errmsg, "unknown dialect \"%s\" (salesforce, salesforce-report, "
                      "hubspot, marketo, pipedrive, generic)", dialect_name ? dialect_name : "");
        return LP_ERR_USAGE;
    }
    if (!(scale > 0 && scale <= 20)) {
        lp_errmsg_set(errmsg, "scale %g is out of range (above 0, at most 20)", scale);
        return LP_ERR_USAGE;
    }
    /* The dialect's column names are its profile's (profiles_dir/NAME.yaml). */
    lp_mapping *map = NULL;
    lp_status st = lp_mapping_load(profiles_dir, d->name, NULL, &map, errmsg);
    if (st) return st;
    st = lp_mkdir_p(out_dir);
    if (st) {
        lp_errmsg_set(errmsg, "%s: cannot create the folder", out_dir);
        lp_mapping_free(map);
        return st;
    }
    gen_ctx ctx;
    if ((st = lp_gen_ctx_init(&ctx, scale, seed))) {
        lp_errmsg_set(errmsg, "out of memory");
        lp_mapping_free(map);
        return st;
    }
    job main_job = {.ctx = &ctx, .map = map, .dir = out_dir, .run = d->main};
    job act_job = {.ctx = &ctx, .map = map, .dir = out_dir, .run = d->activities};
    pthread_t thread;
    bool threaded = false;
    if (d->activities) {
        threaded = pthread_create(&thread, NULL, run_job, &act_job) == 0;
        if (!threaded) run_job(&act_job);
    }
    run_job(&main_job);
    if (threaded) pthread_join(thread, NULL);
    st = main_job.status ? main_job.status : act_job.status;
    if (st) lp_errmsg_set(errmsg, "%s", main_job.status ? main_job.errmsg : act_job.errmsg);
    lp_gen_ctx_clear(&ctx);
    lp_mapping_free(map);
    return st;
}
