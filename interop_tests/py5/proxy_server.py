"""A Pyro5 5.17 daemon for the Go proxy's tests (test_pyro5_proxy.py):
the object "proxytest" with a plain method, a oneway one, a remote
attribute, a generator and a slow method.

Usage: proxy_server.py [PORT [NS_HOST:NS_PORT]]. PORT 0 (the default) is
any free port; with a name server location the object is also registered
there as "test.proxy" with the metadata {"group:proxy", "kind:test"}.
Prints "URI <uri>" and serves until killed."""
import sys
import threading
import time

import Pyro5.api


@Pyro5.api.expose
class ProxyTest:
    def __init__(self):
        self._value = 1
        self._log = []
        self._release = threading.Event()

    def add(self, a, b):
        return a + b

    def echo(self, x):
        return x

    def kinds(self, *args):
        """The Python types the arguments arrived as."""
        return [type(a).__name__ for a in args]

    def fail(self, msg):
        raise ValueError(msg)

    @Pyro5.api.oneway
    def record(self, x):
        # blocks a caller that would wait for a result (one that does not
        # send it oneway) until release()
        self._release.wait(10)
        self._log.append(x)

    def release(self):
        self._release.set()

    def recorded(self):
        return self._log

    def slow(self, seconds):
        time.sleep(seconds)
        return "slept"

    def count(self, n):
        for i in range(n):
            yield i

    def open_streams(self):
        return len(self._pyroDaemon.streaming_responses)

    @property
    def value(self):
        return self._value

    @value.setter
    def value(self, v):
        self._value = v


port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
daemon = Pyro5.api.Daemon(host="127.0.0.1", port=port)
uri = daemon.register(ProxyTest(), "proxytest")
if len(sys.argv) > 2:
    host, ns_port = sys.argv[2].rsplit(":", 1)
    with Pyro5.api.locate_ns(host, int(ns_port)) as ns:
        ns.register("test.proxy", uri, metadata={"group:proxy", "kind:test"})
print("URI", uri)
sys.stdout.flush()
daemon.requestLoop()
