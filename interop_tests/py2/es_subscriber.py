"""Event subscriber written the way Pyro 3's examples use
Pyro.EventService.Clients.Subscriber (stockquotes Client.py / MClient.py).

usage: es_subscriber.py [--es URI] [--ident ID] [--match] [--count N] [--unsub-after K [--unsub S]] SUBJECT...

Prints READY once subscribed, then one line per event:
EVENT <subject> <repr(msg)> <time> and exits after N events (0 = forever).
With --unsub-after K it unsubscribes (from S, else from all its subjects)
after K events, as the countingcars client does, and keeps listening.
"""
import sys

from Pyro.EventService.Clients import Subscriber


class Listener(Subscriber):
    def __init__(self, es_uri, ident, count, unsub_after, unsub, subjects):
        Subscriber.__init__(self, ident=ident, esURI=es_uri)
        self.setThreading(0)  # events handled one by one, in arrival order
        self.count = count
        self.unsub_after = unsub_after
        self.unsub = unsub or subjects
        self.seen = 0

    def event(self, event):
        self.seen += 1
        print "EVENT %s %r %r" % (event.subject, event.msg, event.time)
        sys.stdout.flush()
        if self.unsub_after and self.seen == self.unsub_after:
            self.unsubscribe(self.unsub)
            print "UNSUBSCRIBED"
            sys.stdout.flush()
        if self.count and self.seen >= self.count:
            self.abort()


def main(argv):
    es_uri, ident, match, count, unsub_after, unsub = None, None, False, 0, 0, None
    subjects = []
    while argv:
        a = argv.pop(0)
        if a == "--es":
            es_uri = argv.pop(0)
        elif a == "--ident":
            ident = argv.pop(0)
        elif a == "--match":
            match = True
        elif a == "--count":
            count = int(argv.pop(0))
        elif a == "--unsub-after":
            unsub_after = int(argv.pop(0))
        elif a == "--unsub":
            unsub = argv.pop(0)
        else:
            subjects.append(a)
    listener = Listener(es_uri, ident, count, unsub_after, unsub, subjects)
    if match:
        listener.subscribeMatch(subjects)
    else:
        listener.subscribe(subjects)
    print "READY", listener.getProxy().URI
    sys.stdout.flush()
    listener.listen()
    print "DONE", listener.seen


if __name__ == "__main__":
    main(sys.argv[1:])
