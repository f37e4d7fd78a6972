"""Pyro 3's attribute proxies (Pyro.core.getAttrProxyForURI, which makes a
DynamicProxyWithAttrs: it asks _r_ha whether a name is a method, then calls it
or reads it with _r_ga, and sets with _r_sa) on every built-in object of ours:
the name server, the event service, the daemon's internal object and an object
serving mobile code. Python's are ordinary ObjBase objects, so each test asks
Python's own server the same questions and expects the same answers; where
Python lets any client change the server (its _r_sa sets whatever it is
given), ours refuses, and the test says what ours answers instead."""
import os
import re

from conftest import PY2, free_port, run_py2
from test_ns_common import start_go_ns, start_py_ns, wait_line
from test_mobile import go_server, mob, start  # noqa: F401 (mob is a fixture)

INTERNAL_GUID = "c0000000011000001000000010000001"


def probe(uri, ops, env=None):
    """What attr_probe.py prints for each operation: {op: "-> repr" or "!! Class: message"}."""
    out = run_py2("attr_probe.py", uri, *ops, env=env).stdout.decode()
    lines = out.splitlines()
    assert len(lines) == len(ops), out
    answers = {}
    for op, line in zip(ops, lines):
        assert line.startswith(op + " "), (op, line)
        answers[op] = line[len(op) + 1:]
    return answers


def normalized(answers):
    """The answers without what differs between two servers: addresses,
    GUIDs and object addresses."""
    out = {}
    for op, a in answers.items():
        a = re.sub(r"PYRO://127\.0\.0\.1:\d+/[0-9a-f]{34}", "PYRO://<addr>/<guid>", a)
        a = re.sub(r"'[0-9a-f]{34}'", "'<guid>'", a)
        out[op] = re.sub(r" at 0x[0-9a-f]+>", " at 0x?>", a)
    return out


def guid_of(answer):
    """The GUID in a "-> 'guid'" or "-> <PyroURI '...'>" answer."""
    return re.search(r"([0-9a-f]{32,34})'", answer).group(1)


NS_OPS = [
    "call:ping", "call:resolve|:Pyro.NameServer", "call:resolve|:Default.nothing",
    "get:role", "get:ignoreShutdown", "get:otherNS", "get:objectGUID", "get:delegate",
    "get:nonexistent", "call:nonexistent", "get:daemon", "get:identification",
    "ha:ping", "ha:register", "ha:_synccall", "ha:_r_ha", "ha:role", "ha:nonexistent",
    "ga:ping", "ga:nonexistent", "set:ping=1",
]


def test_name_server(procs, gobin):
    go_port, py_port = free_port(), free_port()
    start_go_ns(procs, gobin, go_port)
    start_py_ns(procs, py_port)
    loc = "PYROLOC://127.0.0.1:%d/:Pyro.NameServer"
    ours = probe(loc % go_port, NS_OPS + ["set:role=5", "get:root", "set:nothing=1"])
    theirs = probe(loc % py_port, NS_OPS)
    assert ours["call:ping"] == "-> None"
    assert ours["get:nonexistent"] == "!! AttributeError: 'NameServer' object has no attribute 'nonexistent'"
    assert ours["get:role"] == "-> 0" and ours["ha:ping"] == "-> 1" and ours["ha:role"] == "-> 2"
    for a in (ours, theirs):
        assert guid_of(a["get:objectGUID"]) == guid_of(a["call:resolve|:Pyro.NameServer"])
    assert {op: normalized(ours)[op] for op in NS_OPS} == normalized(theirs)
    # Python would replace its role, its name space tree or anything else.
    assert ours["set:role=5"] == "!! AttributeError: can't set attribute"
    assert ours["get:root"] == "!! AttributeError: 'NameServer' object has no attribute 'root'"
    assert ours["set:nothing=1"] == "!! AttributeError: 'NameServer' object has no attribute 'nothing'"


def test_name_server_keep_running(procs, gobin):
    port = free_port()
    start_go_ns(procs, gobin, port, "-k")
    ours = probe("PYROLOC://127.0.0.1:%d/:Pyro.NameServer" % port, ["get:ignoreShutdown", "call:_shutdown"])
    assert ours == {"get:ignoreShutdown": "-> True", "call:_shutdown": "-> 'Shutdown request denied'"}


DAEMON_OPS = [
    "call:getRegistered", "call:ResolvePYROLOC|:Pyro.NameServer", "call:ResolvePYROLOC|nothing",
    "get:delegate", "get:daemon", "get:nonexistent", "call:ping",
    "ha:getRegistered", "ha:ResolvePYROLOC", "ha:daemon", "ha:nonexistent", "ga:getRegistered",
]


