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
 *                ended less than 30 days before as-of; false elsewhere),
 *                unit S, level D, base D, matures_at T (lp/figures.h). base:
 *                a rate's trials (win_rate: won + lost closed in the period),
 *                a median's population or an amount's count (won_amount and
 *                cycle_median_days: won_count). Every period's row holds
 *                today's value: the trend is not aged (see changes).
 *  routing       ... best_route B   (interval wholly above every other team's)
 *  funnel        ... open I, closed I, closed_win_rate D, closed_low D,
 *                closed_high D      (on the "won" row only, null on the others:
 *                of the cohort leads that reached the opportunity step, open =
 *                not won and an opportunity not closed by as-of, closed = won +
 *                lost, closed_win_rate = won / closed with its 95% Wilson
 *                interval; open + closed = the opportunity step's reached)
 *  campaigns     ... scope S ("lifetime": every figure counts to as-of),
 *                model S (the configured model, lp_attribution_name)
 *
 * Headline measures (lp_headline_measures, METRICS.md order): mql_count,
 * sql_count, acceptance_rate, inbound_pipeline_count, inbound_pipeline_amount,
 * open_inbound_pipeline_amount, sla_eligible, sla_within, sla_compliance,
 * sla_median_hours, sla_p90_hours, sla_untouched, sla_pending,
 * followup_compliance, inbound_won_count, inbound_won_amount, inbound_win_rate,
 * inbound_avg_deal, inbound_cycle_median_days, inbound_won_share, then measure
 * 5 for every channel: won_count, won_amount, win_rate (won / (won + lost)
 * closed in the period, Wilson 95% interval in low/high), cycle_median_days.
 *
 * Further tables (also written to results/ as CSV):
 *  changes       measure S, current D, previous D, change D, change_pct D,
 *                p_value D, real B, test S, compared_as_of T, verdict S
 *                (P against the period before, one row per headline measure;
 *                test is "poisson" for counts, "two_proportion" for rates, ""
 *                when untested. Maturing rates (acceptance_rate, sla_compliance,
 *                followup_compliance, inbound_win_rate, win_rate) compare
 *                with the previous cohort as it stood the same time after its
 *                own end: compared_as_of = end(P-1) + (as-of - end(P)) (ISO
 *                weeks: as-of - 7 days), every event after it not yet
 *                happened; previous, change, change_pct, p_value, test, real
 *                and verdict use that aged value (the headline row of P-1
 *                keeps today's). Other measures: compared_as_of = as-of.
 *                verdict: "real", "noise", "untested" (no test applies: money,
 *                durations), "too_early" (a maturing rate whose current or
 *                aged previous trials are 0), "" (no previous value).)
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
 *                (ranked by evidence and size; volume and rate changes are
 *                 the changes table's, so a maturing rate's base is the aged
 *                 previous value; kind: "volume_change",
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
 *
 * Added by `leadpack run` after the measures, when it keeps a ledger:
 *  restatements  measure S, subject S, period S, published D, now D, change D,
 *                published_as_of T, cause S   (lp_ledger_restatements,
 *                lp/ledger.h)
 */
#ifndef LP_MEASURES_H
#define LP_MEASURES_H

#include "lp/results.h"

typedef struct lp_measures_options {
    const lp_settings *settings;   /* definitions settings (borrowed) */
    bool has_as_of;                /* as_of given (--as-of) */
    int64_t as_of;                 /* instant, when has_as_of */
    const char *period_label;      /* --period, or NULL: last complete period */
    bool record_keys;              /* also build lp_results.record_keys (below) */
} lp_measures_options;

/* The record keys behind the count figures of every window period, for the
 * ledger of published figures (lp/ledger.h). Built by lp_measures_compute
 * when options->record_keys is set, by the same rules as the headline
 * table, into lp_results.record_keys (owned by the result set, and not one
 * of its tables, so no renderer writes it): a table named "record_keys",
 *   figure S   "mql_count", "inbound_pipeline" or "inbound_won"
 *   period S   window period label
 *   key S      lead_id (mql_count) or opportunity_id
 *   amount D   the opportunity's amount (blank = 0); null for mql_count
 * One row per record and period: mql_count lists the leads whose MQL
 * instant (mql_at, or the qualification rule's) by as-of is in the period;
 * inbound_pipeline the inbound opportunities created in the period (they
 * make inbound_pipeline_count and _amount); inbound_won the inbound
 * opportunities closed won with close_date in the period (inbound_won_count
 * and _amount). Rows are in dataset order; a figure the data switches off
 * has no rows. A record with a blank key is listed with key "". */
extern const char *const lp_record_key_figures[]; /* the three names above, NULL-terminated */

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
