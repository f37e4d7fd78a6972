"""A Go core.Proxy (goprogs/pyro5proxy) calls a real Python Pyro5 5.17
daemon (py5/proxy_server.py): each serializer, metadata, oneway,
attributes, batches, item streams, timeouts, reconnection, CONNECTFAIL,
and PYRONAME/PYROMETA resolution through Pyro5's own name server."""
import os
import subprocess
import sys

from conftest import free_port, readline_with_timeout

import pytest

from conftest import PY5_DIR, py5_env
from test_ns_common import wait_line

SERIALIZERS = ["serpent", "marshal", "json", "msgpack"]


def start_py_server(procs, *args, env=None):
    p = procs.start([sys.executable, os.path.join(PY5_DIR, "proxy_server.py")] + [str(a) for a in args],
                    env=py5_env(env))
    return wait_line(p, r"^URI (\S+)").group(1)


@pytest.fixture
def uri(procs):
    return start_py_server(procs)


def go(gobin, scenario, *uris, serializer=None, timeout=60):
    cmd = [os.path.join(gobin, "pyro5proxy")]
    if serializer:
        cmd += ["-serializer", serializer]
    cmd += [scenario] + list(uris)
    out = subprocess.run(cmd, capture_output=True, timeout=timeout)
    assert out.returncode == 0, out.stderr.decode()
    return dict(l.split(" ", 1) for l in out.stdout.decode().splitlines())


# What a Python Pyro5 proxy with the same serializer makes the server see.
PY_KINDS = """
import sys
import Pyro5.api
with Pyro5.api.Proxy(sys.argv[1]) as p:
    print(",".join(p.kinds((1, "two"), 1.5, [1], {"a": 1}, "s", None, True)))
"""


@pytest.mark.parametrize("serializer", SERIALIZERS)
def test_serializers(gobin, uri, serializer):
    """The Go proxy speaks each serializer as Pyro5's proxy does."""
    want = subprocess.run([sys.executable, "-c", PY_KINDS, uri], capture_output=True, timeout=60,
                          env=py5_env({"PYRO_SERIALIZER": serializer}), check=True).stdout.decode().strip()
    got = go(gobin, "serializers", uri, serializer=serializer)
    assert got["kinds"] == "-> " + want
    assert got["add"] == "-> 42"
    assert got["echo"] == "-> [u'gr\\xfc\\xdf', 3.25, 1099511627776]"


def test_serpent_is_default(gobin, uri):
    assert go(gobin, "serializers", uri)["kinds"] == go(gobin, "serializers", uri, serializer="serpent")["kinds"]


@pytest.mark.parametrize("serializer", SERIALIZERS)
def test_metadata_oneway_attributes(gobin, uri, serializer):
    """The metadata of CONNECTOK drives the proxy as it drives Pyro5's."""
    got = go(gobin, "metadata", uri, serializer=serializer)
    assert got["meta"] == ("-> methods=add,count,echo,fail,kinds,open_streams,record,recorded,release,slow"
                           " oneway=record attrs=value")
    assert got["record"] == "-> None"
    assert got["oneway_fail"] == "-> None"
    assert got["release"] == "-> None"
    # record(7) ran although the proxy did not wait for it
    assert got["recorded"] == "-> [7]"
    prefix = "!! builtins.AttributeError: remote object '%s' has no exposed " % uri
    assert got["missing"] == prefix + "attribute or method 'nosuch'"
    assert got["get"] == "-> 1"
    assert got["set"] == "-> None"
    assert got["get_after_set"] == "-> 5"
    assert got["get_missing"] == prefix + "attribute or method 'nosuch'"
    assert got["set_method"] == prefix + "attribute 'add'"
    assert got["ismethod_add"] == "-> True"
    assert got["ismethod_value"] == "-> False"


@pytest.mark.parametrize("serializer", SERIALIZERS)
def test_batch(gobin, uri, serializer):
    """Pyro5's BatchProxy semantics: in order, up to the call that raises."""
    got = go(gobin, "batch", uri, serializer=serializer)
    if serializer == "marshal":
        # Pyro5's daemon cannot marshal the _ExceptionWrapper of a batch:
        # it answers that error instead (a Python proxy fails before
        # sending, see MARSHAL_CLIENT_ERROR in test_pyro5_core.py)
        assert got["batch"] == "-> []"
        assert got["batch_error"] == "!! builtins.ValueError: unmarshallable object"
    else:
        assert got["batch"] == "-> [3, u'kw']"
        assert got["batch_error"] == "!! builtins.ValueError: boom"
    kind = "list" if serializer in ("json", "msgpack") else "tuple"
    assert got["batch_again"] == "-> [[u'%s'], u'ab']" % kind
    assert got["oneway_batch"] == "-> None"
    assert got["recorded"] == "-> [9]"


@pytest.mark.parametrize("serializer", SERIALIZERS)
def test_item_stream(gobin, uri, serializer):
    """A generator's items arrive one by one; an abandoned stream is closed."""
    got = go(gobin, "stream", uri, serializer=serializer)
    assert got["count"] == "-> [0, 1, 2, 3]"
    assert got["after_end"] == "-> EOF"
    assert got["abandoned"] == "-> [0, 1]"
    # the proxy's close_stream made the daemon drop the generator
    assert got["open_streams"] == "-> 0"


