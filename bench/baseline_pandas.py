#!/usr/bin/python3
"""The pandas baseline of `make bench`: the weekly pack's headline measures
computed the way an analyst would with pandas, on the same CSV files that
leadpack reads, in the generic, Salesforce or HubSpot dialect.

    /usr/bin/python3 bench/baseline_pandas.py --input DIR [--dialect D] [--out FILE.xlsx]

Phases, each timed on its own (wall, CPU, peak resident memory so far):
  load        every table read with read_csv (the columns the dialect's
              profile maps, as leadpack reads them: templates/profiles/D.yaml),
              renamed to the canonical names, value maps applied (HubSpot's
              sources and deal stages, Salesforce's user types); instants
              parsed with to_datetime(utc=True) on the fast ISO 8601 path
              (read_csv(parse_dates=) is several times slower on pandas
              1.5, so this is the stronger baseline); Salesforce instants
              (2026-11-20T14:03:11.000+0000) with their explicit format
  aggregates  over the 13-week window ending at the last complete ISO week
              before as-of (templates/DEFINITIONS.md): mql_count, sql_count,
              acceptance_rate (Wilson), inbound_pipeline_count/_amount,
              the SLA join of MQLs to activities (first touch at or after
              hand-off, 24 h threshold: eligible, within, compliance,
              untouched, pending, Kaplan-Meier median and p90 hours),
              inbound_won_count/_amount, and first-touch campaign
              attribution of MQLs, SQLs and opportunities (lifetime)
  write       the results written to a workbook (xlsxwriter)

Prints one JSON object on stdout: the timings, and check_* values for the
report period P that lp_bench compares with leadpack's results/headline.csv.
Definitions follow templates/DEFINITIONS.md with the default settings (UTC, ISO weeks,
24 h wall-clock SLA, first-touch attribution).
"""
import argparse
import datetime
import glob
import json
import math
import os
import resource
import sys
import time

T_PROCESS = time.perf_counter()

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

INBOUND = {"web", "website", "organic search", "paid search", "social", "email",
           "content", "webinar", "event", "chat", "referral"}
PARTNER = {"partner", "partner referral", "reseller", "channel"}
SLA_HOURS = 24.0
WEEK = 7 * 86400
Z95 = 1.959964
INSTANTS = {
    "leads": ["created_at", "mql_at", "sql_at", "disqualified_at", "converted_at"],
    "touches": ["touched_at"],
    "activities": ["at"],
    "opportunities": ["created_at", "close_date"],
    "campaigns": ["start_date", "end_date"],
}
# identifiers are read as text everywhere, so that joins never meet an
# integer column on one side and a text column on the other
ID_COLUMNS = {c: str for c in ("lead_id", "campaign_id", "owner_id", "opportunity_id",
                               "touch_id")}
TABLES = ["leads", "campaigns", "touches", "activities", "opportunities", "users",
          "targets"]

