/*
 * The generator's model (gen_internal.h): how leads, campaigns, touches,
 * activities and opportunities are drawn. Nothing here writes files.
 *
 * Random numbers come from splitmix64 streams, one per lead (and per
 * campaign, user, leadless opportunity), seeded by mixing the run's seed
 * with the record number and a stream tag: no global state, so writers on
 * two threads and every dialect draw the same records.
 */
#include "gen_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lp/time.h"

const char *const lp_gen_sources[] = {
    /* inbound 0..9 */
    "Web", "Organic Search", "Paid Search", "Social", "Email", "Content", "Webinar",
    "Event", "Chat", "Referral",
    /* outbound 10..13 (13 = blank) */
    "Outbound", "Cold Call", "Purchased List", "",
    /* partner 14..16 */
    "Partner", "Partner Referral", "Reseller",
    /* leadless opportunities 17 */
    "Existing Customer",
};
const int lp_gen_nsources = 18;
static const double inbound_weights[10] = {22, 18, 15, 8, 8, 7, 9, 6, 4, 3};
static const double outbound_weights[4] = {40, 25, 25, 10};
static const double partner_weights[3] = {50, 30, 20};

const char *const lp_gen_campaign_types[] = {
    "Webinar", "Email", "Conference", "Trade Show", "Advertisement",
    "Content Syndication", "Direct Mail", "Partners", "Referral Program",
};
static const double type_weights[9] = {22, 25, 6, 5, 15, 12, 5, 6, 4};
static const int64_t type_cost[9][2] = {
    {3000, 15000}, {500, 3000},    {20000, 150000}, {15000, 90000}, {5000, 60000},
    {5000, 25000}, {5000, 20000},  {1000, 10000},   {500, 5000},
};
/* Member statuses: [not responded, responded]. */
const char *const lp_gen_member_status[][2] = {
    {"Registered", "Attended"}, {"Sent", "Clicked"}, {"Invited", "Attended"},
    {"Invited", "Visited Booth"}, {"Sent", "Responded"}, {"Sent", "Downloaded"},
    {"Sent", "Responded"}, {"Sent", "Responded"}, {"Sent", "Responded"},
};
const char *const lp_gen_campaign_themes[] = {
    "Pipeline Basics", "Data Ops", "Cloud Migration", "Security Summit", "AI for Sales",
    "Customer Stories", "Product Launch", "Analytics Deep Dive", "Year in Review",
    "Retail Forum", "Finance Roundtable", "Healthcare Day", "Spring Promo", "Summer Series",
    "Buyer's Guide", "Benchmark Report",
};
const char *const lp_gen_team_names[GEN_TEAMS] = {
    "Enterprise", "Mid-Market", "SMB", "EMEA", "Partners",
};
const char *const lp_gen_first_names[40] = {
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda",
    "David", "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica",
    "Thomas", "Sarah", "Carlos", "Karen", "Daniel", "Lisa", "Matthew", "Nancy", "Anthony",
    "Sofia", "Mark", "Aisha", "Paul", "Emma", "Steven", "Olga", "Andrew", "Mei", "Kenji",
    "Priya", "Lukas", "Chloe", "Mateo", "Ingrid",
};
const char *const lp_gen_last_names[50] = {
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson",
    "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White",
    "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young",
    "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green",
    "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter",
    "Okafor",
};
const char *const lp_gen_countries[12] = {
    "United States", "Canada", "United Kingdom", "Germany", "France", "Netherlands",
    "Australia", "Brazil", "India", "Japan", "Spain", "Sweden",
};
static const double country_weights[12] = {45, 6, 10, 8, 5, 3, 5, 3, 4, 3, 4, 4};
static const bool country_emea[12] = {0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1};
const char *const lp_gen_industries[10] = {
    "Technology", "Financial Services", "Healthcare", "Manufacturing", "Retail",
    "Education", "Media", "Energy", "Logistics", "Professional Services",
};
const char *const lp_gen_stage_names[STAGE_COUNT] = {
    "Prospecting", "Qualification", "Needs Analysis", "Proposal/Price Quote",
    "Negotiation/Review", "Closed Won", "Closed Lost",
};
const char *const lp_gen_activity_names[3] = {"Call", "Email", "Meeting"};

