package compat

import "github.com/gopyro/gopyro/pickle"

const pyroErrors = "Pyro.errors"

// Pyro's exception hierarchy (Pyro/errors.py): class → base class.
var pyroErrorParent = map[string]string{
	"URIError":               "PyroError",
	"DaemonError":            "PyroError",
	"ProtocolError":          "PyroError",
	"ConnectionClosedError":  "ProtocolError",
	"ConnectionDeniedError":  "ProtocolError",
	"TimeoutError":           "ConnectionClosedError",
	"NamingError":            "PyroError",
	"NoModuleError":          "PyroError",
	"_InternalNoModuleError": "PyroError",
}

// PyroError is Pyro.errors.PyroError, the base of Pyro's own errors.
type PyroError struct{ Exception }

// URIError is Pyro.errors.URIError: a malformed or unusable URI.
type URIError struct{ Exception }

// DaemonError is Pyro.errors.DaemonError: a daemon problem.
type DaemonError struct{ Exception }

// ProtocolError is Pyro.errors.ProtocolError: a wire protocol problem.
type ProtocolError struct{ Exception }

// ConnectionClosedError is Pyro.errors.ConnectionClosedError, a ProtocolError.
type ConnectionClosedError struct{ Exception }

// ConnectionDeniedError is Pyro.errors.ConnectionDeniedError, a ProtocolError.
type ConnectionDeniedError struct{ Exception }

// TimeoutError is Pyro.errors.TimeoutError, a ConnectionClosedError.
type TimeoutError struct{ Exception }

// NamingError is Pyro.errors.NamingError: a Name Server error.
type NamingError struct{ Exception }

// NoModuleError is Pyro.errors.NoModuleError: mobile code not found.
type NoModuleError struct{ Exception }

// InternalNoModuleError is Pyro.errors._InternalNoModuleError, which a
// server with mobile code enabled sends when it cannot load a module the
// request needs. It has no args; the module name and fromlist are attributes.
type InternalNoModuleError struct{ Exception }

func pyroError(name string, args []any) Exception {
	return *NewException(pyroErrors, name, args...)
}

// NewPyroError returns a Pyro.errors.PyroError with the given args.
func NewPyroError(args ...any) *PyroError { return &PyroError{pyroError("PyroError", args)} }

// NewURIError returns a Pyro.errors.URIError with the given args.
func NewURIError(args ...any) *URIError { return &URIError{pyroError("URIError", args)} }

// NewDaemonError returns a Pyro.errors.DaemonError with the given args.
func NewDaemonError(args ...any) *DaemonError { return &DaemonError{pyroError("DaemonError", args)} }

// NewProtocolError returns a Pyro.errors.ProtocolError with the given args.
func NewProtocolError(args ...any) *ProtocolError {
	return &ProtocolError{pyroError("ProtocolError", args)}
}

// NewConnectionClosedError returns a Pyro.errors.ConnectionClosedError.
func NewConnectionClosedError(args ...any) *ConnectionClosedError {
	return &ConnectionClosedError{pyroError("ConnectionClosedError", args)}
}

// NewConnectionDeniedError returns a Pyro.errors.ConnectionDeniedError.
func NewConnectionDeniedError(args ...any) *ConnectionDeniedError {
	return &ConnectionDeniedError{pyroError("ConnectionDeniedError", args)}
}

// NewTimeoutError returns a Pyro.errors.TimeoutError with the given args.
func NewTimeoutError(args ...any) *TimeoutError {
	return &TimeoutError{pyroError("TimeoutError", args)}
}

// NewNamingError returns a Pyro.errors.NamingError with the given args, for
// example NewNamingError("name not found", ":Default.x").
func NewNamingError(args ...any) *NamingError { return &NamingError{pyroError("NamingError", args)} }

// NewNoModuleError returns a Pyro.errors.NoModuleError with the given args.
func NewNoModuleError(args ...any) *NoModuleError {
	return &NoModuleError{pyroError("NoModuleError", args)}
}

