"""Exercises every Name Server method through Pyro's NameServerProxy and
prints results in a form that does not depend on the server's URI, GUID or
clock, so the output of a Go and a Python Name Server can be compared.

usage: ns_methods.py host port
"""
import sys

import Pyro.core
import Pyro.errors
import Pyro.naming

Pyro.core.initClient(banner=0)
host, port = sys.argv[1], int(sys.argv[2])
ns = Pyro.naming.NameServerLocator().getNS(host=host, port=port)
URI = 'PYRO://127.0.0.1:7766/0123456789abcdef0123456789abcdef'


def show(label, fn, *args):
    try:
        res = fn(*args)
    except Pyro.errors.PyroError, x:
        print label, 'RAISED', x.__class__.__name__, repr(x.args)
        return
    except Exception, x:
        print label, 'RAISED', x.__class__.__name__, str(x)
        return
    if isinstance(res, list):
        res = sorted(r for r in res if not (isinstance(r, tuple) and r[0] == ':Pyro.NameServer'))
    if isinstance(res, Pyro.naming.NameSpaceSystemMeta):
        res = 'NameSpaceSystemMeta type=%d owner=%r' % (res.type, res.owner)
    print label, '->', repr(res)


show('ping', ns.ping)
show('createGroup :captest', ns.createGroup, ':captest')
show('createGroup :captest again', ns.createGroup, ':captest')
show('createGroup :captest.sub', ns.createGroup, ':captest.sub')
show('createGroup :nogroup.sub', ns.createGroup, ':nogroup.sub')
show('createGroup relgroup', ns.createGroup, 'relgroup')
show('register :captest.obj', ns.register, ':captest.obj', URI)
show('register :captest.obj again', ns.register, ':captest.obj', URI)
show('register relname (URI object)', ns.register, 'relname', Pyro.core.PyroURI(URI))
show('register :captest.obj.x', ns.register, ':captest.obj.x', URI)
show('register bad name', ns.register, 'bad name', URI)
show('register :a..b', ns.register, ':a..b', URI)
show('register invalid URI', ns.register, ':captest.u', 'nonsense')
show('register localhost URI', ns.register, ':captest.lh', 'PYRO://localhost/abc')
show('resolve :captest.lh', ns.resolve, ':captest.lh')
show('resolve :captest.obj', ns.resolve, ':captest.obj')
show('resolve relname', ns.resolve, 'relname')
show('resolve nonexisting', ns.resolve, 'nonexisting')
show('resolve :captest', ns.resolve, ':captest')
show('resolve :captest.obj.x', ns.resolve, ':captest.obj.x')
show('list :captest', ns.list, ':captest')
show('list None', ns.list, None)
show('list :', ns.list, ':')
show('list :captest.obj', ns.list, ':captest.obj')
show('list :missing', ns.list, ':missing')
show('flatlist', ns.flatlist)
show('setMeta', ns.setMeta, ':captest.obj', {'a': 1, 'b': [1, 2.5, u'x']})
show('getMeta', ns.getMeta, ':captest.obj')
show('getMeta group', ns.getMeta, ':captest')
show('getMeta missing', ns.getMeta, ':captest.missing')
show('_getSystemMeta', ns._getSystemMeta, ':captest.obj')
show('_getSystemMeta group', ns._getSystemMeta, ':captest')
show('_setSystemMeta bad', ns._setSystemMeta, ':captest.obj', 5)
meta = Pyro.naming.NameSpaceSystemMeta(Pyro.naming.NameValue('x'), 12.5, 'me')
show('_setSystemMeta', ns._setSystemMeta, ':captest.obj', meta)
m = ns._getSystemMeta(':captest.obj')
print '_getSystemMeta after set ->', m.type, m.timestamp, m.owner
show('unregister :captest.obj', ns.unregister, ':captest.obj')
show('unregister :captest.obj again', ns.unregister, ':captest.obj')
show('unregister :captest.sub', ns.unregister, ':captest.sub')
show('unregister relname', ns.unregister, 'relname')
show('deleteGroup :', ns.deleteGroup, ':')
show('deleteGroup :captest.lh', ns.deleteGroup, ':captest.lh')
show('deleteGroup :captest', ns.deleteGroup, ':captest')
show('deleteGroup :captest again', ns.deleteGroup, ':captest')
show('deleteGroup relgroup', ns.deleteGroup, 'relgroup')
show('resync', ns.resync)
show('list : at end', ns.list, ':')
show('flatlist at end', ns.flatlist)
print 'done'
