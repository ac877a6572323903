/*
 * settings.h: the settings that change definitions (templates/DEFINITIONS.md), with their
 * defaults. Every field is printed on the workbook's Parameters sheet.
 */
#ifndef LP_SETTINGS_H
#define LP_SETTINGS_H

#include "lp/time.h"

typedef enum lp_attribution {
    LP_ATTR_FIRST_TOUCH,
    LP_ATTR_LAST_TOUCH,
    LP_ATTR_LINEAR,
    LP_ATTR_U_SHAPED,
    LP_ATTR_W_SHAPED,
    LP_ATTR_COUNT
} lp_attribution;

/* "first_touch", "last_touch", "linear", "u_shaped", "w_shaped". */
const char *lp_attribution_name(lp_attribution model);

typedef enum lp_qualification {
    LP_QUALIFY_NONE,      /* mql_at must be exported (default) */
    LP_QUALIFY_STATUS,    /* a lead whose status is in qualify_statuses is an MQL at created_at */
    LP_QUALIFY_SCORE      /* a lead whose score >= qualify_score is an MQL at created_at */
} lp_qualification;

/* Business hours: one interval per weekday (0 = Monday .. 6 = Sunday), in
 * minutes after local midnight; start == end means closed that day. */
typedef struct lp_business_hours {
    bool enabled;             /* false: the SLA clock is wall-clock hours */
    int start_minute[7];
    int end_minute[7];
    char time_zone[64];       /* the calendar's zone; "" = report zone */
} lp_business_hours;

typedef struct lp_settings {
    char time_zone[64];               /* IANA name, default "UTC" */
    lp_calendar calendar;             /* period kind (default ISO week) and fiscal start month (1) */
    char **inbound_sources;           /* lower-case, trimmed; default list in templates/DEFINITIONS.md */
    size_t n_inbound_sources;
    char **partner_sources;           /* lower-case, trimmed */
    size_t n_partner_sources;
    lp_qualification qualification;   /* rule when a lead has no mql_at */
    char **qualify_statuses;          /* for LP_QUALIFY_STATUS */
    size_t n_qualify_statuses;
    double qualify_score;             /* for LP_QUALIFY_SCORE */
    double sla_hours;                 /* response threshold in hours, default 24 */
    lp_business_hours business_hours; /* optional SLA calendar */
    int followup_activities;          /* default 3 */
    int followup_days;                /* default 7 */
    int sla_min_leads;                /* fewest eligible MQLs for a rep, team or
                                         partner to be ranked on SLA compliance
                                         (default 5; 0 reads as the default) */
    lp_attribution attribution;       /* default first touch */
    char currency[8];                 /* ISO code, default "USD" */
    bool decimal_comma;               /* numbers like 1.234,50 */
    bool day_first;                   /* dates like 31/12/2026 */
    char *targets_file;               /* optional path of a targets CSV (owned) */
    double sla_target;                /* target SLA compliance, rate in 0..1 (default 0.95) */
    char paper[8];                    /* "A4" (default) or "Letter" */
    /* Mail (issue: emailed reports). */
    char *mail_to;                    /* comma-separated, owned, may be NULL */
    char *mail_cc;
    char *mail_from;
    char *mail_smtp;                  /* smtp://host:port or smtps://host:port */
    bool mail_starttls;
    double mail_max_mb;               /* warn above this size, default 10 */
    /* Limits (hardening). */
    size_t max_file_bytes;            /* default 8 GiB */
    size_t max_field_bytes;           /* default 1 MiB */
    size_t max_columns;               /* default 2,000 */
    /* Warehouse source. */
    char db_mode[16];                 /* "copy" (default) or "pushdown" */
} lp_settings;

/* Fills settings with the defaults of templates/DEFINITIONS.md. Call lp_settings_clear to
 * release the lists. */
lp_status lp_settings_init(lp_settings *settings);
void lp_settings_clear(lp_settings *settings);
/* Reads a YAML settings file over the current values. Unknown keys and bad
 * values are LP_ERR_CONFIG with "FILE line N: ..." in errmsg
 * (LP_ERRMSG_SIZE bytes). */
lp_status lp_settings_load(lp_settings *settings, const char *path, char *errmsg);
/* lp_settings_load over a settings file in memory (file->name as its path:
 * in messages, and the folder a relative targets_file is read beside).
 * Reads no file. */
lp_status lp_settings_load_memory(lp_settings *settings, const lp_memfile *file,
                                  char *errmsg);
/* Every setting as (key, value text) pairs for the Parameters sheet: calls
 * emit once per setting in a fixed order. LP_ERR_NOMEM when a list could
 * not be put in words (that setting was emitted as ""): the caller must not
 * publish what it was given. */
lp_status lp_settings_each(const lp_settings *settings,
                           void (*emit)(void *ctx, const char *key, const char *value),
                           void *ctx);

#endif
