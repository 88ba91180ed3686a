#!/usr/bin/python3
"""A minimal inetd for the lab: serve one TCP port with an inetd-style ("nowait") server.

    inetd.py HOST PORT PROGRAM [ARG...]

Each accepted connection becomes the program's stdin and stdout (as inetd does), so classic FTP
daemons that have no listen-port option (GNU inetutils ftpd, netkit ftpd-ssl) run on a lab port.
Standard error goes to this process's standard error (the lab log).
"""
import os
import signal
import socket
import sys


def main() -> None:
    if len(sys.argv) < 4:
        sys.exit("usage: inetd.py HOST PORT PROGRAM [ARG...]")
    host, port, argv = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    srv = socket.socket(family, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        srv.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    srv.bind((host, port))
    srv.listen(64)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    sys.stderr.write(f"inetd.py: {' '.join(argv)} on {host}:{port} (pid {os.getpid()})\n")
    sys.stderr.flush()
    while True:
        try:
            conn, _ = srv.accept()
        except InterruptedError:
            continue
        pid = os.fork()
        if pid == 0:
            try:
                srv.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                os.dup2(conn.fileno(), 0)
                os.dup2(conn.fileno(), 1)
                conn.close()
                os.execv(argv[0], argv)
            finally:
                os._exit(127)
        conn.close()


if __name__ == "__main__":
    main()
