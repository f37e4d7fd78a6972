"""Write pyjson/, pymarshal/ and pymsgpack/testdata/golden.json: Python's json,
marshal and msgpack, driven through Pyro5 5.17's serializer classes, as the
oracle of the Go codecs.

Run with the Python 3 virtual environment: $GOPYRO_PY3 scripts/capture_codecs.py

Descriptions of values are those of capture_serpent.py (typed JSON trees, see
its describe), which this script imports, so that one Go builder reads both.
Per codec the file holds:

- "encode": a value ("value", absent when it is a Pyro class or exception,
  whose class dict "loaded" describes), the bytes Pyro5's serializer writes
  for it ("data", base64) and what the plain Python loader returns for them
  ("loaded": json.loads, marshal.loads, msgpack.unpackb with Pyro's ext hook;
  class dicts stay dicts, as in the Go value model). For marshal, "plain" is
  the same bytes with the reference flags and references that CPython writes
  by reference counts (which no other writer can reproduce) resolved, and the
  interned string codes written as their plain twins: what the Go encoder
  writes.
- "decode": bytes other writers may send, with what the loader returns.
- "reject": bytes the loader refuses, with Python's error.
- "refuse": values Pyro5's serializer refuses to write, with the error.
"""

import base64
import datetime
import json
import marshal
import math
import os
import struct
import sys
import time

import msgpack
import Pyro5.core
import Pyro5.errors
import Pyro5.serializers

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capture_serpent as cs  # noqa: E402  (describe, Thing, the serpent cases)

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def b64(b):
    return base64.b64encode(b).decode()


def describe(v):
    if type(v) is frozenset:  # marshal keeps frozensets apart
        return ["frozenset", [describe(x) for x in v]]
    if type(v) is datetime.date:
        v = datetime.datetime(v.year, v.month, v.day, tzinfo=datetime.timezone.utc)
    if type(v) is datetime.datetime and v.tzinfo is None:  # local time, which main makes UTC
        v = v.replace(tzinfo=datetime.timezone.utc)
    return serpent_describe(v)


serpent_describe, cs.describe = cs.describe, describe  # its recursion comes back here


def msgpack_ext(code, data):
    """Pyro's ext hook, with aware UTC datetimes so that they describe the
    instant (Pyro's fromtimestamp gives naive local time)."""
    if code == 0x32:
        return datetime.datetime.fromtimestamp(struct.unpack("d", data)[0], datetime.timezone.utc)
    return Pyro5.serializers.MsgpackSerializer().ext_hook(code, data)


def msgpack_loads(data):
    return msgpack.unpackb(data, raw=False, ext_hook=msgpack_ext)


