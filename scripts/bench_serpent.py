"""Python side of the serpent benchmarks (run with $GOPYRO_PY3).

Prints "name loads_ns dumps_ns" for each benchmark message, best of several
timeit runs: serpent.loads of the golden vector's bytes (what a Pyro5 peer
receives) and serpent.dumps of the loaded value with module_in_classname=True
(what Pyro5's SerpentSerializer writes), the same work the Go benchmarks do.
"""
import json
import os
import sys

import serpent

from bench_timing import best_ns

MESSAGES = [("call", "pyro5 call"), ("exception", "pyro5 exception")]


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "serpent", "testdata", "golden.json")
    with open(path) as f:
        vectors = {v["name"]: v for v in json.load(f)["encode"]}
    for short, name in MESSAGES:
        data = vectors[name]["data"].encode("utf-8")
        value = serpent.loads(data)
        assert serpent.dumps(value, module_in_classname=True) == data, name
        loads = best_ns(lambda: serpent.loads(data))
        dumps = best_ns(lambda: serpent.dumps(value, module_in_classname=True))
        print("%s %.0f %.0f" % (short, loads, dumps))


if __name__ == "__main__":
    main()
