"""Subscribes an arbitrary Pyro URI (for instance something that never
answers) to a subject: es_rawsubscribe.py URI SUBJECT."""
import sys

import Pyro.core
import Pyro.naming
import Pyro.constants


def main(uri, subject):
    Pyro.core.initClient()
    ns = Pyro.naming.NameServerLocator().getNS(host=Pyro.config.PYRO_NS_HOSTNAME)
    es = Pyro.core.getProxyForURI(ns.resolve(Pyro.constants.EVENTSERVER_NAME))
    es.subscribe(subject, Pyro.core.getProxyForURI(uri))
    print "SUBSCRIBED", uri


if __name__ == "__main__":
    main(*sys.argv[1:3])
