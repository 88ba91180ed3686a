#!/usr/bin/python3
"""Independent SSH/SFTP oracle: what the OpenSSH client tools say about a server.

Never uses xferscan. Facts come from `ssh -vv` (the server's KEXINIT as the client logged it,
the auth methods after the `none` attempt), `ssh-keyscan` + `ssh-keygen -lf` (host keys and
SHA256 fingerprints), `sftp -b` (the subsystem), and — each on a fresh connection — `ssh HOST
'echo …'` (exec), `ssh -T` with commands on stdin (shell) and `ssh -W` to a loopback listener
opened here (forwarding). Execution is proven by a nonce that only a shell can assemble, never
by an exit status (a forced command exits 0 too).

  ssh_oracle.py --host H --port P --user U [--password-file F | --identity KEY] [--timeout S]

Prints one JSON object. Password logins use sshpass (Debian package). Only loopback targets.
"""
import argparse
import ipaddress
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

# The client offers everything it can (legacy servers too): only the server's lists are facts.
WIDE = [
    '-o', 'KexAlgorithms=+diffie-hellman-group1-sha1,diffie-hellman-group14-sha1,diffie-hellman-group-exchange-sha1',
    '-o', 'HostKeyAlgorithms=+ssh-rsa,ssh-dss',
    '-o', 'PubkeyAcceptedAlgorithms=+ssh-rsa,ssh-dss',
    '-o', 'Ciphers=+aes128-cbc,aes192-cbc,aes256-cbc,3des-cbc',
    '-o', 'MACs=+hmac-sha1-96,hmac-md5,hmac-md5-96',
    '-o', 'RequiredRSASize=1024',
]
KEXINIT_FIELDS = [
    ('KEX algorithms', 'kex'),
    ('host key algorithms', 'hostKeyAlgorithms'),
    ('ciphers ctos', 'ciphersCtoS'),
    ('ciphers stoc', 'ciphersStoC'),
    ('MACs ctos', 'macsCtoS'),
    ('MACs stoc', 'macsStoC'),
    ('compression ctos', 'compressionCtoS'),
    ('compression stoc', 'compressionStoC'),
]
# OpenSSH's log lines are cut at 1024 bytes (log.c MSGBUFSIZ): a list that long may be truncated
LOG_LINE_LIMIT = 1000
OPEN_FAILURE_REASONS = {
    'administratively prohibited': 1,
    'connect failed': 2,
    'unknown channel type': 3,
    'resource shortage': 4,
}


class Target:
    def __init__(self, a):
        self.host = a.host
        self.port = a.port
        self.user = a.user
        self.password_file = a.password_file
        self.identity = a.identity
        self.timeout = a.timeout
        # ssh/sftp/keyscan accept ::1 as is; sftp wants [::1] in a destination
        self.bracketed = f'[{a.host}]' if ':' in a.host else a.host

    def common(self, *, login, first=()):
        # ssh keeps the first value given for an option: `first` overrides what follows
        o = [
            *first,
            '-F', '/dev/null',
            '-o', 'UserKnownHostsFile=/dev/null',
            '-o', 'GlobalKnownHostsFile=/dev/null',
            '-o', 'StrictHostKeyChecking=no',
            '-o', 'UpdateHostKeys=no',
            '-o', f'ConnectTimeout={self.timeout}',
            '-o', 'ServerAliveInterval=5',
            '-o', 'ServerAliveCountMax=2',
            '-o', 'IdentityAgent=none',
            '-o', 'ControlMaster=no',
            '-o', 'ControlPath=none',
            '-o', f'User={self.user}',
            *WIDE,
        ]
        if not login:
            return o + ['-o', 'BatchMode=yes', '-o', 'PreferredAuthentications=none', '-o', 'PubkeyAuthentication=no']
        if self.identity:
            return o + [
                '-o', 'BatchMode=yes',
                '-o', 'IdentitiesOnly=yes',
                '-o', 'PreferredAuthentications=publickey',
                '-o', 'PasswordAuthentication=no',
                '-i', self.identity,
            ]
        return o + [
            # before sftp's own '-oBatchMode yes' (sftp -b adds it): sshpass answers the prompt
            '-o', 'BatchMode=no',
            '-o', 'PubkeyAuthentication=no',
            '-o', 'PreferredAuthentications=password,keyboard-interactive',
            '-o', 'NumberOfPasswordPrompts=1',
        ]

    def wrap(self, argv, *, login):
        """sshpass in front for password logins."""
        if login and not self.identity:
            return ['sshpass', '-f', self.password_file, *argv]
        return argv


