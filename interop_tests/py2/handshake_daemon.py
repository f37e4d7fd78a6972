"""Real Pyro 3.16 daemon for the handshake interop tests.

usage: handshake_daemon.py LIFETIME [IDENT ...]

Starts a multithreaded Daemon on 127.0.0.1 and an OS-chosen port, allows only
the given identifications if any, serves one object and prints
"READY <port> <object id>". Methods: ping() -> 42, length(s) -> len(s).
Exits after LIFETIME seconds.
"""
import sys
import time

import Pyro.core


class Target(Pyro.core.ObjBase):
    def ping(self):
        return 42

    def length(self, s):
        return len(s)


def main():
    deadline = time.time() + float(sys.argv[1])
    idents = sys.argv[2:]
    Pyro.core.initServer(banner=0)
    daemon = Pyro.core.Daemon(host='127.0.0.1', port=0, norange=1)
    if idents:
        daemon.setAllowedIdentifications(idents)
    uri = daemon.connect(Target(), 'target')
    print 'READY %d %s' % (daemon.port, uri.objectID)
    sys.stdout.flush()
    try:
        daemon.requestLoop(condition=lambda: time.time() < deadline, timeout=0.2)
    finally:
        daemon.shutdown()


if __name__ == '__main__':
    main()
