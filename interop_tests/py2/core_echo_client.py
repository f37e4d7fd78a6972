"""Calls the echo server (Pyro.test.echoserver or pyro-echo) like Pyro's own test clients.

usage: core_echo_client.py <uri>
"""
import sys

import Pyro.core
import Pyro.util

Pyro.core.initClient(banner=0)
p = Pyro.core.getProxyForURI(sys.argv[1])
print repr(p.echo('hello'))
print repr(p.echo([1, (2, u'\xe9'), {'k': None}]))
try:
    p.error()
except ZeroDivisionError, e:
    print 'ZeroDivisionError', str(e)
