"""Our pyro-ns serves unmodified Pyro4 4.82 clients (Pyro4.locateNS with a
host and by broadcast, the API of Pyro4.naming.NameServer, python -m
Pyro4.nsc, a Pyro4 server registering itself and found through PYRONAME)
on the port where Pyro 3 and Pyro 5 clients use it. Each client program
runs against our name server and against Python's `python -m Pyro4.naming`
and must print the same."""
import os
import subprocess
import sys

import pytest

from conftest import free_port, py5_env, wait_output, wait_port
from test_ns_common import start_go_ns

# Pyro4's name server accepts these by default (SERIALIZERS_ACCEPTED).
SERIALIZERS = ["serpent", "json", "marshal"]

PY4_PRELUDE = """
import sys
import Pyro4, Pyro4.errors
def norm(v):
    # what each serializer makes of a result, in one spelling
    if isinstance(v, dict):
        return sorted((k, norm(x)) for k, x in v.items())
    if isinstance(v, (tuple, list)) and len(v) == 2 and str(v[0]).startswith("PYRO"):
        return (str(v[0]), sorted(v[1]))
    if isinstance(v, Pyro4.URI):
        return "URI " + str(v)
    return v
def show(label, f):
    try:
        v = f()
    except Exception as x:
        print(label, "!!", type(x).__module__ + "." + type(x).__name__ + ":", x)
    else:
        print(label, "->", norm(v))
ns = Pyro4.locateNS(sys.argv[1], int(sys.argv[2]))
"""


def py4_env(extra=None):
    """The environment of a Pyro4 program: none of the caller's PYRO_*
    variables, the given ones."""
    return py5_env(extra)


def py4(port, code, serializer="serpent"):
    """Runs Pyro4 client code (with ns located at 127.0.0.1:port and show())
    and returns {label: result}, with the port written <port>."""
    cp = subprocess.run([sys.executable, "-c", PY4_PRELUDE + code, "127.0.0.1", str(port)],
                        capture_output=True, timeout=60, env=py4_env({"PYRO_SERIALIZER": serializer}))
    assert cp.returncode == 0, cp.stderr.decode(errors="replace")
    out = cp.stdout.decode().replace(":%d" % port, ":<port>")
    return dict(l.split(" ", 1) for l in out.splitlines())


def start_py4_ns(procs, port):
    """Starts Python's Pyro4 name server on 127.0.0.1:port, no broadcast."""
    p = procs.start([sys.executable, "-m", "Pyro4.naming", "-n", "127.0.0.1", "-p", str(port), "-x"],
                    env=py4_env())
    wait_port(port, proc=p, timeout=30)
    return p


API = r"""
show("ping", ns.ping)
show("count", ns.count)
show("own", lambda: ns.lookup("Pyro.NameServer", return_metadata=True))
show("register", lambda: ns.register("example.greeting", "PYRO:obj_1@127.0.0.1:5000", metadata={"a", "b"}))
show("register_uri", lambda: ns.register("example.other", Pyro4.URI("PYRO:obj_2@127.0.0.1:5001"), metadata=["c"]))
show("register_plain", lambda: ns.register("plain", "PYRO:obj_3@127.0.0.1:5002"))
show("safe", lambda: ns.register("example.other", "PYRO:x@127.0.0.1:1", safe=True))
show("badname", lambda: ns.register(42, "PYRO:x@127.0.0.1:1"))
show("baduri", lambda: ns.register("x", "nonsense"))
show("badproto", lambda: ns.register("x", "FOO:x@127.0.0.1:1"))
show("strmeta", lambda: ns.register("x", "PYRO:x@127.0.0.1:1", metadata="tag"))
show("lookup", lambda: ns.lookup("example.greeting"))
show("lookup_meta", lambda: ns.lookup("example.greeting", return_metadata=True))
show("lookup_nometa", lambda: ns.lookup("plain", return_metadata=True))
show("unknown", lambda: ns.lookup("nothing"))
show("set_metadata", lambda: ns.set_metadata("example.other", ["c", "a"]))
show("set_unknown", lambda: ns.set_metadata("nothing", ["c"]))
show("set_str", lambda: ns.set_metadata("plain", "c"))
show("list", ns.list)
show("list_meta", lambda: ns.list(return_metadata=True))
show("list_prefix", lambda: ns.list(prefix="example."))
show("list_regex", lambda: ns.list(regex=r".*\.other", return_metadata=True))
show("list_both", lambda: ns.list(prefix="a", regex="b"))
show("list_empty_and_none", lambda: ns.list(metadata_all=[], metadata_any=None))
show("list_all", lambda: ns.list(metadata_all=["a"]))
show("list_all2", lambda: ns.list(metadata_all={"a", "b"}, return_metadata=True))
show("list_any", lambda: ns.list(metadata_any={"c", "zz"}, return_metadata=True))
show("list_any_none", lambda: ns.list(metadata_any=["zz"]))
show("list_any_str", lambda: ns.list(metadata_any="c"))
show("yplookup", lambda: ns.yplookup(meta_all=["a"]))
show("count2", ns.count)
show("remove_ns", lambda: ns.remove("Pyro.NameServer"))
show("remove", lambda: ns.remove("example.greeting"))
show("remove_prefix", lambda: ns.remove(prefix="Pyro."))
show("remove_regex", lambda: ns.remove(regex="ex.*"))
show("count3", ns.count)
show("still", lambda: ns.lookup("Pyro.NameServer"))
"""


