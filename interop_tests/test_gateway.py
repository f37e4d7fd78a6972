"""pyro-gateway between real Pyro 3.16 (Python 2) and real Pyro5 5.17
(Python 3), neither side changed.

One world per module: Python's Pyro 3 name server and Python's Pyro 5
name server side by side; Pyro 3's own example servers (examples/
exceptions, callback, oneway of the 3.16 sdist, unmodified) and Pyro5's
(examples/exceptions, callback, oneway of the 5.17 sdist, unmodified),
each registered in its own generation's name server; and one pyro-gateway
given their names, which registers a forwarder for each in the other
generation's name server. Then Pyro5 clients call the Pyro 3 servers and
Pyro 3 clients the Pyro5 servers, with exceptions, oneway calls and
callbacks, and a Pyro 3 client calls a Pyro 3 server through a Pyro 5 one
(py5/gateway_relay.py) and the gateway twice.
"""
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

from conftest import (GOPYRO_EXAMPLES, PY2, Procs, free_port, py2_env, py5_env, run_py2, run_py5,
                      wait_output, wait_port)

PYRO5_EXAMPLES = os.path.join(os.environ.get("GOPYRO_PYRO5_SDIST", ""), "examples")

pytestmark = pytest.mark.skipif(
    not os.path.isdir(GOPYRO_EXAMPLES) or not os.path.isdir(PYRO5_EXAMPLES),
    reason="Pyro 3.16 / Pyro5 5.17 sdist examples not found (scripts/setup.sh unpacks them)")

# Methods Pyro 5 clients may call on Pyro 3 objects: Pyro 3 cannot list
# them (-m), and the oneway ones (-o).
PYRO3_METHODS = "div,error,error2,othererr,complexerror,register,shout,start,ready,result,done"
PYRO3_ONEWAY = "start"
NAMES = [":test.exceptions", ":test.callback", "oneway",
         "example.exceptions", "example.callback", "example.oneway", "gw.relay"]


class World:
    def __init__(self, gobin):
        self.procs = Procs()
        self.dir = tempfile.mkdtemp(prefix="gateway-")
        for sub in ("exceptions", "callback", "oneway"):
            shutil.copytree(os.path.join(GOPYRO_EXAMPLES, sub), os.path.join(self.dir, "py3ex", sub))
            shutil.copytree(os.path.join(PYRO5_EXAMPLES, sub), os.path.join(self.dir, "py5ex", sub))
        shutil.copy(os.path.join(GOPYRO_EXAMPLES, "testserver.py"), os.path.join(self.dir, "py3ex"))
        self.ns3, self.ns5 = free_port(), free_port()
        self.env3 = {"PYRO_NS_HOSTNAME": "127.0.0.1", "PYRO_NS_PORT": self.ns3, "PYRO_HOST": "127.0.0.1",
                     "PYTHONUNBUFFERED": "1",
                     "PYRO_STORAGE": tempfile.mkdtemp(prefix="storage-", dir=self.dir)}
        self.env5 = {"PYRO_NS_HOST": "127.0.0.1", "PYRO_NS_PORT": self.ns5, "PYRO_HOST": "127.0.0.1",
                     "PYTHONUNBUFFERED": "1"}
        p = self.procs.start([PY2, "-m", "Pyro.naming", "-n", "127.0.0.1", "-p", str(self.ns3), "-x"],
                             env=py2_env(self.env3), cwd=self.dir)
        wait_port(self.ns3, proc=p)
        p = self.procs.start([sys.executable, "-m", "Pyro5.nameserver", "-n", "127.0.0.1", "-p", str(self.ns5), "-x"],
                             env=py5_env(self.env5), cwd=self.dir)
        wait_port(self.ns5, proc=p)
        for script, ready in (("exceptions/server.py", "ready."), ("callback/shout_server.py", "ready."),
                              ("oneway/server.py", "Server is ready.")):
            self.py3_server(script, ready)
        for script in ("exceptions/server.py", "callback/server.py", "oneway/server.py"):
            self.py5_server(os.path.join(self.dir, "py5ex", script))
        self.py5_server(os.path.join(os.path.dirname(__file__), "py5", "gateway_relay.py"))
        self.gw = self.procs.start(
            [os.path.join(gobin, "pyro-gateway"), "-n", "127.0.0.1", "-m", PYRO3_METHODS, "-o", PYRO3_ONEWAY,
             "-ns3", "127.0.0.1:%d" % self.ns3, "-ns5", "127.0.0.1:%d" % self.ns5, "-poll", "1"] + NAMES,
            env=py2_env(), cwd=self.dir)
        # The names are followed in any order: read until each is registered.
        self.gw_out = ""
        for name in NAMES:
            line = "registered %s in" % name.lstrip(":")
            if line not in self.gw_out:
                self.gw_out += wait_output(self.gw, line)

    def py3_server(self, script, ready):
        port = free_port()
        env = py2_env(dict(self.env3, PYRO_PORT=port))
        p = subprocess.Popen([PY2, os.path.basename(script)], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, env=env, cwd=os.path.join(self.dir, "py3ex", os.path.dirname(script)))
        self.procs.procs.append(p)
        wait_output(p, ready)

    def py5_server(self, path):
        p = subprocess.Popen([sys.executable, os.path.basename(path)], stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=py5_env(self.env5),
                             cwd=os.path.dirname(path))
        self.procs.procs.append(p)
        wait_output(p, "Pyro daemon running.")

    def stop(self):
        self.procs.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def world(gobin):
    w = World(gobin)
    yield w
    w.stop()


