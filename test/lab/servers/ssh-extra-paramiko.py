#!/usr/bin/python3
# Scripted SSH/SFTP servers on paramiko (Debian's python3-paramiko, run with /usr/bin/python3) for
# channel behaviours that no packaged server shows on demand (see ssh-extra.sh for the endpoints):
#   one session channel per connection, an exec that exits 0 without running the command, a
# connection aborted when a channel opens right after another closed (as dropbear 2022.x can),
# and direct-tcpip allowed / refused by policy / unknown.
# Commands, shells and the SFTP subsystem (OpenSSH's sftp-server) run for real as the system
# account (xfsuser, xfssftp): the lab's passwords are checked against the run dir's files.
#
#   ssh-extra-paramiko.py CONFIG.json
# CONFIG: {"moduli": file, "users": {"name": "password file"}, "listeners": [{"name", "host",
#   "port", "hostkeys": [files], "disabled_algorithms": {...}, "behaviour": {...}}]}
# behaviour: sessions_per_connection (0 = unlimited), exec/shell: run|fake0|deny,
#   forward: allow|deny|unknown, abort_after_close: seconds (0 = off),
#   gex: no-moduli (paramiko's default: group exchange offered, the connection dropped when used).
import json
import logging
import os
import pwd
import socket
import subprocess
import sys
import threading
import time

import paramiko

SFTP_SERVER = '/usr/lib/openssh/sftp-server'
# OPEN_FAILED_* reason codes (RFC 4254 5.1)
ADMIN_PROHIBITED = paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED  # 1
CONNECT_FAILED = paramiko.OPEN_FAILED_CONNECT_FAILED  # 2
UNKNOWN_TYPE = paramiko.OPEN_FAILED_UNKNOWN_CHANNEL_TYPE  # 3
RESOURCE_SHORTAGE = paramiko.OPEN_FAILED_RESOURCE_SHORTAGE  # 4
MODULI = None  # loaded in main() from the config's "moduli" file
CMD_TIMEOUT = 30  # seconds a command, shell or sftp-server may run
IDLE_TIMEOUT = 60  # seconds a connection may stay open


# A request's side effects (exit status, output, close) must follow our CHANNEL_SUCCESS on the
# wire, or a client reads the close first and calls the request refused. paramiko sends that reply
# in its transport thread right after check_channel_*_request returns: run the action after it.
_orig_handle_request = paramiko.Channel._handle_request


def _handle_request_then_act(self, m):
    _orig_handle_request(self, m)
    action = getattr(self, 'xfs_after_reply', None)
    if action is not None:
        self.xfs_after_reply = None
        threading.Thread(target=action, daemon=True).start()


# the transport dispatches channel messages through its class-level table, not the attribute
paramiko.Transport._channel_handler_table[paramiko.common.MSG_CHANNEL_REQUEST] = _handle_request_then_act


def log(name, msg):
    sys.stderr.write(f'{time.strftime("%H:%M:%S")} [{name}] {msg}\n')
    sys.stderr.flush()


def read_password(path):
    with open(path, encoding='utf-8') as f:
        return f.readline().strip()


def load_key(path):
    for cls in (paramiko.Ed25519Key, paramiko.ECDSAKey, paramiko.RSAKey):
        try:
            return cls.from_private_key_file(path)
        except Exception:  # noqa: BLE001 - try the next key class
            continue
    raise SystemExit(f'cannot load host key {path}')


