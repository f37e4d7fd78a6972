"""Real Pyro 3.16 client scenarios against the Go coreserver.

usage: core_client.py <scenario> <port> [args...]
Each scenario prints 'name=repr(value)' lines that the pytest side checks.
"""
import sys
import threading
import time

import Pyro.core
import Pyro.errors
import Pyro.util

import core_objs  # noqa: F401  (MyError must be importable to unpickle it)

Pyro.core.initClient(banner=0)


def out(name, value):
    sys.stdout.write('%s=%r\n' % (name, value))
    sys.stdout.flush()


def uri(port, name=':test.core', loc=True):
    return 'PYROLOC://127.0.0.1:%d/%s' % (port, name)


def raised(fn, *args):
    try:
        fn(*args)
    except Exception, e:
        e.pyro_tb = ''.join(Pyro.util.getPyroTraceback(e))
        return e
    return None


def calls(port):
    p = Pyro.core.getProxyForURI(uri(port))
    out('add', p.add(3, 4))
    out('add_long', p.add(2 ** 40, 1))
    out('concat', p.concat('a', u'b\u20ac'))
    out('kw', p.kw(1, 2, 3, b=2, c='x'))
    out('kw_none', p.kw('only'))
    out('sum', p.sum(1, 2.5, 3))
    out('sum_none', p.sum())
    v = {'a': [1, 2.5, None, (1, 2), True], u'u': u'\xe9', 'l': 10 ** 30, (1, 'k'): set([1, 2]), 'f': frozenset(['x'])}
    out('echo', p.echo(v) == v)
    out('pair', p.pair(5))
    out('len', p.len('\x00\xff' * 3))
    out('counter', [p.counter(), p.counter(), p.counter()])
    out('whoami_ok', p.whoami().startswith('127.0.0.1:'))
    # PYRO URI as printed by the daemon, and the GoName of a method
    p2 = Pyro.core.getProxyForURI(p.URI)
    out('pyro_uri_add', p2.Add(10, 20))
    out('uri_protocol', str(p.URI).split(':')[0])
    d = Pyro.core.getProxyForURI('PYRO://127.0.0.1:%d/%s' % (port, Pyro.constants.INTERNAL_DAEMON_GUID))
    reg = d.getRegistered()
    out('registered', sorted(v for v in reg.values() if v))


def exceptions(port):
    p = Pyro.core.getProxyForURI(uri(port))
    e = raised(p.raise_value, 'x')
    out('value_class', e.__class__.__name__)
    out('value_str', str(e))
    e = raised(p.raise_custom)
    out('custom_class', '%s.%s' % (e.__class__.__module__, e.__class__.__name__))
    out('custom_args', e.args)
    e = raised(p.go_error)
    out('goerror_class', e.__class__.__name__)
    out('goerror_str', str(e))
    e = raised(p.panic)
    out('panic_class', e.__class__.__name__)
    out('panic_str', str(e))
    out('panic_tb', e.pyro_tb)
    e = raised(p.naming)
    out('naming_class', e.__class__.__name__)
    out('naming_args', e.args)
    e = raised(p.nosuchmethod)
    out('attr_class', e.__class__.__name__)
    out('attr_str', str(e))
    e = raised(p.add, 1)
    out('typeerror_class', e.__class__.__name__)
    # still usable after all those exceptions
    out('after', p.add(1, 1))
    u = Pyro.core.getProxyForURI('PYRO://127.0.0.1:%d/nosuchobject' % port)
    e = raised(u.add, 1, 2)
    out('unknown_class', e.__class__.__name__)
    out('unknown_str', str(e))
    e = raised(Pyro.core.getProxyForURI(uri(port, 'no.such.name')).add, 1, 2)
    out('pyroloc_class', e.__class__.__name__)
    out('pyroloc_args', e.args)


def attrs(port):
    a = Pyro.core.getAttrProxyForURI(uri(port, ':test.attrs'))
    out('value', a.value)
    out('label', a.label)
    out('list', a.list)
    out('double', a.double())
    a.value = 7
    out('value2', a.value)
    out('double2', a.double())
    e = None
    try:
        a.double = 3
    except AttributeError, e:
        pass
    out('set_method', str(e))
    e = None
    try:
        a.missing
    except AttributeError, e:
        pass
    out('missing_class', e.__class__.__name__)


def oneway(port, n):
    n = int(n)
    r = Pyro.core.getProxyForURI(uri(port, ':test.recorder'))
    r._setOneway(['record', 'gate'])
    # a oneway call that blocks does not hold up the normal calls after it
    r.gate()
    while not r.open():
        time.sleep(0.01)
    result = r.gate_result()
    while not result:
        time.sleep(0.01)
        result = r.gate_result()
    out('gate', result)
    for i in range(n):
        r.record(i)
    deadline = time.time() + 60
    got = r.recorded()
    while len(got) < n and time.time() < deadline:
        time.sleep(0.05)
        got = r.recorded()
    out('ordered', got == range(n))


