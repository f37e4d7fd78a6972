"""Benchmark subscribers (Python 2.7, real Pyro 3.16): N Pyro.EventService
Subscribers in this process, each listening in its own thread.

usage: bench_es_sub.py --es URI N EVENTS
Prints READY once all are subscribed to 'bench'. Each event's message is
(publish time, seq). When every subscriber has EVENTS events (or nothing
arrived for 15 s) it prints
RESULT received=<n> expected=<n> seconds=<first publish to last delivery>
rate=<delivered events/s> p50=<ms> p99=<ms>
"""
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


def main(argv):
    es_uri = argv[argv.index("--es") + 1]
    n, events = int(argv[-2]), int(argv[-1])
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
    with lock:
        lat = sorted(latencies)
        seconds = last[0] - first_pub[0] if lat else 0.0
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000 if lat else 0.0
    print "RESULT received=%d expected=%d seconds=%.3f rate=%.0f p50=%.2f p99=%.2f" % (
        len(lat), expected, seconds, len(lat) / seconds if seconds else 0, p(0.50), p(0.99))
    sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
