/*
 * Drafting a mapping for an unseen folder of exports (lp/draft.h).
 *
 * Three reads of each file, none holding it whole:
 *   1. the header, the first SAMPLE_ROWS rows (for type sniffing, name
 *      decisions and join coverage) and the row count;
 *   2. for files given a table with a key (leads, campaigns, opportunities,
 *      users), every value of the chosen key, hashed into a set, so join
 *      coverage is measured against all ids, not a sample;
 *   3. for the columns that get a value map (stage, source, activity type,
 *      is_partner), every distinct value with its count (up to MAX_DISTINCT).
 *
 * Choices, in order: a profile that fits (given, or detected) contributes its
 * file patterns and names, which then come first, so a profile's own export
 * drafts back to exactly the profile; then file-to-table by file name and
 * header fit; then per table, keys by name, key sets, and every column by a
 * score: name likeness (1.0 for a known name, 0.9 once the table's own word
 * is stripped, "Deal - Value" -> "value"), join coverage for references
 * (+0.5 x coverage), and a type check that refuses a column whose sampled
 * values are not of the canonical type. Columns are taken greedily, best
 * score first, one source header per canonical column. A required column
 * whose best two candidates tie is left unmapped (ambiguous); one with no
 * candidate by name takes the only unused header of its type, if exactly
 * one exists.
 */
#include "lp/draft.h"

#include <ctype.h>
#include <dirent.h>
#include <fnmatch.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lp/csv.h"
#include "lp/value.h"
#include "header.h"

#define SAMPLE_ROWS 5000
#define MAX_DISTINCT 400
#define MAX_FILES 64
#define NAME_THRESHOLD 0.5
#define TIE 0.005

/* ---- per-table knowledge ---- */

/* Synonyms per canonical column: squashed names (lower-case letters and
 * digits), optionally ":weight" (default 1). */
typedef struct synonyms {
    int table;
    const char *column;
    const char *names;   /* space-separated */
} synonyms;

static const synonyms known_names[] = {
    {LP_LEADS, "lead_id", "leadid id:0.8 contactid personid recordid prospectid vid hsobjectid"},
    {LP_LEADS, "created_at", "createdat createddate createdate created createdon datecreated "
                             "createdtime creationdate personcreated leadcreated"},
    {LP_LEADS, "source", "source leadsource originalsource sourcetype originalsourcetype "
                         "hsanalyticssource acquisitionsource utmsource channel:0.6"},
    {LP_LEADS, "campaign_id", "campaignid acquisitionprogramid programid primarycampaignsourceid "
                              "campaign:0.8 acquisitionprogram:0.8"},
    {LP_LEADS, "owner_id", "ownerid owner leadowner contactowner leadownerid leadowneremail "
                           "owneremail hubspotownerid assignedto salesrep salesagent rep:0.8 "
                           "agent:0.8"},
    {LP_LEADS, "company", "company companyname account:0.8 accountname organization "
                          "organisation companyaccount"},
    {LP_LEADS, "industry", "industry sector:0.8 vertical:0.8"},
    {LP_LEADS, "employees", "employees numberofemployees noofemployees numemployees "
                            "employeecount headcount companysize:0.8"},
    {LP_LEADS, "country", "country countrycode countryregion billingcountry"},
    {LP_LEADS, "phone", "phone phonenumber mobilephone mobile:0.8 telephone phonework"},
    {LP_LEADS, "email", "email emailaddress emailwork"},
    {LP_LEADS, "score", "score leadscore hubspotscore"},
    {LP_LEADS, "status", "status leadstatus hsleadstatus label:0.6"},
    {LP_LEADS, "mql_at", "mqlat mqldate mqldatetime mqldatec becameamarketingqualifiedleaddate "
                         "marketingqualifieddate mqlon datemql"},
    {LP_LEADS, "sql_at", "sqlat sqldate sqldatetime sqldatec becameasalesqualifiedleaddate "
                         "salesqualifieddate sqlon datesql"},
    {LP_LEADS, "disqualified_at", "disqualifiedat disqualifieddate disqualifiedon"},
    {LP_LEADS, "converted_at", "convertedat converteddate convertedon conversiondate "
                               "becameanopportunitydate"},
    {LP_LEADS, "opportunity_id", "opportunityid convertedopportunityid dealid oppid"},
    {LP_CAMPAIGNS, "campaign_id", "campaignid id:0.8 programid"},
    {LP_CAMPAIGNS, "name", "name campaignname programname title:0.8"},
    {LP_CAMPAIGNS, "type", "type campaigntype programtype channel:0.8"},
    {LP_CAMPAIGNS, "start_date", "startdate start:0.8 launchdate"},
    {LP_CAMPAIGNS, "end_date", "enddate end:0.8"},
    {LP_CAMPAIGNS, "actual_cost", "actualcost cost periodcost spend actualcostincampaign"},
    {LP_CAMPAIGNS, "budgeted_cost", "budgetedcost budget budgetedcostincampaign plannedcost"},
    {LP_TOUCHES, "touch_id", "touchid id:0.8 memberid campaignmemberid"},
    {LP_TOUCHES, "lead_id", "leadid contactid personid"},
    {LP_TOUCHES, "campaign_id", "campaignid programid"},
    {LP_TOUCHES, "touched_at", "touchedat membershipdate memberfirstassociateddate "
                               "firstassociateddate createddate createdat addedon date:0.6"},
    {LP_TOUCHES, "responded", "responded hasresponded reachedsuccess success:0.8"},
    {LP_ACTIVITIES, "lead_id", "leadid whoid contactid personid associatedcontactids "
                               "associatedcontactid associatedcontact contactpersonid nameid"},
    {LP_ACTIVITIES, "at", "at activitydatetime activitydate createddate timestamp "
                          "completeddatetime addtime hstimestamp occurredat createdat "
                          "datetime date:0.6 duedate:0.6"},
    {LP_ACTIVITIES, "owner_id", "ownerid owner assignedto assignedtouser assigned assignedid "
                                "user:0.8 salesagent rep:0.8"},
    {LP_ACTIVITIES, "type", "type activitytype tasksubtype eventsubtype subtype:0.8 "
                            "hsactivitytype engagementtype"},
    {LP_OPPORTUNITIES, "opportunity_id", "opportunityid id:0.8 dealid oppid recordid"},
    {LP_OPPORTUNITIES, "created_at", "createdat createddate createdate created dealcreated "
                                     "createdon datecreated opendate addtime"},
    {LP_OPPORTUNITIES, "stage", "stage stagename dealstage salesstage pipelinestage "
                                "status:0.6"},
    {LP_OPPORTUNITIES, "amount", "amount value dealvalue closevalue dealamount dealsize "
                                 "revenue:0.8 expectedrevenue:0.6"},
    {LP_OPPORTUNITIES, "close_date", "closedate expectedclosedate closeddate closedon "
                                     "closedat"},
    {LP_OPPORTUNITIES, "is_closed", "isclosed closed"},
    {LP_OPPORTUNITIES, "is_won", "iswon won"},
    {LP_OPPORTUNITIES, "source", "leadsource source originalsource dealsource"},
    {LP_OPPORTUNITIES, "campaign_id", "campaignid primarycampaignsourceid campaign:0.8"},
    {LP_OPPORTUNITIES, "lead_id", "leadid contactid personid contactpersonid "
                                  "associatedcontactids associatedcontactid"},
    {LP_OPPORTUNITIES, "owner_id", "ownerid owner dealowner opportunityowner "
                                   "opportunityownerid hubspotownerid salesagent salesrep "
                                   "assignedto rep:0.8 agent:0.8"},
    {LP_OPPORTUNITIES, "type", "type dealtype opportunitytype"},
    {LP_USERS, "owner_id", "ownerid id:0.8 userid salesagent ownername:0.8 fullname:0.6 "
                           "name:0.6 username:0.6 agent:0.8 rep:0.8"},
    {LP_USERS, "name", "name fullname username ownername displayname"},
    {LP_USERS, "team", "team teams department role:0.8 userrolename salesteam "
                       "regionaloffice:0.8 region:0.7 office:0.6 division:0.8"},
    {LP_USERS, "is_partner", "ispartner partneruser usertype:0.8 partner:0.8"},
    {LP_TARGETS, "period", "period month:0.8 quarter:0.8 week:0.8"},
    {LP_TARGETS, "measure", "measure metric kpi"},
    {LP_TARGETS, "team", "team"},
    {LP_TARGETS, "value", "value target goal quota amount:0.8"},
};

/* Words that name the table itself, stripped from the front of a header
 * ("Deal - Value", "Person - Owner", "Activity - Type"). */
static const char *const table_words[LP_TABLE_COUNT] = {
    "lead leads person persons contact contacts prospect",
    "campaign campaigns program programs",
    "member members campaignmember membership",
    "activity activities task tasks event events engagement",
    "opportunity opportunities opp deal deals",
    "user users owner owners",
    "target targets goal goals",
};

/* Words of file names that suggest a table, most specific first. */
static const struct {
    const char *word;
    int table;
} file_words[] = {
    {"member", LP_TOUCHES},       {"touch", LP_TOUCHES},          {"campaign", LP_CAMPAIGNS},
    {"program", LP_CAMPAIGNS},    {"opportunit", LP_OPPORTUNITIES}, {"deal", LP_OPPORTUNITIES},
    {"pipeline", LP_OPPORTUNITIES}, {"activit", LP_ACTIVITIES},    {"task", LP_ACTIVITIES},
    {"event", LP_ACTIVITIES},     {"call", LP_ACTIVITIES},        {"email", LP_ACTIVITIES},
    {"meeting", LP_ACTIVITIES},   {"engagement", LP_ACTIVITIES},  {"lead", LP_LEADS},
    {"contact", LP_LEADS},        {"person", LP_LEADS},           {"people", LP_LEADS},
    {"prospect", LP_LEADS},       {"user", LP_USERS},             {"owner", LP_USERS},
    {"team", LP_USERS},           {"agent", LP_USERS},            {"target", LP_TARGETS},
    {"goal", LP_TARGETS},         {"quota", LP_TARGETS},
};

