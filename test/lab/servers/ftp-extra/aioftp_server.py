#!/usr/bin/python3
"""aioftp's server (Debian python3-aioftp) as a lab endpoint: implicit FTPS.

    aioftp_server.py --host H --port P --pasv LOW-HIGH --root DIR --user NAME --password-file F
                     --cert CRT --key KEY

Stock library behaviour: with an SSL context aioftp wraps the control connection and every
passive data connection in TLS (implicit FTPS); no AUTH, no active mode (PORT/EPRT unknown),
PBSZ/PROT only after login (503 "bad sequence of commands" before it), PROT C refused (502).
"""
import argparse
import asyncio
import logging
import ssl
import sys

import aioftp


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pasv", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password-file", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    a = ap.parse_args()
    with open(a.password_file, encoding="utf-8") as f:
        password = f.readline().strip()
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(a.cert, a.key)
    low, high = (int(x) for x in a.pasv.split("-"))
    user = aioftp.User(a.user, password, base_path=a.root, permissions=[aioftp.Permission("/", readable=True, writable=True)])
    server = aioftp.Server([user], ssl=ctx, data_ports=range(low, high + 1), idle_timeout=120)
    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(asctime)s %(message)s")
    asyncio.run(server.run(a.host, a.port))


if __name__ == "__main__":
    main()
