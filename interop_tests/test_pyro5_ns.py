"""Our pyro-ns serves unmodified Pyro5 5.17 clients (Pyro5.api.locate_ns,
the name server API of Pyro5.nameserver.NameServer) on the port where Pyro
3 clients use it, on one name space: what one generation registers the
other finds, metadata included, and a restart keeps it (-d)."""
import os
import signal
import subprocess
import sys
import tempfile

import pytest

from conftest import PY2, free_port, py2_env, py5_env, wait_port
from test_core_client import start_coreserver
from test_ns_common import start_go_ns

SERIALIZERS = ["serpent", "marshal", "json", "msgpack"]

PY5_PRELUDE = """
import sys
import Pyro5.api, Pyro5.errors
def norm(v):
    # what each serializer makes of a result, in one spelling
    if isinstance(v, dict):
        return sorted((k, norm(x)) for k, x in v.items())
    if isinstance(v, (tuple, list)) and len(v) == 2 and str(v[0]).startswith("PYRO"):
        return (str(v[0]), sorted(v[1]))
    return v
def show(label, f):
    try:
        v = f()
    except Exception as x:
        print(label, "!!", type(x).__module__ + "." + type(x).__name__ + ":", x)
    else:
        print(label, "->", norm(v))
ns = Pyro5.api.locate_ns(sys.argv[1], int(sys.argv[2]))
"""


def py5(port, code, serializer="serpent"):
    """Runs Pyro5 client code (with ns located at 127.0.0.1:port and show())
    and returns {label: result}."""
    cp = subprocess.run([sys.executable, "-c", PY5_PRELUDE + code, "127.0.0.1", str(port)],
                        capture_output=True, timeout=60, env=py5_env({"PYRO_SERIALIZER": serializer}))
    assert cp.returncode == 0, cp.stderr.decode(errors="replace")
    return dict(l.split(" ", 1) for l in cp.stdout.decode().splitlines())


PY2_PRELUDE = """
import sys
import Pyro.core, Pyro.naming
Pyro.core.initClient(banner=0)
ns = Pyro.naming.NameServerLocator().getNS(host='127.0.0.1', port=int(sys.argv[1]))
"""


def py2(port, code):
    cp = subprocess.run([PY2, "-c", PY2_PRELUDE + code, str(port)], capture_output=True,
                        timeout=60, env=py2_env())
    assert cp.returncode == 0, cp.stderr.decode(errors="replace")
    return cp.stdout.decode()


