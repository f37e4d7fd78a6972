"""Round-trips pickles through `pyro-pickle -stream` and checks, under real
Python 2.7 + Pyro 3.16, that every value comes back equal and of the same
types all the way down (str stays str, unicode stays unicode, int/long,
tuple/list, instances keep their class and __dict__, shared and recursive
references keep their shape).

usage: pickle_roundtrip.py PYRO_PICKLE CORPUS_DIR COUNT SEED

Sends every Python-2-loadable file of the golden corpus as it is, then COUNT
random nested values pickled with cPickle at protocols 0, 1 and 2 in turn.
Prints one JSON line: {"corpus": n, "random": n, "failures": [...]}.
"""
import cPickle
import json
import math
import os
import random
import struct
import subprocess
import sys
import types

os.environ.setdefault("PYRO_STORAGE", "/tmp")
import Pyro.core  # noqa: E402
import Pyro.errors  # noqa: E402
import Pyro.naming  # noqa: E402
from Pyro.EventService.Event import Event  # noqa: E402

import pickle_golden_classes as gc  # noqa: E402

IMMUTABLE_IDENTITY_FREE = (tuple, str, unicode, int, long, float, bool, type(None), frozenset)


class Mismatch(Exception):
    pass


class Comparer(object):
    """Deep comparison of two unpickled values with exact types and the same
    sharing structure for mutable objects."""

    def __init__(self):
        self.pairs = {}  # id(a) -> (a, b)
        self.back = {}  # id(b) -> b's partner a

    def check(self, a, b, path="v"):
        if type(a) is not type(b):
            raise Mismatch("%s: type %s != %s" % (path, type(a).__name__, type(b).__name__))
        if isinstance(a, types.InstanceType) and a.__class__ is not b.__class__:
            raise Mismatch("%s: class %s != %s" % (path, a.__class__, b.__class__))
        if not isinstance(a, IMMUTABLE_IDENTITY_FREE):
            seen = self.pairs.get(id(a))
            if seen is not None:
                if seen[1] is not b:
                    raise Mismatch("%s: sharing differs" % path)
                return
            if id(b) in self.back:
                raise Mismatch("%s: shared in the result only" % path)
            self.pairs[id(a)] = (a, b)
            self.back[id(b)] = a
        if isinstance(a, float):
            if not (a == b and math.copysign(1, a) == math.copysign(1, b) or a != a and b != b):
                raise Mismatch("%s: %r != %r" % (path, a, b))
        elif isinstance(a, (str, unicode, int, long, bool, type(None), bytearray)):
            if a != b:
                raise Mismatch("%s: %r != %r" % (path, a, b))
        elif isinstance(a, (tuple, list)):
            self.seq(a, b, path)
        elif isinstance(a, dict):
            self.dict(a, b, path)
        elif isinstance(a, (set, frozenset)):
            self.set(a, b, path)
        elif isinstance(a, (type, types.ClassType, types.BuiltinFunctionType)):
            if a is not b:
                raise Mismatch("%s: %r is not %r" % (path, a, b))
        else:
            self.instance(a, b, path)

    def seq(self, a, b, path):
        if len(a) != len(b):
            raise Mismatch("%s: length %d != %d" % (path, len(a), len(b)))
        for i, (x, y) in enumerate(zip(a, b)):
            self.check(x, y, "%s[%d]" % (path, i))

    def dict(self, a, b, path):
        if len(a) != len(b):
            raise Mismatch("%s: %d keys != %d" % (path, len(a), len(b)))
        bkeys = dict((k, k) for k in b)
        for k, v in a.items():
            if k not in bkeys:
                raise Mismatch("%s: key %r missing" % (path, k))
            self.check(k, bkeys[k], "%s.key(%r)" % (path, k))
            self.check(v, b[k], "%s[%r]" % (path, k))

    def set(self, a, b, path):
        if len(a) != len(b):
            raise Mismatch("%s: %d items != %d" % (path, len(a), len(b)))
        bitems = dict((x, x) for x in b)
        for x in a:
            if x not in bitems:
                raise Mismatch("%s: item %r missing" % (path, x))
            self.check(x, bitems[x], "%s{%r}" % (path, x))

    def instance(self, a, b, path):
        if isinstance(a, BaseException):
            self.check(a.args, b.args, path + ".args")
        if isinstance(a, list):
            self.seq(list(a), list(b), path + "[:]")
        if isinstance(a, dict):
            self.dict(dict(a), dict(b), path + ".items")
        da = dict((k, v) for k, v in getattr(a, "__dict__", {}).items() if k != "lock")
        db = dict((k, v) for k, v in getattr(b, "__dict__", {}).items() if k != "lock")
        self.dict(da, db, path + ".__dict__")


