"""Write serpent/testdata/golden.json: serpent 1.43 (and Pyro5 5.17) as the oracle.

Run with the Python 3 virtual environment: $GOPYRO_PY3 scripts/capture_serpent.py

Three kinds of vectors:

- "encode": a value, described in a typed JSON tree (see describe), and the
  bytes serpent.dumps writes for it (module_in_classname=True, as Pyro does).
  The Go encoder must write exactly these bytes from the Go form of the value
  and the Go decoder must read them back as the description of what
  serpent.loads returns ("loaded").
- "decode": literal text some peer may send (comments, other headers, Python
  literal forms serpent does not write) with the description of what
  serpent.loads returns.
- "reject": text serpent.loads refuses; the Go decoder must refuse it too.
- "unsupported": literals Python accepts and the Go decoder refuses, on purpose.

Descriptions are ["kind", ...] lists, exact where JSON is not: ints as decimal
text, floats as float.hex(), strings and bytes as hex of their UTF-8
(surrogatepass) or raw bytes, dicts as [key, value] pairs in order, sets in
iteration order.
"""

import base64
import collections
import datetime
import decimal
import json
import math
import os
import random
import re
import struct
import sys
import unicodedata
import uuid
import warnings

import serpent
import Pyro5.core
import Pyro5.errors
import Pyro5.serializers

assert serpent.__version__ == "1.43", serpent.__version__


def fhex(f):
    if math.isnan(f):
        return "nan"
    if math.isinf(f):
        return "inf" if f > 0 else "-inf"
    return f.hex()


def describe(v):
    t = type(v)
    if v is None:
        return ["none"]
    if t is bool:
        return ["bool", v]
    if t is int:
        return ["int", str(v)]
    if t is float:
        return ["float", fhex(v)]
    if t is complex:
        return ["complex", fhex(v.real), fhex(v.imag)]
    if t is str:
        return ["str", v.encode("utf-8", "surrogatepass").hex()]
    if t in (bytes, bytearray):
        return ["bytes", bytes(v).hex()]
    if t is tuple:
        return ["tuple", [describe(x) for x in v]]
    if t is list:
        return ["list", [describe(x) for x in v]]
    if t is dict:
        return ["dict", [[describe(k), describe(x)] for k, x in v.items()]]
    if t in (set, frozenset):
        return ["set", [describe(x) for x in v]]
    if t is datetime.datetime:
        return ["datetime", v.isoformat()]
    if t is datetime.timedelta:
        return ["duration", v.total_seconds()]
    if isinstance(v, Thing):
        return ["object", type(v).__module__ + "." + type(v).__name__, describe(vars(v))]
    raise TypeError("no description for %r" % (t,))


