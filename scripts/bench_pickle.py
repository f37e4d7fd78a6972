"""Python 2.7 side of the pickle benchmarks (run with Pyro 3.16 installed).

  bench_pickle.py write DIR   writes DIR/call.pickle and DIR/capsule.pickle,
                              cPickle.dumps(..., 2) of the benchmark messages
  bench_pickle.py time DIR    prints "name loads_ns dumps_ns" for each message,
                              best of several timeit runs
"""
import sys
import cPickle

import Pyro.errors

from bench_timing import best_ns


def call_message():
    # What a Pyro 3 proxy pickles for a call: (objectID, method, flags, (args, kwargs)).
    args = (42, 3.14, u'unicode \u20ac', range(100), dict(('k%d' % i, i) for i in range(10)))
    return ('7f00000146c929cefcdb0cb175b39735c4', 'method', 3, (args, {}))


def capsule_message():
    # What a Pyro 3 daemon pickles when the called method raised.
    tb = ['Traceback (most recent call last):\n', '  File "x.py", line 1, in f\n',
          "ValueError: bad value: 'x'\n"]
    return Pyro.errors.PyroExceptionCapsule(ValueError("bad value: 'x'"), tb)


MESSAGES = [('call', call_message), ('capsule', capsule_message)]


def main():
    mode, out = sys.argv[1], sys.argv[2]
    for name, make in MESSAGES:
        value = make()
        path = '%s/%s.pickle' % (out, name)
        if mode == 'write':
            with open(path, 'wb') as f:
                f.write(cPickle.dumps(value, 2))
            continue
        data = open(path, 'rb').read()
        loads = best_ns(lambda: cPickle.loads(data))
        dumps = best_ns(lambda: cPickle.dumps(value, 2))
        print '%s %.0f %.0f' % (name, loads, dumps)


if __name__ == '__main__':
    main()
