"""Runs a real Pyro 3.16 Name Server on 127.0.0.1 without broadcast.

usage: core_ns.py <port> [lifetime-seconds]
Prints 'READY' once the name server accepts connections.
"""
import socket
import sys
import threading
import time

import Pyro.naming

port = int(sys.argv[1])
lifetime = float(sys.argv[2]) if len(sys.argv) > 2 else 120
t = threading.Thread(target=Pyro.naming.main, args=(['-x', '-n', '127.0.0.1', '-p', str(port)],))
t.setDaemon(True)
t.start()
deadline = time.time() + 30
while time.time() < deadline:
    try:
        socket.create_connection(('127.0.0.1', port), 0.5).close()
        break
    except socket.error:
        time.sleep(0.05)
sys.stdout.write('READY\n')
sys.stdout.flush()
time.sleep(lifetime)
