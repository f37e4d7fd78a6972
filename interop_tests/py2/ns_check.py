"""Checks names on the Name Server at host:port by resolving each one (not
by listing: Python's persistent NS caches directory listings): +name must
resolve, -name must not. Prints OK or the first name that is wrong.

usage: ns_check.py host port +name -name ...
"""
import sys

import Pyro.core
import Pyro.errors
import Pyro.naming

Pyro.core.initClient(banner=0)
ns = Pyro.naming.NameServerLocator().getNS(host=sys.argv[1], port=int(sys.argv[2]))
for arg in sys.argv[3:]:
    try:
        ns.resolve(arg[1:])
        found = True
    except Pyro.errors.NamingError:
        found = False
    if found != (arg[0] == '+'):
        print 'WRONG', arg
        sys.exit(0)
print 'OK'
