"""Locates the Name Server with NameServerLocator using only the
configuration (PYRO_NS_* environment: broadcast unless PYRO_NS_HOSTNAME),
pings it and prints its URI; or sends a system command.

usage: ns_locate.py [location|shutdown]
"""
import sys

import Pyro.core
import Pyro.naming

Pyro.core.initClient(banner=0)
cmd = sys.argv[1] if len(sys.argv) > 1 else 'location'
loc = Pyro.naming.NameServerLocator()
if cmd == 'location':
    ns = loc.getNS()
    ns.ping()
    print 'FOUND', ns.URI
else:
    print 'RESULT', loc.sendSysCommand(cmd)
