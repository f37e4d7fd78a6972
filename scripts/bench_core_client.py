"""Python 2 / Pyro 3.16 benchmark client for scripts/bench_core.sh.

usage: bench_core_client.py <mode> <port> [args]
  seq <seconds>             sequential echo calls: calls/s, p50, p99 (us)
  par <clients> <seconds>   that many client processes calling at once: calls/s
  threads <clients> <secs>  that many client threads in one process: calls/s
  oneway <n>                n oneway calls, until all executed: calls/s
  connect <n>               new proxy + first call: p50, p99 (us)
  big <mb> <n>              echo of an mb MB str n times: MB/s (both ways)
Prints one line 'key=value ...'.
"""
import multiprocessing
import sys
import time

import Pyro.core

Pyro.core.initClient(banner=0)
ARG = 'x' * 20


def loc(port, name=':test.core'):
    return 'PYROLOC://127.0.0.1:%d/%s' % (port, name)


def pct(lat, q):
    lat = sorted(lat)
    return lat[min(len(lat) - 1, int(len(lat) * q))] * 1e6


def seq(port, seconds):
    p = Pyro.core.getProxyForURI(loc(port))
    p.echo(ARG)
    lat = []
    end = time.time() + float(seconds)
    t0 = time.time()
    while True:
        a = time.time()
        if a >= end:
            break
        p.echo(ARG)
        lat.append(time.time() - a)
    dt = time.time() - t0
    print 'calls_per_s=%.0f p50_us=%.1f p99_us=%.1f' % (len(lat) / dt, pct(lat, .5), pct(lat, .99))


def worker(args):
    port, start, end = args
    p = Pyro.core.getProxyForURI(loc(port))
    p.echo(ARG)
    while time.time() < start:
        time.sleep(0.001)
    n = 0
    while time.time() < end:
        p.echo(ARG)
        n += 1
    return n


def par(port, clients, seconds):
    clients = int(clients)
    start = time.time() + 2 + clients * 0.05
    end = start + float(seconds)
    pool = multiprocessing.Pool(clients)
    counts = pool.map(worker, [(port, start, end)] * clients, chunksize=1)
    pool.close()
    print 'calls_per_s=%.0f clients=%d' % (sum(counts) / (end - start), clients)


def threads(port, clients, seconds):
    import threading
    clients = int(clients)
    start = time.time() + 1 + clients * 0.02
    end = start + float(seconds)
    counts = []
    lock = threading.Lock()

    def run():
        n = worker((port, start, end))
        with lock:
            counts.append(n)
    ts = [threading.Thread(target=run) for _ in range(clients)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print 'calls_per_s=%.0f clients=%d' % (sum(counts) / (end - start), clients)


def oneway(port, n):
    n = int(n)
    r = Pyro.core.getProxyForURI(loc(port, ':test.recorder'))
    base = r.count()
    r._setOneway('tick')
    t0 = time.time()
    for i in xrange(n):
        r.tick()
    sent = time.time() - t0
    while r.count() - base < n:
        time.sleep(0.001)
    dt = time.time() - t0
    print 'calls_per_s=%.0f send_only_per_s=%.0f' % (n / dt, n / sent)


def connect(port, n):
    uri = Pyro.core.getProxyForURI(loc(port))
    uri.echo(ARG)
    uri = uri.URI
    lat = []
    for i in xrange(int(n)):
        a = time.time()
        p = Pyro.core.getProxyForURI(uri)
        p.echo(ARG)
        lat.append(time.time() - a)
        p._release()
    print 'p50_us=%.1f p99_us=%.1f' % (pct(lat, .5), pct(lat, .99))


def big(port, mb, n):
    p = Pyro.core.getProxyForURI(loc(port))
    s = 'x' * (int(mb) << 20)
    t0 = time.time()
    for i in xrange(int(n)):
        if len(p.echo(s)) != len(s):
            raise ValueError('short echo')
    dt = time.time() - t0
    print 'mb_per_s=%.1f' % (2 * int(mb) * int(n) / dt)


if __name__ == '__main__':
    globals()[sys.argv[1]](int(sys.argv[2]), *sys.argv[3:])