def common_cases():
    return [
        ("none", None), ("true", True), ("false", False),
        ("int zero", 0), ("int", 42), ("int negative", -42), ("int 127", 127), ("int 128", 128),
        ("int 255", 255), ("int 256", 256), ("int 65535", 65535), ("int 65536", 65536),
        ("int -32", -32), ("int -33", -33), ("int -128", -128), ("int -129", -129),
        ("int -32768", -32768), ("int -32769", -32769),
        ("int32 max", 2**31 - 1), ("int32 above", 2**31), ("int32 min", -(2**31)), ("int32 below", -(2**31) - 1),
        ("uint32 max", 2**32 - 1), ("uint32 above", 2**32),
        ("int64 max", 2**63 - 1), ("int64 min", -(2**63)), ("int above int64", 2**63),
        ("uint64 max", 2**64 - 1), ("int above uint64", 2**64), ("int below int64", -(2**63) - 1),
        ("int 2**30", 2**30), ("int 2**45", 2**45), ("int huge", 2**200), ("int huge negative", -(2**200)),
        ("int 4300 digits", cs.big(4300)),
        ("float", 1.5), ("float integral", 3.0), ("float negative zero", -0.0), ("float zero", 0.0),
        ("float third", 1 / 3), ("float 1e16", 1e16), ("float 1e22", 1e22), ("float 1e-5", 1e-5),
        ("float tiny", 5e-324), ("float max", sys.float_info.max),
        ("float inf", math.inf), ("float -inf", -math.inf), ("float nan", math.nan),
        ("str empty", ""), ("str", "hello"), ("str quotes", "it's \"x\" \\ /"),
        ("str controls", "\t\n\r\x00\x01\x1f\x7f\x08\x0c"), ("str latin1", "caf\xe9 \xa0 \x80"),
        ("str unicode", "\u20ac \u4e2d \U0001f600 \u2028 \ufeff"),
        ("str 31", "a" * 31), ("str 32", "a" * 32), ("str 255", "b" * 255), ("str 256", "c" * 256),
        ("str unicode 300", "\u20ac" * 300),
        ("bytes empty", b""), ("bytes", b"\x00\x01hello\xff"), ("bytes 256", bytes(range(256))),
        ("bytearray", bytearray(b"abc")),
        ("tuple empty", ()), ("tuple one", (1,)), ("tuple two", (1, "a")), ("tuple nested", ((), (1,), ((2,),))),
        ("tuple 300", tuple(range(300))),
        ("list empty", []), ("list", [1, "a", None, True, 1.5]), ("list 16", list(range(16))),
        ("list shared items", ["same", "same", 7, 7]),
        ("dict empty", {}), ("dict", {"a": 1, "b": [2, 3], "c": {"d": None}}),
        ("dict 16", {"k%02d" % i: i for i in range(16)}),
        ("set one", {1}), ("set of str", {"x"}), ("set empty", set()), ("frozenset", frozenset({"q"})),
        ("complex", 1.5 + 2j), ("complex negative zero imag", complex(1, -0.0)), ("complex nan", complex(math.nan, 1)),
        ("object", cs.Thing(x=1, y="two")),
        ("nested 20", nested(20)),
    ]


def nested(n):
    v = []
    for _ in range(n):
        v = [v]
    return v


def pyro_cases(ser):
    call = ser.dumpsCall(
        "obj_5b8c2a4f3e6d4b1c9a7e0f2d4c6b8a1e",
        "calculate",
        (42, "hello world", [1.5, 2.5, -3.25], {"key": "value", "n": 7}, None, True),
        {"mode": "fast", "retries": 3},
    )
    yield "pyro5 call", call
    yield "pyro5 call no args", ser.dumpsCall("Pyro.NameServer", "ping", (), {})
    yield "pyro5 uri", ser.dumps(Pyro5.core.URI("PYRO:obj_123@localhost:9999"))
    exc = ValueError("bad value", 42)
    exc._pyroTraceback = ["Traceback (most recent call last):\n", "ValueError: bad value\n"]
    yield "pyro5 exception", ser.dumps(exc)
    yield "pyro5 naming error", ser.dumps(Pyro5.errors.NamingError("unknown name: x"))
    yield "pyro5 metadata", ser.dumps({"methods": {"ping"}, "oneway": set(), "attrs": set()})


# --- marshal: references resolved, as the Go encoder writes -----------------

FLAG_REF = 0x80
PLAIN_CODE = {ord("Z"): ord("z"), ord("A"): ord("a"), ord("t"): ord("u")}