class Thing:
    """A plain class instance: serpent writes vars() plus __class__."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


def big(n):
    return int("9" * n)


def random_floats():
    """Floats of every magnitude, to pin repr's shortest digits and its switch
    between positional and exponent notation."""
    rnd = random.Random(13)
    out = []
    for _ in range(300):
        out.append(struct.unpack("<d", rnd.getrandbits(64).to_bytes(8, "little"))[0])
    for e in range(-8, 25):
        out += [10.0 ** e, 1.5 * 10.0 ** e, -(10.0 ** e) / 3, 9.999999999999999 * 10.0 ** e]
    return [f for f in out if not math.isnan(f)]


def random_strings():
    """Strings of code points from every plane, to pin repr's escapes. Code
    points unassigned in Python's Unicode database are left out: Go's tables
    are of a later Unicode version, which assigns (and prints) some of them."""
    rnd = random.Random(17)
    out = []
    for top in (0x80, 0x800, 0x10000, 0x110000):
        for _ in range(40):
            cps = [rnd.randrange(top) for _ in range(rnd.randrange(1, 12))]
            out.append("".join(chr(c) for c in cps
                               if not 0xD800 <= c <= 0xDFFF and unicodedata.category(chr(c)) != "Cn"))
    return out


def encode_cases():
    nested = []
    for _ in range(199):
        nested = [nested]
    return [
        ("none", None),
        ("true", True),
        ("false", False),
        ("int zero", 0),
        ("int", 42),
        ("int negative", -42),
        ("int64 max", 2**63 - 1),
        ("int64 min", -(2**63)),
        ("int above int64", 2**63),
        ("int below int64", -(2**63) - 1),
        ("int huge", 2**200),
        ("int 4300 digits", big(4300)),
        ("float", 1.5),
        ("float integral", 3.0),
        ("float negative zero", -0.0),
        ("float zero", 0.0),
        ("float third", 1 / 3),
        ("float 1e16", 1e16),
        ("float 1e15", 1e15),
        ("float 123456789012345680", 123456789012345680.0),
        ("float 0.0001", 0.0001),
        ("float 0.00001", 0.00001),
        ("float 1.5e-300", 1.5e-300),
        ("float tiny", 5e-324),
        ("float max", sys.float_info.max),
        ("float 1e22", 1e22),
        ("float 1.2345e+100", 1.2345e100),
        ("float inf", math.inf),
        ("float -inf", -math.inf),
        ("float nan", math.nan),
        ("complex", 1.5 + 2j),
        ("complex negative imag", 1 - 2j),
        ("complex negative zero imag", complex(1, -0.0)),
        ("complex zero", 0j),
        ("complex inf", complex(math.inf, -math.inf)),
        ("complex nan", complex(math.nan, 1)),
        ("str empty", ""),
        ("str", "hello"),
        ("str single quote", "it's"),
        ("str double quote", 'say "hi"'),
        ("str both quotes", "it's \"x\""),
        ("str backslash", "a\\b"),
        ("str controls", "\t\n\r\x00\x01\x1f\x7f"),
        ("str latin1", "caf\xe9 \xa0 \xad \x80 \x9f"),
        ("str unicode", "\u20ac \u4e2d \U0001f600"),
        ("str unicode unprintable", "\u2028 \u200b \ufeff \U000e0001 \U0010ffff \u0378"),
        ("str surrogates", "\ud800 \udfff \ud83d\ude00"),
        ("str all ascii", "".join(chr(i) for i in range(128))),
        ("str all latin1", "".join(chr(i) for i in range(128, 256))),
        ("bytes empty", b""),
        ("bytes", b"\x00\x01hello\xff"),
        ("bytearray", bytearray(b"abc")),
        ("tuple empty", ()),
        ("tuple one", (1,)),
        ("tuple two", (1, "a")),
        ("tuple nested", ((), (1,), ((2,),))),
        ("list empty", []),
        ("list one", [1]),
        ("list", [1, "a", None, True, 1.5]),
        ("list nested 200", nested),
        ("dict empty", {}),
        ("dict", {"a": 1, "b": [2, 3], "c": {"d": None}}),
        ("dict int keys", {-1: "x", 1: "y", 10: "z"}),
        ("dict tuple keys", {(1, 2): "a", (1, 3): "b"}),
        ("set one", {1}),
        ("set", {1, 2, 3}),
        ("set of str", {"x"}),
        ("set empty", set()),
        ("frozenset", frozenset({"q"})),
        ("datetime aware", datetime.datetime(2026, 12, 3, 8, 30, 5, 123456, tzinfo=datetime.timezone.utc)),
        ("datetime aware offset", datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=-5, minutes=-30)))),
        ("timedelta", datetime.timedelta(seconds=90, microseconds=500000)),
        ("object", Thing(x=1, y="two")),
        ("random floats", random_floats()),
        ("random strings", random_strings()),
    ]


def pyro5_cases():
    ser = Pyro5.serializers.SerpentSerializer()
    call = ser.dumpsCall(
        "obj_5b8c2a4f3e6d4b1c9a7e0f2d4c6b8a1e",
        "calculate",
        (42, "hello world", [1.5, 2.5, -3.25], {"key": "value", "n": 7}, None, True),
        {"mode": "fast", "retries": 3},
    )
    yield "pyro5 call", call, None
    yield "pyro5 call no args", ser.dumpsCall("Pyro.NameServer", "ping", (), {}), None
    uri = Pyro5.core.URI("PYRO:obj_123@localhost:9999")
    yield "pyro5 uri", ser.dumps(uri), None
    exc = ValueError("bad value", 42)
    exc._pyroTraceback = ["Traceback (most recent call last):\n", "ValueError: bad value\n"]
    yield "pyro5 exception", ser.dumps(exc), None
    yield "pyro5 naming error", ser.dumps(Pyro5.errors.NamingError("unknown name: x")), None
    meta = {"methods": {"ping"}, "oneway": set(), "attrs": set()}
    yield "pyro5 metadata", ser.dumps(meta), None
    yield "pyro5 bytes", ser.dumps(b"\x00\x01\x02 binary"), None


# Literal text other writers send, decoded by serpent.loads.
decode_cases = [
    ("no header", b"[1,2]"),
    ("python2.6 header", b"# serpent utf-8 python2.6\n('a','b')"),
    ("python2.7 header unicode escape", b"# serpent utf-8 python2.7\n'hello\\u20ac'"),
    ("comments", b"# serpent utf-8 python3.2\n[ 1, 2,\n   # some comments here\n   3, 4]    # more here\n# and here."),
    ("whitespace", b"  ( 1 ,\t2 ,\n ) \n"),
    ("trailing commas", b"([1,],{1:2,},{3,},)"),
    ("crlf", b"# serpent utf-8 python3.2\r\n[1,\r\n2]\r\n"),
    ("line continuation", b"1 \\\n + 2j"),
    ("grouping parens", b"((1))"),
    ("bare tuple", b"1, 2"),
    ("unary", b"[-1, +1, - 2, -1.5, -1e30000, -0x10, -2j, -(1), -((2.5))]"),
    ("complex forms", b"[1+2j, 1-2j, -1.5-0.5j, 3j, 1e30000j, 0j]"),
    ("ints", b"[0, 00, 0_0, 1_000, 0x_fF, 0o17, 0b101, 0XAB, 9223372036854775807, -9223372036854775808, 9223372036854775808]"),
    ("floats", b"[1., .5, 1.e5, 01.5, 1e1_0, 1_000.000_1, 1E-3, 1e-400, 1e400, 2.5e+3]"),
    ("imaginary", b"[1j, 01j, 1.5J, 1e3j]"),
    ("strings", b"['a' \"b\" '''c''' \"\"\"d\"\"\", u'u', U'U', r'\\n', R'\\x', '']"),
    ("triple quoted newlines", b"'''a\nb\r\nc'''"),
    ("escapes", b"'\\\\ \\' \\\" \\a \\b \\f \\n \\r \\t \\v \\0 \\7 \\101 \\777 \\x41 \\u20ac \\U0001F600 \\q \\\nx'"),
    ("bytes literals", b"[b'a\\x00\\xff\\n', B\"q\", br'\\x', Rb'r', b'\\u20ac', b'' b'x']"),
    ("unicode literal utf8", "'\u20ac\U0001f600'".encode()),
    ("raw string backslash quote", b"r'\\''"),
    ("bytes octal above 0o377", b"b'\\777\\400'"),
    ("set call", b"set()"),
    ("set spaces", b"set ( )"),
    ("set dedup", b"{1, 1.0, True, 2}"),
    ("dict duplicate keys", b"{'a': 1, 'a': 2}"),
    ("dict nested", b"{'k': {'k': ({'x'},)}}"),
    ("hashable tuple key", b"{(1, (2, 'x')): 3}"),
    ("big negative", b"-99999999999999999999999999"),
    ("keywords", b"[True, False, None]"),
    ("nan dict", b"{'__class__':'float','value':'nan'}"),
    ("nested 200", b"[" * 200 + b"]" * 200),
    ("leading whitespace", b"   1"),
    ("leading blank lines", b"\n\n1"),
]

# Literals Python accepts that the Go decoder refuses on purpose (no Go value,
# or no Unicode name table in Go's standard library).
unsupported_cases = [
    ("ellipsis", b"..."),
    ("unicode name escape", b"'\\N{EURO SIGN}'"),
]

reject_cases = [
    ("empty", b""),
    ("only comment", b"# serpent utf-8 python3.2\n"),
    ("garbage after", b"[1] x"),
    ("two values", b"[1]\n[2]"),
    ("bare tuple across lines", b"1,\n2"),
    ("name", b"foo"),
    ("lowercase true", b"true"),
    ("call", b"list()"),
    ("set with args", b"set([1])"),
    ("attribute", b"a.b"),
    ("lambda", b"lambda: 1"),
    ("addition", b"1+2"),
    ("complex left", b"2j+1"),
    ("complex chain", b"1+2j+3j"),
    ("double unary", b"--1"),
    ("unary bool", b"-True"),
    ("unary string", b"-'a'"),
    ("leading zero", b"01"),
    ("double underscore", b"1__0"),
    ("trailing underscore", b"1_"),
    ("float trailing underscore", b"1.5_"),
    ("bad binary digit", b"0b102"),
    ("bad octal digit", b"0o8"),
    ("empty hex", b"0x"),
    ("exponent without digits", b"1e"),
    ("number then name", b"1if"),
    ("two dots", b"1..2"),
    ("int too long", b"9" * 4301),
    ("unterminated string", b"'abc"),
    ("newline in string", b"'a\nb'"),
    ("raw unterminated", b"r'\\'"),
    ("ur prefix", b"ur'x'"),
    ("f-string", b"f'x'"),
    ("mixed concatenation", b"'a' b'b'"),
    ("bytes non-ascii", "b'\u20ac'".encode()),
    ("truncated hex escape", b"'\\x4'"),
    ("truncated unicode escape", b"'\\u20a'"),
    ("escape out of range", b"'\\U00110000'"),
    ("unhashable key", b"{[1]: 2}"),
    ("unhashable tuple key", b"{(1, [2]): 3}"),
    ("unhashable set item", b"{{1: 2}}"),
    ("dict missing value", b"{1:}"),
    ("dict and set mixed", b"{1: 2, 3}"),
    ("set and dict mixed", b"{1, 2: 3}"),
    ("missing comma", b"[1 2]"),
    ("double comma", b"[1,,2]"),
    ("leading comma", b"[,1]"),
    ("unclosed list", b"[1, 2"),
    ("unbalanced", b"[1)"),
    ("close only", b"]"),
    ("empty parens comma", b"(,)"),
    ("nested 201", b"[" * 201 + b"]" * 201),
    ("nul byte", b"'a\x00b'"),
    ("invalid utf-8", b"'\xff'"),
    ("bom", b"\xef\xbb\xbf1"),
    ("indented second line", b"\n  1"),
    ("assignment", b"x = 1"),
    ("keyword", b"import os"),
]


def main():
    out = {"serpent": serpent.__version__, "python": sys.version.split()[0], "encode": [], "decode": [], "reject": [], "unsupported": []}
    for name, value in encode_cases():
        data = serpent.dumps(value, module_in_classname=True)
        out["encode"].append({"name": name, "value": describe(value), "data": data.decode("utf-8"),
                              "loaded": describe(serpent.loads(data))})
    repr_values = [("bytes repr", b"\x00\x01'hello\"\xff\t"), ("bytes repr quote", b"it's"),
                   ("bytearray repr", bytearray(b"x\\y")), ("list of bytes repr", [b"", b"a"])]
    for name, value in repr_values:
        data = serpent.dumps(value, module_in_classname=True, bytes_repr=True)
        out["encode"].append({"name": name, "value": describe(value), "data": data.decode("utf-8"),
                              "loaded": describe(serpent.loads(data)), "bytes_repr": True})
    data = serpent.dumps(Thing(a=1), module_in_classname=False)
    out["encode"].append({"name": "object without module", "value": describe(Thing(a=1)), "data": data.decode(),
                          "loaded": describe(serpent.loads(data)), "class_name_only": True})
    for name, data, _ in pyro5_cases():
        out["encode"].append({"name": name, "data": data.decode("utf-8"), "loaded": describe(serpent.loads(data))})
    # Decode-only: serpent writes these as strings, so the Go side sees strings.
    for name, value in [("decimal", decimal.Decimal("3.14159265358979323846")),
                        ("uuid", uuid.UUID("12345678-1234-5678-1234-567812345678")),
                        ("datetime naive", datetime.datetime(2026, 12, 3, 8, 30)),
                        ("date", datetime.date(2026, 12, 3)), ("time", datetime.time(8, 30, 5, 7)),
                        ("ordereddict", collections.OrderedDict([("b", 1), ("a", 2)])),
                        ("array", __import__("array").array("i", [1, 2])),
                        ("memoryview", memoryview(b"mv"))]:
        data = serpent.dumps(value, module_in_classname=True)
        out["decode"].append({"name": name, "data": base64.b64encode(data).decode(),
                              "loaded": describe(serpent.loads(data))})
    for name, data in decode_cases:
        out["decode"].append({"name": name, "data": base64.b64encode(data).decode(),
                              "loaded": describe(serpent.loads(data))})
    for name, data in reject_cases:
        try:
            with warnings.catch_warnings():  # the compiler's SyntaxWarnings: the error is what counts
                warnings.simplefilter("ignore", SyntaxWarning)
                got = serpent.loads(data)
        except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError, UnicodeDecodeError) as e:
            # Object addresses in ast error texts change from run to run; the
            # file must not.
            text = re.sub(r" at 0x[0-9a-f]+>", ">", str(e))
            out["reject"].append({"name": name, "data": base64.b64encode(data).decode(),
                                  "python": type(e).__name__ + ": " + text})
        else:
            raise SystemExit("reject case %r was accepted: %r" % (name, got))
    for name, data in unsupported_cases:
        out["unsupported"].append({"name": name, "data": base64.b64encode(data).decode(),
                                   "python": repr(serpent.loads(data))})
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "serpent", "testdata", "golden.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(out, f, indent=1, ensure_ascii=True)
        f.write("\n")
    print("wrote %d encode, %d decode, %d reject vectors to %s" % (
        len(out["encode"]), len(out["decode"]), len(out["reject"]), os.path.normpath(path)))


if __name__ == "__main__":
    main()
