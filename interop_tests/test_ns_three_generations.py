"""One pyro-ns, one name space, three Pyro generations: a Pyro 3 server
(Python 2), a Pyro4 4.82 server and a Pyro5 5.17 server each register an
object, a Go daemon serving all three generations registers one, and a
client of each generation finds all four names and calls the objects it can
reach: its own generation's and the Go-served one."""
import sys

from conftest import free_port, wait_output
from test_core_client import start_coreserver
from test_ns_common import start_go_ns
from test_pyro4_ns import py4, py4_env, start_py4_server
from test_pyro5_ns import py2, py5

PY5_SERVER = r"""
import sys
import Pyro5.api

@Pyro5.api.expose
class Thing(object):
    def who(self):
        return "pyro5 " + sys.argv[2]

ns = Pyro5.api.locate_ns("127.0.0.1", int(sys.argv[1]))
daemon = Pyro5.api.Daemon(host="127.0.0.1")
uri = daemon.register(Thing())
ns.register(sys.argv[2], uri)
print("URI", uri, "READY")
sys.stdout.flush()
daemon.requestLoop()
"""


def test_three_generations_share_the_name_space(procs, gobin):
    port = free_port()
    start_go_ns(procs, gobin, port)
    py2(port, "ns.createGroup(':test')\n")
    _, go_uris = start_coreserver(procs, gobin, free_port(), "-ns", "127.0.0.1:%d" % port, "-lifetime", "120s")
    go_guid = go_uris[":test.core"].rsplit("/", 1)[1]
    py3 = procs.py2("ns_server.py", "gen3", "127.0.0.1", port)
    out3 = wait_output(py3, "READY")
    while "\n" not in out3.split("READY", 1)[1]:  # it prints READY, then the URI
        out3 += wait_output(py3, "\n")
    guid3 = out3.split("READY", 1)[1].split()[0].rsplit("/", 1)[1]
    uri4 = start_py4_server(procs, port, "gen4")
    py5srv = procs.start([sys.executable, "-u", "-c", PY5_SERVER, str(port), "gen5"], env=py4_env())
    out5 = wait_output(py5srv, "READY").split()
    uri5 = out5[out5.index("URI") + 1]
    obj4, obj5 = uri4.split(":")[1].split("@")[0], uri5.split(":")[1].split("@")[0]

    # Pyro 3: every name in its tree, its own server and the Go one called
    out = py2(port, """
for name in ['gen3', 'gen4', 'gen5', ':test.core']:
    print name, ns.resolve(name).objectID
print Pyro.core.getProxyForURI(ns.resolve('gen3')).echo('three')
print Pyro.core.getProxyForURI(ns.resolve(':test.core')).add(1, 2)
""")
    assert out.splitlines() == ["gen3 " + guid3, "gen4 " + obj4, "gen5 " + obj5, ":test.core " + go_guid,
                                "three", "3"]

    # Pyro 4 and Pyro 5: the same four names, as flat names, with their own URIs
    lookups = """
for name in ["gen3", "gen4", "gen5", ":test.core"]:
    show(name, lambda: str(ns.lookup(name)).split(":")[1].split("@")[0])
"""
    want = {"gen3": "-> " + guid3, "gen4": "-> " + obj4, "gen5": "-> " + obj5, ":test.core": "-> " + go_guid}
    got4 = py4(port, lookups + """
show("own", lambda: Pyro4.Proxy(ns.lookup("gen4")).who())
show("go", lambda: Pyro4.Proxy(ns.lookup(":test.core")).add(20, 22))
show("pyroname", lambda: Pyro4.Proxy("PYRONAME::test.core@127.0.0.1:%s" % sys.argv[2]).add(1, 2))
""")
    assert got4 == dict(want, own="-> pyro4 gen4", go="-> 42", pyroname="-> 3")
    got5 = py5(port, lookups + """
show("own", lambda: Pyro5.api.Proxy(ns.lookup("gen5")).who())
show("go", lambda: Pyro5.api.Proxy(ns.lookup(":test.core")).add(20, 22))
""")
    assert got5 == dict(want, own="-> pyro5 gen5", go="-> 42")