def py5(world, scenario, serializer="serpent"):
    out = run_py5("gateway_client5.py", scenario, "127.0.0.1", world.ns5, serializer, timeout=90).stdout.decode()
    return dict(l.split(" ", 1) for l in out.splitlines())


def py3(world, scenario):
    out = run_py2("gateway_client3.py", scenario, env=world.env3, timeout=90).stdout.decode("utf-8")
    return dict(l.split(" ", 1) for l in out.splitlines())


@pytest.mark.parametrize("serializer", ["serpent", "json", "marshal", "msgpack"])
def test_pyro5_client_pyro3_exceptions(world, serializer):
    got = py5(world, "exceptions", serializer)
    assert got["div"] == "-> 3"  # Python 2's integer division
    assert got["divfloat"] == "-> 3.5"
    assert got["zero"] == "!! builtins.ZeroDivisionError: integer division or modulo by zero"
    assert got["zero_tb"] == "-> True"  # the Python 2 server's traceback
    assert got["error"] == "!! builtins.ValueError: a valueerror! Great!"
    # an exception returned as a value
    assert got["error2"] == "-> \"ValueError('a valueerror! Great!')\""
    assert got["complex"] == "!! builtins.TypeError: unsupported operand type(s) for /: 'str' and 'int'"
    assert got["complex_tb"] == "-> True"
    # as a Pyro5 server's exception of a class the client cannot rebuild
    assert got["othererr"] == "!! Pyro5.errors.SerializeError: unsupported serialized class: excep.MyError"
    assert got["missing"].startswith("!! builtins.AttributeError: remote object ")
    # listed by -m, but the object has no such method: Python 2's own error
    assert got["listed"] == "!! builtins.AttributeError: 'testclass' object has no attribute 'shout'"


def test_pyro5_client_pyro3_values(world):
    got = py5(world, "values")
    unsupported = "!! builtins.TypeError: unsupported operand type(s) for /: '%s' and 'int'"
    assert got["ascii"] == unsupported % "str"  # ASCII text is a Python 2 str
    assert got["text"] == unsupported % "unicode"
    assert got["bytes"] == unsupported % "str"
    assert got["list"] == unsupported % "list"


def test_pyro5_client_pyro3_callback(world):
    got = py5(world, "callback")
    assert got["register"] == "-> None"
    assert got["shout"] == "-> None"
    # The Python 2 server called the Python 3 object back, with a str.
    assert got["callback"] == "-> ['Somebody shouted: hello from Python 3']"


def test_pyro5_client_pyro3_oneway(world):
    got = py5(world, "oneway")
    assert got["start"] == "-> None"
    assert got["start_fast"] == "-> True"
    assert got["oneway_meta"] == "-> True"
    assert got["ready"] == "-> False"  # start runs on in the Python 2 server
    assert got["result"] == "-> 'The result :)'"


def test_pyro3_client_pyro5_exceptions(world):
    got = py3(world, "exceptions")
    assert got["div"] == "-> 3.5"  # Python 3's true division
    assert got["zero"] == "!! exceptions.ZeroDivisionError: division by zero"
    assert got["zero_tb"] == "-> True"  # the Python 3 server's traceback
    assert got["error"] == "!! exceptions.ValueError: a valueerror! Great!"
    assert got["othererr"] == "!! exceptions.RuntimeError: a runtime error!"
    assert got["complex"] == "!! exceptions.TypeError: unsupported operand type(s) for //: 'str' and 'int'"
    assert got["complex_tb"] == "-> True"
    # what Pyro5's serpent makes of a function, as a Pyro5 client gets it too
    assert got["unserializable"] == "-> {'__class__': 'builtins.function', '_pyroExposed': True}"
    assert got["error2"] == "-> \"ValueError('a valueerror! Great!',)\""
    assert got["missing"].startswith("!! exceptions.AttributeError: ")
    assert got["again"] == "-> 0.25"


def test_pyro3_client_pyro5_oneway(world):
    got = py3(world, "oneway")
    assert got["start"] == "-> None"
    assert got["start_fast"] == "-> True"
    assert got["ready"] == "-> False"
    assert got["result"] == "-> 'The result :)'"


def test_pyro3_client_pyro5_callback(world):
    got = py3(world, "callback")
    assert got["worker"] == "-> DynamicProxy"
    assert got["work"] == "-> None"
    # The Python 3 worker called the Python 2 object back.
    assert got["done"] == "-> [1]"


def test_chain_pyro3_pyro5_pyro3(world):
    got = py3(world, "chain")
    assert got["div"] == "-> 3"
    assert got["text"] == "!! exceptions.TypeError: unsupported operand type(s) for /: 'unicode' and 'int'"
    assert got["error"] == "!! exceptions.ValueError: a valueerror! Great!"
    assert got["error_tb"] == "-> True"  # the relay's (Python 3) traceback
    # Python 2 str and unicode are both Python 3 str.
    assert got["types"] == "-> ['str', 'str', 'int']"


def test_gateway_registrations(world):
    """Every name is registered, forwarded, in the other name server."""
    for name in NAMES:
        assert "forwarding %s (" % name in world.gw_out
