"""Calls echo() on PYRONAME://host:port/name, and on PYRONAME://name (the
NS found through the configuration or broadcast).

usage: ns_pyroname_client.py name [nshost nsport]
"""
import sys

import Pyro.core

Pyro.core.initClient(banner=0)
name = sys.argv[1]
if len(sys.argv) > 3:
    uri = 'PYRONAME://%s:%s/%s' % (sys.argv[2], sys.argv[3], name)
else:
    uri = 'PYRONAME://' + name
print Pyro.core.getProxyForURI(uri).echo('hello ' + name)