@pytest.mark.parametrize("serializer", SERIALIZERS)
def test_pyro4_api_same_as_pyro4s(procs, gobin, serializer):
    """Pyro4.naming.NameServer's API answers a Pyro4 client of our name
    server as Python's Pyro4 name server answers it."""
    ours, theirs = free_port(), free_port()
    start_go_ns(procs, gobin, ours)
    start_py4_ns(procs, theirs)
    got = py4(ours, API, serializer)
    want = py4(theirs, API, serializer)
    assert got["own"] == "-> ('PYRO:Pyro.NameServer@127.0.0.1:<port>', ['class:Pyro4.naming.NameServer'])"
    if serializer == "marshal":
        # Pyro4's marshal serializer cannot send the URI object inside
        # lookup's (uri, metadata) tuple; ours sends it
        for label in ("own", "lookup_meta", "lookup_nometa"):
            assert want.pop(label) == "!! builtins.ValueError: unmarshallable object"
            assert got.pop(label).startswith("-> ('PYRO:")
    assert got == want
    # what the comparison covers
    assert got["lookup"] == "-> URI PYRO:obj_1@127.0.0.1:5000"
    assert got["safe"] == "!! Pyro4.errors.NamingError: name already registered: example.other"
    assert got["list_any"] == "-> [('example.other', ('PYRO:obj_2@127.0.0.1:5001', ['a', 'c']))]"
    assert got["yplookup"].startswith("!! ")


NSC4_SCRIPT = [
    ["ping"],
    ["register", "example.a", "PYRO:obj_a@127.0.0.1:5001"],
    ["register", "example.a", "PYRO:obj_a@127.0.0.1:5001"],
    ["register", "example.b", "PYRO:obj_b@127.0.0.1:5002"],
    ["register", "bad", "nonsense"],
    ["setmeta", "example.a", "red"],
    ["setmeta", "example.b", "blue"],
    ["setmeta", "nothing", "red"],
    ["lookup", "example.a"],
    ["lookup", "nothing"],
    ["list"],
    ["list", "example."],
    ["listmatching", ".*b"],
    ["listmeta_all", "red"],
    ["listmeta_any", "blue", "red"],
    ["setmeta", "example.a"],
    ["remove", "example.b"],
    ["remove", "example.b"],
    ["list"],
]


def nsc4_outputs(port):
    """Runs NSC4_SCRIPT with python -m Pyro4.nsc against 127.0.0.1:port;
    returns each step's output and exit status, the port written <port>."""
    outs = []
    for args in NSC4_SCRIPT:
        cp = subprocess.run([sys.executable, "-m", "Pyro4.nsc", "-n", "127.0.0.1", "-p", str(port)] + args,
                            capture_output=True, timeout=60, env=py4_env())
        outs.append((args, cp.stdout.decode().replace(":%d" % port, ":<port>"), cp.returncode))
    return outs


def test_nsc_pyro4_same_as_pyro4s(procs, gobin):
    """python -m Pyro4.nsc prints against our name server what it prints
    against Pyro4's."""
    ours, theirs = free_port(), free_port()
    start_go_ns(procs, gobin, ours)
    start_py4_ns(procs, theirs)
    got, want = nsc4_outputs(ours), nsc4_outputs(theirs)
    assert [o for o in want if "Error" in o[1]], "the script makes no error"
    assert got == want


def test_locate_ns_by_broadcast(procs, gobin):
    """Pyro4.locateNS() without a host finds our name server by broadcast
    (GET_NSURI on the discovery port Pyro 5 shares), on loopback only."""
    port, bc, closed = free_port(), free_port(), free_port()
    start_go_ns(procs, gobin, port, "-c", "127.0.0.1", "-b", free_port(), "--bchost=127.0.0.1", "--bcport=%d" % bc)
    code = ("import Pyro4\n"
            "ns = Pyro4.locateNS()\n"
            "print(ns._pyroUri, ns.count(), ns.lookup('Pyro.NameServer', return_metadata=True)[1])\n")
    cp = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60,
                        env=py4_env({"PYRO_NS_BCPORT": bc, "PYRO_BROADCAST_ADDRS": "127.0.0.1",
                                     "PYRO_NS_PORT": closed}))
    assert cp.returncode == 0, cp.stderr.decode(errors="replace")
    assert cp.stdout.decode().split() == ["PYRO:Pyro.NameServer@127.0.0.1:%d" % port, "1",
                                          "['class:Pyro4.naming.NameServer']"]


