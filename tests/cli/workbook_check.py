"""Reader checks of a pack workbook (run with /usr/bin/python3).

  workbook_check.py pack --xlsx FILE --headline results/headline.csv
                    --period P --previous Q --work DIR
      openpyxl (the independent reader) and one LibreOffice run:
      - the first sheet is Summary;
      - the Summary's headline measures (column "figure", found by the
        header comments) hold, as cached values (data_only=True), the values
        of headline.csv for P ("this_period") and the previous value as
        compared in changes.csv, else headline.csv's for Q
        ("previous_period"); an empty value is an empty cell; every measure
        of headline.csv is there; labels are unique; panes freeze under the
        header row and right of the label column;
      - the counts, sums and ratios of rows are recomputed here from
        results/detail_*.csv and detail_*_previous.csv (this period and the
        previous one; MQLs, SQLs, follow-ups, inbound opportunities and
        wins, open inbound pipeline, closed deals of every channel, with the
        maturing shares' previous rows as of changes.csv's compared_as_of)
        and equal the Summary's cells, which are formulas over the detail
        sheets; a figure without such a formula has a note;
      - the Funnel, Routing and Campaigns sheets, whose whole-window and
        lifetime counts have no record rows, say in a note how many records
        they count (funnel.csv's leads, routing.csv's MQLs, campaigns.csv's
        touches) and name the results file that holds the counts;
      - every header is in words with its canonical name in a comment; a
        detail sheet's names are its results CSV's columns in order, its
        rows are the CSV's rows, and campaign_name / owner_name stand beside
        campaign_id / owner_id with the names of campaigns.csv and
        sla_by_owner.csv; detail sheets freeze their header row;
      - figures are numbers, not text: Summary rates carry a percentage
        format and amounts a currency format; no cell of a non-detail sheet
        is text that reads as a number ("22%", "$47K", "1,234");
      - formats follow the figure catalogue's units (templates/DEFINITIONS.md): Summary
        counts are whole numbers ("#,##0"), the change of a share is in
        points (a " pts" format, no percent); the Forecast sheet's
        mql_forecast, low and high are MQL counts: whole, never percentages;
        no number anywhere shows two decimals ("178.00", "$0.00");
      - detail sheets (MQLs, Inbound opportunities, Inbound wins, Touches and
        their continuations "NAME (2)", ...) hold no formula, in openpyxl's
        reading and in the sheet XML itself; every other formula is one of
        leadpack's (COUNTA, COUNTIFS, SUM, SUMIFS over detail sheets,
        arithmetic over cells);
      - LibreOffice (soffice --headless --convert-to xlsx, HOME in DIR, set
        to recalculate on load) converts the workbook, and the result has the
        same sheets; in the same run it converts a copy whose cached formula
        results were replaced by -7777, so its values are LibreOffice's own:
        every formula cell's value there equals leadpack's cached value
        (relative tolerance 1e-9);
      - the Parameters sheet's "Input files" list every input file with its
        SHA-256 as Python's hashlib computes it from the file (the run works
        the digests out beside the load and fills this sheet last).

  workbook_check.py text --xlsx FILE --sheet NAME --text S [--text S ...]
      each S is a cell of sheet NAME held as a string (data type s, no
      formula), and the sheet XML holds no <f> element.

Exit status 0 when every check passes; otherwise each failure is printed on
stderr and the status is 1.
"""

import argparse
import csv
import hashlib
import math
import os
import re
import subprocess
import sys
import zipfile

import openpyxl

failures = []

DETAIL = re.compile(r"^(MQLs|SQLs|Follow-ups|Inbound opportunities|Open inbound pipeline|"
                    r"Inbound wins|Closed deals|Touches|"
                    r"Previous (MQLs|SQLs|follow-ups|inbound \w+|closed deals))( \(\d+\))?$")
