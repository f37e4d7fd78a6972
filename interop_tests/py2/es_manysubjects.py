"""Subscribes to N subjects in one call, publishes all N in one call and
prints 'GOT <events> <distinct creation times> <all subjects seen>'."""
import sys
import threading

from Pyro.EventService.Clients import Publisher, Subscriber


class Collector(Subscriber):
    def __init__(self, n):
        Subscriber.__init__(self)
        self.n = n
        self.events = []

    def event(self, event):
        self.events.append(event)
        if len(self.events) >= self.n:
            self.abort()


def main(n):
    subjects = ["many.subject.%d" % i for i in range(n)]
    c = Collector(n)
    c.setThreading(0)  # one thread: events are appended in arrival order
    c.subscribe(subjects)
    print "READY"
    sys.stdout.flush()
    t = threading.Thread(target=lambda: Publisher().publish([s.upper() for s in subjects], "payload"))
    t.start()
    c.listen()
    t.join()
    got = [e.subject.lower() for e in c.events]
    print "GOT", len(c.events), len(set(e.time for e in c.events)), got == subjects


if __name__ == "__main__":
    main(int(sys.argv[1]))