PY4_SERVER = r"""
import sys
import Pyro4

@Pyro4.expose
class Thing(object):
    def who(self):
        return "pyro4 " + sys.argv[2]

ns = Pyro4.locateNS("127.0.0.1", int(sys.argv[1]))
daemon = Pyro4.Daemon(host="127.0.0.1")
uri = daemon.register(Thing())
ns.register(sys.argv[2], uri, metadata={"pyro4"})
print("URI", uri, "READY")
sys.stdout.flush()
daemon.requestLoop()
"""


def start_py4_server(procs, nsport, name):
    """Starts a Pyro4 server whose object registers as name; returns its URI."""
    p = procs.start([sys.executable, "-u", "-c", PY4_SERVER, str(nsport), name], env=py4_env())
    out = wait_output(p, "READY").split()
    return out[out.index("URI") + 1]


@pytest.mark.parametrize("server", ["ours", "pyro4"])
def test_pyro4_server_registers_itself(procs, gobin, server):
    """A Pyro4 server registers its object in the name server; a Pyro4
    client finds it by metadata and calls it through PYRONAME."""
    port = free_port()
    if server == "ours":
        start_go_ns(procs, gobin, port)
    else:
        start_py4_ns(procs, port)
    uri = start_py4_server(procs, port, "example.thing")
    got = py4(port, """
show("lookup", lambda: ns.lookup("example.thing"))
show("meta", lambda: sorted(ns.list(metadata_any=["pyro4"])))
show("call", lambda: Pyro4.Proxy("PYRONAME:example.thing@127.0.0.1:%s" % sys.argv[2]).who())
""")
    assert got == {"lookup": "-> URI " + uri, "meta": "-> ['example.thing']", "call": "-> pyro4 example.thing"}


DAEMON = """
d = Pyro4.Proxy("PYRO:Pyro.Daemon@127.0.0.1:%s" % sys.argv[2])
# ours also lists the Pyro 3 name server object, by its GUID
show("registered", lambda: sorted(i for i in d.registered() if i.startswith("Pyro.")))
show("metadata", lambda: sorted((k, sorted(v)) for k, v in d.get_metadata("Pyro.NameServer").items()))
show("bound_methods", lambda: (ns._pyroBind(), sorted(ns._pyroMethods))[1])
"""


def test_daemon_object_same_as_pyro4s(procs, gobin):
    """The name server daemon's Pyro.Daemon lists and describes
    Pyro.NameServer to Pyro4 clients as Pyro4's does (no Pyro 5 yplookup)."""
    ours, theirs = free_port(), free_port()
    start_go_ns(procs, gobin, ours)
    start_py4_ns(procs, theirs)
    got, want = py4(ours, DAEMON), py4(theirs, DAEMON)
    assert got == want
    assert "'yplookup'" not in got["metadata"] and "'list'" in got["metadata"]


HMAC_CLIENT = r"""
import sys
import Pyro4
def show(label, f):
    try:
        v = f()
    except Exception as x:
        print(label, "!!", type(x).__module__ + "." + type(x).__name__ + ":", x)
    else:
        print(label, "->", v)
def count(key):
    ns = Pyro4.locateNS("127.0.0.1", int(sys.argv[1]), hmac_key=key)
    ns.register("keyed", "PYRO:obj@127.0.0.1:1")
    return ns.count()
show("right", lambda: count(b"secret"))
show("wrong", lambda: count(b"guess"))
show("none", lambda: count(None))
"""


def test_hmac_key_same_as_pyro4s(procs, gobin):
    """pyro-ns --key answers Pyro4 clients with the right HMAC key and
    refuses the others as Pyro4's name server started with -k does; Pyro 5
    clients, which have no HMAC, are still served."""
    ours, theirs = free_port(), free_port()
    start_go_ns(procs, gobin, ours, "--key=secret")
    p = procs.start([sys.executable, "-W", "ignore", "-m", "Pyro4.naming", "-n", "127.0.0.1", "-p", str(theirs),
                     "-x", "-k", "secret"], env=py4_env())
    wait_port(theirs, proc=p, timeout=30)

    def run(port):
        cp = subprocess.run([sys.executable, "-c", HMAC_CLIENT, str(port)], capture_output=True, timeout=60,
                            env=py4_env())
        assert cp.returncode == 0, cp.stderr.decode(errors="replace")
        return cp.stdout.decode().replace(":%d" % port, ":<port>").splitlines()

    got, want = run(ours), run(theirs)
    assert got == want
    assert got[0] == "right -> 2"
    assert got[1].startswith("wrong !! Pyro4.errors.") and got[2].startswith("none !! Pyro4.errors.")
    cp = subprocess.run([sys.executable, "-c", "import sys, Pyro5.api\n"
                         "print(Pyro5.api.locate_ns('127.0.0.1', int(sys.argv[1])).lookup('keyed'))\n", str(ours)],
                        capture_output=True, timeout=60, env=py4_env())
    assert cp.returncode == 0, cp.stderr.decode(errors="replace")
    assert cp.stdout.decode().strip() == "PYRO:obj@127.0.0.1:1"
