"""A Pyro server that registers an object with the Name Server (found by
host/port or, without arguments, by the configuration / broadcast), prints
READY and serves until killed.

usage: ns_server.py name [nshost nsport]
"""
import sys

import Pyro.core
import Pyro.naming


class Echo(Pyro.core.ObjBase):
    def echo(self, x):
        return x


Pyro.core.initServer(banner=0)
name = sys.argv[1]
if len(sys.argv) > 3:
    ns = Pyro.naming.NameServerLocator().getNS(host=sys.argv[2], port=int(sys.argv[3]))
else:
    ns = Pyro.naming.NameServerLocator().getNS()
daemon = Pyro.core.Daemon(host='127.0.0.1', port=0)
daemon.useNameServer(ns)
try:
    ns.unregister(name)
except Pyro.errors.NamingError:
    pass
uri = daemon.connect(Echo(), name)
print 'READY', uri
sys.stdout.flush()
daemon.requestLoop()
