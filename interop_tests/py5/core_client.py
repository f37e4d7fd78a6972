"""A Pyro5 5.17 client of goprogs/coreserver's objects over Pyro 5.

Usage: core_client.py SCENARIO URI...  Prints one line per step: "name -> repr(result)"
or "name !! Class: text" for an exception, so the test compares lines.
"""
import sys
import time

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


def calls(uri):
    with Pyro5.api.Proxy(uri) as p:
        p._pyroTimeout = 10
        step("add", lambda: p.add(20, 22))
        step("concat", lambda: p.concat("grüß ", "€"))
        step("kw", lambda: p.kw(1, 2, 3, x=4))
        step("sum", lambda: p.sum(1.5, 2.5, 3))
        step("echo", lambda: p.echo([1, (2, 3), {"a": {4, 5}}, None, True, 2 ** 70, 1.25, b"\x00\xff"]))
        step("pair", lambda: p.pair(21))
        step("strings", lambda: p.strings()[0])
        step("counter", lambda: (p.counter(), p.counter()))
        step("metadata", lambda: sorted(m for m in p._pyroMethods if not m[0].isupper())[:6])
        step("missing", lambda: p.nosuchmethod())


VALUES = [("int", 42), ("big", 2 ** 70), ("float", 1.25), ("str", "grüß € 😀"), ("none", None),
          ("bool", True), ("tuple", (2, 3)), ("list", [1, [2]]), ("dict", {"a": 1, "b": [2]}),
          ("set", {4, 5}), ("bytes", b"\x00\xff"), ("nested", [1, (2, 3), {"a": {4, 5}}, None])]


def values(uri):
    """echo each value, and pair/kw: the answers to compare between daemons."""
    with Pyro5.api.Proxy(uri) as p:
        p._pyroTimeout = 10
        for name, v in VALUES:
            step("echo_" + name, lambda: p.echo(v))
        step("pair", lambda: p.pair(21))
        step("kw", lambda: p.kw(1, 2, 3, x=4))


def exceptions(uri):
    with Pyro5.api.Proxy(uri) as p:
        p._pyroTimeout = 10
        for name, fn in [("value", lambda: p.raise_value("x")), ("naming", p.naming),
                         ("goerror", p.go_error), ("panic", p.panic), ("args", lambda: p.add(1))]:
            x = step(name, fn)
            tb = "".join(Pyro5.errors.get_pyro_traceback(type(x), x, x.__traceback__))
            print("%s_tb -> %s" % (name, "Remote traceback:" in tb))
        step("after", lambda: p.add(1, 2))


def attrs(uri):
    with Pyro5.api.Proxy(uri) as p:
        p._pyroTimeout = 10
        p._pyroBind()
        print("attrs %r" % sorted(p._pyroAttrs))
        step("get", lambda: (p.Value, p.Label))
        def setit():
            p.Value = 7
            return p.Value
        step("set", setit)
        step("double", lambda: p.double())


def oneway_batch(uri):
    with Pyro5.api.Proxy(uri) as p:
        p._pyroTimeout = 10
        p._pyroBind()
        p._pyroOneway.add("record")
        for i in range(5):
            p.record(i)
        deadline = time.time() + 10
        while len(p.recorded()) < 5 and time.time() < deadline:
            time.sleep(0.05)
        step("recorded", p.recorded)
        b = Pyro5.api.BatchProxy(p)
        b.record(10)
        b.recorded()
        b.tick()
        b.count()
        step("batch", lambda: list(b()))
        b = Pyro5.api.BatchProxy(p)
        b.count()
        b.nosuch_on_server()
        b.count()
        def failing():
            return list(b())
        step("batch_error", failing)


def daemon(uri):
    with Pyro5.api.Proxy(uri) as p:
        p._pyroTimeout = 10
        step("ping", p.ping)
        step("registered", lambda: sorted(p.registered())[0])
        step("info", lambda: p.info().split(" bound on ")[0])
        step("meta", lambda: sorted(p.get_metadata("Pyro.Daemon")["methods"]))
        step("meta_unknown", lambda: p.get_metadata("nope"))
    with Pyro5.api.Proxy(uri.replace("Pyro.Daemon", "nope")) as p:
        p._pyroTimeout = 10
        step("connect_unknown", p._pyroBind)


SCENARIOS = dict(values=values, calls=calls, exceptions=exceptions, attrs=attrs, oneway_batch=oneway_batch, daemon=daemon)

if __name__ == "__main__":
    SCENARIOS[sys.argv[1]](*sys.argv[2:])
    sys.stdout.flush()