/* Hours from hand-off to first touch (median) by team: Mid-Market is the
 * planted slow team. */
static const double team_touch_hours[GEN_TEAMS] = {3, 36, 2, 4, 10};
static const double team_amount[GEN_TEAMS] = {60000, 25000, 8000, 20000, 15000};

/* ---- random numbers ---- */

static uint64_t splitmix(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static gen_rng stream(uint64_t seed, uint64_t n, uint64_t tag)
{
    uint64_t s = seed ^ (tag * UINT64_C(0xD1B54A32D192ED03));
    uint64_t a = splitmix(&s);
    s = a ^ (n * UINT64_C(0x8CB92BA72F3D8DD7));
    gen_rng r = {splitmix(&s)};
    return r;
}

static double u01(gen_rng *r) { return (double)(splitmix(&r->state) >> 11) * 0x1.0p-53; }

static int rint_below(gen_rng *r, int n) { return (int)(u01(r) * n); }

static double normal(gen_rng *r)
{
    double u = u01(r), v = u01(r);
    return sqrt(-2.0 * log(1.0 - u)) * cos(6.283185307179586 * v);
}

static double lognormal(gen_rng *r, double median, double sigma)
{
    return median * exp(sigma * normal(r));
}

static int weighted(gen_rng *r, const double *w, int n)
{
    double total = 0;
    for (int i = 0; i < n; i++) total += w[i];
    double x = u01(r) * total;
    for (int i = 0; i < n; i++) {
        if (x < w[i]) return i;
        x -= w[i];
    }
    return n - 1;
}

/* Seconds into a day: office hours mostly (UTC), some at any hour. */
static int64_t time_of_day(gen_rng *r)
{
    if (u01(r) < 0.15) return (int64_t)(u01(r) * 86400);
    double h = 7.0 + 12.0 * (u01(r) + u01(r)) / 2.0;
    return (int64_t)(h * 3600.0);
}

/* ---- context ---- */

/* Weight of a day for lead creation: weekday shape, holidays, growth. */
static double day_weight(int32_t day, int32_t day0)
{
    static const double dow[7] = {1.15, 1.2, 1.15, 1.05, 0.85, 0.25, 0.2};
    int wd = (int)(((day % 7) + 7 + 3) % 7); /* 1970-01-01 was a Thursday: 0 = Monday */
    double w = dow[wd];
    int64_t y;
    int m, d;
    lp_civil_from_days(day, &y, &m, &d);
    static const struct { int y, m, d; double w; } holidays[] = {
        {2025, 11, 27, 0.15}, {2025, 11, 28, 0.4}, {2025, 12, 24, 0.2}, {2025, 12, 25, 0.1},
        {2025, 12, 26, 0.3},  {2025, 12, 31, 0.3}, {2026, 1, 1, 0.1},   {2026, 1, 19, 0.7},
        {2026, 2, 16, 0.7},   {2026, 4, 3, 0.5},   {2026, 4, 6, 0.6},   {2026, 5, 25, 0.2},
        {2026, 7, 3, 0.2},    {2026, 9, 7, 0.2},   {2026, 11, 11, 0.8},
    };
    for (size_t i = 0; i < sizeof holidays / sizeof holidays[0]; i++)
        if (holidays[i].y == y && holidays[i].m == m && holidays[i].d == d) w *= holidays[i].w;
    if (m == 8) w *= 0.85;
    if (m == 12 && d >= 20) w *= 0.6;
    return w * (1.0 + 0.25 * (double)(day - day0) / GEN_DAYS);
}

lp_status lp_gen_ctx_init(gen_ctx *ctx, double scale, uint64_t seed)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->seed = seed;
    ctx->scale = scale;
    ctx->nleads = llround(1e6 * scale);
    if (ctx->nleads < 1) ctx->nleads = 1;
    ctx->nleadless = llround(1e4 * scale);
    ctx->ncampaigns = (int)llround(2000 * scale);
    if (ctx->ncampaigns < 8) ctx->ncampaigns = 8;
    ctx->star = ctx->ncampaigns / 2;
    ctx->day0 = (int32_t)lp_days_from_civil(2025, 11, 24);

    double total = 0;
    for (int d = 0; d < GEN_DAYS; d++) {
        total += day_weight(ctx->day0 + d, ctx->day0);
        ctx->day_cdf[d] = total;
    }
    for (int d = 0; d < GEN_DAYS; d++) ctx->day_cdf[d] /= total;

    int per_team = (int)llround(40 * scale);
    if (per_team < 4) per_team = 4;
    if (per_team > 399) per_team = 399;
    ctx->nusers = per_team * GEN_TEAMS;
    ctx->users = lp_calloc((size_t)ctx->nusers, sizeof *ctx->users);
    ctx->campaigns = lp_calloc((size_t)ctx->ncampaigns, sizeof *ctx->campaigns);
    if (!ctx->users || !ctx->campaigns) goto nomem;
    for (int u = 0; u < ctx->nusers; u++) {
        gen_user *user = &ctx->users[u];
        user->team = u / per_team;
        user->first = u % 40;
        user->last = (u / 40 + 7 * (u % 40)) % 50;
        user->partner = user->team == GEN_PARTNER_TEAM;
    }
    for (int t = 0; t < GEN_TEAMS; t++) {
        ctx->team_first[t] = t * per_team;
        ctx->team_count[t] = per_team;
    }

    /* Campaigns start evenly from 60 days before the year to its end; each
     * runs at least `window` days, so a touch on day t can pick any
     * campaign that started in [t - window, t]. */
    int span = GEN_DAYS + 60;
    double spacing = (double)span / ctx->ncampaigns;
    ctx->window = (int)ceil(1.5 * spacing);
    if (ctx->window < 29) ctx->window = 29;
    int32_t first_start = ctx->day0 - 60;
    for (int c = 0; c < ctx->ncampaigns; c++) {
        gen_rng r = stream(seed, (uint64_t)c, 2);
        gen_campaign *cp = &ctx->campaigns[c];
        cp->start_day = first_start + (int32_t)floor(c * spacing);
        cp->end_day = cp->start_day + ctx->window + 1 + rint_below(&r, 90);
        cp->type = weighted(&r, type_weights, 9);
        cp->theme = rint_below(&r, 16);
        int64_t lo = type_cost[cp->type][0], hi = type_cost[cp->type][1];
        int64_t cost = (lo + (int64_t)(u01(&r) * (double)(hi - lo))) / 50 * 50;
        cp->budgeted_cost = (int64_t)((double)cost * (0.9 + 0.4 * u01(&r))) / 50 * 50;
        int32_t asof_day = (int32_t)(LP_GEN_AS_OF / 86400);
        if (cp->end_day > asof_day) {
            double done = (double)(asof_day - cp->start_day) / (cp->end_day - cp->start_day);
            cost = done <= 0 ? 0 : (int64_t)((double)cost * done) / 50 * 50;
        }
        cp->actual_cost = u01(&r) < 0.06 ? -1 : cost;
    }
    gen_campaign *star = &ctx->campaigns[ctx->star];
    star->type = 0;
    star->end_day = ctx->day0 + GEN_DAYS + 40;
    star->actual_cost = 42000;
    star->budgeted_cost = 45000;

    ctx->first_day = first_start - ctx->window - 2;
    ctx->ndays_index = (ctx->day0 + GEN_DAYS + 2) - ctx->first_day + 1;
    ctx->first_starting = lp_calloc((size_t)ctx->ndays_index, sizeof *ctx->first_starting);
    if (!ctx->first_starting) goto nomem;
    int c = 0;
    for (int k = 0; k < ctx->ndays_index; k++) {
        while (c < ctx->ncampaigns && ctx->campaigns[c].start_day < ctx->first_day + k) c++;
        ctx->first_starting[k] = c;
    }
    star->start_day = ctx->day0 - 30;
    return LP_OK;
nomem:
    lp_gen_ctx_clear(ctx);
    return LP_ERR_NOMEM;
}

