"""The real clients of scripts/attack.py: Python 2.7 with Pyro 3.16, used
the way Pyro programs use it, beside the attackers.

usage: attack_client.py echo|ns|es URI [TIMEOUT]
       attack_client.py sub URI SUBJECT...

echo, ns, es: call in a loop until stdin is closed, each call on a fresh
connection, as a new client would make it: echo(i) through a
DynamicProxy; resolve(':Pyro.NameServer') through a NameServerProxy;
publish('client', i) as Pyro's Publisher does it (a fresh proxy per
publish). Each call has a socket timeout of TIMEOUT seconds (default 10).
One line per call:
    CALL <start> <seconds> ok
    CALL <start> <seconds> fail <exception class>: <text>
sub: a Subscriber of the SUBJECTs (Pyro.EventService.Clients) that prints
READY once subscribed and EVENT <time> <subject> for every event, without
the message
itself (an attacker's message can be a tuple of 2**40 shared leaves, whose
repr would never end).
"""
import os
import sys
import threading
import time

import Pyro.core
import Pyro.naming
from Pyro.EventService.Clients import Subscriber

Pyro.core.initClient(banner=0)


class NSProxy(Pyro.naming.NameServerProxy):
    """Pyro's NameServerProxy without its retry through a new name server
    search: that search may broadcast, and this suite stays on loopback."""

    def _NameServerProxy__remoteinvoc(self, *args):
        if not self.adapter.connected():
            self.adapter.bindToURI(self.URI)
        return self.adapter.remoteInvocation(*args)


def call_echo(uri, i, timeout):
    p = Pyro.core.getProxyForURI(uri)
    p._setTimeout(timeout)
    try:
        got = p.echo(i)
    finally:
        p._release()
    if got != i:
        raise ValueError('echo(%d) returned %r' % (i, got))


def call_ns(uri, i, timeout):
    ns = NSProxy(Pyro.core.PyroURI(uri), noconnect=1)
    ns.adapter.setTimeout(timeout)
    try:
        got = ns.resolve(':Pyro.NameServer')
    finally:
        ns._release()
    if not isinstance(got, Pyro.core.PyroURI):
        raise ValueError('resolve returned %r' % (got,))


def call_es(uri, i, timeout):
    es = Pyro.core.getProxyForURI(uri)
    es._setTimeout(timeout)
    try:
        es.publish('client', i)
    finally:
        es._release()


CALLS = {'echo': call_echo, 'ns': call_ns, 'es': call_es}


def loop(kind, uri, timeout):
    stop = threading.Event()

    def watch():
        sys.stdin.read()
        stop.set()

    t = threading.Thread(target=watch)
    t.daemon = True
    t.start()
    call = CALLS[kind]
    i = 0
    while not stop.is_set():
        i += 1
        start = time.time()
        try:
            call(uri, i, timeout)
            outcome = 'ok'
        except Exception as x:
            outcome = 'fail %s: %s' % (x.__class__.__name__, ' '.join(str(x).split())[:200])
        sys.stdout.write('CALL %.6f %.6f %s\n' % (start, time.time() - start, outcome))
        sys.stdout.flush()
        stop.wait(0.05)


class Counter(Subscriber):
    def event(self, event):
        sys.stdout.write('EVENT %.6f %s\n' % (time.time(), event.subject))
        sys.stdout.flush()


def subscribe(uri, subjects):
    s = Counter(esURI=uri)
    s.subscribe(subjects)
    sys.stdout.write('READY\n')
    sys.stdout.flush()
    s.listen()


def main(argv):
    if argv[0] == 'sub':
        subscribe(argv[1], argv[2:])
    else:
        loop(argv[0], argv[1], float(argv[2]) if len(argv) > 2 else 10.0)


if __name__ == '__main__':
    main(sys.argv[1:])
    os._exit(0)