@pytest.mark.parametrize("serializer", SERIALIZERS)
def test_pyro5_api(procs, gobin, serializer):
    port = free_port()
    start_go_ns(procs, gobin, port)
    got = py5(port, """
show("ping", ns.ping)
show("count", ns.count)
show("own", lambda: ns.lookup("Pyro.NameServer", return_metadata=True))
show("register", lambda: ns.register("example.greeting", "PYRO:obj_1@127.0.0.1:5000", metadata={"a", "b"}))
show("register_uri", lambda: ns.register("example.other", Pyro5.api.URI("PYRO:obj_2@127.0.0.1:5001")))
show("safe", lambda: ns.register("example.other", "PYRO:x@127.0.0.1:1", safe=True))
show("badname", lambda: ns.register(42, "PYRO:x@127.0.0.1:1"))
show("baduri", lambda: ns.register("x", "nonsense"))
show("strmeta", lambda: ns.register("x", "PYRO:x@127.0.0.1:1", metadata="tag"))
show("lookup", lambda: ns.lookup("example.greeting"))
show("lookup_meta", lambda: ns.lookup("example.greeting", return_metadata=True))
show("unknown", lambda: ns.lookup("nothing"))
show("set_metadata", lambda: ns.set_metadata("example.other", ["c", "a"]))
show("set_unknown", lambda: ns.set_metadata("nothing", ["c"]))
show("list", ns.list)
show("list_prefix", lambda: ns.list(prefix="example."))
show("list_regex", lambda: ns.list(regex=r".*\\.other", return_metadata=True))
show("list_both", lambda: ns.list(prefix="a", regex="b"))
show("yp_all", lambda: ns.yplookup(meta_all=["a"]))
show("yp_any", lambda: ns.yplookup(meta_any={"c"}, return_metadata=False))
show("count2", ns.count)
show("remove_ns", lambda: ns.remove("Pyro.NameServer"))
show("remove", lambda: ns.remove("example.greeting"))
show("remove_again", lambda: ns.remove("example.greeting"))
show("remove_prefix", lambda: ns.remove(prefix="Pyro."))
show("remove_regex", lambda: ns.remove(regex="ex.*"))
show("count3", ns.count)
""", serializer)
    nsuri = "PYRO:Pyro.NameServer@127.0.0.1:%d" % port
    assert got["ping"] == "-> None"
    assert got["count"] == "-> 1"
    assert got["own"] == "-> (%r, ['class:Pyro5.nameserver.NameServer'])" % nsuri
    assert got["register"] == "-> None"
    assert got["register_uri"] == "-> None"
    assert got["safe"] == "!! Pyro5.errors.NamingError: name already registered: example.other"
    assert got["badname"] == "!! builtins.TypeError: name must be a str"
    assert got["baduri"] == "!! Pyro5.errors.PyroError: invalid uri"
    assert got["strmeta"] == "!! builtins.TypeError: metadata should not be a str, but another iterable (set, list, etc)"
    assert got["lookup"] == "-> PYRO:obj_1@127.0.0.1:5000"
    assert got["lookup_meta"] == "-> ('PYRO:obj_1@127.0.0.1:5000', ['a', 'b'])"
    assert got["unknown"] == "!! Pyro5.errors.NamingError: unknown name: nothing"
    assert got["set_metadata"] == "-> None"
    assert got["set_unknown"] == "!! Pyro5.errors.NamingError: unknown name: nothing"
    assert got["list"] == "-> [('Pyro.NameServer', %r), ('example.greeting', 'PYRO:obj_1@127.0.0.1:5000'), " \
        "('example.other', 'PYRO:obj_2@127.0.0.1:5001')]" % nsuri
    assert got["list_prefix"] == "-> [('example.greeting', 'PYRO:obj_1@127.0.0.1:5000'), " \
        "('example.other', 'PYRO:obj_2@127.0.0.1:5001')]"
    assert got["list_regex"] == "-> [('example.other', ('PYRO:obj_2@127.0.0.1:5001', ['a', 'c']))]"
    assert got["list_both"] == "!! builtins.ValueError: you can only filter on one thing at a time"
    assert got["yp_all"] == "-> [('example.greeting', ('PYRO:obj_1@127.0.0.1:5000', ['a', 'b'])), " \
        "('example.other', ('PYRO:obj_2@127.0.0.1:5001', ['a', 'c']))]"
    assert got["yp_any"] == "-> [('example.other', 'PYRO:obj_2@127.0.0.1:5001')]"
    assert got["count2"] == "-> 3"
    assert got["remove_ns"] == "-> 0"
    assert got["remove"] == "-> 1"
    assert got["remove_again"] == "-> 0"
    assert got["remove_prefix"] == "-> 0"
    assert got["remove_regex"] == "-> 1"
    assert got["count3"] == "-> 1"


def test_pyro3_registration_found_and_called_by_pyro5(procs, gobin):
    """A Go object registered by its daemon through Pyro 3, with meta data
    set by a Pyro 3 client, is found by a Pyro 5 client and called over Pyro
    5 with the URI it is given."""
    port = free_port()
    start_go_ns(procs, gobin, port)
    py2(port, "ns.createGroup(':test')\n")
    _, uris = start_coreserver(procs, gobin, free_port(), "-ns", "127.0.0.1:%d" % port, "-lifetime", "120s")
    py2(port, "ns.setMeta(':test.core', ['go', 'core'])\n"
              "ns.register('py2only', 'PYRO://127.0.0.1:1/c0a8000116e10f0bd8d3e6a4ae1e8b44')\n")
    guid = uris[":test.core"].rsplit("/", 1)[1]
    got = py5(port, """
show("lookup", lambda: ns.lookup(":test.core", return_metadata=True))
show("yp", lambda: sorted(ns.yplookup(meta_all=["go"])))
show("call", lambda: Pyro5.api.Proxy(ns.lookup(":test.core")).add(20, 22))
show("pyroname", lambda: Pyro5.api.Proxy("PYRONAME::test.core@127.0.0.1:%s" % sys.argv[2]).add(1, 2))
show("py2only", lambda: ns.lookup("py2only"))
""")
    assert got["lookup"] == "-> ('PYRO:%s@%s', ['core', 'go'])" % (guid, uris[":test.core"].split("/")[2])
    assert got["yp"] == "-> [':test.core']"
    assert got["call"] == "-> 42"
    assert got["pyroname"] == "-> 3"
    assert got["py2only"] == "-> PYRO:c0a8000116e10f0bd8d3e6a4ae1e8b44@127.0.0.1:1"