def text(b):
    # ssh ends its log lines with CR LF when it has a session
    return b.decode('utf-8', 'replace').replace('\r\n', '\n').replace('\r', '')


def run(argv, *, timeout, stdin=None):
    t0 = time.monotonic()
    try:
        p = subprocess.run(argv, input=stdin, capture_output=True, timeout=timeout)
        return p.returncode, text(p.stdout), text(p.stderr), time.monotonic() - t0
    except subprocess.TimeoutExpired as e:
        out = text(e.stdout or b'')
        err = text(e.stderr or b'')
        return None, out, err + '\n[oracle] timed out', time.monotonic() - t0


def last_lines(text, n=3, width=300):
    lines = [l for l in text.splitlines() if l.strip() and not l.startswith('debug')]
    return ' | '.join(lines[-n:])[:width]


def authenticated(err):
    return 'Authenticated to ' in err


def parse_peer_kexinit(err):
    """The server's KEXINIT as `ssh -vv` logged it ('peer server KEXINIT proposal')."""
    lines = err.splitlines()
    try:
        start = next(i for i, l in enumerate(lines) if l.strip() == 'debug2: peer server KEXINIT proposal')
    except StopIteration:
        return None, []
    out, warnings = {}, []
    for l in lines[start + 1 : start + 16]:
        m = re.match(r'debug2: ([A-Za-z ]+): ?(.*)$', l)
        if not m:
            continue
        for label, key in KEXINIT_FIELDS:
            if m.group(1) == label:
                value = m.group(2).strip()
                out[key] = value.split(',') if value else []
                if len(l) >= LOG_LINE_LIMIT:
                    warnings.append(f'{key}: the log line may be truncated ({len(l)} bytes)')
    if len(out) != len(KEXINIT_FIELDS):
        warnings.append('incomplete KEXINIT in the log')
    return out, warnings


def probe_kexinit(t):
    """One connection: server identification, KEXINIT, auth methods after `none`."""
    argv = ['ssh', '-vv', *t.common(login=False), '-p', str(t.port), t.host, 'true']
    rc, out, err, secs = run(argv, timeout=t.timeout + 10)
    kex, warnings = parse_peer_kexinit(err)
    m = re.search(r'^debug1: Remote protocol version ([^,]+), remote software version (.*)$', err, re.M)
    methods = re.search(r'^debug1: Authentications that can continue: (.*)$', err, re.M)
    hk = re.search(r'^debug1: Server host key: (\S+) (SHA256:\S+)$', err, re.M)
    return {
        'protoVersion': m.group(1) if m else None,
        'software': m.group(2).strip() if m else None,
        'kexinit': kex,
        'kexinitWarnings': warnings,
        'authMethods': methods.group(1).split(',') if methods else None,
        'negotiatedHostKey': {'type': hk.group(1), 'fingerprint': hk.group(2)} if hk else None,
        'detail': last_lines(err),
        'kexinitSeconds': round(secs, 2),
    }


def probe_gex(t, kex_list):
    """Group exchange: OpenSSH asks for a 2048..8192-bit group and rejects anything outside
    ('DH_GEX group out of range'), so finishing the exchange proves a modulus >= 2048 bits."""
    gex = [k for k in ('diffie-hellman-group-exchange-sha256', 'diffie-hellman-group-exchange-sha1') if k in kex_list]
    if not gex:
        return None
    argv = ['ssh', '-vv', *t.common(login=False, first=['-o', f'KexAlgorithms={gex[0]}']), '-p', str(t.port), t.host, 'true']
    rc, out, err, secs = run(argv, timeout=t.timeout + 10)
    req = re.search(r'SSH2_MSG_KEX_DH_GEX_REQUEST\((\d+)<(\d+)<(\d+)\) sent', err)
    ok = 'SSH2_MSG_KEX_DH_GEX_REPLY received' in err
    out_of_range = 'DH_GEX group out of range' in err
    return {
        'kex': gex[0],
        'request': [int(x) for x in req.groups()] if req else None,
        # True: the group fits the request (>= 2048 bits); False: the client rejected its size
        'groupInRange': True if ok else (False if out_of_range else None),
        'detail': last_lines(err),
    }


