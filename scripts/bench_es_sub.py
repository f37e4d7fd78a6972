"""Benchmark subscribers (Python 2.7, real Pyro 3.16).

usage: bench_es_sub.py --es URI [--procs P] N EVENTS

Runs N Pyro.EventService.Subscriber objects (setThreading(0): events are
handled one after another, no thread per event), each in a thread of this
process; with --procs P it instead starts P child processes of N
subscribers each, the way P separate subscriber programs would run, and
reports for all of them together (one Python process is bound by its GIL,
so the subscribers of one process compete for one core).

Prints READY once every subscriber is subscribed to 'bench'. Each event's
message is (publish time, seq). When every subscriber has EVENTS events (or
nothing arrived for 15 s) it prints
RESULT received=<n> expected=<n> seconds=<first publish to last delivery>
rate=<delivered events/s> p50=<ms> p99=<ms>
"""
import subprocess
import sys
import threading
import time

from Pyro.EventService.Clients import Subscriber

lock = threading.Lock()
latencies = []
last = [0.0]
first_pub = [None]


class BenchSubscriber(Subscriber):
    def __init__(self, es_uri, events):
        Subscriber.__init__(self, esURI=es_uri)
        self.setThreading(0)
        self.events = events
        self.got = 0

    def event(self, event):
        now = time.time()
        pub = event.msg[0]
        with lock:
            latencies.append(now - pub)
            last[0] = now
            if first_pub[0] is None or pub < first_pub[0]:
                first_pub[0] = pub
        self.got += 1
        if self.got >= self.events:
            self.abort()


def subscribe_and_wait(es_uri, n, events):
    """Runs n subscribers until they have their events (or idle 15 s)."""
    subs = [BenchSubscriber(es_uri, events) for _ in range(n)]
    for s in subs:
        s.subscribe("bench")
    threads = [threading.Thread(target=s.listen) for s in subs]
    for t in threads:
        t.setDaemon(True)
        t.start()
    print "READY"
    sys.stdout.flush()
    expected = n * events
    while True:
        time.sleep(0.05)
        with lock:
            got, idle = len(latencies), last[0] and time.time() - last[0] > 15
        if got >= expected or idle:
            break


def report(lat, expected, first, end):
    lat = sorted(lat)
    seconds = end - first if lat else 0.0
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000 if lat else 0.0
    print "RESULT received=%d expected=%d seconds=%.3f rate=%.0f p50=%.2f p99=%.2f" % (
        len(lat), expected, seconds, len(lat) / seconds if seconds else 0, p(0.50), p(0.99))
    sys.stdout.flush()


def run_children(es_uri, procs, n, events):
    children = [subprocess.Popen([sys.executable, __file__, "--es", es_uri, "--child", str(n), str(events)],
                                 stdout=subprocess.PIPE) for _ in range(procs)]
    for c in children:
        line = c.stdout.readline()
        if line.strip() != "READY":
            raise SystemExit("bench_es_sub: a child said %r instead of READY" % line)
    print "READY"
    sys.stdout.flush()
    lat, first, end = [], None, 0.0
    for c in children:
        out = c.stdout.read().split()
        c.wait()
        if out and out[0] == "LAT":
            cfirst, cend = float(out[1]), float(out[2])
            lat.extend(float(x) for x in out[3:])
            first = cfirst if first is None else min(first, cfirst)
            end = max(end, cend)
    report(lat, procs * n * events, first or 0.0, end)


def main(argv):
    es_uri = argv[argv.index("--es") + 1]
    n, events = int(argv[-2]), int(argv[-1])
    if "--procs" in argv:
        run_children(es_uri, int(argv[argv.index("--procs") + 1]), n, events)
        return
    subscribe_and_wait(es_uri, n, events)
    with lock:
        lat, first, end = list(latencies), first_pub[0], last[0]
    if "--child" in argv:
        # For the parent: first publish time, last delivery, the latencies.
        print "LAT %r %r %s" % (first or 0.0, end, " ".join("%r" % x for x in lat))
        sys.stdout.flush()
        return
    report(lat, n * events, first or 0.0, end)


if __name__ == "__main__":
    main(sys.argv[1:])
