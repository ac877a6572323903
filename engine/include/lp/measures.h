/*
 * measures.h: every figure of METRICS.md, computed from a loaded dataset into
 * one result set (results.h).
 *
 * Result table catalogue: the contract between the measures and every
 * renderer. Types: S string, I int64, D double, T instant, B bool. A null is
 * "does not exist" (rate over zero, quantile not reached, no target).
 * P is the report period, the window is P and the 12 periods before it.
 *
 * The seven results files (METRICS.md, written as results/NAME.csv):
 *  headline      measure S, period S, value D, low D, high D
 *  campaigns     campaign_id S, name S, touches I, responders I, response_rate D,
 *                leads_created I, mqls D, sqls D, opportunities D, pipeline D,
 *                won D, cost D, cost_per_lead D, cost_per_mql D,
 *                cost_per_opportunity D, return D
 *  sla_by_owner  owner_id S, team S, eligible I, within I, compliance D,
 *                median_hours D, p90_hours D, untouched I, pending I,
 *                owner_name S (the users export's name, else the owner id)
 *  breaches      lead_id S, owner_id S, team S, mql_at T, first_touch_at T,
 *                hours_late D, owner_name S (as in sla_by_owner)
 *  funnel        step S, reached I, rate D, low D, high D
 *  routing       team S, mqls I, won I, rate D, low D, high D
 *  forecast      period S, mql_forecast D, low D, high D
 *
 * Columns added after the seven files above (METRICS.md allows new columns):
 *  headline      ... provisional B  (true on acceptance_rate rows whose period
 *                ended less than 30 days before as-of; false elsewhere)
 *  routing       ... best_route B   (interval wholly above every other team's)
 *
 * Further tables (also written to results/ as CSV):
 *  changes       measure S, current D, previous D, change D, change_pct D,
 *                p_value D, real B, test S      (P against the period before;
 *                test is "poisson", "two_proportion" or "" when untested)
 *  targets       measure S, period S, team S, target D, actual D, attainment D
 *                (every target row that matches a window period)
 *  mql_trend     period S, mqls I, sqls I, mql_target D   (the 13 window periods)
 *  volume_by_source, volume_by_channel, volume_by_campaign, volume_by_team,
 *  volume_by_segment
 *                key S, mqls I, sqls I, accepted I, acceptance_rate D, low D,
 *                high D, mql_target D                    (for P)
 *  attribution   campaign_id S, name S, model S, mqls D, sqls D, opportunities D,
 *                pipeline D, won D       (listed campaigns and "(no campaign)" x
 *                all five models; model as lp_attribution_name)
 *  campaign_tests campaign_id S, name S, mqls I, opportunities I, rate D,
 *                others_rate D, p_value D, q_value D, verdict S
 *                ("better", "worse" or "" = not different)
 *  pipeline_by_stage, pipeline_by_source, pipeline_by_campaign
 *                key S, count I, amount D              (inbound, created in P)
 *  coverage      open_inbound_pipeline D, quota D, won_to_date D,
 *                remaining_quota D, coverage D          (one row)
 *  sla_by_team, sla_by_partner
 *                team S (partner: owner name), eligible I, within I,
 *                compliance D, low D, high D, median_hours D, p90_hours D,
 *                untouched I, pending I, followup_eligible I, followup_met I,
 *                followup_compliance D
 *  sla_curve     team S ("All" for everyone), hours D, touched_share D
 *                (Kaplan-Meier step points: 1 - S(t))
 *  won_by_source, won_by_campaign
 *                key S, count I, amount D               (inbound, closed won in P)
 *  reverse_funnel stage S ("leads", "mqls", "opportunities"), needed D, low D,
 *                high D, quota D, rate D, avg_deal D
 *  routing_by_segment
 *                segment S ("1-49", "50-199", "200-999", "1000+", "(unknown)"),
 *                team S, mqls I, won I, rate D, low D, high D, best_route B
 *  findings      rank I, measure S, kind S, subject S, value D, base D,
 *                change D, p_value D, effect D
 *                (ranked by evidence and size; kind: "volume_change",
 *                 "rate_change", "campaign_better", "campaign_worse",
 *                 "team_slow", "team_best_route", "breaches", "target")
 *  switched_off  figure S, reason S   (figures a missing table/column turned off)
 *  detail_mqls   lead_id S, created_at T, mql_at T, sql_at T, source S,
 *                channel S, campaign_id S, owner_id S, team S, company S,
 *                email S, segment S, first_touch_at T, hours_to_first_touch D,
 *                within_sla B, pending B       (leads with mql_at in P)
 *  detail_inbound_opportunities
 *                opportunity_id S, lead_id S, created_at T, stage S, amount D,
 *                close_date T, is_won B, source S, campaign_id S, owner_id S
 *                (inbound, created in P)
 *  detail_inbound_wins  same columns (inbound, won, close_date in P)
 *  detail_touches lead_id S, campaign_id S, touched_at T, responded B
 *                (touches of the campaigns listed in campaigns, made in P)
 */
#ifndef LP_MEASURES_H
#define LP_MEASURES_H

#include "lp/results.h"

typedef struct lp_measures_options {
    const lp_settings *settings;   /* definitions settings (borrowed) */
    bool has_as_of;                /* as_of given (--as-of) */
    int64_t as_of;                 /* instant, when has_as_of */
    const char *period_label;      /* --period, or NULL: last complete period */
} lp_measures_options;

/* The canonical columns lp_measures_compute reads, as lp_load_options
 * masks: out_masks[table] bit k = column k of lp_canon_columns(table). A
 * dataset loaded with only these columns gives the same results as one
 * loaded whole. */
void lp_measures_columns(uint32_t out_masks[LP_TABLE_COUNT]);

/* Computes every measure. On LP_OK *out_results holds the tables above and
 * borrows ds and settings (keep them alive while the results are used).
 * errmsg (LP_ERRMSG_SIZE) says what was wrong on failure (e.g. no data to
 * find an as-of in, a period label that does not parse). */
lp_status lp_measures_compute(const lp_dataset *ds, const lp_measures_options *options,
                              lp_results **out_results, char *errmsg);

/* The headline measure names, in METRICS.md order (NULL-terminated). */
extern const char *const lp_headline_measures[];

#endif
