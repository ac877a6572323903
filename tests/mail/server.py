"""SMTP test server for the leadpack mail suite (run with /usr/bin/python3).

A real aiosmtpd server on loopback whose answers the tests choose:

  accept           store every message in the Maildir
  tempfail-once    answer the first DATA with 451, then accept
  tempfail-always  answer every DATA with 451
  reject-rcpt      answer RCPT TO with 550
  auth             require AUTH (PLAIN/LOGIN) as --user/--password, then accept

--starttls DIR offers STARTTLS (and requires it before MAIL) with a
self-signed certificate for 127.0.0.1 made in DIR (cert.pem, key.pem);
--smtps DIR speaks TLS from the first byte instead.

Every reply the handler decides is appended to --log as "VERB CODE", so a
test can count the attempts the server saw. Runs until SIGTERM.
"""

import argparse
import os
import signal
import ssl
import subprocess
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult


class Handler(Mailbox):
    def __init__(self, maildir, mode, log_path):
        super().__init__(maildir)
        self.mode = mode
        self.log_path = log_path
        self.data_count = 0

    def log(self, line):
        if self.log_path:
            with open(self.log_path, "a", encoding="utf-8") as f:
                f.write(line + "\n")

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.mode == "reject-rcpt":
            self.log("RCPT 550")
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown here"
        envelope.rcpt_tos.append(address)
        self.log("RCPT 250")
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_count += 1
        if self.mode == "tempfail-always" or (
                self.mode == "tempfail-once" and self.data_count == 1):
            self.log("DATA 451")
            return "451 4.3.0 Mailbox busy, try again later"
        reply = await super().handle_DATA(server, session, envelope)
        self.log("DATA " + reply[:3])
        return reply


def make_certificate(folder):
    cert = os.path.join(folder, "cert.pem")
    key = os.path.join(folder, "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
         "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
         "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--mode", default="accept",
                        choices=["accept", "tempfail-once", "tempfail-always",
                                 "reject-rcpt", "auth"])
    parser.add_argument("--log")
    parser.add_argument("--user", default="")
    parser.add_argument("--password", default="")
    parser.add_argument("--starttls", metavar="DIR")
    parser.add_argument("--smtps", metavar="DIR")
    args = parser.parse_args()

    handler = Handler(args.maildir, args.mode, args.log)
    kwargs = {}
    if args.mode == "auth":
        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (auth_data.login == args.user.encode()
                  and auth_data.password == args.password.encode())
            handler.log("AUTH " + ("235" if ok else "535"))
            return AuthResult(success=ok, handled=False)
        kwargs.update(authenticator=authenticator, auth_required=True,
                      auth_require_tls=False)
    if args.starttls:
        kwargs.update(tls_context=make_certificate(args.starttls), require_starttls=True)
    if args.smtps:
        kwargs.update(ssl_context=make_certificate(args.smtps))

    # Block the stop signals before the server thread starts (it inherits
    # the mask), so that sigwait() below is the one place that takes them.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    controller = Controller(handler, hostname="127.0.0.1", port=args.port, **kwargs)
    controller.start()
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
