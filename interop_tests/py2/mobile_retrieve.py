"""Asks a Pyro object for a module's code the way a mobile-code client does
(remote_retrieve_code, flags 0) and prints what comes back.

usage: mobile_retrieve.py URI MODULE
prints "CODE <first line of the code>" or "ERROR <class>: <args>".
"""
import sys

import Pyro.core
import Pyro.errors

Pyro.core.initClient(banner=0)
proxy = Pyro.core.getProxyForURI(sys.argv[1])
try:
    proxy.adapter.bindToURI(proxy.URI)
    code = proxy.adapter.remoteInvocation("remote_retrieve_code", 0, sys.argv[2])
    print "CODE", code.strip().split("\n")[0]
except Pyro.errors.PyroError, x:
    print "ERROR %s: %r" % (x.__class__.__name__, x.args)
