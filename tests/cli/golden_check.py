"""Page 1 of a pack against its golden image (run with /usr/bin/python3).

  golden_check.py --pdf PACK.pdf --golden GOLDEN.png [--write]

Renders page 1 of PACK.pdf at DPI dots per inch with pdftoppm (RGB) and
compares it with GOLDEN.png, pixel by pixel over the three channels:

  - the mean absolute difference, in levels of 0-255, must stay under
    MAX_MEAN (a page that moved or changed its text shifts many pixels);
  - the share of pixels differing by more than PIXEL_TOLERANCE levels in
    any channel must stay under MAX_SHARE (a changed word, bar or colour
    changes a patch of them);
  - the two images must have the same size (a different paper size or
    resolution is a change, not a tolerance).

The tolerances absorb antialiasing noise from a different cairo, pango or
freetype build (edge pixels a few levels apart), not a change: at 40 dpi
erasing the 9-point-high value of one figure changes 45 pixels (0.029%),
a status pill turned from green to vermillion 134, a page moved down by one
pixel 8% of them; each fails. A single changed digit may stay under the
limits: the figures themselves are checked as text (test_statements.c,
layout_check.py); the golden image watches the page's arrangement. With --write the rendering replaces
GOLDEN.png instead (tests/cli/golden/refresh.sh does this for every pack
when a change to page 1 is intended). Exit status 0 when the page matches,
1 with the measures on stderr when it does not, 2 when it cannot be read.
"""

import argparse
import os
import subprocess
import sys
import tempfile

from PIL import Image, ImageChops

DPI = 40
MAX_MEAN = 0.5          # levels, mean over all pixels and channels
PIXEL_TOLERANCE = 64    # levels in one channel for a pixel to count as changed
MAX_SHARE = 0.0002      # of all pixels: 31 of the 154,908 of an A4 page


def render(pdf, out_png):
    base = out_png[:-len(".png")]
    r = subprocess.run(["pdftoppm", "-r", str(DPI), "-f", "1", "-l", "1", "-png",
                        "-singlefile", pdf, base], capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        print(f"golden_check: pdftoppm exited {r.returncode}: {r.stderr}", file=sys.stderr)
        sys.exit(2)


def compare(rendered, golden):
    """(mean absolute difference, share of changed pixels) or None on a size mismatch."""
    a = Image.open(rendered).convert("RGB")
    b = Image.open(golden).convert("RGB")
    if a.size != b.size:
        return None
    diff = ImageChops.difference(a, b)
    hist = diff.histogram()  # 3 x 256 bins
    total = a.size[0] * a.size[1]
    mean = sum(level * count for ch in range(3)
               for level, count in enumerate(hist[ch * 256:(ch + 1) * 256])) / (3 * total)
    worst = diff.split()
    changed = ImageChops.lighter(ImageChops.lighter(worst[0], worst[1]), worst[2])
    over = sum(changed.point(lambda v: 255 if v > PIXEL_TOLERANCE else 0).histogram()[255:])
    return mean, over / total


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--pdf", required=True)
    p.add_argument("--golden", required=True)
    p.add_argument("--write", action="store_true")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        png = os.path.join(tmp, "page1.png")
        if args.pdf.endswith(".png"):
            png = args.pdf  # an image given as it is (to try the comparison itself)
        else:
            render(args.pdf, png)
        if args.write:
            Image.open(png).convert("RGB").save(args.golden, optimize=True)
            print(f"golden_check: wrote {args.golden}")
            return 0
        if not os.path.exists(args.golden):
            print(f"golden_check: no golden image {args.golden}", file=sys.stderr)
            return 2
        result = compare(png, args.golden)
        name = os.path.basename(args.golden)
        if result is None:
            print(f"golden_check: {name}: page 1 is {Image.open(png).size}, the golden image "
                  f"{Image.open(args.golden).size}", file=sys.stderr)
            return 1
        mean, share = result
        ok = mean < MAX_MEAN and share < MAX_SHARE
        print(f"golden_check: {name}: mean difference {mean:.3f} (limit {MAX_MEAN}), "
              f"{share:.4%} of pixels changed (limit {MAX_SHARE:.2%})",
              file=sys.stdout if ok else sys.stderr)
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
