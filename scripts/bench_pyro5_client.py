"""Pyro5 5.17 client side of scripts/bench_pyro5.sh: one measurement against
the object at URI (an object with echo(x)), printed as one number.

  seq URI SECS           calls/s of one proxy calling echo('x'*20)
  par URI N SECS         calls/s of N client processes together
  oneway URI N           oneway echo calls/s (N calls, then one normal call)
  batch URI N            calls/s of one batch of N echo calls
  big URI MB             MB/s echoing MB megabytes of str
"""
import multiprocessing
import sys
import time

import Pyro5.api

ARG = "x" * 20


def seq(uri, secs):
    with Pyro5.api.Proxy(uri) as p:
        p.echo(ARG)
        n, end = 0, time.perf_counter() + float(secs)
        t0 = time.perf_counter()
        while time.perf_counter() < end:
            p.echo(ARG)
            n += 1
        return n / (time.perf_counter() - t0)


def _worker(args):
    uri, secs, start = args
    with Pyro5.api.Proxy(uri) as p:
        p.echo(ARG)
        while time.time() < start:
            time.sleep(0.001)
        n, end = 0, start + secs
        while time.time() < end:
            p.echo(ARG)
            n += 1
        return n


def par(uri, nproc, secs):
    nproc, secs = int(nproc), float(secs)
    start = time.time() + 1.0 + nproc * 0.05
    with multiprocessing.Pool(nproc) as pool:
        counts = pool.map(_worker, [(uri, secs, start)] * nproc)
    return sum(counts) / secs


def oneway(uri, n):
    with Pyro5.api.Proxy(uri) as p:
        p._pyroBind()
        p._pyroOneway.add("echo")
        t0 = time.perf_counter()
        for _ in range(int(n)):
            p.echo(ARG)
        p._pyroOneway.clear()
        p.echo(ARG)
        return int(n) / (time.perf_counter() - t0)


def batch(uri, n):
    with Pyro5.api.Proxy(uri) as p:
        p._pyroBind()
        b = Pyro5.api.BatchProxy(p)
        for _ in range(int(n)):
            b.echo(ARG)
        t0 = time.perf_counter()
        results = list(b())
        assert len(results) == int(n)
        return int(n) / (time.perf_counter() - t0)


def big(uri, mb):
    data = "x" * (int(mb) * 1000 * 1000)
    with Pyro5.api.Proxy(uri) as p:
        p._pyroTimeout = 60
        p.echo("")
        t0 = time.perf_counter()
        assert len(p.echo(data)) == len(data)
        return int(mb) / (time.perf_counter() - t0)


if __name__ == "__main__":
    mode, uri = sys.argv[1], sys.argv[2]
    print("%.1f" % globals()[mode](uri, *sys.argv[3:]))
