/*
 * The canonical columns the measures read (lp_measures_columns), so that
 * `leadpack run` loads only those: a column no figure reads (a lead's
 * phone, an activity's owner) costs memory and parsing time and changes no
 * number. The list is checked by a test that computes every result from a
 * dataset loaded whole and from one loaded with these columns only.
 */
#include <string.h>

#include "measures_internal.h"

static const char *const read_columns[LP_TABLE_COUNT][LP_CANON_MAX_COLUMNS + 1] = {
    [LP_LEADS] = {"lead_id", "created_at", "source", "campaign_id", "owner_id", "company",
                  "email", "employees", "score", "status", "mql_at", "sql_at",
                  "opportunity_id", NULL},
    [LP_CAMPAIGNS] = {"campaign_id", "name", "actual_cost", NULL},
    [LP_TOUCHES] = {"touch_id", "lead_id", "campaign_id", "touched_at", "responded", NULL},
    [LP_ACTIVITIES] = {"lead_id", "at", NULL},
    [LP_OPPORTUNITIES] = {"opportunity_id", "created_at", "stage", "amount", "close_date",
                          "is_closed", "is_won", "source", "campaign_id", "lead_id", "owner_id",
                          NULL},
    [LP_USERS] = {"owner_id", "name", "team", "is_partner", NULL},
    [LP_TARGETS] = {"period", "measure", "team", "value", NULL},
};

void lp_measures_columns(uint32_t out_masks[LP_TABLE_COUNT])
{
    for (int id = 0; id < LP_TABLE_COUNT; id++) {
        size_t n;
        const lp_canon_column *canon = lp_canon_columns((lp_table_id)id, &n);
        out_masks[id] = 0;
        for (size_t k = 0; k < n && k < 32; k++)
            for (const char *const *name = read_columns[id]; *name; name++)
                if (strcmp(*name, canon[k].name) == 0) out_masks[id] |= 1u << k;
    }
}
