"""Persistence of our Name Server (pyro-ns -d): kill -9 under load loses no
acknowledged registration and keeps the NS URI; a database written by
Python Pyro 3.16's persistent Name Server is imported."""
import os
import signal
import subprocess
import tempfile

from conftest import PY2, free_port, py2_env, run_py2
from test_ns_common import start_go_ns, start_py_ns, wait_line


def flatlist(port):
    lines = run_py2("ns_flatlist.py", "127.0.0.1", port).stdout.decode().splitlines()
    return lines[0].split()[1], dict(l.split(" ", 1) for l in lines[1:])


def test_kill9_under_load_loses_no_acknowledged_registration(procs, gobin):
    port = free_port()
    storage = tempfile.mkdtemp(prefix="gons-persist-")
    ns, _ = start_go_ns(procs, gobin, port, "-d", storage=storage)
    uri_before, _ = flatlist(port)
    writers = [procs.py2("ns_register_loop.py", "127.0.0.1", port, "w%d_" % i) for i in range(4)]
    acked = set()
    for w in writers:
        for _ in range(100):  # let every writer get well going
            acked.add(wait_line(w, r"^ACK (\S+)").group(1))
    ns.send_signal(signal.SIGKILL)
    ns.wait(timeout=10)
    for w in writers:
        out, _ = w.communicate(timeout=30)
        acked |= {l.split()[1] for l in out.decode().splitlines() if l.startswith("ACK ")}
    assert len(acked) >= 400
    start_go_ns(procs, gobin, port, "-d", storage=storage)
    uri_after, names = flatlist(port)
    assert uri_after == uri_before
    missing = {":Default." + a for a in acked} - set(names)
    assert not missing, "lost %d acknowledged registrations, e.g. %s" % (len(missing), sorted(missing)[:5])


def test_restart_keeps_names_meta_and_guid(procs, gobin):
    port = free_port()
    storage = tempfile.mkdtemp(prefix="gons-restart-")
    ns, _ = start_go_ns(procs, gobin, port, "-d", "mydb", storage=storage)
    script = ("import Pyro.core, Pyro.naming, sys\n"
              "Pyro.core.initClient(banner=0)\n"
              "ns = Pyro.naming.NameServerLocator().getNS(host='127.0.0.1', port=int(sys.argv[1]))\n"
              "if sys.argv[2] == 'write':\n"
              "    ns.createGroup(':g'); ns.register(':g.x', 'PYRO://127.0.0.1:1/x'); ns.setMeta(':g.x', {'k': [1, 2]})\n"
              "    ns.register('y', 'PYRO://127.0.0.1:2/y'); ns.unregister('y')\n"
              "print ns.URI, sorted(ns.list(':g')), ns.getMeta(':g.x'), ns._getSystemMeta(':g.x').type\n")
    def run(mode):
        return subprocess.run([PY2, "-c", script, str(port), mode], capture_output=True, timeout=60,
                              env=py2_env()).stdout.decode()
    before = run("write")
    run_py2("ns_locate.py", "shutdown", env={"PYRO_NS_HOSTNAME": "127.0.0.1", "PYRO_NS_PORT": port})
    assert ns.wait(timeout=10) == 0
    assert os.path.isfile(os.path.join(storage, "mydb"))
    start_go_ns(procs, gobin, port, "-d", "mydb", storage=storage)
    assert run("read") == before


