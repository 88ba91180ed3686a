#!/usr/bin/python3
"""Twisted's FTP server (Debian python3-twisted, twisted.protocols.ftp) as a lab endpoint.

    twisted_ftpd.py --host H --port P --pasv LOW-HIGH --root DIR --anon-root DIR
                    --user NAME --password-file F

Stock library behaviour only: plain FTP (Twisted's FTP server has no TLS), anonymous read-only
access (FTPAnonymousShell), PASV and PORT but no EPSV/EPRT, and PORT connects to whatever
address it names (Twisted does not refuse third-party addresses: FTP bounce is possible).
"""
import argparse
import sys

from twisted.cred import checkers, credentials, error, portal
from twisted.internet import defer, reactor
from twisted.protocols import ftp
from twisted.python import filepath, log
from zope.interface import implementer


def _text(v) -> str:
    return v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)


@implementer(checkers.ICredentialsChecker)
class OneUser:
    """One user name and password (Twisted's FTP hands them over as text or bytes)."""

    credentialInterfaces = (credentials.IUsernamePassword,)

    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user, password

    def requestAvatarId(self, c):  # noqa: N802 (Twisted's name)
        if _text(c.username) == self.user and _text(c.password) == self.password:
            return defer.succeed(self.user)
        return defer.fail(error.UnauthorizedLogin())


class Realm(ftp.BaseFTPRealm):
    def __init__(self, anon_root: str, user_root: str) -> None:
        super().__init__(anon_root)
        self.user_root = filepath.FilePath(user_root)

    def getHomeDirectory(self, avatarId):  # noqa: N802 (Twisted's name)
        return self.user_root


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pasv", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--anon-root", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password-file", required=True)
    a = ap.parse_args()
    with open(a.password_file, encoding="utf-8") as f:
        password = f.readline().strip()

    p = portal.Portal(Realm(a.anon_root, a.root), [checkers.AllowAnonymousAccess(), OneUser(a.user, password)])
    factory = ftp.FTPFactory(p)
    factory.allowAnonymous = True
    low, high = (int(x) for x in a.pasv.split("-"))
    factory.passivePortRange = range(low, high + 1)
    factory.timeOut = 120
    log.startLogging(sys.stdout)
    reactor.listenTCP(a.port, factory, interface=a.host)
    reactor.run()


if __name__ == "__main__":
    main()
