"""Connection security interop: Pyro 3.16's unmodified denyhosts, authenticate
and user_passwd_auth example programs against gopyro's validators (package
protocol: DenyHosts, DefaultValidator identifications, LoginValidator), served
or called by the Go program goprogs/secserver. The Python peer keeps its own
validator; ours runs the equivalent. Each run has its own real Pyro name
server on 127.0.0.1 (found through PYRO_NS_HOSTNAME/PYRO_NS_PORT).
"""
import os
import re
import shutil
import subprocess
import tempfile

import pytest

from conftest import GOPYRO_EXAMPLES, PY2, free_port, output, py2_env, wait_output, wait_port

pytestmark = pytest.mark.skipif(not os.path.isdir(GOPYRO_EXAMPLES),
                                reason="Pyro 3.16 examples not found at %s" % GOPYRO_EXAMPLES)


class SecRun:
    """A copy of one example directory and a real Pyro name server."""

    def __init__(self, procs, example, ns_ident=None):
        self.procs = procs
        self.tmp = tempfile.mkdtemp(prefix="pyro-sec-")
        self.cwd = os.path.join(self.tmp, example)
        shutil.copytree(os.path.join(GOPYRO_EXAMPLES, example), self.cwd)
        self.ns_port = free_port()
        self.env = py2_env({
            "PYRO_NS_HOSTNAME": "127.0.0.1", "PYRO_NS_PORT": self.ns_port,
            "PYRO_HOST": "127.0.0.1", "PYRO_PORT": free_port(),
            "PYRO_STORAGE": self.tmp, "PYTHONUNBUFFERED": "1"})
        cmd = [PY2, "-m", "Pyro.naming", "-n", "127.0.0.1", "-p", str(self.ns_port), "-x"]
        if ns_ident:
            cmd += ["-i", ns_ident]
        ns = procs.start(cmd, env=self.env, cwd=self.cwd)
        wait_port(self.ns_port, proc=ns)

    def start(self, cmd, ready, stdin=b""):
        """Starts a server and reads its output up to the line containing ready."""
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, env=self.env, cwd=self.cwd)
        self.procs.procs.append(p)
        if stdin:
            p.stdin.write(stdin)
            p.stdin.flush()
        wait_output(p, ready)
        return p

    def go_server(self, gobin, *args):
        return self.start([os.path.join(gobin, "secserver"), "-lifetime", "60s"] + list(args), "READY")

    def run(self, cmd, input=b"", timeout=60):
        # A new session has no controlling terminal, so getpass reads stdin.
        cp = subprocess.run(cmd, input=input, capture_output=True, timeout=timeout,
                            env=self.env, cwd=self.cwd, start_new_session=True)
        return cp.stdout.decode(errors="replace"), cp.stderr.decode(errors="replace")

    def go_client(self, gobin, *args):
        return self.run([os.path.join(gobin, "secserver")] + list(args))


RESULTS = "".join("Result%d= 42\n" % i for i in range(1, 6))


# --- denyhosts: DENIED2 'host blocked' before the challenge -------------------

@pytest.mark.parametrize("deny,want", [
    # Python 2's print statement has written "Result1= " when the call fails.
    ("127.0.0.1", "Result1= ConnectionDeniedError occured: host blocked\n"),
    ("10.0.0.0/8,192.168.1.7", RESULTS),
])
def test_denyhosts_python_client_go_server(procs, gobin, deny, want):
    r = SecRun(procs, "denyhosts")
    server = r.go_server(gobin, "-serve", "denyhosts", "-deny", deny)
    out, err = r.run([PY2, "client.py"])
    assert out.endswith("Calling method 5 times\n" + want), out + err
    log = output(server)
    assert log.count("method was called with Hi there") == (5 if want == RESULTS else 0), log


