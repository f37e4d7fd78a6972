"""Issue item 10(a): values pickled by real Python 2.7 (cPickle, Pyro 3.16
classes) go through `pyro-pickle` (decode + re-encode in Go) and must come
back equal and with the same types all the way down.

py2/pickle_roundtrip.py does the work in one Python 2 process that talks to
one `pyro-pickle -stream -protocol N` process per protocol 0, 1, 2 (the
length-prefixed batch mode), so thousands of values take about a second.
"""
import json
import os

from conftest import ROOT, run_py2

CORPUS = os.path.join(ROOT, "pickle", "testdata", "golden")


def roundtrip(gobin, count, seed):
    cp = run_py2("pickle_roundtrip.py", os.path.join(gobin, "pyro-pickle"), CORPUS, count, seed, timeout=100)
    return json.loads(cp.stdout.decode().strip().splitlines()[-1])


def report(res):
    return "%d of %d+%d values differ:\n%s" % (
        len(res["failures"]), res["corpus"], res["random"], "\n".join(f[:500] for f in res["failures"][:20]))


def test_corpus_and_random_values_roundtrip(gobin):
    res = roundtrip(gobin, 1500, 20261126)
    assert res["corpus"] >= 300
    assert res["random"] == 1500
    assert not res["failures"], report(res)


def test_roundtrip_other_seed(gobin):
    res = roundtrip(gobin, 1000, 7)
    assert not res["failures"], report(res)