# ---------------------------------------------------------------- random values

GUID = "7f00000146c929cefcdb0cb175b39735c4"


class Generator(object):
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.pool = []  # mutable values made so far, for shared references

    def scalar(self):
        r = self.r
        k = r.randrange(14)
        if k == 0:
            return None
        if k == 1:
            return r.random() < 0.5
        if k == 2:
            return r.choice([0, 1, -1, 255, 256, 65535, 65536, 2 ** 31 - 1, -2 ** 31, 2 ** 31, 2 ** 40,
                             sys.maxint, -sys.maxint - 1])
        if k == 3:
            return r.randint(-2 ** 63, 2 ** 63 - 1)
        if k == 4:
            return r.choice([0L, 1L, -5L, 2 ** 64, -(2 ** 70), 2 ** 300, long(r.randint(-1000, 1000))])
        if k == 5:
            return r.choice([0.0, -0.0, 1.5, float("inf"), float("-inf"), float("nan"), 1e300, 5e-324,
                             r.uniform(-1e6, 1e6)])
        if k == 6:
            return "".join(chr(r.randrange(256)) for _ in range(r.choice([0, 1, 5, 40, 255, 256, 300])))
        if k == 7:
            return "".join(r.choice("abcdefghij_ .:") for _ in range(r.randrange(12)))
        if k == 8:
            return u"".join(self.uchar() for _ in range(r.choice([0, 1, 3, 20, 100])))
        if k == 9:
            return r.choice([u"", u"plain", u"caf\xe9", u"\u20ac", u"\U0001f600", u"a\\b\nc"])
        if k == 10:
            return bytearray(chr(r.randrange(256)) for _ in range(r.randrange(10)))
        if k == 11:
            return r.random() * 10 ** r.randint(-20, 20)
        if k == 12:
            return self.hashable(0)
        return r.randint(-100, 100)

    def uchar(self):
        r = self.r
        k = r.randrange(10)
        if k < 5:
            return unichr(r.randrange(32, 127))
        if k < 7:
            return unichr(r.randrange(0x80, 0x800))
        if k < 8:
            return unichr(r.randrange(0x800, 0xd800))
        if k < 9:
            return unichr(r.randrange(0x10000, 0x110000))
        return unichr(r.randrange(0xe000, 0xfffe))

    def hashable(self, depth):
        r = self.r
        k = r.randrange(7)
        if k == 0 and depth < 2:
            return tuple(self.hashable(depth + 1) for _ in range(r.randrange(4)))
        if k == 1 and depth < 2:
            return frozenset(self.hashable(depth + 1) for _ in range(r.randrange(3)))
        return r.choice([
            r.randint(-1000, 1000), "k%d" % r.randrange(50), u"u%d" % r.randrange(50), r.random(),
            long(r.randrange(10)) + 2 ** 64, None, (1, "a"), u"\u20ac",
        ])

    def uri(self, protocols=("PYRO", "PYROSSL", "PYROLOC")):
        # Proxies need an adapter class that works here: no PYROSSL (no M2Crypto).
        r = self.r
        return Pyro.core.PyroURI("%s://127.0.0.%d:%d/%s" % (
            r.choice(protocols), r.randrange(1, 9), r.randrange(1, 65535),
            r.choice([GUID, "%032x" % r.getrandbits(128), ":test.obj"])))

    def instance(self, depth):
        r = self.r
        k = r.randrange(17)
        if k == 0:
            return gc.OldStyle(a=self.value(depth + 1), b=self.scalar())
        if k == 1:
            return gc.NewStyle(x=self.value(depth + 1), name=u"n")
        if k == 2:
            return gc.NewStyleNewArgs(self.scalar(), self.value(depth + 1))
        if k == 3:
            return gc.OldStyleInitArgs(self.hashable(0), self.value(depth + 1))
        if k == 4:
            l = gc.ListSub(self.value(depth + 1) for _ in range(r.randrange(4)))
            l.attr = self.scalar()
            return l
        if k == 5:
            d = gc.DictSub((self.hashable(0), self.value(depth + 1)) for _ in range(r.randrange(4)))
            d.attr = self.scalar()
            return d
        if k == 6:
            e = gc.GoldenError(self.scalar(), self.value(depth + 1))
            e.extra = self.scalar()
            return e
        if k == 7:
            return r.choice([ValueError, KeyError, TypeError, IOError, RuntimeError])(self.scalar())
        if k == 8:
            return self.uri()
        if k == 9:
            p = Pyro.core.getProxyForURI(self.uri(("PYRO", "PYROLOC")))
            if r.random() < 0.5:
                p._setOneway(["m%d" % i for i in range(r.randrange(3))])
                p._setTimeout(r.choice([None, 1, 2.5]))
                p._setIdentification(r.choice([None, "secret"]))
            return p
        if k == 10:
            return Pyro.core.getAttrProxyForURI(self.uri(("PYRO", "PYROLOC")))
        if k == 11:
            return Pyro.naming.NameServerProxy(self.uri(("PYRO",)), noconnect=1)
        if k == 12:
            return Event(self.scalar(), self.value(depth + 1), r.random() * 2e9)
        if k == 13:
            tree = Pyro.naming.NamedTree("<root>")
            tree.newleaf("leaf", self.uri()).userMeta = self.value(depth + 1)
            tree.newbranch("group")
            return tree
        if k == 14:
            return Pyro.errors.PyroExceptionCapsule(
                r.choice([Pyro.errors.NamingError("x", "y"), ValueError("v"), gc.GoldenError(1)]),
                r.choice([None, ["tb\n", "line\n"], "text"]))
        if k == 15:
            return r.choice([Pyro.errors.ProtocolError, Pyro.errors.TimeoutError, Pyro.errors.ConnectionDeniedError,
                             Pyro.errors.URIError, Pyro.errors.DaemonError])(self.scalar())
        return Pyro.naming.NameSpaceSystemMeta(None, r.random() * 2e9, None)

    def value(self, depth=0):
        r = self.r
        if depth > 4:
            return self.scalar()
        k = r.randrange(12)
        if k < 3:
            return self.scalar()
        if k == 3 and self.pool:
            return r.choice(self.pool)  # a shared reference
        if k == 4:
            return tuple(self.value(depth + 1) for _ in range(r.choice([0, 1, 2, 3, 4, 6])))
        if k == 5:
            l = [self.value(depth + 1) for _ in range(r.randrange(6))]
            if r.random() < 0.1:
                l.append(l)  # recursive
            self.pool.append(l)
            return l
        if k == 6:
            d = dict((self.hashable(0), self.value(depth + 1)) for _ in range(r.randrange(6)))
            if r.random() < 0.1:
                d["self"] = d
            self.pool.append(d)
            return d
        if k == 7:
            s = set(self.hashable(0) for _ in range(r.randrange(5)))
            self.pool.append(s)
            return s
        if k == 8:
            return frozenset(self.hashable(0) for _ in range(r.randrange(5)))
        v = self.instance(depth)
        if not isinstance(v, (tuple, Pyro.core.PyroURI)):
            self.pool.append(v)
        return v

    def top(self):
        self.pool = []
        return self.value()


