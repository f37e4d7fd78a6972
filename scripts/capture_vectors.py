#!/usr/bin/env python2.7
"""Writes the golden pickle corpus (pickle/testdata/golden/) with real Python
2.7 cPickle and real Pyro 3.16: every value kind of the pickle model and every
Pyro wire class at pickle protocols 0, 1 and 2, plus whole PYRO frames built by
Pyro's own PYROAdapter.createMsg. scripts/capture_vectors_py3.py adds Python 3
samples; both update manifest.json, which lists every file.

Run from anywhere with the Python 2.7 that has Pyro 3.16 installed:
    $PY2 scripts/capture_vectors.py && $PY3 scripts/capture_vectors_py3.py
The output is deterministic (fixed GUIDs, timestamps and challenge bytes).
"""
import cPickle
import os
import re
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(ROOT, "pickle", "testdata", "golden")
sys.path.insert(0, os.path.join(ROOT, "interop_tests", "py2"))
os.environ.setdefault("PYRO_STORAGE", "/tmp")

import Pyro.core  # noqa: E402
import Pyro.constants  # noqa: E402
import Pyro.errors  # noqa: E402
import Pyro.naming  # noqa: E402
import Pyro.protocol  # noqa: E402
from Pyro.EventService.Event import Event  # noqa: E402

from capture_common import write_manifest  # noqa: E402
import pickle_golden_classes as gc  # noqa: E402

GUID = "7f00000146c929cefcdb0cb175b39735c4"
GUID2 = "0123456789abcdef0123456789abcdef"
TS = 1795663710.790761

TRACEBACK = [
    'Traceback (most recent call last):\n',
    '  File "/opt/pyro3/Pyro/protocol.py", line 759, in _handleInvocation2\n'
    '    res = obj.Pyro_dyncall(req[1],flags,req[3])\t# (method,flags,args)\n',
    "ValueError: bad value: 'x'\n",
]


def values():
    """(name, value) pairs of the plain Python values."""
    shared = [1, 2]
    shared_d = {"k": "v"}
    shared_t = (1, "two")
    self_list = [1]
    self_list.append(self_list)
    self_dict = {"a": 1}
    self_dict["self"] = self_dict
    nested = {"list": [1, (2, 3), {"x": [None, True]}], (1, "k"): frozenset([1]), u"u": set(["s"])}
    ls = gc.ListSub([1, "two", 3.0])
    ls.attr = "list attr"
    ds = gc.DictSub(a=1, b=u"two")
    ds.attr = 7
    ge = gc.GoldenError("golden", 42)
    ge.detail = u"more"
    ve = ValueError("with attrs")
    ve.code = 3
    return [
        ("none", None),
        ("true", True),
        ("false", False),
        ("int_0", 0),
        ("int_255", 255),
        ("int_256", 256),
        ("int_65535", 65535),
        ("int_65536", 65536),
        ("int_neg1", -1),
        ("int_max32", 2 ** 31 - 1),
        ("int_min32", -2 ** 31),
        ("int_2pow31", 2 ** 31),
        ("int_2pow40", 1099511627776),
        ("int_max64", sys.maxint),
        ("int_min64", -sys.maxint - 1),
        ("long_0", 0L),
        ("long_1", 1L),
        ("long_neg5", -5L),
        ("long_2pow64", 2 ** 64),
        ("long_2pow100", 2 ** 100),
        ("long_neg2pow70", -(2 ** 70) + 1),
        ("long_2pow2100", 2 ** 2100),
        ("float_1_5", 1.5),
        ("float_neg_tiny", -2.5e-300),
        ("float_big", 1.7976931348623157e308),
        ("float_third", 1.0 / 3),
        ("float_nan", float("nan")),
        ("float_inf", float("inf")),
        ("float_neginf", float("-inf")),
        ("float_negzero", -0.0),
        ("str_empty", ""),
        ("str_ascii", "hello"),
        ("str_quotes", "it's \"quoted\"\n\\ \t\x00"),
        ("str_binary", "".join(chr(i) for i in range(256))),
        ("str_255", "x" * 255),
        ("str_256", "y" * 256),
        ("str_md5", "\xd4\x1d\x8c\xd9\x8f\x00\xb2\x04\xe9\x80\t\x98\xec\xf8B~"),
        ("unicode_empty", u""),
        ("unicode_ascii", u"hello"),
        ("unicode_latin1", u"caf\xe9"),
        ("unicode_bmp", u"unicode-\u20ac"),
        ("unicode_nonbmp", u"smile \U0001f600"),
        ("unicode_surrogate", u"lone \ud800 surrogate"),
        ("unicode_escapes", u"back\\slash\nnew line \x00 nul"),
        ("unicode_long", u"\u00e9" * 300),
        ("tuple_0", ()),
        ("tuple_1", (1,)),
        ("tuple_2", (1, "b")),
        ("tuple_3", (1, "b", u"c")),
        ("tuple_4", (1, 2, 3, 4)),
        ("tuple_nested", ((), ((1,),), (None, (True, False)))),
        ("list_empty", []),
        ("list_ints", [1, 2, 3]),
        ("list_mixed", [None, 1, 2L, 3.0, "s", u"u", (), [], {}]),
        ("list_1500", range(1500)),
        ("dict_empty", {}),
        ("dict_str", {"a": 1, "b": "two"}),
        ("dict_keys", {1: "int", (1, 2): "tuple", "s": "str", u"u": "unicode", 2.5: "float", None: "none", 10L: "long"}),
        ("dict_1200", dict(("k%d" % i, i) for i in range(1200))),
        ("set_empty", set()),
        ("set_ints", set([1, 2, 3])),
        ("set_mixed", set([1, "s", u"u", (1, 2)])),
        ("frozenset", frozenset(["a", "b"])),
        ("bytearray", bytearray("by\x00te\xff")),
        ("shared_list", [shared, shared]),
        ("shared_dict", {"one": shared_d, "two": shared_d}),
        ("shared_tuple", [shared_t, shared_t]),
        ("self_list", self_list),
        ("self_dict", self_dict),
        ("nested", nested),
        ("call_message", (GUID, "add", 3, ((3, 4), {}))),
        ("call_kwargs", (GUID, "kw", 3, ((1,), {"b": 2, "c": "x"}))),
        ("oldstyle", gc.OldStyle(x=1, name="old")),
        ("oldstyle_initargs", gc.OldStyleInitArgs(1, "two")),
        ("newstyle", gc.NewStyle(x=1, y=[2, 3], name=u"new")),
        ("newstyle_newargs", gc.NewStyleNewArgs(5, "why")),
        ("list_subclass", ls),
        ("dict_subclass", ds),
        ("class_ref", gc.NewStyle),
        ("builtin_ref", len),
        ("user_exception", ge),
        ("valueerror", ValueError("bad value: 'x'")),
        ("keyerror", KeyError("missing")),
        ("ioerror", IOError(2, "No such file or directory", "/x")),
        ("zerodivisionerror", ZeroDivisionError("integer division or modulo by zero")),
        ("exception_noargs", RuntimeError()),
        ("exception_attrs", ve),
    ]