/* References: a column of one table whose values are keys of another. */
static const struct {
    int table;
    const char *column;
    int target;
} references[] = {
    {LP_LEADS, "campaign_id", LP_CAMPAIGNS},      {LP_LEADS, "opportunity_id", LP_OPPORTUNITIES},
    {LP_LEADS, "owner_id", LP_USERS},             {LP_TOUCHES, "lead_id", LP_LEADS},
    {LP_TOUCHES, "campaign_id", LP_CAMPAIGNS},    {LP_ACTIVITIES, "lead_id", LP_LEADS},
    {LP_ACTIVITIES, "owner_id", LP_USERS},        {LP_OPPORTUNITIES, "lead_id", LP_LEADS},
    {LP_OPPORTUNITIES, "campaign_id", LP_CAMPAIGNS}, {LP_OPPORTUNITIES, "owner_id", LP_USERS},
};

static const char *const key_column[LP_TABLE_COUNT] = {
    "lead_id", "campaign_id", NULL, NULL, "opportunity_id", "owner_id", NULL,
};

static const char *const key_noun[LP_TABLE_COUNT] = {
    "lead ids", "campaign ids", NULL, NULL, "opportunity ids", "user ids", NULL,
};

/* ---- what was read ---- */

typedef struct sniff {
    size_t nonempty;      /* sampled non-empty values */
    size_t instants;      /* of them readable as an instant (any date form) */
    size_t with_time;     /* readable as an instant and carrying a time of day */
    size_t numbers;
    size_t integers;
    size_t booleans;
    size_t distinct;      /* distinct values in the sample */
} sniff;

typedef struct value_count {
    char *value;
    size_t count;
} value_count;

typedef struct distinct_set {
    value_count *values;  /* in first-seen order */
    size_t n;
    size_t more;          /* rows whose value was not kept (over MAX_DISTINCT) */
    size_t blank;         /* rows with the value empty */
} distinct_set;

typedef struct dfile {
    char *name;           /* file name in the folder */
    char *path;
    char **headers;       /* from lp_csv_read */
    size_t ncols;
    char **print_names;   /* header as lp_detect_header_read reads it (fingerprint) */
    size_t nprint;
    char **cells;         /* SAMPLE rows x ncols, owned strings */
    size_t nsample;
    size_t nrows;         /* data rows with the header's field count */
    size_t short_rows;    /* rows with other field counts (report footers) */
    char *footer;         /* first field of the first short row after data, or NULL */
    bool semicolon;
    sniff *sniffs;        /* per header */
    int table;            /* canonical table, or -1 */
    char table_why[256];
    /* per canonical column of its table: header index or -1 */
    int chosen[LP_CANON_MAX_COLUMNS];
    char *why[LP_CANON_MAX_COLUMNS];      /* reason (owned) */
    bool review[LP_CANON_MAX_COLUMNS];
    int *taken;           /* per header: canonical column index, or -1 */
} dfile;

typedef struct key_set {
    uint64_t *slots;      /* open addressing, 0 = empty */
    size_t cap, n;
    char file[160];       /* the file(s) the keys came from, for reasons */
} key_set;

typedef struct drafter {
    const lp_draft_options *opt;
    lp_settings defaults;
    bool own_defaults;
    const lp_settings *settings;
    lp_mapping *hint;     /* profile that fits, or NULL */
    char hint_why[512];
    dfile files[MAX_FILES];
    size_t nfiles;
    lp_date_order order;
    char order_text[4];
    key_set keys[LP_TABLE_COUNT];
    /* per table, per canonical column: notes for unmapped columns (owned) */
    char *unmapped[LP_TABLE_COUNT][LP_CANON_MAX_COLUMNS];
    bool ambiguous[LP_TABLE_COUNT][LP_CANON_MAX_COLUMNS];
    char *errmsg;
    lp_draft_summary summary;
} drafter;

/* ---- small helpers ---- */

static char *dup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *dup_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tmp[1024];
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    return lp_strdup(tmp);
}

/* Lower-case letters and digits of s. */
static void squash(const char *s, char *out, size_t size)
{
    size_t n = 0;
    for (; *s && n + 1 < size; s++)
        if (isalnum((unsigned char)*s)) out[n++] = (char)tolower((unsigned char)*s);
    out[n] = '\0';
}

/* Words of a header: runs of letters and digits, split where a lower-case
 * letter meets an upper-case one (CreatedDate -> created, date). */
static size_t words_of(const char *s, char words[][48], size_t max)
{
    size_t n = 0, len = 0;
    for (const char *p = s;; p++) {
        bool alnum = *p && isalnum((unsigned char)*p);
        bool camel = alnum && len && isupper((unsigned char)*p) && p > s &&
                     islower((unsigned char)p[-1]);
        if ((!alnum || camel) && len) {
            if (n < max) words[n][len < 47 ? len : 47] = '\0', n++;
            len = 0;
        }
        if (!*p) break;
        if (alnum && n < max && len < 47) words[n][len++] = (char)tolower((unsigned char)*p);
    }
    return n;
}

static bool word_in(const char *word, const char *list)
{
    size_t wl = strlen(word);
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, " ");
        if (len == wl && !strncmp(p, word, len)) return true;
        p += len;
        while (*p == ' ') p++;
    }
    return false;
}

/* Name likeness of header to a canonical column of table, 0..1. */
static double name_score(int table, const char *column, const char *header)
{
    const synonyms *syn = NULL;
    for (size_t i = 0; i < sizeof known_names / sizeof known_names[0]; i++)
        if (known_names[i].table == table && !strcmp(known_names[i].column, column))
            syn = &known_names[i];
    char full[256], stripped[256] = "", canon[64];
    squash(header, full, sizeof full);
    squash(column, canon, sizeof canon);
    char words[16][48];
    size_t nw = words_of(header, words, 16), first = 0;
    while (first + 1 < nw && word_in(words[first], table_words[table])) first++;
    for (size_t i = first; i < nw; i++)
        strncat(stripped, words[i], sizeof stripped - strlen(stripped) - 1);
    /* Salesforce custom fields end in __c. */
    size_t hl = strlen(header);
    if (hl > 3 && !strcmp(header + hl - 3, "__c") && strlen(full) > 1) {
        full[strlen(full) - 1] = '\0';
        if (strlen(stripped) > 1) stripped[strlen(stripped) - 1] = '\0';
    }
    double best = 0;
    if (!strcmp(full, canon)) best = 1.0;
    if (!syn) return best;
    for (const char *p = syn->names; *p;) {
        size_t len = strcspn(p, " ");
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)len, p);
        double weight = 1.0;
        char *colon = strchr(name, ':');
        if (colon) {
            weight = atof(colon + 1);
            *colon = '\0';
        }
        if (!strcmp(full, name) && weight > best) best = weight;
        if (first && !strcmp(stripped, name) && 0.9 * weight > best) best = 0.9 * weight;
        p += len;
        while (*p == ' ') p++;
    }
    return best;
}

static uint64_t hash_text(const char *s, size_t len)
{
    const char *start;
    len = lp_value_trim(s, len, &start);
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)tolower((unsigned char)start[i]);
        h *= 1099511628211ULL;
    }
    return h ? h : 1;
}

static lp_status key_add(key_set *ks, uint64_t h)
{
    if ((ks->n + 1) * 2 > ks->cap) {
        size_t cap = ks->cap ? ks->cap * 2 : 1024;
        uint64_t *slots = lp_calloc(cap, sizeof *slots);
        if (!slots) return LP_ERR_NOMEM;
        for (size_t i = 0; i < ks->cap; i++) {
            if (!ks->slots[i]) continue;
            size_t j = ks->slots[i] & (cap - 1);
            while (slots[j]) j = (j + 1) & (cap - 1);
            slots[j] = ks->slots[i];
        }
        lp_free(ks->slots);
        ks->slots = slots;
        ks->cap = cap;
    }
    size_t j = h & (ks->cap - 1);
    while (ks->slots[j] && ks->slots[j] != h) j = (j + 1) & (ks->cap - 1);
    if (!ks->slots[j]) ks->slots[j] = h, ks->n++;
    return LP_OK;
}

static bool key_has(const key_set *ks, uint64_t h)
{
    if (!ks->cap) return false;
    size_t j = h & (ks->cap - 1);
    while (ks->slots[j]) {
        if (ks->slots[j] == h) return true;
        j = (j + 1) & (ks->cap - 1);
    }
    return false;
}

static const char *cell(const dfile *f, size_t row, size_t col)
{
    return f->cells[row * f->ncols + col];
}

/* ---- pass 1: header and sample ---- */

typedef struct sample_reader {
    dfile *file;
    lp_status status;
} sample_reader;

static lp_status sample_header(void *ctx, const lp_csv_record *header, const lp_csv_dialect *d)
{
    sample_reader *r = ctx;
    dfile *f = r->file;
    f->semicolon = d->delimiter == ';';
    f->headers = lp_calloc(header->nfields, sizeof *f->headers);
    f->sniffs = lp_calloc(header->nfields, sizeof *f->sniffs);
    f->taken = lp_calloc(header->nfields, sizeof *f->taken);
    f->cells = lp_calloc(header->nfields * SAMPLE_ROWS, sizeof *f->cells);
    if (!f->headers || !f->sniffs || !f->taken || !f->cells) return LP_ERR_NOMEM;
    f->ncols = header->nfields;
    for (size_t i = 0; i < header->nfields; i++) {
        const char *start;
        size_t len = lp_value_trim(header->fields[i], header->lens[i], &start);
        if (!(f->headers[i] = lp_strndup(start, len))) return LP_ERR_NOMEM;
        f->taken[i] = -1;
    }
    return LP_OK;
}

