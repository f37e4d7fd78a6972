"""Runs NameServerProxy calls on the Name Server at host:port, e.g.
  ns_do.py 127.0.0.1 9090 register:a:PYRO://127.0.0.1:1/x createGroup::g setMeta::g:m unregister:a
Each argument is method:arg1:arg2 (URIs may contain ':' in the last arg).
"""
import sys

import Pyro.core
import Pyro.naming

Pyro.core.initClient(banner=0)
ns = Pyro.naming.NameServerLocator().getNS(host=sys.argv[1], port=int(sys.argv[2]))
for op in sys.argv[3:]:
    method, rest = op.split(':', 1)
    if method in ('register', 'setMeta'):
        name, arg = rest.split(':', 1) if not rest.startswith(':') else (':' + rest[1:].split(':', 1)[0], rest[1:].split(':', 1)[1])
        print method, name, getattr(ns, method)(name, arg)
    else:
        print method, rest, (getattr(ns, method)(rest) if rest else getattr(ns, method)())
