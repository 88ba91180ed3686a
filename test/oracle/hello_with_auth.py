#!/usr/bin/env python3
"""Independent oracle: does an explicit-FTPS server read a TLS ClientHello sent together with AUTH TLS?

Python's ssl module (OpenSSL through a memory BIO, not xferscan's hello builder) writes a
ClientHello; it goes out in one write with "AUTH TLS\\r\\n", before the greeting is read. After
the 234 the server either answers in TLS (it read the hello: prints "reads") or stays silent (it
threw away what it read past AUTH TLS, and waits for a hello: prints "drops"). Anything else
prints "other: ..." and exits 1.
Usage: hello_with_auth.py PORT  (host 127.0.0.1)
"""
import select
import socket
import ssl
import sys

port = int(sys.argv[1])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
tls = ctx.wrap_bio(incoming, outgoing)
try:
    tls.do_handshake()
except ssl.SSLWantReadError:
    pass
hello = outgoing.read()

s = socket.create_connection(("127.0.0.1", port), timeout=5)
s.sendall(b"AUTH TLS\r\n" + hello)
buf = b""
lines = []
# the greeting, then the reply to AUTH TLS (multi-line replies end with "NNN " lines)
while True:
    while b"\n" not in buf:
        chunk = s.recv(4096)
        if not chunk:
            print("other: closed before the reply to AUTH TLS: %r" % lines)
            sys.exit(1)
        buf += chunk
    line, buf = buf.split(b"\n", 1)
    lines.append(line.decode("latin1").rstrip("\r"))
    last = lines[-1]
    if len(last) >= 4 and last[:3].isdigit() and last[3] == " " and not last.startswith("220"):
        break
if not lines[-1].startswith("234"):
    print("other: AUTH TLS answered %r" % lines[-1])
    sys.exit(1)
if not buf:
    ready, _, _ = select.select([s], [], [], 1.0)
    if ready:
        buf = s.recv(4096)
if not buf:
    print("drops")
elif buf[0] in (0x15, 0x16):
    print("reads")
else:
    print("other: %r" % buf[:16])
    sys.exit(1)
s.close()