static lp_status sample_chunk_new(void *ctx, void **out_chunk)
{
    *out_chunk = ctx;
    return LP_OK;
}

static lp_status sample_record(void *chunk, const lp_csv_record *rec)
{
    sample_reader *r = chunk;
    dfile *f = r->file;
    if (rec->nfields != f->ncols) {
        f->short_rows++;
        if (!f->footer && f->nrows && rec->nfields < f->ncols) {
            const char *start;
            size_t len = lp_value_trim(rec->fields[0], rec->lens[0], &start);
            size_t word = 0;
            while (word < len && !isspace((unsigned char)start[word]) && word < 40) word++;
            if (word && !(f->footer = lp_strndup(start, word))) return LP_ERR_NOMEM;
        }
        return LP_OK;
    }
    if (f->nsample < SAMPLE_ROWS) {
        for (size_t c = 0; c < f->ncols; c++) {
            const char *start;
            size_t len = lp_value_trim(rec->fields[c], rec->lens[c], &start);
            char **slot = &f->cells[f->nsample * f->ncols + c];
            if (!(*slot = lp_strndup(start, len))) return LP_ERR_NOMEM;
        }
        f->nsample++;
    }
    f->nrows++;
    return LP_OK;
}

static lp_status chunk_done_noop(void *ctx, void *chunk)
{
    (void)ctx;
    (void)chunk;
    return LP_OK;
}

static void chunk_free_noop(void *ctx, void *chunk)
{
    (void)ctx;
    (void)chunk;
}

/* Slashed dates decide the date order: a first part above 12 is day-first,
 * a second part above 12 month-first. */
static void vote_order(const char *s, int *dmy, int *mdy, int *ymd)
{
    int a, b, y;
    char sep1, sep2;
    if (sscanf(s, "%d%c%d%c%d", &a, &sep1, &b, &sep2, &y) != 5) return;
    if (sep1 != sep2 || (sep1 != '/' && sep1 != '-' && sep1 != '.')) return;
    if (a > 31) {
        (*ymd)++;
        return;
    }
    if (sep1 == '.') return;
    if (a > 12 && b <= 12) (*dmy)++;
    if (b > 12 && a <= 12) (*mdy)++;
}

static void sniff_file(drafter *d, dfile *f)
{
    bool comma = d->settings->decimal_comma || f->semicolon;
    for (size_t c = 0; c < f->ncols; c++) {
        sniff *s = &f->sniffs[c];
        memset(s, 0, sizeof *s);
        for (size_t r = 0; r < f->nsample; r++) {
            const char *v = cell(f, r, c);
            size_t len = strlen(v);
            if (!len) continue;
            s->nonempty++;
            int64_t t;
            int32_t days;
            double x;
            int64_t i;
            bool b;
            if (lp_value_parse_instant(v, len, d->order, &t)) {
                s->instants++;
                if (strchr(v, ':')) s->with_time++;
            } else if (lp_value_parse_date(v, len, d->order, &days)) {
                s->instants++;
            }
            if (lp_value_parse_number(v, len, comma, &x)) s->numbers++;
            if (lp_value_parse_int64(v, len, comma, &i)) s->integers++;
            if (lp_value_parse_bool(v, len, &b)) s->booleans++;
        }
        /* distinct values of the sample (quadratic only on small samples) */
        size_t distinct = 0;
        for (size_t r = 0; r < f->nsample && r < 400; r++) {
            bool seen = false;
            for (size_t q = 0; q < r && !seen; q++)
                seen = !strcasecmp(cell(f, q, c), cell(f, r, c));
            distinct += !seen;
        }
        s->distinct = distinct;
    }
}

/* A sampled column's values are of the canonical type (90% of non-empty
 * values readable); an all-empty column passes. Writes a short description
 * of what was sniffed into what. */
static bool type_fits(const dfile *f, size_t col, lp_type type, char *what, size_t size)
{
    const sniff *s = &f->sniffs[col];
    if (!s->nonempty) {
        snprintf(what, size, "empty in the %zu rows sampled", f->nsample);
        return true;
    }
    double share;
    const char *kind;
    switch (type) {
    case LP_TYPE_INSTANT:
    case LP_TYPE_DATE:
        share = (double)s->instants / (double)s->nonempty;
        kind = s->with_time * 2 > s->instants ? "date and time" : "date";
        break;
    case LP_TYPE_DOUBLE:
        share = (double)s->numbers / (double)s->nonempty;
        kind = "number";
        break;
    case LP_TYPE_INT64:
        share = (double)s->integers / (double)s->nonempty;
        kind = "whole number";
        break;
    case LP_TYPE_BOOL:
        share = (double)s->booleans / (double)s->nonempty;
        kind = "true/false";
        break;
    default:
        snprintf(what, size, "text");
        return true;
    }
    snprintf(what, size, "%s in %.0f%% of the %zu%s values sampled", kind, floor(100 * share),
             s->nonempty, s->nonempty == SAMPLE_ROWS ? " first" : "");
    return share >= 0.9;
}

/* ---- file discovery ---- */

static int csv_filter(const struct dirent *e)
{
    size_t len = strlen(e->d_name);
    if (e->d_name[0] == '.' || len < 5) return 0;
    const char *ext = e->d_name + len - 4;
    return !strcasecmp(ext, ".csv") || !strcasecmp(ext, ".tsv") || !strcasecmp(ext, ".txt");
}

static lp_status read_sample(drafter *d, dfile *f)
{
    sample_reader r = {.file = f};
    lp_csv_handler h = {
        .ctx = &r,
        .header = sample_header,
        .chunk_new = sample_chunk_new,
        .record = sample_record,
        .chunk_done = chunk_done_noop,
        .chunk_free = chunk_free_noop,
    };
    lp_csv_options o = {.threads = 1, .label = f->name};
    char err[LP_ERRMSG_SIZE] = "";
    lp_status st = lp_csv_read(f->path, &o, &h, NULL, err);
    if (st == LP_ERR_NOMEM) return st;
    if (st) {
        /* the reason is cut to the field's size, as a comment line */
        snprintf(f->table_why, sizeof f->table_why, "cannot be read: %.200s",
                 err[0] ? err : lp_status_str(st));
        f->ncols = f->headers ? f->ncols : 0;
    }
    (void)d;
    lp_status hs = lp_detect_header_read(f->path, &f->print_names, &f->nprint);
    return hs == LP_ERR_NOMEM ? hs : LP_OK;
}

/* ---- file to table ---- */

static bool profile_column_sources(const lp_mapping *m, int table, const char *column,
                                   const lp_column_map **out)
{
    if (!m) return false;
    const lp_table_map *tm = &m->tables[table];
    for (size_t i = 0; i < tm->ncolumns; i++)
        if (!strcmp(tm->columns[i].canonical, column)) return *out = &tm->columns[i], true;
    return false;
}

static int header_index(const dfile *f, const char *name)
{
    for (size_t i = 0; i < f->ncols; i++)
        if (!strcasecmp(f->headers[i], name)) return (int)i;
    return -1;
}

/* Best name likeness of any header of f for a canonical column (type
 * checked); the profile's names count as 1. */
static double best_for(const drafter *d, const dfile *f, int table, const lp_canon_column *cc)
{
    double best = 0;
    const lp_column_map *cm;
    if (profile_column_sources(d->hint, table, cc->name, &cm))
        for (size_t s = 0; s < cm->nsources; s++)
            if (header_index(f, cm->sources[s]) >= 0) best = 1.0;
    char what[96];
    for (size_t h = 0; h < f->ncols; h++) {
        double sc = name_score(table, cc->name, f->headers[h]);
        if (sc > best && type_fits(f, h, cc->type, what, sizeof what)) best = sc;
    }
    return best;
}

static double table_fit(const drafter *d, const dfile *f, int table, bool *out_viable,
                        char *missing, size_t size)
{
    size_t n;
    const lp_canon_column *cols = lp_canon_columns((lp_table_id)table, &n);
    double score = 0;
    bool viable = true;
    missing[0] = '\0';
    size_t types_left = 0;
    for (size_t c = 0; c < n; c++) {
        double b = best_for(d, f, table, &cols[c]);
        if (cols[c].required && b < NAME_THRESHOLD) {
            /* a required date can still come from the only date column left */
            if ((cols[c].type == LP_TYPE_INSTANT || cols[c].type == LP_TYPE_DATE) &&
                types_left++ == 0) {
                score += 0.2;
                continue;
            }
            viable = false;
            size_t used = strlen(missing);
            snprintf(missing + used, size - used, "%s%s", used ? ", " : "", cols[c].name);
        }
        score += cols[c].required ? 2 * b : (b >= NAME_THRESHOLD ? b : 0);
    }
    *out_viable = viable;
    return score;
}

static int file_word_table(const char *name)
{
    char lower[256];
    snprintf(lower, sizeof lower, "%s", name);
    for (char *p = lower; *p; p++) *p = (char)tolower((unsigned char)*p);
    for (size_t i = 0; i < sizeof file_words / sizeof file_words[0]; i++)
        if (strstr(lower, file_words[i].word)) return file_words[i].table;
    return -1;
}

