"""Mobile code interop (PYRO_MOBILE_CODE): Pyro 3.16's unmodified testmobile and
agent2 example programs against gopyro's package mobile, through the Go
program goprogs/mobileprog.

- Python clients that lack a class of a Go server's result download its
  module (and the modules it imports) from the Go daemon
  (remote_retrieve_code, served from the example's server directory).
- A Go client sending objects of classes a Python server lacks uploads their
  modules (remote_supply_code) when the server answers _InternalNoModuleError,
  nested imports included, and resends the call.
- Objects of unknown classes pass through Go untouched in both directions.
- Refusals are exceptions, not hangs.
"""
import os
import re
import shutil
import subprocess
import tempfile

import pytest

from conftest import GOPYRO_EXAMPLES, PY2, PY2_DIR, free_port, output, py2_env, wait_output, wait_port

pytestmark = pytest.mark.skipif(not os.path.isdir(GOPYRO_EXAMPLES),
                                reason="Pyro 3.16 examples not found at %s" % GOPYRO_EXAMPLES)


@pytest.fixture
def mob(procs):
    """A private copy of the mobile-code examples (servers write nothing, but
    a downloaded module must never come from the client's own directory)."""
    d = tempfile.mkdtemp(prefix="pyro-mobile-")
    for name in ("testmobile", "agent2", "testserver.py", "testclient.py"):
        src = os.path.join(GOPYRO_EXAMPLES, name)
        (shutil.copytree if os.path.isdir(src) else shutil.copy)(src, os.path.join(d, name))
    env = py2_env({"PYRO_MOBILE_CODE": 1, "PYRO_HOST": "127.0.0.1", "PYTHONUNBUFFERED": "1",
                   "PYRO_STORAGE": d})
    yield d, env
    shutil.rmtree(d, ignore_errors=True)


def start(procs, cmd, env, cwd, ready):
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         env=env, cwd=cwd)
    procs.procs.append(p)
    return p, wait_output(p, ready)


def run(cmd, env, cwd, input=b"", timeout=60):
    cp = subprocess.run(cmd, input=input, capture_output=True, timeout=timeout, env=env, cwd=cwd)
    return cp.returncode, cp.stdout.decode(errors="replace"), cp.stderr.decode(errors="replace")


def go_server(procs, gobin, env, example, code, allow="params.,serverparams.,answers."):
    port = free_port()
    p, out = start(procs, [os.path.join(gobin, "mobileprog"), "-serve", example, "-code", code,
                           "-allow", allow, "-lifetime", "60s"],
                   dict(env, PYRO_PORT=str(port)), None, "READY")
    return p, int(re.search(r"READY (\d+)", out).group(1))


def py_server(procs, env, cwd):
    port = free_port()
    p, _ = start(procs, [PY2, "server.py"], dict(env, PYRO_PORT=str(port)), cwd, "The URI is:")
    return p, port


def norm(text):
    return re.sub(r" at 0x[0-9a-f]+>", " at 0x?>", text)


# --- Python clients download code from a Go server ---------------------------

@pytest.mark.parametrize("example,want", [
    ("server2client", "name was:  some name\n"),
    ("bothways", "name was:  server arg\n"),
    # answers.answer imports answers.base: a second download.
    ("imports", "calling result method: answer=some answer(this is suffix from base class)\n"),
])
def test_python_client_downloads_from_go_server(procs, gobin, mob, example, want):
    d, env = mob
    cdir = os.path.join(d, "testmobile", example)
    results = []
    for kind in ("python", "go"):
        if kind == "python":
            server, port = py_server(procs, env, os.path.join(cdir, "server"))
        else:
            server, port = go_server(procs, gobin, env, example, os.path.join(cdir, "server"))
        rc, out, err = run([PY2, "client.py"], env, cdir, input=b"127.0.0.1:%d\n" % port)
        assert rc == 0, out + err
        results.append(norm(out))
        log = output(server)
    assert results[1] == results[0]
    assert results[1].endswith(want)
    modules = {"server2client": ["params.parameters"], "bothways": ["serverparams.parameters"],
               "imports": ["answers.answer", "answers.base"]}[example]
    assert re.findall(r"code validator: download (\S+) -> true", log) == modules, log


