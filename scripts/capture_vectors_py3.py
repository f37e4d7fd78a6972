#!/usr/bin/env python3
"""Adds Python 3 pickles (protocols 2 to 5) to the golden corpus in
pickle/testdata/golden/, named <name>.py3p<proto>.pickle, and merges them into
manifest.json (see capture_vectors.py, which writes the Python 2 part)."""
import os
import pickle
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(ROOT, "pickle", "testdata", "golden")
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "interop_tests", "py2"))

from capture_common import write_manifest  # noqa: E402
import pickle_golden_classes as gc  # noqa: E402


def values():
    shared = [1, 2]
    self_list = [1]
    self_list.append(self_list)
    self_dict = {"a": 1}
    self_dict["self"] = self_dict
    return [
        ("py3_none", None),
        ("py3_bools", (True, False)),
        ("py3_ints", (0, 255, 65535, -1, 2 ** 31 - 1, -2 ** 31, 2 ** 40, 2 ** 63 - 1)),
        ("py3_bigint", (2 ** 64, -(2 ** 70) + 1, 2 ** 2100)),
        ("py3_floats", (1.5, -0.0, float("inf"), 1e-300)),
        ("py3_str", "unicode-\u20ac \U0001f600"),
        ("py3_str_long", "\u00e9" * 300),
        ("py3_bytes", b"by\x00te\xff"),
        ("py3_bytes_empty", b""),
        ("py3_bytes_long", bytes(range(256)) * 2),
        ("py3_bytearray", bytearray(b"ba\x00\xff")),
        ("py3_tuples", ((), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4))),
        ("py3_list", [None, 1, 2.5, "s", b"b", [], {}]),
        ("py3_dict", {"s": 1, 2: "int", (1, 2): "tuple", b"b": "bytes"}),
        ("py3_set", {1, "s"}),
        ("py3_frozenset", frozenset([1, 2])),
        ("py3_shared", [shared, shared]),
        ("py3_self_list", self_list),
        ("py3_self_dict", self_dict),
        ("py3_newstyle", gc.NewStyle(x=1, name="new")),
        ("py3_newstyle_newargs", gc.NewStyleNewArgs(5, "why")),
        ("py3_exception", ValueError("bad value")),
        ("py3_list_1500", list(range(1500))),
    ]


def main():
    if os.environ.get("PYTHONHASHSEED") != "0":
        # Set order depends on string hashes; fix them for a stable corpus.
        env = dict(os.environ, PYTHONHASHSEED="0")
        os.execve(sys.executable, [sys.executable] + sys.argv, env)
    os.makedirs(OUT, exist_ok=True)
    version = "%d.%d.%d" % sys.version_info[:3]
    entries = []
    for name, v in values():
        for proto in range(2, pickle.HIGHEST_PROTOCOL + 1):
            data = pickle.dumps(v, proto)
            fn = "%s.py3p%d.pickle" % (name, proto)
            with open(os.path.join(OUT, fn), "wb") as f:
                f.write(data)
            entries.append({"file": fn, "name": name, "kind": "pickle", "group": "py3",
                            "protocol": proto, "python": version, "repr": repr(v)})
    write_manifest(OUT, entries, python=3)
    print("wrote %d files to %s" % (len(entries), OUT))


if __name__ == "__main__":
    main()