static void assign_tables(drafter *d)
{
    for (size_t i = 0; i < d->nfiles; i++) {
        dfile *f = &d->files[i];
        f->table = -1;
        if (!f->ncols || f->table_why[0]) continue;
        /* a profile's file pattern that names it, when its headers fit */
        for (int t = 0; d->hint && t < LP_TABLE_COUNT && f->table < 0; t++) {
            const lp_table_map *tm = &d->hint->tables[t];
            for (size_t p = 0; p < tm->nfiles && f->table < 0; p++) {
                if (fnmatch(tm->files[p], f->name, FNM_CASEFOLD)) continue;
                bool viable;
                char missing[128];
                table_fit(d, f, t, &viable, missing, sizeof missing);
                if (viable) {
                    f->table = t;
                    snprintf(f->table_why, sizeof f->table_why,
                             "the %s profile's file name %s", d->hint->profile, tm->files[p]);
                }
            }
        }
        if (f->table >= 0) continue;
        int word_table = file_word_table(f->name);
        double best = 0;
        char best_missing[128] = "", missing[128];
        int best_failed = -1;
        double best_failed_score = 0;
        for (int t = 0; t < LP_TABLE_COUNT; t++) {
            bool viable;
            double sc = table_fit(d, f, t, &viable, missing, sizeof missing);
            if (t == word_table) sc += 2;
            if (viable && sc > best) {
                best = sc;
                f->table = t;
            } else if (!viable && sc > best_failed_score) {
                best_failed_score = sc;
                best_failed = t;
                snprintf(best_missing, sizeof best_missing, "%s", missing);
            }
        }
        if (f->table >= 0) {
            snprintf(f->table_why, sizeof f->table_why, "%s%sits headers fit %s",
                     f->table == word_table ? "the file name says so; " : "",
                     "", lp_canon_table_name((lp_table_id)f->table));
        } else if (best_failed >= 0) {
            snprintf(f->table_why, sizeof f->table_why,
                     "no canonical table fits: closest is %s, but no column for %s",
                     lp_canon_table_name((lp_table_id)best_failed), best_missing);
        } else {
            snprintf(f->table_why, sizeof f->table_why, "no canonical table fits its headers");
        }
    }
}

/* ---- columns ---- */

typedef struct candidate {
    int col;              /* canonical column index */
    int header;
    double score;
    bool from_profile;    /* the profile's name: may feed several columns (fan-out) */
    char why[200];
} candidate;

static int cmp_candidates(const void *a, const void *b)
{
    const candidate *x = a, *y = b;
    if (x->score > y->score + 1e-9) return -1;
    if (x->score < y->score - 1e-9) return 1;
    if (x->header != y->header) return x->header - y->header;
    return x->col - y->col;
}

static int canon_index(int table, const char *name)
{
    size_t n;
    const lp_canon_column *cols = lp_canon_columns((lp_table_id)table, &n);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(cols[i].name, name)) return (int)i;
    return -1;
}

static int reference_target(int table, const char *column)
{
    for (size_t i = 0; i < sizeof references / sizeof references[0]; i++)
        if (references[i].table == table && !strcmp(references[i].column, column))
            return references[i].target;
    return -1;
}

/* Share of the distinct non-empty sampled values of a header found in the
 * key set of target (0 when none was built). */
static double coverage(const drafter *d, const dfile *f, size_t col, int target, size_t *out_n)
{
    const key_set *ks = &d->keys[target];
    *out_n = 0;
    if (!ks->n) return 0;
    size_t n = 0, hit = 0;
    for (size_t r = 0; r < f->nsample; r++) {
        const char *v = cell(f, r, col);
        if (!*v) continue;
        /* "Associated Contact IDs" may list several ids: the first counts */
        size_t len = strcspn(v, ";");
        n++;
        hit += key_has(ks, hash_text(v, len));
    }
    *out_n = n;
    return n ? (double)hit / (double)n : 0;
}

static bool has_word(const char *text, const char *word);

/* A stage column's values name outcomes: some say won and some lost. */
static bool outcome_values(const dfile *f, size_t col)
{
    bool won = false, lost = false;
    for (size_t r = 0; r < f->nsample && !(won && lost); r++) {
        const char *v = cell(f, r, col);
        won = won || has_word(v, "won") || has_word(v, "closedwon");
        lost = lost || has_word(v, "lost") || has_word(v, "closedlost");
    }
    return won && lost;
}

/* The candidates of one file for the columns of its table; with a profile,
 * the profile's names first. key_only: only the table's key column. */
static lp_status gather(const drafter *d, const dfile *f, bool key_only, candidate **out,
                        size_t *out_n)
{
    size_t n;
    const lp_canon_column *cols = lp_canon_columns((lp_table_id)f->table, &n);
    candidate *list = lp_calloc(n * (f->ncols + 1) + 1, sizeof *list);
    if (!list) return LP_ERR_NOMEM;
    size_t used = 0;
    for (size_t c = 0; c < n; c++) {
        const char *name = cols[c].name;
        if (key_only && (!key_column[f->table] || strcmp(name, key_column[f->table]))) continue;
        const lp_column_map *cm = NULL;
        bool profiled = profile_column_sources(d->hint, f->table, name, &cm);
        bool profile_present = false;
        for (size_t s = 0; profiled && s < cm->nsources; s++) {
            int h = header_index(f, cm->sources[s]);
            if (h < 0) continue;
            candidate *cd = &list[used++];
            cd->col = (int)c;
            cd->header = h;
            cd->score = 3.0 - 0.01 * (double)s - (profile_present ? 1.0 : 0);
            cd->from_profile = true;
            snprintf(cd->why, sizeof cd->why, "the %s profile's name for it", d->hint->profile);
            profile_present = true;
        }
        if (profile_present) continue;
        int target = reference_target(f->table, name);
        for (size_t h = 0; h < f->ncols; h++) {
            double sc = name_score(f->table, name, f->headers[h]);
            char what[96], why[200];
            if (!type_fits(f, h, cols[c].type, what, sizeof what)) continue;
            double cov = 0;
            size_t ncov = 0;
            if (target >= 0 && d->keys[target].n) cov = coverage(d, f, h, target, &ncov);
            bool by_join = target >= 0 && ncov && cov >= 0.8 && f->sniffs[h].distinct > 1;
            if (sc < NAME_THRESHOLD && !by_join) continue;
            /* with a profile, an optional column it does not map in a table
             * it maps is proposed only when the header is the canonical name
             * itself (the loader reads that anyway): the draft then
             * reproduces the profile. Required columns, and tables the
             * profile has no names for, are drafted as without one. */
            if (d->hint && !profiled && sc < 1.0 && !cols[c].required &&
                d->hint->tables[f->table].ncolumns)
                continue;
            double score = sc >= NAME_THRESHOLD ? sc : 0.4;
            if (target >= 0 && ncov) score += 0.5 * cov;
            bool outcomes = !strcmp(name, "stage") && outcome_values(f, h);
            if (outcomes) score += 0.6;
            int len = snprintf(why, sizeof why, "%s", sc >= 1.0 ? "name matches"
                               : sc >= NAME_THRESHOLD ? "name is like it" : "by its values");
            if (outcomes)
                len += snprintf(why + len, sizeof why - (size_t)len,
                                "; its values include won and lost");
            if (cols[c].type != LP_TYPE_STRING)
                len += snprintf(why + len, sizeof why - (size_t)len, "; %s", what);
            if (target >= 0 && ncov)
                snprintf(why + len, sizeof why - (size_t)len,
                         "; %.0f%% of its values are %s in %s", floor(100 * cov),
                         key_noun[target], d->keys[target].file);
            candidate *cd = &list[used++];
            cd->col = (int)c;
            cd->header = (int)h;
            cd->score = score;
            snprintf(cd->why, sizeof cd->why, "%s", why);
        }
    }
    qsort(list, used, sizeof *list, cmp_candidates);
    *out = list;
    *out_n = used;
    return LP_OK;
}

static void note_unmapped(drafter *d, int table, int col, char *text)
{
    if (!text) return;
    if (d->unmapped[table][col]) {
        lp_free(text);
        return;
    }
    d->unmapped[table][col] = text;
}

/* The note of a column the profile does not map: left unmapped so the
 * draft reads as the profile does, with the best free header by name as a
 * suggestion for the reviewer. Owned text, or NULL when out of memory. */
static char *unprofiled_note(const drafter *d, const dfile *f, int col)
{
    size_t ncols;
    const lp_canon_column *cols = lp_canon_columns((lp_table_id)f->table, &ncols);
    int best = -1;
    double best_score = NAME_THRESHOLD - 1e-9;
    char what[96] = "", best_what[96] = "";
    for (size_t h = 0; h < f->ncols; h++) {
        if (f->taken[h] >= 0) continue;
        double sc = name_score(f->table, cols[col].name, f->headers[h]);
        if (sc <= best_score || !type_fits(f, h, cols[col].type, what, sizeof what)) continue;
        best = (int)h;
        best_score = sc;
        snprintf(best_what, sizeof best_what, "%s", what);
    }
    if (best < 0)
        return dup_printf("not mapped: the %s profile does not map it, and %s has no column "
                          "named like it", d->hint->profile, f->name);
    return dup_printf("not mapped: the %s profile does not map it; %s has \"%s\" (%s%s%s), "
                      "to map here if it is one # review", d->hint->profile, f->name,
                      f->headers[best], best_score >= 1.0 ? "name matches" : "name is like it",
                      cols[col].type != LP_TYPE_STRING ? "; " : "",
                      cols[col].type != LP_TYPE_STRING ? best_what : "");
}

/* Chooses the columns of one file: greedy over the sorted candidates, then
 * the type fallback for required dates. */
