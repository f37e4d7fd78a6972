"""Name Server load generator for scripts/bench_ns.sh (runs under Python 2.7
with Pyro 3.16).

usage: bench_ns_client.py host port resolve|regunreg SECONDS ID
       bench_ns_client.py host port fill FIRST COUNT
Prints the number of operations done (resolve: one resolve; regunreg: one
register + one unregister).
"""
import sys
import time

import Pyro.core
import Pyro.naming

Pyro.core.initClient(banner=0)
host, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ns = Pyro.naming.NameServerLocator().getNS(host=host, port=port)
URI = Pyro.core.PyroURI('PYRO://127.0.0.1:7766/0123456789abcdef0123456789abcdef')

if mode == 'fill':
    first, count = int(sys.argv[4]), int(sys.argv[5])
    try:
        ns.createGroup(':bench')
    except Pyro.errors.NamingError:
        pass
    # 1000 names per group: Pyro's NS checks for duplicates in a list of the
    # group's keys, so one huge group would make registering quadratic.
    for i in xrange(first, first + count):
        if i % 1000 == 0 or i == first:
            try:
                ns.createGroup(':bench.g%03d' % (i // 1000))
            except Pyro.errors.NamingError:
                pass
        ns.register(':bench.g%03d.n%06d' % (i // 1000, i), URI)
    print count
    sys.exit(0)

seconds, ident = float(sys.argv[4]), sys.argv[5]
n = 0
if mode == 'resolve':
    try:
        ns.createGroup(':bench')
    except Pyro.errors.NamingError:
        pass
    try:
        ns.register(':bench.resolve', URI)
    except Pyro.errors.NamingError:
        pass
    end = time.time() + seconds
    while time.time() < end:
        for _ in xrange(100):
            ns.resolve(':bench.resolve')
        n += 100
else:
    name = ':Default.regunreg' + ident
    end = time.time() + seconds
    while time.time() < end:
        for _ in xrange(20):
            ns.register(name, URI)
            ns.unregister(name)
        n += 20
print n
