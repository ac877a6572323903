/* The trend chart of the e-mail body (chart.h), from the mql_trend table. */
#include <stdio.h>

#include "lp/chart.h"
#include "lp/results.h"

lp_status lp_chart_write_trend_png(const struct lp_results *results, const char *path,
                                   char *errmsg)
{
    const lp_table *trend = lp_results_table(results, "mql_trend");
    const lp_column *period = trend ? lp_table_column(trend, "period") : NULL;
    const lp_column *mqls = trend ? lp_table_column(trend, "mqls") : NULL;
    const lp_column *target = trend ? lp_table_column(trend, "mql_target") : NULL;
    if (!period || !mqls) {
        lp_errmsg_set(errmsg, "the results hold no MQL trend to chart");
        return LP_ERR_NOTFOUND;
    }
    size_t n = trend->nrows;
    const char **labels = lp_calloc(n ? n : 1, sizeof(*labels));
    double *values = lp_calloc(n ? n : 1, sizeof(*values));
    lp_status st = LP_ERR_NOMEM;
    lp_chart *chart = NULL;
    if (!labels || !values) goto cleanup;
    for (size_t i = 0; i < n; i++) {
        labels[i] = lp_column_str(period, i);
        if (!labels[i]) labels[i] = "";
        values[i] = lp_column_valid(mqls, i) ? lp_column_number(mqls, i) : 0;
    }
    chart = lp_chart_new(LP_CHART_BARS);
    lp_chart_set_title(chart, "Qualified leads per period");
    lp_chart_set_categories(chart, labels, n);
    lp_chart_add_series(chart, "Qualified leads", values, NULL, NULL, n);
    lp_chart_set_value_axis(chart, LP_UNIT_COUNT, NULL, NULL);
    lp_chart_set_value_labels(chart, true);
    /* The target of the report period, when there is one. */
    if (target && n && lp_column_valid(target, n - 1))
        lp_chart_add_reference(chart, lp_column_number(target, n - 1), "target");
    st = lp_chart_write_png(chart, 640, 280, path);
    if (st) lp_errmsg_set(errmsg, "%s: cannot write the trend chart (%s)", path, lp_status_str(st));
cleanup:
    if (st == LP_ERR_NOMEM) lp_errmsg_set(errmsg, "out of memory drawing the trend chart");
    lp_chart_free(chart);
    lp_free(labels);
    lp_free(values);
    return st;
}