static lp_status choose_columns(drafter *d, dfile *f, bool key_only)
{
    candidate *list = NULL;
    size_t n = 0, ncols;
    const lp_canon_column *cols = lp_canon_columns((lp_table_id)f->table, &ncols);
    lp_status st = gather(d, f, key_only, &list, &n);
    if (st) return st;
    for (size_t i = 0; i < n; i++) {
        candidate *cd = &list[i];
        /* a header feeds one column, unless the profile itself has it feed
         * several (users keyed by name: owner_id and name) */
        if (f->chosen[cd->col] >= 0 || (f->taken[cd->header] >= 0 && !cd->from_profile))
            continue;
        if (d->ambiguous[f->table][cd->col]) continue;
        /* an equally good other header for a required column: refuse */
        const candidate *rival = NULL;
        for (size_t j = i + 1; j < n && !rival; j++)
            if (list[j].col == cd->col && f->taken[list[j].header] < 0 &&
                fabs(list[j].score - cd->score) < TIE && list[j].header != cd->header)
                rival = &list[j];
        if (rival && cols[cd->col].required) {
            d->ambiguous[f->table][cd->col] = true;
            char *text = dup_printf("AMBIGUOUS in %s: \"%s\" (%s) and \"%s\" (%s) fit equally "
                                    "well; name the right one here", f->name,
                                    f->headers[cd->header], cd->why, f->headers[rival->header],
                                    rival->why);
            if (!text) goto nomem;
            lp_free(d->unmapped[f->table][cd->col]);
            d->unmapped[f->table][cd->col] = text;
            continue;
        }
        f->chosen[cd->col] = cd->header;
        f->taken[cd->header] = cd->col;
        f->why[cd->col] = rival ? dup_printf("%s; \"%s\" fits as well # review", cd->why,
                                             f->headers[rival->header])
                                : lp_strdup(cd->why);
        if (!f->why[cd->col]) goto nomem;
        f->review[cd->col] = rival != NULL || cd->score < 0.75;
    }
    if (key_only) goto done;
    /* required dates with no name: the only unused date column */
    for (size_t c = 0; c < ncols; c++) {
        if (f->chosen[c] >= 0 || !cols[c].required || d->ambiguous[f->table][c]) continue;
        if (cols[c].type != LP_TYPE_INSTANT && cols[c].type != LP_TYPE_DATE) continue;
        int only = -1, count = 0;
        lp_buf names = {0};
        for (size_t h = 0; h < f->ncols; h++) {
            char what[96];
            if (f->taken[h] >= 0 || !f->sniffs[h].nonempty ||
                !type_fits(f, h, cols[c].type, what, sizeof what))
                continue;
            only = (int)h;
            lp_buf_printf(&names, "%s\"%s\"", count++ ? " and " : "", f->headers[h]);
        }
        if (count == 1) {
            char what[96];
            type_fits(f, (size_t)only, cols[c].type, what, sizeof what);
            f->chosen[c] = only;
            f->taken[only] = (int)c;
            f->review[c] = true;
            f->why[c] = dup_printf("no column is named like it; the only other date column "
                                   "(%s) # review", what);
            if (!f->why[c]) {
                lp_buf_reset(&names);
                goto nomem;
            }
        } else if (count > 1) {
            d->ambiguous[f->table][c] = true;
            char *text = dup_printf("AMBIGUOUS in %s: no column is named like it, and %s are "
                                    "all dates; name the right one here", f->name, names.data);
            lp_free(d->unmapped[f->table][c]);
            d->unmapped[f->table][c] = text;
        }
        lp_buf_reset(&names);
    }
    /* why the rest stayed unmapped */
    for (size_t c = 0; c < ncols; c++) {
        if (f->chosen[c] >= 0) continue;
        const lp_column_map *cm;
        char *text;
        if (d->hint && d->hint->tables[f->table].ncolumns &&
            !profile_column_sources(d->hint, f->table, cols[c].name, &cm))
            text = unprofiled_note(d, f, (int)c);
        else if (d->hint && !d->hint->tables[f->table].ncolumns)
            text = dup_printf("not mapped: %s has no column named like it", f->name);
        else if (d->hint)
            text = dup_printf("not mapped: %s has none of the %s profile's names for it, and "
                              "no column named like it", f->name, d->hint->profile);
        else
            text = dup_printf("not mapped: %s has no column named like it", f->name);
        if (!text) goto nomem;
        note_unmapped(d, f->table, (int)c, text);
    }
done:
    lp_free(list);
    return LP_OK;
nomem:
    lp_free(list);
    return LP_ERR_NOMEM;
}

/* ---- passes 2 and 3: key sets and distinct values ---- */

typedef struct scan_reader {
    dfile *file;
    int key_col;          /* header index whose values go into keys, or -1 */
    key_set *keys;
    int value_cols[4];    /* header indexes whose distinct values are counted */
    distinct_set *sets[4];
    size_t nvalue_cols;
} scan_reader;

static lp_status scan_header(void *ctx, const lp_csv_record *h, const lp_csv_dialect *dl)
{
    (void)ctx;
    (void)h;
    (void)dl;
    return LP_OK;
}

static lp_status distinct_add(distinct_set *ds, const char *s, size_t len)
{
    const char *start;
    len = lp_value_trim(s, len, &start);
    if (!len) {
        ds->blank++;
        return LP_OK;
    }
    for (size_t i = ds->n; i-- > 0;) {
        const char *v = ds->values[i].value;
        if (strlen(v) == len && !strncasecmp(v, start, len)) {
            ds->values[i].count++;
            return LP_OK;
        }
    }
    if (ds->n >= MAX_DISTINCT) {
        ds->more++;
        return LP_OK;
    }
    value_count *grown = lp_realloc(ds->values, (ds->n + 1) * sizeof *grown);
    if (!grown) return LP_ERR_NOMEM;
    ds->values = grown;
    if (!(grown[ds->n].value = lp_strndup(start, len))) return LP_ERR_NOMEM;
    grown[ds->n++].count = 1;
    return LP_OK;
}

static lp_status scan_record(void *chunk, const lp_csv_record *rec)
{
    scan_reader *r = chunk;
    if (rec->nfields != r->file->ncols) return LP_OK;
    lp_status st = LP_OK;
    if (r->key_col >= 0) {
        const char *v = rec->fields[r->key_col];
        size_t len = rec->lens[r->key_col];
        const char *start;
        if (lp_value_trim(v, len, &start)) st = key_add(r->keys, hash_text(v, len));
    }
    for (size_t i = 0; !st && i < r->nvalue_cols; i++)
        st = distinct_add(r->sets[i], rec->fields[r->value_cols[i]], rec->lens[r->value_cols[i]]);
    return st;
}

static lp_status scan_file(dfile *f, scan_reader *r)
{
    r->file = f;
    lp_csv_handler h = {
        .ctx = r,
        .header = scan_header,
        .chunk_new = sample_chunk_new,
        .record = scan_record,
        .chunk_done = chunk_done_noop,
        .chunk_free = chunk_free_noop,
    };
    lp_csv_options o = {.threads = 1, .label = f->name};
    char err[LP_ERRMSG_SIZE];
    lp_status st = lp_csv_read(f->path, &o, &h, NULL, err);
    return st == LP_ERR_NOMEM ? st : LP_OK;
}

static lp_status build_keys(drafter *d)
{
    for (size_t i = 0; i < d->nfiles; i++) {
        dfile *f = &d->files[i];
        if (f->table < 0 || !key_column[f->table]) continue;
        int k = canon_index(f->table, key_column[f->table]);
        if (f->chosen[k] < 0) continue;
        scan_reader r = {.key_col = f->chosen[k], .keys = &d->keys[f->table]};
        lp_status st = scan_file(f, &r);
        if (st) return st;
        key_set *ks = &d->keys[f->table];
        size_t used = strlen(ks->file);
        if (used + strlen(f->name) + 3 < sizeof ks->file)
            snprintf(ks->file + used, sizeof ks->file - used, "%s%s", used ? ", " : "", f->name);
    }
    return LP_OK;
}

/* ---- value meanings ---- */

static bool has_word(const char *text, const char *word)
{
    char words[16][48];
    size_t n = words_of(text, words, 16);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(words[i], word)) return true;
    return false;
}

static bool in_list(char *const *list, size_t n, const char *value)
{
    const char *start;
    size_t len = lp_value_trim(value, strlen(value), &start);
    for (size_t i = 0; i < n; i++)
        if (strlen(list[i]) == len && !strncasecmp(list[i], start, len)) return true;
    return false;
}

static const char *profile_value(const lp_mapping *m, const char *column, const char *value)
{
    for (size_t i = 0; m && i < m->nvalues; i++) {
        if (strcmp(m->values[i].column, column)) continue;
        for (size_t k = 0; k < m->values[i].n; k++)
            if (!strcasecmp(m->values[i].from[k], value)) return m->values[i].to[k];
    }
    return NULL;
}

/* Proposed stage meaning and why; review set for a guess. */
static const char *stage_meaning(const char *value, const char **why, bool *review)
{
    *review = false;
    bool won = has_word(value, "won") || has_word(value, "win") || has_word(value, "closedwon");
    bool lost = has_word(value, "lost") || has_word(value, "lose") ||
                has_word(value, "closedlost") || has_word(value, "dead");
    if (won && !lost) return *why = "the word won", "won";
    if (lost && !won) return *why = "the word lost", "lost";
    if (has_word(value, "open")) return *why = "the word open", "open";
    *review = true;
    if (has_word(value, "closed") || has_word(value, "close"))
        return *why = "closed, but neither won nor lost", "lost";
    return *why = "no won or lost word, so still open", "open";
}

/* Canonical source names proposed for other spellings, by a word. */
static const struct {
    const char *word;
    const char *source;
} source_words[] = {
    {"google", "Paid Search"}, {"adwords", "Paid Search"}, {"ppc", "Paid Search"},
    {"paid", "Paid Search"},   {"seo", "Organic Search"},  {"organic", "Organic Search"},
    {"linkedin", "Social"},    {"facebook", "Social"},     {"twitter", "Social"},
    {"social", "Social"},      {"newsletter", "Email"},    {"website", "Website"},
    {"web", "Web"},            {"direct", "Web"},          {"webinar", "Webinar"},
    {"tradeshow", "Event"},    {"conference", "Event"},    {"event", "Event"},
    {"referral", "Referral"},  {"referrals", "Referral"},  {"chat", "Chat"},
    {"partner", "Partner"},    {"partners", "Partner"},    {"reseller", "Reseller"},
};

