/*
 * Settings that change definitions (settings.h): defaults from templates/DEFINITIONS.md,
 * a YAML reader that rejects unknown keys and bad values with the line, and
 * the key/value listing printed on the workbook's Parameters sheet.
 *
 * A load works on a deep copy and swaps it in only on success, so a settings
 * file with an error leaves the caller's settings as they were.
 */
#include "lp/settings.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lp/yaml.h"

static const char *const default_inbound[] = {
    "web", "website", "organic search", "paid search", "social", "email",
    "content", "webinar", "event", "chat", "referral",
};
static const char *const default_partner[] = {
    "partner", "partner referral", "reseller", "channel",
};
static const char *const attribution_names[LP_ATTR_COUNT] = {
    "first_touch", "last_touch", "linear", "u_shaped", "w_shaped",
};
static const char *const day_keys[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
static const char *const day_long[7] = {"monday", "tuesday", "wednesday", "thursday",
                                        "friday", "saturday", "sunday"};

const char *lp_attribution_name(lp_attribution model)
{
    return (unsigned)model < LP_ATTR_COUNT ? attribution_names[model] : "unknown";
}

static void free_list(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++) lp_free(list[i]);
    lp_free(list);
}

/* Copies n strings, lower-cased and trimmed when normalise is set. */
static lp_status copy_list(const char *const *src, size_t n, bool normalise,
                           char ***out_list)
{
    char **list = lp_calloc(n ? n : 1, sizeof *list);
    if (!list) return LP_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        const char *s = src[i];
        size_t len = strlen(s);
        if (normalise) {
            while (len && isspace((unsigned char)*s)) s++, len--;
            while (len && isspace((unsigned char)s[len - 1])) len--;
        }
        list[i] = lp_strndup(s, len);
        if (!list[i]) {
            free_list(list, i);
            return LP_ERR_NOMEM;
        }
        if (normalise)
            for (char *p = list[i]; *p; p++) *p = (char)tolower((unsigned char)*p);
    }
    *out_list = list;
    return LP_OK;
}

static lp_status dup_opt(const char *s, char **out)
{
    *out = NULL;
    if (!s) return LP_OK;
    *out = lp_strdup(s);
    return *out ? LP_OK : LP_ERR_NOMEM;
}

lp_status lp_settings_init(lp_settings *settings)
{
    memset(settings, 0, sizeof *settings);
    snprintf(settings->time_zone, sizeof settings->time_zone, "UTC");
    settings->calendar.kind = LP_PERIOD_WEEK;
    settings->calendar.fiscal_start_month = 1;
    settings->qualification = LP_QUALIFY_NONE;
    settings->qualify_score = 0;
    settings->sla_hours = 24;
    settings->business_hours.enabled = false;
    for (int d = 0; d < 7; d++) {
        settings->business_hours.start_minute[d] = d < 5 ? 9 * 60 : 0;
        settings->business_hours.end_minute[d] = d < 5 ? 17 * 60 : 0;
    }
    settings->followup_activities = 3;
    settings->followup_days = 7;
    settings->sla_min_leads = 5;
    settings->attribution = LP_ATTR_FIRST_TOUCH;
    snprintf(settings->currency, sizeof settings->currency, "USD");
    settings->sla_target = 0.95;
    snprintf(settings->paper, sizeof settings->paper, "A4");
    settings->mail_starttls = true;
    settings->mail_max_mb = 10;
    settings->max_file_bytes = (size_t)8 << 30;
    settings->max_field_bytes = (size_t)1 << 20;
    settings->max_columns = 2000;
    snprintf(settings->db_mode, sizeof settings->db_mode, "copy");
    size_t ni = sizeof default_inbound / sizeof default_inbound[0];
    size_t np = sizeof default_partner / sizeof default_partner[0];
    lp_status st = copy_list(default_inbound, ni, false, &settings->inbound_sources);
    if (st) goto fail;
    settings->n_inbound_sources = ni;
    st = copy_list(default_partner, np, false, &settings->partner_sources);
    if (st) goto fail;
    settings->n_partner_sources = np;
    st = copy_list(NULL, 0, false, &settings->qualify_statuses);
    if (st) goto fail;
    return LP_OK;
fail:
    lp_settings_clear(settings);
    return st;
}