@pytest.mark.parametrize("allow,code,module,want", [
    ("nothing.", None, "params.parameters", "ERROR PyroError: ('attempt to retrieve code denied',)"),
    ("", "empty", "params.parameters", "ERROR PyroError: ('Client wanted a non-existing module', 'params.parameters')"),
    ("", None, "../../etc/passwd", "ERROR PyroError: ('Client wanted a non-existing module', '../../etc/passwd')"),
    ("", None, "params", "CODE #bla"),
])
def test_download_refused(procs, gobin, mob, allow, code, module, want):
    """A refused download is an exception in the Python client, not a hang.
    (The example client itself then dies of a bug of Pyro 3.16's error path,
    "RuntimeError: not holding the import lock", which hides the PyroError;
    mobile_retrieve.py makes the same call and shows the exception.)"""
    d, env = mob
    cdir = os.path.join(d, "testmobile", "server2client")
    codedir = os.path.join(cdir, "server")
    if code:
        codedir = os.path.join(d, code)
        os.makedirs(codedir)
    server, port = go_server(procs, gobin, env, "server2client", codedir, allow=allow)
    if module == "params.parameters":
        rc, out, err = run([PY2, "client.py"], env, cdir, input=b"127.0.0.1:%d\n" % port, timeout=30)
        assert rc != 0 and "Traceback" in err, out + err
    rc, out, err = run([PY2, os.path.join(PY2_DIR, "mobile_retrieve.py"),
                        "PYROLOC://127.0.0.1:%d/testmobile.server2client" % port, module], env, None, timeout=30)
    assert out.strip() == want, out + err


def test_python_client_passes_unknown_object_to_go(procs, gobin, mob):
    """client2server: the Go server receives the Python-only class untouched."""
    d, env = mob
    cdir = os.path.join(d, "testmobile", "client2server")
    server, port = go_server(procs, gobin, env, "client2server", os.path.join(d, "testmobile"))
    rc, out, err = run([PY2, "client.py"], env, cdir, input=b"127.0.0.1:%d\n" % port)
    assert rc == 0, out + err
    assert out.endswith("calling remote object:  this is the answer\n")
    assert "arg= <params.parameters.Parameter name='Some name'>" in output(server)


# --- A Go client supplies code to Python servers -----------------------------

@pytest.mark.parametrize("example,want_out,want_log", [
    ("client2server", "result of calling remote object: 'this is the answer'\n",
     "arg= <params.parameters.Parameter object at"),
    ("bothways", "result of calling remote object: <serverparams.parameters.ServerResult name='server arg'>\n",
     "I am client parameter object  some name"),
    # params.parameters imports params.base: the server asks for it while
    # executing the first upload.
    ("imports", "result of calling remote object: <answers.answer.Answer answer='some answer'>\n",
     "arg= <params.parameters.Parameter object at"),
    # The result's class is unknown to Go, which needs no code for it.
    ("server2client", "result of calling remote object: <params.parameters.Parameter name='some name'>\n",
     "arg= some name"),
])
def test_go_client_supplies_code(procs, gobin, mob, example, want_out, want_log):
    d, env = mob
    cdir = os.path.join(d, "testmobile", example)
    server, port = py_server(procs, env, os.path.join(cdir, "server"))
    rc, out, err = run([os.path.join(gobin, "mobileprog"), "-call", example, "-code", cdir,
                        "-uri", "PYROLOC://127.0.0.1:%d/testmobile.%s" % (port, example)], env, None)
    assert rc == 0, out + err
    assert out == want_out
    assert want_log in output(server)


def test_go_client_without_mobile_code_on_server(procs, gobin, mob):
    """Without PYRO_MOBILE_CODE the server answers NoModuleError (and closes)."""
    d, env = mob
    cdir = os.path.join(d, "testmobile", "client2server")
    server, port = py_server(procs, dict(env, PYRO_MOBILE_CODE="0"), os.path.join(cdir, "server"))
    rc, out, err = run([os.path.join(gobin, "mobileprog"), "-call", "client2server", "-code", cdir,
                        "-uri", "PYROLOC://127.0.0.1:%d/testmobile.client2server" % port], env, None)
    assert rc != 0
    assert "NoModuleError" in err and "params.parameters" in err, err