static const char *source_meaning(const drafter *d, const char *value, const char **to,
                                  char *why, size_t size, bool *review)
{
    const lp_settings *s = d->settings;
    *review = false;
    *to = value;
    const char *mapped = profile_value(d->hint, "source", value);
    if (mapped) *to = mapped;
    const char *channel;
    if (in_list(s->inbound_sources, s->n_inbound_sources, *to)) channel = "inbound";
    else if (in_list(s->partner_sources, s->n_partner_sources, *to)) channel = "partner";
    else channel = NULL;
    if (channel) {
        if (mapped && strcasecmp(mapped, value))
            snprintf(why, size, "%s (the %s profile reads it as %s)", channel, d->hint->profile,
                     mapped);
        else
            snprintf(why, size, "%s (one of the %s sources)", channel, channel);
        return channel;
    }
    for (size_t i = 0; !mapped && i < sizeof source_words / sizeof source_words[0]; i++) {
        if (!has_word(value, source_words[i].word)) continue;
        *to = source_words[i].source;
        *review = true;
        bool inbound = in_list(s->inbound_sources, s->n_inbound_sources, *to);
        channel = inbound ? "inbound" : "partner";
        snprintf(why, size, "%s, read as %s by the word \"%s\"", channel, *to,
                 source_words[i].word);
        return channel;
    }
    bool outbound_word = has_word(value, "outbound") || has_word(value, "cold") ||
                         has_word(value, "prospecting") || has_word(value, "list") ||
                         has_word(value, "sdr") || has_word(value, "bdr");
    *review = !outbound_word;
    snprintf(why, size, "outbound (neither an inbound nor a partner source)");
    return "outbound";
}

static const char *type_meaning(const char *value, bool *review)
{
    *review = false;
    if (has_word(value, "call") || has_word(value, "phone")) return "call";
    if (has_word(value, "email") || has_word(value, "mail")) return "email";
    if (has_word(value, "meeting") || has_word(value, "demo") || has_word(value, "event") ||
        has_word(value, "lunch") || has_word(value, "visit"))
        return "meeting";
    *review = true;
    return "other";
}

/* ---- YAML text ---- */

/* Appends s as a YAML scalar, quoted when plain style could misread it. */
static void put_scalar(lp_buf *b, const char *s)
{
    static const char *const words[] = {"true", "false", "yes", "no", "on", "off", "null",
                                         "y", "n", "~"};
    bool quote = !*s || isspace((unsigned char)s[0]) || isspace((unsigned char)s[strlen(s) - 1]);
    for (const char *p = s; *p && !quote; p++)
        quote = !(isalnum((unsigned char)*p) || strchr(" _./()-+", *p) || (*p & 0x80));
    quote = quote || s[0] == '-' || s[0] == '.' || s[0] == '+';
    for (size_t i = 0; i < sizeof words / sizeof words[0] && !quote; i++)
        quote = !strcasecmp(s, words[i]);
    if (!quote) {
        lp_buf_puts(b, s);
        return;
    }
    lp_buf_puts(b, "\"");
    for (const char *p = s; *p; p++) {
        if (*p == '"' || *p == '\\') lp_buf_printf(b, "\\%c", *p);
        else if ((unsigned char)*p < 0x20) lp_buf_printf(b, "\\x%02x", (unsigned char)*p);
        else lp_buf_append(b, p, 1);
    }
    lp_buf_puts(b, "\"");
}

/* A comment's text on one line. */
static void put_comment(lp_buf *b, const char *s)
{
    for (const char *p = s; *p; p++) lp_buf_append(b, (*p == '\n' || *p == '\r') ? " " : p, 1);
}

static void put_count(lp_buf *b, size_t n)
{
    char digits[32], out[48];
    snprintf(digits, sizeof digits, "%zu", n);
    size_t len = strlen(digits), o = 0;
    for (size_t i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0) out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
    lp_buf_puts(b, out);
}

/* Sources of a canonical column over the files of a table, ordered so that
 * each file's choice comes before any other listed header the file also has
 * (the loader takes the first present). */
static size_t ordered_sources(const drafter *d, int table, int col, const char **out,
                              size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < d->nfiles; i++) {
        const dfile *f = &d->files[i];
        if (f->table != table || f->chosen[col] < 0) continue;
        const char *name = f->headers[f->chosen[col]];
        bool seen = false;
        for (size_t k = 0; k < n && !seen; k++) seen = !strcasecmp(out[k], name);
        if (!seen && n < max) out[n++] = name;
    }
    /* bubble a header before another when some file chose it and has both */
    for (size_t pass = 0; pass < n; pass++) {
        for (size_t k = 0; k + 1 < n; k++) {
            bool swap = false;
            for (size_t i = 0; i < d->nfiles && !swap; i++) {
                const dfile *f = &d->files[i];
                if (f->table != table || f->chosen[col] < 0) continue;
                swap = !strcasecmp(f->headers[f->chosen[col]], out[k + 1]) &&
                       header_index(f, out[k]) >= 0;
            }
            if (swap) {
                const char *t = out[k];
                out[k] = out[k + 1];
                out[k + 1] = t;
            }
        }
    }
    return n;
}

/* commented: the map is shown for review but not applied (a stage map
 * beside exported is_won/is_closed columns would rename the stages). */
static void write_value_entries(drafter *d, lp_buf *b, const char *column, distinct_set *ds,
                                const char *where, bool commented)
{
    const char *lead = commented ? "  # " : "    ";
    if (commented)
        lp_buf_printf(b, "  # %s: (not needed: is_won and is_closed are exported, and a map "
                         "here would replace the stage names) %s\n", column, where);
    else
        lp_buf_printf(b, "  %s:   # %s\n", column, where);
    bool any = false;
    for (size_t i = 0; i < ds->n; i++) {
        const char *v = ds->values[i].value, *to = v, *why = "";
        char whybuf[200] = "";
        bool review = false;
        const char *mapped = profile_value(d->hint, column, v);
        if (!strcmp(column, "stage")) {
            if (mapped) {
                to = mapped;
                snprintf(whybuf, sizeof whybuf, "the %s profile's meaning", d->hint->profile);
                why = whybuf;
            } else {
                to = stage_meaning(v, &why, &review);
            }
        } else if (!strcmp(column, "source")) {
            source_meaning(d, v, &to, whybuf, sizeof whybuf, &review);
            why = whybuf;
        } else if (!strcmp(column, "type")) {
            if (mapped) {
                to = mapped;
                why = "the profile's meaning";
            } else {
                to = type_meaning(v, &review);
                why = review ? "not a call, email or meeting word" : "by its word";
            }
        } else if (!strcmp(column, "is_partner")) {
            bool flag;
            if (mapped) {
                to = mapped;
                why = "the profile's meaning";
            } else if (lp_value_parse_bool(v, strlen(v), &flag)) {
                to = flag ? "true" : "false";
                why = "a yes/no value";
            } else {
                bool partner = has_word(v, "partner") || has_word(v, "powerpartner");
                to = partner ? "true" : "false";
                why = partner ? "the word partner" : "not a partner word";
                review = !partner;
            }
        }
        lp_buf_puts(b, lead);
        put_scalar(b, v);
        lp_buf_puts(b, ": ");
        put_scalar(b, to);
        lp_buf_puts(b, "   # ");
        put_count(b, ds->values[i].count);
        lp_buf_printf(b, " row%s; ", ds->values[i].count == 1 ? "" : "s");
        put_comment(b, why);
        if (review && !commented) {
            lp_buf_puts(b, " # review");
            d->summary.review++;
        }
        lp_buf_puts(b, "\n");
        any = true;
    }
    /* the profile's other entries, so a later export with them still reads */
    for (size_t i = 0; d->hint && i < d->hint->nvalues; i++) {
        const lp_value_map *vm = &d->hint->values[i];
        if (strcmp(vm->column, column)) continue;
        bool header = false;
        for (size_t k = 0; k < vm->n; k++) {
            bool found = false;
            for (size_t j = 0; j < ds->n && !found; j++)
                found = !strcasecmp(ds->values[j].value, vm->from[k]);
            if (found) continue;
            if (!header)
                lp_buf_printf(b, "    # from the %s profile, not in these files:\n",
                              d->hint->profile);
            header = true;
            lp_buf_puts(b, "    ");
            put_scalar(b, vm->from[k]);
            lp_buf_puts(b, ": ");
            put_scalar(b, vm->to[k]);
            lp_buf_puts(b, "\n");
            any = true;
        }
    }
    if (ds->more)
        lp_buf_printf(b, "    # ... and %zu more rows with values past the first %d distinct "
                         "ones (not listed) # review\n", ds->more, MAX_DISTINCT);
    if (ds->blank) {
        lp_buf_puts(b, "    # ");
        put_count(b, ds->blank);
        lp_buf_printf(b, " row%s with the value empty\n", ds->blank == 1 ? "" : "s");
    }
    if (!any && !commented) lp_buf_puts(b, "    {}\n");
}

static void distinct_free(distinct_set *ds)
{
    for (size_t i = 0; i < ds->n; i++) lp_free(ds->values[i].value);
    lp_free(ds->values);
    memset(ds, 0, sizeof *ds);
}

/* Counts the distinct values of a canonical column over the files of its
 * tables and writes its value map. */