void lp_settings_clear(lp_settings *settings)
{
    if (!settings) return;
    free_list(settings->inbound_sources, settings->n_inbound_sources);
    free_list(settings->partner_sources, settings->n_partner_sources);
    free_list(settings->qualify_statuses, settings->n_qualify_statuses);
    lp_free(settings->targets_file);
    lp_free(settings->mail_to);
    lp_free(settings->mail_cc);
    lp_free(settings->mail_from);
    lp_free(settings->mail_smtp);
    settings->inbound_sources = settings->partner_sources = settings->qualify_statuses = NULL;
    settings->n_inbound_sources = settings->n_partner_sources = settings->n_qualify_statuses = 0;
    settings->targets_file = settings->mail_to = settings->mail_cc = NULL;
    settings->mail_from = settings->mail_smtp = NULL;
}

/* Deep copy of every owned field. */
static lp_status settings_copy(const lp_settings *src, lp_settings *dst)
{
    *dst = *src;
    dst->inbound_sources = dst->partner_sources = dst->qualify_statuses = NULL;
    dst->n_inbound_sources = dst->n_partner_sources = dst->n_qualify_statuses = 0;
    dst->targets_file = dst->mail_to = dst->mail_cc = dst->mail_from = dst->mail_smtp = NULL;
    lp_status st;
    if ((st = copy_list((const char *const *)src->inbound_sources, src->n_inbound_sources,
                        false, &dst->inbound_sources)))
        goto fail;
    dst->n_inbound_sources = src->n_inbound_sources;
    if ((st = copy_list((const char *const *)src->partner_sources, src->n_partner_sources,
                        false, &dst->partner_sources)))
        goto fail;
    dst->n_partner_sources = src->n_partner_sources;
    if ((st = copy_list((const char *const *)src->qualify_statuses, src->n_qualify_statuses,
                        false, &dst->qualify_statuses)))
        goto fail;
    dst->n_qualify_statuses = src->n_qualify_statuses;
    if ((st = dup_opt(src->targets_file, &dst->targets_file))) goto fail;
    if ((st = dup_opt(src->mail_to, &dst->mail_to))) goto fail;
    if ((st = dup_opt(src->mail_cc, &dst->mail_cc))) goto fail;
    if ((st = dup_opt(src->mail_from, &dst->mail_from))) goto fail;
    if ((st = dup_opt(src->mail_smtp, &dst->mail_smtp))) goto fail;
    return LP_OK;
fail:
    lp_settings_clear(dst);
    return st;
}

/* ---- value readers: each writes errmsg with the node's line ---- */

typedef struct reader {
    lp_yaml *yaml;
    char *errmsg;
    const char *key;     /* dotted key being read, for messages */
} reader;

static lp_status want_scalar(reader *r, yaml_node_t *node, const char *what,
                             const char **out)
{
    const char *s = lp_yaml_scalar(node);
    if (!s) return lp_yaml_error(r->yaml, node, r->errmsg, "%s: expected %s", r->key, what);
    *out = s;
    return LP_OK;
}

static lp_status read_bool(reader *r, yaml_node_t *node, bool *out)
{
    const char *s = NULL;
    lp_status st = want_scalar(r, node, "true or false", &s);
    if (st) return st;
    static const char *const yes[] = {"true", "yes", "on"}, *const no[] = {"false", "no", "off"};
    for (int i = 0; i < 3; i++) {
        if (strcasecmp(s, yes[i]) == 0) return *out = true, LP_OK;
        if (strcasecmp(s, no[i]) == 0) return *out = false, LP_OK;
    }
    return lp_yaml_error(r->yaml, node, r->errmsg, "%s: \"%s\" is not true or false", r->key, s);
}

static lp_status read_number(reader *r, yaml_node_t *node, double lo, double hi,
                             const char *range, double *out)
{
    const char *s = NULL;
    lp_status st = want_scalar(r, node, "a number", &s);
    if (st) return st;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(v))
        return lp_yaml_error(r->yaml, node, r->errmsg, "%s: \"%s\" is not a number", r->key, s);
    if (v < lo || v > hi)
        return lp_yaml_error(r->yaml, node, r->errmsg, "%s: %s is out of range (%s)", r->key, s,
                             range);
    *out = v;
    return LP_OK;
}

static lp_status read_int(reader *r, yaml_node_t *node, int lo, int hi, int *out)
{
    const char *s = NULL;
    lp_status st = want_scalar(r, node, "a whole number", &s);
    if (st) return st;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno)
        return lp_yaml_error(r->yaml, node, r->errmsg, "%s: \"%s\" is not a whole number",
                             r->key, s);
    if (v < lo || v > hi)
        return lp_yaml_error(r->yaml, node, r->errmsg, "%s: %ld is out of range (%d to %d)",
                             r->key, v, lo, hi);
    *out = (int)v;
    return LP_OK;
}

