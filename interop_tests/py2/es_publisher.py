"""Event publisher written the way Pyro 3's examples use
Pyro.EventService.Clients.Publisher (stockquotes Server.py).

usage: es_publisher.py [--es URI] [--ident ID] [--repeat N] SUBJECT=MSG...
A SUBJECT may be a comma-separated list (published as one list); MSG is a
Python literal. Prints PUBLISHED <n> at the end.
"""
import ast
import sys

from Pyro.EventService.Clients import Publisher


def main(argv):
    es_uri, ident, repeat = None, None, 1
    items = []
    while argv:
        a = argv.pop(0)
        if a == "--es":
            es_uri = argv.pop(0)
        elif a == "--ident":
            ident = argv.pop(0)
        elif a == "--repeat":
            repeat = int(argv.pop(0))
        else:
            subj, msg = a.split("=", 1)
            if "," in subj:
                subj = subj.split(",")
            items.append((subj, ast.literal_eval(msg)))
    pub = Publisher(ident=ident, esURI=es_uri)
    n = 0
    for i in range(repeat):
        for subj, msg in items:
            if repeat > 1:
                msg = (msg, i)
            pub.publish(subj, msg)
            n += 1
    print "PUBLISHED", n


if __name__ == "__main__":
    main(sys.argv[1:])