void lp_gen_ctx_clear(gen_ctx *ctx)
{
    lp_free(ctx->users);
    lp_free(ctx->campaigns);
    lp_free(ctx->first_starting);
    memset(ctx, 0, sizeof *ctx);
}

/* A campaign running on day: one of those started in the last `window`
 * days, or the latest started. */
static int active_campaign(const gen_ctx *ctx, gen_rng *r, int64_t day)
{
    int64_t k_hi = day + 1 - ctx->first_day, k_lo = day - ctx->window - ctx->first_day;
    int64_t last = ctx->ndays_index - 1;
    k_lo = k_lo < 0 ? 0 : k_lo > last ? last : k_lo;
    k_hi = k_hi < 0 ? 0 : k_hi > last ? last : k_hi;
    int lo = ctx->first_starting[k_lo], hi = ctx->first_starting[k_hi];
    int c = hi > lo ? lo + rint_below(r, hi - lo) : (hi > 0 ? hi - 1 : 0);
    return c;
}

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

static void make_opp(const gen_ctx *ctx, gen_rng *r, int team, int channel, int64_t created,
                     gen_opp *opp)
{
    opp->created = created;
    int64_t amount = (int64_t)lognormal(r, team_amount[team], 0.9) / 10 * 10;
    opp->amount = amount < 500 ? 500 : amount;
    int cycle = (int)lognormal(r, team == 0 ? 70 : 40, 0.6);
    if (cycle < 1) cycle = 1;
    int32_t created_day = (int32_t)lp_floor_div(created, 86400);
    int32_t asof_day = (int32_t)(LP_GEN_AS_OF / 86400);
    double year_start = (double)ctx->day0 * 86400.0;
    double frac = ((double)created - year_start) / ((double)LP_GEN_AS_OF - year_start);
    double p_win = channel == CH_INBOUND ? 0.15 + 0.25 * frac
                   : channel == CH_PARTNER ? 0.27 : 0.22;
    double x = u01(r);
    opp->close_day = created_day + cycle;
    if (opp->close_day < asof_day) {
        opp->closed = true;
        opp->won = x < p_win;
        opp->stage = opp->won ? STAGE_WON : STAGE_LOST;
    } else {
        double elapsed = (double)(asof_day - created_day) / cycle;
        int stage = (int)(elapsed * 5);
        opp->stage = stage > STAGE_NEGOTIATION ? STAGE_NEGOTIATION : stage;
    }
}