# How each dialect's files become the canonical tables, as its profile
# (templates/profiles/DIALECT.yaml) maps them: table -> parts, each a list of
# file patterns and {source header: canonical column}; the parts of a table
# are stacked (Salesforce's Task.csv and Event.csv, HubSpot's calls, emails
# and meetings). None: the headers are the canonical names (generic).
TARGETS = {"period": "period", "measure": "measure", "team": "team", "value": "value"}
DIALECTS = {
    "generic": {t: [([t + ".csv", t + "_*.csv"], None)] for t in TABLES},
    "salesforce": {
        "leads": [(["Lead.csv", "Lead_*.csv"], {
            "Id": "lead_id", "CreatedDate": "created_at", "LeadSource": "source",
            "OwnerId": "owner_id", "Company": "company", "Industry": "industry",
            "NumberOfEmployees": "employees", "Country": "country", "Phone": "phone",
            "Email": "email", "Status": "status", "MQL_Date__c": "mql_at",
            "SQL_Date__c": "sql_at", "ConvertedDate": "converted_at",
            "ConvertedOpportunityId": "opportunity_id"})],
        "campaigns": [(["Campaign.csv"], {
            "Id": "campaign_id", "Name": "name", "Type": "type", "StartDate": "start_date",
            "EndDate": "end_date", "ActualCost": "actual_cost",
            "BudgetedCost": "budgeted_cost"})],
        "touches": [(["CampaignMember.csv", "CampaignMember_*.csv"], {
            "Id": "touch_id", "LeadId": "lead_id", "CampaignId": "campaign_id",
            "CreatedDate": "touched_at", "HasResponded": "responded"})],
        # a task's instant is its CreatedDate (ActivityDate is a date), an
        # event's its ActivityDateTime; a WhoId that is a contact (003...)
        # matches no lead and drops out of the SLA join, as in leadpack
        "activities": [
            (["Task.csv", "Task_*.csv"], {"WhoId": "lead_id", "CreatedDate": "at",
                                          "OwnerId": "owner_id", "TaskSubtype": "type"}),
            (["Event.csv", "Event_*.csv"], {"WhoId": "lead_id", "ActivityDateTime": "at",
                                            "OwnerId": "owner_id", "EventSubtype": "type"})],
        "opportunities": [(["Opportunity.csv"], {
            "Id": "opportunity_id", "CreatedDate": "created_at", "StageName": "stage",
            "Amount": "amount", "CloseDate": "close_date", "IsClosed": "is_closed",
            "IsWon": "is_won", "LeadSource": "source", "CampaignId": "campaign_id",
            "OwnerId": "owner_id", "Type": "type"})],
        "users": [(["User.csv"], {"Id": "owner_id", "Name": "name", "Department": "team",
                                  "UserType": "is_partner"})],
        "targets": [(["Targets.csv", "Targets_*.csv"], TARGETS)],
    },
    "hubspot": {
        "leads": [(["contacts.csv"], {
            "Record ID": "lead_id", "Create Date": "created_at", "Original Source": "source",
            "Contact owner": "owner_id", "Company Name": "company", "Industry": "industry",
            "Number of Employees": "employees", "Country/Region": "country",
            "Phone Number": "phone", "Email": "email", "Lead Status": "status",
            'Date entered "Marketing Qualified Lead (Lifecycle Stage Pipeline)"': "mql_at",
            "Became a Sales Qualified Lead Date": "sql_at",
            "Became an Opportunity Date": "converted_at"})],
        "activities": [([name], {"Associated Contact IDs": "lead_id", "Activity date": "at",
                                 "Activity assigned to": "owner_id", "Activity type": "type"})
                       for name in ("calls.csv", "emails.csv", "meetings.csv")],
        "opportunities": [(["deals.csv"], {
            "Record ID": "opportunity_id", "Create Date": "created_at", "Deal Stage": "stage",
            "Amount": "amount", "Close Date": "close_date", "Original Source": "source",
            "Associated Contact IDs": "lead_id", "Deal owner": "owner_id",
            "Deal Type": "type"})],
        "users": [(["owners.csv"], {"Name": "owner_id", "Team": "team",
                                    "Partner user": "is_partner"})],
        "targets": [(["Targets.csv", "Targets_*.csv"], TARGETS)],
    },
}
# value maps of the profiles (compared trimmed and case-insensitively)
VALUES = {
    "salesforce": {"is_partner": {"powerpartner": "true", "partner": "true"}},
    "hubspot": {
        "source": {"direct traffic": "Web", "social media": "Social",
                   "email marketing": "Email", "referrals": "Referral"},
        "is_partner": {"yes": "true", "no": "false"},
    },
}
# deal stages that are won, where the export has no is_won column
WON_STAGES = {"hubspot": {"closed won", "closedwon"}}
SF_INSTANT = "%Y-%m-%dT%H:%M:%S.%f%z"


class Phase:
    """Wall and CPU seconds of a block, and the peak RSS (MB) at its end."""

    def __enter__(self):
        self.wall0 = time.perf_counter()
        self.cpu0 = time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall0
        self.cpu = time.process_time() - self.cpu0
        self.peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        return False


