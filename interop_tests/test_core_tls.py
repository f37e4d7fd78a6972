"""PYROSSL through package core: real Pyro 3.16 with M2Crypto against a
core.Daemon with DaemonOptions.TLS, and a core.Proxy against Pyro's
unmodified ssl example server (goprogs/coreserver -ssl / -call).

The PKI, the Python name server and the example directory come from
test_tls.py (goprogs/tlscerts, one certificate directory per scenario);
the Python ssl client runs through py2/tls_run_example.py, which adds the
gettimeout method Pyro 3.16's PYROSSL client needs on M2Crypto connections.
Both Go programs take their certificates from the PYROSSL_* environment, as
Pyro programs do.
"""
import os
import re
import subprocess

import pytest

from conftest import PY2, PY2_DIR, GOPYRO_EXAMPLES, readline_with_timeout
from test_tls import PY_REFUSED, REPLY, SSLRun, output, pki, wait_output  # noqa: F401 (pki is a fixture)

pytestmark = [
    pytest.mark.skipif(not os.path.isdir(GOPYRO_EXAMPLES),
                       reason="Pyro 3.16 examples not found at %s" % GOPYRO_EXAMPLES),
    pytest.mark.skipif(subprocess.run([PY2, "-c", "from M2Crypto import SSL"],
                                      capture_output=True).returncode != 0,
                       reason="M2Crypto not installed for Python 2.7 (scripts/m2crypto.sh)"),
]


def core_server(r, gobin):
    """Starts coreserver -ssl registered with the run's name server as
    :test.ssl; returns (process, port)."""
    p = r.start([os.path.join(gobin, "coreserver"), "-ssl", "-port", "0", "-lifetime", "60s",
                 "-ns", "127.0.0.1:%d" % r.ns_port],
                env={"PYROSSL_CERT": "server.pem", "PYRO_NS_DEFAULTGROUP": ":test"})
    out = wait_output(p, "READY\n")
    uris = dict(line.split()[1:] for line in out.splitlines() if line.startswith("URI "))
    m = re.match(r"PYROSSL://127\.0\.0\.1:(\d+)/[0-9a-f]+$", uris["ssl"])
    assert m, uris
    return p, int(m.group(1))


def core_client(r, gobin, uri):
    return r.run([os.path.join(gobin, "coreserver"), "-call", uri, "-lifetime", "30s"],
                 env={"PYROSSL_CERT": "client.pem"})


def test_python_ssl_client_core_daemon(procs, gobin, pki):
    """The unmodified ssl example client: PYRONAME://:test.ssl, then
    PYROLOCSSL://127.0.0.1:port/ssl."""
    r = SSLRun(procs, pki, "good")
    server, port = core_server(r, gobin)
    cp = r.py_client(port)
    out = cp.stdout.decode()
    assert cp.returncode == 0, out + cp.stderr.decode()
    assert out.count(REPLY) == 2, out
    log = output(server)
    assert log.count("Cert subject: CN=client,O=gopyro") == 2, log
    assert log.count("I got a secret message:  Irmen de Jong is a space alien") == 2, log


def test_core_proxy_python_ssl_server(procs, gobin, pki):
    r = SSLRun(procs, pki, "good")
    server, port = r.py_server()
    for uri in ("PYROLOCSSL://127.0.0.1:%d/ssl" % port, "PYRONAME://:test.ssl"):
        cp = core_client(r, gobin, uri)
        out = cp.stdout.decode()
        assert cp.returncode == 0, out + cp.stderr.decode()
        assert REPLY in out and "bound to PYROSSL" in out, out
    assert output(server).count("Cert subject: /O=gopyro/CN=client") == 2


def test_core_proxy_core_daemon(procs, gobin, pki):
    """Both ends core, found through the Python name server."""
    r = SSLRun(procs, pki, "good")
    server, port = core_server(r, gobin)
    for uri in ("PYROLOCSSL://127.0.0.1:%d/ssl" % port, "PYRONAME://:test.ssl"):
        cp = core_client(r, gobin, uri)
        assert cp.returncode == 0, cp.stdout.decode() + cp.stderr.decode()
        assert REPLY in cp.stdout.decode()
    assert output(server).count("Cert subject: CN=client,O=gopyro") == 2


@pytest.mark.parametrize("scenario,server_err", [
    ("expiredclient", "TLS handshake failed: tls: failed to verify certificate: x509: certificate has expired"),
    ("wrongclient", "TLS handshake failed: tls: failed to verify certificate: x509: certificate signed by unknown authority"),
])
def test_python_client_refused_by_core_daemon(procs, gobin, pki, scenario, server_err):
    """The daemon's log (pyrolog, NOTE level) names the cause."""
    r = SSLRun(procs, pki, scenario)
    server, port = core_server(r, gobin)
    cp = r.py_client(port)
    assert cp.returncode != 0
    err = cp.stderr.decode()
    assert any(e in err for e in PY_REFUSED), err
    log = output(server)
    assert server_err in log and "** NOTE ** Daemon ** pyro daemon: handshake failed" in log, log


@pytest.mark.parametrize("scenario,client_err", [
    ("expiredclient", "TLS: the peer refused the connection: tls: "),
    ("expiredserver", "TLS handshake failed: tls: failed to verify certificate: x509: certificate has expired"),
    ("wrongserver", "TLS handshake failed: tls: failed to verify certificate: x509: certificate signed by unknown authority"),
])
def test_core_proxy_bad_certificates(procs, gobin, pki, scenario, client_err):
    """A core.Proxy reports TLS failures as Pyro's ProtocolError with the cause."""
    r = SSLRun(procs, pki, scenario)
    server, port = r.py_server()
    cp = core_client(r, gobin, "PYROLOCSSL://127.0.0.1:%d/ssl" % port)
    assert cp.returncode != 0
    assert "ERROR ProtocolError: " + client_err in cp.stdout.decode(), cp.stdout.decode() + cp.stderr.decode()


def test_plain_python_client_on_core_tls_port(procs, gobin, pki):
    """After the TLS listener's hello timeout (5 s) a plain PYROLOC client is
    refused with ConnectionDeniedError('security reasons')."""
    r = SSLRun(procs, pki, "good")
    server, port = core_server(r, gobin)
    cp = r.run([PY2, os.path.join(PY2_DIR, "tls_plain_client.py"), str(port)], timeout=30)
    assert cp.stdout.decode().strip() == "ERROR ConnectionDeniedError: security reasons", cp.stdout + cp.stderr
    assert "the client sent nothing (a plain PYRO client on a PYROSSL port?)" in output(server)


def test_core_tls_proxy_on_plain_python_daemon(procs, gobin, pki):
    r = SSLRun(procs, pki, "good")
    d = r.start([PY2, os.path.join(PY2_DIR, "handshake_daemon.py"), "30"])
    port = int(readline_with_timeout(d).split()[1])
    cp = core_client(r, gobin, "PYROLOCSSL://127.0.0.1:%d/target" % port)
    assert cp.returncode != 0
    assert ("ERROR ProtocolError: TLS handshake failed: the server answered in plain PYRO, "
            "it is not a PYROSSL server") in cp.stdout.decode(), cp.stdout.decode() + cp.stderr.decode()
