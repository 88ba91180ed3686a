#!/usr/bin/python3
"""pyftpdlib (Debian python3-pyftpdlib) as a lab FTP server, one configuration per process.

    pyftpd.py --config plain|bounce|tls|tls-lax|implicit --host H --port P --pasv LOW-HIGH
              --root DIR --user NAME --password-file F [--cert CRT --key KEY] [--anon-root DIR]

Only library settings are chosen here (no protocol behaviour is scripted), except for implicit
TLS, which pyftpdlib has no switch for: the handshake starts on connect, as in the library's own
documented recipe. pyftpdlib connects an active data connection as soon as it reads PORT/EPRT,
before its reply: the configurations keep active mode on.
"""
import argparse
import logging
import os
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler, TLS_FTPHandler
from pyftpdlib.servers import FTPServer

WRITE = "elradfmwMT"
READ = "elr"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True, choices=["plain", "bounce", "tls", "tls-lax", "implicit"])
    ap.add_argument("--host", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pasv", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password-file", required=True)
    ap.add_argument("--anon-root")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    a = ap.parse_args()

    with open(a.password_file, encoding="utf-8") as f:
        password = f.readline().strip()
    auth = DummyAuthorizer()
    auth.add_user(a.user, password, a.root, perm=WRITE)
    if a.anon_root:
        # bounce: deliberately broken, anonymous users may write
        auth.add_anonymous(a.anon_root, perm=WRITE if a.config == "bounce" else READ)

    tls = a.config in ("tls", "tls-lax", "implicit")
    base = TLS_FTPHandler if tls else FTPHandler

    class Handler(base):  # type: ignore[valid-type,misc]
        pass

    Handler.authorizer = auth
    Handler.banner = "pyftpdlib based FTP server ready."
    low, high = (int(x) for x in a.pasv.split("-"))
    Handler.passive_ports = range(low, high + 1)
    Handler.timeout = 120
    Handler.permit_foreign_addresses = a.config == "bounce"
    if tls:
        Handler.certfile = a.cert
        Handler.keyfile = a.key
        Handler.tls_control_required = a.config in ("tls", "implicit")
        Handler.tls_data_required = a.config in ("tls", "implicit")

    if a.config == "implicit":
        # Implicit FTPS (pyftpdlib's recipe): TLS on connect, greeting after the handshake;
        # data channels are protected from the start (PBSZ 0 / PROT P are implied).
        class Implicit(Handler):  # type: ignore[valid-type,misc]
            def handle(self):
                self.secure_connection(self.ssl_context)

            def handle_ssl_established(self):
                self._pbsz = True
                self._prot = True
                Handler.handle(self)

            def ftp_AUTH(self, line):
                self.respond("534 AUTH not supported on an implicit TLS connection.")

        handler = Implicit
    else:
        handler = Handler

    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(asctime)s %(message)s")
    server = FTPServer((a.host, a.port), handler)
    server.max_cons = 100
    server.max_cons_per_ip = 0
    sys.stdout.write(f"pyftpd {a.config} listening on {a.host}:{a.port} pid {os.getpid()}\n")
    sys.stdout.flush()
    server.serve_forever(handle_exit=True)


if __name__ == "__main__":
    main()
