#!/usr/bin/env python3
"""Independent oracle: when may an FTPS client start TLS on a passive data connection?

Python's ssl and socket modules (not xferscan) log in over TLS, set PBSZ 0 / PROT P, open the
passive data connection, and then, by ORDER:
  reply-first  send LIST and wait up to 2 s for its reply before any data TLS; print
               "reply-first CODE" (the server answered before the data handshake) or
               "reply-after-handshake" (it did not: it waits for the data handshake first)
  hello-first  send the data ClientHello, wait 0.2 s, then send LIST; print "hello-first ok"
               when the data handshake completes, "hello-first reset: ..." when it does not
In both orders the listing is then read and the final reply printed ("final CODE" or
"final none" when none comes within 3 s). Exits 1 on anything the login could not do.
Usage: data_tls_order.py PORT explicit|implicit ORDER USER PASSWORD_FILE  (host 127.0.0.1)
"""
import re
import socket
import ssl
import sys
import time

port, mode, order, user, pw_file = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
password = open(pw_file).read().strip()
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
buf = b""


def reply(sock, wait=5.0):
    """The next complete reply's last line ("NNN text"), or None after `wait` seconds."""
    global buf
    sock.settimeout(wait)
    while True:
        m = re.search(rb"^(\d{3}) [^\r\n]*\r?\n", buf, re.M)
        if m:
            buf = buf[m.end():]
            return m.group(0).decode("latin1").strip()
        try:
            chunk = sock.recv(4096)
        except (socket.timeout, TimeoutError, ssl.SSLError):
            return None
        if not chunk:
            return None
        buf += chunk


def fail(what):
    print("other: " + what)
    sys.exit(1)


raw = socket.create_connection(("127.0.0.1", port), timeout=5)
ctl = ctx.wrap_socket(raw) if mode == "implicit" else raw
if not (reply(ctl) or "").startswith("220"):
    fail("no greeting")
if mode == "explicit":
    ctl.sendall(b"AUTH TLS\r\n")
    if not (reply(ctl) or "").startswith("234"):
        fail("AUTH TLS refused")
    ctl = ctx.wrap_socket(raw)


def command(line):
    ctl.sendall(line.encode() + b"\r\n")
    return reply(ctl) or ""


if not command("USER " + user)[:1] in ("2", "3"):
    fail("USER refused")
if not command("PASS " + password).startswith("230"):
    fail("login refused")
command("PBSZ 0")
if not command("PROT P").startswith("200"):
    fail("PROT P refused")
pasv = command("PASV")
m = re.search(r"\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)", pasv)
if not m:
    fail("PASV: " + pasv)
data = socket.create_connection(("127.0.0.1", int(m.group(5)) * 256 + int(m.group(6))), timeout=5)
time.sleep(0.1)

if order == "reply-first":
    ctl.sendall(b"LIST\r\n")
    first = reply(ctl, 2.0)
    print("reply-first " + first[:3] if first else "reply-after-handshake")
    tls_data = ctx.wrap_socket(data, session=ctl.session)
elif order == "hello-first":
    tls_data = ctx.wrap_socket(data, session=ctl.session, do_handshake_on_connect=False)
    tls_data.setblocking(False)
    early = None
    try:
        tls_data.do_handshake()
    except ssl.SSLWantReadError:
        pass
    except (OSError, ssl.SSLError) as e:
        early = e
    time.sleep(0.2)
    ctl.sendall(b"LIST\r\n")
    tls_data.setblocking(True)
    tls_data.settimeout(3)
    try:
        if early:
            raise early
        tls_data.do_handshake()
        print("hello-first ok")
    except (OSError, ssl.SSLError) as e:
        print("hello-first reset: %s" % type(e).__name__)
else:
    fail("unknown order " + order)

received = 0
try:
    tls_data.settimeout(3)
    while True:
        chunk = tls_data.recv(65536)
        if not chunk:
            break
        received += len(chunk)
    tls_data.unwrap()
except (OSError, ssl.SSLError, ValueError):
    pass
tls_data.close()
final = reply(ctl, 3.0)
while final and final.startswith("1"):
    final = reply(ctl, 3.0)
print("listing %d bytes" % received)
print("final " + (final[:3] if final else "none"))
