"""A Pyro5 5.17 client of the daemon behaviour of goprogs/coreserver -pyro5
(and of py5/daemon_server.py, the Python daemon it is compared with).

Usage: daemon_client.py SCENARIO HOST:PORT [ARG]. Prints one line per step:
"name -> repr(result)" or "name !! Class: text"."""
import sys

import Pyro5.api
import Pyro5.errors


def step(name, fn):
    try:
        r = fn()
    except Exception as x:
        print("%s !! %s.%s: %s" % (name, type(x).__module__, type(x).__name__, x))
        return x
    print("%s -> %r" % (name, r))
    return r


def proxy(loc, obj):
    p = Pyro5.api.Proxy("PYRO:%s@%s" % (obj, loc))
    p._pyroTimeout = 10
    return p


def instances(loc):
    """Two proxies (two connections) per instance mode, calling in turn,
    and a batch of two calls; then the first proxy reconnects."""
    for mode in ("single", "session", "percall"):
        a, b = proxy(loc, "test." + mode), proxy(loc, "test." + mode)
        seen = [a.which(), a.which(), b.which(), a.which(), b.which()]
        batch = Pyro5.api.BatchProxy(b)
        batch.which()
        batch.which()
        seen.append(tuple(batch()))
        a._pyroRelease()
        seen.append(a.which())
        print("%s -> %r" % (mode, seen))
        a._pyroRelease()
        b._pyroRelease()


class HandshakeProxy(Pyro5.api.Proxy):
    def _pyroValidateHandshake(self, response):
        print("response -> %r" % (response,))


def handshake(loc, token):
    for name, data in (("good", token), ("bad", "wrong " + token)):
        p = HandshakeProxy("PYRO:test.session@" + loc)
        p._pyroTimeout = 10
        p._pyroHandshake = data
        step(name, lambda: p.which())
        p._pyroRelease()


def unknown(loc):
    p = proxy(loc, "no.such.object")
    step("unknown", p._pyroBind)


SCENARIOS = dict(instances=instances, handshake=handshake, unknown=unknown)

if __name__ == "__main__":
    SCENARIOS[sys.argv[1]](*sys.argv[2:])
    sys.stdout.flush()
