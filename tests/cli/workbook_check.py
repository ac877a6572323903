"""Reader checks of a pack workbook (run with /usr/bin/python3).

  workbook_check.py pack --xlsx FILE --headline results/headline.csv
                    --period P --previous Q --work DIR
      openpyxl (the independent reader) and one LibreOffice run:
      - the first sheet is Summary;
      - the Summary's headline measures (column "Name") hold, as cached
        values (data_only=True), the values of headline.csv for P ("This
        period") and Q ("Previous"); an empty value in headline.csv is an
        empty cell; every measure of headline.csv is there;
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
        (relative tolerance 1e-9).

  workbook_check.py text --xlsx FILE --sheet NAME --text S [--text S ...]
      each S is a cell of sheet NAME held as a string (data type s, no
      formula), and the sheet XML holds no <f> element.

Exit status 0 when every check passes; otherwise each failure is printed on
stderr and the status is 1.
"""

import argparse
import csv
import math
import os
import re
import subprocess
import sys
import zipfile

import openpyxl

failures = []

DETAIL = re.compile(r"^(MQLs|Inbound opportunities|Inbound wins|Touches)( \(\d+\))?$")
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


def summary_rows(ws):
    """(row number, measure name) of the headline measures table."""
    rows, columns = [], None
    for r in ws.iter_rows():
        cells = [c.value for c in r]
        if columns is None:
            if "Name" in cells and "This period" in cells:
                columns = {v: i for i, v in enumerate(cells) if isinstance(v, str)}
            continue
        name = cells[columns["Name"]] if columns["Name"] < len(cells) else None
        if not name:
            break
        rows.append((r[0].row, name))
    return rows, columns or {}


def check_summary(formulas, values, args):
    expect(values.sheetnames[0] == "Summary", f"first sheet is {values.sheetnames[0]!r}")
    if "Summary" not in values.sheetnames:
        return
    ws, wf = values["Summary"], formulas["Summary"]
    rows, columns = summary_rows(ws)
    if not expect(rows and "Previous" in columns, "no headline measures table in Summary"):
        return
    now = headline_values(args.headline, args.period)
    before = headline_values(args.headline, args.previous)
    expect(len(now) > 0 and len(before) > 0,
           f"headline.csv has no rows for {args.period} or {args.previous}")
    names = [name for _, name in rows]
    expect(sorted(names) == sorted(now), f"Summary measures {names}, headline.csv {sorted(now)}")
    for row, name in rows:
        for column, want in (("This period", now.get(name)), ("Previous", before.get(name))):
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
        if name in PERCENT and "Change" in columns:
            c = wf.cell(row=row, column=columns["Change"] + 1)
            if c.value is not None:
                expect("pts" in c.number_format and "%" not in c.number_format,
                       f"Summary {name} Change ({c.coordinate}) format {c.number_format!r} "
                       "is not in points")


def check_formats(formulas):
    """Number formats by unit: the Forecast band is MQL counts, and no
    number shows two decimals."""
    if expect("Forecast" in formulas.sheetnames, "no Forecast sheet"):
        ws = formulas["Forecast"]
        header, cols = None, {}
        for row in ws.iter_rows():
            cells = [c.value for c in row]
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
    check_formats(formulas)
    check_cells(formulas, args)
    check_libreoffice(formulas, values, args)
    return report()


def report():
    for f in failures:
        print("workbook_check: " + f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
