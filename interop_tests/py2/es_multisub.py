"""N Subscribers in one process, each listening in its own thread (as the
stresstest consumer's TrafficCounters do): es_multisub.py N COUNT SUBJECT.
Prints READY when all are subscribed, then 'DONE <events> <all in order>'
once every subscriber has COUNT events ((x, seq) messages)."""
import sys
import threading

from Pyro.EventService.Clients import Subscriber


class Counter(Subscriber):
    def __init__(self, count, subject):
        Subscriber.__init__(self)
        self.setThreading(0)
        self.count = count
        self.seqs = []
        self.subscribe(subject)

    def event(self, event):
        self.seqs.append(event.msg[1])
        if len(self.seqs) >= self.count:
            self.abort()


def main(n, count, subject):
    counters = [Counter(count, subject) for _ in range(n)]
    threads = [threading.Thread(target=c.listen) for c in counters]
    for t in threads:
        t.start()
    print "READY"
    sys.stdout.flush()
    for t in threads:
        t.join()
    total = sum(len(c.seqs) for c in counters)
    ordered = all(c.seqs == sorted(c.seqs) for c in counters)
    print "DONE", total, ordered


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])
