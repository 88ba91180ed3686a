#!/usr/bin/env python3
"""Independent oracle for the source port of an FTP server's active-mode data connection.

Python's ftplib (not xferscan) logs in over explicit FTPS, asks for an active LIST and prints
the source port of the connection the server made to its listener. The TLS handshake on the
data connection may fail afterwards (ftplib never resumes the session, which vsftpd requires):
the port was seen at accept(), before any TLS. The password comes from the environment.
Usage: ftp_active_source.py HOST PORT USER  (env FTP_ORACLE_PW)
"""
import ftplib
import os
import ssl
import sys

seen = []


class Recorder:
    """Wraps ftplib's listening socket to record who connected."""

    def __init__(self, sock):
        self.sock = sock

    def accept(self):
        conn, addr = self.sock.accept()
        seen.append(addr[1])
        return conn, addr

    def __getattr__(self, name):
        return getattr(self.sock, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.sock.close()


class Client(ftplib.FTP_TLS):
    def makeport(self):
        return Recorder(super().makeport())


def main():
    host, port, user = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    ctx = ssl._create_unverified_context()
    ftp = Client(context=ctx, timeout=10)
    ftp.connect(host, port)
    ftp.login(user, os.environ["FTP_ORACLE_PW"])
    ftp.prot_p()
    ftp.set_pasv(False)
    try:
        ftp.retrlines("LIST", lambda line: None)
    except (ftplib.Error, ssl.SSLError, OSError):
        pass  # the data TLS may fail; the connection's source port is already known
    try:
        ftp.quit()
    except (ftplib.Error, OSError, EOFError):
        pass  # vsftpd ends the session after a refused data connection
    print(seen[0] if seen else "none")


if __name__ == "__main__":
    main()