def probe_hostkeys(t):
    """ssh-keyscan once per key family, fingerprints by ssh-keygen -lf."""
    families = ['ed25519', 'ecdsa', 'rsa', 'dsa']
    keys, errors = [], []
    for fam in families:
        rc, out, err, secs = run(['ssh-keyscan', '-T', str(t.timeout), '-p', str(t.port), '-t', fam, t.host], timeout=t.timeout + 10)
        lines = [l for l in out.splitlines() if l and not l.startswith('#')]
        if not lines:
            errors.append({'family': fam, 'detail': last_lines(err) or 'no key'})
            continue
        for l in lines:
            parts = l.split()
            if len(parts) < 3:
                continue
            kt, blob = parts[1], parts[2]
            with tempfile.NamedTemporaryFile('w', suffix='.pub', delete=False) as f:
                f.write(f'{kt} {blob}\n')
                name = f.name
            try:
                r2, o2, e2, _ = run(['ssh-keygen', '-lf', name], timeout=10)
            finally:
                os.unlink(name)
            m = re.match(r'(\d+) (SHA256:\S+) .*\((\w+)\)', o2.strip())
            keys.append(
                {
                    'family': fam,
                    'type': kt,
                    'bits': int(m.group(1)) if m else None,
                    'fingerprint': m.group(2) if m else None,
                }
            )
    return keys, errors


def probe_sftp(t):
    with tempfile.NamedTemporaryFile('w', suffix='.batch', delete=False) as f:
        f.write('pwd\nls\n')
        batch = f.name
    try:
        argv = t.wrap(['sftp', '-vv', *t.common(login=True), '-b', batch, '-P', str(t.port), t.bracketed], login=True)
        rc, out, err, secs = run(argv, timeout=t.timeout + 20)
    finally:
        os.unlink(batch)
    version = re.search(r'^debug2: Remote version: (\d+)$', err, re.M)
    exts = re.findall(r'^debug2: Server supports extension "([^"]+)" revision (\S+)$', err, re.M)
    logged_in = authenticated(err)
    return {
        'loggedIn': logged_in,
        'ok': rc == 0 and logged_in,
        'exitStatus': rc,
        'version': int(version.group(1)) if version else None,
        'extensions': {k: v for k, v in exts},
        'listing': out.strip().splitlines()[:20],
        'detail': last_lines(err),
        'seconds': round(secs, 2),
    }


def nonce_pair():
    """Two halves that only a shell joins: 'echo "A""B"' prints AB; an echoing forced command prints the quotes."""
    a, b = f'XFSORA{secrets.token_hex(4)}', secrets.token_hex(4)
    return a, b, a + b


def verdict_for_login(err, rc, seen, what):
    """allowed: the nonce came back. refused: the server said no (channel open or request failed)
    or something ended with an exit status without printing it (a forced command). Otherwise — no
    login, a dropped connection — nothing was decided."""
    if seen:
        return 'allowed', f'{what} ran: the nonce came back'
    if not authenticated(err):
        return 'inconclusive', f'no login ({last_lines(err) or f"exit {rc}"})'
    said_no = re.search(r'(open failed: .*|(exec|shell|subsystem) request failed on channel \d+)', err)
    if said_no:
        return 'refused', f'{what} refused: {said_no.group(1)[:200]}'
    if rc is not None and rc != 255:
        return 'refused', f'{what} did not run: exit {rc} without the nonce ({last_lines(err) or "no message"})'
    return 'inconclusive', f'{what}: no answer that decides (exit {rc}; {last_lines(err)})'


def probe_exec(t):
    a, b, joined = nonce_pair()
    argv = t.wrap(['ssh', '-v', *t.common(login=True), '-T', '-p', str(t.port), t.host, f'echo "{a}""{b}"'], login=True)
    rc, out, err, secs = run(argv, timeout=t.timeout + 15, stdin=b'')
    v, d = verdict_for_login(err, rc, joined in out, 'exec')
    return {'verdict': v, 'detail': d, 'exitStatus': rc, 'stdout': out[:300], 'seconds': round(secs, 2)}


def probe_shell(t):
    a, b, joined = nonce_pair()
    argv = t.wrap(['ssh', '-v', *t.common(login=True), '-T', '-p', str(t.port), t.host], login=True)
    rc, out, err, secs = run(argv, timeout=t.timeout + 15, stdin=f'echo "{a}""{b}"; exit 0\n'.encode())
    v, d = verdict_for_login(err, rc, joined in out, 'shell')
    return {'verdict': v, 'detail': d, 'exitStatus': rc, 'stdout': out[:300], 'seconds': round(secs, 2)}


