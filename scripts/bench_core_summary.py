"""Summary of scripts/bench_core.sh: best of the rounds and target ratios.

The machine is shared: load from other processes only ever slows a round
down, so the best round (highest rate, lowest latency) is the estimate of
what each side can do; all rounds are printed by bench_core.sh.

usage: bench_core_summary.py <tmpdir> <kB-per-idle-connection>
"""
import re
import sys

tmp, idle = sys.argv[1], float(sys.argv[2])


def best(unit, vals):
    if not vals:
        return float("nan")
    lower_is_better = unit.endswith("µs") or unit.endswith("_us")
    return min(vals) if lower_is_better else max(vals)


def gobench(file, bench, unit):
    vals = []
    for line in open("%s/%s" % (tmp, file)):
        f = line.split()
        if f and re.fullmatch(bench + r"(-\d+)?", f[0]):
            for i in range(2, len(f)):
                if f[i] == unit:
                    vals.append(float(f[i - 1]))
    return best(unit, vals)


def py(mode, side, key):
    vals = []
    for line in open("%s/%s.%s" % (tmp, mode, side)):
        kv = dict(x.split("=", 1) for x in line.split())
        vals.append(float(kv[key]))
    return best(key, vals)


def g(b, u):
    return gobench("gogo.txt", "Benchmark" + b, u)


def gp(b, u):
    return gobench("gopy.txt", "Benchmark" + b, u)


rows = [
    ("Go->Go sequential calls/s (p50/p99 us)", "%.0f (%.1f/%.1f)" % (
        g("CallSequential", "calls/s"), g("CallSequential", "p50-µs"), g("CallSequential", "p99-µs"))),
    ("raw loopback ping-pong calls/s (p50 us)", "%.0f (%.1f)" % (g("RawPingPong", "calls/s"), g("RawPingPong", "p50-µs"))),
    ("Go->Go 8 / 32 connections calls/s", "%.0f / %.0f" % (g("CallParallel8", "calls/s"), g("CallParallel32", "calls/s"))),
    ("raw loopback ping-pong, 32 connections calls/s", "%.0f" % g("RawPingPong32", "calls/s")),
    ("Go->Go oneway executed calls/s", "%.0f" % g("Oneway", "calls/s")),
    ("Go->Go 10 MB echo MB/s (both ways)", "%.0f" % g("Echo10MB", "MB/s")),
    ("Go->Go connect+first call p50 us (Pyro 3 alone / beside Pyro 5)", "%.0f / %.0f" % (
        g("ConnectFirstCall/pyro3-only", "p50-µs"), g(r"ConnectFirstCall/pyro3\+5", "p50-µs"))),
    ("Go->Py sequential calls/s (p50 us)", "%.0f (%.1f)" % (gp("CallSequential", "calls/s"), gp("CallSequential", "p50-µs"))),
    ("Go->Py 8 / 32 connections calls/s", "%.0f / %.0f" % (gp("CallParallel8", "calls/s"), gp("CallParallel32", "calls/s"))),
    ("Go->Py 10 MB MB/s, connect p50 us", "%.0f, %.0f" % (gp("Echo10MB", "MB/s"), gp("ConnectFirstCall", "p50-µs"))),
    ("Py->Go / Py->Py sequential calls/s", "%.0f / %.0f" % (py("seq", "go", "calls_per_s"), py("seq", "py", "calls_per_s"))),
    ("Py->Go / Py->Py sequential p50 us", "%.1f / %.1f" % (py("seq", "go", "p50_us"), py("seq", "py", "p50_us"))),
    ("Py->Go / Py->Py 32 client processes calls/s", "%.0f / %.0f" % (py("par", "go", "calls_per_s"), py("par", "py", "calls_per_s"))),
    ("Py->Go / Py->Py 32 client threads calls/s", "%.0f / %.0f" % (py("threads", "go", "calls_per_s"), py("threads", "py", "calls_per_s"))),
    ("Py->Go / Py->Py oneway executed calls/s", "%.0f / %.0f" % (py("oneway", "go", "calls_per_s"), py("oneway", "py", "calls_per_s"))),
    ("Py->Go / Py->Py connect+first call p50 us", "%.0f / %.0f" % (py("connect", "go", "p50_us"), py("connect", "py", "p50_us"))),
    ("Py->Go / Py->Py 10 MB echo MB/s", "%.0f / %.0f" % (py("big", "go", "mb_per_s"), py("big", "py", "mb_per_s"))),
    ("Go daemon memory per idle connection kB", "%.1f" % idle),
]
for k, v in rows:
    print("%-46s %s" % (k, v))
print()
checks = [
    ("Go->Go sequential / raw ping-pong, calls/s (>= 0.8)",
     g("CallSequential", "calls/s") / g("RawPingPong", "calls/s"), 0.8, True),
    ("  the same on p50: raw p50 / Go->Go p50 (>= 0.8)",
     g("RawPingPong", "p50-µs") / g("CallSequential", "p50-µs"), 0.8, True),
    ("  (info) Go->Go 32 conns / raw ping-pong 32 conns",
     g("CallParallel32", "calls/s") / g("RawPingPong32", "calls/s"), 0, True),
    ("Go->Go 32 conns / Py->Py 32 client processes (>= 5)",
     g("CallParallel32", "calls/s") / py("par", "py", "calls_per_s"), 5, True),
    ("Go->Go 32 conns / Py->Py 32 client threads (>= 5)",
     g("CallParallel32", "calls/s") / py("threads", "py", "calls_per_s"), 5, True),
    ("Py->Go / Py->Py sequential (>= 1.3)",
     py("seq", "go", "calls_per_s") / py("seq", "py", "calls_per_s"), 1.3, True),
    ("  the same on p50: Py->Py p50 / Py->Go p50 (>= 1.3)",
     py("seq", "py", "p50_us") / py("seq", "go", "p50_us"), 1.3, True),
    ("Go daemon / Py daemon oneway executed, Py clients (>= 10)",
     py("oneway", "go", "calls_per_s") / py("oneway", "py", "calls_per_s"), 10, True),
    ("Go->Go connect+call / Py->Py connect+call, p50 (<= 0.25)",
     g("ConnectFirstCall/pyro3-only", "p50-µs") / py("connect", "py", "p50_us"), 0.25, False),
    ("kB per idle connection (<= 16)", idle, 16, False),
]
for name, val, target, higher in checks:
    ok = val >= target if higher else val <= target
    print("%-60s %6.2f  %s" % (name, val, "ok" if ok else "MISSED"))
