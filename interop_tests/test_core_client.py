"""Real Pyro 3.16 clients (Python 2.7) calling a Go daemon (goprogs/coreserver).

Each test starts coreserver on an ephemeral port and runs a scenario of
py2/core_client.py against it; the scenario prints name=repr(value) lines.
"""
import ast
import os
import select
import signal
import subprocess
import time

import pytest

from conftest import PY2, PY2_DIR, free_port, py2_env, run_py2


def read_lines_until(proc, last, timeout=15.0):
    """Reads proc's stdout (unbuffered) up to and including the line last."""
    deadline = time.time() + timeout
    buf = b""
    fd = proc.stdout.fileno()
    while True:
        lines = buf.decode(errors="replace").split("\n")
        if last in lines[:-1]:
            return lines[:lines.index(last)]
        left = deadline - time.time()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise AssertionError("no %r from %r within %.0fs; got %r" % (last, proc.args, timeout, buf))
        chunk = os.read(fd, 65536)
        if not chunk:
            raise AssertionError("%r exited: %r %s" % (proc.args, buf, proc.stderr.read().decode()))
        buf += chunk


def start_coreserver(procs, gobin, port, *args):
    p = procs.start([os.path.join(gobin, "coreserver"), "-port", str(port)] + list(args))
    uris = {}
    for line in read_lines_until(p, "READY"):
        kind, name, uri = line.split()
        # Pyro 5 URIs (URI5 lines) under "5:name".
        uris[name if kind == "URI" else "5:" + name] = uri
    return p, uris


def start_server(procs, gobin, *args):
    """Starts coreserver; returns (process, port, {name: uri})."""
    port = free_port()
    p, uris = start_coreserver(procs, gobin, port, "-lifetime", "120s", *args)
    return p, port, uris


def results(cp):
    got = {}
    for line in cp.stdout.decode().splitlines():
        if "=" in line:
            name, value = line.split("=", 1)
            got[name] = value
    return got


def scenario(*args, timeout=60):
    return results(run_py2("core_client.py", *args, timeout=timeout))


@pytest.fixture
def server(procs, gobin):
    return start_server(procs, gobin)


def test_calls(server):
    _, port, uris = server
    r = scenario("calls", port)
    assert r["add"] == "7"
    assert r["add_long"] == "1099511627777"
    assert r["concat"] == "u'ab\\u20ac'"
    assert ast.literal_eval(r["kw"].replace("u'", "'")) == [1, [2, 3], {"c": "x", "b": 2}]
    assert r["kw_none"] == "['only', [], {}]"
    assert r["sum"] == "6.5"
    assert r["sum_none"] == "0.0"
    assert r["echo"] == "True"
    assert r["pair"] == "(10, u'5')"
    assert r["len"] == "6"
    assert r["counter"] == "[1, 2, 3]"
    assert r["whoami_ok"] == "True"
    assert r["pyro_uri_add"] == "30"
    assert r["uri_protocol"] == "'PYRO'"
    assert r["registered"] == "[':test.attrs', ':test.core', ':test.recorder', '__PYRO_Internal_Daemon']"


def test_exceptions(server):
    _, port, _ = server
    r = scenario("exceptions", port)
    assert r["value_class"] == "'ValueError'"
    assert r["value_str"] == "'bad value: x'"
    assert r["custom_class"] == "'core_objs.MyError'"
    assert r["custom_args"] == "('custom', 1)"
    assert r["goerror_class"] == "'RuntimeError'"
    assert r["goerror_str"] == "'plain go error'"
    assert r["panic_class"] == "'RuntimeError'"
    assert r["panic_str"] == "'panic: boom from Go'"
    tb = ast.literal_eval(r["panic_tb"])
    assert "This exception occured remotely (Pyro) - Remote traceback:" in tb
    assert "coreserver/main.go\", line" in tb
    assert "in main.deepPanic" in tb
    assert "in main.(*Test).Panic" in tb
    assert r["naming_class"] == "'NamingError'"
    assert r["naming_args"] == "('name not found', ':Default.x')"
    assert r["attr_class"] == "'AttributeError'"
    assert r["attr_str"] == "\"'Test' object has no attribute 'nosuchmethod'\""
    assert r["typeerror_class"] == "'TypeError'"
    assert r["after"] == "2"
    assert r["unknown_class"] == "'ProtocolError'"
    assert r["unknown_str"] == "'unknown object ID'"
    assert r["pyroloc_class"] == "'NamingError'"
    assert r["pyroloc_args"] == "('no object found by this name', 'no.such.name')"


def test_attributes(server):
    _, port, _ = server
    r = scenario("attrs", port)
    assert r["value"] == "42"
    assert r["label"] == "u'hello'"
    assert r["list"] == "[1, 2]"
    assert r["double"] == "84"
    assert r["value2"] == "7"
    assert r["double2"] == "14"
    assert r["set_method"] == "'not an attribute'"
    assert r["missing_class"] == "'AttributeError'"


def test_oneway_ordering(server):
    _, port, _ = server
    r = scenario("oneway", port, 500)
    assert r == {"gate": "u'opened'", "ordered": "True"}