def test_daemon_internal_object(procs, gobin):
    """The daemon's own object (PYROLOC lookups), here the name server's."""
    go_port, py_port = free_port(), free_port()
    start_go_ns(procs, gobin, go_port)
    start_py_ns(procs, py_port)
    uri = "PYRO://127.0.0.1:%d/" + INTERNAL_GUID
    ours = probe(uri % go_port, DAEMON_OPS + ["get:objectGUID", "set:delegate=1"])
    theirs = probe(uri % py_port, DAEMON_OPS)
    assert ours["get:nonexistent"] == "!! AttributeError: 'DaemonServant' object has no attribute 'nonexistent'"
    assert ours["call:ResolvePYROLOC|nothing"] == "!! NamingError: ('no object found by this name', 'nothing')"
    assert {op: normalized(ours)[op] for op in DAEMON_OPS} == normalized(theirs)
    # Python's DaemonServant has a GUID of its own that nothing uses.
    assert ours["get:objectGUID"] == "-> '%s'" % INTERNAL_GUID
    assert ours["set:delegate=1"] == "!! AttributeError: can't set attribute"


ES_OPS = [
    "call:publish|topic|message", "call:subscribe|topic|x", "get:objectGUID", "get:delegate",
    "get:nonexistent", "call:ping", "ha:publish", "ha:subscribe", "ha:subscribeMatch",
    "ha:unsubscribe", "ha:nonexistent", "ga:publish", "get:DeliverTimeout",
]


def start_es(procs, cmd):
    p = procs.start(cmd + ["-n", "127.0.0.1", "-p", "0", "-N"], env=dict(os.environ, PYTHONUNBUFFERED="1"))
    # Python's event server takes seconds to start on a loaded machine
    # (it once missed 15 s in CI): give it as long as a Pyro program has.
    return wait_line(p, r"URI= (PYRO://\S+)", timeout=60).group(1)


def test_event_service(procs, gobin):
    ours_uri = start_es(procs, [os.path.join(gobin, "pyro-es")])
    theirs_uri = start_es(procs, [PY2, "-u", "-m", "Pyro.EventService.Server"])
    ours = probe(ours_uri, ES_OPS + ["get:deliver_timeout", "set:deliver_timeout=-1", "set:DeliverTimeout=-1"])
    theirs = probe(theirs_uri, ES_OPS)
    assert ours["call:publish|topic|message"] == "-> None"
    assert ours["get:objectGUID"] == "-> '%s'" % ours_uri.rsplit("/", 1)[1]
    assert {op: normalized(ours)[op] for op in ES_OPS} == normalized(theirs)
    # The delivery timeout is the server's business, not a client's.
    for op in ("get:deliver_timeout", "set:deliver_timeout=-1"):
        assert ours[op] == "!! AttributeError: 'EventService' object has no attribute 'deliver_timeout'"
    assert ours["set:DeliverTimeout=-1"] == "!! AttributeError: 'EventService' object has no attribute 'DeliverTimeout'"


MOBILE_OPS = [
    "ha:method", "ha:remote_retrieve_code", "ha:remote_supply_code", "get:objectGUID", "get:delegate",
    "get:nonexistent", "call:remote_retrieve_code|params.parameters", "call:method|some name",
]


def test_mobile_code_object(procs, gobin, mob):
    """testmobile/server2client's object: Python's, and ours with package
    mobile's Code embedded; the client downloads params.parameters for the
    result of method."""
    d, env = mob
    sdir = os.path.join(d, "testmobile", "server2client", "server")
    _, go_port = go_server(procs, gobin, env, "server2client", sdir)
    py_port = free_port()
    start(procs, [PY2, "server.py"], dict(env, PYRO_PORT=str(py_port)), sdir, "The URI is:")
    loc = "PYROLOC://127.0.0.1:%d/testmobile.server2client"
    go_ops = MOBILE_OPS + ["get:accept_uploads", "set:accept_uploads=1", "get:Repo"]
    ours = probe(loc % go_port, go_ops, env=env)
    theirs = probe(loc % py_port, MOBILE_OPS, env=env)
    assert re.fullmatch(r"-> <params\.parameters\.Parameter object at 0x[0-9a-f]+>", ours["call:method|some name"])
    assert ours["get:nonexistent"] == "!! AttributeError: 'Test' object has no attribute 'nonexistent'"
    assert {op: normalized(ours)[op] for op in MOBILE_OPS} == normalized(theirs)
    assert re.fullmatch(r"-> '[0-9a-f]{34}'", ours["get:objectGUID"]), ours["get:objectGUID"]
    # What the server allows is not for clients to read or change.
    assert ours["get:accept_uploads"] == "!! AttributeError: 'Test' object has no attribute 'accept_uploads'"
    assert ours["set:accept_uploads=1"] == "!! AttributeError: 'Test' object has no attribute 'accept_uploads'"
    assert ours["get:Repo"] == "!! AttributeError: 'Test' object has no attribute 'Repo'"
