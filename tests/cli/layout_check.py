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

And on the word boxes of every page (pdftotext -bbox), nothing clipped:

  - no word's box is narrower than its glyphs need: the width the word's
    characters take in DejaVu Sans (advance widths read from the font file
    with fontTools, at the size its box height implies: DejaVu's ascent plus
    descent is 1.164 em) less a tenth for kerning; a word squeezed or cut
    to fit a column fails;
  - no word runs past the page's edge, and no two words of one line overlap
    (text drawn into its neighbour's column).

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


FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
EM_HEIGHT = 1.164   # DejaVu Sans (ascent 0.928 + descent 0.236) per em
KERN_SLACK = 0.9    # kerning tightens a word by less than a tenth


class Advances:
    """Advance widths of DejaVu Sans, in em, by character."""

    def __init__(self):
        from fontTools.ttLib import TTFont
        font = TTFont(FONT, lazy=True)
        self.units = font["head"].unitsPerEm
        self.cmap = font.getBestCmap()
        self.hmtx = font["hmtx"]

    def width(self, word):
        total = 0
        for ch in word:
            glyph = self.cmap.get(ord(ch))
            if glyph is None:
                return None  # a character DejaVu lacks: not judged
            total += self.hmtx[glyph][0]
        return total / self.units


def check_boxes(pdf, name):
    """Word boxes from pdftotext -bbox: squeezed, off the page, overlapping."""
    r = subprocess.run(["pdftotext", "-bbox", "-enc", "UTF-8", pdf, "-"],
                       capture_output=True, text=True, timeout=120)
    if not expect(r.returncode == 0, f"pdftotext -bbox exited {r.returncode}"):
        return
    adv = Advances()
    page_re = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')
    word_re = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                         r'yMax="([\d.]+)">(.*?)</word>')
    import html
    for n, chunk in enumerate(r.stdout.split("<page ")[1:], 1):
        m = page_re.search("<page " + chunk)
        width = float(m.group(1))
        words = [(float(a), float(b), float(c), float(d), html.unescape(t))
                 for a, b, c, d, t in word_re.findall(chunk)]
        for x0, y0, x1, y1, text in words:
            w, h = x1 - x0, y1 - y0
            expect(x0 >= 0 and x1 <= width + 0.5,
                   f"{name} page {n}: {text!r} runs off the page ({x0:.1f}-{x1:.1f})")
            if h <= 0 or h > 3 * w + 1:  # a rotated or empty word: not judged
                continue
            em = adv.width(text)
            if em is None:
                continue
            need = em * h / EM_HEIGHT
            expect(w >= KERN_SLACK * need - 0.5,
                   f"{name} page {n}: {text!r} is {w:.1f} pt wide, its glyphs need {need:.1f}")
        # Overlap: two words sharing most of a line and some width.
        words.sort(key=lambda b: (round(b[1]), b[0]))
        for i, a in enumerate(words):
            for b in words[i + 1:i + 40]:
                vert = min(a[3], b[3]) - max(a[1], b[1])
                if vert < 0.5 * min(a[3] - a[1], b[3] - b[1]):
                    continue
                horiz = min(a[2], b[2]) - max(a[0], b[0])
                expect(horiz <= 1.0,
                       f"{name} page {n}: {a[4]!r} and {b[4]!r} overlap by {horiz:.1f} pt")


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

    check_boxes(pdf, name)

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