# Detail sheets and the result tables they show.
DETAIL_TABLES = {"MQLs": "detail_mqls", "Inbound opportunities": "detail_inbound_opportunities",
                 "Inbound wins": "detail_inbound_wins", "Touches": "detail_touches",
                 "SQLs": "detail_sqls", "Follow-ups": "detail_followups",
                 "Open inbound pipeline": "detail_open_inbound_pipeline",
                 "Closed deals": "detail_closed",
                 "Previous MQLs": "detail_mqls_previous",
                 "Previous SQLs": "detail_sqls_previous",
                 "Previous follow-ups": "detail_followups_previous",
                 "Previous inbound opportunities": "detail_inbound_opportunities_previous",
                 "Previous inbound wins": "detail_inbound_wins_previous",
                 "Previous closed deals": "detail_closed_previous"}
LEADPACK_FUNCTIONS = {"COUNTA", "COUNTIFS", "SUM", "SUMIFS"}
# Units of the headline measures (templates/DEFINITIONS.md, "The five headline measures"
# and headline.csv): shares are percentages, amounts are money (settings
# currency USD, so "$").
PERCENT = {"acceptance_rate", "sla_compliance", "followup_compliance", "inbound_win_rate",
           "inbound_won_share"}
MONEY = {"inbound_pipeline_amount", "open_inbound_pipeline_amount", "inbound_won_amount",
         "inbound_avg_deal"}
COUNTS = {"mql_count", "sql_count", "inbound_pipeline_count", "sla_eligible", "sla_within",
          "sla_untouched", "sla_pending", "inbound_won_count", "won_count"}
NUMBER_TEXT = re.compile(r"^\s*[-+]?[$\u20ac\u00a3]?\d[\d,]*(\.\d+)?\s*(%|[KMB])?\s*$")
POISON = -7777.0


def expect(ok, what):
    if not ok:
        failures.append(what)
    return ok


def close(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b))
    return a == b


