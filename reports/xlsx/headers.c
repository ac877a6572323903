/*
 * Column headers for people. Every sheet heads its columns with words
 * ("MQL at", "Reached in time (leads)"); the canonical column name
 * (mql_at, within) stays in a comment on the header cell, which is what
 * scripts and the results CSV files use.
 *
 * A header is the table's own word for the column where one is listed
 * here (a breakdown's "key" is its source, team or stage), else the
 * column's listed word, else the name with underscores as spaces and the
 * usual abbreviations in capitals.
 */
#include "xlsx_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* The "key" column of a breakdown table, by table. */
static const struct { const char *table, *label; } keys[] = {
    {"volume_by_source", "Source"},       {"volume_by_channel", "Channel"},
    {"volume_by_campaign", "Campaign ID"}, {"volume_by_team", "Team"},
    {"volume_by_segment", "Segment"},     {"pipeline_by_stage", "Stage"},
    {"pipeline_by_source", "Source"},     {"pipeline_by_campaign", "Campaign ID"},
    {"won_by_source", "Source"},          {"won_by_campaign", "Campaign ID"},
};

/* Columns whose words are not their name's: counts and shares of the same
 * thing say which they are. */
static const struct { const char *column, *label; } words[] = {
    {"measure", "Measure"},
    {"figure", "Figure ID"},
    {"this_period", "This period"},
    {"previous_period", "Previous period (as compared)"},
    {"rows", "Rows (this period)"},
    {"previous_rows", "Rows (previous period)"},
    {"eligible", "Due a first touch (leads)"},
    {"within", "Reached in time (leads)"},
    {"compliance", "Reached in time (share)"},
    {"untouched", "Not yet touched (leads)"},
    {"pending", "Still inside the SLA"},
    {"overdue", "Waiting past the SLA (leads)"},
    {"within_sla", "Reached in time"},
    {"median_hours", "Median hours to first touch"},
    {"p90_hours", "90th percentile hours to first touch"},
    {"followup_window_end", "Follow-up window end"},
    {"followup_activities", "Activities in the follow-up window"},
    {"followed_up", "Followed up"},
    {"open_at_end", "Open at the period's end"},
    {"open_at_previous_end", "Open at the previous period's end"},
    {"followup_eligible", "Due a follow-up (leads)"},
    {"followup_met", "Followed up (leads)"},
    {"followup_compliance", "Followed up (share)"},
    {"accepted", "Accepted by sales (leads)"},
    {"acceptance_rate", "Accepted by sales (share)"},
    {"mqls", "MQLs"},
    {"sqls", "SQLs"},
    {"mql_target", "MQL target"},
    {"low", "Interval low"},
    {"high", "Interval high"},
    {"closed_low", "Closed win rate, interval low"},
    {"closed_high", "Closed win rate, interval high"},
    {"closed_win_rate", "Closed win rate (share)"},
    {"is_won", "Won"},
    {"rate", "Rate (share)"},
    {"response_rate", "Response rate (share)"},
    {"responders", "Responders (leads)"},
    {"touches", "Touches (count)"},
    {"leads_created", "Leads created"},
    {"return", "Return (share of cost)"},
    {"hours_late", "Hours late"},
    {"mql_forecast", "MQL forecast"},
    {"others_rate", "Other campaigns' rate (share)"},
    {"p_value", "p-value"},
    {"q_value", "q-value"},
    {"touched_share", "Touched (share)"},
    {"rows_read", "Rows read"},
    {"rows_loaded", "Rows loaded"},
    {"rows_rejected", "Rows rejected"},
    {"sha256", "SHA-256"},
};

/* Words written in capitals (or their own spelling) wherever they appear
 * in a name. */
static const struct { const char *word, *as; } caps[] = {
    {"mql", "MQL"}, {"mqls", "MQLs"}, {"sql", "SQL"}, {"sqls", "SQLs"}, {"sla", "SLA"},
    {"id", "ID"},   {"p90", "90th percentile"},       {"url", "URL"},
};

const char *lp_xw_header(const char *table, const char *column, char *buf, size_t size)
{
    if (!column) return "";
    if (table && strcmp(column, "key") == 0)
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            if (strcmp(keys[i].table, table) == 0) return keys[i].label;
    if (table && strcmp(column, "name") == 0 &&
        (strcmp(table, "campaigns") == 0 || strcmp(table, "attribution") == 0 ||
         strcmp(table, "campaign_tests") == 0))
        return "Campaign name";
    if (table && strcmp(column, "pending") == 0 && strncmp(table, "detail_", 7) != 0)
        return "Still inside the SLA (leads)";
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(words[i].column, column) == 0) return words[i].label;
    /* By word: underscores to spaces, abbreviations in capitals, the
     * first letter capitalised. */
    size_t len = 0;
    const char *p = column;
    while (*p && len + 1 < size) {
        size_t n = strcspn(p, "_ ");
        const char *as = NULL;
        for (size_t i = 0; i < sizeof caps / sizeof caps[0] && !as; i++)
            if (strlen(caps[i].word) == n && strncmp(caps[i].word, p, n) == 0) as = caps[i].as;
        int wrote = as ? snprintf(buf + len, size - len, "%s%s", len ? " " : "", as)
                       : snprintf(buf + len, size - len, "%s%.*s", len ? " " : "", (int)n, p);
        if (wrote < 0 || (size_t)wrote >= size - len) break;
        len += (size_t)wrote;
        p += n;
        while (*p == '_' || *p == ' ') p++;
    }
    buf[len < size ? len : size - 1] = '\0';
    if (buf[0]) buf[0] = (char)toupper((unsigned char)buf[0]);
    return buf;
}