def test_pyro5_registration_found_by_pyro3(procs, gobin):
    port = free_port()
    start_go_ns(procs, gobin, port)
    py5(port, 'ns.register("example.greeting", "PYRO:obj_1@127.0.0.1:5000", metadata={"tag", "x"})\n')
    out = py2(port, "u = ns.resolve('example.greeting')\n"
                    "print u.protocol, u.address, u.port, u.objectID\n"
                    "print sorted(ns.getMeta('example.greeting'))\n"
                    "print ns.list(':Default')\n"
                    "print [n for n, u in ns.flatlist()]\n")
    assert out.splitlines() == [
        "PYRO 127.0.0.1 5000 obj_1",
        "[u'tag', u'x']",
        "[('example', 0)]",
        "[':Default.example.greeting', ':Pyro.NameServer']",
    ]
    # a Pyro 3 client removes it, and the Pyro 5 client sees that
    py2(port, "ns.unregister('example.greeting')\n")
    assert py5(port, 'show("lookup", lambda: ns.lookup("example.greeting"))\n')["lookup"] == \
        "!! Pyro5.errors.NamingError: unknown name: example.greeting"


def test_pyro3_clients_do_not_see_the_pyro5_object(procs, gobin):
    """The daemon's listing for Pyro 3 clients is the Pyro 3 name server's;
    a Pyro 5 client's lists Pyro.NameServer."""
    port = free_port()
    start_go_ns(procs, gobin, port)
    out = py2(port, "d = Pyro.core.getProxyForURI('PYRO://127.0.0.1:%s/' + Pyro.constants.INTERNAL_DAEMON_GUID)\n"
                    "print sorted(d.getRegistered().values())\n" % port)
    assert out.strip() == "[':Pyro.NameServer', '__PYRO_Internal_Daemon']"
    got = py5(port, 'show("registered", lambda: sorted(Pyro5.api.Proxy("PYRO:Pyro.Daemon@127.0.0.1:%s" % sys.argv[2]).registered()))\n')
    assert "'Pyro.NameServer'" in got["registered"]


def test_restart_keeps_pyro5_metadata(procs, gobin):
    port = free_port()
    storage = tempfile.mkdtemp(prefix="gons5-restart-")
    ns, _ = start_go_ns(procs, gobin, port, "-d", storage=storage)
    py5(port, 'ns.register("kept", "PYRO:obj_1@127.0.0.1:5000", metadata=["m1", "m2"])\n'
              'ns.register("gone", "PYRO:obj_2@127.0.0.1:5000")\n'
              'ns.remove("gone")\n')
    py2(port, "ns.createGroup(':g3')\n"
              "ns.register(':g3.x', 'PYRO://127.0.0.1:2/c0a8000116e10f0bd8d3e6a4ae1e8b44')\n"
              "ns.setMeta(':g3.x', ('t3',))\n")
    ns.send_signal(signal.SIGINT)
    ns.wait(timeout=10)
    start_go_ns(procs, gobin, port, "-d", storage=storage)
    got = py5(port, 'show("list", lambda: ns.list(return_metadata=True))\n')
    assert got["list"] == "-> [(':g3.x', ('PYRO:c0a8000116e10f0bd8d3e6a4ae1e8b44@127.0.0.1:2', ['t3'])), " \
        "('Pyro.NameServer', ('PYRO:Pyro.NameServer@127.0.0.1:%d', ['class:Pyro5.nameserver.NameServer'])), " \
        "('kept', ('PYRO:obj_1@127.0.0.1:5000', ['m1', 'm2']))]" % port


