"""Uses one Pyro object through Pyro 3.16's attribute proxy
(Pyro.core.getAttrProxyForURI, a DynamicProxyWithAttrs) and prints what each
operation gives, one line per operation, so that the answers of a Go and a
Python server can be compared.

usage: attr_probe.py URI OP...
  call:NAME[|ARG...] proxy.NAME(ARG, ...), the arguments as strings
  get:NAME           proxy.NAME
  set:NAME=INT       proxy.NAME = INT
  ha:NAME            the raw hasattr request, proxy._r_ga(NAME) (1 method, 2 other)
  ga:NAME            the raw getattr request, proxy._r_ga(NAME, 1), also for a method

Each line is "OP -> repr(result)" (a dict's items ordered by value) or
"OP !! Class: message". A fresh proxy
serves each operation, so no answer comes from the proxy's attribute cache.
"""
import sys

import Pyro.core

Pyro.core.initClient(banner=0)
uri = sys.argv[1]


def run(op):
    kind, _, rest = op.partition(':')
    p = Pyro.core.getAttrProxyForURI(uri)
    if kind == 'call':
        args = rest.split('|')
        return getattr(p, args[0])(*args[1:])
    if kind == 'get':
        return getattr(p, rest)
    if kind == 'set':
        name, _, value = rest.partition('=')
        setattr(p, name, int(value))
        return None
    if kind == 'ha':
        return p._r_ga(rest)
    if kind == 'ga':
        return p._r_ga(rest, 1)
    raise ValueError('unknown operation ' + op)


for op in sys.argv[2:]:
    try:
        res = run(op)
    except Exception, x:
        print op, '!!', '%s: %s' % (x.__class__.__name__, x)
        continue
    if isinstance(res, dict):
        res = '{%s}' % ', '.join('%r: %r' % kv for kv in sorted(res.items(), key=lambda kv: kv[1]))
    else:
        res = repr(res)
    print op, '->', res
sys.stdout.flush()
