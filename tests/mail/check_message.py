"""Reads a leadpack message the way a mail client does and checks it.

Run with /usr/bin/python3. The message comes from a Maildir written by
aiosmtpd's Mailbox handler (--maildir DIR: exactly one message expected) or
from a dry-run .eml file (--eml FILE, which is also checked byte by byte:
CRLF line endings, 7-bit, lines of at most 998 characters).

Python's email package (policy.default) is the independent reader: it
decodes RFC 2047 headers, quoted-printable and base64 on its own.
Exit status 0 when every check passes; otherwise each failure is printed on
stderr and the status is 1.
"""

import argparse
import email
import email.policy
import email.utils
import hashlib
import html
import mailbox
import os
import re
import sys

failures = []


def expect(ok, what):
    if not ok:
        failures.append(what)
    return ok


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def addresses(msg, field):
    values = msg.get_all(field, [])
    return sorted(addr for _, addr in email.utils.getaddresses([str(v) for v in values]))


def check_raw(raw):
    expect(b"\n" not in raw.replace(b"\r\n", b""), "eml: a line ends in a bare LF or CR")
    expect(all(b < 0x80 for b in raw), "eml: the message holds 8-bit bytes")
    longest = max(len(line) for line in raw.split(b"\r\n"))
    expect(longest <= 998, f"eml: a line is {longest} characters long")


def main():
    p = argparse.ArgumentParser()
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--maildir")
    src.add_argument("--eml")
    p.add_argument("--subject", required=True)
    p.add_argument("--from", dest="sender", required=True, help="bare address")
    p.add_argument("--from-name", help="display name expected in From")
    p.add_argument("--to", action="append", default=[], help="bare address")
    p.add_argument("--cc", action="append", default=[], help="bare address")
    p.add_argument("--sentence", action="append", default=[])
    p.add_argument("--kpi", action="append", default=[], help="a KPI table cell")
    p.add_argument("--html-contains", action="append", default=[],
                   help="raw text the decoded HTML must hold (escaping checks)")
    p.add_argument("--html-lacks", action="append", default=[])
    p.add_argument("--png")
    p.add_argument("--pdf")
    p.add_argument("--workbook")
    args = p.parse_args()

    if args.maildir:
        box = mailbox.Maildir(args.maildir, create=False)
        keys = box.keys()
        if not expect(len(keys) == 1, f"maildir holds {len(keys)} messages, want 1"):
            return report()
        raw = box.get_bytes(keys[0])
    else:
        with open(args.eml, "rb") as f:
            raw = f.read()
        check_raw(raw)
    msg = email.message_from_bytes(raw, policy=email.policy.default)

    # Headers.
    expect(msg["Subject"] == args.subject,
           f"Subject is {msg['Subject']!r}, want {args.subject!r}")
    expect(msg["MIME-Version"] == "1.0", "MIME-Version is not 1.0")
    try:
        expect(email.utils.parsedate_to_datetime(str(msg["Date"])).tzinfo is not None,
               "Date has no zone")
    except (TypeError, ValueError):
        expect(False, f"Date {msg['Date']!r} does not parse")
    domain = args.sender.split("@", 1)[1]
    mid = str(msg["Message-ID"] or "")
    expect(re.fullmatch(r"<[^<>@\s]+@" + re.escape(domain) + ">", mid) is not None,
           f"Message-ID {mid!r} is not <...@{domain}>")
    expect(addresses(msg, "From") == [args.sender], f"From is {msg['From']!r}")
    if args.from_name:
        expect(msg["From"].addresses[0].display_name == args.from_name,
               f"From display name is {msg['From'].addresses[0].display_name!r}")
    expect(addresses(msg, "To") == sorted(args.to), f"To is {msg['To']!r}")
    expect(addresses(msg, "Cc") == sorted(args.cc), f"Cc is {msg['Cc']!r}")

    # Structure: mixed > [related >] alternative > plain, html; image; files.
    expect(msg.get_content_type() == "multipart/mixed",
           f"top part is {msg.get_content_type()}")
    parts = list(msg.iter_parts())
    body = parts[0] if parts else None
    image = None
    if args.png:
        expect(body is not None and body.get_content_type() == "multipart/related",
               "first part is not multipart/related")
        inner = list(body.iter_parts()) if body else []
        alternative = inner[0] if inner else None
        image = inner[1] if len(inner) > 1 else None
    else:
        alternative = body
    if not expect(alternative is not None
                  and alternative.get_content_type() == "multipart/alternative",
                  "no multipart/alternative body"):
        return report()
    alts = list(alternative.iter_parts())
    types = [a.get_content_type() for a in alts]
    if not expect(types == ["text/plain", "text/html"],
                  f"alternative holds {types}, want text/plain then text/html"):
        return report()
    plain = alts[0].get_content()
    markup = alts[1].get_content()
    visible = html.unescape(re.sub(r"<[^>]*>", "", markup))
    for s in args.sentence + args.kpi:
        expect(s in plain, f"plain text lacks {s!r}")
        expect(s in visible, f"HTML text lacks {s!r}")
    for s in args.html_contains:
        expect(s in markup, f"HTML source lacks {s!r}")
    for s in args.html_lacks:
        expect(s not in markup, f"HTML source holds {s!r}")

    if args.png:
        if expect(image is not None and image.get_content_type() == "image/png",
                  "no inline image/png part"):
            cid = str(image["Content-ID"] or "").strip("<>")
            expect(cid != "", "the image has no Content-ID")
            expect(f'src="cid:{cid}"' in markup, f"HTML does not show cid:{cid}")
            expect(hashlib.sha256(image.get_content()).hexdigest() == sha256_file(args.png),
                   "inline image differs from the PNG on disk")

    attachments = [a for a in msg.iter_attachments()]
    files = {a.get_filename(): a for a in attachments}
    for path, ctype in ((args.pdf, "application/pdf"),
                        (args.workbook,
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")):
        if not path:
            continue
        name = os.path.basename(path)
        part = files.get(name)
        if expect(part is not None, f"no attachment named {name!r} ({list(files)})"):
            expect(part.get_content_type() == ctype, f"{name} is {part.get_content_type()}")
            expect(hashlib.sha256(part.get_content()).hexdigest() == sha256_file(path),
                   f"attachment {name} differs from the file on disk (sha256)")
    want = sum(1 for x in (args.pdf, args.workbook) if x)
    expect(len(attachments) == want, f"{len(attachments)} attachments, want {want}")
    return report()


def report():
    for f in failures:
        print("check_message: " + f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
