"""PYROSSL interop: real Pyro 3.16 with M2Crypto (scripts/m2crypto.sh) against
gopyro's TLS (package protocol: TLSSettings, TLSListener, DialTLS, SSLValidator),
through Pyro's unmodified ssl example and the Go program goprogs/secserver.

Pyro 3.16's PYROSSL client cannot connect with any M2Crypto release: its
_connect_socket calls sock.gettimeout(), which M2Crypto's SSL.Connection lacks.
py2/tls_run_example.py adds that one method before running the example client
(see its docstring); the server side of Pyro needs nothing.

Certificates come from goprogs/tlscerts (a CA, server/client certificates,
expired ones and ones of another CA), in one directory per scenario because
the example programs set PYROSSL_CERT in code (server.pem / client.pem).
"""
import os
import re
import shutil
import subprocess
import tempfile

import pytest

from conftest import GOPYRO_EXAMPLES, PY2, PY2_DIR, free_port, output, py2_env, readline_with_timeout, wait_output, wait_port

pytestmark = [
    pytest.mark.skipif(not os.path.isdir(GOPYRO_EXAMPLES),
                       reason="Pyro 3.16 examples not found at %s" % GOPYRO_EXAMPLES),
    pytest.mark.skipif(subprocess.run([PY2, "-c", "from M2Crypto import SSL"],
                                      capture_output=True).returncode != 0,
                       reason="M2Crypto not installed for Python 2.7 (scripts/m2crypto.sh)"),
]

# scenario → (file copied to server.pem, file copied to client.pem)
SCENARIOS = {
    "good": ("server.pem", "client.pem"),
    "expiredclient": ("server.pem", "expiredclient.pem"),
    "wrongclient": ("server.pem", "wrongclient.pem"),
    "expiredserver": ("expiredserver.pem", "client.pem"),
    "wrongserver": ("wrongserver.pem", "client.pem"),
}


@pytest.fixture(scope="module")
def pki(gobin):
    base = tempfile.mkdtemp(prefix="gopyro-pki-")
    all_ = os.path.join(base, "all")
    subprocess.check_call([os.path.join(gobin, "tlscerts"), "-dir", all_], timeout=60)
    for name, (server, client) in SCENARIOS.items():
        d = os.path.join(base, name)
        os.makedirs(d)
        shutil.copy(os.path.join(all_, "ca.pem"), d)
        shutil.copy(os.path.join(all_, server), os.path.join(d, "server.pem"))
        shutil.copy(os.path.join(all_, client), os.path.join(d, "client.pem"))
    yield base
    shutil.rmtree(base, ignore_errors=True)


class SSLRun:
    """A Python name server and the ssl example directory for one test."""

    def __init__(self, procs, pki, scenario):
        self.procs = procs
        self.tmp = tempfile.mkdtemp(prefix="pyro-ssl-")
        self.cwd = os.path.join(self.tmp, "ssl")
        shutil.copytree(os.path.join(GOPYRO_EXAMPLES, "ssl"), self.cwd)
        self.ns_port = free_port()
        self.env = py2_env({
            "PYRO_NS_HOSTNAME": "127.0.0.1", "PYRO_NS_PORT": self.ns_port,
            "PYRO_HOST": "127.0.0.1", "PYRO_PORT": free_port(),
            "PYROSSL_CERTDIR": os.path.join(pki, scenario), "PYROSSL_CA_CERT": "ca.pem",
            "PYRO_STORAGE": self.tmp, "PYTHONUNBUFFERED": "1"})
        ns = procs.start([PY2, "-m", "Pyro.naming", "-n", "127.0.0.1", "-p", str(self.ns_port), "-x"],
                         env=self.env, cwd=self.cwd)
        wait_port(self.ns_port, proc=ns)

    def start(self, cmd, env=None):
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, env=dict(self.env, **(env or {})), cwd=self.cwd)
        self.procs.procs.append(p)
        return p

    def run(self, cmd, input=b"", env=None, timeout=60):
        return subprocess.run(cmd, input=input, capture_output=True, timeout=timeout,
                              env=dict(self.env, **(env or {})), cwd=self.cwd)

    def go_server(self, gobin, *args):
        """Starts secserver -serve ssl and returns (process, port)."""
        p = self.start([os.path.join(gobin, "secserver"), "-serve", "ssl", "-lifetime", "60s"] + list(args),
                       env={"PYROSSL_CERT": "server.pem"})
        line = readline_with_timeout(p)
        m = re.match(r"READY (\d+) PYROSSL://127\.0\.0\.1:\d+/", line)
        assert m, line
        return p, int(m.group(1))

    def py_server(self):
        """Starts the example's server.py and returns (process, port)."""
        p = self.start([PY2, "server.py"])
        out = wait_output(p, 'Server object "ssl" ready.')
        return p, int(re.search(r"server uri= PYROSSL://[^:]+:(\d+)/", out).group(1))

    def py_client(self, port):
        """Runs the unmodified example client (PYRONAME, then PYROLOCSSL)."""
        return self.run([PY2, os.path.join(PY2_DIR, "tls_run_example.py"), "client.py"],
                        input=("127.0.0.1:%d\n" % port).encode())

    def go_client(self, gobin, *args):
        return self.run([os.path.join(gobin, "secserver"), "-call", "ssl"] + list(args),
                        env={"PYROSSL_CERT": "client.pem"})


