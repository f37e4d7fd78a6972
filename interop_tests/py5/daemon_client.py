"""A Pyro5 5.17 client of the daemon behaviour of goprogs/coreserver -pyro5
(and of py5/daemon_server.py, the Python daemon it is compared with).

Usage: daemon_client.py SCENARIO HOST:PORT [ARG]. Prints one line per step:
"name -> repr(result)" or "name !! Class: text"."""
import re
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


def dispatch(loc):
    """Names Pyro5's daemon refuses, attributes, and Pyro.Daemon's methods,
    called past the proxy's own checks where it has them."""
    p = proxy(loc, "test.session")
    p._pyroBind()
    step("methods", lambda: sorted(p._pyroMethods))
    step("attrs", lambda: sorted(p._pyroAttrs))
    for name, args in [("_secret", ()), ("__init__", ()), ("__class__", ()), ("_", ()), ("__len__", ()),
                       ("__getattr__", ("which",)), ("__getattr__", ("nosuch",)), ("__getattr__", ("_label",)),
                       ("__setattr__", ("which", 1)), ("__setattr__", ("nosuch", 1))]:
        step("call:%s:%s" % (name, ",".join(map(str, args))), lambda: p._pyroInvoke(name, args, {}))
    step("label", lambda: p.label)
    def setlabel():
        p.label = "named"
        return p.label
    step("setlabel", setlabel)
    d = proxy(loc, "Pyro.Daemon")
    step("registered", lambda: sorted(x for x in d.registered() if x.startswith(("Pyro.", "test."))))
    step("ping", d.ping)
    step("info", lambda: re.sub(r"bound on \S+, NAT None, \d+ objects registered. Servertype: .+$", "...", d.info()))
    step("meta", lambda: sorted((k, sorted(v)) for k, v in d.get_metadata("test.session").items()))
    step("meta_kw", lambda: sorted(d._pyroInvoke("get_metadata", (), {"objectId": "test.session"})["attrs"]))
    step("meta_missing", lambda: d._pyroInvoke("get_metadata", (), {}))
    step("meta_extra", lambda: d._pyroInvoke("get_metadata", ("a", "b"), {}))
    step("ping_arg", lambda: d._pyroInvoke("ping", (1,), {}))
    step("ping_kw", lambda: d._pyroInvoke("ping", (), {"x": 1}))
    step("private", lambda: d._pyroInvoke("_pyroDaemon", (), {}))
    step("unknown", lambda: d._pyroInvoke("nosuch", (), {}))


SCENARIOS = dict(dispatch=dispatch, instances=instances, handshake=handshake, unknown=unknown)

if __name__ == "__main__":
    SCENARIOS[sys.argv[1]](*sys.argv[2:])
    sys.stdout.flush()