/* A byte size: a whole number with an optional unit (KB, MB, GB, KiB, MiB,
 * GiB; decimal units are powers of 1000). */
static lp_status read_size(reader *r, yaml_node_t *node, size_t lo, size_t *out)
{
    const char *s = NULL;
    lp_status st = want_scalar(r, node, "a size such as 8GiB", &s);
    if (st) return st;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    bool ok = end != s && !errno && s[0] != '-';
    while (ok && *end == ' ') end++;
    static const struct { const char *unit; unsigned long long mul; } units[] = {
        {"", 1}, {"B", 1}, {"KB", 1000ULL}, {"MB", 1000000ULL}, {"GB", 1000000000ULL},
        {"KiB", 1ULL << 10}, {"MiB", 1ULL << 20}, {"GiB", 1ULL << 30},
    };
    unsigned long long mul = 0;
    for (size_t i = 0; ok && i < sizeof units / sizeof units[0]; i++)
        if (strcasecmp(end, units[i].unit) == 0) mul = units[i].mul;
    if (!ok || !mul)
        return lp_yaml_error(r->yaml, node, r->errmsg,
                             "%s: \"%s\" is not a size (a number with B, KB, MB, GB, KiB, "
                             "MiB or GiB)", r->key, s);
    if (v > SIZE_MAX / mul || v * mul < lo)
        return lp_yaml_error(r->yaml, node, r->errmsg, "%s: %s is out of range", r->key, s);
    *out = (size_t)(v * mul);
    return LP_OK;
}

/* A choice among names; the text is compared case-insensitively with '-'
 * and ' ' read as '_'. Writes the index. */
static lp_status read_choice(reader *r, yaml_node_t *node, const char *const *names,
                             size_t n, int *out)
{
    const char *s = NULL;
    lp_status st = want_scalar(r, node, "a name", &s);
    if (st) return st;
    char norm[64];
    size_t len = strlen(s);
    if (len < sizeof norm) {
        for (size_t i = 0; i <= len; i++)
            norm[i] = (s[i] == '-' || s[i] == ' ') ? '_' : (char)tolower((unsigned char)s[i]);
        for (size_t i = 0; i < n; i++) {
            char name[64];
            size_t nl = strlen(names[i]);
            for (size_t j = 0; j <= nl && j < sizeof name; j++)
                name[j] = names[i][j] == '-' ? '_' : names[i][j];
            if (strcasecmp(norm, name) == 0) return *out = (int)i, LP_OK;
        }
    }
    lp_buf list = {0};
    for (size_t i = 0; i < n; i++) lp_buf_printf(&list, "%s%s", i ? ", " : "", names[i]);
    lp_yaml_error(r->yaml, node, r->errmsg, "%s: \"%s\" is not one of %s", r->key, s,
                  list.data ? list.data : "");
    lp_buf_reset(&list);
    return LP_ERR_CONFIG;
}

/* A text value; NULL for a YAML null when nullable. */
static lp_status read_text(reader *r, yaml_node_t *node, bool nullable, char **out)
{
    if (nullable && lp_yaml_is_null(node)) {
        lp_free(*out);
        *out = NULL;
        return LP_OK;
    }
    const char *s = NULL;
    lp_status st = want_scalar(r, node, "text", &s);
    if (st) return st;
    char *copy = lp_strdup(s);
    if (!copy) return LP_ERR_NOMEM;
    lp_free(*out);
    *out = copy;
    return LP_OK;
}

/* A list of names (a sequence of scalars, or one scalar), normalised
 * (trimmed, lower-case) when normalise is set. Replaces the list. */
static lp_status read_list(reader *r, yaml_node_t *node, bool normalise, char ***list,
                           size_t *n)
{
    const char *one[1];
    const char **items = one;
    size_t count = 0;
    lp_status st = LP_OK;
    if (lp_yaml_is_null(node)) {
        count = 0;
    } else if (node->type == YAML_SCALAR_NODE) {
        one[0] = lp_yaml_scalar(node);
        count = 1;
    } else if (node->type == YAML_SEQUENCE_NODE) {
        size_t total = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
        items = lp_calloc(total ? total : 1, sizeof *items);
        if (!items) return LP_ERR_NOMEM;
        for (yaml_node_item_t *it = node->data.sequence.items.start;
             it < node->data.sequence.items.top; it++) {
            yaml_node_t *item = lp_yaml_node(r->yaml, *it);
            const char *s = lp_yaml_scalar(item);
            if (!s) {
                st = lp_yaml_error(r->yaml, item, r->errmsg, "%s: each item must be text",
                                   r->key);
                goto cleanup;
            }
            items[count++] = s;
        }
    } else {
        return lp_yaml_error(r->yaml, node, r->errmsg, "%s: expected a list such as [a, b]",
                             r->key);
    }
    char **copy;
    if ((st = copy_list(items, count, normalise, &copy))) goto cleanup;
    free_list(*list, *n);
    *list = copy;
    *n = count;
cleanup:
    if (items != one) lp_free(items);
    return st;
}