static lp_status write_values_for(drafter *d, lp_buf *b, const char *column,
                                  const int *tables, size_t ntables, bool *started,
                                  bool commented)
{
    distinct_set ds = {0};
    lp_buf where = {0};
    bool found = false;
    for (size_t t = 0; t < ntables; t++) {
        int col = canon_index(tables[t], column);
        if (col < 0) continue;
        for (size_t i = 0; i < d->nfiles; i++) {
            dfile *f = &d->files[i];
            if (f->table != tables[t] || f->chosen[col] < 0) continue;
            scan_reader r = {.key_col = -1, .nvalue_cols = 1};
            r.value_cols[0] = f->chosen[col];
            r.sets[0] = &ds;
            lp_status st = scan_file(f, &r);
            if (st) {
                distinct_free(&ds);
                lp_buf_reset(&where);
                return st;
            }
            lp_buf_printf(&where, "%s%s.%s = %s in %s", found ? "; " : "",
                          lp_canon_table_name((lp_table_id)tables[t]), column,
                          f->headers[f->chosen[col]], f->name);
            found = true;
        }
    }
    if (found) {
        if (!*started && !commented) lp_buf_puts(b, "values:\n");
        if (!commented) *started = true;
        write_value_entries(d, b, column, &ds, where.data ? where.data : "", commented);
    }
    lp_status st = where.failed ? LP_ERR_NOMEM : LP_OK;
    distinct_free(&ds);
    lp_buf_reset(&where);
    return st;
}

/* The profile's value maps of other columns (responded, is_won, ...), kept
 * whole so a draft reads values as the profile does. */
static void write_other_profile_values(drafter *d, lp_buf *b, bool *started)
{
    static const char *const handled[] = {"stage", "source", "type", "is_partner"};
    for (size_t i = 0; d->hint && i < d->hint->nvalues; i++) {
        const lp_value_map *vm = &d->hint->values[i];
        bool skip = false;
        for (size_t h = 0; h < 4 && !skip; h++) skip = !strcmp(vm->column, handled[h]);
        if (skip || !vm->n) continue;
        if (!*started) lp_buf_puts(b, "values:\n");
        *started = true;
        lp_buf_printf(b, "  %s:   # the %s profile's map\n", vm->column, d->hint->profile);
        for (size_t k = 0; k < vm->n; k++) {
            lp_buf_puts(b, "    ");
            put_scalar(b, vm->from[k]);
            lp_buf_puts(b, ": ");
            put_scalar(b, vm->to[k]);
            lp_buf_puts(b, "\n");
        }
    }
}

static lp_status write_yaml(drafter *d, lp_buf *b)
{
    const lp_draft_options *o = d->opt;
    lp_buf_printf(b, "# Draft mapping written by `leadpack map` for %s.\n", o->input_dir);
    lp_buf_puts(b, "# Review every line marked \"# review\" and every AMBIGUOUS or \"not mapped\"\n"
                   "# comment, then:  leadpack check --input DIR --mapping THIS_FILE\n");
    if (d->hint)
        lp_buf_printf(b, "# Drafted from the %s profile (%s);\n# written out whole so this file "
                         "stands alone; columns it does not map stay unmapped.\n",
                      d->hint->profile, d->hint_why);
    else
        lp_buf_printf(b, "# No profile fits these headers (%s);\n# drafted from names, sniffed "
                         "value types and joins alone.\n", d->hint_why);
    lp_buf_puts(b, "description: ");
    put_scalar(b, "Draft mapping by leadpack map");
    lp_buf_puts(b, "\nfiles:\n");
    for (int t = 0; t < LP_TABLE_COUNT; t++) {
        size_t count = 0;
        for (size_t i = 0; i < d->nfiles; i++) count += d->files[i].table == t;
        if (!count) continue;
        d->summary.tables++;
        lp_buf_printf(b, "  %s: [", lp_canon_table_name((lp_table_id)t));
        size_t k = 0;
        for (size_t i = 0; i < d->nfiles; i++) {
            if (d->files[i].table != t) continue;
            if (k++) lp_buf_puts(b, ", ");
            put_scalar(b, d->files[i].name);
        }
        lp_buf_puts(b, "]\n");
        for (size_t i = 0; i < d->nfiles; i++) {
            if (d->files[i].table != t) continue;
            lp_buf_printf(b, "  #   %s (", d->files[i].name);
            put_count(b, d->files[i].nrows);
            lp_buf_puts(b, " rows): ");
            put_comment(b, d->files[i].table_why);
            lp_buf_puts(b, "\n");
        }
    }
    bool header = false;
    for (size_t i = 0; i < d->nfiles; i++) {
        if (d->files[i].table >= 0) continue;
        if (!header) lp_buf_puts(b, "# Files not mapped:\n");
        header = true;
        lp_buf_printf(b, "#   %s: ", d->files[i].name);
        put_comment(b, d->files[i].table_why);
        lp_buf_puts(b, "\n");
    }
    header = false;
    static const char *const table_needs[LP_TABLE_COUNT] = {
        "lead_id and created_at", "campaign_id and name", "lead_id, campaign_id and touched_at",
        "lead_id and at", "opportunity_id, created_at and stage", "owner_id",
        "period and measure",
    };
    for (int t = 0; t < LP_TABLE_COUNT; t++) {
        bool present = false;
        for (size_t i = 0; i < d->nfiles && !present; i++) present = d->files[i].table == t;
        if (present) continue;
        if (!header) lp_buf_puts(b, "# Tables with no file (their figures are switched off):\n");
        header = true;
        lp_buf_printf(b, "#   %s: no file has the columns it needs (%s)\n",
                      lp_canon_table_name((lp_table_id)t), table_needs[t]);
    }
    lp_buf_puts(b, "columns:\n");
    for (int t = 0; t < LP_TABLE_COUNT; t++) {
        bool present = false;
        for (size_t i = 0; i < d->nfiles && !present; i++) present = d->files[i].table == t;
        if (!present) continue;
        size_t ncols, mapped = 0;
        const lp_canon_column *cols = lp_canon_columns((lp_table_id)t, &ncols);
        for (size_t c = 0; c < ncols; c++) {
            const char *srcs[MAX_FILES];
            mapped += ordered_sources(d, t, (int)c, srcs, MAX_FILES) > 0;
        }
        lp_buf_printf(b, "  %s:%s\n", lp_canon_table_name((lp_table_id)t), mapped ? "" : " {}");
        for (size_t c = 0; c < ncols; c++) {
            const char *srcs[MAX_FILES];
            size_t n = ordered_sources(d, t, (int)c, srcs, MAX_FILES);
            if (!n) {
                lp_buf_printf(b, "    # %s%s: ", cols[c].name, cols[c].required ? " (required)"
                                                                            : "");
                put_comment(b, d->unmapped[t][c] ? d->unmapped[t][c] : "not mapped");
                lp_buf_puts(b, "\n");
                if (d->ambiguous[t][c]) d->summary.ambiguous++;
                continue;
            }
            d->summary.columns++;
            lp_buf_printf(b, "    %s: ", cols[c].name);
            if (n == 1) {
                put_scalar(b, srcs[0]);
            } else {
                lp_buf_puts(b, "[");
                for (size_t k = 0; k < n; k++) {
                    if (k) lp_buf_puts(b, ", ");
                    put_scalar(b, srcs[k]);
                }
                lp_buf_puts(b, "]");
            }
            /* the reason: from the first file, naming others when they differ */
            bool first = true, review = false;
            for (size_t i = 0; i < d->nfiles; i++) {
                const dfile *f = &d->files[i];
                if (f->table != t || f->chosen[c] < 0) continue;
                if (first) {
                    lp_buf_puts(b, "   # ");
                    if (n > 1 || d->summary.files > 1) lp_buf_printf(b, "%s: ", f->name);
                    put_comment(b, f->why[c]);
                } else if (n > 1) {
                    lp_buf_printf(b, "; %s: %s", f->name, f->headers[f->chosen[c]]);
                }
                review = review || f->review[c];
                first = false;
            }
            if (review && !strstr(b->data ? b->data + b->len - 12 : "", "# review")) {
                lp_buf_puts(b, " # review");
            }
            if (review) d->summary.review++;
            lp_buf_puts(b, "\n");
        }
    }
    /* the profile's defaults (a constant where no source column is present) */
    bool defaults_started = false;
    for (int t = 0; d->hint && t < LP_TABLE_COUNT; t++) {
        bool present = false, table_started = false;
        for (size_t i = 0; i < d->nfiles && !present; i++) present = d->files[i].table == t;
        const lp_table_map *tm = &d->hint->tables[t];
        for (size_t c = 0; present && c < tm->ncolumns; c++) {
            if (!tm->columns[c].default_value) continue;
            if (!defaults_started) lp_buf_puts(b, "defaults:   # the profile's\n");
            if (!table_started)
                lp_buf_printf(b, "  %s:\n", lp_canon_table_name((lp_table_id)t));
            defaults_started = table_started = true;
            lp_buf_printf(b, "    %s: ", tm->columns[c].canonical);
            put_scalar(b, tm->columns[c].default_value);
            lp_buf_puts(b, "\n");
        }
    }
    bool started = false;
    static const int stage_tables[] = {LP_OPPORTUNITIES};
    static const int source_tables[] = {LP_LEADS, LP_OPPORTUNITIES};
    static const int type_tables[] = {LP_ACTIVITIES};
    static const int partner_tables[] = {LP_USERS};
    /* with is_won and is_closed in every opportunities file, the stage map
     * would only rename the stages: shown, not applied (unless the profile
     * has one, which the draft then keeps to read as the profile does) */
    bool flags = false;
    for (size_t i = 0; i < d->nfiles; i++) {
        const dfile *f = &d->files[i];
        if (f->table != LP_OPPORTUNITIES) continue;
        flags = f->chosen[canon_index(LP_OPPORTUNITIES, "is_won")] >= 0 &&
                f->chosen[canon_index(LP_OPPORTUNITIES, "is_closed")] >= 0;
        if (!flags) break;
    }
    bool profile_stage = false;
    for (size_t i = 0; d->hint && i < d->hint->nvalues; i++)
        profile_stage = profile_stage || (!strcmp(d->hint->values[i].column, "stage") &&
                                          d->hint->values[i].n);
    lp_status st = write_values_for(d, b, "stage", stage_tables, 1, &started,
                                    flags && !profile_stage);
    if (!st) st = write_values_for(d, b, "source", source_tables, 2, &started, false);
    if (!st) st = write_values_for(d, b, "type", type_tables, 1, &started, false);
    if (!st) st = write_values_for(d, b, "is_partner", partner_tables, 1, &started, false);
    if (st) return st;
    write_other_profile_values(d, b, &started);
    /* report footers */
    bool footer = false;
    if (d->hint && d->hint->nskip_footer) {
        lp_buf_puts(b, "skip_footer:   # the profile's report footers\n");
        for (size_t i = 0; i < d->hint->nskip_footer; i++) {
            lp_buf_puts(b, "  - ");
            put_scalar(b, d->hint->skip_footer[i]);
            lp_buf_puts(b, "\n");
        }
        footer = true;
    }
    for (size_t i = 0; i < d->nfiles && !footer; i++) {
        if (!d->files[i].footer || d->files[i].table < 0) continue;
        lp_buf_puts(b, "skip_footer:   # lines after the rows with fewer fields # review\n");
        for (size_t k = i; k < d->nfiles; k++) {
            if (!d->files[k].footer || d->files[k].table < 0) continue;
            bool listed = false;
            for (size_t j = i; j < k && !listed; j++)
                listed = d->files[j].footer && d->files[j].table >= 0 &&
                         !strcmp(d->files[j].footer, d->files[k].footer);
            if (listed) continue;
            lp_buf_puts(b, "  - ");
            put_scalar(b, d->files[k].footer);
            lp_buf_printf(b, "   # %s\n", d->files[k].name);
        }
        footer = true;
    }
    lp_buf_printf(b, "date_order: %s   # %s\n", d->order_text,
                  d->hint ? "the profile's" : "from the dates sampled (mdy unless a day or "
                                              "year comes first)");
    lp_buf_puts(b, "headers:   # the header lines this draft was made from: run and check warn, "
                   "naming the columns, when they change\n");
    for (size_t i = 0; i < d->nfiles; i++) {
        const dfile *f = &d->files[i];
        if (f->table < 0 || !f->nprint) continue;
        char hex[65];
        lp_header_fingerprint(f->print_names, f->nprint, hex);
        lp_buf_puts(b, "  ");
        put_scalar(b, f->name);
        lp_buf_printf(b, ":\n    sha256: %s\n    columns: [", hex);
        for (size_t c = 0; c < f->nprint; c++) {
            if (c) lp_buf_puts(b, ", ");
            put_scalar(b, f->print_names[c]);
        }
        lp_buf_puts(b, "]\n");
    }
    return b->failed ? LP_ERR_NOMEM : LP_OK;
}

