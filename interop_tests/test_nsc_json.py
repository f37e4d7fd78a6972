"""pyro-nsc -json: the listings of names registered by real Pyro clients, as
one JSON document that agrees with what those clients list themselves, from
our Name Server and from Python Pyro 3.16's."""
import json
import os
import subprocess
import sys

import pytest

from conftest import PY2, free_port, py2_env, py5_env
from test_ns_common import start_go_ns, start_py_ns

PY2_REGISTER = """
import sys
import Pyro.core, Pyro.naming
Pyro.core.initClient(banner=0)
ns = Pyro.naming.NameServerLocator().getNS(host='127.0.0.1', port=int(sys.argv[1]))
ns.createGroup(':shop')
ns.createGroup(':shop.back')
ns.register(':shop.till', 'PYRO://127.0.0.1:7001/0123456789abcdef0123456789abcdef')
ns.register('clock', 'PYRO://127.0.0.1:7002/00112233445566778899aabbccddeeff')
print repr(sorted((n, str(u)) for n, u in ns.flatlist()))
print repr(sorted((n, t) for n, t in ns.list(':shop')))
"""


def nsc(gobin, *args):
    cp = subprocess.run([os.path.join(gobin, "pyro-nsc")] + list(args), capture_output=True, timeout=60,
                        env=py2_env())
    assert cp.returncode == 0, cp.stdout.decode() + cp.stderr.decode()
    return json.loads(cp.stdout.decode())  # one document, nothing else


@pytest.mark.parametrize("server", ["go", "python"])
def test_nsc_json_pyro3(procs, gobin, server):
    port = free_port()
    if server == "go":
        start_go_ns(procs, gobin, port)
    else:
        start_py_ns(procs, port)
    cp = subprocess.run([PY2, "-c", PY2_REGISTER, str(port)], capture_output=True, timeout=60, env=py2_env())
    assert cp.returncode == 0, cp.stderr.decode()
    flat, shop = [eval(l) for l in cp.stdout.decode().splitlines()]
    host = ["-h", "127.0.0.1", "-p", str(port)]

    got = nsc(gobin, "-json", *host, "listall")
    assert [(b["name"], b["uri"]) for b in got] == flat

    got = nsc(gobin, *host, "-json", "list", ":shop", ":nothere")
    assert got[0]["group"] == ":shop"
    assert sorted((e["name"], 0 if e["type"] == "group" else 1) for e in got[0]["entries"]) == shop
    assert got[1] == {"group": ":nothere", "entries": [], "error": "group not found"}

    got = nsc(gobin, *host, "list", "--json")
    assert got[0]["group"] == ":Default"
    assert {"name": "clock", "type": "name"} in got[0]["entries"]


PY5_REGISTER = """
import sys
import Pyro5.api
ns = Pyro5.api.locate_ns('127.0.0.1', int(sys.argv[1]))
ns.register('shop.till', 'PYRO:till@127.0.0.1:7001', metadata={'money', 'front'})
ns.register('shop.clock', 'PYRO:clock@127.0.0.1:7002')
print(repr(sorted((n, u, sorted(m)) for n, (u, m) in ns.list(return_metadata=True).items())))
"""


def test_nsc_json_pyro5(procs, gobin):
    port = free_port()
    start_go_ns(procs, gobin, port)
    cp = subprocess.run([sys.executable, "-c", PY5_REGISTER, str(port)], capture_output=True, timeout=60,
                        env=py5_env())
    assert cp.returncode == 0, cp.stderr.decode()
    listed = eval(cp.stdout.decode())
    host = ["--pyro5", "-h", "127.0.0.1", "-p", str(port)]

    got = nsc(gobin, *host, "-json", "list")
    assert sorted((r["name"], r["uri"], sorted(r["metadata"])) for r in got) == listed

    got = nsc(gobin, *host, "-json", "listmatching", "shop\\..*")
    assert sorted((r["name"], r["uri"], sorted(r["metadata"])) for r in got) == \
        [r for r in listed if r[0].startswith("shop.")]

    got = nsc(gobin, *host, "-json", "yplookup_all", "money")
    assert [(r["name"], sorted(r["metadata"])) for r in got] == [("shop.till", ["front", "money"])]