static bool tz_valid(const char *name)
{
    if (!*name || strlen(name) >= 64 || strstr(name, "..") || name[0] == '/') return false;
    if (!strcmp(name, "UTC") || !strcmp(name, "Etc/UTC") || !strcmp(name, "GMT")) return true;
    char path[128];
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", name);
    return access(path, R_OK) == 0;
}

static lp_status read_zone(reader *r, yaml_node_t *node, char *out, size_t size)
{
    const char *s = NULL;
    lp_status st = want_scalar(r, node, "a time zone name such as Europe/Berlin", &s);
    if (st) return st;
    if (!tz_valid(s) || strlen(s) >= size)
        return lp_yaml_error(r->yaml, node, r->errmsg,
                             "%s: \"%s\" is not a time zone (use an IANA name such as "
                             "Europe/Berlin or UTC)", r->key, s);
    snprintf(out, size, "%s", s);
    return LP_OK;
}

/* "HH:MM" -> minutes; 24:00 allowed as an end. */
static bool parse_hhmm(const char *s, int *out)
{
    if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) || s[2] != ':' ||
        !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
        return false;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && m)) return false;
    *out = h * 60 + m;
    return true;
}

/* business_hours: off, or {time_zone: ..., mon: "09:00-17:00", ..., sat: closed}.
 * Days not named are closed. */
static lp_status read_business_hours(reader *r, yaml_node_t *node, lp_business_hours *bh)
{
    if (lp_yaml_is_null(node)) {
        bh->enabled = false;
        return LP_OK;
    }
    const char *s = lp_yaml_scalar(node);
    if (s) {
        if (!strcasecmp(s, "off") || !strcasecmp(s, "false") || !strcasecmp(s, "none")) {
            bh->enabled = false;
            return LP_OK;
        }
        return lp_yaml_error(r->yaml, node, r->errmsg,
                             "business_hours: expected off or a weekly calendar such as "
                             "{mon: \"09:00-17:00\", sat: closed}");
    }
    if (node->type != YAML_MAPPING_NODE)
        return lp_yaml_error(r->yaml, node, r->errmsg,
                             "business_hours: expected a weekly calendar such as "
                             "{mon: \"09:00-17:00\", sat: closed}");
    lp_business_hours next = {.enabled = true};
    static const char *const keys[] = {"time_zone", "mon", "tue", "wed", "thu", "fri",
                                       "sat", "sun", "monday", "tuesday", "wednesday",
                                       "thursday", "friday", "saturday", "sunday"};
    bool any_open = false;
    for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = lp_yaml_node(r->yaml, p->key), *v = lp_yaml_node(r->yaml, p->value);
        const char *key = lp_yaml_scalar(k);
        if (!key) return lp_yaml_error(r->yaml, k, r->errmsg, "business_hours: keys must be text");
        if (!strcmp(key, "time_zone")) {
            reader sub = {r->yaml, r->errmsg, "business_hours.time_zone"};
            lp_status st = read_zone(&sub, v, next.time_zone, sizeof next.time_zone);
            if (st) return st;
            continue;
        }
        int day = -1;
        for (int d = 0; d < 7; d++)
            if (!strcasecmp(key, day_keys[d]) || !strcasecmp(key, day_long[d])) day = d;
        if (day < 0) {
            char hint[96];
            return lp_yaml_error(r->yaml, k, r->errmsg, "business_hours: unknown key \"%s\"%s",
                                 key, lp_yaml_suggest(key, keys, 15, hint, sizeof hint));
        }
        const char *hours = lp_yaml_scalar(v);
        if (lp_yaml_is_null(v) || (hours && (!strcasecmp(hours, "closed") ||
                                             !strcasecmp(hours, "off"))))
            continue;
        int start, end;
        if (!hours || strlen(hours) != 11 || hours[5] != '-' || !parse_hhmm(hours, &start) ||
            !parse_hhmm(hours + 6, &end) || start == 24 * 60 || end <= start)
            return lp_yaml_error(r->yaml, v, r->errmsg,
                                 "business_hours.%s: \"%s\" is not hours like \"09:00-17:00\" "
                                 "or closed", key, hours ? hours : "");
        next.start_minute[day] = start;
        next.end_minute[day] = end;
        any_open = true;
    }
    if (!any_open)
        return lp_yaml_error(r->yaml, node, r->errmsg,
                             "business_hours: every day is closed; name at least one day's "
                             "hours or write business_hours: off");
    *bh = next;
    return LP_OK;
}