def part_files(folder, patterns):
    """The files of a table part: each pattern's matches, sorted, once."""
    seen = []
    for pattern in patterns:
        for f in sorted(glob.glob(os.path.join(folder, pattern))):
            if f not in seen:
                seen.append(f)
    return seen


def read_part(path, names):
    """One file, the mapped columns only (all of them for generic), renamed
    to the canonical names; identifiers as text."""
    if names is None:
        return pd.read_csv(path, low_memory=False, dtype=ID_COLUMNS)
    header = pd.read_csv(path, nrows=0).columns
    use = [c for c in header if c in names]
    dtype = {c: str for c in use if names[c] in ID_COLUMNS}
    return pd.read_csv(path, usecols=use, low_memory=False, dtype=dtype).rename(columns=names)


def load(folder, dialect):
    tables, nbytes, nrows = {}, 0, 0
    values = VALUES.get(dialect, {})
    for name in TABLES:
        frames = []
        for patterns, names in DIALECTS[dialect].get(name, []):
            for f in part_files(folder, patterns):
                frames.append(read_part(f, names))
                nbytes += os.path.getsize(f)
        if not frames:
            continue
        df = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
        for col in INSTANTS.get(name, []):
            if col in df.columns:
                if dialect == "salesforce" and col not in ("start_date", "end_date",
                                                           "close_date"):
                    df[col] = pd.to_datetime(df[col], utc=True, format=SF_INSTANT)
                else:
                    df[col] = pd.to_datetime(df[col], utc=True)
        for col, vmap in values.items():
            if col in df.columns:
                key = df[col].astype(str).str.strip().str.lower()
                df[col] = key.map(vmap).fillna(df[col])
        if name == "opportunities" and dialect in WON_STAGES and "is_won" not in df.columns:
            stage = df["stage"].astype(str).str.strip().str.lower()
            df["is_won"] = stage.isin(WON_STAGES[dialect]).values
        tables[name] = df
        nrows += len(df)
    return tables, nbytes, nrows


def seconds(col):
    """Instants as float seconds since the epoch, NaN where missing."""
    ns = col.values.view("int64").astype("float64")
    ns[col.isna().values] = np.nan
    return ns / 1e9


def week_of(secs):
    """Ordinal of the ISO week holding each instant (UTC); the epoch
    1970-01-01 is a Thursday, so weeks start 3 days later on the shifted axis."""
    return np.floor((secs + 3 * 86400) / WEEK)


def week_label(ordinal):
    monday = datetime.date(1970, 1, 1) + datetime.timedelta(days=int(ordinal) * 7 - 3)
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def as_bool(col):
    if col.dtype == bool:
        return col.values
    return col.astype(str).str.strip().str.lower().isin(["true", "1", "yes"]).values


def wilson(k, n):
    if n == 0:
        return None, None, None
    p = k / n
    den = 1 + Z95 * Z95 / n
    centre = (p + Z95 * Z95 / (2 * n)) / den
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95 * Z95 / (4 * n * n)) / den
    return p, centre - half, centre + half


def km_quantiles(hours, touched, qs):
    """Kaplan-Meier quantiles of time to first touch: the smallest observed
    touch time t with S(t) <= 1 - q (1e-12 tolerance); a lead censored at t
    is still at risk at t."""
    out = [None] * len(qs)
    if len(hours) == 0:
        return out
    order = np.argsort(hours, kind="stable")
    h, ev = hours[order], touched[order]
    times, first = np.unique(h, return_index=True)
    at_risk = len(h) - first
    deaths = np.add.reduceat(ev.astype("int64"), first)
    keep = deaths > 0
    times, surv = times[keep], np.cumprod(1.0 - deaths[keep] / at_risk[keep])
    for i, q in enumerate(qs):
        hit = np.flatnonzero(surv <= 1.0 - q + 1e-12)
        if len(hit):
            out[i] = float(times[hit[0]])
    return out


