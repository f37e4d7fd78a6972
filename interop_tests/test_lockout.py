"""Idle connections do not lock real Pyro 3.16 clients out of our daemons (issue 11, "Lockout").

An attacker holds connections to cmd/pyro-echo that never send a byte and
reopens each one the daemon drops. With Pyro's rule (every connection counts
against PYRO_MAXCONNECTIONS from the moment it is accepted) MAXCONNECTIONS-1
of them refuse every client "server too busy" for as long as the attack goes
on; our daemon counts only connections that completed the handshake, drops
silent ones after PYRO_HANDSHAKE_TIMEOUT and, beyond 2*MAXCONNECTIONS pending
handshakes, the oldest one.
"""
import os
import socket
import threading
import time

import pytest

from conftest import run_py2, wait_output
from test_core_echo import echo_uris

MAXCONN = 20


class IdleAttacker:
    """n silent connections to port, each reopened when the server drops it."""

    def __init__(self, port, n):
        self.port = port
        self.stopped = threading.Event()
        self.lock = threading.Lock()
        self.challenged = 0  # connections that received their challenge
        self.reconnects = 0
        self.socks = set()
        self.threads = [threading.Thread(target=self.hold, daemon=True) for _ in range(n)]
        for t in self.threads:
            t.start()

    def hold(self):
        first = True
        while not self.stopped.is_set():
            try:
                s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
            except OSError:
                time.sleep(0.01)
                continue
            s.settimeout(None)
            with self.lock:
                self.socks.add(s)
                if not first:
                    self.reconnects += 1
            first = False
            got = 0
            try:
                while True:
                    b = s.recv(4096)
                    if not b:
                        break
                    got += len(b)
                    if got == 18 + 16:
                        with self.lock:
                            self.challenged += 1
            except OSError:
                pass
            with self.lock:
                self.socks.discard(s)
            s.close()

    def wait(self, what, n, timeout=30.0):
        deadline = time.time() + timeout
        while getattr(self, what) < n:
            assert time.time() < deadline, "%s: %d < %d after %.0fs" % (what, getattr(self, what), n, timeout)
            time.sleep(0.01)

    def stop(self):
        self.stopped.set()
        with self.lock:
            for s in self.socks:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        for t in self.threads:
            t.join(10)


def served(uri, tries):
    """Whether a real Pyro 3.16 client gets its echo calls answered (it retries
    as a user would: beyond the pending bound the attacker's reconnections may
    push out a pending handshake)."""
    out = ""
    for _ in range(tries):
        cp = run_py2("core_echo_client.py", uri, check=False, timeout=60)
        out = cp.stdout.decode() + cp.stderr.decode()
        if cp.returncode == 0 and out.splitlines()[0] == "'hello'":
            return True, out
    return False, out


@pytest.mark.parametrize("idle", [MAXCONN - 1, 3 * MAXCONN], ids=["maxconnections-1", "beyond-pending-bound"])
def test_idle_attacker_does_not_lock_out_pyro3_client(procs, gobin, idle):
    env = dict(os.environ, PYRO_MAXCONNECTIONS=str(MAXCONN), PYRO_HANDSHAKE_TIMEOUT="0.3")
    go = procs.start([os.path.join(gobin, "pyro-echo"), "-H", "127.0.0.1", "-p", "0"], env=env)
    uri = echo_uris(wait_output(go, "echoserver running."))[1]
    port = int(uri.split(":")[2].split("/")[0])
    a = IdleAttacker(port, idle)
    try:
        # Every idle connection got its challenge: it is pending at the daemon.
        a.wait("challenged", min(idle, 2 * MAXCONN))
        ok, out = served(uri, 5)
        assert ok, "Pyro 3 client refused while %d idle connections were held:\n%s" % (idle, out)
        # The daemon dropped the silent connections and the attacker came back.
        a.wait("reconnects", idle)
        ok, out = served(uri, 5)
        assert ok, "Pyro 3 client refused after the attacker reconnected:\n%s" % out
    finally:
        a.stop()
