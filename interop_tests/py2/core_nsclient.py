"""Resolve a name in a Pyro name server and call add(a, b) on it.

usage: core_nsclient.py <ns-port> <name> <a> <b>
Prints the result, or 'ERROR <class> <args>'.
"""
import sys

import Pyro.core
import Pyro.naming

Pyro.core.initClient(banner=0)
ns = Pyro.naming.NameServerLocator().getNS(host='127.0.0.1', port=int(sys.argv[1]))
try:
    uri = ns.resolve(sys.argv[2])
    p = Pyro.core.getProxyForURI('PYRONAME://127.0.0.1:%s/%s' % (sys.argv[1], sys.argv[2]))
    print p.add(int(sys.argv[3]), int(sys.argv[4])), uri
except Exception, e:
    print 'ERROR', e.__class__.__name__, e.args
