"""Registers :Default.<prefix><i> for i = 0, 1, ... on the Name Server at
host:port, printing "ACK <name>" after each registration returns, until an
error (such as the NS being killed) ends it.

usage: ns_register_loop.py host port prefix
"""
import sys

import Pyro.core
import Pyro.naming

Pyro.core.initClient(banner=0)
host, port, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ns = Pyro.naming.NameServerLocator().getNS(host=host, port=port)
i = 0
while True:
    name = '%s%d' % (prefix, i)
    try:
        ns.register(name, 'PYRO://127.0.0.1:7766/%032x' % i)
    except Exception, x:
        print 'STOP', x.__class__.__name__
        break
    print 'ACK', name
    sys.stdout.flush()
    i += 1