def pump_process(name, channel, argv, user, on_end):
    """Runs argv as `user` with the channel as stdin/stdout/stderr; sends the exit status."""
    pw = pwd.getpwnam(user)
    env = {'HOME': pw.pw_dir, 'USER': user, 'LOGNAME': user, 'SHELL': '/bin/sh', 'PATH': '/usr/bin:/bin'}
    try:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=pw.pw_dir if os.path.isdir(pw.pw_dir) else '/',
            env=env,
            user=pw.pw_uid,
            group=pw.pw_gid,
            extra_groups=[],
            start_new_session=True,
        )
    except OSError as e:
        log(name, f'cannot start {argv}: {e}')
        channel.send_exit_status(127)
        channel.close()
        on_end()
        return

    def to_proc():
        try:
            while True:
                data = channel.recv(32768)
                if not data:
                    break
                proc.stdin.write(data)
                proc.stdin.flush()
        except (OSError, EOFError, ValueError):
            pass
        finally:
            try:
                proc.stdin.close()
            except OSError:
                pass

    def from_proc(stream, send):
        try:
            while True:
                data = stream.read1(32768)
                if not data:
                    break
                send(data)
        except (OSError, EOFError, ValueError):
            pass

    threads = [
        threading.Thread(target=to_proc, daemon=True),
        threading.Thread(target=from_proc, args=(proc.stdout, channel.sendall), daemon=True),
        threading.Thread(target=from_proc, args=(proc.stderr, channel.sendall_stderr), daemon=True),
    ]
    for t in threads:
        t.start()
    try:
        code = proc.wait(timeout=CMD_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        code = proc.wait()
    threads[1].join(2)
    threads[2].join(2)
    # Nothing more on a channel the client closed: paramiko would still send, and the client may
    # already have reused the channel number for its next channel.
    if not channel.closed:
        try:
            channel.send_exit_status(code if code >= 0 else 128 - code)
            channel.shutdown_write()
            channel.close()
        except (OSError, EOFError):
            pass
    on_end()


def pump_socket(name, channel, sock):
    """direct-tcpip: copies bytes both ways until either side closes."""

    def a_to_b(src_recv, dst_send, on_done):
        try:
            while True:
                data = src_recv(32768)
                if not data:
                    break
                dst_send(data)
        except (OSError, EOFError):
            pass
        on_done()

    def close_all():
        for c in (channel, sock):
            try:
                c.close()
            except OSError:
                pass

    sock.settimeout(CMD_TIMEOUT)
    threading.Thread(target=a_to_b, args=(channel.recv, sock.sendall, close_all), daemon=True).start()
    threading.Thread(target=a_to_b, args=(sock.recv, channel.sendall, close_all), daemon=True).start()


class Server(paramiko.ServerInterface):
    def __init__(self, listener, users, transport):
        self.b = listener['behaviour']
        self.name = listener['name']
        self.users = users
        self.transport = transport
        self.user = None
        self.sessions = 0
        self.last_close = 0.0  # when one of our commands on this connection last ended
        self.closed_at = {}  # chanid -> when the client's EOF/close was first seen
        self.channels = []
        self.held = []  # strong references to every channel of this connection
        self.lock = threading.Lock()
        self.forward_sockets = {}

    # -- authentication
    def get_allowed_auths(self, username):
        return 'password'

    def check_auth_password(self, username, password):
        want = self.users.get(username)
        if want is not None and password == want:
            self.user = username
            log(self.name, f'password auth ok for {username}')
            return paramiko.AUTH_SUCCESSFUL
        return paramiko.AUTH_FAILED

    # -- channels
    def stamp_closed(self):
        """Notes when each channel was first seen closed or half-closed (EOF) by the client."""
        now = time.monotonic()
        with self.lock:
            for ch in self.held + self.channels:
                if (ch.closed or ch.eof_received) and ch.chanid not in self.closed_at:
                    self.closed_at[ch.chanid] = now

    def _recently_closed(self):
        """The dropbear-2022-like abort: a channel of this connection closed a moment ago."""
        window = self.b.get('abort_after_close', 0)
        if not window:
            return False
        self.stamp_closed()
        now = time.monotonic()
        with self.lock:
            last = max([self.last_close, *self.closed_at.values()])
        return last > 0 and now - last < window

    def _abort(self, why):
        log(self.name, f'aborting the connection: {why}')
        # no DISCONNECT: the process "crashes" (the socket just closes)
        try:
            self.transport.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.transport.sock.close()

    def check_channel_request(self, kind, chanid):
        if self._recently_closed():
            # the connection dies before any answer to this CHANNEL_OPEN goes out
            self._abort(f'{kind} channel opened right after another closed')
            return RESOURCE_SHORTAGE
        if kind == 'session':
            limit = self.b.get('sessions_per_connection', 0)
            with self.lock:
                if limit and self.sessions >= limit:
                    log(self.name, f'refusing session channel #{self.sessions + 1} (limit {limit})')
                    return ADMIN_PROHIBITED
                self.sessions += 1
            return paramiko.OPEN_SUCCEEDED
        if kind == 'direct-tcpip':
            return paramiko.OPEN_SUCCEEDED  # decided in check_channel_direct_tcpip_request
        return UNKNOWN_TYPE

    def check_channel_direct_tcpip_request(self, chanid, origin, destination):
        mode = self.b.get('forward', 'deny')
        if mode == 'unknown':
            return UNKNOWN_TYPE
        if mode != 'allow':
            log(self.name, f'direct-tcpip to {destination} refused by policy')
            return ADMIN_PROHIBITED
        host, port = destination
        if host not in ('127.0.0.1', 'localhost', '::1'):
            return ADMIN_PROHIBITED  # the lab stays on loopback
        try:
            s = socket.create_connection((host, port), timeout=5)
        except OSError as e:
            log(self.name, f'direct-tcpip to {destination} failed: {e}')
            return CONNECT_FAILED
        self.forward_sockets[chanid] = s
        log(self.name, f'direct-tcpip to {destination} connected')
        return paramiko.OPEN_SUCCEEDED

    def hold(self, channel):
        with self.lock:
            self.held.append(channel)

    def _track(self, channel):
        with self.lock:
            self.channels.append(channel)

    def _ended(self):
        with self.lock:
            self.last_close = time.monotonic()

    def _start(self, channel, argv):
        channel.xfs_after_reply = lambda: pump_process(self.name, channel, argv, self.user, self._ended)

    def _fake0(self, channel, what):
        def run():
            log(self.name, f'{what}: exit 0 without running anything')
            try:
                channel.send_exit_status(0)
                channel.shutdown_write()
                channel.close()
            except (OSError, EOFError):
                pass
            self._ended()

        channel.xfs_after_reply = run

    def check_channel_exec_request(self, channel, command):
        self._track(channel)
        cmd = command.decode('utf-8', 'replace')
        mode = self.b.get('exec', 'run')
        log(self.name, f'exec {cmd!r}: {mode}')
        if mode == 'deny':
            return False
        if mode == 'fake0':
            self._fake0(channel, f'exec {cmd!r}')
            return True
        self._start(channel, ['/bin/sh', '-c', cmd])
        return True

    def check_channel_shell_request(self, channel):
        self._track(channel)
        mode = self.b.get('shell', 'run')
        log(self.name, f'shell: {mode}')
        if mode == 'deny':
            return False
        if mode == 'fake0':
            self._fake0(channel, 'shell')
            return True
        self._start(channel, ['/bin/sh'])
        return True

    def check_channel_subsystem_request(self, channel, name):
        self._track(channel)
        log(self.name, f'subsystem {name}')
        if name != 'sftp':
            return False
        self._start(channel, [SFTP_SERVER])
        return True

    def check_channel_pty_request(self, channel, term, width, height, pixelwidth, pixelheight, modes):
        return False

    def check_channel_env_request(self, channel, name, value):
        return False


def handle(conn, addr, listener, keys, users):
    name = listener['name']
    conn.settimeout(IDLE_TIMEOUT)
    t = paramiko.Transport(conn, disabled_algorithms=listener.get('disabled_algorithms') or None)
    if MODULI is not None and listener['behaviour'].get('gex') != 'no-moduli':
        # per transport: paramiko keeps the table on the class, and without one it still offers
        # group exchange but drops the connection when a client asks for it (gex: no-moduli)
        t._modulus_pack = MODULI
    t.local_version = listener.get('version', 'SSH-2.0-paramiko_2.12.0_xferscan_lab')
    for k in keys:
        t.add_server_key(k)
    server = Server(listener, users, t)
    try:
        t.start_server(server=server)
    except (paramiko.SSHException, EOFError, OSError) as e:
        log(name, f'{addr[0]}:{addr[1]} handshake ended: {e}')
        t.close()
        return
    deadline = time.monotonic() + IDLE_TIMEOUT
    while t.is_active() and time.monotonic() < deadline:
        ch = t.accept(0.05)
        server.stamp_closed()
        if ch is None:
            continue
        # paramiko maps channels weakly and a Channel closes itself when collected: hold every
        # channel of the connection, or one may vanish between its open and its first request
        server.hold(ch)
        s = server.forward_sockets.pop(ch.chanid, None)
        if s is not None:
            pump_socket(name, ch, s)
    t.close()


def serve(listener, users):
    keys = [load_key(p) for p in listener['hostkeys']]
    family = socket.AF_INET6 if ':' in listener['host'] else socket.AF_INET
    srv = socket.socket(family, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((listener['host'], listener['port']))
    srv.listen(64)
    log(listener['name'], f'listening on {listener["host"]}:{listener["port"]}')

    def loop():
        while True:
            conn, addr = srv.accept()
            threading.Thread(target=handle, args=(conn, addr, listener, keys, users), daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()


def main():
    # paramiko logs a traceback for every port probe that sends no banner: keep our own lines only
    logging.getLogger('paramiko').setLevel(logging.CRITICAL)
    with open(sys.argv[1], encoding='utf-8') as f:
        cfg = json.load(f)
    global MODULI
    if cfg.get('moduli'):
        MODULI = paramiko.primes.ModulusPack()
        MODULI.read_file(cfg['moduli'])
    users = {u: read_password(p) for u, p in cfg['users'].items()}
    for listener in cfg['listeners']:
        serve(listener, users)
    while True:
        time.sleep(3600)


if __name__ == '__main__':
    main()
