/* The result set container (results.h). */
#include "lp/results.h"

#include <string.h>

lp_results *lp_results_new(void) { return lp_calloc(1, sizeof(lp_results)); }

void lp_results_free(lp_results *results)
{
    if (!results) return;
    for (size_t i = 0; i < results->ntables; i++) lp_table_free(results->tables[i]);
    lp_free(results->tables);
    lp_table_free(results->record_keys);
    lp_free(results);
}

lp_status lp_results_add(lp_results *results, lp_table *table)
{
    if (lp_results_table(results, table->name)) {
        lp_table_free(table);
        return LP_ERR_USAGE;
    }
    if (results->ntables == results->tables_cap) {
        size_t cap = results->tables_cap ? results->tables_cap * 2 : 16;
        lp_table **tables = lp_realloc(results->tables, cap * sizeof(*tables));
        if (!tables) {
            lp_table_free(table);
            return LP_ERR_NOMEM;
        }
        results->tables = tables;
        results->tables_cap = cap;
    }
    results->tables[results->ntables++] = table;
    return LP_OK;
}

lp_table *lp_results_table(const lp_results *results, const char *name)
{
    for (size_t i = 0; i < results->ntables; i++)
        if (strcmp(results->tables[i]->name, name) == 0) return results->tables[i];
    return NULL;
}