def uri(s="PYRO://127.0.0.1:17766/" + GUID):
    return Pyro.core.PyroURI(s)


def wire_values():
    """(name, value) pairs of Pyro's wire classes."""
    plain = Pyro.core.getProxyForURI(uri())
    ident = Pyro.core.getProxyForURI(uri("PYRO://127.0.0.1:7766/" + GUID2))
    ident._setIdentification("s3cr3t")
    ident._setOneway(["start", "stop"])
    ident._setTimeout(2.5)
    attrs = Pyro.core.getAttrProxyForURI(uri())
    ns = Pyro.naming.NameServerProxy(uri("PYRO://127.0.0.1:9090/" + GUID2), noconnect=1)
    tree = Pyro.naming.NamedTree("<root>")
    tree.systemMeta.timestamp = TS
    pyro = tree.newbranch("Pyro")
    pyro.systemMeta.timestamp = TS + 1
    leaf = pyro.newleaf("NameServer", uri("PYRO://127.0.0.1:9090/" + GUID2))
    leaf.systemMeta.timestamp = TS + 2
    leaf.userMeta = {"a": 1}
    tree.newbranch("Default").systemMeta.timestamp = TS + 3
    nv = Pyro.naming.NameValue(":test.obj", uri(), {"meta": u"data"})
    nv.systemMeta.timestamp = TS
    meta = Pyro.naming.NameSpaceSystemMeta(leaf, TS, None)
    nomod = Pyro.errors._InternalNoModuleError()
    nomod.modulename = "agentmod"
    nomod.fromlist = ["__doc__"]
    E = Pyro.errors
    return [
        ("pyrouri", uri()),
        ("pyrouri_ssl", uri("PYROSSL://127.0.0.1:7767/" + GUID2)),
        ("pyrouri_loc", Pyro.core.processStringURI("PYROLOC://127.0.0.1:7766/:test.plain")),
        ("capsule_valueerror", E.PyroExceptionCapsule(ValueError("bad value: 'x'"), TRACEBACK)),
        ("capsule_protocolerror", E.PyroExceptionCapsule(E.ProtocolError("unknown object ID"), None)),
        ("capsule_user", E.PyroExceptionCapsule(gc.GoldenError("custom", 1), ["tb line\n"])),
        ("capsule_str_tb", E.PyroExceptionCapsule(E.NamingError("x"), "remote traceback text")),
        ("capsule_nomodule", E.PyroExceptionCapsule(nomod, None)),
        ("dynamicproxy", plain),
        ("dynamicproxy_ident", ident),
        ("dynamicproxy_attrs", attrs),
        ("nameserverproxy", ns),
        ("systemmeta", meta),
        ("namedtree", tree),
        ("namevalue", nv),
        ("event", Event("StockQuotes", ("SUN", 22.44), 1795663549.209596)),
        ("pyroerror", E.PyroError("internal")),
        ("urierror", E.URIError("invalid URI format")),
        ("daemonerror", E.DaemonError("no such object")),
        ("protocolerror", E.ProtocolError("unknown object ID")),
        ("connectionclosederror", E.ConnectionClosedError("receiving: connection lost")),
        ("connectiondeniederror", E.ConnectionDeniedError("unspecified")),
        ("timeouterror", E.TimeoutError("connection timeout receiving")),
        ("namingerror", E.NamingError("name not found", ":Default.x")),
        ("nomoduleerror", E.NoModuleError("servmod")),
        ("internalnomoduleerror", nomod),
    ]


