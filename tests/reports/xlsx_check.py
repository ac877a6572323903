#!/usr/bin/python3
"""Reader-side checks of leadpack workbooks (run by tests/reports/test_xlsx.c).

usage: xlsx_check.py TMPDIR PACK.xlsx SPLIT.xlsx

PACK is the default workbook of the hand-built result set; SPLIT the same
results in constant-memory mode with 3 rows per detail sheet. Every expected
value below is worked out by hand from the rows in test_xlsx.c (the comment
beside each says how). LibreOffice headless recalculates both workbooks in
one run, with a control workbook whose cached value is deliberately wrong to
prove that a recalculation took place.
"""
import datetime
import os
import subprocess
import sys
import zipfile

import openpyxl
import xlsxwriter

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def close(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
    return a == b


def canon(cell):
    """The canonical name of a header cell: its comment (the cell shows
    the name in words), else its value."""
    return cell.comment.text if cell.comment is not None else cell.value


def find_header(ws, col, name, start=1):
    """Row of the first header cell at or below start whose comment names
    the column name, or None."""
    for row in ws.iter_rows(min_row=start, min_col=col, max_col=col):
        if row[0].comment is not None and row[0].comment.text == name:
            return row[0].row
    return None


def check_headers(wb, tag):
    """Every header cell (a table's header row, or a row of header cells
    with comments) reads as words, keeps its canonical name in a comment,
    and is unique within its row."""
    nheaders = 0
    for ws in wb.worksheets:
        rows = {}
        for row in ws.iter_rows():
            for c in row:
                if c.comment is not None:
                    rows.setdefault(c.row, []).append(c)
        for r, cells in rows.items():
            labels = [c.value for c in cells]
            check(len(set(labels)) == len(labels), f"{tag}: {ws.title} row {r} headers "
                  f"repeat: {labels}")
            for c in cells:
                nheaders += 1
                check(isinstance(c.value, str) and "_" not in c.value,
                      f"{tag}: {ws.title}!{c.coordinate} header {c.value!r} is not in words")
                name = c.comment.text
                check(name and name == name.lower() and name != c.value,
                      f"{tag}: {ws.title}!{c.coordinate} comment {name!r} is not the "
                      f"canonical name of {c.value!r}")
        for t in ws.tables.values():
            first = t.ref.split(":")[0]
            hr = ws[first].row
            for c in ws[hr]:
                if c.value is not None:
                    check(c.comment is not None,
                          f"{tag}: {ws.title}!{c.coordinate} header {c.value!r} has no comment")
    check(nheaders > 100, f"{tag}: only {nheaders} header comments")


def find_row(ws, col, value):
    for row in ws.iter_rows(min_col=col, max_col=col):
        if row[0].value == value:
            return row[0].row
    return None


PLANTED = {"=1+1", "+1 555", "@SUM(A1)",
           '=HYPERLINK("http://example.com","Webinar")',
           '=HYPERLINK("http://example.com")'}


def check_common(path, tag, rows_per_detail):
    wb = openpyxl.load_workbook(path)
    cached = openpyxl.load_workbook(path, data_only=True)

    # Template order: cover and forecast are not workbook sections; the
    # template places MQLs, quality, definitions and parameters; the other
    # detail sheets follow its sections.
    expected = ["Summary", "Volume", "Campaigns", "SLA", "Pipeline", "Won", "Breaches",
                "Funnel", "Routing", "Forecast", "MQLs"]
    if rows_per_detail == 3:
        expected.append("MQLs (2)")   # 4 MQL rows, 3 per sheet
    expected += ["Data quality", "Definitions", "Parameters", "Inbound opportunities",
                 "Inbound wins", "Touches"]
    if rows_per_detail == 3:
        expected.append("Touches (2)")   # 5 touch rows
    expected.append("Previous MQLs")
    if rows_per_detail == 3:
        expected.append("Previous MQLs (2)")   # 6 previous rows
    check(wb.sheetnames == expected, f"{tag}: sheets {wb.sheetnames}")

    # Properties: created = as-of 2026-11-23T10:00:00Z.
    props = wb.properties
    check(props.creator == "leadpack", f"{tag}: author {props.creator}")
    check(props.title == "Weekly leadership pack", f"{tag}: title {props.title}")
    check(props.created == datetime.datetime(2026, 11, 23, 10, 0, 0),
          f"{tag}: created {props.created}")

    s = wb["Summary"]
    sc = cached["Summary"]
    r = find_row(s, 2, "mql_count")
    check(r is not None, f"{tag}: no mql_count row")
    # mql_count: 4 rows in detail_mqls; previous 6; change -2; target 5
    # (targets row mql / 2026-W47 / no team).
    c = s.cell(r, 3)
    check(isinstance(c.value, str) and c.value.startswith("=COUNTA('MQLs'!"),
          f"{tag}: mql_count formula {c.value}")
    check(sc.cell(r, 3).value == 4, f"{tag}: mql_count cached {sc.cell(r, 3).value}")
    check(c.number_format == "#,##0", f"{tag}: mql_count format {c.number_format}")
    check(sc.cell(r, 4).value == 6, f"{tag}: previous {sc.cell(r, 4).value}")
    # The previous 6 are the six rows of Previous MQLs (P1..P6), counted by
    # a formula over that sheet (and its continuation when split).
    check(str(s.cell(r, 4).value).startswith("=COUNTA('Previous MQLs'!"),
          f"{tag}: previous formula {s.cell(r, 4).value}")
    if rows_per_detail == 3:
        check("'Previous MQLs (2)'!" in s.cell(r, 4).value,
              f"{tag}: previous formula misses part 2: {s.cell(r, 4).value}")
    link = s.cell(r, 10).hyperlink
    check(link is not None and link.location.startswith("'Previous MQLs'!A1:"),
          f"{tag}: previous rows link {link.location if link else None}")
    check(s.cell(r, 5).value == f"=C{r}-D{r}" and sc.cell(r, 5).value == -2,
          f"{tag}: change {s.cell(r, 5).value}")
    check(sc.cell(r, 6).value == 5, f"{tag}: target {sc.cell(r, 6).value}")
    check(s.cell(r, 6).number_format == "#,##0", f"{tag}: target format")
    # Status by the target rule: 4 / 5 = 80% of target, under 90%: off track.
    check(s.cell(r, 7).value == "off track", f"{tag}: mql status {s.cell(r, 7).value}")
    # The label is the figure catalogue's with its unit.
    check(s.cell(r, 1).value == "Qualified leads (MQLs, count)",
          f"{tag}: label {s.cell(r, 1).value}")
    # Panes freeze under the headline table's header row and right of the
    # label column; every label is unique and says whether it is a count
    # or a share (sla_within, sla_compliance).
    hr = find_header(s, 1, "measure")
    check(hr is not None and s.freeze_panes == f"B{hr + 1}",
          f"{tag}: Summary frozen at {s.freeze_panes}, header row {hr}")
    labels = [s.cell(row, 1).value for row in range(hr + 1, s.max_row + 1)
              if s.cell(row, 2).value and str(s.cell(row, 2).value).islower()
              and "_" in str(s.cell(row, 2).value)]
    check(len(labels) >= 20 and len(set(labels)) == len(labels),
          f"{tag}: Summary labels {labels}")
    rw = find_row(s, 2, "sla_within")
    check(s.cell(rw, 1).value == "MQLs reached in time (count)",
          f"{tag}: sla_within label {s.cell(rw, 1).value}")
    link = s.cell(r, 8).hyperlink
    check(link is not None and link.location == "'Volume'!A1", f"{tag}: sheet link")
    # Detail rows: 16 columns (A..P); rows 1..(n+1) of the first part.
    last = 4 if rows_per_detail == 3 else 5
    link = s.cell(r, 9).hyperlink
    check(link is not None and link.location == f"'MQLs'!A1:P{last}",
          f"{tag}: rows link {link.location if link else None}")
    if rows_per_detail == 3:
        check("'MQLs (2)'!" in c.value, f"{tag}: formula misses MQLs (2): {c.value}")

    # sla_compliance = within / eligible = 1/3 (L1 within; L1, L2, L3 not
    # pending), a formula over the two count rows; target 0.95 (settings).
    r = find_row(s, 2, "sla_compliance")
    rw, re_ = find_row(s, 2, "sla_within"), find_row(s, 2, "sla_eligible")
    check(s.cell(r, 3).value == f"=C{rw}/C{re_}", f"{tag}: compliance {s.cell(r, 3).value}")
    check(close(sc.cell(r, 3).value, 1 / 3), f"{tag}: compliance cached")
    check(s.cell(r, 3).number_format == "0%", f"{tag}: pct format {s.cell(r, 3).number_format}")
    check(close(sc.cell(r, 6).value, 0.95), f"{tag}: sla target")
    # 1/3 against 0.95 is 35% of target: off track.
    check(s.cell(r, 7).value == "off track", f"{tag}: sla status {s.cell(r, 7).value}")
    # The change of a share is in points: 1/3 - 1/2 = -0.1667 = -16.67
    # points, a formula over the two cells beside it, in a points format.
    check(s.cell(r, 5).value == f"=(C{r}-D{r})*100", f"{tag}: sla change {s.cell(r, 5).value}")
    check(close(sc.cell(r, 5).value, -50 / 3), f"{tag}: sla change cached {sc.cell(r, 5).value}")
    fmt = s.cell(r, 5).number_format
    check("pts" in fmt and "%" not in fmt, f"{tag}: change format {fmt}")
    # inbound_pipeline_amount = 10000 + 25000.5 + blank = 35000.5, currency.
    r = find_row(s, 2, "inbound_pipeline_amount")
    check(s.cell(r, 3).value.startswith("=SUM('Inbound opportunities'!"),
          f"{tag}: pipeline formula {s.cell(r, 3).value}")
    check(s.cell(r, 3).number_format == '"$"#,##0', f"{tag}: money format")
    # Measures with no detail behind them stay numbers: sql_count 3.
    r = find_row(s, 2, "sql_count")
    check(s.cell(r, 3).value == 3, f"{tag}: sql_count {s.cell(r, 3).value}")
    if rows_per_detail == 3:
        notes = [c.value for c in s["A"] if isinstance(c.value, str)]
        check(any("continue on sheets MQLs (2)" in n for n in notes),
              f"{tag}: no continuation note")

    # Volume by source: "web" counts L1 (web) and L2 (Web): 2, accepted 1
    # (L1 has sql_at), rate 1/2 as =D/B. "we*" would be a wildcard: a number.
    v, vc = wb["Volume"], cached["Volume"]
    r = find_row(v, 1, "web")
    check(v.cell(r, 2).value.startswith("=COUNTIFS("), f"{tag}: volume formula")
    check(vc.cell(r, 2).value == 2 and vc.cell(r, 4).value == 1, f"{tag}: web counts")
    check(v.cell(r, 5).value == f"=D{r}/B{r}", f"{tag}: acceptance formula")
    r = find_row(v, 1, "we*")
    check(v.cell(r, 2).value == 0, f"{tag}: wildcard key {v.cell(r, 2).value}")
    # Formats from the catalogue's units: mqls a count, acceptance_rate and
    # its interval shares.
    r = find_row(v, 1, "web")
    check([v.cell(r, c).number_format for c in (2, 5, 6, 7)] == ["#,##0", "0%", "0%", "0%"],
          f"{tag}: volume formats {[v.cell(r, c).number_format for c in (2, 5, 6, 7)]}")

    # Forecast: mql_forecast 4.5, low 2, high 7 are MQL counts: whole-number
    # format, never a percentage.
    fc = wb["Forecast"]
    r = find_row(fc, 1, "2026-W48")
    check(r is not None and [fc.cell(r, c).value for c in (2, 3, 4)] == [4.5, 2, 7],
          f"{tag}: forecast row")
    if r is not None:
        fmts = [fc.cell(r, c).number_format for c in (2, 3, 4)]
        check(fmts == ["#,##0"] * 3, f"{tag}: forecast formats {fmts}")
    # No number in the workbook shows two decimals ("178.00", "$0.00").
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, (int, float)) and ".00" in cell.number_format \
                        and ".000" not in cell.number_format:
                    check(False, f"{tag}: {sheet.title}!{cell.coordinate} format "
                          f"{cell.number_format}")

    # Campaigns: C2 has 3 touches (L3, L4, L1), 2 responders (L3, L4).
    cp, cpc = wb["Campaigns"], cached["Campaigns"]
    r = find_row(cp, 1, "C2")
    check(cpc.cell(r, 3).value == 3 and cpc.cell(r, 4).value == 2, f"{tag}: C2 touches")
    check(cp.cell(r, 3).value.startswith("=COUNTIFS('Touches'!"), f"{tag}: touches formula")
    r1 = find_row(cp, 1, "C1")
    name = cp.cell(r1, 2)
    check(name.data_type == "s" and name.value.startswith("=HYPERLINK"),
          f"{tag}: campaign name became {name.data_type}")
    # All five models side by side: "mqls linear" of C2 is 2.5.
    hr = find_header(cp, 1, "campaign_id")
    hr = [row for row in range(hr + 1, cp.max_row + 1)
          if canon(cp.cell(row, 1)) == "campaign_id"] or [hr]
    hdr = {canon(cp.cell(hr[-1], col)): col for col in range(1, 40)}
    check(cp.cell(hr[-1], hdr["mqls linear"]).value == "MQLs linear",
          f"{tag}: attribution header {cp.cell(hr[-1], hdr['mqls linear']).value!r}")
    for model in ("first_touch", "last_touch", "linear", "u_shaped", "w_shaped"):
        check(f"won {model}" in hdr, f"{tag}: no column won {model}")
    r2 = [row for row in range(hr[-1], cp.max_row + 1) if cp.cell(row, 1).value == "C2"]
    check(r2 and close(cp.cell(r2[0], hdr["mqls linear"]).value, 2.5),
          f"{tag}: attribution C2 linear")

    # SLA: East total then U1 grouped under it (outline level 1); compliance
    # below the 95% target is shaded by a conditional format.
    sla = wb["SLA"]
    r = find_row(sla, 2, "U1")
    check(sla.row_dimensions[r].outline_level == 1, f"{tag}: U1 not grouped")
    check(sla.cell(r - 1, 1).value == "East" and sla.cell(r - 1, 2).value is None,
          f"{tag}: East total not above U1")
    rules = [rule for rng in sla.conditional_formatting for rule in rng.rules]
    check(any(any("<0.95" in f for f in rule.formula) for rule in rules),
          f"{tag}: no below-target rule")

    # Detail: planted texts stay text; instants are date-times in
    # Europe/Berlin (UTC+1 in November): L1 mql_at 08:30Z -> 09:30.
    m = wb["MQLs"]
    seen = set()
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value in PLANTED:
                    seen.add(cell.value)
                    check(cell.data_type == "s",
                          f"{tag}: {sheet.title}!{cell.coordinate} {cell.value!r} is {cell.data_type}")
    check(seen == PLANTED, f"{tag}: planted texts found {seen}")
    check(m["C2"].value == datetime.datetime(2026, 11, 16, 9, 30),
          f"{tag}: MQLs C2 {m['C2'].value!r}")
    check(m["C2"].number_format == "yyyy-mm-dd hh:mm", f"{tag}: date format")
    check(m["O2"].value is True and m["P2"].value is False, f"{tag}: booleans")
    for sheet in wb.worksheets:
        if sheet.title in ("MQLs", "MQLs (2)", "Inbound opportunities", "Inbound wins",
                           "Touches", "Touches (2)"):
            check(sheet.freeze_panes == "A2", f"{tag}: {sheet.title} frozen {sheet.freeze_panes}")
        else:
            check(sheet.freeze_panes is not None, f"{tag}: {sheet.title} not frozen")
    # Human headers, the canonical name in a comment: mql_at is "MQL at".
    check(m["C1"].value == "MQL at" and canon(m["C1"]) == "mql_at",
          f"{tag}: MQLs C1 {m['C1'].value!r} / {canon(m['C1'])!r}")
    check_headers(wb, tag)
    part2 = wb["MQLs (2)"] if rows_per_detail == 3 else m
    long_cell = part2["J2"] if rows_per_detail == 3 else m["J5"]   # L4's company
    check(isinstance(long_cell.value, str) and len(long_cell.value) <= 32767
          and long_cell.value.endswith("[truncated]"), f"{tag}: long text not cut")
    if rows_per_detail == 3:
        check(part2["A2"].value == "L4" and m.max_row == 4, f"{tag}: split rows")
        check(not m.tables and m.auto_filter.ref == "A1:P4", f"{tag}: constant-memory filter")
    else:
        check(len(m.tables) == 1 and list(m.tables.values())[0].ref == "A1:P5",
              f"{tag}: MQLs table {dict(m.tables.items())}")
        t = list(m.tables.values())[0]
        check(t.tableStyleInfo.showRowStripes and t.autoFilter is not None,
              f"{tag}: table not banded/filtered")

    # Parameters: as-of 10:00Z is 11:00 in Berlin; the input file's digest.
    p = wb["Parameters"]
    r = find_row(p, 1, "as_of")
    check(p.cell(r, 2).value == datetime.datetime(2026, 11, 23, 11, 0),
          f"{tag}: as_of {p.cell(r, 2).value!r}")
    r = find_row(p, 1, "exports/Lead.csv")
    check(p.cell(r, 7).value.startswith("9f86d081") and p.cell(r, 4).value == 10,
          f"{tag}: input file row")
    check(find_row(p, 1, "sla_target") is not None, f"{tag}: settings missing")
    # Every setting (lp_settings_each) once: keys of column A are unique.
    keys = [c.value for c in p["A"] if isinstance(c.value, str)]
    check(len(set(keys)) == len(keys), f"{tag}: Parameters keys repeat: {keys}")
    r = find_row(p, 1, "limits.max_file_bytes")
    check(r is not None and p.cell(r, 2).value == 8589934592,
          f"{tag}: limits.max_file_bytes {p.cell(r, 2).value if r else None!r}")
    r = find_row(p, 1, "sla_target")
    check(p.cell(r, 2).number_format == "0%", f"{tag}: sla_target format")
    dq = wb["Data quality"]
    check(find_row(dq, 1, "sla_by_partner") is not None, f"{tag}: switched-off figure")

    # Three native charts: MQL trend, cost per MQL, funnel.
    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    check(len(charts) == 3, f"{tag}: charts {charts}")

    formulas = []
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    formulas.append((sheet.title, cell.coordinate,
                                     cached[sheet.title][cell.coordinate].value))
    # 11 summary, 13 volume, 18 campaigns, 24 SLA, 5 pipeline, 4 won,
    # 4 funnel, 2 routing = at least 60 live figures.
    check(len(formulas) >= 60, f"{tag}: only {len(formulas)} formulas")
    for sheet, coord, value in formulas:
        check(isinstance(value, (int, float)), f"{tag}: {sheet}!{coord} has no cached value")
    return formulas


