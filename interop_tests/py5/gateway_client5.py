"""A Pyro5 5.17 client of Pyro 3's example servers (Python 2), which it
finds in the Pyro 5 name server where pyro-gateway registered them.

Usage: gateway_client5.py SCENARIO NSHOST NSPORT [SERIALIZER]
Prints one line per step: "name -> repr(result)" or "name !! Class: text".
"""
import sys
import threading
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


def remote_tb(x):
    return "".join(Pyro5.errors.get_pyro_traceback(type(x), x, x.__traceback__))


def proxy(ns, name):
    p = Pyro5.api.Proxy(ns.lookup(name))
    p._pyroTimeout = 20
    return p


def exceptions(ns):
    """Pyro 3's examples/exceptions: values and exceptions of Python 2."""
    with proxy(ns, "test.exceptions") as p:
        step("div", lambda: p.div(7, 2))
        step("divfloat", lambda: p.div(7.0, 2))
        x = step("zero", lambda: p.div(1, 0))
        print("zero_tb -> %r" % ("excep.py" in remote_tb(x) and "arg1/arg2" in remote_tb(x)))
        step("error", p.error)
        # The exception object returned as a value.
        step("error2", lambda: repr(p.error2()))
        x = step("complex", p.complexerror)
        print("complex_tb -> %r" % ("crash2" in remote_tb(x)))
        # Python 3 cannot rebuild the example's own class excep.MyError.
        step("othererr", p.othererr)
        step("missing", lambda: p.nosuchmethod())
        # In the gateway's -m list, but not a method of this object.
        step("listed", lambda: p.shout("x"))


class Listener(object):
    def __init__(self):
        self.got = []
        self.event = threading.Event()

    @Pyro5.api.expose
    def callback(self, message):
        self.got.append(message)
        self.event.set()


def callback(ns):
    """Pyro 3's examples/callback shout_server calls a Pyro 5 object back."""
    with Pyro5.api.Daemon(host="127.0.0.1") as daemon:
        listener = Listener()
        daemon.register(listener)
        threading.Thread(target=daemon.requestLoop, daemon=True).start()
        with proxy(ns, "test.callback") as p:
            step("register", lambda: p.register(listener))
            step("shout", lambda: p.shout("hello from Python 3"))
        listener.event.wait(20)
        print("callback -> %r" % listener.got)
        daemon.shutdown()


def oneway(ns):
    """Pyro 3's examples/oneway: start() works for 10 s; called oneway
    (pyro-gateway -o start), it returns at once and the server is busy."""
    with proxy(ns, "oneway") as p:
        t0 = time.time()
        step("start", p.start)
        print("start_fast -> %r" % (time.time() - t0 < 5))
        print("oneway_meta -> %r" % ("start" in p._pyroOneway))
        # The oneway call runs beside the next ones: give it a moment to start.
        time.sleep(1)
        step("ready", p.ready)
        step("result", p.result)


def values(ns):
    """What Python 2 gets for Python 3's str and bytes (-text auto): div
    computes arg1/arg2, whose TypeError names the Python 2 type."""
    with proxy(ns, "test.exceptions") as p:
        step("ascii", lambda: p.div("a", 2))
        step("text", lambda: p.div("\u00e9", 2))
        step("bytes", lambda: p.div(b"\xff", 2))
        step("list", lambda: p.div([1, "a"], 2))


if __name__ == "__main__":
    scenario, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if len(sys.argv) > 4:
        Pyro5.config.SERIALIZER = sys.argv[4]
    ns = Pyro5.api.locate_ns(host, port)
    globals()[scenario](ns)