def probe_forwarding(t):
    """direct-tcpip (ssh -W) to a loopback listener that sends a nonce to whoever connects."""
    nonce = f'XFSFWD{secrets.token_hex(6)}'
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(('127.0.0.1', 0))
    srv.listen(4)
    srv.settimeout(t.timeout + 10)
    port = srv.getsockname()[1]
    accepted = []

    def serve():
        try:
            c, addr = srv.accept()
            accepted.append(addr)
            c.sendall(f'{nonce}\n'.encode())
            time.sleep(0.5)
            c.close()
        except OSError:
            pass

    th = threading.Thread(target=serve, daemon=True)
    th.start()
    argv = t.wrap(
        ['ssh', '-v', *t.common(login=True), '-o', 'ExitOnForwardFailure=yes', '-W', f'127.0.0.1:{port}', '-p', str(t.port), t.host],
        login=True,
    )
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    got = b''
    deadline = time.monotonic() + t.timeout + 10
    out_chunks = []

    def reader():
        while True:
            d = p.stdout.read1(4096)
            if not d:
                break
            out_chunks.append(d)

    rt = threading.Thread(target=reader, daemon=True)
    rt.start()
    while time.monotonic() < deadline:
        got = b''.join(out_chunks)
        if nonce.encode() in got or p.poll() is not None:
            break
        time.sleep(0.05)
    try:
        p.stdin.close()
    except OSError:
        pass
    try:
        p.wait(timeout=3)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    rt.join(2)
    got = b''.join(out_chunks)
    err = text(p.stderr.read())
    srv.close()
    seen = nonce.encode() in got
    m = re.search(r'open failed: ([a-z ]+?)(?::|$)', err, re.M)
    reason_text = m.group(1).strip() if m else None
    reason = OPEN_FAILURE_REASONS.get(reason_text) if reason_text else None
    desc = re.search(r'open failed: [a-z ]+?: (.*)$', err, re.M)
    res = {
        'target': f'127.0.0.1:{port}',
        'listenerSawConnection': bool(accepted),
        'nonceSeen': seen,
        'openFailureReason': reason,
        'openFailureText': reason_text,
        'openFailureDescription': desc.group(1).strip() if desc else None,
        'seconds': round(time.monotonic() - t0, 2),
    }
    if seen:
        res['verdict'], res['detail'] = 'allowed', 'direct-tcpip reached our listener and its nonce came back'
    elif reason == 1:
        res['verdict'], res['detail'] = 'refused', 'direct-tcpip refused: administratively prohibited (1)'
    elif reason == 3:
        res['verdict'], res['detail'] = 'refused', 'direct-tcpip unknown to the server (3): no forwarding at all'
    elif reason == 2:
        # our listener was up: the server tried and failed — forwarding is permitted
        res['verdict'], res['detail'] = 'allowed', 'direct-tcpip permitted but the connection failed (2)'
    elif not authenticated(err):
        res['verdict'], res['detail'] = 'inconclusive', f'no login ({last_lines(err)})'
    else:
        res['verdict'], res['detail'] = 'inconclusive', f'no answer that decides ({last_lines(err)})'
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--host', required=True)
    ap.add_argument('--port', type=int, required=True)
    ap.add_argument('--user', required=True)
    ap.add_argument('--password-file')
    ap.add_argument('--identity')
    ap.add_argument('--timeout', type=int, default=8)
    ap.add_argument('--no-login', action='store_true', help='only the unauthenticated facts')
    a = ap.parse_args()
    if not ipaddress.ip_address(a.host).is_loopback:
        sys.exit('the oracle only talks to loopback addresses')
    for tool in ('ssh', 'sftp', 'ssh-keyscan', 'ssh-keygen') + (() if a.identity or a.no_login else ('sshpass',)):
        if not shutil.which(tool):
            sys.exit(f'{tool} not found (apt-get install openssh-client sshpass)')
    t = Target(a)
    t0 = time.monotonic()
    res = {'host': a.host, 'port': a.port, 'user': a.user, 'auth': 'publickey' if a.identity else 'password'}
    res.update(probe_kexinit(t))
    kex = (res.get('kexinit') or {}).get('kex') or []
    res['gex'] = probe_gex(t, kex)
    res['hostKeys'], res['hostKeyErrors'] = probe_hostkeys(t)
    if not a.no_login:
        res['sftp'] = probe_sftp(t)
        res['exec'] = probe_exec(t)
        res['shell'] = probe_shell(t)
        res['forwarding'] = probe_forwarding(t)
    res['seconds'] = round(time.monotonic() - t0, 2)
    json.dump(res, sys.stdout, indent=1)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
