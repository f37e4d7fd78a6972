"""Prints the URI of the Name Server at host:port and then every name it
has, one per line.

usage: ns_flatlist.py host port
"""
import sys

import Pyro.core
import Pyro.naming

Pyro.core.initClient(banner=0)
ns = Pyro.naming.NameServerLocator().getNS(host=sys.argv[1], port=int(sys.argv[2]))
print 'NS', ns.URI
for name, uri in sorted(ns.flatlist()):
    print name, uri
