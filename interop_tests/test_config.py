"""gopyro's configuration against real Pyro 3.16's.

interop_tests/goprogs/configdump prints what config.Load makes of the current
directory and environment; Pyro prints its own with `python -m
Pyro.configuration` (which reads ./Pyro.conf) or py2/config_dump.py (which
shows Pyro.config as any Pyro program gets it, PYRO_CONFIG_FILE included).
"""
import os
import shutil
import subprocess

import pytest

from conftest import PY2, PY2_DIR, ROOT


def clean_env(extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYRO")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra or {})
    return env


def settings(out):
    """NAME=VALUE lines of the 'Active configuration settings:' section."""
    lines = out.splitlines()
    start = lines.index("Active configuration settings:") + 1
    got = {}
    for line in lines[start:]:
        if "=" not in line or line.startswith(" "):
            break
        name, value = line.split("=", 1)
        if not name.startswith("_"):
            got[name] = value
    return got


def run(cmd, cwd, env):
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def ours(gobin, cwd, env):
    cp = run([os.path.join(gobin, "configdump")], cwd, env)
    assert cp.returncode == 0, cp.stderr
    return settings(cp.stdout)


def pyro_module(cwd, env):
    cp = run([PY2, "-m", "Pyro.configuration"], cwd, env)
    assert cp.returncode == 0, cp.stdout + cp.stderr
    return settings(cp.stdout)


def pyro_import(cwd, env):
    cp = run([PY2, os.path.join(PY2_DIR, "config_dump.py")], cwd, env)
    assert cp.returncode == 0, cp.stdout + cp.stderr
    return settings(cp.stdout)


def test_defaults(gobin, tmp_path):
    env = clean_env()
    want = pyro_module(tmp_path, env)
    assert len(want) == 45  # 44 items and PYRO_CONFIG_FILE
    assert ours(gobin, tmp_path, env) == want


PYRO_CONF = """\
# every kind of item, Pyro's syntax
PYRO_STORAGE=store
PYRO_HOST=$CURDIR
PYRO_PUBLISHHOST = gateway.example   trailing words are ignored
PYRO_PORT=7000
PYRO_PORT_RANGE=+5
PYRO_NS_HOSTNAME=
PYRO_NS_PORT=0019
PYRO_NS_BC_ADDR=127.255.255.255
PYRO_NS2_HOSTNAME=ns2#notacomment
PYRO_NS_URIFILE=$STORAGE/uri/../ns.uri
PYRO_NS_DEFAULTGROUP=:Mine
PYRO_BC_RETRIES=-1
PYRO_BC_TIMEOUT=1e11
PYRO_PICKLE_FORMAT=1
PYRO_LOGFILE=logs/sys.log
PYRO_USER_LOGFILE=$STORAGE//abs/user.log
PYRO_COMPRESSION=1
PYRO_ES_QUEUESIZE=0
PYROSSL_CERTDIR=$STORAGE/a/../certs
PYROSSL_KEY=key.pem
PYROSSL_POSTCONNCHECK=0\t
\t
PYRO_TRACELEVEL=3
PYRO_TRACELEVEL=2
"""


@pytest.mark.parametrize("env_extra", [
    {},
    {"PYRO_PORT": "7100", "PYRO_STORAGE": "envstore", "PYRO_BC_TIMEOUT": " 2 ",
     "PYRO_NS_HOSTNAME": "nshost", "PYRO_CHECKSUM": "1", "PYRO_DNS_URI": "-0"},
    {"PYRO_BC_TIMEOUT": "-Infinity", "PYRO_HOST": "a b", "PYRO_TRACELEVEL": "\t3\n"},
    {"PYRO_BC_TIMEOUT": "123456789012.5"},
    {"PYRO_BC_TIMEOUT": ".5"},
], ids=["file", "env-over-file", "env-odd-values", "float-12-digits", "float-leading-dot"])
def test_pyro_conf(gobin, tmp_path, env_extra):
    (tmp_path / "Pyro.conf").write_text(PYRO_CONF)
    env = clean_env(env_extra)
    want = pyro_module(tmp_path, env)
    assert want["PYRO_PORT"] == env_extra.get("PYRO_PORT", "7000")  # the file was read
    assert ours(gobin, tmp_path, env) == want


def test_config_file_variable(gobin, tmp_path):
    (tmp_path / "Pyro.conf").write_text("PYRO_PORT=7000\n")
    sub = tmp_path / "etc"
    sub.mkdir()
    (sub / "other.conf").write_text("PYRO_PORT=7001\nPYRO_LOGFILE=$STORAGE/x.log\n")
    env = clean_env({"PYRO_CONFIG_FILE": "etc/other.conf", "PYRO_STORAGE": str(tmp_path / "st")})
    want = pyro_import(tmp_path, env)
    assert want["PYRO_PORT"] == "7001"
    assert want["PYRO_CONFIG_FILE"] == str(sub / "other.conf")
    assert ours(gobin, tmp_path, env) == want


@pytest.mark.parametrize("conf,env_extra,expect", [
    ("PYRO_PORT=1\nPYRO_NOSUCH=2\n", {}, ["Pyro.conf:2", "PYRO_NOSUCH", "unknown config item"]),
    ("PYRO_PORT=1\n PYRO_HOST=x\n", {}, ["Pyro.conf:2", "syntax error"]),
    ("PYRO_HOST=x\nPYRO_COMPRESSION=True\n", {}, ["Pyro.conf:2", "PYRO_COMPRESSION", '"True"']),
    ("PYRO_HOST=x\n", {"PYRO_MAXCONNECTIONS": "True"}, ["environment", "PYRO_MAXCONNECTIONS", '"True"']),
    ("PYRO_HOST=x\n", {"PYRO_BC_TIMEOUT": "0x1p3"}, ["environment", "PYRO_BC_TIMEOUT", '"0x1p3"']),
], ids=["unknown-item", "syntax", "bad-int-file", "bad-int-env", "bad-float-env"])
def test_errors(gobin, tmp_path, conf, env_extra, expect):
    (tmp_path / "Pyro.conf").write_text(conf)
    env = clean_env(env_extra)
    py = run([PY2, os.path.join(PY2_DIR, "config_dump.py")], tmp_path, env)
    assert py.returncode != 0, py.stdout  # Pyro refuses the same input
    go = run([os.path.join(gobin, "configdump")], tmp_path, env)
    assert go.returncode == 1
    for part in expect:
        assert part in go.stderr


def test_systemd_units_verify(gobin, tmp_path):
    """scripts/systemd units pass `systemd-analyze verify` (skipped without it)."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("no systemd-analyze")
    src = os.path.join(ROOT, "scripts", "systemd")
    units = []
    for name in ("pyro-ns", "pyro-es"):
        with open(os.path.join(src, name + ".service")) as f:
            text = f.read()
        # verify checks that ExecStart= exists: use the built binary if any.
        binary = os.path.join(gobin, name)
        if not os.path.exists(binary):
            binary = shutil.which("true")
        assert "ExecStart=/usr/local/bin/%s " % name in text
        text = text.replace("/usr/local/bin/" + name, binary)
        unit = tmp_path / (name + ".service")
        unit.write_text(text)
        units.append(str(unit))
    cp = run([analyze, "verify", "--man=no"] + units, tmp_path, clean_env())
    assert cp.returncode == 0 and cp.stderr == "", cp.stderr


BINARIES = ["pyro-ns", "pyro-nsc", "pyro-es", "pyro-echo", "pyro-genguid"]


@pytest.mark.parametrize("tool", BINARIES)
def test_binaries_print_config_like_pyro(gobin, tmp_path, tool):
    """Every binary's --print-config shows what Pyro sees for the same
    Pyro.conf and environment (environment beating the file)."""
    (tmp_path / "Pyro.conf").write_text("PYRO_PORT=7777\nPYRO_NS_PORT=9999\nPYRO_COMPRESSION=1\n")
    env = clean_env({"PYRO_NS_PORT": "9191", "PYRO_BC_TIMEOUT": "1.5"})
    cp = run([os.path.join(gobin, tool), "--print-config"], str(tmp_path), env)
    assert cp.returncode == 0, cp.stderr
    got = settings(cp.stdout)
    assert got["PYRO_NS_PORT"] == "9191" and got["PYRO_PORT"] == "7777"
    assert got == pyro_module(str(tmp_path), env)


@pytest.mark.parametrize("tool", BINARIES)
def test_binaries_refuse_bad_config(gobin, tmp_path, tool):
    """A malformed setting stops every binary with status 1 and names the
    file, line and item (Pyro refuses the same file at import time)."""
    (tmp_path / "Pyro.conf").write_text("# settings\nPYRO_MAXCONNECTIONS=lots\n")
    env = clean_env()
    cp = run([os.path.join(gobin, tool)], str(tmp_path), env)
    assert cp.returncode == 1
    conf = os.path.join(str(tmp_path), "Pyro.conf")
    assert "%s: config: %s:2: PYRO_MAXCONNECTIONS" % (tool, conf) in cp.stderr
    assert run([PY2, "-m", "Pyro.configuration"], str(tmp_path), env).returncode != 0
