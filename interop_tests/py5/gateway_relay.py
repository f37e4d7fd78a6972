"""A Pyro5 server for the chain Pyro 3 client -> gateway -> Pyro 5 ->
gateway -> Pyro 3: "gw.relay" calls an object it looks up in the Pyro 5
name server (PYRO_NS_HOST, PYRO_NS_PORT), a Pyro 3 one through the gateway.
"""
from Pyro5.api import Proxy, expose, serve


@expose
class Relay(object):
    def call(self, name, method, *args):
        with Proxy("PYRONAME:" + name) as p:
            return getattr(p, method)(*args)

    def types(self, *args):
        return [type(a).__name__ for a in args]


serve({Relay: "gw.relay"}, use_ns=True, verbose=True)
