// Package mobile is the Go side of Pyro 3's mobile code: Python peers that
// lack the module of a class they receive fetch its code from the other end
// of the connection (Pyro's PYRO_MOBILE_CODE).
//
// A Go program cannot run Python code, but it can serve it, supply it and
// pass objects of unknown classes along:
//
//   - Repository serves module code by dotted module name from a directory
//     (a.b → a/b.pyo, a/b.pyc or a/b.py, tried in Pyro's order; a package's
//     code is its __init__ file), plus modules stored in memory.
//   - Code, embedded in a Go object served by a core.Daemon (or wrapped
//     around an Invoker with Wrap), answers remote_retrieve_code(name) — the
//     call a Python client makes when it cannot unpickle a reply — with the
//     module's bytes, and remote_supply_code(name, code, addr) by storing the
//     code in the Repository (for later downloads by other Python clients)
//     or refusing it, both through a CodeValidator. Refusals are
//     Pyro.errors.PyroError exceptions with Pyro's texts ('attempt to
//     retrieve code denied', 'attempt to supply code denied'), so a Python
//     client fails at once instead of hanging.
//   - Code.Collect makes a Go server ask Python clients for the code of the
//     classes of their arguments (it answers _InternalNoModuleError, as a
//     Python server that cannot unpickle them does), so that it can supply
//     that code when it passes the objects on to other Python servers
//     (Pyro's testmobile/passon with a Go server in the middle).
//   - Supplier makes a Go client answer a Python server's
//     _InternalNoModuleError (the server could not unpickle our request):
//     it uploads the module with remote_supply_code on the same proxy, as
//     many times as nested imports require, and sends the original call
//     again.
//
// Pyro serves and accepts code only with PYRO_MOBILE_CODE=1; in Go, using
// Code or Supplier is the opt-in (a program may make it depend on
// config.Current().MobileCode).
//
// Objects of classes Go does not know decode as *pickle.Object and encode
// back to the same pickle, so they pass through Go untouched; Go never needs
// their code.
package mobile
