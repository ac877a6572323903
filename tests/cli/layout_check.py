"""Checks the layout of a rendered pack PDF (run with /usr/bin/python3).

  layout_check.py --out OUTDIR

OUTDIR is a `leadpack run --out` folder: its one PDF, message/period.txt
(the period's label) and results/figures.csv (the published figures) are
read. Checks, on the text of every page (pdftotext -layout):

  - no ellipsis character anywhere: nothing was cut short to fit;
  - every page holds at least MIN_WORDS words besides its footer line (the
    line with "Page N of M"): no page is left nearly empty by a break;
  - page 1 states the period's qualified-lead count (mql_count in
    figures.csv, written with thousands separators) and the period's dates,
    worked out here from the label with Python's calendar, not leadpack's:
    a week "2026-W47" as "16-22 November 2026" (the en dash; across months
    "30 November - 6 December 2026"), a month "2026-10" as "October 2026"
    and "1-31 October".

Exit status 0 when every check passes; otherwise each failure is printed on
stderr and the status is 1.
"""

import argparse
import calendar
import csv
import datetime
import glob
import os
import re
import subprocess
import sys

MIN_WORDS = 25
DASH = "\u2013"
failures = []


def expect(ok, what):
    if not ok:
        failures.append(what)
    return ok


def norm(text):
    return " ".join(text.split())


def period_dates(label):
    """The phrases page 1 must hold for the period label."""
    m = re.fullmatch(r"(\d{4})-W(\d{2})", label)
    if m:
        start = datetime.date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
        end = start + datetime.timedelta(days=6)
        month = calendar.month_name
        if start.month == end.month:
            phrase = f"{start.day}{DASH}{end.day} {month[end.month]} {end.year}"
        elif start.year == end.year:
            phrase = (f"{start.day} {month[start.month]} {DASH} {end.day} "
                      f"{month[end.month]} {end.year}")
        else:
            phrase = (f"{start.day} {month[start.month]} {start.year} {DASH} {end.day} "
                      f"{month[end.month]} {end.year}")
        return [f"Week {int(m.group(2))}", phrase]
    m = re.fullmatch(r"(\d{4})-(\d{2})", label)
    if m:
        year, mon = int(m.group(1)), int(m.group(2))
        last = calendar.monthrange(year, mon)[1]
        name = calendar.month_name[mon]
        return [f"{name} {year}", f"1{DASH}{last} {name}"]
    return [label]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    args = p.parse_args()
    pdfs = glob.glob(os.path.join(args.out, "*.pdf"))
    if not expect(len(pdfs) == 1, f"{args.out}: {len(pdfs)} PDFs"):
        return report()
    pdf = pdfs[0]
    r = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", pdf, "-"],
                       capture_output=True, text=True, timeout=120)
    expect(r.returncode == 0, f"pdftotext exited {r.returncode}: {r.stderr}")
    pages = r.stdout.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    name = os.path.basename(pdf)
    for n, page in enumerate(pages, 1):
        expect("\u2026" not in page, f"{name} page {n}: an ellipsis: "
               + next((l.strip() for l in page.splitlines() if "\u2026" in l), ""))
        body = [l for l in page.splitlines() if not re.search(r"Page \d+ of \d+", l)]
        words = [w for w in " ".join(body).split() if re.search(r"\w", w)]
        expect(len(words) >= MIN_WORDS,
               f"{name} page {n}: {len(words)} words besides the footer: {norm(' '.join(body))[:200]}")

    with open(os.path.join(args.out, "message", "period.txt"), encoding="utf-8") as f:
        label = f.readline().strip()
    mqls = None
    with open(os.path.join(args.out, "results", "figures.csv"), newline="") as f:
        for row in csv.DictReader(f):
            if row["figure"] == "mql_count" and row["value"] != "":
                mqls = float(row["value"])
    first = norm(pages[0]) if pages else ""
    if expect(mqls is not None, f"{name}: figures.csv has no mql_count"):
        count = f"{int(mqls + 0.5):,}"
        expect(re.search(r"(?<![\d,.])" + re.escape(count) + r"(?![\d]|[.,]\d)", first),
               f"{name} page 1 does not state the {count} qualified leads")
    for phrase in period_dates(label):
        expect(phrase in first, f"{name} page 1 lacks the period's dates {phrase!r}")
    return report()


def report():
    for f in failures:
        print("layout_check: " + f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
