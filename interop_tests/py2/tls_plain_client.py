"""A plain (PYROLOC://, no SSL) Pyro 3.16 client for the PYROSSL interop
tests: calls passSecretMessage on PYROLOC://127.0.0.1:<port>/ssl and prints
the result, or the class and text of the Pyro error it gets.

usage: tls_plain_client.py PORT
"""
import sys

import Pyro.core
import Pyro.errors

Pyro.core.initClient(banner=0)
proxy = Pyro.core.getProxyForURI("PYROLOC://127.0.0.1:%d/ssl" % int(sys.argv[1]))
try:
    result = proxy.passSecretMessage("plain")
    print "RESULT", result
except Pyro.errors.PyroError, x:
    print "ERROR %s: %s" % (x.__class__.__name__, x)