static const char *const qualify_names[] = {"none", "status", "score"};
static const char *const top_keys[] = {
    "time_zone", "period", "fiscal_start_month", "inbound_sources", "partner_sources",
    "qualification", "qualify_statuses", "qualify_score", "sla_hours", "business_hours",
    "followup_activities", "followup_days", "sla_min_leads", "attribution", "currency", "decimal_comma",
    "day_first", "targets_file", "sla_target", "paper", "mail", "limits", "db_mode",
};
static const char *const mail_keys[] = {"to", "cc", "from", "smtp", "starttls", "max_mb"};
static const char *const limit_keys[] = {"max_file_bytes", "max_field_bytes", "max_columns"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* period: a period kind, read as everywhere (lp_period_kind_parse). */
static lp_status read_period_kind(reader *r, yaml_node_t *node, lp_period_kind *out)
{
    const char *s = NULL;
    lp_status st = want_scalar(r, node, "a name", &s);
    if (st) return st;
    if (lp_period_kind_parse(s, out) == LP_OK) return LP_OK;
    lp_yaml_error(r->yaml, node, r->errmsg, "%s: \"%s\" is not one of %s", r->key, s,
                  LP_PERIOD_KIND_NAMES);
    return LP_ERR_CONFIG;
}

/* "a, b" from a list node or a scalar: the mail recipients. */
static lp_status read_recipients(reader *r, yaml_node_t *node, char **out)
{
    if (node->type != YAML_SEQUENCE_NODE) return read_text(r, node, true, out);
    char **list = NULL;
    size_t n = 0;
    lp_status st = read_list(r, node, false, &list, &n);
    if (st) return st;
    lp_buf joined = {0};
    for (size_t i = 0; i < n; i++) lp_buf_printf(&joined, "%s%s", i ? ", " : "", list[i]);
    free_list(list, n);
    if (joined.failed) {
        lp_buf_reset(&joined);
        return LP_ERR_NOMEM;
    }
    lp_free(*out);
    *out = joined.data;  /* NULL for an empty list */
    return LP_OK;
}

static lp_status unknown_key(reader *r, yaml_node_t *k, const char *section, const char *key,
                             const char *const *keys, size_t n)
{
    char hint[96];
    return lp_yaml_error(r->yaml, k, r->errmsg, "unknown %s \"%s\"%s", section, key,
                         lp_yaml_suggest(key, keys, n, hint, sizeof hint));
}

static lp_status read_mail(reader *r, yaml_node_t *node, lp_settings *s)
{
    if (lp_yaml_is_null(node)) return LP_OK;
    if (node->type != YAML_MAPPING_NODE)
        return lp_yaml_error(r->yaml, node, r->errmsg,
                             "mail: expected keys such as to, from, smtp");
    for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = lp_yaml_node(r->yaml, p->key), *v = lp_yaml_node(r->yaml, p->value);
        const char *key = lp_yaml_scalar(k);
        if (!key) return lp_yaml_error(r->yaml, k, r->errmsg, "mail: keys must be text");
        char dotted[64];
        snprintf(dotted, sizeof dotted, "mail.%s", key);
        reader sub = {r->yaml, r->errmsg, dotted};
        lp_status st;
        if (!strcmp(key, "to")) st = read_recipients(&sub, v, &s->mail_to);
        else if (!strcmp(key, "cc")) st = read_recipients(&sub, v, &s->mail_cc);
        else if (!strcmp(key, "from")) st = read_text(&sub, v, true, &s->mail_from);
        else if (!strcmp(key, "smtp")) {
            st = read_text(&sub, v, true, &s->mail_smtp);
            if (!st && s->mail_smtp && strncmp(s->mail_smtp, "smtp://", 7) &&
                strncmp(s->mail_smtp, "smtps://", 8))
                st = lp_yaml_error(r->yaml, v, r->errmsg,
                                   "mail.smtp: \"%s\" must start with smtp:// or smtps://",
                                   s->mail_smtp);
        } else if (!strcmp(key, "starttls")) st = read_bool(&sub, v, &s->mail_starttls);
        else if (!strcmp(key, "max_mb"))
            st = read_number(&sub, v, 0.001, 1e6, "above 0", &s->mail_max_mb);
        else st = unknown_key(r, k, "mail key", key, mail_keys, COUNT(mail_keys));
        if (st) return st;
    }
    return LP_OK;
}

