"""User classes whose instances appear in the golden pickle corpus and in the
random round-trip values. Importable under Python 2.7 and Python 3: the class
paths (pickle_golden_classes.X) are part of the pickles."""


def _state(obj):
    return (obj.__class__, obj.__dict__)


class OldStyle:
    """A classic (old-style) class under Python 2: pickled with INST/OBJ."""

    def __init__(self, **attrs):
        self.__dict__.update(attrs)

    def __eq__(self, other):
        return _state(self) == _state(other)

    def __ne__(self, other):
        return not self == other

    def __repr__(self):
        return "OldStyle(%r)" % (self.__dict__,)


class OldStyleInitArgs:
    """A classic class with __getinitargs__: INST/OBJ carry constructor args."""

    def __init__(self, a, b):
        self.a = a
        self.b = b

    def __getinitargs__(self):
        return (self.a, self.b)

    def __eq__(self, other):
        return _state(self) == _state(other)

    def __ne__(self, other):
        return not self == other

    def __repr__(self):
        return "OldStyleInitArgs(%r, %r)" % (self.a, self.b)


class NewStyle(object):
    """A new-style class: NEWOBJ at protocol 2, copy_reg._reconstructor below."""

    def __init__(self, **attrs):
        self.__dict__.update(attrs)

    def __eq__(self, other):
        return _state(self) == _state(other)

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return id(self)

    def __repr__(self):
        return "NewStyle(%r)" % (self.__dict__,)


class NewStyleNewArgs(object):
    """A new-style class with __getnewargs__: NEWOBJ with arguments."""

    def __new__(cls, x, y):
        self = object.__new__(cls)
        self.x = x
        self.y = y
        return self

    def __getnewargs__(self):
        return (self.x, self.y)

    def __eq__(self, other):
        return _state(self) == _state(other)

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return id(self)

    def __repr__(self):
        return "NewStyleNewArgs(%r, %r)" % (self.x, self.y)


class ListSub(list):
    """A list subclass with an attribute: items are APPENDed to the object."""

    def __eq__(self, other):
        return type(self) is type(other) and list(self) == list(other) and self.__dict__ == other.__dict__

    def __ne__(self, other):
        return not self == other

    def __repr__(self):
        return "ListSub(%r, %r)" % (list(self), self.__dict__)


class DictSub(dict):
    """A dict subclass with an attribute: items are SETITEMed on the object."""

    def __eq__(self, other):
        return type(self) is type(other) and dict(self) == dict(other) and self.__dict__ == other.__dict__

    def __ne__(self, other):
        return not self == other

    def __repr__(self):
        return "DictSub(%r, %r)" % (dict(self), self.__dict__)


class GoldenError(Exception):
    """A user exception; args and attributes travel by REDUCE + BUILD."""

    def __eq__(self, other):
        return type(self) is type(other) and self.args == other.args and self.__dict__ == other.__dict__

    def __ne__(self, other):
        return not self == other