class Agent2:
    """A real name server and agent2's mall (serv/server.py)."""

    def __init__(self, procs, mob):
        d, env = mob
        ns_port = free_port()
        self.env = dict(env, PYRO_NS_HOSTNAME="127.0.0.1", PYRO_NS_PORT=str(ns_port), PYRO_PORT=str(free_port()))
        self.dir = os.path.join(d, "agent2")
        ns = procs.start([PY2, "-m", "Pyro.naming", "-n", "127.0.0.1", "-p", str(ns_port), "-x"], env=self.env)
        wait_port(ns_port, proc=ns)
        self.server, _ = start(procs, [PY2, "server.py"], self.env, os.path.join(self.dir, "serv"),
                               'Server object "ShoppingMall" ready.')


def test_go_client_agent2(procs, gobin, mob):
    """The Go client's agents go shopping in the Python mall, which downloads
    the agent's code from Go, and come back with objects Go does not know."""
    a = Agent2(procs, mob)
    rc, out, err = run([os.path.join(gobin, "mobileprog"), "-call", "agent2", "-code", a.dir], a.env, None)
    assert rc == 0, out + err
    assert out.startswith("remote_supply_code failed: attempt to supply code denied\nHarry goes shopping...\n")
    assert "  I have bought: bananas (Fred's groceries), boots (Rockport store), goggles (Snow world), mouse (Fry's)\n" in out
    assert "  Cash left: 216 after visiting 4 shops\n" in out
    assert "  Objects: objects.mouse.mouse, objects.bananas.bananas, objects.boots.boots, objects.goggles.goggles\n" in out
    assert "  Cash left: 173 after visiting 4 shops\n" in out
    log = output(a.server)
    assert "Fry's: Harry buys mouse" in log and "Fry's: Joyce buys computer" in log

    # The unmodified Python client against a fresh mall shops the same.
    b = Agent2(procs, mob)
    rc, pout, perr = run([PY2, "client.py"], b.env, b.dir)
    assert rc == 0, pout + perr
    assert "Cash left: 216 after visiting 4 shops" in pout and "Cash left: 173 after visiting 4 shops" in pout


def test_go_client_upload_refused(procs, gobin, mob):
    """agent2's code validator refuses any upload but agent.ShoppingAgent."""
    a = Agent2(procs, mob)
    rc, out, err = run([os.path.join(gobin, "mobileprog"), "-call", "agent2-denied", "-code",
                        os.path.join(a.dir, os.pardir, "testmobile", "client2server")], a.env, None, timeout=30)
    assert rc == 0, out + err
    assert out == "goShopping failed: attempt to supply code denied\n"


@pytest.mark.parametrize("server1", ["python", "go"])
def test_passon(procs, gobin, mob, server1):
    """testmobile/passon: client → server1 → server2, where only the client
    has the parameter's class. A Go server1 asks the client for the module's
    code (Code.Collect) and supplies it to the Python server2 (Supplier)."""
    d, env = mob
    ns_port = free_port()
    env = dict(env, PYRO_NS_HOSTNAME="127.0.0.1", PYRO_NS_PORT=str(ns_port))
    sdir = os.path.join(d, "testmobile", "passon", "server")
    ns = procs.start([PY2, "-m", "Pyro.naming", "-n", "127.0.0.1", "-p", str(ns_port), "-x"], env=env)
    wait_port(ns_port, proc=ns)
    s2, _ = start(procs, [PY2, "server2.py"], dict(env, PYRO_PORT=str(free_port())), sdir, "Server2 is ready")
    cmd = [PY2, "server1.py"] if server1 == "python" else [os.path.join(gobin, "mobileprog"), "-serve", "passon1"]
    ready = "Server1 is ready" if server1 == "python" else "READY"
    s1, _ = start(procs, cmd, dict(env, PYRO_PORT=str(free_port())), sdir, ready)
    # The client itself runs without PYRO_MOBILE_CODE (uploading needs none).
    rc, out, err = run([PY2, "client.py"], dict(env, PYRO_MOBILE_CODE="0"), os.path.dirname(sdir))
    assert rc == 0, out + err
    assert out == "calling remote object:  Server1 result;Server2 answer\n"
    assert "method2 called on test class, arg= <params.parameters.Parameter object at" in output(s2)
    if server1 == "go":
        assert "method1 called on test class, arg= <params.parameters.Parameter name='Some name'>" in output(s1)
