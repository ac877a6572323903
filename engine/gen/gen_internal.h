/*
 * gen_internal.h: the generator's data model (private to engine/gen/).
 *
 * Everything about lead i is drawn from its own random stream, seeded from
 * (seed, i), so any writer can re-derive a lead independently and in any
 * order: the files of one dialect are written by two threads, and every
 * dialect sees the same leads.
 */
#ifndef LP_GEN_INTERNAL_H
#define LP_GEN_INTERNAL_H

#include "lp/gen.h"

#define GEN_MAX_TOUCHES 15
#define GEN_MAX_ACTIVITIES 63
#define GEN_TEAMS 5
#define GEN_PARTNER_TEAM 4
#define GEN_SLOW_TEAM 1
#define GEN_DAYS 364

enum { CH_INBOUND, CH_OUTBOUND, CH_PARTNER };
enum { ACT_CALL, ACT_EMAIL, ACT_MEETING };
enum { STAGE_PROSPECTING, STAGE_QUALIFICATION, STAGE_NEEDS, STAGE_PROPOSAL,
       STAGE_NEGOTIATION, STAGE_WON, STAGE_LOST, STAGE_COUNT };
enum { STATUS_OPEN, STATUS_WORKING, STATUS_CONVERTED, STATUS_UNQUALIFIED };

typedef struct gen_rng {
    uint64_t state;
} gen_rng;

typedef struct gen_campaign {
    int32_t start_day;     /* days since 1970 */
    int32_t end_day;
    int type;              /* index into lp_gen_campaign_types */
    int theme;             /* name part */
    int64_t actual_cost;   /* dollars; -1 = blank */
    int64_t budgeted_cost;
} gen_campaign;

typedef struct gen_user {
    int team;
    int first, last;       /* name parts */
    bool partner;
} gen_user;

typedef struct gen_touch {
    int64_t at;
    int campaign;
    bool responded;
    int status;            /* index into the type's member statuses */
} gen_touch;

typedef struct gen_opp {
    int64_t created;
    int64_t amount;        /* dollars */
    int32_t close_day;     /* actual (closed) or expected close date */
    int stage;
    bool closed, won;
} gen_opp;

typedef struct gen_lead {
    int64_t created;
    int channel;
    int source;            /* index into lp_gen_sources */
    int owner;             /* user index */
    int team;
    int employees;
    int country, industry;
    uint32_t company;      /* company number */
    int first_name, last_name;
    int64_t mql_at, sql_at; /* 0 = not reached by as-of */
    bool untouched;        /* an MQL nobody ever followed up */
    int64_t first_touch;   /* first activity at or after mql_at, 0 = none by as-of */
    bool star;             /* first touch is the planted campaign */
    int first_campaign;    /* creating campaign (earliest touch), -1 = none */
    gen_touch touches[GEN_MAX_TOUCHES];
    int ntouches;
    bool has_opp;
    gen_opp opp;
    int status;
} gen_lead;

typedef struct gen_activity {
    int64_t at;
    int type;
} gen_activity;

typedef struct gen_ctx {
    uint64_t seed;
    double scale;
    int64_t nleads;
    int64_t nleadless;     /* opportunities without a lead */
    int ncampaigns;
    int star;              /* the planted campaign's index */
    gen_campaign *campaigns;
    int nusers;
    gen_user *users;
    int team_first[GEN_TEAMS], team_count[GEN_TEAMS]; /* users of a team are contiguous */
    int32_t day0;          /* first day of the year (a Monday) */
    double day_cdf[GEN_DAYS];
    int32_t *first_starting; /* campaign index by start day, see gen_active_campaign */
    int32_t first_day;     /* day of first_starting[0] */
    int ndays_index;
    int window;            /* days a regular campaign is picked after its start */
} gen_ctx;

extern const char *const lp_gen_sources[];
extern const int lp_gen_nsources;
extern const char *const lp_gen_campaign_types[];
extern const char *const lp_gen_campaign_themes[];
extern const char *const lp_gen_member_status[][2];
extern const char *const lp_gen_team_names[GEN_TEAMS];
extern const char *const lp_gen_first_names[];
extern const char *const lp_gen_last_names[];
extern const char *const lp_gen_countries[];
extern const char *const lp_gen_industries[];
extern const char *const lp_gen_stage_names[STAGE_COUNT];
extern const char *const lp_gen_activity_names[3];

lp_status lp_gen_ctx_init(gen_ctx *ctx, double scale, uint64_t seed);
void lp_gen_ctx_clear(gen_ctx *ctx);
/* Lead i (0 <= i < nleads), touches included. */
void lp_gen_lead_make(const gen_ctx *ctx, int64_t i, gen_lead *lead);
/* Activities of lead i; returns how many (at most GEN_MAX_ACTIVITIES). */
int lp_gen_activities_make(const gen_ctx *ctx, int64_t i, const gen_lead *lead,
                        gen_activity *out);
/* Leadless opportunity j (0 <= j < nleadless): owner, source and opp. */
void lp_gen_leadless_make(const gen_ctx *ctx, int64_t j, int *out_owner, gen_opp *out_opp);
/* Company name of a company number into buf; returns its length. */
size_t lp_gen_company_name(uint32_t company, char *buf, size_t size);

#endif
