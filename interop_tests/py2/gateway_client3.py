"""A Pyro 3.16 client (Python 2) of Pyro5's example servers (Python 3),
which it finds in the Pyro 3 name server where pyro-gateway registered
them (PYRO_NS_HOSTNAME and PYRO_NS_PORT say where it is).

usage: gateway_client3.py SCENARIO
Prints one line per step: "name -> repr(result)" or "name !! Class: text".
"""
import sys
import threading
import time

import Pyro.core
import Pyro.errors
import Pyro.naming
import Pyro.util

Pyro.core.initClient(banner=0)


def out(line):
    sys.stdout.write(line + '\n')
    sys.stdout.flush()


def step(name, fn, *args):
    try:
        r = fn(*args)
    except Exception, x:
        out('%s !! %s.%s: %s' % (name, type(x).__module__, type(x).__name__, x))
        x.pyro_tb = ''.join(Pyro.util.getPyroTraceback(x))
        return x
    out('%s -> %r' % (name, r))
    return r


def proxy(name):
    ns = Pyro.naming.NameServerLocator().getNS()
    p = Pyro.core.getProxyForURI(ns.resolve(name))
    p._setTimeout(20)
    return p


def exceptions():
    """Pyro5's examples/exceptions."""
    p = proxy('example.exceptions')
    step('div', p.div, 7, 2)
    x = step('zero', p.div, 1, 0)
    out('zero_tb -> %r' % ('excep.py' in x.pyro_tb and 'arg1 / arg2' in x.pyro_tb))
    step('error', p.error)
    step('othererr', p.othererr)
    x = step('complex', p.complexerror)
    out('complex_tb -> %r' % ('crash2' in x.pyro_tb))
    step('unserializable', p.unserializable)
    step('missing', lambda: p.nosuchmethod())
    # An exception returned as a value.
    step('error2', lambda: repr(p.error2()))
    # The connection goes on after all that.
    step('again', p.div, 1, 4)


def oneway():
    """Pyro5's examples/oneway: oneway_start is @oneway there, so the
    gateway calls it oneway and the Pyro 3 client does not wait."""
    p = proxy('example.oneway')
    t0 = time.time()
    step('start', p.oneway_start, 6)
    out('start_fast -> %r' % (time.time() - t0 < 2))
    # The oneway call runs beside the next ones: give it a moment to start.
    time.sleep(1)
    step('ready', p.ready)
    step('result', p.result)


class Handler(Pyro.core.ObjBase):
    def __init__(self):
        Pyro.core.ObjBase.__init__(self)
        self.done_workers = []
        self.event = threading.Event()

    def done(self, number):
        self.done_workers.append(number)
        self.event.set()


def callback():
    """Pyro5's examples/callback: addworker returns a Worker (a proxy,
    through the gateway), whose oneway work() calls our object back."""
    Pyro.core.initServer(banner=0)
    daemon = Pyro.core.Daemon(host='127.0.0.1')
    handler = Handler()
    daemon.connect(handler)
    stop = []
    t = threading.Thread(target=daemon.requestLoop, args=(lambda: not stop,))
    t.setDaemon(True)
    t.start()
    server = proxy('example.callback')
    worker = step('addworker', server.addworker, handler.getProxy())
    out('worker -> %s' % type(worker).__name__)
    step('work', worker.work, 1)
    handler.event.wait(20)
    out('done -> %r' % handler.done_workers)
    stop.append(1)


def chain():
    """Pyro 3 client -> gateway -> Pyro 5 server -> gateway -> Pyro 3
    server: gw.relay (Python 3) calls Pyro 3's examples/exceptions."""
    relay = proxy('gw.relay')
    step('div', relay.call, 'test.exceptions', 'div', 7, 2)
    step('text', relay.call, 'test.exceptions', 'div', u'\xe9t\xe9', 1)
    x = step('error', relay.call, 'test.exceptions', 'error')
    # Pyro5 gives the traceback of the relay, which raised it last.
    out('error_tb -> %r' % ('gateway_relay.py' in x.pyro_tb))
    step('types', relay.types, 'abc', u'\xe9', 7)


if __name__ == '__main__':
    globals()[sys.argv[1]]()
