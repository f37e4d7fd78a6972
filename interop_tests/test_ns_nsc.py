"""pyro-nsc: our Go tool and Python Pyro 3.16's print the same for every
command, against our Name Server and against Python's."""
import os
import re
import subprocess

import pytest

from conftest import PY2, free_port, py2_env
from test_ns_common import normalize, start_go_ns, start_py_ns

URI = "PYRO://127.0.0.1:7766/0123456789abcdef0123456789abcdef"

# (command args...) run in this order against a fresh Name Server.
SCRIPT = [
    ["ping"],
    ["creategroup", ":grp", "grp2", ":grp"],
    ["creategroup", ":nogroup.sub"],
    ["register", ":grp.obj", URI],
    ["register", ":grp.obj", URI],
    ["register", "rel", "PYRO://localhost:7767/aa"],
    ["register", "bad name", URI],
    ["register", ":grp.x", "notauri"],
    ["register", "onlyname"],
    ["list"],
    ["list", ":grp", ":", ":missing", ":grp.obj"],
    ["listall"],
    ["resolve"],
    ["resolve", ":grp.obj", "rel", "missing", ":grp"],
    ["setmeta", ":grp.obj", "some-meta"],
    ["setmeta", ":missing", "x"],
    ["setmeta", "onlyname"],
    ["showmeta", ":grp.obj", ":grp", ":missing"],
    ["showmeta"],
    ["remove", ":grp.obj", ":grp.obj", ":grp", "rel"],
    ["deletegroup", ":grp", ":grp", "grp2", ":"],
    ["resync"],
    ["bogus"],
    [],
    ["shutdown"],
]


def run_tool(tool, gobin, host_args, args, env):
    if tool == "go":
        argv = [os.path.join(gobin, "pyro-nsc")]
    else:
        argv = [PY2, "-c", "import sys, Pyro.nsc; Pyro.nsc.main(sys.argv[1:])"]
    cp = subprocess.run(argv + host_args + args, capture_output=True, timeout=60, env=py2_env(env))
    return cp.stdout.decode()


def scrub(text):
    text = normalize(text)
    text = re.sub(r"timestamp=[0-9.e+]+", "timestamp=<t>", text)
    return re.sub(r"port \d+", "port <p>", text)


@pytest.mark.parametrize("server", ["go", "python"])
def test_nsc_same_output_as_python(procs, gobin, server):
    outs = {}
    for tool in ("python", "go"):
        port = free_port()
        if server == "go":
            ns, _ = start_go_ns(procs, gobin, port)
        else:
            ns, _ = start_py_ns(procs, port)
        lines = []
        for args in SCRIPT:
            lines.append("$ pyro-nsc " + " ".join(args))
            lines.append(scrub(run_tool(tool, gobin, ["-h", "127.0.0.1", "-p", str(port)], args, {})))
        outs[tool] = "\n".join(lines)
        assert ns.wait(timeout=10) == 0  # the last command shut it down
    assert outs["go"].splitlines() == outs["python"].splitlines()


def test_nsc_by_broadcast(procs, gobin):
    port, bcport = free_port(), free_port()
    start_go_ns(procs, gobin, port, "-c", "127.255.255.255", "-b", bcport)
    for tool in ("python", "go"):
        out = run_tool(tool, gobin, ["-c", "127.255.255.255", "-p", str(bcport)], ["ping"], {})
        assert scrub(out).splitlines() == [
            "Locator: searching Pyro Name Server...",
            "NS is at 127.0.0.1 (localhost) port <p>",
            "NS is up and running!",
        ], tool