static lp_status read_limits(reader *r, yaml_node_t *node, lp_settings *s)
{
    if (lp_yaml_is_null(node)) return LP_OK;
    if (node->type != YAML_MAPPING_NODE)
        return lp_yaml_error(r->yaml, node, r->errmsg,
                             "limits: expected keys max_file_bytes, max_field_bytes, "
                             "max_columns");
    for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = lp_yaml_node(r->yaml, p->key), *v = lp_yaml_node(r->yaml, p->value);
        const char *key = lp_yaml_scalar(k);
        if (!key) return lp_yaml_error(r->yaml, k, r->errmsg, "limits: keys must be text");
        char dotted[64];
        snprintf(dotted, sizeof dotted, "limits.%s", key);
        reader sub = {r->yaml, r->errmsg, dotted};
        lp_status st;
        if (!strcmp(key, "max_file_bytes")) st = read_size(&sub, v, 1, &s->max_file_bytes);
        else if (!strcmp(key, "max_field_bytes")) st = read_size(&sub, v, 1, &s->max_field_bytes);
        else if (!strcmp(key, "max_columns")) {
            int n;
            st = read_int(&sub, v, 1, 1000000, &n);
            if (!st) s->max_columns = (size_t)n;
        } else st = unknown_key(r, k, "limits key", key, limit_keys, COUNT(limit_keys));
        if (st) return st;
    }
    return LP_OK;
}

/* Folder of path plus rel, unless rel is absolute. */
static char *resolve_beside(const char *path, const char *rel)
{
    const char *slash = strrchr(path, '/');
    if (rel[0] == '/' || !slash) return lp_strdup(rel);
    lp_buf b = {0};
    lp_buf_append(&b, path, (size_t)(slash - path + 1));
    lp_buf_puts(&b, rel);
    if (b.failed) {
        lp_buf_reset(&b);
        return NULL;
    }
    return b.data;
}