def aggregates(t):
    leads, touches = t["leads"], t.get("touches")
    acts, opps, users = t.get("activities"), t.get("opportunities"), t.get("users")

    created = seconds(leads["created_at"])
    mql = seconds(leads["mql_at"])
    sql = seconds(leads["sql_at"])
    cands = [np.nanmax(created), np.nanmax(mql), np.nanmax(sql)]
    if touches is not None:
        cands.append(np.nanmax(seconds(touches["touched_at"])))
    if acts is not None:
        cands.append(np.nanmax(seconds(acts["at"])))
    if opps is not None:
        cands.append(np.nanmax(seconds(opps["created_at"])))
    as_of = float(np.nanmax(cands))
    mql[mql > as_of] = np.nan          # an mql_at after as-of counts as unset
    sql[sql > as_of] = np.nan
    period = int(week_of(np.array([as_of]))[0]) - 1   # last complete week
    weeks = list(range(period - 12, period + 1))
    w_lo = (period - 12) * WEEK - 3 * 86400

    # channel of every lead
    src = leads["source"].fillna("").astype(str).str.strip().str.lower()
    partner_owner = np.zeros(len(leads), bool)
    if users is not None and "is_partner" in users.columns:
        partners = set(users.loc[as_bool(users["is_partner"]), "owner_id"])
        partner_owner = leads["owner_id"].isin(partners).values
    inbound = src.isin(INBOUND).values
    channel = np.where(inbound, "inbound",
                       np.where(src.isin(PARTNER).values | partner_owner, "partner",
                                "outbound"))

    rows = []   # (measure, period, value, low, high)

    def put(measure, series, low=None, high=None):
        for i, w in enumerate(weeks):
            rows.append((measure, week_label(w), series[i],
                         None if low is None else low[i],
                         None if high is None else high[i]))

    # 1. qualified lead volume
    mql_w = week_of(mql)
    sql_w = week_of(sql)
    in_win = (mql_w >= weeks[0]) & (mql_w <= period)
    mql_count = np.bincount((mql_w[in_win] - weeks[0]).astype(int), minlength=13)
    ok = (sql_w >= weeks[0]) & (sql_w <= period)
    sql_count = np.bincount((sql_w[ok] - weeks[0]).astype(int), minlength=13)
    acc = np.bincount((mql_w[in_win & ~np.isnan(sql)] - weeks[0]).astype(int), minlength=13)
    acc_rate = [wilson(int(acc[i]), int(mql_count[i])) for i in range(13)]
    put("mql_count", mql_count)
    put("sql_count", sql_count)
    put("acceptance_rate", [a[0] for a in acc_rate], [a[1] for a in acc_rate],
        [a[2] for a in acc_rate])

    # 3. inbound-sourced pipeline; 5. closed business from inbound
    opp_channel = None
    if opps is not None:
        lead_pos = pd.Series(np.arange(len(leads)), index=leads["lead_id"].values)
        lead_pos = lead_pos[~lead_pos.index.duplicated()]
        by_id = opps["lead_id"].map(lead_pos) if "lead_id" in opps.columns else None
        by_conv = None          # HubSpot's contacts name no deal: deals name the contact
        if "opportunity_id" in leads.columns:
            conv = leads.loc[leads["opportunity_id"].notna(), ["opportunity_id"]]
            conv_pos = pd.Series(conv.index.values, index=conv["opportunity_id"].values)
            conv_pos = conv_pos[~conv_pos.index.duplicated()]
            by_conv = opps["opportunity_id"].map(conv_pos)
        opp_lead = by_conv if by_id is None else by_id if by_conv is None \
            else by_id.fillna(by_conv)
        if opp_lead is None:
            opp_lead = pd.Series(np.nan, index=opps.index)
        has_lead = opp_lead.notna().values
        own = opps["source"].fillna("").astype(str).str.strip().str.lower()
        own_channel = np.where(own.isin(INBOUND).values, "inbound",
                               np.where(own.isin(PARTNER).values, "partner", "outbound"))
        opp_channel = own_channel.copy()
        opp_channel[has_lead] = channel[opp_lead.values[has_lead].astype(int)]
        opps = opps.assign(_lead=opp_lead.values, _channel=opp_channel,
                           _amount=pd.to_numeric(opps["amount"], errors="coerce")
                           .fillna(0.0).values)
        inb = opps[opps["_channel"] == "inbound"]
        cw = week_of(seconds(inb["created_at"]))
        sel = (cw >= weeks[0]) & (cw <= period)
        idx = (cw[sel] - weeks[0]).astype(int)
        put("inbound_pipeline_count", np.bincount(idx, minlength=13))
        put("inbound_pipeline_amount",
            np.bincount(idx, weights=inb["_amount"].values[sel], minlength=13))
        won = as_bool(inb["is_won"]) if "is_won" in inb.columns else np.zeros(len(inb), bool)
        kw = week_of(seconds(inb["close_date"]))
        sel = won & (kw >= weeks[0]) & (kw <= period)
        idx = (kw[sel] - weeks[0]).astype(int)
        put("inbound_won_count", np.bincount(idx, minlength=13))
        put("inbound_won_amount",
            np.bincount(idx, weights=inb["_amount"].values[sel], minlength=13))

    # 4. SLA: first activity at or after hand-off, for the window's MQLs
    if acts is not None:
        m = pd.DataFrame({"lead_id": leads["lead_id"].values[in_win],
                          "mql": mql[in_win], "week": mql_w[in_win]})
        a = pd.DataFrame({"lead_id": acts["lead_id"].values, "at": seconds(acts["at"])})
        j = m[["lead_id", "mql"]].merge(a, on="lead_id", how="inner")
        j = j[j["at"] >= j["mql"]]
        first = j.groupby(["lead_id", "mql"], sort=False)["at"].min().rename("first")
        m = m.merge(first, left_on=["lead_id", "mql"], right_index=True, how="left")
        touched = m["first"].notna().values
        hours = np.where(touched, (m["first"].values - m["mql"].values) / 3600.0,
                         (as_of - m["mql"].values) / 3600.0)
        within = touched & (hours <= SLA_HOURS)
        pending = ~touched & (m["mql"].values + SLA_HOURS * 3600 > as_of)
        wk = (m["week"].values - weeks[0]).astype(int)
        n_mql = np.bincount(wk, minlength=13)
        n_within = np.bincount(wk, weights=within, minlength=13).astype(int)
        n_pending = np.bincount(wk, weights=pending, minlength=13).astype(int)
        n_untouched = np.bincount(wk, weights=~touched, minlength=13).astype(int)
        eligible = n_mql - n_pending
        comp = [wilson(int(n_within[i]), int(eligible[i])) for i in range(13)]
        km = [km_quantiles(hours[wk == i], touched[wk == i], (0.5, 0.9)) for i in range(13)]
        put("sla_eligible", eligible)
        put("sla_within", n_within)
        put("sla_compliance", [c[0] for c in comp], [c[1] for c in comp],
            [c[2] for c in comp])
        put("sla_median_hours", [k[0] for k in km])
        put("sla_p90_hours", [k[1] for k in km])
        put("sla_untouched", n_untouched)
        put("sla_pending", n_pending)

    # 2. first-touch attribution (lifetime to as-of): the lead's earliest
    # touch (ties: touched_at, touch_id, export order) when it is at or
    # before the event; no such touch credits "(no campaign)"
    campaigns = None
    if touches is not None:
        tt = pd.DataFrame({"lead_id": touches["lead_id"].values,
                           "campaign_id": touches["campaign_id"].values,
                           "at": seconds(touches["touched_at"]),
                           "touch_id": touches["touch_id"].fillna("").astype(str).values
                           if "touch_id" in touches.columns else ""})
        tt = tt.sort_values(["lead_id", "at", "touch_id"], kind="mergesort")
        tt = tt.drop_duplicates("lead_id", keep="first").set_index("lead_id")
        ft_campaign = leads["lead_id"].map(tt["campaign_id"]).values
        ft_at = leads["lead_id"].map(tt["at"]).values.astype("float64")

        def credit(lead_idx, cutoff):
            ok = ~np.isnan(ft_at[lead_idx]) & (ft_at[lead_idx] <= cutoff)
            return np.where(ok, ft_campaign[lead_idx], "(no campaign)")

        has_mql = np.flatnonzero(~np.isnan(mql))
        has_sql = np.flatnonzero(~np.isnan(sql))
        parts = [pd.DataFrame({"campaign_id": credit(has_mql, mql[has_mql]), "mqls": 1.0}),
                 pd.DataFrame({"campaign_id": credit(has_sql, sql[has_sql]), "sqls": 1.0})]
        if opps is not None:
            has_lead = opps["_lead"].notna().values
            li = opps["_lead"].values[has_lead].astype(int)
            oc = np.full(len(opps), "(no campaign)", dtype=object)
            oc[has_lead] = credit(li, seconds(opps["created_at"])[has_lead])
            own_camp = opps["campaign_id"].values if "campaign_id" in opps.columns \
                else np.full(len(opps), np.nan)
            nolead = ~has_lead & pd.notna(own_camp)
            oc[nolead] = own_camp[nolead]
            won = as_bool(opps["is_won"]) if "is_won" in opps.columns else False
            parts.append(pd.DataFrame({"campaign_id": oc, "opportunities": 1.0,
                                       "pipeline": opps["_amount"].values,
                                       "won": np.where(won, opps["_amount"].values, 0.0)}))
        campaigns = (pd.concat(parts, ignore_index=True)
                     .groupby("campaign_id", sort=True).sum(min_count=0)
                     .reindex(columns=["mqls", "sqls", "opportunities", "pipeline", "won"])
                     .fillna(0.0).reset_index())
        if "campaigns" in t:
            names = t["campaigns"].drop_duplicates("campaign_id").set_index("campaign_id")
            campaigns.insert(1, "name", campaigns["campaign_id"].map(names["name"]))

    headline = pd.DataFrame(rows, columns=["measure", "period", "value", "low", "high"])
    return headline, campaigns, as_of, week_label(period)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--input", required=True, help="folder of CSV files")
    ap.add_argument("--dialect", default="generic", choices=sorted(DIALECTS),
                    help="the export dialect (default: generic)")
    ap.add_argument("--out", help="workbook to write (default: none)")
    args = ap.parse_args()

    with Phase() as p_load:
        tables, nbytes, nrows = load(args.input, args.dialect)
    if "leads" not in tables:
        print(f"baseline_pandas: no {args.dialect} leads file in {args.input}",
              file=sys.stderr)
        return 2
    with Phase() as p_agg:
        headline, campaigns, as_of, period = aggregates(tables)
    with Phase() as p_write:
        if args.out:
            with pd.ExcelWriter(args.out, engine="xlsxwriter") as xl:
                headline.to_excel(xl, sheet_name="Headline", index=False)
                if campaigns is not None:
                    campaigns.to_excel(xl, sheet_name="Campaigns", index=False)

    out = {"tool": "pandas", "version": pd.__version__, "dialect": args.dialect,
           "input_bytes": nbytes, "rows": nrows}
    for name, p in (("load", p_load), ("aggregates", p_agg), ("write", p_write)):
        out[name + "_wall_s"] = round(p.wall, 4)
        out[name + "_cpu_s"] = round(p.cpu, 4)
        out[name + "_peak_mb"] = round(p.peak_mb, 1)
    out["process_wall_s"] = round(time.perf_counter() - T_PROCESS, 4)
    out["as_of"] = datetime.datetime.fromtimestamp(as_of, datetime.timezone.utc) \
        .strftime("%Y-%m-%dT%H:%M:%SZ")
    out["period"] = period
    last = headline[headline["period"] == period].set_index("measure")["value"]
    for measure, value in last.items():
        if value is not None and not (isinstance(value, float) and math.isnan(value)):
            out["check_" + measure] = float(value)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
