"""Runs one of Pyro 3.16's example programs (argv[1]) unmodified, after
working around a bug of Pyro 3.16 with every M2Crypto release: the PYROSSL
client connects through Pyro.protocol._connect_socket, which calls
sock.gettimeout(), a method M2Crypto's SSL.Connection never had (Pyro then
fails with AttributeError before any byte is sent). The shim asks the
wrapped socket, which is what the call means."""
import os
import sys

from M2Crypto import SSL

if not hasattr(SSL.Connection, "gettimeout"):
    SSL.Connection.gettimeout = lambda self: self.socket.gettimeout()

script = os.path.abspath(sys.argv[1])
sys.argv = sys.argv[1:]
sys.path[0] = os.path.dirname(script)
g = {"__name__": "__main__", "__file__": script}
execfile(script, g)
