"""Unmodified Pyro4 4.82 clients call cmd/pyro-echo's objects over Pyro 4
(protocol 48) with each of Pyro4's serializers, side by side with Python's
own `python -m Pyro4.test.echoserver`: the answers must be the same. HMAC
keys (right, wrong, none on either side), pickle (only when accepted),
oneway, batch, item streams, attributes, exceptions, the daemon's
Pyro.Daemon object, and a Pyro 3 client on the same port."""
import os
import re
import subprocess
import sys

import pytest

from conftest import free_port, run_py2, wait_output

# A Pyro4 user's smoke test of an echo server: one line per step,
# "name -> repr(result)" or "name !! module.Class: text".
CLIENT = r'''
import sys
import Pyro4
import Pyro4.util

uri, key = sys.argv[1], sys.argv[2]


def step(name, f):
    try:
        r = f()
    except Exception as e:
        print("%s !! %s.%s: %s" % (name, type(e).__module__, type(e).__name__, e))
        return None
    print("%s -> %r" % (name, r))
    return r


def batch(p):
    b = Pyro4.batch(p)
    b.echo(1)
    b.echo("two")
    b.error_with_text()
    b.echo(3)
    it = b()
    return [next(it), next(it), step("batch_error", lambda: next(it))]


with Pyro4.Proxy(uri) as p:
    p._pyroTimeout = 10
    if key != "-":
        p._pyroHmacKey = key.encode()
    if not step("connect", lambda: p._pyroBind()):
        sys.exit(0)
    step("echo", lambda: p.echo(["hello", (1, 2.5), {"k": [3]}, None, True, -7, 2**70]))
    step("unicode", lambda: p.echo("gr\u00fc\u00df \u20ac"))
    step("error", lambda: type(p.error()).__name__)
    step("error_with_text", p.error_with_text)
    try:
        p.error_with_text()
    except ValueError:
        print("remote_traceback -> %r" % ("Remote traceback" in "".join(Pyro4.util.getPyroTraceback()),))
    step("oneway_echo", lambda: p.oneway_echo("x"))  # oneway by metadata: None
    step("oneway_slow", p.oneway_slow)
    step("generator", lambda: list(p.generator()))
    step("generator_type", lambda: type(p.generator()).__name__)
    step("nan", lambda: repr(p.nan()))
    step("inf", p.inf)
    step("verbose", lambda: p.verbose)
    step("set_verbose", lambda: setattr(p, "verbose", False))
    step("oneway_meta", lambda: sorted(p._pyroOneway))
    step("attrs_meta", lambda: sorted(p._pyroAttrs))
    step("private", lambda: p._private())
    step("nosuch", lambda: p.nosuchmethod())
    step("batch", lambda: batch(p))
    step("after", lambda: p.echo(1))
with Pyro4.Proxy(uri.replace("test.echoserver", "Pyro.Daemon")) as d:
    if key != "-":
        d._pyroHmacKey = key.encode()
    step("daemon_ping", d.ping)
    step("daemon_registered", lambda: "test.echoserver" in d.registered())
    step("daemon_meta", lambda: sorted(d.get_metadata("test.echoserver", True)))
with Pyro4.Proxy(uri.replace("test.echoserver", "nothing")) as q:
    if key != "-":
        q._pyroHmacKey = key.encode()
    step("unknown_object", q._pyroBind)
'''