void lp_gen_lead_make(const gen_ctx *ctx, int64_t i, gen_lead *lead)
{
    gen_rng r = stream(ctx->seed, (uint64_t)i, 1);
    memset(lead, 0, sizeof *lead);
    double u = ((double)i + u01(&r)) / (double)ctx->nleads;
    int lo = 0, hi = GEN_DAYS - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (ctx->day_cdf[mid] >= u) hi = mid;
        else lo = mid + 1;
    }
    int64_t tod = time_of_day(&r);
    lead->created = i == ctx->nleads - 1 ? LP_GEN_AS_OF
                                         : ((int64_t)ctx->day0 + lo) * 86400 + tod;
    double ch = u01(&r);
    lead->channel = ch < 0.55 ? CH_INBOUND : ch < 0.85 ? CH_OUTBOUND : CH_PARTNER;
    if (lead->channel == CH_INBOUND) lead->source = weighted(&r, inbound_weights, 10);
    else if (lead->channel == CH_OUTBOUND) lead->source = 10 + weighted(&r, outbound_weights, 4);
    else lead->source = 14 + weighted(&r, partner_weights, 3);
    double employees = lognormal(&r, 120, 1.6);
    lead->employees = employees < 1 ? 1 : employees > 200000 ? 200000 : (int)employees;
    lead->country = weighted(&r, country_weights, 12);
    lead->industry = rint_below(&r, 10);
    lead->company = (uint32_t)(u01(&r) * (double)(ctx->nleads / 3 + 7));
    lead->first_name = rint_below(&r, 40);
    lead->last_name = rint_below(&r, 50);
    if (lead->channel == CH_PARTNER) lead->team = GEN_PARTNER_TEAM;
    else if (country_emea[lead->country]) lead->team = 3;
    else if (lead->employees >= 1000) lead->team = 0;
    else if (lead->employees >= 200) lead->team = 1;
    else lead->team = 2;
    lead->owner = ctx->team_first[lead->team] + rint_below(&r, ctx->team_count[lead->team]);

    /* Touches: an inbound lead is created by its first campaign response. */
    int n = 0;
    if (lead->channel == CH_INBOUND) {
        lead->star = u01(&r) < 0.03;
        gen_touch *t = &lead->touches[n++];
        t->at = lead->created;
        t->campaign = lead->star ? ctx->star
                                 : active_campaign(ctx, &r, lp_floor_div(lead->created, 86400));
        t->responded = true;
    }
    int extra = lead->channel == CH_INBOUND ? rint_below(&r, 8)
                : lead->channel == CH_OUTBOUND ? rint_below(&r, 5) : rint_below(&r, 6);
    for (int k = 0; k < extra && n < GEN_MAX_TOUCHES; k++) {
        double days = 1 + 150 * u01(&r) * u01(&r);
        int64_t at = lead->created + (int64_t)(days * 86400);
        int cpick = active_campaign(ctx, &r, lp_floor_div(at, 86400));
        bool responded = u01(&r) < 0.3;
        if (at > LP_GEN_AS_OF) continue;
        gen_touch *t = &lead->touches[n++];
        t->at = at;
        t->campaign = cpick == ctx->star && !lead->star ? (cpick + 1) % ctx->ncampaigns : cpick;
        t->responded = responded;
    }
    for (int a = 1; a < n; a++) {  /* insertion sort by time: few touches */
        gen_touch t = lead->touches[a];
        int b = a - 1;
        while (b >= 0 && lead->touches[b].at > t.at) {
            lead->touches[b + 1] = lead->touches[b];
            b--;
        }
        lead->touches[b + 1] = t;
    }
    lead->ntouches = n;
    lead->first_campaign = n ? lead->touches[0].campaign : -1;

    /* Funnel. */
    double p_mql = lead->star ? 0.5
                   : lead->channel == CH_INBOUND ? 0.45
                   : lead->channel == CH_PARTNER ? 0.38 : 0.20;
    double x_mql = u01(&r), x_untouched = u01(&r), x_sql = u01(&r), x_opp = u01(&r);
    double mql_hours = lognormal(&r, 30, 1.2);
    double touch_hours = lognormal(&r, team_touch_hours[lead->team], 1.0);
    double sql_days = lognormal(&r, 3, 0.8), opp_days = lognormal(&r, 2, 0.8);
    int64_t first_touch = 0;
    if (x_mql < p_mql) {
        int64_t mql = lead->created + 60 + (int64_t)(mql_hours * 3600);
        if (mql <= LP_GEN_AS_OF) lead->mql_at = mql;
    }
    if (lead->mql_at) {
        lead->untouched = x_untouched < 0.06;
        int64_t ft = lead->mql_at + 120 + (int64_t)(touch_hours * 3600);
        if (!lead->untouched && ft <= LP_GEN_AS_OF) first_touch = ft;
        lead->first_touch = first_touch;
    }
    if (first_touch && x_sql < (lead->star ? 0.85 : 0.50)) {
        int64_t sql = first_touch + 600 + (int64_t)(sql_days * 86400);
        if (sql <= LP_GEN_AS_OF) lead->sql_at = sql;
    }
    if (lead->sql_at && x_opp < (lead->star ? 0.95 : 0.80)) {
        int64_t created = lead->sql_at + 600 + (int64_t)(opp_days * 86400);
        if (created <= LP_GEN_AS_OF) {
            lead->has_opp = true;
            make_opp(ctx, &r, lead->team, lead->channel, created, &lead->opp);
        }
    }
    double age_days = (double)(LP_GEN_AS_OF - lead->created) / 86400.0;
    if (lead->has_opp) lead->status = STATUS_CONVERTED;
    else if (lead->mql_at) lead->status = lead->untouched ? STATUS_OPEN : STATUS_WORKING;
    else if (age_days > 60 && u01(&r) < 0.5) lead->status = STATUS_UNQUALIFIED;
    else lead->status = lead->channel == CH_OUTBOUND ? STATUS_WORKING : STATUS_OPEN;
}