@pytest.mark.parametrize("answer,want", [
    (b"y\n", RESULTS),
    (b"n\n", "ConnectionDeniedError occured: host blocked\n"),
])
def test_denyhosts_go_client_python_server(procs, gobin, answer, want):
    r = SecRun(procs, "denyhosts")
    # The example's validator asks on stdin whether to accept each connection.
    server = r.start([PY2, "server.py"], 'Server object "denyhosts" ready.', stdin=answer)
    out, err = r.go_client(gobin, "-call", "denyhosts")
    assert out == want, out + err
    assert "Do you want to accept this? y/n:" in output(server)


# --- authenticate: passphrase identification (HMAC-MD5 token, DENIED3) ------

@pytest.mark.parametrize("ident,want_out,want_err", [
    ("s3cr3t", "Result from method call:  An interesting result\n", ""),
    ("wrong", "", "ConnectionDeniedError: security reasons"),
])
def test_authenticate_python_client_go_server(procs, gobin, ident, want_out, want_err):
    r = SecRun(procs, "authenticate", ns_ident="s3cr3t")
    server = r.go_server(gobin, "-serve", "authenticate", "-ident", "s3cr3t", "-nsident", "s3cr3t")
    out, err = r.run([PY2, "client.py"], input=("s3cr3t\n%s\n" % ident).encode())
    assert out.endswith(want_out), out + err
    assert want_err in err
    assert ("Method called with foo bar" in output(server)) == (want_err == "")


@pytest.mark.parametrize("ident,want", [
    ("s3cr3t", "Result from method call:  An interesting result\n"),
    ("wrong", "ConnectionDeniedError occured: security reasons\n"),
    ("", "ConnectionDeniedError occured: security reasons\n"),
])
def test_authenticate_go_client_python_server(procs, gobin, ident, want):
    r = SecRun(procs, "authenticate", ns_ident="s3cr3t")
    r.start([PY2, "server.py"], "Server started.")
    out, err = r.go_client(gobin, "-call", "authenticate", "-ident", ident, "-nsident", "s3cr3t")
    assert out == want, out + err


def test_authenticate_name_server_identification(procs, gobin):
    """Our registrar without the name server's identification is refused."""
    r = SecRun(procs, "authenticate", ns_ident="s3cr3t")
    out, err = r.go_client(gobin, "-call", "authenticate", "-ident", "s3cr3t", "-nsident", "wrong")
    assert "security reasons" in err, out + err


# --- user_passwd_auth: custom token "login:" + HMAC-MD5 ---------------------

@pytest.mark.parametrize("login,password,want_out,want_err", [
    ("irmen", "secret", "Result from method call:  You are 'irmen' and you were allowed to connect.\n", ""),
    ("root", "change_me", "Result from method call:  You are 'root' and you were allowed to connect.\n", ""),
    ("guest", "wrong", "", "ConnectionDeniedError: security reasons"),
    ("nobody", "secret", "", "ConnectionDeniedError: security reasons"),
])
def test_userpass_python_client_go_server(procs, gobin, login, password, want_out, want_err):
    r = SecRun(procs, "user_passwd_auth")
    r.go_server(gobin, "-serve", "userpass")
    out, err = r.run([PY2, "client.py"], input=("%s\n%s\n" % (login, password)).encode())
    assert out.endswith(want_out), out + err
    assert want_err in err, err


@pytest.mark.parametrize("user,want,server_says", [
    ("guest:guest", "Result from method call:  You are 'guest' and you were allowed to connect.\n", "ALLOWED guest"),
    ("irmen:secret", "Result from method call:  You are 'irmen' and you were allowed to connect.\n", "ALLOWED irmen"),
    ("irmen:guest", "ConnectionDeniedError occured: security reasons\n", "DENIED irmen"),
])
def test_userpass_go_client_python_server(procs, gobin, user, want, server_says):
    r = SecRun(procs, "user_passwd_auth")
    server = r.start([PY2, "server.py"], "Server started.")
    out, err = r.go_client(gobin, "-call", "userpass", "-user", user)
    assert out == want, out + err
    assert re.search(r"^%s$" % server_says, output(server), re.M)