def test_import_python_persistent_database(procs, gobin):
    storage = tempfile.mkdtemp(prefix="pyns-db-")
    py_port = free_port()
    py_ns, _ = start_py_ns(procs, py_port, "-d", storage=storage)
    script = ("import Pyro.core, Pyro.naming, sys\n"
              "Pyro.core.initClient(banner=0)\n"
              "ns = Pyro.naming.NameServerLocator().getNS(host='127.0.0.1', port=int(sys.argv[1]))\n"
              "ns.createGroup(':grp'); ns.createGroup(':grp.sub')\n"
              "ns.register(':grp.obj', 'PYRO://127.0.0.1:7766/0123456789abcdef')\n"
              "ns.register(':grp.sub.deep', 'PYRO://127.0.0.1:7767/aa')\n"
              "ns.register('weird/na:me', 'PYRO://127.0.0.1:7768/bb')\n"
              "ns.setMeta(':grp.obj', {'a': 1}); ns.setMeta(':grp', 'groupmeta')\n")
    subprocess.run([PY2, "-c", script, str(py_port)], check=True, timeout=60, env=py2_env())
    py_uri, py_names = flatlist(py_port)
    run_py2("ns_locate.py", "shutdown", env={"PYRO_NS_HOSTNAME": "127.0.0.1", "PYRO_NS_PORT": py_port})
    py_ns.wait(timeout=10)
    assert os.path.isdir(os.path.join(storage, "Pyro_NS_database"))

    # Our NS on the same port and storage: same names, same NS URI (GUID).
    go_ns, _ = start_go_ns(procs, gobin, py_port, "-d", storage=storage)
    go_uri, go_names = flatlist(py_port)
    assert go_uri == py_uri
    assert go_names == py_names
    check = ("import Pyro.core, Pyro.naming, sys\n"
             "Pyro.core.initClient(banner=0)\n"
             "ns = Pyro.naming.NameServerLocator().getNS(host='127.0.0.1', port=int(sys.argv[1]))\n"
             "print ns.getMeta(':grp.obj'), ns.getMeta(':grp'), sorted(ns.list(':grp'))\n")
    out = subprocess.run([PY2, "-c", check, str(py_port)], capture_output=True, timeout=60, env=py2_env())
    assert out.stdout.decode().strip() == "{'a': 1} groupmeta [('obj', 1), ('sub', 0)]"


def test_damaged_database_is_refused_then_started_afresh(procs, gobin):
    """A database whose record bytes changed on disk is refused (status 1,
    one message naming the file, no Go stack trace); --fresh-if-damaged
    moves it aside and the Name Server then serves Python clients."""
    port = free_port()
    storage = tempfile.mkdtemp(prefix="gons-damaged-")
    ns, _ = start_go_ns(procs, gobin, port, "-d", storage=storage)
    script = ("import Pyro.core, Pyro.naming, sys\n"
              "Pyro.core.initClient(banner=0)\n"
              "ns = Pyro.naming.NameServerLocator().getNS(host='127.0.0.1', port=int(sys.argv[1]))\n"
              "if sys.argv[2] == 'write': ns.register(':Default.x', 'PYRO://127.0.0.1:7766/0123456789abcdef')\n"
              "print ns.resolve(':Default.x')\n")
    def run(mode):
        return subprocess.run([PY2, "-c", script, str(port), mode], capture_output=True, timeout=60,
                              env=py2_env()).stdout.decode().strip()
    assert run("write") == "PYRO://127.0.0.1:7766/0123456789abcdef"
    run_py2("ns_locate.py", "shutdown", env={"PYRO_NS_HOSTNAME": "127.0.0.1", "PYRO_NS_PORT": port})
    assert ns.wait(timeout=10) == 0
    db = os.path.join(storage, "Pyro_NS_database")
    with open(db, "r+b") as f:
        data = f.read()
        f.seek(data.index(b"0123456789abcdef"))
        f.write(b"fedcba9876543210")

    argv = [os.path.join(gobin, "pyro-ns"), "-n", "127.0.0.1", "-p", str(port), "-r", "-x", "-d"]
    out = subprocess.run(argv, capture_output=True, timeout=60, env=py2_env({"PYRO_STORAGE": storage}))
    text = (out.stdout + out.stderr).decode()
    assert out.returncode == 1, text
    assert "ns: database %s is damaged: record \":Default.x\": checksum mismatch" % db in text, text
    assert "goroutine" not in text and "panic" not in text, text

    start_go_ns(procs, gobin, port, "-d", "--fresh-if-damaged", storage=storage)
    assert len([n for n in os.listdir(storage) if n.startswith("Pyro_NS_database.damaged-")]) == 1
    assert "NamingError" in subprocess.run([PY2, "-c", script, str(port), "read"], capture_output=True,
                                           timeout=60, env=py2_env()).stderr.decode()
    assert run("write") == "PYRO://127.0.0.1:7766/0123456789abcdef"