int lp_gen_activities_make(const gen_ctx *ctx, int64_t i, const gen_lead *lead,
                        gen_activity *out)
{
    gen_rng r = stream(ctx->seed, (uint64_t)i, 3);
    int n = 0;
    int prospecting = lead->channel == CH_OUTBOUND ? rint_below(&r, 11)
                      : lead->channel == CH_INBOUND ? rint_below(&r, 4) : rint_below(&r, 3);
    int64_t end = lead->mql_at ? lead->mql_at : min64(lead->created + 30 * 86400, LP_GEN_AS_OF);
    for (int k = 0; k < prospecting && n < GEN_MAX_ACTIVITIES; k++) {
        int64_t at = lead->created + (int64_t)(u01(&r) * (double)(end - lead->created));
        int type = u01(&r) < 0.6 ? ACT_CALL : ACT_EMAIL;
        if (at > LP_GEN_AS_OF || (lead->mql_at && at >= lead->mql_at)) continue;
        out[n].at = at;
        out[n++].type = type;
    }
    if (lead->first_touch) {
        out[n].at = lead->first_touch;
        out[n++].type = u01(&r) < 0.6 ? ACT_CALL : ACT_EMAIL;
        int followups = rint_below(&r, 17);
        static const double follow_weights[3] = {40, 40, 20};
        for (int k = 0; k < followups && n < GEN_MAX_ACTIVITIES; k++) {
            int64_t at = lead->first_touch + 300 + (int64_t)(-log(1.0 - u01(&r)) * 5 * 86400);
            int type = weighted(&r, follow_weights, 3);
            if (at > LP_GEN_AS_OF) continue;
            out[n].at = at;
            out[n++].type = type;
        }
    }
    return n;
}