def marshal_plain(data):
    """Rewrite CPython's marshal bytes of the Pyro subset without FLAG_REF and
    TYPE_REF (each reference replaced by the bytes of what it refers to) and
    with interned string codes as plain ones. The result must load equal."""
    refs = []
    out = bytearray()

    def n32(i):
        return struct.unpack_from("<i", data, i)[0]

    def obj(i):
        code = data[i]
        flag = code & FLAG_REF
        code &= ~FLAG_REF
        c = chr(code)
        start = len(out)
        slot = None
        if flag:
            slot = len(refs)
            refs.append(None)
        i += 1
        if c == "r":
            out.extend(refs[n32(i)])
            return i + 4
        out.append(PLAIN_CODE.get(code, code))
        if c in "NTF":
            pass
        elif c == "i":
            out.extend(data[i:i + 4]); i += 4
        elif c == "g":
            out.extend(data[i:i + 8]); i += 8
        elif c == "y":
            out.extend(data[i:i + 16]); i += 16
        elif c == "l":
            n = abs(n32(i))
            out.extend(data[i:i + 4 + 2 * n]); i += 4 + 2 * n
        elif c in "suatA":
            n = n32(i)
            out.extend(data[i:i + 4 + n]); i += 4 + n
        elif c in "zZ":
            n = data[i]
            out.extend(data[i:i + 1 + n]); i += 1 + n
        elif c == ")":
            n = data[i]
            out.append(n); i += 1
            for _ in range(n):
                i = obj(i)
        elif c in "([<>":
            n = n32(i)
            out.extend(data[i:i + 4]); i += 4
            for _ in range(n):
                i = obj(i)
        elif c == "{":
            while data[i] != ord("0"):
                i = obj(i)
                i = obj(i)
            out.append(ord("0")); i += 1
        else:
            raise ValueError("marshal code %r outside the Pyro subset" % c)
        if slot is not None:
            refs[slot] = bytes(out[start:])
        return i

    end = obj(0)
    assert end == len(data), (end, len(data))
    plain = bytes(out)
    assert describe(marshal.loads(plain)) == describe(marshal.loads(data))
    return plain


# --- the codecs ---------------------------------------------------------------

class Codec:
    def __init__(self, name, ser, loads):
        self.name, self.ser, self.loads = name, ser, loads
        self.out = {"python": sys.version.split()[0], "pyro5": Pyro5.__version__, "encode": [],
                    "decode": [], "reject": [], "refuse": []}
        if name == "msgpack":
            self.out["msgpack"] = ".".join(map(str, msgpack.version))

    def encode(self, name, value, desc=None):
        desc = desc or describe(value)
        try:
            data = self.ser.dumps(value)
        except Exception as e:  # noqa: BLE001  (what Pyro refuses is a vector too)
            self.out["refuse"].append({"name": name, "value": desc, "python": type(e).__name__ + ": " + str(e)[:200]})
            return
        sys.set_int_max_str_digits(0)  # describe the 4301-digit int marshal writes
        try:
            case = {"name": name, "data": b64(data), "loaded": describe(self.loads(data)), "value": desc}
            if self.name == "marshal":
                case["plain"] = b64(marshal_plain(data))
        finally:
            sys.set_int_max_str_digits(4300)
        self.out["encode"].append(case)

    def raw(self, name, data):
        self.out["encode"].append({"name": name, "data": b64(data), "loaded": describe(self.loads(data)),
                                   **({"plain": b64(marshal_plain(data))} if self.name == "marshal" else {})})

    def decode(self, cases):
        for name, data in cases:
            self.out["decode"].append({"name": name, "data": b64(data), "loaded": describe(self.loads(data))})

    def reject(self, cases):
        for name, data in cases:
            try:
                got = self.loads(data)
            except Exception as e:  # noqa: BLE001
                self.out["reject"].append({"name": name, "data": b64(data), "python": type(e).__name__ + ": " + str(e)[:200]})
            else:
                raise SystemExit("%s reject case %r was accepted: %r" % (self.name, name, got))

    def write(self):
        path = os.path.join(ROOT, "py" + self.name, "testdata", "golden.json")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            json.dump(self.out, f, indent=1, ensure_ascii=True)
            f.write("\n")
        print("%s: %d encode, %d decode, %d reject, %d refuse vectors in %s" % (
            self.name, len(self.out["encode"]), len(self.out["decode"]), len(self.out["reject"]),
            len(self.out["refuse"]), os.path.normpath(path)))


def json_loads(data):
    return json.loads(data.decode("utf-8"))


