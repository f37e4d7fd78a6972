"""Calls subscribeMatch with each pattern argument (as Subscriber does) and
prints '<pattern> OK' or '<pattern> <exception class> <exception args>'."""
import sys

import Pyro.core
from Pyro.EventService.Clients import Subscriber


def main(patterns):
    sub = Subscriber()
    for p in patterns:
        try:
            sub.subscribeMatch(p)
        except Exception, x:
            print p, x.__class__.__name__, repr(x.args)
        else:
            print p, "OK"
    sub.unsubscribe(patterns)


if __name__ == "__main__":
    main(sys.argv[1:])