void lp_gen_leadless_make(const gen_ctx *ctx, int64_t j, int *out_owner, gen_opp *out_opp)
{
    gen_rng r = stream(ctx->seed, (uint64_t)j, 4);
    int team = rint_below(&r, 4);
    *out_owner = ctx->team_first[team] + rint_below(&r, ctx->team_count[team]);
    double start = (double)ctx->day0 * 86400.0;
    int64_t created = (int64_t)(start + u01(&r) * ((double)LP_GEN_AS_OF - start - 86400.0));
    memset(out_opp, 0, sizeof *out_opp);
    make_opp(ctx, &r, team, CH_OUTBOUND, created, out_opp);
}

size_t lp_gen_company_name(uint32_t company, char *buf, size_t size)
{
    static const char *const head[28] = {
        "Nor", "Vel", "Ast", "Bri", "Cal", "Dex", "Ely", "Fen", "Gal", "Hal", "Iri", "Jun",
        "Kel", "Lum", "Mar", "Nex", "Orb", "Pax", "Quo", "Ryn", "Sol", "Tav", "Umb", "Ver",
        "Wex", "Xan", "Yor", "Zen",
    };
    static const char *const mid[10] = {"ora", "ex", "ion", "ity", "ara", "os", "um", "ix",
                                        "ant", "ent"};
    static const char *const kind[15] = {
        "Systems", "Labs", "Group", "Holdings", "Health", "Logistics", "Foods", "Energy",
        "Analytics", "Works", "Industries", "Software", "Capital", "Retail", "Media",
    };
    uint32_t c = company;
    const char *a = head[c % 28];
    c /= 28;
    const char *b = mid[c % 10];
    c /= 10;
    const char *k = kind[c % 15];
    c /= 15;
    int len = c ? snprintf(buf, size, "%s%s %s %u", a, b, k, (unsigned)c)
                : snprintf(buf, size, "%s%s %s", a, b, k);
    return len < 0 ? 0 : (size_t)len < size ? (size_t)len : size - 1;
}
