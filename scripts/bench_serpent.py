"""Python side of the codec benchmarks (run with $GOPYRO_PY3).

  bench_serpent.py [codec]    codec: serpent (default), json, marshal, msgpack

Prints "name loads_ns dumps_ns" for each benchmark message, best of several
timeit runs: the Python loader on the golden vector's bytes (what a Pyro5
peer receives) and the writer as Pyro5's serializer calls it on the loaded
value, the same work the Go benchmarks of the codec's package do: serpent
(serpent.loads, serpent.dumps with module_in_classname=True), json
(json.loads of the UTF-8 text, json.dumps with ensure_ascii=False, encoded),
marshal (marshal.loads, marshal.dumps) and msgpack (msgpack.unpackb with
raw=False and Pyro's ext hook, msgpack.packb with use_bin_type=True and
Pyro's default hook).
"""
import base64
import json
import marshal
import os
import sys

from bench_timing import best_ns

MESSAGES = [("call", "pyro5 call"), ("exception", "pyro5 exception")]


def codec_functions(codec):
    """(package directory, loads, dumps) of a codec."""
    if codec == "serpent":
        import serpent
        return "serpent", serpent.loads, lambda v: serpent.dumps(v, module_in_classname=True)
    if codec == "json":
        return "pyjson", lambda d: json.loads(d.decode("utf-8")), \
            lambda v: json.dumps(v, ensure_ascii=False).encode("utf-8")
    if codec == "marshal":
        return "pymarshal", marshal.loads, marshal.dumps
    if codec == "msgpack":
        import msgpack
        import Pyro5.serializers
        ser = Pyro5.serializers.MsgpackSerializer()
        return "pymsgpack", lambda d: msgpack.unpackb(d, raw=False, ext_hook=ser.ext_hook), \
            lambda v: msgpack.packb(v, use_bin_type=True, default=ser.default)
    raise SystemExit("unknown codec %r (serpent, json, marshal, msgpack)" % codec)


def main():
    codec = sys.argv[1] if len(sys.argv) > 1 else "serpent"
    pkg, loads, dumps = codec_functions(codec)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", pkg, "testdata", "golden.json")
    with open(path) as f:
        vectors = {v["name"]: v for v in json.load(f)["encode"]}
    for short, name in MESSAGES:
        raw = vectors[name]["data"]
        # serpent's golden file holds text, the others base64.
        data = raw.encode("utf-8") if codec == "serpent" else base64.b64decode(raw)
        value = loads(data)
        # marshal's reference flags follow reference counts: compare values.
        assert (loads(dumps(value)) == value) if codec == "marshal" else (dumps(value) == data), name
        loads_ns = best_ns(lambda: loads(data))
        dumps_ns = best_ns(lambda: dumps(value))
        print("%s %.0f %.0f" % (short, loads_ns, dumps_ns))


if __name__ == "__main__":
    main()