def test_callbacks_and_proxies(server):
    _, port, _ = server
    r = scenario("callbacks", port)
    assert r["callback"] == "('python got', u'hi')"
    assert r["callback_seen"] == "[u'hi']"
    assert r["proxy_uri"] == "True"
    assert r["item_class"] == "'DynamicProxy'"
    assert r["item_name"] == "u'widget'"
    assert r["item_name_go"] == "u'widget'"
    assert r["items"] == "[u'w0', u'w1', u'w2']"
    assert r["roundtrip"] == "True"


def test_100_concurrent_clients(server):
    _, port, _ = server
    r = scenario("concurrent", port, 100, 20, timeout=120)
    assert r["ok"] == "100", r["errors"]
    assert r["shared"] == "True"


def test_client_killed_mid_call(procs, server):
    proc, port, _ = server
    c = procs.py2("core_client.py", "sleeper", port, 30)
    read_lines_until(c, "CALLING", 30)
    time.sleep(0.2)
    c.kill()
    c.wait(10)
    r = scenario("calls", port)
    assert r["add"] == "7"
    assert proc.poll() is None


def test_restart_under_live_proxy(procs, gobin):
    port = free_port()
    s1, _ = start_coreserver(procs, gobin, port, "-fixed", "-lifetime", "60s")
    c = subprocess.Popen([PY2, os.path.join(PY2_DIR, "core_client.py"), "restart", str(port)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=py2_env())
    procs.procs.append(c)
    assert read_lines_until(c, "RESTART", 30) == ["before=3"]
    s1.send_signal(signal.SIGINT)
    s1.wait(10)
    start_coreserver(procs, gobin, port, "-fixed", "-lifetime", "60s")
    c.stdin.write(b"go\n")
    c.stdin.flush()
    out, err = c.communicate(timeout=60)
    r = {}
    for line in out.decode().splitlines():
        if "=" in line:
            name, value = line.split("=", 1)
            r[name] = value
    assert c.returncode == 0, err.decode()
    assert r["after"] == "5"
    assert r["after_release"] == "7"
    assert r.get("first_error", "'ConnectionClosedError'") in ("'ConnectionClosedError'", "'ProtocolError'")


def test_identification(procs, gobin):
    _, port, _ = start_server(procs, gobin, "-ident", "s3cr3t,other")
    assert scenario("ident", port, "s3cr3t")["result"] == "'ok'"
    assert scenario("ident", port, "other")["result"] == "'ok'"
    assert scenario("ident", port, "wrong")["result"] == "'ConnectionDeniedError: security reasons'"
    assert scenario("ident", port, "-")["result"] == "'ConnectionDeniedError: security reasons'"


def test_max_connections(procs, gobin):
    _, port, _ = start_server(procs, gobin, "-maxconn", "1")
    assert scenario("ident", port, "-")["result"] == "'ConnectionDeniedError: server too busy'"


def test_10mb_echo(server):
    _, port, _ = server
    r = scenario("bigecho", port, 10, timeout=120)
    assert r == {"same": "True", "len": str(10 * 1024 * 1024)}


def test_unicode_and_binary_strings(server):
    _, port, _ = server
    r = scenario("strings", port)
    assert r["binary"] == "(True, 'str')"
    assert r["unicode"] == "(True, 'unicode')"
    assert r["empty_str"] == "(True, 'str')"
    assert r["empty_uni"] == "(True, 'unicode')"
    assert r["ascii_uni"] == "(True, 'unicode')"
    assert r["latin1_str"] == "(True, 'str')"
    assert r["go_unicode"] == "(True, 'unicode')"
    assert r["go_binary"] == "(True, 'str')"


@pytest.mark.parametrize("side", ["client", "server", "both"])
def test_compression_and_checksum(procs, gobin, side):
    flags = {"PYRO_COMPRESSION": "1", "PYRO_CHECKSUM": "1"}
    env = dict(os.environ, **flags) if side in ("server", "both") else None
    port = free_port()
    p = procs.start([os.path.join(gobin, "coreserver"), "-port", str(port), "-lifetime", "60s"], env=env)
    read_lines_until(p, "READY")
    cenv = flags if side in ("client", "both") else None
    r = results(run_py2("core_client.py", "calls", port, env=cenv))
    assert r["add"] == "7" and r["echo"] == "True"
    r = results(run_py2("core_client.py", "bigecho", port, 2, env=cenv, timeout=120))
    assert r == {"same": "True", "len": str(2 * 1024 * 1024)}


@pytest.mark.parametrize("fmt", ["0", "1"])
def test_old_pickle_protocols(server, fmt):
    _, port, _ = server
    r = results(run_py2("core_client.py", "calls", port, env={"PYRO_PICKLE_FORMAT": fmt}))
    assert r["add"] == "7"
    assert r["echo"] == "True"
    assert r["kw_none"] == "['only', [], {}]"
    r = results(run_py2("core_client.py", "attrs", port, env={"PYRO_PICKLE_FORMAT": fmt}))
    assert r["value2"] == "7"
