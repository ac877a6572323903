#!/usr/bin/python3
"""Development-only stand-in for `leadpack fixtures --dialect generic`.

Writes the seven canonical CSV files (templates/DEFINITIONS.md, "Canonical model") with the
generic dialect's headers, ISO 8601 instants and true/false booleans, at
roughly the volumes of the real generator (scale 1 = 1,000,000 leads, about
3M touches, 5M activities, 150k opportunities, 2,000 campaigns), ending at
the as-of 2026-11-23T09:00:00Z. It exists so that the baselines can be
developed and checked before the real generator is available; `make bench`
never uses it.

    /usr/bin/python3 bench/dev/gen_canonical.py --scale 0.1 --seed 1 --out DIR
"""
import argparse
import os

import numpy as np
import pandas as pd

AS_OF = np.datetime64("2026-11-23T09:00:00", "s")
START = np.datetime64("2025-11-24T00:00:00", "s")
SPAN = int((AS_OF - START) / np.timedelta64(1, "s"))

SOURCES = np.array(["Web", " website", "Organic Search", "Paid Search", "social",
                    "Email", "webinar", "Event", "chat", "Referral",
                    "Partner", "reseller", "Channel",
                    "Cold Call", "List Import", "Outbound", ""])
SOURCE_P = np.array([14, 4, 10, 9, 4, 6, 6, 5, 3, 4, 6, 3, 2, 9, 6, 6, 3], float)
TEAMS = ["Enterprise", "Mid-Market", "SMB", "EMEA", "Partners"]
STAGES_OPEN = ["Prospecting", "Qualification", "Proposal", "Negotiation"]


