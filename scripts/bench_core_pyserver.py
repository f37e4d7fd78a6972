"""Python 2 / Pyro 3.16 daemon for scripts/bench_core.sh: the same objects
as interop_tests/goprogs/coreserver (':test.core' echo/add, ':test.recorder'
tick/count), so clients can compare the two daemons.

usage: bench_core_pyserver.py <port> <lifetime-seconds>
"""
import sys
import threading
import time

import Pyro.core


class Core(Pyro.core.ObjBase):
    def echo(self, x):
        return x

    def add(self, a, b):
        return a + b


class Recorder(Pyro.core.ObjBase):
    def __init__(self):
        Pyro.core.ObjBase.__init__(self)
        self.lock = threading.Lock()
        self.ticks = 0

    def tick(self):
        with self.lock:
            self.ticks += 1

    def count(self):
        return self.ticks


Pyro.core.initServer(banner=0)
Pyro.config.PYRO_MAXCONNECTIONS = 20000
d = Pyro.core.Daemon(host='127.0.0.1', port=int(sys.argv[1]), norange=1)
for name, obj in ((':test.core', Core()), (':test.recorder', Recorder())):
    sys.stdout.write('URI %s %s\n' % (name, d.connect(obj, name)))
sys.stdout.write('READY\n')
sys.stdout.flush()
end = time.time() + float(sys.argv[2])
d.requestLoop(condition=lambda: time.time() < end, timeout=0.5)
