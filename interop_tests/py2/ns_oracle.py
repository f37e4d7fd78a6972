"""Runs name-space operations against real Pyro 3.16's in-memory NameServer
object (no network) and prints each result as JSON: the oracle for the Go
name space model (ns/testdata/oracle.jsonl is this script's output).

stdin: one JSON list per line: [method, arg, ...]. stdout: one JSON object
per line: {"op": [...], "ok": <result>} or {"op": [...], "err": [class, args]}.
"""
import json
import sys

import Pyro.core
import Pyro.naming

Pyro.core.initServer(banner=0)


def canon(v):
    if v is None:
        return None
    if isinstance(v, Pyro.core.PyroURI):
        return {"uri": str(v)}
    if isinstance(v, Pyro.naming.NameSpaceSystemMeta):
        return {"sysmeta": v.type}
    if isinstance(v, (list, tuple)):
        items = [canon(x) for x in v]
        if isinstance(v, list):
            items.sort()
        return items
    if isinstance(v, (int, long, float, bool, str, unicode, dict)):
        return v
    return repr(v)


def main():
    ns = Pyro.naming.NameServer()
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        op = json.loads(line)
        args = [a.encode("utf-8") if isinstance(a, unicode) else a for a in op[1:]]
        if op[0] == "_setSystemMeta" and args[1] == "SYSMETA":
            args[1] = Pyro.naming.NameSpaceSystemMeta(Pyro.naming.NameValue("x"), 12.5, None)
        out = {"op": op}
        try:
            out["ok"] = canon(getattr(ns, op[0])(*args))
        except Exception, x:
            out["err"] = [x.__class__.__name__, canon(tuple(x.args)) if isinstance(x, Pyro.errors.PyroError) else [str(x)]]
        print json.dumps(out, sort_keys=True)


if __name__ == "__main__":
    main()