// NewInternalNoModuleError returns the error a mobile-code server sends for
// a module it cannot import: no args, attributes modulename (str) and
// fromlist (a list of str, or None when fromlist is nil).
func NewInternalNoModuleError(modulename string, fromlist []string) *InternalNoModuleError {
	var fl any = pickle.None{}
	if fromlist != nil {
		fl = strList(fromlist)
	}
	e := &InternalNoModuleError{pyroError("_InternalNoModuleError", nil)}
	e.Attrs = stateDict("modulename", pickle.ByteString(modulename), "fromlist", fl)
	return e
}

// ModuleName returns the modulename attribute.
func (e *InternalNoModuleError) ModuleName() string {
	v, _ := e.Attr("modulename")
	s, _ := pickle.Text(v)
	return s
}

// FromList returns the fromlist attribute (nil for None).
func (e *InternalNoModuleError) FromList() []string {
	v, _ := e.Attr("fromlist")
	l, _ := stringList(v)
	return l
}

var pyroErrorTypes = map[string]func(Exception) error{
	"PyroError":              func(e Exception) error { return &PyroError{e} },
	"URIError":               func(e Exception) error { return &URIError{e} },
	"DaemonError":            func(e Exception) error { return &DaemonError{e} },
	"ProtocolError":          func(e Exception) error { return &ProtocolError{e} },
	"ConnectionClosedError":  func(e Exception) error { return &ConnectionClosedError{e} },
	"ConnectionDeniedError":  func(e Exception) error { return &ConnectionDeniedError{e} },
	"TimeoutError":           func(e Exception) error { return &TimeoutError{e} },
	"NamingError":            func(e Exception) error { return &NamingError{e} },
	"NoModuleError":          func(e Exception) error { return &NoModuleError{e} },
	"_InternalNoModuleError": func(e Exception) error { return &InternalNoModuleError{e} },
}

// setTyped stores e as the Go type of Pyro error class name if target points
// to a variable of that type.
func setTyped(name string, e *Exception, target any) bool {
	switch t := target.(type) {
	case **PyroError:
		if name == "PyroError" {
			*t = &PyroError{*e}
			return true
		}
	case **URIError:
		if name == "URIError" {
			*t = &URIError{*e}
			return true
		}
	case **DaemonError:
		if name == "DaemonError" {
			*t = &DaemonError{*e}
			return true
		}
	case **ProtocolError:
		if name == "ProtocolError" {
			*t = &ProtocolError{*e}
			return true
		}
	case **ConnectionClosedError:
		if name == "ConnectionClosedError" {
			*t = &ConnectionClosedError{*e}
			return true
		}
	case **ConnectionDeniedError:
		if name == "ConnectionDeniedError" {
			*t = &ConnectionDeniedError{*e}
			return true
		}
	case **TimeoutError:
		if name == "TimeoutError" {
			*t = &TimeoutError{*e}
			return true
		}
	case **NamingError:
		if name == "NamingError" {
			*t = &NamingError{*e}
			return true
		}
	case **NoModuleError:
		if name == "NoModuleError" {
			*t = &NoModuleError{*e}
			return true
		}
	case **InternalNoModuleError:
		if name == "_InternalNoModuleError" {
			*t = &InternalNoModuleError{*e}
			return true
		}
	}
	return false
}

// strList is a list of Python 2 str.
func strList(ss []string) *pickle.List {
	items := make([]any, len(ss))
	for i, s := range ss {
		items[i] = pickle.ByteString(s)
	}
	return &pickle.List{Items: items}
}

// stringList reads a list of str or unicode values.
func stringList(v any) ([]string, bool) {
	l, ok := v.(*pickle.List)
	if !ok {
		return nil, false
	}
	ss := make([]string, len(l.Items))
	for i, it := range l.Items {
		if ss[i], ok = pickle.Text(it); !ok {
			return nil, false
		}
	}
	return ss, true
}