@pytest.mark.parametrize("serializer", SERIALIZERS)
def test_timeouts(gobin, uri, serializer):
    got = go(gobin, "timeout", uri, serializer=serializer)
    for name in ("proxy_timeout", "deadline"):
        assert got[name] == "!! Pyro.errors.TimeoutError: connection timeout"
        assert got[name + "_fast"] == "-> true"
    assert got["after_proxy_timeout"] == "-> 3"
    assert got["after_deadline"] == "-> 7"


def test_reconnect_after_restart(procs, gobin):
    """Pyro5's _pyroReconnect: the daemon comes back on its port."""
    port = free_port()
    server = procs.start([sys.executable, os.path.join(PY5_DIR, "proxy_server.py"), str(port)], env=py5_env())
    uri = wait_line(server, r"^URI (\S+)").group(1)
    client = subprocess.Popen([os.path.join(gobin, "pyro5proxy"), "reconnect", uri],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    procs.procs.append(client)
    seen = []
    while not seen or not seen[-1].startswith("ready"):
        seen.append(readline_with_timeout(client, 30))
    server.kill()
    server.wait(10)
    server = procs.start([sys.executable, os.path.join(PY5_DIR, "proxy_server.py"), str(port)], env=py5_env())
    assert wait_line(server, r"^URI (\S+)").group(1) == uri
    out, err = client.communicate(b"go\n", timeout=60)
    assert client.returncode == 0, err.decode()
    got = dict(l.split(" ", 1) for l in seen + out.decode().splitlines(True))
    assert got["before"] == "-> 3\n"
    assert got["stale"] == "!! Pyro.errors.ConnectionClosedError: connection lost\n"
    assert got["reconnect"] == "-> None\n"
    assert got["after"] == "-> 5\n"
    assert got["meta_after"] == "-> u'record'\n"


def test_connectfail_in_marshal(procs, gobin):
    """A Pyro5 daemon without a free worker refuses in marshal, which the
    proxy reads whatever its own serializer."""
    uri = start_py_server(procs, env={"PYRO_THREADPOOL_SIZE": 1, "PYRO_THREADPOOL_SIZE_MIN": 1})
    got = go(gobin, "busy", uri)
    assert got["first"] == "-> 3"
    for serializer in ("serpent", "json", "msgpack"):
        assert got["second_" + serializer] == ("!! Pyro.errors.ConnectionDeniedError: "
                                               "no free workers, increase server threadpool size")


@pytest.mark.parametrize("serializer", SERIALIZERS)
def test_unknown_object_and_exception(gobin, uri, serializer):
    got = go(gobin, "unknown", uri, serializer=serializer)
    assert got["unknown"] == "!! Pyro.errors.ConnectionDeniedError: unknown object"
    assert got["fail"] == "!! builtins.ValueError: bad value"
    assert got["fail_traceback"] == "-> true"


@pytest.fixture
def pyro5_ns(procs):
    """Pyro5's own name server on a free port, without broadcast; returns
    its host:port."""
    ns = procs.start([sys.executable, "-m", "Pyro5.nameserver", "-n", "127.0.0.1", "-p", "0", "-x"],
                     env=py5_env({"PYTHONUNBUFFERED": 1}))
    return wait_line(ns, r"^URI = PYRO:Pyro.NameServer@(\S+)", timeout=30).group(1)


@pytest.mark.parametrize("serializer", SERIALIZERS)
def test_pyroname_pyrometa(procs, gobin, pyro5_ns, serializer):
    """PYRONAME and PYROMETA URIs resolved by Pyro5's name server."""
    uri = start_py_server(procs, 0, pyro5_ns)
    host, port = pyro5_ns.rsplit(":", 1)
    cmd = [os.path.join(gobin, "pyro5proxy"), "-serializer", serializer, "names", "PYRONAME:test.proxy@" + pyro5_ns]
    out = subprocess.run(cmd, capture_output=True, timeout=60,
                         env=dict(os.environ, PYRO_NS_HOST=host, PYRO_NS_PORT=port))
    assert out.returncode == 0, out.stderr.decode()
    got = dict(l.split(" ", 1) for l in out.stdout.decode().splitlines())
    assert got["byname"] == "-> 3"
    assert got["byname_bound"] == "-> " + uri
    assert got["bymeta"] == got["bymeta_one"] == got["noloc"] == "-> 3"
    assert got["unknown_name"] == "!! Pyro5.errors.NamingError: unknown name: nosuch"
    assert got["unknown_meta"] == ("!! Pyro5.errors.NamingError: no registrations available with desired"
                                   " metadata properties {'group:none'}")
    assert got["no_ns"] == "!! Pyro5.errors.NamingError: Failed to locate the nameserver"


@pytest.mark.parametrize("serializer", SERIALIZERS)
def test_typed_errors(gobin, pyro5_ns, serializer):
    """Pyro5's NamingError, raised by Pyro5's name server or by the search
    for it, reaches Go as *compat.NamingError (and its base PyroError),
    which errors.As matches; it is no CommunicationError."""
    got = go(gobin, "typed", "PYRO:Pyro.NameServer@" + pyro5_ns, serializer=serializer)
    assert got["lookup"] == "-> NamingError,PyroError, Pyro5.errors: unknown name: nosuch"
    assert got["register_safe"] == "-> NamingError,PyroError, Pyro5.errors: name already registered: Pyro.NameServer"
    assert got["pyroname"] == "-> NamingError,PyroError, Pyro5.errors: unknown name: nosuch"
    assert got["pyrometa"] == ("-> NamingError,PyroError, Pyro5.errors: no registrations available with"
                               " desired metadata properties {'group:none'}")
    assert got["no_ns"] == "-> NamingError,PyroError, Pyro5.errors: Failed to locate the nameserver"