class Callback(Pyro.core.ObjBase):
    def __init__(self):
        Pyro.core.ObjBase.__init__(self)
        self.got = []

    def cb(self, arg):
        self.got.append(arg)
        return ('python got', arg)


def callbacks(port):
    daemon = Pyro.core.Daemon(host='127.0.0.1', port=0, norange=1)
    cb = Callback()
    cbproxy = daemon.connect(cb, 'callback')
    cbproxy = Pyro.core.getProxyForURI(cbproxy)
    t = threading.Thread(target=daemon.requestLoop)
    t.setDaemon(True)
    t.start()
    p = Pyro.core.getProxyForURI(uri(port))
    out('callback', p.call_me_back(cbproxy, 'cb', u'hi'))
    out('callback_seen', cb.got)
    out('proxy_uri', p.proxy_uri(cbproxy) == str(cbproxy.URI))
    item = p.make('widget')
    out('item_class', item.__class__.__name__)
    out('item_name', item.get_name())
    out('item_name_go', item.GetName())
    items = [p.make('w%d' % i) for i in range(3)]
    out('items', [i.get_name() for i in items])
    # a Go-made proxy passed back to Go
    out('roundtrip', p.proxy_uri(item) == str(item.URI))
    daemon.shutdown()


def concurrent(port, nthreads, ncalls):
    nthreads, ncalls = int(nthreads), int(ncalls)
    errors = []
    ok = [0]
    lock = threading.Lock()

    def worker(i):
        try:
            p = Pyro.core.getProxyForURI(uri(port))
            for j in range(ncalls):
                if p.add(i, j) != i + j:
                    raise ValueError('wrong sum')
            with lock:
                ok[0] += 1
        except Exception, e:
            with lock:
                errors.append(repr(e))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(nthreads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    out('ok', ok[0])
    out('errors', errors[:5])
    # a shared proxy: calls serialised on one connection
    shared = Pyro.core.getProxyForURI(uri(port))
    res = []

    def sharer(i):
        r = shared.add(i, i)
        with lock:
            res.append(r)
    threads = [threading.Thread(target=sharer, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    out('shared', sorted(res) == [2 * i for i in range(20)])


def sleeper(port, secs):
    p = Pyro.core.getProxyForURI(uri(port))
    p.add(1, 1)
    sys.stdout.write('CALLING\n')
    sys.stdout.flush()
    p.sleep(float(secs))


def restart(port):
    """Keeps a proxy across a server restart (fixed GUID and port)."""
    p = Pyro.core.getProxyForURI('PYRO://127.0.0.1:%d/f1xed000000000000000000000000000' % port)
    out('before', p.add(1, 2))
    sys.stdout.write('RESTART\n')
    sys.stdout.flush()
    sys.stdin.readline()
    e = raised(p.add, 2, 3)
    if e is not None:
        out('first_error', e.__class__.__name__)
        p.adapter.rebindURI(tries=100, wait=0.1)
    out('after', p.add(2, 3))
    # implicit reconnect: release the connection, the next call rebinds
    p._release()
    out('after_release', p.add(3, 4))


def ident(port, passphrase):
    p = Pyro.core.getProxyForURI(uri(port))
    if passphrase != '-':
        p._setIdentification(passphrase)
    e = raised(p.add, 1, 2)
    if e is None:
        out('result', 'ok')
    else:
        out('result', '%s: %s' % (e.__class__.__name__, e))


def bigecho(port, mb):
    p = Pyro.core.getProxyForURI(uri(port))
    s = ''.join(chr(i % 256) for i in range(1024)) * (1024 * int(mb))
    t0 = time.time()
    r = p.echo(s)
    dt = time.time() - t0
    out('same', r == s and type(r) is str)
    out('len', len(r))
    sys.stderr.write('%d MB echo in %.3f s\n' % (int(mb), dt))


def strings(port):
    p = Pyro.core.getProxyForURI(uri(port))
    binary = ''.join(chr(i) for i in range(256))
    uni = u'gr\xfc\xdf \u20ac \U0001f600'
    for name, v in (('binary', binary), ('unicode', uni), ('empty_str', ''), ('empty_uni', u''),
                    ('ascii_uni', u'abc'), ('latin1_str', 'caf\xe9')):
        r = p.echo(v)
        out(name, (r == v, type(r).__name__))
    u, b = p.strings()
    out('go_unicode', (u == uni, type(u).__name__))
    out('go_binary', (b == binary, type(b).__name__))


SCENARIOS = dict(calls=calls, exceptions=exceptions, attrs=attrs, oneway=oneway, callbacks=callbacks,
                 concurrent=concurrent, sleeper=sleeper, restart=restart, ident=ident, bigecho=bigecho,
                 strings=strings)

if __name__ == '__main__':
    SCENARIOS[sys.argv[1]](int(sys.argv[2]), *sys.argv[3:])