def pyro4_env(serializer=None, accepted=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYRO")}
    if serializer:
        env["PYRO_SERIALIZER"] = serializer
    if accepted:
        env["PYRO_SERIALIZERS_ACCEPTED"] = accepted
    return env


def client(uri, serializer="serpent", key=None):
    cp = subprocess.run([sys.executable, "-c", CLIENT, uri, key or "-"], capture_output=True, timeout=90,
                        env=pyro4_env(serializer))
    assert cp.returncode == 0, cp.stderr.decode(errors="replace")
    # the daemons' ports differ
    out = re.sub(r"127\.0\.0\.1(:|', )\d+", r"127.0.0.1\1PORT", cp.stdout.decode())
    return dict(l.split(" ", 1) for l in out.splitlines())


def start_go(procs, gobin, accepted=None, key=None):
    port = free_port()
    cmd = [os.path.join(gobin, "pyro-echo"), "-H", "127.0.0.1", "-p", str(port)]
    if key:
        cmd += ["-k", key]
    p = procs.start(cmd, env=pyro4_env(accepted=accepted))
    out = wait_output(p, "echoserver running.")
    uri = [l for l in out.splitlines() if l.startswith("echo uri: ")][0].split(": ", 1)[1]
    assert uri == "PYRO:test.echoserver@127.0.0.1:%d" % port
    return uri, out


def start_python(procs, accepted=None, key=None):
    port = free_port()
    cmd = [sys.executable, "-m", "Pyro4.test.echoserver", "-H", "127.0.0.1", "-p", str(port)]
    if key:
        cmd += ["-k", key]
    p = procs.start(cmd, env=pyro4_env(accepted=accepted))
    wait_output(p, "echoserver running.")
    return "PYRO:test.echoserver@127.0.0.1:%d" % port


# The one difference: the shared echo object raises error() with Pyro 5's
# text (the Go object serves Pyro 4 and Pyro 5 clients alike).
def comparable(lines):
    return {k: v for k, v in lines.items() if k != "error"}


ALL = "serpent,json,marshal,msgpack,pickle"


@pytest.mark.parametrize("serializer", ["serpent", "json", "marshal", "msgpack", "pickle"])
def test_same_answers_as_pyro4_echoserver(procs, gobin, serializer):
    go, _ = start_go(procs, gobin, accepted=ALL)
    py = start_python(procs, accepted=ALL)
    want = client(py, serializer)
    got = client(go, serializer)
    assert comparable(got) == comparable(want)
    assert got["echo"] == "-> ['hello', %s, {'k': [3]}, None, True, -7, 1180591620717411303424]" % (
        "[1, 2.5]" if serializer in ("json", "msgpack") else "(1, 2.5)")
    assert got["nosuch"] == ("!! builtins.AttributeError: remote object 'PYRO:test.echoserver@127.0.0.1:PORT' "
                             "has no exposed attribute or method 'nosuchmethod'")
    assert got["error"].startswith("!! builtins.ValueError: ")
    assert got["error_with_text"] == "!! builtins.ValueError: the message of the error"
    assert got["remote_traceback"] == "-> True"
    assert got["generator"] == "-> ['one', 'two', 'three']"
    assert got["oneway_echo"] == "-> None"
    assert got["unknown_object"].startswith("!! Pyro4.errors.CommunicationError: ")
    assert got["unknown_object"].endswith("rejected: unknown object")
    if serializer == "marshal":
        # Pyro4's marshal serializer fails in the client for the calls it
        # makes with kwargs None (attribute access, batches), against any
        # daemon.
        assert got["verbose"] == got["batch"] == "!! builtins.AttributeError: 'NoneType' object has no attribute 'items'"
    else:
        assert got["verbose"] == "-> False"
        assert got["batch_error"] == "!! builtins.ValueError: the message of the error"


@pytest.mark.parametrize("serializer", ["pickle", "msgpack"])
def test_serializer_not_accepted(procs, gobin, serializer):
    """Pyro4's default SERIALIZERS_ACCEPTED (serpent, marshal, json) on both
    daemons: pickle and msgpack clients are refused at connect."""
    go, _ = start_go(procs, gobin)
    py = start_python(procs)
    want = client(py, serializer)["connect"]
    got = client(go, serializer)["connect"]
    prefix = "!! Pyro4.errors.CommunicationError: connection to ('127.0.0.1', "
    assert want.startswith(prefix) and got.startswith(prefix)
    text = "rejected: message used serializer that is not accepted: %d" % {"pickle": 4, "msgpack": 6}[serializer]
    assert text in want
    assert text in got
    assert client(go, "serpent")["echo"].startswith("-> ['hello'")


@pytest.mark.parametrize("client_key", ["s3cr3t key", "wrong key", None])
@pytest.mark.parametrize("daemon_key", ["s3cr3t key", None])
def test_hmac(procs, gobin, client_key, daemon_key):
    go, _ = start_go(procs, gobin, key=daemon_key)
    py = start_python(procs, key=daemon_key)
    want = client(py, key=client_key)
    got = client(go, key=client_key)
    assert comparable(got) == comparable(want)
    if client_key == daemon_key:
        assert got["connect"] == "-> True"
        assert got["generator"] == "-> ['one', 'two', 'three']"
    else:
        assert got["connect"].startswith("!! Pyro4.errors.CommunicationError: ")
        assert got["connect"].endswith(("message hmac mismatch", "hmac key config not symmetric"))


def test_beside_pyro3_client(procs, gobin):
    """A Pyro 3 client and a Pyro 4 client on the same port, at once."""
    go, out = start_go(procs, gobin, key="k")
    loc = [l for l in out.splitlines() if l.startswith("echo uri = PYROLOC://")][0].split(" = ", 1)[1]
    p3 = procs.py2("core_echo_client.py", loc)
    got = client(go, key="k")
    out3, err3 = p3.communicate(timeout=60)
    assert p3.returncode == 0, err3.decode(errors="replace")
    assert out3.decode().splitlines()[0] == "'hello'"
    assert got["echo"].startswith("-> ['hello'")
    assert run_py2("core_echo_client.py", loc).stdout.decode().splitlines()[0] == "'hello'"