def sheet_parts(path):
    """Sheet name -> its XML part, from workbook.xml and its relationships."""
    with zipfile.ZipFile(path) as z:
        wb = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    targets = dict(re.findall(r'<Relationship Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
    targets.update({k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*Id="([^"]+)"', rels)})
    parts = {}
    for name, rid in re.findall(r'<sheet name="([^"]+)"[^>]*r:id="([^"]+)"', wb):
        name = name.replace("&amp;", "&").replace("&quot;", '"').replace("&apos;", "'")
        target = targets.get(rid, "")
        parts[name] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return parts


def xml_formula_count(path, sheet):
    part = sheet_parts(path).get(sheet)
    if not expect(part is not None, f"no XML part for sheet {sheet!r}"):
        return -1
    with zipfile.ZipFile(path) as z:
        return len(re.findall(r"<f[ >]", z.read(part).decode()))


def headline_values(path, period):
    values = {}
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["period"] == period:
                values[row["measure"]] = float(row["value"]) if row["value"] != "" else None
    return values


def canon(cell):
    """The canonical name of a header cell: the comment on it."""
    return cell.comment.text if cell.comment is not None else None


def summary_rows(ws):
    """(row number, figure id) of the headline measures table, its columns
    by canonical name (0-based) and its header row."""
    rows, columns, header = [], None, None
    for r in ws.iter_rows():
        names = [canon(c) for c in r]
        if columns is None:
            if "figure" in names and "this_period" in names:
                columns = {v: i for i, v in enumerate(names) if v}
                header = r[0].row
            continue
        name = r[columns["figure"]].value if columns["figure"] < len(r) else None
        if not name:
            break
        rows.append((r[0].row, name))
    return rows, columns or {}, header


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        return header, [dict(zip(header, row)) for row in reader]


def changes_previous(path):
    """measure -> (previous as compared or None, compared_as_of text)."""
    out = {}
    if os.path.exists(path):
        for row in read_csv(path)[1]:
            prev = float(row["previous"]) if row["previous"] != "" else None
            out[row["measure"]] = (prev, row["compared_as_of"])
    return out


def excel_serial(iso):
    """Excel serial of an ISO instant (the sample's report time zone is UTC)."""
    import datetime
    t = datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ")
    return (t - datetime.datetime(1899, 12, 30)).total_seconds() / 86400


def amount_of(rows):
    return sum(float(r["amount"]) for r in rows if r["amount"])


def from_rows(results, compared):
    """The Summary figures that are counts, sums and ratios of detail rows,
    worked out here from the detail CSVs: {(figure, "this"|"previous"): value}.

    The definitions (templates/DEFINITIONS.md): SQLs are the leads accepted
    in the period; open inbound pipeline the amounts of the inbound
    opportunities open at the period's end (detail_open_inbound_pipeline,
    a flag per end); follow-up the share of the MQLs whose 7-day window has
    closed that were followed up; won count, amount and win rate from the
    deals closed in the period (every channel; inbound by their channel);
    inbound share of won the inbound won amount over every channel's. A
    maturing share's previous value as compared (changes.csv) counts only
    the previous rows that had happened by compared_as_of: a follow-up
    window closed and the lead created by then, a deal created and closed
    by then; a previous value that is not as compared (too early) is the
    rows as they stand."""
    out = {}
    path = os.path.join(results, "detail_open_inbound_pipeline.csv")
    if os.path.exists(path):
        rows = read_csv(path)[1]
        out[("open_inbound_pipeline_amount", "this")] = amount_of(
            [r for r in rows if r["open_at_end"] == "true"])
        out[("open_inbound_pipeline_amount", "previous")] = amount_of(
            [r for r in rows if r["open_at_previous_end"] == "true"])

    def by(name, when):
        """compared_as_of of a maturing share's previous value, or "" (every row)."""
        previous, cutoff = compared.get(name, (None, ""))
        return cutoff if when == "previous" and previous is not None else ""

    for when, suffix in (("this", ""), ("previous", "_previous")):
        sqls = os.path.join(results, f"detail_sqls{suffix}.csv")
        if os.path.exists(sqls):
            out[("sql_count", when)] = len(read_csv(sqls)[1])
        followups = os.path.join(results, f"detail_followups{suffix}.csv")
        if os.path.exists(followups):
            cutoff = by("followup_compliance", when)
            rows = [r for r in read_csv(followups)[1]
                    if not cutoff or (r["followup_window_end"] <= cutoff
                                      and r["created_at"] != "" and r["created_at"] <= cutoff)]
            if rows:
                out[("followup_compliance", when)] = (
                    sum(r["followed_up"] == "true" for r in rows) / len(rows))
        closed = os.path.join(results, f"detail_closed{suffix}.csv")
        if os.path.exists(closed):
            rows = read_csv(closed)[1]
            won = [r for r in rows if r["is_won"] == "true"]
            out[("won_count", when)] = len(won)
            out[("won_amount", when)] = amount_of(won)
            for name, channel in (("win_rate", None), ("inbound_win_rate", "inbound")):
                cutoff = by(name, when)
                deals = [r for r in rows if (channel is None or r["channel"] == channel)
                         and (not cutoff or (r["created_at"] <= cutoff
                                             and r["close_date"] <= cutoff))]
                if deals:
                    out[(name, when)] = sum(r["is_won"] == "true" for r in deals) / len(deals)
            wins = os.path.join(results, f"detail_inbound_wins{suffix}.csv")
            if won and os.path.exists(wins):
                out[("inbound_won_share", when)] = amount_of(read_csv(wins)[1]) / amount_of(won)
    for when, suffix in (("this", ""), ("previous", "_previous")):
        mqls = os.path.join(results, f"detail_mqls{suffix}.csv")
        opps = os.path.join(results, f"detail_inbound_opportunities{suffix}.csv")
        wins = os.path.join(results, f"detail_inbound_wins{suffix}.csv")
        if os.path.exists(mqls):
            rows = read_csv(mqls)[1]
            n = len(rows)
            out[("mql_count", when)] = n
            eligible = sum(r["pending"] == "false" for r in rows)
            within = sum(r["within_sla"] == "true" for r in rows)
            out[("sla_eligible", when)] = eligible
            out[("sla_within", when)] = within
            out[("sla_untouched", when)] = sum(r["first_touch_at"] == "" for r in rows)
            out[("sla_pending", when)] = sum(r["pending"] == "true" for r in rows)
            if eligible:
                out[("sla_compliance", when)] = within / eligible
            # Acceptance keeps maturing: the previous period is compared at
            # changes.csv's compared_as_of, so SQLs count up to then.
            cutoff = compared.get("acceptance_rate", (None, ""))[1] if when == "previous" else ""
            accepted = sum(r["sql_at"] != "" and (not cutoff or r["sql_at"] <= cutoff)
                           for r in rows)
            if n:
                out[("acceptance_rate", when)] = accepted / n
        for path, count, amount in ((opps, "inbound_pipeline_count", "inbound_pipeline_amount"),
                                    (wins, "inbound_won_count", "inbound_won_amount")):
            if os.path.exists(path):
                rows = read_csv(path)[1]
                out[(count, when)] = len(rows)
                out[(amount, when)] = sum(float(r["amount"]) for r in rows if r["amount"])
                if count == "inbound_won_count" and rows:
                    out[("inbound_avg_deal", when)] = out[(amount, when)] / len(rows)
    return out


def detail_column(formulas, sheet, name):
    """Column letter of the header whose comment is name on a detail sheet."""
    if sheet not in formulas.sheetnames:
        return None
    for c in formulas[sheet][1]:
        if canon(c) == name:
            return c.column_letter
    return None


def check_summary(formulas, values, args):
    expect(values.sheetnames[0] == "Summary", f"first sheet is {values.sheetnames[0]!r}")
    if "Summary" not in values.sheetnames:
        return
    ws, wf = values["Summary"], formulas["Summary"]
    rows, columns, header = summary_rows(wf)
    if not expect(rows and "previous_period" in columns, "no headline measures table in Summary"):
        return
    expect(wf.freeze_panes == f"B{header + 1}",
           f"Summary panes frozen at {wf.freeze_panes}, want B{header + 1} (header row "
           f"{header} and the label column)")
    results = os.path.dirname(args.headline)
    now = headline_values(args.headline, args.period)
    before = headline_values(args.headline, args.previous)
    compared = changes_previous(os.path.join(results, "changes.csv"))
    expect(len(now) > 0 and len(before) > 0,
           f"headline.csv has no rows for {args.period} or {args.previous}")
    names = [name for _, name in rows]
    expect(sorted(names) == sorted(now), f"Summary measures {names}, headline.csv {sorted(now)}")
    labels = [wf.cell(row=row, column=columns["measure"] + 1).value for row, _ in rows]
    expect(len(set(labels)) == len(labels) and all(labels),
           f"Summary labels are not unique: {labels}")
    recomputed = from_rows(results, compared)
    expect(len(recomputed) >= 34, f"only {len(recomputed)} figures recomputed from detail rows")
    for row, name in rows:
        previous = compared.get(name, (None, ""))[0]
        if previous is None:
            previous = before.get(name)
        for column, want, when in (("this_period", now.get(name), "this"),
                                   ("previous_period", previous, "previous")):
            cell = wf.cell(row=row, column=columns[column] + 1)
            where = f"Summary {name} {column} ({cell.coordinate})"
            if (name, when) in recomputed:
                # A figure of the rows is a formula over them, and the rows
                # give the published number.
                expect(cell.data_type == "f", f"{where} is {cell.value!r}, not a formula over "
                       "the detail rows")
                expect(want is not None and close(float(recomputed[(name, when)]), want),
                       f"{where}: the detail CSVs give {recomputed[(name, when)]!r}, the "
                       f"results {want!r}")
                if when == "previous" and cell.data_type == "f" and "'" in cell.value:
                    # Open pipeline: one sheet, a flag per period end.
                    prev_flag = detail_column(formulas, "Open inbound pipeline",
                                              "open_at_previous_end")
                    expect("'Previous " in cell.value or
                           (name == "open_inbound_pipeline_amount" and prev_flag and
                            f"!${prev_flag}$" in cell.value),
                           f"{where} {cell.value!r} is not over the previous period's rows")
            elif when == "this" and cell.data_type != "f":
                note = wf.cell(row=row, column=columns["note"] + 1).value
                expect(isinstance(note, str) and note,
                       f"{where} is a value with no note saying why")
            col = columns[column] + 1
            got = ws.cell(row=row, column=col).value
            fmt = wf.cell(row=row, column=col).number_format
            where = f"Summary {name} {column} ({wf.cell(row=row, column=col).coordinate})"
            if want is None or (isinstance(want, float) and math.isnan(want)):
                expect(got is None, f"{where} is {got!r}, headline.csv has no value")
                continue
            if not expect(isinstance(got, (int, float)) and not isinstance(got, bool),
                          f"{where} is {got!r} ({type(got).__name__}), not a number"):
                continue
            expect(close(float(got), want), f"{where} is {got!r}, headline.csv {want!r}")
            if name in PERCENT:
                expect("%" in fmt, f"{where} format {fmt!r} is not a percentage")
            elif name in MONEY:
                expect("$" in fmt, f"{where} format {fmt!r} is not currency")
            elif name in COUNTS:
                expect(fmt == "#,##0", f"{where} count format {fmt!r} is not whole")
            else:
                expect(fmt != "@", f"{where} is formatted as text")
        # A change of a share is a difference in percentage points.
        if name in PERCENT and "change" in columns:
            c = wf.cell(row=row, column=columns["change"] + 1)
            if c.value is not None:
                expect("pts" in c.number_format and "%" not in c.number_format,
                       f"Summary {name} Change ({c.coordinate}) format {c.number_format!r} "
                       "is not in points")


def check_notes(formulas, args):
    """The sheets without record rows say why and where the records are."""
    results = os.path.dirname(args.headline)
    funnel = read_csv(os.path.join(results, "funnel.csv"))[1]
    routing = read_csv(os.path.join(results, "routing.csv"))[1]
    campaigns = read_csv(os.path.join(results, "campaigns.csv"))[1]
    touches = sum(int(r["touches"]) for r in campaigns if r["touches"])
    for sheet, count, what, where in (
            ("Funnel", int(funnel[0]["reached"]), "leads", "results/funnel.csv"),
            ("Routing", sum(int(r["mqls"]) for r in routing), "MQLs in all",
             "results/routing.csv"),
            ("Campaigns", touches, "touches in all", "results/campaigns.csv")):
        if not expect(sheet in formulas.sheetnames, f"no {sheet} sheet"):
            continue
        texts = [c.value for row in formulas[sheet].iter_rows() for c in row
                 if isinstance(c.value, str)]
        want = f"({count:,} {what})"
        expect(any(want in t and where in t and "Input files" in t for t in texts),
               f"{sheet}: no note saying {want!r} and where the records are ({where})")


def check_input_digests(formulas):
    """Parameters, Input files: each file's sha256 is hashlib's of the file."""
    if not expect("Parameters" in formulas.sheetnames, "no Parameters sheet"):
        return
    rows = [[c.value for c in row] for row in formulas["Parameters"].iter_rows()]
    start = next((i for i, r in enumerate(rows) if r and r[0] == "Input files"), None)
    if not expect(start is not None, "Parameters: no Input files"):
        return
    files = [r for r in rows[start + 2:] if r and r[0]]
    expect(len(files) > 0, "Parameters: no input file listed")
    for r in files:
        path, digest = r[0], r[6]
        if not expect(os.path.isfile(path), f"Parameters: {path!r} is not a file"):
            continue
        with open(path, "rb") as f:
            want = hashlib.sha256(f.read()).hexdigest()
        expect(digest == want, f"Parameters: {path}: sha256 {digest!r}, hashlib gives {want}")


def check_formats(formulas):
    """Number formats by unit: the Forecast band is MQL counts, and no
    number shows two decimals."""
    if expect("Forecast" in formulas.sheetnames, "no Forecast sheet"):
        ws = formulas["Forecast"]
        header, cols = None, {}
        for row in ws.iter_rows():
            cells = [canon(c) for c in row]
            if "mql_forecast" in cells:
                header = row[0].row
                cols = {v: i + 1 for i, v in enumerate(cells)
                        if v in ("mql_forecast", "low", "high")}
                break
        if expect(header is not None and len(cols) == 3, "Forecast has no mql_forecast/low/high"):
            nrows = 0
            for r in range(header + 1, ws.max_row + 1):
                if ws.cell(row=r, column=1).value is None:
                    break
                for name, col in cols.items():
                    c = ws.cell(row=r, column=col)
                    if isinstance(c.value, (int, float)):
                        nrows += 1
                        expect(c.number_format == "#,##0",
                               f"Forecast!{c.coordinate} {name} format {c.number_format!r}: "
                               "MQL counts are whole numbers, not percentages")
            expect(nrows > 0, "Forecast holds no numbers")
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, (int, float)) or c.data_type == "f":
                    expect(not re.search(r"\.00(?!0)", c.number_format or ""),
                           f"{ws.title}!{c.coordinate} format {c.number_format!r} "
                           "shows two decimals")


def check_cells(formulas, args):
    nformulas = 0
    for ws in formulas.worksheets:
        detail = DETAIL.match(ws.title) is not None
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    nformulas += 1
                    where = f"{ws.title}!{c.coordinate}"
                    if not expect(not detail, f"{where} in a detail sheet holds {c.value!r}"):
                        continue
                    functions = set(re.findall(r"([A-Z][A-Z0-9.]*)\(", c.value))
                    sheets = set(re.findall(r"'([^']+)'!", c.value))
                    expect(functions <= LEADPACK_FUNCTIONS,
                           f"{where} {c.value!r} is not a leadpack formula")
                    expect(all(DETAIL.match(s) for s in sheets),
                           f"{where} {c.value!r} refers to a sheet other than the detail rows")
                elif isinstance(c.value, str) and not detail:
                    expect(not NUMBER_TEXT.match(c.value),
                           f"{ws.title}!{c.coordinate} holds the number {c.value!r} as text")
        if detail:
            expect(xml_formula_count(args.xlsx, ws.title) == 0,
                   f"the XML of detail sheet {ws.title!r} holds a formula")
    expect(nformulas > 0, "the workbook holds no formula")


def check_headers_and_details(formulas, args):
    """Headers in words with their names in comments, unique in each row;
    detail sheets are their results CSVs, names beside ids; panes frozen."""
    results = os.path.dirname(args.headline)
    for ws in formulas.worksheets:
        expect(ws.freeze_panes is not None, f"sheet {ws.title!r} has no frozen panes")
        headers = {}
        for row in ws.iter_rows():
            for c in row:
                if c.comment is not None:
                    headers.setdefault(c.row, []).append(c)
        for r, cells in headers.items():
            words = [c.value for c in cells]
            expect(len(set(words)) == len(words), f"{ws.title} row {r} headers repeat: {words}")
            for c in cells:
                expect(isinstance(c.value, str) and "_" not in c.value and c.value != canon(c),
                       f"{ws.title}!{c.coordinate} header {c.value!r} is not in words")
        base = re.sub(r" \(\d+\)$", "", ws.title)
        table = DETAIL_TABLES.get(base)
        if table is None or not DETAIL.match(ws.title):
            continue
        expect(ws.freeze_panes == "A2", f"detail sheet {ws.title!r} frozen at {ws.freeze_panes}")
        path = os.path.join(results, table + ".csv")
        if not expect(os.path.exists(path), f"no {path} for sheet {ws.title!r}"):
            continue
        names, rows = read_csv(path)
        got = [canon(c) for c in ws[1]][:len(names)]
        expect(got == names, f"{ws.title} header names {got}, {table}.csv {names}")
        if got != names or ws.title != base:
            continue
        expect(ws.max_row - 1 == len(rows) or (not rows and ws.max_row <= 2),
               f"{ws.title} holds {ws.max_row - 1} rows, {table}.csv {len(rows)}")
        for idcol, namecol, source, key, label in (
                ("campaign_id", "campaign_name", "campaigns.csv", "campaign_id", "name"),
                ("owner_id", "owner_name", "sla_by_owner.csv", "owner_id", "owner_name")):
            if idcol not in names:
                continue
            i = names.index(idcol)
            expect(i + 1 < len(names) and names[i + 1] == namecol,
                   f"{ws.title}: {namecol} is not beside {idcol}")
            lookup = {}
            if os.path.exists(os.path.join(results, source)):
                for row in read_csv(os.path.join(results, source))[1]:
                    if row.get(label):
                        lookup.setdefault(row[key], row[label])
            named = 0
            for k, row in enumerate(rows):
                sheet_name = ws.cell(row=k + 2, column=i + 2).value
                expect((sheet_name or "") == row[namecol],
                       f"{ws.title} row {k + 2} {namecol} {sheet_name!r}, CSV {row[namecol]!r}")
                if row[idcol] in lookup:
                    named += 1
                    expect(row[namecol] == lookup[row[idcol]],
                           f"{table}.csv: {idcol} {row[idcol]} named {row[namecol]!r}, "
                           f"{source} {lookup[row[idcol]]!r}")
            expect(not rows or named > 0 or not lookup,
                   f"{ws.title}: no {idcol} of its rows has a name in {source}")


RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode"
 oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def poisoned_copy(src, dst):
    """Copy of src whose cached formula results all read -7777."""
    pattern = re.compile(r"(<f>[^<]*</f>)<v>[^<]*</v>")
    count = 0
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/") and item.filename.endswith(".xml"):
                text, n = pattern.subn(r"\1<v>-7777</v>", data.decode())
                count += n
                data = text.encode()
            zout.writestr(item, data)
    return count


def check_libreoffice(formulas, values, args):
    home = os.path.join(args.work, "home")
    profile = os.path.join(home, ".config", "libreoffice", "4", "user")
    os.makedirs(profile, exist_ok=True)
    with open(os.path.join(profile, "registrymodifications.xcu"), "w") as f:
        f.write(RECALC_ALWAYS)
    poisoned = os.path.join(args.work, "recalculated.xlsx")
    npoisoned = poisoned_copy(args.xlsx, poisoned)
    outdir = os.path.join(args.work, "converted")
    env = dict(os.environ, HOME=home)
    try:
        r = subprocess.run(["soffice", "--headless", "--norestore", "--convert-to", "xlsx",
                            "--outdir", outdir, args.xlsx, poisoned],
                           capture_output=True, text=True, timeout=180, env=env)
    except subprocess.TimeoutExpired:
        expect(False, "LibreOffice did not finish converting within 180 s")
        return
    converted = os.path.join(outdir, os.path.basename(args.xlsx))
    recalculated = os.path.join(outdir, "recalculated.xlsx")
    if not expect(r.returncode == 0 and os.path.exists(converted)
                  and os.path.exists(recalculated),
                  f"LibreOffice conversion failed ({r.returncode}): {r.stdout}{r.stderr}"):
        return
    back = openpyxl.load_workbook(converted, read_only=True)
    expect(back.sheetnames == values.sheetnames,
           f"LibreOffice's copy has sheets {back.sheetnames}, want {values.sheetnames}")
    back.close()
    lo = openpyxl.load_workbook(recalculated, data_only=True)
    nformulas = 0
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type != "f":
                    continue
                nformulas += 1
                cached = values[ws.title][c.coordinate].value
                got = lo[ws.title][c.coordinate].value if ws.title in lo.sheetnames else None
                expect(close(cached, got), f"{ws.title}!{c.coordinate} {c.value!r}: leadpack "
                       f"cached {cached!r}, LibreOffice computes {got!r}")
    expect(nformulas == npoisoned,
           f"{nformulas} formulas read, {npoisoned} cached results replaced")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["pack", "text"])
    p.add_argument("--xlsx", required=True)
    p.add_argument("--headline")
    p.add_argument("--period")
    p.add_argument("--previous")
    p.add_argument("--work")
    p.add_argument("--sheet")
    p.add_argument("--text", action="append", default=[])
    args = p.parse_args()

    formulas = openpyxl.load_workbook(args.xlsx)
    if args.mode == "text":
        ws = formulas[args.sheet]
        cells = {c.value: c for row in ws.iter_rows() for c in row if c.value is not None}
        for s in args.text:
            c = cells.get(s)
            if expect(c is not None, f"no cell of {args.sheet!r} holds {s!r}"):
                expect(c.data_type == "s", f"{c.coordinate} {s!r} has data type {c.data_type}")
        expect(xml_formula_count(args.xlsx, args.sheet) == 0,
               f"the XML of sheet {args.sheet!r} holds a formula")
        return report()

    values = openpyxl.load_workbook(args.xlsx, data_only=True)
    check_summary(formulas, values, args)
    check_notes(formulas, args)
    check_formats(formulas)
    check_headers_and_details(formulas, args)
    check_cells(formulas, args)
    check_input_digests(formulas)
    check_libreoffice(formulas, values, args)
    return report()


def report():
    for f in failures:
        print("workbook_check: " + f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
