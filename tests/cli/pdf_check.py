"""Checks a rendered pack PDF with independent tools (run with /usr/bin/python3).

  pdf_check.py --pdf FILE --headlines OUT/message/headlines.txt
               --section TITLE [--section TITLE ...]

The --section titles are the bookmarks the template implies, in order: one
per section with pdf = true (the test reads them with lp_template_load; the
cover's bookmark is the pack title). Checks:

  qpdf --check        exits 0 (no syntax, stream or xref errors)
  pdffonts            lists at least one font, and every font is embedded
  pdftotext           every headline sentence and every section title is in
                      the text, after whitespace normalisation
  qpdf --json         the outlines are exactly the sections, in order, flat;
                      the first is on page 1 and each starts a later page
  pdfinfo             Pages is at least the number of sections; every page
                      between two bookmarks is a continuation ("TITLE
                      (continued)" heads it), so the page count is the
                      sections plus their continuation pages; every page's
                      footer says "Page N of M" with M = Pages

Exit status 0 when every check passes; otherwise each failure is printed on
stderr and the status is 1.
"""

import argparse
import json
import re
import subprocess
import sys

failures = []


def expect(ok, what):
    if not ok:
        failures.append(what)
    return ok


def run(argv):
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


def norm(text):
    """Whitespace runs become one space (pdftotext breaks lines as laid out)."""
    return " ".join(text.split())


def check_qpdf(pdf):
    r = run(["qpdf", "--check", pdf])
    expect(r.returncode == 0, f"qpdf --check exited {r.returncode}: {r.stdout}{r.stderr}")


def check_fonts(pdf):
    r = run(["pdffonts", pdf])
    if not expect(r.returncode == 0, f"pdffonts exited {r.returncode}: {r.stderr}"):
        return
    lines = r.stdout.splitlines()
    # name  type  encoding  emb sub uni object ID / then a rule of dashes.
    if not expect(len(lines) >= 2 and "emb" in lines[0], f"pdffonts header: {lines[:2]}"):
        return
    at = lines[0].index("emb")
    fonts = [line for line in lines[2:] if line.strip()]
    expect(len(fonts) > 0, "pdffonts lists no font")
    for line in fonts:
        expect(line[at:at + 3] == "yes", f"font not embedded: {line.strip()}")


def page_texts(pdf):
    r = run(["pdftotext", "-enc", "UTF-8", pdf, "-"])
    expect(r.returncode == 0, f"pdftotext exited {r.returncode}: {r.stderr}")
    pages = r.stdout.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()  # pdftotext ends every page with a form feed
    return pages


def page_count(pdf):
    r = run(["pdfinfo", pdf])
    m = re.search(r"^Pages:\s+(\d+)$", r.stdout, re.M)
    expect(r.returncode == 0 and m is not None, f"pdfinfo: {r.stdout}{r.stderr}")
    return int(m.group(1)) if m else 0


def outlines(pdf):
    r = run(["qpdf", "--json", "--json-key=outlines", pdf])
    if not expect(r.returncode == 0, f"qpdf --json exited {r.returncode}: {r.stderr}"):
        return []
    return json.loads(r.stdout).get("outlines", [])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--pdf", required=True)
    p.add_argument("--headlines", required=True)
    p.add_argument("--section", action="append", default=[], required=True)
    args = p.parse_args()

    check_qpdf(args.pdf)
    check_fonts(args.pdf)

    pages = page_texts(args.pdf)
    text = norm("\n".join(pages))
    with open(args.headlines, encoding="utf-8") as f:
        headlines = [norm(line) for line in f if line.strip()]
    expect(len(headlines) > 0, f"{args.headlines} holds no sentence")
    # pdftotext joins a line that ends in a hyphen to the next without it
    # ("Email -" / "Year" reads "Email Year"); its -layout text keeps the
    # hyphen, so a sentence may be found in either.
    r = run(["pdftotext", "-layout", "-enc", "UTF-8", args.pdf, "-"])
    layout = re.sub(r"(?<=\S)-[ \t]*\n\s*", "-", r.stdout)
    layout = re.sub(r"\n\s*", " ", layout)
    layout = norm(layout)
    for sentence in headlines:
        expect(sentence in text or sentence in layout,
               f"headline not in the PDF text: {sentence!r}")

    npages = page_count(args.pdf)
    expect(len(pages) == npages, f"pdftotext gave {len(pages)} pages, pdfinfo {npages}")
    expect(npages >= len(args.section),
           f"{npages} pages for {len(args.section)} PDF sections (one page each at least)")
    for n, page in enumerate(pages, 1):
        expect(f"Page {n} of {npages}" in norm(page), f"page {n} lacks 'Page {n} of {npages}'")

    marks = outlines(args.pdf)
    titles = [m.get("title") for m in marks]
    expect(titles == args.section, f"bookmarks {titles}, want {args.section}")
    expect(all(not m.get("kids") for m in marks), "bookmarks are not flat")
    starts = [m.get("destpageposfrom1") for m in marks]
    if not expect(all(isinstance(s, int) for s in starts) and starts and starts[0] == 1,
                  f"bookmark pages {starts}: the first section is not on page 1"):
        return report()
    expect(all(a < b for a, b in zip(starts, starts[1:])),
           f"bookmark pages {starts}: a section does not start a new page")
    expect(starts[-1] <= npages, f"bookmark on page {starts[-1]} of {npages}")

    # Each section's title heads its first page (the cover: the pack title);
    # pages up to the next bookmark are its continuations.
    ends = starts[1:] + [npages + 1]
    for i, (title, first, end) in enumerate(zip(args.section, starts, ends)):
        if first > len(pages):
            break
        expect(norm(title) in norm(pages[first - 1]),
               f"section title {title!r} not on its page {first}")
        if i == 0:
            continue  # the cover has no running heading
        for n in range(first + 1, end):
            expect(norm(title + " (continued)") in norm(pages[n - 1]),
                   f"page {n} is neither a section start nor '{title} (continued)'")
    return report()


def report():
    for f in failures:
        print("pdf_check: " + f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
