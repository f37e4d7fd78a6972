"""Real Pyro 3.16 client for the handshake interop tests.

usage: handshake_client.py PORT [IDENT] [ARG]

Calls method 'anything' (with ARG as its one argument if given) on
PYRO://127.0.0.1:PORT/anyid twice through one proxy, identifying with IDENT
if given (pass '' for none). Prints one line per call:
"RESULT <repr>" or "ERROR <exception class> <str(exception)>".
PYRO_COMPRESSION / PYRO_CHECKSUM come from the environment.
"""
import sys

import Pyro.core
import Pyro.errors


def main():
    port = int(sys.argv[1])
    ident = sys.argv[2] if len(sys.argv) > 2 else ''
    args = tuple(sys.argv[3:4])
    Pyro.core.initClient(banner=0)
    proxy = Pyro.core.getProxyForURI('PYRO://127.0.0.1:%d/anyid' % port)
    proxy._setTimeout(10)
    if ident:
        proxy._setIdentification(ident)
    for _ in range(2):
        try:
            print 'RESULT %r' % (proxy.anything(*args),)
        except Pyro.errors.PyroError, x:
            print 'ERROR %s %s' % (x.__class__.__name__, x)
        sys.stdout.flush()


if __name__ == '__main__':
    main()