# ---------------------------------------------------------------- driver

class Stream(object):
    def __init__(self, binary, protocol):
        self.p = subprocess.Popen([binary, "-stream", "-protocol", str(protocol)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def roundtrip(self, data):
        self.p.stdin.write(struct.pack(">I", len(data)) + data)
        self.p.stdin.flush()
        head = self.p.stdout.read(5)
        if len(head) != 5:
            raise Mismatch("pyro-pickle ended (status %r)" % self.p.poll())
        status, n = struct.unpack(">BI", head)
        body = self.p.stdout.read(n)
        if status != 0:
            raise Mismatch("pyro-pickle: " + body)
        return body

    def close(self):
        self.p.stdin.close()
        self.p.wait()


def check_one(streams, data, proto, label, failures):
    try:
        want = cPickle.loads(data)
        out = streams[proto].roundtrip(data)
        got = cPickle.loads(out)
        Comparer().check(want, got)
    except Exception as e:  # noqa: B902 - report every kind of failure
        failures.append("%s (protocol %d): %s: %s" % (label, proto, e.__class__.__name__, e))


def main():
    binary, corpus, count, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    Pyro.core.initClient(banner=0)
    streams = dict((p, Stream(binary, p)) for p in (0, 1, 2))
    failures = []
    n_corpus = 0
    for fn in sorted(os.listdir(corpus)):
        if not fn.endswith(".pickle") or ".py3p" in fn:
            continue
        proto = int(fn[:-len(".pickle")].rsplit(".p", 1)[1])
        with open(os.path.join(corpus, fn), "rb") as f:
            data = f.read()
        check_one(streams, data, proto, fn, failures)
        n_corpus += 1
    gen = Generator(seed)
    for i in range(count):
        proto = i % 3
        v = gen.top()
        try:
            data = cPickle.dumps(v, proto)
        except Exception as e:  # noqa: B902
            failures.append("random #%d: cPickle cannot pickle it: %s" % (i, e))
            continue
        check_one(streams, data, proto, "random #%d %r" % (i, v), failures)
    for s in streams.values():
        s.close()
    print json.dumps({"corpus": n_corpus, "random": count, "failures": failures})


if __name__ == "__main__":
    main()
