"""Calls a Pyro 5 test echo server (Pyro5.utils.echoserver or pyro-echo) as
a Pyro5 5.17 user smoke-tests one. Usage: echo_client.py URI.
Prints "name -> repr(result)" or "name !! Class: text" per step."""
import sys

import Pyro5.api

from core_client import step

with Pyro5.api.Proxy(sys.argv[1]) as p:
    p._pyroTimeout = 10
    step("echo", lambda: p.echo(["hello", (1, 2.5), {"k": {3}}]))
    step("error", p.error)
    step("error_with_text", p.error_with_text)
    step("oneway_echo", lambda: p.oneway_echo("x"))  # oneway by metadata: None
    step("oneway_slow", p.oneway_slow)
    step("generator", lambda: list(p.generator()))
    step("generator_type", lambda: type(p.generator()).__name__)
    step("nan", lambda: repr(p.nan()))
    step("inf", p.inf)
    step("verbose", lambda: p.verbose)
    step("oneway_meta", lambda: sorted(p._pyroOneway))
    step("attrs_meta", lambda: sorted(p._pyroAttrs))
    step("private", lambda: p._private())
    step("after", lambda: p.echo(1))