static lp_status apply(reader *r, yaml_node_t *root, lp_settings *s, const char *path)
{
    if (!root) return LP_OK;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = lp_yaml_node(r->yaml, p->key), *v = lp_yaml_node(r->yaml, p->value);
        const char *key = lp_yaml_scalar(k);
        if (!key) return lp_yaml_error(r->yaml, k, r->errmsg, "keys must be text");
        r->key = key;
        lp_status st = LP_OK;
        int choice;
        if (!strcmp(key, "time_zone")) {
            st = read_zone(r, v, s->time_zone, sizeof s->time_zone);
        } else if (!strcmp(key, "period")) {
            st = read_period_kind(r, v, &s->calendar.kind);
        } else if (!strcmp(key, "fiscal_start_month")) {
            st = read_int(r, v, 1, 12, &s->calendar.fiscal_start_month);
        } else if (!strcmp(key, "inbound_sources")) {
            st = read_list(r, v, true, &s->inbound_sources, &s->n_inbound_sources);
        } else if (!strcmp(key, "partner_sources")) {
            st = read_list(r, v, true, &s->partner_sources, &s->n_partner_sources);
        } else if (!strcmp(key, "qualification")) {
            if (!(st = read_choice(r, v, qualify_names, COUNT(qualify_names), &choice)))
                s->qualification = (lp_qualification)choice;
        } else if (!strcmp(key, "qualify_statuses")) {
            st = read_list(r, v, true, &s->qualify_statuses, &s->n_qualify_statuses);
        } else if (!strcmp(key, "qualify_score")) {
            st = read_number(r, v, -1e15, 1e15, "a number", &s->qualify_score);
        } else if (!strcmp(key, "sla_hours")) {
            st = read_number(r, v, 0.01, 24 * 365, "above 0 and at most 8760", &s->sla_hours);
        } else if (!strcmp(key, "business_hours")) {
            st = read_business_hours(r, v, &s->business_hours);
        } else if (!strcmp(key, "followup_activities")) {
            st = read_int(r, v, 1, 1000, &s->followup_activities);
        } else if (!strcmp(key, "followup_days")) {
            st = read_int(r, v, 1, 365, &s->followup_days);
        } else if (!strcmp(key, "sla_min_leads")) {
            st = read_int(r, v, 1, 1000000, &s->sla_min_leads);
        } else if (!strcmp(key, "attribution")) {
            if (!(st = read_choice(r, v, attribution_names, LP_ATTR_COUNT, &choice)))
                s->attribution = (lp_attribution)choice;
        } else if (!strcmp(key, "currency")) {
            const char *c = NULL;
            if (!(st = want_scalar(r, v, "a currency code such as USD", &c))) {
                if (strlen(c) != 3 || !isalpha((unsigned char)c[0]) ||
                    !isalpha((unsigned char)c[1]) || !isalpha((unsigned char)c[2]))
                    st = lp_yaml_error(r->yaml, v, r->errmsg,
                                       "currency: \"%s\" is not a three-letter code such as "
                                       "USD or EUR", c);
                else
                    for (int i = 0; i < 4; i++)
                        s->currency[i] = (char)toupper((unsigned char)c[i]);
            }
        } else if (!strcmp(key, "decimal_comma")) {
            st = read_bool(r, v, &s->decimal_comma);
        } else if (!strcmp(key, "day_first")) {
            st = read_bool(r, v, &s->day_first);
        } else if (!strcmp(key, "targets_file")) {
            if (lp_yaml_is_null(v)) {
                lp_free(s->targets_file);
                s->targets_file = NULL;
            } else {
                const char *t = NULL;
                if (!(st = want_scalar(r, v, "a file path", &t))) {
                    char *resolved = resolve_beside(path, t);
                    if (!resolved) return LP_ERR_NOMEM;
                    lp_free(s->targets_file);
                    s->targets_file = resolved;
                }
            }
        } else if (!strcmp(key, "sla_target")) {
            st = read_number(r, v, 0, 1, "a rate from 0 to 1, e.g. 0.95", &s->sla_target);
        } else if (!strcmp(key, "paper")) {
            static const char *const papers[] = {"A4", "Letter"};
            if (!(st = read_choice(r, v, papers, 2, &choice)))
                snprintf(s->paper, sizeof s->paper, "%s", papers[choice]);
        } else if (!strcmp(key, "mail")) {
            st = read_mail(r, v, s);
        } else if (!strcmp(key, "limits")) {
            st = read_limits(r, v, s);
        } else if (!strcmp(key, "db_mode")) {
            static const char *const modes[] = {"copy", "pushdown"};
            if (!(st = read_choice(r, v, modes, 2, &choice)))
                snprintf(s->db_mode, sizeof s->db_mode, "%s", modes[choice]);
        } else {
            st = unknown_key(r, k, "setting", key, top_keys, COUNT(top_keys));
        }
        if (st) return st;
    }
    if (s->qualification == LP_QUALIFY_STATUS && s->n_qualify_statuses == 0)
        return lp_yaml_error(r->yaml, root, r->errmsg,
                             "qualification: status needs qualify_statuses (the lead "
                             "statuses that make an MQL)");
    return LP_OK;
}

/* lp_settings_load of yaml, opened from path (or from memory under that
 * name); closes it. */
static lp_status load_settings(lp_settings *settings, lp_yaml *yaml, const char *path,
                               char *errmsg)
{
    lp_settings next;
    lp_status st;
    if ((st = settings_copy(settings, &next))) goto cleanup;
    reader r = {yaml, errmsg, ""};
    st = apply(&r, lp_yaml_root(yaml), &next, path);
    if (st) {
        lp_settings_clear(&next);
        goto cleanup;
    }
    lp_settings_clear(settings);
    *settings = next;
cleanup:
    lp_yaml_close(yaml);
    return st;
}

lp_status lp_settings_load(lp_settings *settings, const char *path, char *errmsg)
{
    lp_yaml yaml;
    lp_status st = lp_yaml_open(&yaml, path, errmsg);
    if (st) return st;
    return load_settings(settings, &yaml, path, errmsg);
}

lp_status lp_settings_load_memory(lp_settings *settings, const lp_memfile *file,
                                  char *errmsg)
{
    lp_yaml yaml;
    lp_status st = lp_yaml_open_memory(&yaml, file, errmsg);
    if (st) return st;
    return load_settings(settings, &yaml, file->name, errmsg);
}

