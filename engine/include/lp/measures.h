/*
 * measures.h: every figure of templates/DEFINITIONS.md, computed from a loaded dataset into
 * one result set (results.h).
 *
 * The result tables, their columns in order, types and units are listed
 * once, in the result catalogue (lp_result_tables, lp/figures.h,
 * engine/figures/figures.c); tests/engine/test_result_catalogue.c holds the
 * measures to it. What follows says what the rows and the less obvious
 * columns mean. A null is "does not exist" (rate over zero, quantile not
 * reached, no target). P is the report period, the window is P and the 12
 * periods before it.
 *
 * The seven results files of templates/DEFINITIONS.md (results/NAME.csv) are headline,
 * campaigns, sla_by_owner, breaches, funnel, routing and forecast; the
 * columns after templates/DEFINITIONS.md's own are additions it allows.
 *
 *  headline      every headline measure x the 13 window periods, oldest
 *                first. provisional: true on acceptance_rate rows whose
 *                period ended less than 30 days before as-of; unit, level,
 *                base, matures_at as in lp/figures.h. base: a rate's trials
 *                (win_rate: won + lost closed in the period), a median's
 *                population or an amount's count (won_amount and
 *                cycle_median_days: won_count). Every period's row holds
 *                today's value: the trend is not aged (see changes).
 *  campaigns     listed campaigns by the configured model; scope "lifetime"
 *                (every figure counts to as-of), model as lp_attribution_name.
 *  sla_by_owner, breaches
 *                owner_name: the users export's name, else the owner id.
 *                sla_by_owner also low, high (compliance's 95% Wilson
 *                interval) and ranked (as in sla_by_team).
 *  funnel        one row per step; open, closed, closed_win_rate,
 *                closed_low, closed_high on the "won" row only, null on the
 *                others: of the cohort leads that reached the opportunity
 *                step, open = not won and an opportunity not closed by
 *                as-of, closed = won + lost, closed_win_rate = won / closed
 *                with its 95% Wilson interval; open + closed = the
 *                opportunity step's reached.
 *  routing       one row per team; best_route: interval wholly above every
 *                other team's.
 *  forecast      the periods after P.
 *
 * Headline measures (lp_headline_measures, templates/DEFINITIONS.md order): mql_count,
 * sql_count, acceptance_rate, inbound_pipeline_count, inbound_pipeline_amount,
 * open_inbound_pipeline_amount, sla_eligible, sla_within, sla_compliance,
 * sla_median_hours, sla_p90_hours, sla_untouched, sla_pending,
 * followup_compliance, inbound_won_count, inbound_won_amount, inbound_win_rate,
 * inbound_avg_deal, inbound_cycle_median_days, inbound_won_share, then measure
 * 5 for every channel: won_count, won_amount, win_rate (won / (won + lost)
 * closed in the period, Wilson 95% interval in low/high), cycle_median_days.
 *
 * Further tables (also written to results/ as CSV):
 *  changes       P against the period before, one row per headline measure.
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
 *                aged previous trials are 0), "" (no previous value).
 *  targets       every target row that matches a window period.
 *  mql_trend     the 13 window periods.
 *  kpi_months    the five first-page figures (lp_figure_kpis) x the 12
 *                calendar months ending with the one holding the end of P,
 *                oldest first; each month counts its events up to
 *                through = min(month end, end of P), so the last is month to
 *                date when P ends inside it. Rates are plain shares (no
 *                interval); null where the figure has no data or no base.
 *  volume_by_source, volume_by_channel, volume_by_campaign, volume_by_team,
 *  volume_by_segment
 *                one row per key, for P.
 *  attribution   listed campaigns and "(no campaign)" x all five models
 *                (model as lp_attribution_name).
 *  campaign_tests verdict "better", "worse" or "" (not different).
 *  pipeline_by_stage, pipeline_by_source, pipeline_by_campaign
 *                inbound opportunities created in P, by key.
 *  coverage      one row.
 *  sla_by_team, sla_by_partner
 *                one row per team; sla_by_partner one row per partner
 *                (the partner user's name in team) over the partner leads
 *                of P: those owned by a partner user, or of the partner
 *                channel; partner-channel leads owned by internal reps are
 *                one more row, "(partner source, internal owner)", last.
 *                ranked: eligible >= settings sla_min_leads, so the group
 *                may be named best or worst.
 *  partner_breaches
 *                the rows of breaches that are partner leads (as above),
 *                with partner the partner user's name or "(partner source,
 *                internal owner)".
 *  sla_curve     Kaplan-Meier step points, touched_share = 1 - S(t); team
 *                "All" for everyone.
 *  sla_reached   the curve in a few numbers: team "All", then one row per
 *                team; mqls (every MQL of P, pending ones too), within_1h,
 *                within_4h, within_24h, within_48h = 1 - S(t) at 1, 4, 24,
 *                48 hours, median_hours and p90_hours.
 *  won_by_source, won_by_campaign
 *                inbound, closed won in P, by key.
 *  reverse_funnel stage "leads", "mqls", "opportunities".
 *  routing_by_segment
 *                segment "1-49", "50-199", "200-999", "1000+", "(unknown)" x
 *                team.
 *  findings      ranked by evidence and size; volume and rate changes are
 *                the changes table's, so a maturing rate's base is the aged
 *                previous value; kind: "volume_change", "rate_change",
 *                "campaign_better", "campaign_worse", "team_slow",
 *                "team_best_route", "breaches", "target".
 *  switched_off  figures a missing table or column turned off, with why.
 *  detail_mqls   leads with mql_at in P.
 *  detail_inbound_opportunities
 *                inbound opportunities created in P.
 *  detail_inbound_wins
 *                inbound opportunities won with close_date in P.
 *  detail_mqls_previous, detail_inbound_opportunities_previous,
 *  detail_inbound_wins_previous
 *                the same rows for the period before P, as of as-of: the
 *                records behind the previous period's counts and sums.
 *  detail_sqls, detail_sqls_previous
 *                leads with sql_at in P (in the period before P), with the
 *                volume breakdowns' keys (source, channel, campaign_id,
 *                team, segment).
 *  detail_followups, detail_followups_previous
 *                MQLs of P (of the period before) whose follow-up window
 *                (mql_at + followup_days, followup_window_end) has closed
 *                by as-of: followup_activities in the window, followed_up
 *                when they reach followup_activities of the settings.
 *  detail_closed, detail_closed_previous
 *                every opportunity, any channel, closed (won or lost) with
 *                close_date in P (in the period before), with its channel.
 *  detail_open_inbound_pipeline
 *                inbound opportunities open at min(end of P, as-of) or at
 *                min(end of the period before, as-of): created before that
 *                end and not closed before it (closed without a close date
 *                counts as closed); open_at_end and open_at_previous_end
 *                say at which.
 *  The detail tables carry campaign_name beside campaign_id and owner_name
 *  beside owner_id (the campaigns and users exports' names; null when the
 *  export has none).
 *  detail_touches touches of the campaigns listed in campaigns, made in P.
 *  figures       one row per headline figure for P (lp/figures.h).
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

/* Computes every measure. On LP_OK *out_results holds the tables of the
 * result catalogue (lp/figures.h), in its order, and borrows ds and
 * settings (keep them alive while the results are used).
 * errmsg (LP_ERRMSG_SIZE) says what was wrong on failure (e.g. no data to
 * find an as-of in, a period label that does not parse). */
lp_status lp_measures_compute(const lp_dataset *ds, const lp_measures_options *options,
                              lp_results **out_results, char *errmsg);

/* The headline measure names, in templates/DEFINITIONS.md order (NULL-terminated). */
extern const char *const lp_headline_measures[];

#endif