def frames():
    """(name, frame bytes, body kind) of whole PYRO messages."""
    cfg = Pyro.config
    adapter = Pyro.protocol.PYROAdapter()
    out = []

    def frame(name, body, kind, compression=0, checksum=0, flags=0):
        cfg.PYRO_COMPRESSION = compression
        cfg.PYRO_CHECKSUM = checksum
        try:
            out.append((name, adapter.createMsg(body, flags), kind))
        finally:
            cfg.PYRO_COMPRESSION = 0
            cfg.PYRO_CHECKSUM = 0

    dumps = lambda v: cPickle.dumps(v, 2)
    frame("frame_challenge", "\x49\x19\x0c\x12\x8b\x97\x59\x1c\x71\x3c\x1d\x7f\xac\xa9\x94\xdf", "raw")
    frame("frame_connect", "CONNECT" + "\x31\xa1\x70\x48\x1a\xd0\x09\xcb\x5b\x08\x50\xde\x9d\x34\xb2\x65", "raw")
    frame("frame_request_add", dumps((GUID, "add", 3, ((3, 4), {}))), "call_message")
    frame("frame_reply_int", dumps(7), "int_7")
    frame("frame_reply_none", dumps(None), "none")
    frame("frame_request_resolvepyroloc",
          dumps((Pyro.constants.INTERNAL_DAEMON_GUID, "ResolvePYROLOC", 0, (":test.plain",))), "resolvepyroloc")
    frame("frame_reply_uri", dumps(uri()), "pyrouri")
    frame("frame_reply_capsule", dumps(Pyro.errors.PyroExceptionCapsule(ValueError("bad value: 'x'"), TRACEBACK)),
          "capsule_valueerror")
    frame("frame_request_oneway", dumps((GUID, "start", 7, ((5,), {}))), "oneway_message")
    big = (GUID, "echo", 3, ((range(100), {"k%d" % i: i for i in range(10)}), {}))
    frame("frame_request_compressed_checksum", dumps(big), "echo_message", compression=1, checksum=1)
    frame("frame_request_compressed", dumps(big), "echo_message", compression=1)
    frame("frame_reply_checksum", dumps(7), "int_7", checksum=1)
    frame("frame_request_p0", cPickle.dumps((GUID, "add", 3, ((3, 4), {})), 0), "call_message")
    return out


def describe(v):
    """repr(v) without memory addresses, plus the instance __dict__."""
    r = re.sub(r" at 0x[0-9a-f]+", "", repr(v))
    if hasattr(v, "__dict__") and not isinstance(v, (type, types.ClassType)) and v.__dict__:
        r += " __dict__=" + re.sub(r" at 0x[0-9a-f]+", "", repr(v.__dict__))
    return r


def main():
    if not os.path.isdir(OUT):
        os.makedirs(OUT)
    Pyro.core.initClient(banner=0)
    entries = []
    version = "%d.%d.%d" % sys.version_info[:3]
    for group, items in (("value", values()), ("wire", wire_values())):
        for name, v in items:
            for proto in (0, 1, 2):
                data = cPickle.dumps(v, proto)
                fn = "%s.p%d.pickle" % (name, proto)
                with open(os.path.join(OUT, fn), "wb") as f:
                    f.write(data)
                entries.append({"file": fn, "name": name, "kind": "pickle", "group": group,
                                "protocol": proto, "python": version, "repr": describe(v)})
    for name, data, body in frames():
        fn = name + ".frame"
        with open(os.path.join(OUT, fn), "wb") as f:
            f.write(data)
        entries.append({"file": fn, "name": name, "kind": "frame", "group": "frame", "protocol": 2,
                        "python": version, "body": body, "repr": repr(data[18:])})
    write_manifest(OUT, entries, python=2)
    print "wrote %d files to %s" % (len(entries), OUT)


if __name__ == "__main__":
    main()
