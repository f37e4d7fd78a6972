"""A Pyro5 5.17 daemon with the value methods of goprogs/coreserver's test
object (echo, pair, add, concat, kw), and fail(msg), which raises ValueError(msg), to compare a Go daemon's answers with.

Prints "URI <uri>" and serves until killed."""
import sys

import Pyro5.api


@Pyro5.api.expose
class Values:
    def echo(self, x):
        return x

    def pair(self, a):
        return a * 2, str(a)

    def add(self, a, b):
        return a + b

    def concat(self, a, b):
        return a + b

    def kw(self, a, *args, **kw):
        return [a, list(args), kw]

    def fail(self, msg):
        raise ValueError(msg)


daemon = Pyro5.api.Daemon(host="127.0.0.1", port=0)
print("URI", daemon.register(Values(), "values"))
sys.stdout.flush()
daemon.requestLoop()