def main():
    # Pyro's msgpack writes naive datetimes as local timestamps: pin the zone.
    os.environ["TZ"] = "UTC"
    time.tzset()
    codecs = {
        "json": Codec("json", Pyro5.serializers.JsonSerializer(), json_loads),
        "marshal": Codec("marshal", Pyro5.serializers.MarshalSerializer(), marshal.loads),
        "msgpack": Codec("msgpack", Pyro5.serializers.MsgpackSerializer(), msgpack_loads),
    }
    for c in codecs.values():
        for name, value in common_cases():
            c.encode(name, value)
        for name, data in pyro_cases(c.ser):
            c.raw(name, data)
        c.encode("int 4301 digits", 10**4301 - 1, ["int", "9" * 4301])
        c.encode("datetime aware", datetime.datetime(2026, 12, 3, 8, 30, 5, 123456, tzinfo=datetime.timezone.utc))
    j, m, p = codecs["json"], codecs["marshal"], codecs["msgpack"]
    j.encode("dict int keys", {-1: "x", 1: "y", 10: "z"})
    j.encode("dict float and bool keys", {False: 0, True: 1, 1.5: 2})
    j.encode("dict tuple keys", {(1, 2): "a"})
    m.encode("dict int keys", {-1: "x", 1: "y", 10: "z"})
    m.encode("dict tuple keys", {(1, 2): "a", (1, 3): "b"})
    m.encode("set", {1, 2, 3})
    m.encode("frozenset in set", {frozenset({1})})
    p.encode("naive datetime", datetime.datetime(2026, 12, 3, 8, 30, 5, 250000))

    j.decode([
        ("whitespace", b" \t\n\r[ 1 ,\n2 ] \n"),
        ("escapes", b'"\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0041 \\u20ac \\ud83d\\ude00"'),
        ("lone surrogate escapes", b'["\\ud800", "\\udfff", "\\udc00\\ud800"]'),
        ("numbers", b"[0, -0, 1E5, 1e-400, 1e400, -1e400, 2.5e+3, 0.1, -0.0, 123456789012345678901234567890]"),
        ("nan and infinities", b"[NaN, Infinity, -Infinity]"),
        ("duplicate keys", b'{"a": 1, "a": 2}'),
        ("nested", b'{"k": [{"k": [[]]}, {}]}'),
        ("utf8 text", '"\u20ac\U0001f600"'.encode()),
        ("nested 200", b"[" * 200 + b"]" * 200),
    ])
    j.reject([
        ("empty", b""), ("only space", b"  "), ("garbage after", b"[1] x"), ("two values", b"1 2"),
        ("single quotes", b"{'a': 1}"), ("trailing comma", b"[1,]"), ("leading zero", b"01"),
        ("bare dot", b"1."), ("dot first", b".5"), ("plus sign", b"+1"), ("bad escape", b'"\\x41"'),
        ("short unicode escape", b'"\\u12"'), ("control character", b'"a\nb"'), ("unterminated", b'"abc'),
        ("not utf8", b'"\xff"'), ("encoded surrogate", b'"\xed\xa0\x80"'), ("bom", b"\xef\xbb\xbf1"),
        ("lowercase nan", b"nan"), ("true prefix", b"tru"), ("minus only", b"-"), ("non-str key", b"{1: 2}"),
        ("missing colon", b'{"a" 1}'), ("int 4301 digits", b"9" * 4301), ("nul", b"\x00"),
    ])

    m.decode([
        ("interned str", b"t\x03\x00\x00\x00abc"), ("interned ascii", b"A\x03\x00\x00\x00abc"),
        ("short interned ascii", b"Z\x03abc"), ("ascii code latin1 byte", b"z\x02a\xe9"),
        ("long tuple form", b"(\x02\x00\x00\x00i\x01\x00\x00\x00N"),
        ("text float", b"f\x031.5"), ("text complex", b"x\x031.5\x04-2.0"),
        ("reference", b"[\x02\x00\x00\x00\xda\x03abcr\x00\x00\x00\x00"),
        ("shared list", b"(\x02\x00\x00\x00\xdb\x00\x00\x00\x00r\x00\x00\x00\x00"),
        ("long zero", b"l\x00\x00\x00\x00"), ("long small", b"l\x01\x00\x00\x00\x05\x00"),
        ("long negative", b"l\xfe\xff\xff\xff\x01\x00\x01\x00"),
        ("trailing data ignored", b"Nxyz"), ("empty frozenset ref", b"\xbe\x00\x00\x00\x00"),
        ("dict duplicate keys", b"{\xda\x01ai\x01\x00\x00\x00\xda\x01ai\x02\x00\x00\x000"),
        ("set dedup", b"<\x03\x00\x00\x00i\x01\x00\x00\x00g\x00\x00\x00\x00\x00\x00\xf0?T"),
        ("unicode with surrogate", b"u\x03\x00\x00\x00\xed\xa0\x80"),
    ])
    m.reject([
        ("empty", b""), ("truncated int", b"i\x01"), ("unknown code", b"\x01"), ("null", b"0"),
        ("digit out of range", b"l\x01\x00\x00\x00\x00\x80"), ("unnormalized long", b"l\x02\x00\x00\x00\x01\x00\x00\x00"),
        ("bad reference", b"r\x00\x00\x00\x00"),
        ("unhashable key", b"{[\x00\x00\x00\x00i\x01\x00\x00\x000"), ("unhashable set item", b"<\x01\x00\x00\x00[\x00\x00\x00\x00"),
        ("truncated bytes", b"s\xff\xff\xff\x7f"), ("negative size", b"s\xff\xff\xff\xff"),
        ("bad utf8", b"u\x01\x00\x00\x00\xff"), ("dict without end", b"{\xda\x01ai\x01\x00\x00\x00"),
        ("truncated tuple", b")\x02N"), ("negative list size", b"[\xff\xff\xff\xff"),
    ])

    p.decode([
        ("wide int forms", b"\x94\xcc\x01\xcd\x00\x01\xcf\x00\x00\x00\x00\x00\x00\x00\x01\xd3\xff\xff\xff\xff\xff\xff\xff\xff"),
        ("float32", b"\xca\x3f\xc0\x00\x00"), ("str16 short", b"\xda\x00\x01a"), ("str8 short", b"\xd9\x01a"),
        ("bin8", b"\xc4\x02ab"), ("bin32", b"\xc6\x00\x00\x00\x01z"),
        ("array16", b"\xdc\x00\x01\xc0"), ("map16", b"\xde\x00\x01\xa1a\x01"), ("map bin key", b"\x81\xc4\x01k\x01"),
        ("ext big int", b"\xc7\x03\x31-12"), ("ext big int digits", b"\xc7\x14\x3112345678901234567890"),
        ("ext datetime", b"\xd7\x32" + struct.pack("d", 1764750605.25)),
        ("ext date", b"\xd7\x33" + struct.pack("l", 739588)),
        ("nested 200", b"\x91" * 199 + b"\x90"),
    ])
    p.reject([
        ("empty", b""), ("never used code", b"\xc1"), ("truncated array", b"\x92\x01"),
        ("trailing data", b"\xc0\xc0"), ("unknown ext", b"\xd4\x40\x00"),
        ("complex ext short", b"\xd7\x30" + b"\x00" * 8), ("big int ext not digits", b"\xc7\x03\x31abc"),
        ("invalid utf8 str", b"\xa1\xff"), ("encoded surrogate str", b"\xa3\xed\xa0\x80"),
        ("list key", b"\x81\x90\x01"), ("truncated str", b"\xdb\xff\xff\xff\xff"),
        ("big int ext 4301 digits", b"\xc8\x10\xcd\x31" + b"9" * 4301),
    ])
    for c in codecs.values():
        c.write()


if __name__ == "__main__":
    main()
