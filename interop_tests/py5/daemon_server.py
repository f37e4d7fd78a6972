"""A Pyro5 5.17 daemon with what goprogs/coreserver -pyro5 serves, to
compare a Go daemon's answers with: the classes test.single, test.session
and test.percall (instance modes; which() returns the number of the
instance, counted per class from 1; label is a property) and, with a handshake token argument,
a validateHandshake that accepts only that token and answers
{'welcome': token}.

Usage: daemon_server.py [TOKEN]. Prints "URI <uri of test.session>" and
serves until killed."""
import sys

import Pyro5.api


def numbered(mode):
    @Pyro5.api.behavior(instance_mode=mode)
    @Pyro5.api.expose
    class Numbered:
        made = 0

        def __init__(self):
            Numbered.made += 1
            self.n = Numbered.made
            self._label = ""

        def which(self):
            return self.n

        @property
        def label(self):
            return self._label

        @label.setter
        def label(self, value):
            self._label = value

    return Numbered


class Daemon(Pyro5.api.Daemon):
    token = None

    def validateHandshake(self, conn, data):
        if self.token is not None and data != self.token:
            raise ValueError("bad handshake: %s" % data)
        return {"welcome": data} if self.token is not None else "hello"


daemon = Daemon(host="127.0.0.1", port=0)
if len(sys.argv) > 1:
    daemon.token = sys.argv[1]
for mode in ("single", "session", "percall"):
    uri = daemon.register(numbered(mode), "test." + mode)
print("URI", daemon.uriFor("test.session"))
sys.stdout.flush()
daemon.requestLoop()
