"""A real Pyro 3.16 daemon for core/interop_test.go (Go client -> Python server).

usage: core_pyserver.py <lifetime-seconds> [ident]
Prints 'URI <uri>' for object ':test.py', then 'READY'; exits after the lifetime.
"""
import sys
import threading
import time

import Pyro.core
import Pyro.errors

import core_objs


class Obj(Pyro.core.ObjBase):
    def __init__(self):
        Pyro.core.ObjBase.__init__(self)
        self.value = 42
        self.label = 'py'
        self.started = None
        self.log = []

    def add(self, a, b):
        return a + b

    def kw(self, a, b=0, *args, **kwargs):
        return (a, b, args, kwargs)

    def fail(self, x):
        raise ValueError('bad value: %r' % (x,))

    def failcustom(self):
        raise core_objs.MyError('custom', 1)

    def failnaming(self):
        raise Pyro.errors.NamingError('name not found', ':x')

    def echo(self, x):
        return x

    def typename(self, x):
        return type(x).__name__

    def start(self, n):
        self.log.append(n)

    def getlog(self):
        return self.log

    def sleep(self, secs):
        time.sleep(secs)
        return secs

    def callback(self, proxy, arg):
        return ('python relayed', proxy.echo(arg))

    def makeproxy(self):
        o = Obj()
        self.getDaemon().connect(o)
        return o.getProxy()


def main():
    lifetime = float(sys.argv[1])
    Pyro.core.initServer(banner=0)
    daemon = Pyro.core.Daemon(host='127.0.0.1', port=0, norange=1)
    if len(sys.argv) > 2:
        daemon.setAllowedIdentifications([sys.argv[2]])
    uri = daemon.connect(Obj(), ':test.py')
    sys.stdout.write('URI %s\nREADY\n' % uri)
    sys.stdout.flush()
    end = time.time() + lifetime
    daemon.requestLoop(condition=lambda: time.time() < end, timeout=0.2)


if __name__ == '__main__':
    main()
