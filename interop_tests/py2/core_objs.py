"""Classes shared by the core interop scripts (importable by Pyro clients)."""


class MyError(Exception):
    pass
