#!/usr/bin/python3
"""Reads a pack's results/statements.csv and checks every printed claim.

usage: statements_check.py OUTDIR TEMPLATE.yaml [PACK.pdf]

For each row (one figure cited by one sentence):
  - the figure is named (a sentence that states a number but cites nothing
    is written with an empty figure, and fails here);
  - the sentence states the value in its unit, worked out here from the
    full-precision value, not by leadpack's formatter:
      share   its whole percent ("22%"; "under 1%", "over 99%" at the edges)
      points  the whole number of percentage points ("32 points")
      count   the whole number with thousands separators ("1,234")
      money   an amount in the text (compact "$228K", "$1.6M" or whole
              "$9,950") within the rounding its form shows
      hours   a duration in minutes, hours or days within its rounding
      days    a number of days within rounding
      ratio   the value to one decimal
and the PDF's text (pdftotext) contains each sentence. Prints one line per
failure and exits 1, or a summary line and exits 0.
"""
import csv
import glob
import math
import os
import re
import subprocess
import sys

out = sys.argv[1]
# Sections the template keeps out of the PDF (pdf: false) are printed in the
# workbook only; their sentences are not looked for in the PDF.
not_in_pdf = set()
section = None
for line in open(sys.argv[2]):
    m = re.match(r"\s*- id: *(\S+)", line)
    if m:
        section = m.group(1)
    elif section and re.match(r"\s*pdf: *false", line):
        not_in_pdf.add(section)
rows = list(csv.DictReader(open(os.path.join(out, "results", "statements.csv"), newline="")))
failures = []

SYMBOLS = {"USD": "$", "EUR": "\u20ac", "GBP": "\u00a3", "JPY": "\u00a5"}


def whole(v):
    return f"{int(math.floor(abs(v) + 0.5)):,}"


def has_token(text, token):
    return re.search(r"(?<![\d.,])" + re.escape(token) + r"(?![\d]|[.,]\d)", text) is not None


def share_ok(text, v):
    if 0 < v < 0.005:
        return "under 1%" in text
    if 0.995 < v < 1:
        return "over 99%" in text
    return has_token(text, f"{int(math.floor(v * 100 + 0.5))}%")


def points_ok(text, v):
    p = int(math.floor(abs(v) * 100 + 0.5))
    if p == 0 and v != 0:
        p = 1
    return re.search(rf"(?<!\d){p} points?\b", text) is not None


def money_ok(text, v, currency):
    sym = SYMBOLS.get(currency, currency + " ")
    for m in re.finditer(re.escape(sym) + r"([\d,]+(?:\.\d+)?)([KMB]?)", text):
        digits, suffix = m.group(1).replace(",", ""), m.group(2)
        shown = float(digits)
        scale = {"": 1, "K": 1e3, "M": 1e6, "B": 1e9}[suffix]
        decimals = len(digits.split(".")[1]) if "." in digits else 0
        step = scale * 10 ** -decimals
        if abs(shown * scale - abs(v)) <= step / 2 + 1e-6:
            return True
    return False


def hours_ok(text, v):
    for m in re.finditer(r"(\d[\d,]*(?:\.\d+)?) (minute|hour|day)s?\b", text):
        n = float(m.group(1).replace(",", ""))
        unit = {"minute": 1 / 60, "hour": 1, "day": 24}[m.group(2)]
        if abs(n * unit - v) <= unit / 2 + 1e-9:
            return True
    return False


def days_ok(text, v):
    for m in re.finditer(r"(\d[\d,]*(?:\.\d+)?) days?\b", text):
        if abs(float(m.group(1).replace(",", "")) - v) <= 0.5 + 1e-9:
            return True
    return False


for r in rows:
    text, unit, fig = r["text"], r["unit"], r["figure"]
    where = f'{r["statement"]} ({fig or "no figure"} {r["subject"]})'
    if not fig:
        failures.append(f"{where}: the sentence states a number but cites no figure: {text}")
        continue
    if r["value"] == "":
        failures.append(f"{where}: cites a figure without a value: {text}")
        continue
    v = float(r["value"])
    if unit == "share":
        ok = share_ok(text, v)
    elif unit == "points":
        ok = points_ok(text, v)
    elif unit == "count":
        ok = has_token(text, whole(v))
    elif re.fullmatch(r"[A-Z]{3}", unit):
        ok = money_ok(text, v, unit)
    elif unit == "hours":
        ok = hours_ok(text, v)
    elif unit == "days":
        ok = days_ok(text, v)
    elif unit == "ratio":
        t = f"{v:.1f}"
        ok = has_token(text, t) or (t.endswith(".0") and has_token(text, t[:-2]))
    else:
        ok = False
        failures.append(f"{where}: unknown unit {unit!r}")
    if not ok:
        failures.append(f"{where}: {v} {unit} is not stated in: {text}")

# Every sentence is in the PDF as printed (line breaks joined; a break after
# a hyphen joins without a space).
pdfs = [sys.argv[3]] if len(sys.argv) > 3 else glob.glob(os.path.join(out, "*.pdf"))
if len(pdfs) != 1:
    failures.append(f"expected one PDF in {out}, found {len(pdfs)}")
else:
    raw = subprocess.run(["pdftotext", "-layout", pdfs[0], "-"], capture_output=True,
                         text=True, check=True).stdout
    plain = subprocess.run(["pdftotext", pdfs[0], "-"], capture_output=True, text=True,
                           check=True).stdout

    def norm(s):
        s = s.replace("\u00ad", "").replace("\u2019", "'")
        s = re.sub(r"(?<=\S)-[ \t]*\n\s*", "-", s)
        return re.sub(r"\s+", " ", s).strip()

    pdf_text = norm(plain) + " " + norm(raw)
    for text in sorted({r["text"] for r in rows if r["section"] not in not_in_pdf}):
        if norm(text) not in pdf_text:
            failures.append(f"sentence not found in the PDF: {text}")

for f in failures:
    print("statements_check: " + f, file=sys.stderr)
if failures:
    sys.exit(1)
print(f"statements_check: {len(rows)} citations in {len({r['statement'] for r in rows})} "
      f"sentences checked")
