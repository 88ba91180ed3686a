#!/usr/bin/python3
"""Independent FTP/FTPS oracle: what a careful engineer finds by hand with Python's ftplib.

    ftp_oracle.py --host H --port P [--service auto|ftp|ftps-explicit|ftps-implicit]
                  [--user U --password-file F] [--active] [--write-test] [--timeout S]

Standard library only (ftplib, ssl, socket); run it with Debian's /usr/bin/python3. It shares no
code or idea of implementation with xferscan: it is the truth the differential tests compare
xferscan with. It prints one JSON object: the service, then one entry per fact, each with its
value and the raw lines exchanged as evidence ("> " sent, "< " received, "# " observed).

Rules it keeps:
- a real password never crosses in cleartext unless the endpoint has no working TLS at all
  (the cleartext-login probe uses a made-up user name);
- an active-mode listener listens before PORT/EPRT is sent (some servers connect while reading it);
- FTP bounce names 127.0.0.2:<a port the oracle itself listens on>, records whether the server
  connected there and what it replied, and never starts a transfer towards it;
- 503 (bad sequence) to PBSZ/PROT/CCC before login is a sequence error: retried after login.
"""
import argparse
import ftplib
import json
import os
import re
import secrets
import socket
import ssl
import sys
import time
import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)  # TLS 1.0/1.1 are wanted here

MAX_LISTING = 1 << 20  # bytes read from one data connection at most


def now_ms(t0):
    return round((time.monotonic() - t0) * 1000)


class Log:
    """A transcript shared by the connections of one fact."""

    def __init__(self, password):
        self.lines = []
        self.password = password

    def add(self, conn, direction, text):
        if self.password:
            text = text.replace(self.password, "<password>")
        self.lines.append(f"[{conn}] {direction} {text[:300]}")

    def take(self):
        out, self.lines = self.lines, []
        return out


def tls_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    # what a lenient engineer's client accepts: every version and suite OpenSSL still has
    ctx.minimum_version = ssl.TLSVersion.TLSv1
    ctx.set_ciphers("ALL:@SECLEVEL=0")
    return ctx


class Reply:
    def __init__(self, code, text):
        self.code, self.text = code, text

    def ok(self):
        return self.code is not None and 200 <= self.code < 300

    def __repr__(self):
        return f"{self.code} {self.text}"