def iso(values):
    """ISO 8601 UTC strings ("...Z"), empty where the instant is NaT."""
    out = np.char.add(np.datetime_as_string(values, unit="s"), "Z").astype(object)
    out[np.isnat(values)] = ""
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    os.makedirs(args.out, exist_ok=True)
    sec = np.timedelta64(1, "s")

    # users: five teams, the last of them partners
    n_users = max(25, int(200 * args.scale))
    users = pd.DataFrame({
        "owner_id": [f"U{i:05d}" for i in range(n_users)],
        "name": [f"Owner {i}" for i in range(n_users)],
        "team": [TEAMS[i % 5] for i in range(n_users)],
        "is_partner": ["true" if i % 5 == 4 else "false" for i in range(n_users)],
    })
    users.to_csv(os.path.join(args.out, "users.csv"), index=False)

    n_camp = max(50, int(2000 * args.scale))
    camp_start = START + rng.integers(-90, 330, n_camp) * np.timedelta64(1, "D")
    cost = np.round(rng.lognormal(8, 1, n_camp), 2).astype(object)
    cost[rng.random(n_camp) < 0.1] = ""
    campaigns = pd.DataFrame({
        "campaign_id": [f"C{i:06d}" for i in range(n_camp)],
        "name": [f"Campaign {i}" for i in range(n_camp)],
        "type": rng.choice(["Webinar", "Email", "Event", "Paid", "Content"], n_camp),
        "start_date": np.datetime_as_string(camp_start, unit="D"),
        "end_date": np.datetime_as_string(camp_start + np.timedelta64(60, "D"), unit="D"),
        "actual_cost": cost,
        "budgeted_cost": np.round(rng.lognormal(8, 1, n_camp), 2),
    })
    campaigns.to_csv(os.path.join(args.out, "campaigns.csv"), index=False)

    n = int(1_000_000 * args.scale)
    created = START + rng.integers(0, SPAN, n) * sec
    created.sort()
    src = rng.choice(SOURCES, n, p=SOURCE_P / SOURCE_P.sum())
    owner = rng.integers(0, n_users, n)
    is_mql = rng.random(n) < 0.30
    mql = created + (rng.exponential(2 * 86400, n)).astype("int64") * sec
    mql = np.where(is_mql & (mql <= AS_OF), mql, np.datetime64("NaT"))
    is_sql = (~np.isnat(mql)) & (rng.random(n) < 0.45)
    sql = mql + (rng.exponential(3 * 86400, n)).astype("int64") * sec
    sql = np.where(is_sql & (sql <= AS_OF), sql, np.datetime64("NaT"))
    lead_camp = np.array([f"C{i:06d}" for i in range(n_camp)], dtype=object)[
        rng.integers(0, n_camp, n)]
    lead_camp[rng.random(n) < 0.3] = ""
    lead_ids = np.array([f"L{i:08d}" for i in range(n)], dtype=object)

    # opportunities: most from SQLs, some leadless with their own source
    n_opp = int(150_000 * args.scale)
    sql_idx = np.flatnonzero(~np.isnat(sql))
    n_from_lead = min(len(sql_idx), int(n_opp * 0.85))
    opp_lead = rng.choice(sql_idx, n_from_lead, replace=False)
    opp_created = np.concatenate([
        sql[opp_lead] + (rng.exponential(4 * 86400, n_from_lead)).astype("int64") * sec,
        START + rng.integers(0, SPAN, n_opp - n_from_lead) * sec])
    opp_created = np.minimum(opp_created, AS_OF)
    closed = rng.random(n_opp) < 0.55
    won = closed & (rng.random(n_opp) < 0.4)
    close_date = (opp_created + (rng.exponential(40 * 86400, n_opp)).astype("int64") * sec
                  ).astype("datetime64[D]")
    stage = np.where(won, "Closed Won", np.where(closed, "Closed Lost",
                     rng.choice(STAGES_OPEN, n_opp)))
    amount = np.round(rng.lognormal(9.5, 0.8, n_opp), 2).astype(object)
    amount[rng.random(n_opp) < 0.03] = ""
    opp_ids = np.array([f"O{i:07d}" for i in range(n_opp)], dtype=object)
    # half of the lead-linked ones name their lead; the others are linked
    # only through leads.opportunity_id (a converted lead)
    opp_lead_col = np.full(n_opp, "", dtype=object)
    named = rng.random(n_from_lead) < 0.5
    opp_lead_col[:n_from_lead][named] = lead_ids[opp_lead[named]]
    lead_opp = np.full(n, "", dtype=object)
    lead_opp[opp_lead[~named]] = opp_ids[:n_from_lead][~named]
    opp_src = np.full(n_opp, "", dtype=object)
    opp_src[n_from_lead:] = rng.choice(SOURCES, n_opp - n_from_lead,
                                       p=SOURCE_P / SOURCE_P.sum())
    opp_camp = np.full(n_opp, "", dtype=object)
    nl = n_opp - n_from_lead
    opp_camp[n_from_lead:] = np.where(rng.random(nl) < 0.5,
                                      lead_camp[rng.integers(0, n, nl)], "")
    opps = pd.DataFrame({
        "opportunity_id": opp_ids, "created_at": iso(opp_created), "stage": stage,
        "amount": amount, "close_date": np.datetime_as_string(close_date, unit="D"),
        "is_closed": np.where(closed, "true", "false"),
        "is_won": np.where(won, "true", "false"),
        "source": opp_src, "campaign_id": opp_camp, "lead_id": opp_lead_col,
        "owner_id": np.array([f"U{i:05d}" for i in range(n_users)])[
            rng.integers(0, n_users, n_opp)],
        "type": rng.choice(["New Business", "Renewal", "Upsell"], n_opp),
    })
    opps.to_csv(os.path.join(args.out, "opportunities.csv"), index=False)

    leads = pd.DataFrame({
        "lead_id": lead_ids, "created_at": iso(created), "source": src,
        "campaign_id": lead_camp,
        "owner_id": np.array([f"U{i:05d}" for i in range(n_users)])[owner],
        "company": np.char.add("Company ", rng.integers(0, n // 3 + 1, n).astype(str)),
        "industry": rng.choice(["Software", "Retail", "Finance", "Health", ""], n),
        "employees": rng.integers(1, 5000, n),
        "country": rng.choice(["US", "GB", "DE", "FR", "NL", "ES"], n),
        "phone": np.char.add("+1555", rng.integers(1000000, 9999999, n).astype(str)),
        "email": np.char.add(np.char.add("p", np.arange(n).astype(str)), "@example.com"),
        "score": rng.integers(0, 100, n),
        "status": np.where(np.isnat(mql), "Open", np.where(np.isnat(sql), "MQL", "SQL")),
        "mql_at": iso(mql), "sql_at": iso(sql), "disqualified_at": "",
        "converted_at": "", "opportunity_id": lead_opp,
    })
    leads.to_csv(os.path.join(args.out, "leads.csv"), index=False)

    # touches: about three per lead around its creation, ties included
    n_t = 3 * n
    t_lead = rng.integers(0, n, n_t)
    t_at = created[t_lead] + rng.integers(-20 * 86400, 10 * 86400, n_t) * sec
    t_at = np.minimum(t_at, AS_OF)
    t_at[::50] = created[t_lead[::50]]  # exact ties with created_at
    touches = pd.DataFrame({
        "touch_id": [f"T{i:09d}" for i in range(n_t)],
        "lead_id": lead_ids[t_lead],
        "campaign_id": np.array([f"C{i:06d}" for i in range(n_camp)], dtype=object)[
            rng.integers(0, n_camp, n_t)],
        "touched_at": iso(t_at),
        "responded": np.where(rng.random(n_t) < 0.3, "true", "false"),
    })
    touches.to_csv(os.path.join(args.out, "touches.csv"), index=False)

    # activities: follow-up on MQLs after hand-off (some never touched),
    # plus background activity on other leads and a few orphans
    mql_idx = np.flatnonzero(~np.isnat(mql))
    touched = mql_idx[rng.random(len(mql_idx)) < 0.9]
    per = rng.poisson(8, len(touched))
    a_lead = np.repeat(touched, per)
    first_delay = rng.exponential(14 * 3600, len(touched))
    a_at = mql[a_lead] + (np.repeat(first_delay, per)
                          + rng.exponential(3 * 86400, len(a_lead))
                          * (rng.random(len(a_lead)) < 0.85)).astype("int64") * sec
    # some activities before the hand-off
    before = rng.random(len(a_lead)) < 0.05
    a_at[before] = mql[a_lead[before]] - rng.integers(3600, 86400 * 5, before.sum()) * sec
    n_bg = max(0, 5 * n - len(a_lead))
    bg_lead = rng.integers(0, n, n_bg)
    bg_at = created[bg_lead] + rng.integers(0, 30 * 86400, n_bg) * sec
    all_lead = lead_ids[np.concatenate([a_lead, bg_lead])]
    all_at = np.concatenate([a_at, bg_at])
    keep = all_at <= AS_OF
    all_lead, all_at = all_lead[keep], all_at[keep]
    all_lead[::997] = "L99999999X"  # orphans
    m = len(all_lead)
    activities = pd.DataFrame({
        "lead_id": all_lead, "at": iso(all_at),
        "owner_id": np.array([f"U{i:05d}" for i in range(n_users)])[
            rng.integers(0, n_users, m)],
        "type": rng.choice(["call", "email", "meeting", "other"], m),
    })
    activities.to_csv(os.path.join(args.out, "activities.csv"), index=False)

    targets = pd.DataFrame({"period": ["2026-W46", "2026-W47"], "measure": ["mql", "mql"],
                            "team": ["", ""], "value": [int(6000 * args.scale)] * 2})
    targets.to_csv(os.path.join(args.out, "targets.csv"), index=False)


if __name__ == "__main__":
    main()