/* ---- driver ---- */

static void drafter_free(drafter *d)
{
    for (size_t i = 0; i < d->nfiles; i++) {
        dfile *f = &d->files[i];
        lp_free(f->name);
        lp_free(f->path);
        for (size_t c = 0; f->headers && c < f->ncols; c++) lp_free(f->headers[c]);
        lp_free(f->headers);
        /* a row cut short by a failed allocation sits past nsample */
        size_t rows = f->nsample < SAMPLE_ROWS ? f->nsample + 1 : SAMPLE_ROWS;
        for (size_t k = 0; f->cells && k < rows * f->ncols; k++) lp_free(f->cells[k]);
        lp_free(f->cells);
        lp_free(f->sniffs);
        lp_free(f->taken);
        lp_free(f->footer);
        for (size_t c = 0; c < LP_CANON_MAX_COLUMNS; c++) lp_free(f->why[c]);
        if (f->print_names) lp_detect_header_free(f->print_names, f->nprint);
    }
    for (int t = 0; t < LP_TABLE_COUNT; t++) {
        lp_free(d->keys[t].slots);
        for (size_t c = 0; c < LP_CANON_MAX_COLUMNS; c++) lp_free(d->unmapped[t][c]);
    }
    lp_mapping_free(d->hint);
    if (d->own_defaults) lp_settings_clear(&d->defaults);
}

static void decide_order(drafter *d)
{
    if (d->hint) {
        snprintf(d->order_text, sizeof d->order_text, "%s", d->hint->date_order);
    } else {
        int dmy = 0, mdy = 0, ymd = 0;
        for (size_t i = 0; i < d->nfiles; i++) {
            const dfile *f = &d->files[i];
            for (size_t r = 0; r < f->nsample && r < 1000; r++)
                for (size_t c = 0; c < f->ncols; c++) vote_order(cell(f, r, c), &dmy, &mdy, &ymd);
        }
        const char *text = dmy > mdy ? "dmy" : (mdy || !ymd) ? "mdy" : "ymd";
        if (d->settings->day_first) text = "dmy";
        snprintf(d->order_text, sizeof d->order_text, "%s", text);
    }
    lp_date_order_parse(d->order_text, &d->order);
}

lp_status lp_mapping_draft(const lp_draft_options *options, lp_buf *out_yaml,
                           lp_draft_summary *out_summary, char *errmsg)
{
    drafter *d = lp_calloc(1, sizeof *d);
    if (!d) return LP_ERR_NOMEM;
    lp_status st = LP_OK;
    struct dirent **entries = NULL;
    int nentries = -1;
    d->opt = options;
    d->errmsg = errmsg;
    if (options->settings) {
        d->settings = options->settings;
    } else {
        if ((st = lp_settings_init(&d->defaults))) goto cleanup;
        d->own_defaults = true;
        d->settings = &d->defaults;
    }
    /* the profile: given, or the one whose headers fit (none is fine) */
    char *detected = NULL;
    if (options->profile && !strcmp(options->profile, "none")) {
        snprintf(d->hint_why, sizeof d->hint_why, "--profile none");
    } else if (options->profile) {
        st = lp_mapping_load(options->profiles_dir, options->profile, NULL, &d->hint, errmsg);
        if (st) goto cleanup;
        snprintf(d->hint_why, sizeof d->hint_why, "given with --profile");
    } else {
        char reason[400] = "";
        lp_status ds = lp_mapping_detect(options->profiles_dir, options->input_dir, &detected,
                                         reason, sizeof reason);
        if (ds == LP_ERR_NOMEM) {
            st = ds;
            goto cleanup;
        }
        if (ds == LP_OK) {
            st = lp_mapping_load(options->profiles_dir, detected, NULL, &d->hint, errmsg);
            lp_free(detected);
            if (st) goto cleanup;
            snprintf(d->hint_why, sizeof d->hint_why, "detected from %s", reason);
        } else {
            snprintf(d->hint_why, sizeof d->hint_why, "%s",
                     reason[0] ? reason : "no profile's detect headers are present");
        }
    }
    nentries = scandir(options->input_dir, &entries, csv_filter, alphasort);
    if (nentries < 0) {
        lp_errmsg_set(errmsg, "%s: cannot read the folder", options->input_dir);
        st = LP_ERR_IO;
        goto cleanup;
    }
    for (int i = 0; i < nentries && d->nfiles < MAX_FILES; i++) {
        dfile *f = &d->files[d->nfiles++];
        f->table = -1;
        for (size_t c = 0; c < LP_CANON_MAX_COLUMNS; c++) f->chosen[c] = -1;
        lp_buf p = {0};
        lp_buf_printf(&p, "%s/%s", options->input_dir, entries[i]->d_name);
        f->path = p.data;
        f->name = lp_strdup(entries[i]->d_name);
        if (p.failed || !f->name) {
            st = LP_ERR_NOMEM;
            goto cleanup;
        }
    }
    d->summary.files = d->nfiles;
    if (!d->nfiles) {
        lp_errmsg_set(errmsg, "%s holds no CSV files (.csv, .tsv or .txt)", options->input_dir);
        st = LP_ERR_INPUT;
        goto cleanup;
    }
    for (size_t i = 0; i < d->nfiles; i++)
        if ((st = read_sample(d, &d->files[i]))) goto cleanup;
    decide_order(d);
    for (size_t i = 0; i < d->nfiles; i++)
        if (d->files[i].ncols) sniff_file(d, &d->files[i]);
    assign_tables(d);
    for (size_t i = 0; i < d->nfiles; i++) d->summary.files_mapped += d->files[i].table >= 0;
    if (!d->summary.files_mapped) {
        lp_errmsg_set(errmsg, "%s: no file fits a canonical table (%s: %s)", options->input_dir,
                      d->files[0].name, d->files[0].table_why);
        st = LP_ERR_INPUT;
        goto cleanup;
    }
    /* keys first, then their sets, then every column with join coverage */
    for (size_t i = 0; i < d->nfiles; i++)
        if (d->files[i].table >= 0 && (st = choose_columns(d, &d->files[i], true))) goto cleanup;
    if ((st = build_keys(d))) goto cleanup;
    for (size_t i = 0; i < d->nfiles; i++)
        if (d->files[i].table >= 0 && (st = choose_columns(d, &d->files[i], false)))
            goto cleanup;
    if (d->hint)
        snprintf(d->summary.profile, sizeof d->summary.profile, "%s", d->hint->profile);
    st = write_yaml(d, out_yaml);
    if (!st && out_summary) *out_summary = d->summary;
cleanup:
    for (int i = 0; i < nentries; i++) free(entries[i]);
    free(entries);
    drafter_free(d);
    lp_free(d);
    return st;
}
