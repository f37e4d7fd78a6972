"""Handshake and framing interop: package protocol against real Pyro 3.16.

A Go listener (goprogs/handshake, server mode) is called by real Pyro proxies
(py2/handshake_client.py); the Go client mode handshakes with a real Pyro
daemon (py2/handshake_daemon.py).
"""
import os
import subprocess

import pytest

from conftest import readline_with_timeout, run_py2

LONG_ARG = "A" * 200  # compresses well: Pyro sends it with the COMPRESSED flag


def start_go_server(gobin, procs, *args):
    p = procs.start([os.path.join(gobin, "handshake"), "-port", "0", "-lifetime", "60"] + list(args))
    line = readline_with_timeout(p, 15)
    assert line.startswith("LISTENING "), line
    return p, int(line.split()[1])


def server_log(p):
    """Stop the Go server and return its stderr."""
    p.kill()
    _, err = p.communicate(timeout=10)
    return err.decode(errors="replace")


def pyro_calls(port, ident="", *args, env=None):
    cp = run_py2("handshake_client.py", port, ident, *args, timeout=60, env=env)
    return cp.stdout.decode().splitlines()


def test_pyro_proxy_calls_go_listener(gobin, procs):
    p, port = start_go_server(gobin, procs)
    assert pyro_calls(port) == ["RESULT None", "RESULT None"]
    # One connection, two requests, plain frames.
    assert server_log(p).count("request flags=0x0 ") == 2


@pytest.mark.parametrize("ident,want", [
    ("s3cr3t", "RESULT None"),
    ("wrong", "ERROR ConnectionDeniedError security reasons"),
    ("", "ERROR ConnectionDeniedError security reasons"),
])
def test_identification(gobin, procs, ident, want):
    _, port = start_go_server(gobin, procs, "-ident", "s3cr3t")
    assert pyro_calls(port, ident) == [want, want]


def test_server_too_busy(gobin, procs):
    _, port = start_go_server(gobin, procs, "-maxconn", "1")
    want = "ERROR ConnectionDeniedError server too busy"
    assert pyro_calls(port) == [want, want]


@pytest.mark.parametrize("go_flags", [[], ["-checksum", "-compress"]])
def test_compression_and_checksum(gobin, procs, go_flags):
    p, port = start_go_server(gobin, procs, "-ident", "s3cr3t", *go_flags)
    env = {"PYRO_COMPRESSION": "1", "PYRO_CHECKSUM": "1"}
    assert pyro_calls(port, "s3cr3t", LONG_ARG, env=env) == ["RESULT None", "RESULT None"]
    log = server_log(p)
    # Both requests arrived compressed and checksummed (flags 0x3) and
    # decompressed to the full pickle.
    assert log.count("request flags=0x3 ") == 2, log


def start_pyro_daemon(procs, *idents, env=None):
    p = procs.py2("handshake_daemon.py", 60, *idents, env=env)
    line = readline_with_timeout(p, 30)
    assert line.startswith("READY "), line
    _, port, objid = line.split()
    return int(port), objid


def go_client(gobin, port, *args):
    cp = subprocess.run([os.path.join(gobin, "handshake"), "-connect", "127.0.0.1:%d" % port] + list(args),
                        capture_output=True, timeout=60)
    assert cp.returncode == 0, cp
    return cp.stdout.decode().splitlines()


def test_go_client_pyro_daemon(gobin, procs):
    port, objid = start_pyro_daemon(procs)
    assert go_client(gobin, port) == ["GRANTED"]
    # ping() -> 42: pickle protocol 2 of 42.
    assert go_client(gobin, port, "-call", objid + ":ping") == ["GRANTED", "REPLY 80024b2a2e"]
    # An identification is not checked when the daemon has none configured.
    assert go_client(gobin, port, "-ident", "whatever") == ["GRANTED"]


@pytest.mark.parametrize("ident,want", [
    ("s3cr3t", ["GRANTED", "REPLY 80024b2a2e"]),
    ("wrong", ["security reasons"]),
    ("", ["security reasons"]),
])
def test_go_client_identification(gobin, procs, ident, want):
    port, objid = start_pyro_daemon(procs, "s3cr3t")
    assert go_client(gobin, port, "-ident", ident, "-call", objid + ":ping") == want


def test_go_client_compressed_call(gobin, procs):
    # The daemon checksums its challenge and replies; our compressed,
    # checksummed request (length('A'*200) -> 200) must be accepted.
    port, objid = start_pyro_daemon(procs, env={"PYRO_COMPRESSION": "1", "PYRO_CHECKSUM": "1"})
    out = go_client(gobin, port, "-compress", "-checksum", "-call", objid + ":length", "-arg", LONG_ARG)
    assert out == ["GRANTED", "REPLY 80024bc82e"]


def test_go_client_server_too_busy(gobin, procs):
    # Pyro refuses with a raw DENIED1 before the challenge.
    port, _ = start_pyro_daemon(procs, env={"PYRO_MAXCONNECTIONS": "1"})
    assert go_client(gobin, port) == ["server too busy"]
