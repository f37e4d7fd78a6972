"""A Go core.Proxy made WithGeneration(Pyro4) (goprogs/pyro5proxy -pyro4)
calls a real Python Pyro4 4.82 daemon serving py5/proxy_server.py's object
(the same server, run with Pyro4 in place of Pyro5.api): each serializer,
pickle included, with an HMAC key, metadata on connect, oneway, attributes,
batches, item streams, timeouts and CONNECTFAIL."""
import os
import subprocess
import sys

import pytest

from conftest import PY5_DIR, free_port, py5_env
from test_ns_common import wait_line

SERIALIZERS = ["serpent", "json", "marshal", "msgpack", "pickle"]
KEY = "pyro4-proxy-key"

# py5/proxy_server.py under Pyro4, its daemon with the HMAC key of
# GOPYRO_TEST_HMAC.
RUN_AS_PYRO4 = r"""
import os, sys
import Pyro4
key = os.environ.get("GOPYRO_TEST_HMAC")
if key:
    class KeyedDaemon(Pyro4.Daemon):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pyroHmacKey = key.encode()
    Pyro4.Daemon = KeyedDaemon
src = open(sys.argv.pop(1)).read().replace("Pyro5.api", "Pyro4")
exec(compile(src, "proxy_server.py (Pyro4)", "exec"))
"""


@pytest.fixture
def uri(procs):
    p = procs.start([sys.executable, "-u", "-c", RUN_AS_PYRO4, os.path.join(PY5_DIR, "proxy_server.py"),
                     str(free_port())],
                    env=py5_env({"PYRO_SERIALIZERS_ACCEPTED": ",".join(SERIALIZERS), "GOPYRO_TEST_HMAC": KEY}))
    return wait_line(p, r"^URI (\S+)").group(1)


def go(gobin, scenario, uri, serializer, key=KEY):
    cmd = [os.path.join(gobin, "pyro5proxy"), "-pyro4", "-serializer", serializer]
    if key:
        cmd += ["-hmac", key]
    out = subprocess.run(cmd + [scenario, uri], capture_output=True, timeout=60)
    assert out.returncode == 0, out.stderr.decode()
    return dict(l.split(" ", 1) for l in out.stdout.decode().splitlines())


# What a Python Pyro4 proxy with the same serializer makes the server see.
PY_KINDS = """
import sys
import Pyro4
with Pyro4.Proxy(sys.argv[1]) as p:
    p._pyroHmacKey = sys.argv[2].encode()
    print(",".join(p.kinds((1, "two"), 1.5, [1], {"a": 1}, "s", None, True)))
"""


@pytest.mark.parametrize("serializer", SERIALIZERS)
def test_calls(gobin, uri, serializer):
    """Calls, the metadata of CONNECTOK, oneway, attributes, batches and
    item streams, as a Pyro4 proxy with that serializer makes them."""
    want = subprocess.run([sys.executable, "-c", PY_KINDS, uri, KEY], capture_output=True, timeout=60,
                          env=py5_env({"PYRO_SERIALIZER": serializer}), check=True).stdout.decode().strip()
    got = go(gobin, "serializers", uri, serializer)
    assert got["kinds"] == "-> " + want
    assert got["add"] == "-> 42"
    got = go(gobin, "metadata", uri, serializer)
    assert got["meta"] == ("-> methods=add,count,echo,fail,kinds,open_streams,record,recorded,release,slow"
                           " oneway=record attrs=value")
    assert got["recorded"] == "-> [7]"
    assert got["get"] == "-> 1" and got["get_after_set"] == "-> 5"
    assert got["missing"] == ("!! builtins.AttributeError: remote object '%s' has no exposed attribute or "
                              "method 'nosuch'" % uri)
    got = go(gobin, "batch", uri, serializer)
    if serializer == "marshal":
        # Pyro4's daemon cannot marshal a batch's exception wrapper
        assert got["batch"] == "-> []"
        assert got["batch_error"] == "!! builtins.ValueError: unmarshallable object"
    else:
        assert got["batch"] == "-> [3, u'kw']"
        assert got["batch_error"] == "!! builtins.ValueError: boom"
    tuples = "list" if serializer in ("json", "msgpack") else "tuple"  # json and msgpack have none
    assert got["batch_again"] == "-> [[u'%s'], u'ab']" % tuples
    assert got["oneway_batch"] == "-> None"
    got = go(gobin, "stream", uri, serializer)
    assert got == {"count": "-> [0, 1, 2, 3]", "after_end": "-> EOF", "abandoned": "-> [0, 1]",
                   "open_streams": "-> 0"}
    got = go(gobin, "unknown", uri, serializer)
    assert got["fail"] == "!! builtins.ValueError: bad value"
    assert got["fail_traceback"] == "-> true"
    assert got["unknown"] == "!! Pyro.errors.ConnectionDeniedError: unknown object"


@pytest.mark.parametrize("key,why", [(None, "hmac key config not symmetric"), ("wrong", "message hmac mismatch")])
def test_hmac_refused(gobin, uri, key, why):
    """Without the daemon's key, or with another, no call goes through: the
    handshake fails with what Pyro4's proxy says."""
    got = go(gobin, "serializers", uri, "serpent", key=key)
    assert got["add"] == "!! Pyro4.errors.SecurityError: " + why


def test_timeouts(gobin, uri):
    got = go(gobin, "timeout", uri, "serpent")
    assert got["proxy_timeout"] == "!! Pyro.errors.TimeoutError: connection timeout"
    assert got["after_proxy_timeout"] == "-> 3"
    assert got["after_deadline"] == "-> 7"