def recalculate(tmp, paths):
    """One LibreOffice run over every workbook, with a fresh profile set to
    recalculate on load; returns the converted paths."""
    home = os.path.join(tmp, "home")
    profile = os.path.join(tmp, "lo-profile")
    os.makedirs(os.path.join(profile, "user"), exist_ok=True)
    os.makedirs(home, exist_ok=True)
    with open(os.path.join(profile, "user", "registrymodifications.xcu"), "w") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
                'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
                'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
                '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
                '<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>\n'
                '</oor:items>\n')
    out = os.path.join(tmp, "recalculated")
    os.makedirs(out, exist_ok=True)
    env = dict(os.environ, HOME=home)
    cmd = ["soffice", "-env:UserInstallation=file://" + profile, "--headless",
           "--norestore", "--convert-to", "xlsx", "--outdir", out] + paths
    subprocess.run(cmd, env=env, check=True, timeout=180,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return [os.path.join(out, os.path.basename(p)) for p in paths]


def main():
    tmp, pack, split = sys.argv[1], sys.argv[2], sys.argv[3]
    pack_formulas = check_common(pack, "pack", None)
    split_formulas = check_common(split, "split", 3)

    control = os.path.join(tmp, "control.xlsx")
    wb = xlsxwriter.Workbook(control)
    wb.add_worksheet().write_formula("A1", "=1+1", None, 5)   # wrong cache on purpose
    wb.close()

    pack_r, split_r, control_r = recalculate(tmp, [pack, split, control])
    value = openpyxl.load_workbook(control_r, data_only=True).active["A1"].value
    check(value == 2, f"LibreOffice did not recalculate (control A1 = {value})")
    for path, formulas, tag in ((pack_r, pack_formulas, "pack"),
                                (split_r, split_formulas, "split")):
        rec = openpyxl.load_workbook(path, data_only=True)
        for sheet, coord, value in formulas:
            got = rec[sheet][coord].value
            check(close(got, value),
                  f"{tag}: {sheet}!{coord} cached {value!r}, LibreOffice {got!r}")
        # Planted texts are still texts after LibreOffice read them.
        m = openpyxl.load_workbook(path)["MQLs"]
        check(m["J2"].value == "=1+1" and m["J2"].data_type == "s",
              f"{tag}: LibreOffice sees MQLs!J2 as {m['J2'].value!r}")

    for f in failures:
        print("xlsx_check: " + f, file=sys.stderr)
    print(f"xlsx_check: {len(pack_formulas)} + {len(split_formulas)} formulas, "
          f"{len(failures)} failures", file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