/* Emits the list joined by ", "; false when it could not be (out of memory). */
static bool emit_list(void (*emit)(void *, const char *, const char *), void *ctx,
                      const char *key, char *const *list, size_t n)
{
    lp_buf b = {0};
    for (size_t i = 0; i < n; i++) lp_buf_printf(&b, "%s%s", i ? ", " : "", list[i]);
    bool ok = !b.failed && (b.data || n == 0);
    emit(ctx, key, ok && b.data ? b.data : "");
    lp_buf_reset(&b);
    return ok;
}

static void emit_number(void (*emit)(void *, const char *, const char *), void *ctx,
                        const char *key, double v)
{
    char text[64];
    snprintf(text, sizeof text, "%.15g", v);
    emit(ctx, key, text);
}

lp_status lp_settings_each(const lp_settings *s,
                           void (*emit)(void *ctx, const char *key, const char *value),
                           void *ctx)
{
    char text[512];
    bool ok = true;
    emit(ctx, "time_zone", s->time_zone);
    emit(ctx, "period", lp_period_kind_name(s->calendar.kind));
    snprintf(text, sizeof text, "%d", s->calendar.fiscal_start_month);
    emit(ctx, "fiscal_start_month", text);
    ok &= emit_list(emit, ctx, "inbound_sources", s->inbound_sources, s->n_inbound_sources);
    ok &= emit_list(emit, ctx, "partner_sources", s->partner_sources, s->n_partner_sources);
    emit(ctx, "qualification", qualify_names[s->qualification]);
    ok &= emit_list(emit, ctx, "qualify_statuses", s->qualify_statuses, s->n_qualify_statuses);
    emit_number(emit, ctx, "qualify_score", s->qualify_score);
    emit_number(emit, ctx, "sla_hours", s->sla_hours);
    if (!s->business_hours.enabled) {
        emit(ctx, "business_hours", "off (wall-clock hours)");
    } else {
        lp_buf b = {0};
        for (int d = 0; d < 7; d++) {
            int a = s->business_hours.start_minute[d], e = s->business_hours.end_minute[d];
            if (a == e)
                lp_buf_printf(&b, "%s%s closed", d ? ", " : "", day_keys[d]);
            else
                lp_buf_printf(&b, "%s%s %02d:%02d-%02d:%02d", d ? ", " : "", day_keys[d],
                              a / 60, a % 60, e / 60, e % 60);
        }
        lp_buf_printf(&b, "; time zone %s",
                      s->business_hours.time_zone[0] ? s->business_hours.time_zone
                                                     : s->time_zone);
        ok &= !b.failed && b.data;
        emit(ctx, "business_hours", b.data && !b.failed ? b.data : "");
        lp_buf_reset(&b);
    }
    snprintf(text, sizeof text, "%d", s->followup_activities);
    emit(ctx, "followup_activities", text);
    snprintf(text, sizeof text, "%d", s->followup_days);
    emit(ctx, "followup_days", text);
    snprintf(text, sizeof text, "%d", s->sla_min_leads);
    emit(ctx, "sla_min_leads", text);
    emit(ctx, "attribution", lp_attribution_name(s->attribution));
    emit(ctx, "currency", s->currency);
    emit(ctx, "decimal_comma", s->decimal_comma ? "true" : "false");
    emit(ctx, "day_first", s->day_first ? "true" : "false");
    emit(ctx, "targets_file", s->targets_file ? s->targets_file : "");
    emit_number(emit, ctx, "sla_target", s->sla_target);
    emit(ctx, "paper", s->paper);
    emit(ctx, "mail.to", s->mail_to ? s->mail_to : "");
    emit(ctx, "mail.cc", s->mail_cc ? s->mail_cc : "");
    emit(ctx, "mail.from", s->mail_from ? s->mail_from : "");
    emit(ctx, "mail.smtp", s->mail_smtp ? s->mail_smtp : "");
    emit(ctx, "mail.starttls", s->mail_starttls ? "true" : "false");
    emit_number(emit, ctx, "mail.max_mb", s->mail_max_mb);
    snprintf(text, sizeof text, "%zu", s->max_file_bytes);
    emit(ctx, "limits.max_file_bytes", text);
    snprintf(text, sizeof text, "%zu", s->max_field_bytes);
    emit(ctx, "limits.max_field_bytes", text);
    snprintf(text, sizeof text, "%zu", s->max_columns);
    emit(ctx, "limits.max_columns", text);
    emit(ctx, "db_mode", s->db_mode);
    return ok ? LP_OK : LP_ERR_NOMEM;
}