class Conn(ftplib.FTP_TLS):
    """ftplib's FTP_TLS, recording every line, and never raising on a reply code."""

    def __init__(self, oracle, label, implicit=False):
        super().__init__(context=oracle.ctx, timeout=oracle.timeout)
        self.oracle, self.label, self.implicit = oracle, label, implicit
        self.log = oracle.log
        self.tls_on = False
        self.protected = False  # PROT P in force
        self.maxline = 8192

    # --- recording
    def putline(self, line):
        shown = "PASS <password>" if line.upper().startswith("PASS ") else line
        self.log.add(self.label, ">", shown)
        super().putline(line)

    def getline(self):
        line = super().getline()
        self.log.add(self.label, "<", line)
        return line

    def note(self, text):
        self.log.add(self.label, "#", text)

    # --- connection
    def open(self):
        o = self.oracle
        self.host, self.port = o.host, o.port
        self.sock = socket.create_connection((o.host, o.port), o.timeout)
        self.af = self.sock.family
        if self.implicit:
            self.sock = o.ctx.wrap_socket(self.sock, server_hostname=o.sni)
            self.tls_on = True
            self.note(f"TLS on connect: {self.sock.version()} {self.sock.cipher()[0]}")
        self.file = self.sock.makefile("r", encoding=self.encoding)
        return self.reply()

    def reply(self):
        try:
            resp = self.getmultiline()
        except (OSError, EOFError, ftplib.Error) as e:
            self.note(f"no reply: {type(e).__name__}: {e}")
            return Reply(None, f"{type(e).__name__}: {e}")
        m = re.match(r"^(\d{3})[ -]?(.*)", resp, re.S)
        if not m:
            return Reply(None, resp[:200])
        return Reply(int(m.group(1)), resp[4:].replace("\n", " | ")[:300])

    def cmd(self, line):
        try:
            self.putcmd(line)
        except OSError as e:
            self.note(f"send failed: {e}")
            return Reply(None, str(e))
        return self.reply()

    def auth_tls(self):
        r = self.cmd("AUTH TLS")
        if r.code != 234:
            return r, False
        try:
            self.sock = self.oracle.ctx.wrap_socket(self.sock, server_hostname=self.oracle.sni)
            self.file = self.sock.makefile("r", encoding=self.encoding)
            self.tls_on = True
            self.note(f"TLS established: {self.sock.version()} {self.sock.cipher()[0]}")
            return r, True
        except (OSError, ssl.SSLError) as e:
            self.note(f"TLS handshake failed: {e}")
            return r, False

    def login_as(self, user, password, retry=False):
        r = self.cmd(f"USER {user}")
        if r.code == 331 or r.code == 332:
            r = self.cmd(f"PASS {password}")
        if retry and r.code == 530:
            # the shared lab rewrites /etc/shadow on every start: a real login racing it fails once
            self.note("login refused: trying once more in 1 s")
            time.sleep(1)
            return self.login_as(user, password)
        return r

    def quit_quietly(self):
        try:
            self.sock.settimeout(2)
            self.cmd("QUIT")
        except Exception:  # noqa: BLE001 - closing anyway
            pass
        try:
            self.sock.close()
        except Exception:  # noqa: BLE001
            pass

    # --- data connections
    def wrap_data(self, s, reuse):
        session = self.sock.session if reuse and isinstance(self.sock, ssl.SSLSocket) else None
        d = self.oracle.ctx.wrap_socket(s, server_hostname=self.oracle.sni, session=session)
        self.note(
            f"data TLS {d.version()} {'resumed' if d.session_reused else 'new session'}"
            f"{' (resumption offered)' if session is not None else ' (no resumption offered)'}"
        )
        return d

    def listing(self, mode, reuse=True, command="LIST"):
        """One data connection in MODE carrying COMMAND; returns a dict with ok/bytes/replies."""
        o = self.oracle
        out = {"mode": mode, "ok": False, "bytes": 0, "setup": None, "start": None, "end": None, "error": None}
        listener = None
        data = None
        try:
            if mode in ("PASV", "EPSV"):
                r = self.cmd(mode)
                out["setup"] = repr(r)
                if r.code not in (227, 229):
                    out["error"] = "refused"
                    return out
                if mode == "PASV":
                    m = re.search(r"(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)", r.text)
                    if not m:
                        out["error"] = "unparsable 227"
                        return out
                    port = int(m.group(5)) * 256 + int(m.group(6))
                else:
                    m = re.search(r"\((.)\1\1(\d+)\1\)", r.text)
                    if not m:
                        out["error"] = "unparsable 229"
                        return out
                    port = int(m.group(2))
                # always the control connection's address (never a third party's)
                data = socket.create_connection((o.host, port), o.timeout)
                r = self.cmd(command)
                out["start"] = repr(r)
                if r.code is None or r.code >= 300:
                    out["error"] = "refused at transfer command"
                    return out
            else:
                local = self.sock.getsockname()[0]
                if mode == "PORT" and self.af != socket.AF_INET:
                    out["error"] = "not applicable: PORT cannot name an IPv6 address"
                    out["na"] = True
                    return out
                listener = socket.socket(self.af, socket.SOCK_STREAM)
                listener.bind((local, 0))
                listener.listen(1)
                listener.settimeout(o.timeout)
                lport = listener.getsockname()[1]
                if mode == "PORT":
                    arg = ",".join(local.split(".") + [str(lport >> 8), str(lport & 255)])
                else:
                    arg = f"|{1 if self.af == socket.AF_INET else 2}|{local}|{lport}|"
                r = self.cmd(f"{mode} {arg}")
                out["setup"] = repr(r)
                if not r.ok():
                    out["error"] = "refused"
                    return out
                r = self.cmd(command)
                out["start"] = repr(r)
                if r.code is None or r.code >= 300:
                    out["error"] = "refused at transfer command"
                    return out
                data, _ = listener.accept()
            data.settimeout(o.timeout)
            if self.protected:
                data = self.wrap_data(data, reuse)
                out["tls"] = data.version()
                out["resumed"] = data.session_reused
            chunks = []
            total = 0
            while total < MAX_LISTING:
                b = data.recv(65536)
                if not b:
                    break
                chunks.append(b)
                total += len(b)
            out["bytes"] = total
            if self.protected:
                try:
                    data.unwrap()
                except (OSError, ValueError, ssl.SSLError):
                    pass
            data.close()
            data = None
            r = self.reply()
            out["end"] = repr(r)
            out["ok"] = r.code is not None and 200 <= r.code < 300
            if not out["ok"]:
                out["error"] = "transfer failed"
            return out
        except (OSError, ssl.SSLError, ValueError) as e:
            out["error"] = f"{type(e).__name__}: {e}"
            self.note(f"data connection failed: {out['error']}")
            if out["start"] is not None and out["end"] is None:
                out["end"] = repr(self.reply())
            return out
        finally:
            for s in (data, listener):
                if s is not None:
                    try:
                        s.close()
                    except OSError:
                        pass

    def store(self, name, content):
        """STOR over PASV (EPSV if PASV is refused) in the current protection; True when stored."""
        for mode in ("PASV", "EPSV"):
            r = self.cmd(mode)
            if r.code not in (227, 229):
                continue
            if mode == "PASV":
                m = re.search(r"(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)", r.text)
                port = int(m.group(5)) * 256 + int(m.group(6)) if m else None
            else:
                m = re.search(r"\((.)\1\1(\d+)\1\)", r.text)
                port = int(m.group(2)) if m else None
            if port is None:
                continue
            try:
                data = socket.create_connection((self.oracle.host, port), self.oracle.timeout)
                r = self.cmd(f"STOR {name}")
                if r.code is None or r.code >= 300:
                    data.close()
                    return False
                if self.protected:
                    data = self.wrap_data(data, True)
                data.sendall(content)
                if self.protected:
                    try:
                        data.unwrap()
                    except (OSError, ValueError, ssl.SSLError):
                        pass
                data.close()
                return self.reply().ok()
            except (OSError, ssl.SSLError) as e:
                self.note(f"upload failed: {e}")
                return False
        return False