REPLY = "I got a secret reply:  Elvis Presley isn't dead, he just went home"


def test_python_ssl_client_go_server(procs, gobin, pki):
    r = SSLRun(procs, pki, "good")
    server, port = r.go_server(gobin)
    cp = r.py_client(port)
    out = cp.stdout.decode()
    assert cp.returncode == 0, out + cp.stderr.decode()
    assert out.count(REPLY) == 2, out  # PYRONAME://:test.ssl, then PYROLOCSSL://127.0.0.1:port/ssl
    log = output(server)
    assert log.count("Cert subject: CN=client,O=gopyro") == 2, log
    assert log.count("I got a secret message:  Irmen de Jong is a space alien") == 2, log


def test_go_client_python_ssl_server(procs, gobin, pki):
    r = SSLRun(procs, pki, "good")
    server, port = r.py_server()
    for args in ([], ["-uri", "PYROLOCSSL://127.0.0.1:%d/ssl" % port]):
        cp = r.go_client(gobin, *args)
        assert cp.returncode == 0, cp.stdout.decode() + cp.stderr.decode()
        assert REPLY in cp.stdout.decode()
    log = output(server)
    assert log.count("Cert subject: /O=gopyro/CN=client") == 2, log


# What real Pyro reports depends on when OpenSSL notices: a refused client
# certificate shows after its TLS 1.3 handshake completed ("connection lost"
# or "connection failed"); our server's log names the cause. A server
# certificate M2Crypto refuses fails its connect ("certificate verify
# failed"); our server then only sees the broken handshake.
PY_REFUSED = ("ConnectionClosedError: connection lost", "ProtocolError: connection failed")


@pytest.mark.parametrize("scenario,client_errs,server_err", [
    ("expiredclient", PY_REFUSED, "TLS handshake failed: tls: failed to verify certificate: x509: certificate has expired"),
    ("wrongclient", PY_REFUSED, "TLS handshake failed: tls: failed to verify certificate: x509: certificate signed by unknown authority"),
    ("expiredserver", ("certificate verify failed",), "TLS handshake failed: "),
    ("wrongserver", ("certificate verify failed",), "TLS handshake failed: "),
])
def test_python_client_bad_certificates(procs, gobin, pki, scenario, client_errs, server_err):
    r = SSLRun(procs, pki, scenario)
    server, port = r.go_server(gobin)
    cp = r.py_client(port)
    assert cp.returncode != 0
    err = cp.stderr.decode()
    assert any(e in err for e in client_errs), err
    assert server_err in output(server)


@pytest.mark.parametrize("scenario,client_err", [
    ("expiredclient", "TLS: the peer refused the connection: tls: "),
    ("wrongclient", "TLS: the peer refused the connection: tls: "),
    ("expiredserver", "TLS handshake failed: tls: failed to verify certificate: x509: certificate has expired"),
    ("wrongserver", "TLS handshake failed: tls: failed to verify certificate: x509: certificate signed by unknown authority"),
])
def test_go_client_bad_certificates(procs, gobin, pki, scenario, client_err):
    r = SSLRun(procs, pki, scenario)
    server, port = r.py_server()
    cp = r.go_client(gobin, "-uri", "PYROLOCSSL://127.0.0.1:%d/ssl" % port)
    assert cp.returncode != 0
    assert client_err in cp.stderr.decode(), cp.stderr.decode()


def test_plain_python_client_on_tls_port(procs, gobin, pki):
    """A plain Pyro client gets ConnectionDeniedError('security reasons')
    instead of waiting forever for a challenge; the server says why."""
    r = SSLRun(procs, pki, "good")
    server, port = r.go_server(gobin, "-hellotimeout", "500ms")
    cp = r.run([PY2, os.path.join(PY2_DIR, "tls_plain_client.py"), str(port)], timeout=30)
    assert cp.stdout.decode().strip() == "ERROR ConnectionDeniedError: security reasons", cp.stdout + cp.stderr
    assert "the client sent nothing (a plain PYRO client on a PYROSSL port?)" in output(server)


def test_go_tls_client_on_plain_port(procs, gobin, pki):
    r = SSLRun(procs, pki, "good")
    d = r.start([PY2, os.path.join(PY2_DIR, "handshake_daemon.py"), "30"])
    port = int(readline_with_timeout(d).split()[1])
    cp = r.go_client(gobin, "-uri", "PYROLOCSSL://127.0.0.1:%d/target" % port)
    assert cp.returncode != 0
    assert "TLS handshake failed: the server answered in plain PYRO, it is not a PYROSSL server" in cp.stderr.decode()


def test_go_client_go_server(procs, gobin, pki):
    """Both ends gopyro: the name server still real Pyro."""
    r = SSLRun(procs, pki, "good")
    server, port = r.go_server(gobin)
    for args in ([], ["-uri", "PYROLOCSSL://127.0.0.1:%d/ssl" % port]):
        cp = r.go_client(gobin, *args)
        assert cp.returncode == 0, cp.stdout.decode() + cp.stderr.decode()
        assert REPLY in cp.stdout.decode()
    assert output(server).count("Cert subject: CN=client,O=gopyro") == 2