def test_locate_ns_by_broadcast(procs, gobin):
    """Pyro5.api.locate_ns() without a host finds our name server by
    broadcast (GET_NSURI on Pyro 5's discovery port), on loopback only,
    while Pyro 3's locator finds it on Pyro 3's port."""
    port, bc3, bc5, closed = free_port(), free_port(), free_port(), free_port()
    start_go_ns(procs, gobin, port, "-c", "127.0.0.1", "-b", bc3, "--bchost=127.0.0.1", "--bcport=%d" % bc5)
    code = ("import Pyro5.api\n"
            "ns = Pyro5.api.locate_ns()\n"
            "print(ns._pyroUri, ns.count())\n")
    cp = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60,
                        env=py5_env({"PYRO_NS_BCPORT": bc5, "PYRO_BROADCAST_ADDRS": "127.0.0.1",
                                     "PYRO_NS_PORT": closed}))
    assert cp.returncode == 0, cp.stderr.decode(errors="replace")
    assert cp.stdout.decode().split() == ["PYRO:Pyro.NameServer@127.0.0.1:%d" % port, "1"]
    cp = subprocess.run([PY2, "-c", "import Pyro.core, Pyro.naming\nPyro.core.initClient(banner=0)\n"
                         "print Pyro.naming.NameServerLocator().getNS().URI.port\n"],
                        capture_output=True, timeout=60,
                        env=py2_env({"PYRO_NS_BC_PORT": bc3, "PYRO_NS_BC_ADDR": "127.0.0.1"}))
    assert cp.returncode == 0, cp.stderr.decode(errors="replace")
    assert cp.stdout.decode().strip() == str(port)


NSC5_SCRIPT = [
    (["ping"], ""),
    (["register", "example.a", "PYRO:obj_a@127.0.0.1:5001"], ""),
    (["register", "example.a", "PYRO:obj_a@127.0.0.1:5001"], ""),
    (["register", "example.b", "PYRO:obj_b@127.0.0.1:5002"], ""),
    (["register", "onlyname"], ""),
    (["setmeta", "example.a", "red"], ""),
    (["setmeta", "nothing", "red"], ""),
    (["lookup", "example.a"], ""),
    (["lookup", "nothing"], ""),
    (["list"], ""),
    (["list", "example."], ""),
    (["listmatching", ".*b"], ""),
    (["yplookup_all", "red"], ""),
    (["yplookup_any", "blue", "red"], ""),
    (["setmeta", "example.a"], ""),
    (["remove", "example.b"], ""),
    (["remove", "example.b"], ""),
    (["removematching", "ex.*"], "n\n"),
    (["removematching", "ex.*"], "y\n"),
    (["list"], ""),
]


def nsc5_outputs(cmd, port):
    """Runs NSC5_SCRIPT with the nsc command line cmd(port); returns the
    output and whether it failed, per step, with the port made neutral."""
    outs = []
    for args, stdin in NSC5_SCRIPT:
        cp = subprocess.run(cmd(port) + args, input=stdin.encode(), capture_output=True, timeout=60,
                            env=py5_env())
        outs.append((args, cp.stdout.decode().replace(":%d" % port, ":<port>"), cp.returncode != 0))
    return outs


@pytest.mark.parametrize("server", ["ours", "pyro5"])
def test_nsc_pyro5(procs, gobin, server):
    """pyro-nsc --pyro5 prints what Pyro5's python -m Pyro5.nsc prints, and
    both print the same against our name server as against Pyro5's."""
    theirs_nsc = lambda port: [sys.executable, "-m", "Pyro5.nsc", "-n", "127.0.0.1", "-p", str(port)]
    ours_nsc = lambda port: [os.path.join(gobin, "pyro-nsc"), "--pyro5", "-h", "127.0.0.1", "-p", str(port)]

    def start(port):
        if server == "ours":
            start_go_ns(procs, gobin, port)
        else:
            p = procs.start([sys.executable, "-m", "Pyro5.nameserver", "-n", "127.0.0.1", "-p", str(port), "-x"],
                            env=py5_env())
            wait_port(port, proc=p, timeout=30)

    port1, port2 = free_port(), free_port()
    start(port1)
    start(port2)
    theirs = nsc5_outputs(theirs_nsc, port1)
    ours = nsc5_outputs(ours_nsc, port2)
    assert [o for o in theirs if "Error" in o[1]], "the script makes no error"
    for t, o in zip(theirs, ours):
        assert o == t


def test_pyro5_nameserver_same_as_ours(procs, gobin):
    """Pyro5's own nsc against our name server prints what it prints against
    Pyro5's name server."""
    theirs_nsc = lambda port: [sys.executable, "-m", "Pyro5.nsc", "-n", "127.0.0.1", "-p", str(port)]
    go_port, py_port = free_port(), free_port()
    start_go_ns(procs, gobin, go_port)
    p = procs.start([sys.executable, "-m", "Pyro5.nameserver", "-n", "127.0.0.1", "-p", str(py_port), "-x"],
                    env=py5_env())
    wait_port(py_port, proc=p, timeout=30)
    assert nsc5_outputs(theirs_nsc, go_port) == nsc5_outputs(theirs_nsc, py_port)