class Oracle:
    def __init__(self, a):
        self.host, self.port, self.timeout = a.host, a.port, a.timeout
        self.sni = None if re.match(r"^[\d.:]+$", a.host) else a.host
        self.user = a.user
        self.password = None
        if a.password_file:
            with open(a.password_file, encoding="utf-8") as f:
                self.password = f.readline().strip()
        self.active, self.write_test, self.requested = a.active, a.write_test, a.service
        self.ctx = tls_context()
        self.log = Log(self.password)
        self.facts = {}
        self.n = 0
        self.implicit = False
        self.tls_usable = False
        self.service = None

    def conn(self, implicit=None):
        self.n += 1
        return Conn(self, f"c{self.n}", self.implicit if implicit is None else implicit)

    def fact(self, name, value, **extra):
        t = time.monotonic()
        ms = round((t - getattr(self, "_last", t)) * 1000)
        self._last = t
        self.facts[name] = {"value": value, **extra, "ms": ms, "evidence": self.log.take()}

    # ------------------------------------------------------------------ service
    def detect(self):
        """What answers: FTP (plain/explicit), implicit FTPS, or something else greeting 220."""
        c = self.conn(implicit=False)
        greeting = None
        try:
            c.sock = socket.create_connection((self.host, self.port), self.timeout)
            c.af = c.sock.family
            c.sock.settimeout(min(self.timeout, 3))
            c.file = c.sock.makefile("r", encoding="latin-1")
            greeting = c.reply()
        except OSError as e:
            c.note(f"connect failed: {e}")
            self.fact("service", None, detail=str(e))
            return None
        finally:
            pass
        if greeting.code is None:
            c.quit_quietly()
            # silence: maybe TLS first (implicit FTPS)
            ci = self.conn(implicit=True)
            try:
                g = ci.open()
            except (OSError, ssl.SSLError) as e:
                ci.note(f"TLS on connect failed: {e}")
                self.fact("service", "unknown", detail="no greeting in clear and no TLS on connect")
                return "unknown"
            ok = g.code == 220 and self.answers_like_ftp(ci)
            self.auth_tls = None
            ci.quit_quietly()
            self.implicit = True
            value = "ftps-implicit" if ok else "tls-unknown"
            self.fact("service", value, greeting=repr(g))
            return value
        self.implicit = False
        if greeting.code != 220:
            c.quit_quietly()
            self.fact("service", "unknown", greeting=repr(greeting), detail="greeting is not 220")
            return "unknown"
        c.sock.settimeout(self.timeout)
        ftp_like, proto = self.answers_like_ftp(c), None
        if not ftp_like:
            proto = self.name_protocol(greeting.text)
        c.quit_quietly()
        if not ftp_like:
            self.fact("service", "unknown", greeting=repr(greeting), protocol=proto, detail="220 greeting, but not FTP answers")
            return "unknown"
        # explicit FTPS only if AUTH TLS leads to a completed handshake
        ce = self.conn()
        ce.open()
        r, ok = ce.auth_tls()
        ce.quit_quietly()
        self.auth_tls = {"code": r.code, "handshake": ok}
        value = "ftps-explicit" if ok else "ftp"
        self.fact("service", value, greeting=repr(greeting), authTls=repr(r), handshake=ok)
        self.detect_auth_ssl()
        return value

    def detect_auth_ssl(self):
        """AUTH SSL (the legacy alias) on a fresh connection: 234 accepts it, a 5xx refuses it."""
        c = self.conn()
        c.open()
        r = c.cmd("AUTH SSL")
        # after a 234 the server waits for a ClientHello: hang up without one (nothing to quit)
        if r.code == 234:
            c.sock.close()
        else:
            c.quit_quietly()
        value = True if r.code == 234 else False if 500 <= r.code < 600 else None
        self.fact("authSsl", value, reply=repr(r))

    @staticmethod
    def answers_like_ftp(c):
        # FTP answers SYST 215 and NOOP 200 (or asks for a login first: 530/503); SMTP answers
        # NOOP 250 and does not know SYST or USER (500/502). USER with a made-up name decides the
        # rest: FTP asks for a password (331) or refuses the user (530/550), nothing else does.
        syst = c.cmd("SYST")
        noop = c.cmd("NOOP")
        if noop.code == 250:
            return False
        if syst.code == 215 or noop.code == 200:
            return True
        user = c.cmd(f"USER xfs-oracle-{secrets.token_hex(4)}")
        return user.code in (230, 331, 332, 530, 550)

    @staticmethod
    def name_protocol(text):
        t = text.upper()
        for word, proto in (("SMTP", "smtp"), ("ESMTP", "smtp"), ("POSTFIX", "smtp"), ("EXIM", "smtp"), ("NNTP", "nntp")):
            if word in t:
                return proto
        return None

    # ------------------------------------------------------------------ facts
    def tls_login(self, c, user=None, password=None):
        """Open c, AUTH TLS when explicit, PBSZ/PROT before login (recorded), log in."""
        g = c.open()
        info = {"greeting": g.code}
        if self.tls_usable and not self.implicit:
            r, ok = c.auth_tls()
            info["auth"] = r.code
            if not ok:
                return info, None
        return info, c.login_as(user or self.user, password or self.password, retry=user is None)

    def cleartext_login(self):
        if self.implicit:
            self.fact("cleartextLogin", False, detail="TLS on connect: nothing crosses in clear")
            return
        c = self.conn()
        c.open()
        name = f"xfs-oracle-{secrets.token_hex(4)}"
        r = c.cmd(f"USER {name}")
        c.quit_quietly()
        # 331/332/230: the server takes credentials without TLS. Anything else: refused.
        self.fact("cleartextLogin", r.code in (230, 331, 332), userReply=repr(r))

    def anonymous(self):
        results = []
        # in clear first (what a careless client does), then over TLS where there is TLS
        tries = [True] if self.implicit else [False, True] if self.tls_usable else [False]
        accepted, over_tls, can_write = False, None, None
        for with_tls in tries:
            c = self.conn()
            c.open()
            if with_tls and not self.implicit:
                _, ok = c.auth_tls()
                if not ok:
                    c.quit_quietly()
                    continue
            r = c.login_as("anonymous", "oracle@example.com")
            results.append({"tls": with_tls, "reply": repr(r)})
            if r.code == 230:
                accepted, over_tls = True, with_tls or self.implicit
                if self.write_test:
                    can_write = self.try_write(c, with_tls or self.implicit)
                c.quit_quietly()
                break
            c.quit_quietly()
        self.fact("anonymous", accepted, overTls=over_tls, canWrite=can_write, tries=results)

    def try_write(self, c, tls):
        if tls:
            c.cmd("PBSZ 0")
            c.protected = c.cmd("PROT P").ok()
        name = f"xfs-oracle-{secrets.token_hex(6)}.tmp"
        for d in ("", "incoming", "upload", "pub/incoming"):
            if d and not c.cmd(f"CWD /{d}").ok():
                continue
            if c.store(name, b"xferscan oracle write test\n"):
                c.cmd(f"DELE {name}")
                return True
        return False

    def prot_sequence(self, c):
        """PBSZ 0 + PROT P before login; on a refusal, again after login (a client would)."""
        before = {"PBSZ": repr(c.cmd("PBSZ 0")), "PROT P": None}
        pbsz_ok = before["PBSZ"].startswith("2")
        prot = c.cmd("PROT P") if pbsz_ok else None
        before["PROT P"] = repr(prot) if prot else None
        return before, bool(prot and prot.ok())

    def data_and_protection(self):
        """Login, PROT P (before/after login), then PASV/EPSV/PORT/EPRT listings."""
        if not self.user or not self.password:
            self.fact("login", None, detail="no credentials given")
            return False
        if not self.tls_usable and not self.cleartext_allowed():
            self.fact("login", None, detail="no working TLS and not plain FTP: the password stays home")
            return False
        c = self.conn()
        c.open()
        seq = {}
        if self.tls_usable:
            if not self.implicit:
                r, ok = c.auth_tls()
                if not ok:
                    self.fact("login", False, detail=f"AUTH TLS {r}")
                    return False
            seq["before"], p_ok = self.prot_sequence(c)
        r = c.login_as(self.user, self.password, retry=True)
        self.fact("login", r.code == 230, reply=repr(r))
        if r.code != 230:
            c.quit_quietly()
            return False
        if self.tls_usable:
            if not p_ok:
                seq["after"], p_ok = self.prot_sequence(c)
            c.protected = p_ok
            self.fact("protP", p_ok, sequence=seq)
        modes = ["PASV", "EPSV"] + (["PORT", "EPRT"] if self.active else [])
        channels = [c.listing(m) for m in modes]
        c.quit_quietly()
        self.fact("data", {d["mode"]: d["ok"] for d in channels}, channels=channels, protection="P" if self.tls_usable else "C")
        return True

    def cleartext_allowed(self):
        return self.service == "ftp"

    def prot_c(self):
        """Does a real cleartext listing work after PROT C?"""
        c = self.conn()
        info, r = self.tls_login(c)
        if r is None or r.code != 230:
            c.quit_quietly()
            self.fact("protC", None, detail=f"login failed: {r}")
            return
        c.cmd("PBSZ 0")
        pr = c.cmd("PROT C")
        channels = []
        if pr.ok():
            c.protected = False
            channels = [c.listing(m) for m in ("PASV", "EPSV")]
        c.quit_quietly()
        self.fact("protC", any(d["ok"] for d in channels), protC=repr(pr), channels=channels)

    def session_reuse(self):
        """A protected listing without resuming the control session, then one that resumes it."""
        c = self.conn()
        info, r = self.tls_login(c)
        if r is None or r.code != 230:
            c.quit_quietly()
            self.fact("sessionReuseRequired", None, detail=f"login failed: {r}")
            return
        c.cmd("PBSZ 0")
        c.protected = c.cmd("PROT P").ok()
        mode = "PASV" if self.af == socket.AF_INET else "EPSV"
        without = c.listing(mode, reuse=False)
        c.quit_quietly()
        c = self.conn()
        info, r = self.tls_login(c)
        c.cmd("PBSZ 0")
        c.protected = c.cmd("PROT P").ok()
        withr = c.listing(mode, reuse=True)
        c.quit_quietly()
        if without["ok"]:
            value = False
        elif withr["ok"]:
            value = True
        else:
            value = None
        self.fact("sessionReuseRequired", value, withoutReuse=without, withReuse=withr)

    def bounce(self):
        """PORT/EPRT naming 127.0.0.2:<our listener>: did the server connect there? Never a transfer."""
        if self.af != socket.AF_INET:
            # on [::1] there is no second loopback address of the same family to name
            self.fact("bounce", None, detail="needs an IPv4 control connection (no other IPv6 loopback address to name)")
            return
        c = self.conn()
        if self.tls_usable:
            info, r = self.tls_login(c)
        elif self.cleartext_allowed():
            c.open()
            r = c.login_as(self.user, self.password, retry=True)
        else:
            r = None
        if r is None or r.code != 230:
            c.quit_quietly()
            self.fact("bounce", None, detail=f"login failed: {r}")
            return
        tries = []
        for command in ("PORT", "EPRT"):
            ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            ls.bind(("127.0.0.2", 0))
            ls.listen(1)
            p = ls.getsockname()[1]
            arg = f"127,0,0,2,{p >> 8},{p & 255}" if command == "PORT" else f"|1|127.0.0.2|{p}|"
            r = c.cmd(f"{command} {arg}")
            ls.settimeout(1.5 if r.ok() or (r.code or 0) < 500 else 0.3)
            connected = False
            try:
                s, peer = ls.accept()
                connected = True
                c.note(f"the server connected to 127.0.0.2:{p} from {peer[0]}:{peer[1]} (closed at once, nothing sent)")
                s.close()
            except OSError:
                pass
            ls.close()
            # allowed: the server connected, accepted the address (2xx), or tried and failed (425)
            allowed = connected or r.ok() or r.code == 425
            tries.append({"command": f"{command} {arg}", "reply": repr(r), "connected": connected, "allowed": allowed})
        c.quit_quietly()
        self.fact("bounce", any(t["allowed"] for t in tries), tries=tries)

    def ccc(self):
        c = self.conn()
        info, r = self.tls_login(c)
        if r is None or r.code != 230:
            c.quit_quietly()
            self.fact("ccc", None, detail=f"login failed: {r}")
            return
        # after login: a 5xx here (503 included) is the server's answer, not a sequence error
        r1 = c.cmd("CCC")
        accepted = r1.ok()
        cleartext_after = None
        if accepted:
            try:
                c.sock = c.sock.unwrap()
                c.file = c.sock.makefile("r", encoding=c.encoding)
                c.note("TLS closed (close_notify exchanged); continuing in cleartext")
            except (OSError, ssl.SSLError, ValueError) as e:
                c.note(f"TLS close after CCC failed: {e}")
            pwd = c.cmd("PWD")
            cleartext_after = repr(pwd)
        c.quit_quietly()
        self.fact("ccc", accepted, reply=repr(r1), cleartextAfter=cleartext_after)

    def run(self):
        t0 = self._last = time.monotonic()
        self.service = self.detect()
        out = {"host": self.host, "port": self.port, "requested": self.requested, "service": self.service}
        if self.service in ("ftp", "ftps-explicit", "ftps-implicit"):
            self.tls_usable = self.service != "ftp"
            self.af = socket.AF_INET6 if ":" in self.host else socket.AF_INET
            self.cleartext_login()
            self.anonymous()
            if self.data_and_protection():
                if self.tls_usable:
                    self.prot_c()
                    self.session_reuse()
                    self.ccc()
                self.bounce()
        out["facts"] = self.facts
        out["ms"] = now_ms(t0)
        return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--service", default="auto", choices=["auto", "ftp", "ftps-explicit", "ftps-implicit"])
    ap.add_argument("--user")
    ap.add_argument("--password-file")
    ap.add_argument("--active", action="store_true")
    ap.add_argument("--write-test", action="store_true")
    ap.add_argument("--timeout", type=float, default=5.0)
    a = ap.parse_args()
    if not (a.host.startswith("127.") or a.host in ("::1", "localhost")):
        sys.exit("ftp_oracle.py: loopback targets only")
    socket.setdefaulttimeout(a.timeout)
    out = Oracle(a).run()
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    sys.exit(main())
