"""The daemon behaviour of Pyro5 5.17, from unmodified Pyro5 clients: a Go
daemon (goprogs/coreserver -pyro5) answers as Python's Pyro5 daemon
(py5/daemon_server.py, serving the same objects) does, and the two are
compared answer for answer: instance modes, the handshake hook."""
import os
import re
import sys

import pytest

from conftest import PY5_DIR, py5_env, run_py5
from test_core_client import start_server
from test_ns_common import wait_line


def start_pair(procs, gobin, token=None):
    """Starts the Go and the Python daemon; returns their host:port."""
    args = ["-pyro5"] + (["-handshake", token] if token else [])
    _, port, _ = start_server(procs, gobin, *args)
    py = procs.start([sys.executable, os.path.join(PY5_DIR, "daemon_server.py")] + ([token] if token else []),
                     env=py5_env())
    theirs = wait_line(py, r"^URI PYRO:\S+@(\S+)").group(1)
    return "127.0.0.1:%d" % port, theirs


def client(scenario, loc, *args):
    out = run_py5("daemon_client.py", scenario, loc, *args).stdout.decode()
    # the daemon's address in CommunicationError texts
    host, port = loc.rsplit(":", 1)
    out = out.replace("('%s', %s)" % (host, port), "<ADDR>")
    return dict(l.split(" ", 1) for l in out.splitlines())


def test_instance_modes(procs, gobin):
    """single: one instance for everyone; session: one per connection (a
    reconnected proxy gets a new one); percall: one per call, a batch
    sharing one."""
    ours, theirs = start_pair(procs, gobin)
    want = client("instances", theirs)
    got = client("instances", ours)
    assert got == want
    assert got["single"] == "-> [1, 1, 1, 1, 1, (1, 1), 1]"
    assert got["session"] == "-> [1, 1, 2, 1, 2, (2, 2), 3]"
    assert got["percall"] == "-> [1, 2, 3, 4, 5, (6, 6), 7]"


def test_dispatch(procs, gobin):
    """Private names refused with Pyro5's text, the metadata (each Go method
    once, by its Python name), attributes, and Pyro.Daemon's methods with
    Python's TypeError texts."""
    ours, theirs = start_pair(procs, gobin)
    want = client("dispatch", theirs)
    got = client("dispatch", ours)
    assert got == want
    assert got["methods"] == "-> ['which']"
    assert got["call:_secret:"] == "!! builtins.AttributeError: attempt to access private attribute '_secret'"
    assert got["setlabel"] == "-> 'named'"
    assert got["meta_missing"] == ("!! builtins.TypeError: DaemonObject.get_metadata() missing 1 required "
                                   "positional argument: 'objectId'")


def test_handshake_hook(procs, gobin):
    """The Go hook gets the proxy's _pyroHandshake and its answer reaches
    _pyroValidateHandshake; its refusal is the CommunicationError Pyro5's
    daemon makes of validateHandshake's exception."""
    ours, theirs = start_pair(procs, gobin, token="open sesame")
    want = client("handshake", theirs, "open sesame")
    got = client("handshake", ours, "open sesame")
    assert got == want
    assert got["response"] == "-> {'welcome': 'open sesame'}"
    assert got["good"] == "-> 1"
    assert got["bad"] == "!! Pyro5.errors.CommunicationError: connection to <ADDR> rejected: bad handshake: wrong open sesame"


def test_connect_unknown_object(procs, gobin):
    ours, theirs = start_pair(procs, gobin)
    got = client("unknown", ours)
    assert got == client("unknown", theirs)
    assert got["unknown"] == "!! Pyro5.errors.CommunicationError: connection to <ADDR> rejected: unknown object"


def raw_connect(loc, frame):
    """Sends frame to the daemon at loc; returns its answer as (type,
    serializer id, flags, seq, decoded data), or None when it closes the
    connection without one."""
    import socket
    import struct

    from Pyro5 import serializers
    host, port = loc.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(frame)
        buf = b""
        while len(buf) < 40:
            chunk = s.recv(40 - len(buf))
            if not chunk:
                return None
            buf += chunk
        _, _, typ, ser, flags, seq, dlen, alen, _, _, _ = struct.unpack("!4sHBBHHII16sHH", buf)
        rest = b""
        while len(rest) < dlen + alen:
            chunk = s.recv(dlen + alen - len(rest))
            assert chunk, "connection closed in the answer"
            rest += chunk
    return typ, ser, flags, seq, serializers.serializers_by_id[ser].loads(rest[alen:])


def frame(typ, ser, seq, data, magic=0x4dc5):
    import struct
    return struct.pack("!4sHBBHHII16sHH", b"PYRO", 502, typ, ser, 0, seq, len(data), 0, b"\0" * 16, 0, magic) + data


@pytest.mark.parametrize("name,raw,expect", [
    # serializer 99 does not exist: Pyro5's daemon closes without an answer
    ("bad serializer", frame(1, 99, 3, b"{}"), None),
    # unread CONNECTs: marshal, seq 0, no correlation id, Pyro5's text
    ("bad magic", frame(1, 2, 3, b"\xfb\x00", magic=0), (3, 2, 0, 0, "invalid message or protocol version")),
    ("invoke first", frame(4, 2, 7, b"\xfb\x00"), (3, 2, 0, 0, "invalid msg type 4 received (expected: 1)")),
    # the client's serializer, its CONNECT's seq, str(KeyError('handshake'))
    ("no handshake key", frame(1, 3, 5, b'{"object": "test.session"}'), (3, 3, 0x40, 5, "'handshake'")),
])
def test_connectfail_frames(procs, gobin, name, raw, expect):
    """CONNECTFAIL with Pyro5's serializer, flags, seq and text for CONNECTs
    that no Pyro5 client sends."""
    ours, theirs = start_pair(procs, gobin)
    want = raw_connect(theirs, raw)
    assert want == expect
    assert raw_connect(ours, raw) == want
