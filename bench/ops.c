/*
 * Operator timings for `make bench`: the generated data of each scale is
 * loaded in this process, then each columnar operator of operators.h runs
 * over the big tables (activities, touches, leads) and its wall time is
 * printed, so the note can show that group-by, join, sort and bucketing
 * cost grows linearly with rows.
 */
#include <stdio.h>
#include <time.h>

#include "bench_ops.h"
#include "lp/load.h"
#include "lp/mapping.h"
#include "lp/settings.h"
#include "lp/time.h"
#include "operators.h"

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct op_times {
    size_t activities, touches, leads;
    double load, group_activities, group_touches_distinct, join_activities_leads,
        join_touches_leads, sort_activities, bucket_activities;
    bool ok;
} op_times;

static lp_status time_ops(const lp_dataset *ds, op_times *t)
{
    const lp_table *acts = ds->tables[LP_ACTIVITIES], *touches = ds->tables[LP_TOUCHES],
                   *leads = ds->tables[LP_LEADS];
    if (!acts || !touches || !leads) return LP_ERR_NOTFOUND;
    const lp_column *a_lead = lp_table_column(acts, "lead_id"), *a_at = lp_table_column(acts, "at");
    const lp_column *t_lead = lp_table_column(touches, "lead_id"),
                    *t_camp = lp_table_column(touches, "campaign_id");
    const lp_column *l_id = lp_table_column(leads, "lead_id");
    t->activities = acts->nrows;
    t->touches = touches->nrows;
    t->leads = leads->nrows;
    lp_status st = LP_OK;
    lp_groups *groups = NULL;
    lp_join_index *index = NULL;
    lp_row *rows = NULL;
    int64_t *ordinals = NULL;
    double *values = NULL;

    /* Activities per lead: count. */
    double t0 = seconds();
    if ((st = lp_groups_new(a_lead, NULL, NULL, &groups))) goto cleanup;
    values = lp_malloc((groups->ngroups ? groups->ngroups : 1) * sizeof(double));
    if (!values) { st = LP_ERR_NOMEM; goto cleanup; }
    if ((st = lp_groups_aggregate(groups, a_at, LP_AGG_COUNT, 0, values, NULL))) goto cleanup;
    t->group_activities = seconds() - t0;
    lp_groups_free(groups);
    groups = NULL;
    lp_free(values);
    values = NULL;

    /* Distinct leads per campaign. */
    t0 = seconds();
    if ((st = lp_groups_new(t_camp, NULL, NULL, &groups))) goto cleanup;
    values = lp_malloc((groups->ngroups ? groups->ngroups : 1) * sizeof(double));
    if (!values) { st = LP_ERR_NOMEM; goto cleanup; }
    if ((st = lp_groups_aggregate(groups, t_lead, LP_AGG_COUNT_DISTINCT, 0, values, NULL)))
        goto cleanup;
    t->group_touches_distinct = seconds() - t0;

    /* Each activity's and each touch's lead (one-to-one, across pools). */
    t0 = seconds();
    if ((st = lp_join_index_new(l_id, NULL, &index))) goto cleanup;
    rows = lp_malloc((acts->nrows > touches->nrows ? acts->nrows : touches->nrows) *
                     sizeof(lp_row) + 1);
    if (!rows) { st = LP_ERR_NOMEM; goto cleanup; }
    if ((st = lp_join_lookup(index, a_lead, NULL, rows))) goto cleanup;
    t->join_activities_leads = seconds() - t0;
    t0 = seconds();
    if ((st = lp_join_lookup(index, t_lead, NULL, rows))) goto cleanup;
    t->join_touches_leads = seconds() - t0;

    /* Activities in lead then time order. */
    t0 = seconds();
    lp_sort_key keys[2] = {{a_lead, false}, {a_at, false}};
    if ((st = lp_sort(keys, 2, NULL, rows))) goto cleanup;
    t->sort_activities = seconds() - t0;

    /* ISO week of every activity. */
    t0 = seconds();
    lp_calendar week = {LP_PERIOD_WEEK, 1};
    ordinals = lp_malloc((acts->nrows ? acts->nrows : 1) * sizeof(int64_t));
    if (!ordinals) { st = LP_ERR_NOMEM; goto cleanup; }
    if ((st = lp_period_bucket(&week, a_at, ordinals))) goto cleanup;
    t->bucket_activities = seconds() - t0;
    t->ok = true;

cleanup:
    lp_groups_free(groups);
    lp_join_index_free(index);
    lp_free(rows);
    lp_free(ordinals);
    lp_free(values);
    return st;
}

void bench_operators(const char *source_dir, const char *const *data_dirs,
                     const char *const *scales, size_t nscales)
{
    char profiles[4096];
    snprintf(profiles, sizeof profiles, "%s/templates/profiles", source_dir);
    printf("\noperators (lp/ops.h) on the loaded data, wall seconds, one thread\n");
    printf("%-6s %10s %10s %9s %9s %9s %9s %9s %9s\n", "scale", "act_rows", "tch_rows",
           "grp_act", "grp_dist", "join_act", "join_tch", "sort_act", "bucket");
    for (size_t s = 0; s < nscales; s++) {
        op_times t = {0};
        char errmsg[LP_ERRMSG_SIZE] = "";
        lp_settings settings;
        lp_mapping *mapping = NULL;
        lp_dataset *ds = NULL;
        if (lp_settings_init(&settings) != LP_OK) return;
        lp_status st = lp_mapping_load(profiles, "generic", NULL, &mapping, errmsg);
        if (!st) {
            lp_load_options options = {.input_dir = data_dirs[s], .mapping = mapping,
                                       .settings = &settings};
            double t0 = seconds();
            st = lp_dataset_load(&options, &ds, errmsg);
            t.load = seconds() - t0;
        }
        if (!st) st = time_ops(ds, &t);
        if (st)
            printf("%-6s operators not timed: %s\n", scales[s],
                   errmsg[0] ? errmsg : lp_status_str(st));
        else
            printf("%-6s %10zu %10zu %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f\n", scales[s],
                   t.activities, t.touches, t.group_activities, t.group_touches_distinct,
                   t.join_activities_leads, t.join_touches_leads, t.sort_activities,
                   t.bucket_activities);
        lp_dataset_free(ds);
        lp_mapping_free(mapping);
        lp_settings_clear(&settings);
    }
    printf("grp_act: activities per lead (count); grp_dist: distinct leads per campaign;\n"
           "join_act/join_tch: each activity's/touch's lead (hash join across pools);\n"
           "sort_act: activities by lead then time; bucket: ISO week of every activity\n");
}
