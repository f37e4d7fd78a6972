package compat

import (
	"reflect"

	"github.com/gopyro/gopyro/pickle"
)

const pyroErrors = "Pyro.errors"

// The exception hierarchies, class → base class ("" for PyroError, the
// root): Pyro 3's (Pyro/errors.py), and Pyro 4's and Pyro 5's, which are
// the same (Pyro4/errors.py, Pyro5/errors.py). A class of either has one
// Go type: a Pyro 5 NamingError is a *NamingError as a Pyro 3 one is, and
// Class.Module tells the generation.
var (
	pyro3ErrorParent = map[string]string{
		"PyroError":              "",
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
	pyro45ErrorParent = map[string]string{
		"PyroError":             "",
		"CommunicationError":    "PyroError",
		"ConnectionClosedError": "CommunicationError",
		"TimeoutError":          "CommunicationError",
		"ProtocolError":         "CommunicationError",
		"MessageTooLargeError":  "ProtocolError",
		"NamingError":           "PyroError",
		"DaemonError":           "PyroError",
		"SecurityError":         "PyroError",
		"SerializeError":        "ProtocolError",
	}
)

// errorHierarchy is the hierarchy of the Pyro errors of module, nil for
// other modules (whose hierarchy is not known).
func errorHierarchy(module string) map[string]string {
	switch module {
	case pyroErrors:
		return pyro3ErrorParent
	case "Pyro4.errors", "Pyro5.errors":
		return pyro45ErrorParent
	}
	return nil
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

// CommunicationError is Pyro4.errors and Pyro5.errors.CommunicationError,
// the base of their connection and protocol errors (Pyro 4 and 5 only).
type CommunicationError struct{ Exception }

// MessageTooLargeError is Pyro4.errors and
// Pyro5.errors.MessageTooLargeError, a ProtocolError: a message above
// MAX_MESSAGE_SIZE (Pyro 4 and 5 only).
type MessageTooLargeError struct{ Exception }

// SecurityError is Pyro4.errors and Pyro5.errors.SecurityError: a refused
// serializer or class (Pyro 4 and 5 only).
type SecurityError struct{ Exception }

// SerializeError is Pyro4.errors and Pyro5.errors.SerializeError, a
// ProtocolError: a value that cannot be serialized or deserialized (Pyro 4
// and 5 only).
type SerializeError struct{ Exception }

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

// pyroErrorTypes makes the Go type of a Pyro error class, of any
// generation.
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
	"CommunicationError":     func(e Exception) error { return &CommunicationError{e} },
	"MessageTooLargeError":   func(e Exception) error { return &MessageTooLargeError{e} },
	"SecurityError":          func(e Exception) error { return &SecurityError{e} },
	"SerializeError":         func(e Exception) error { return &SerializeError{e} },
}

// setTyped stores e as the Go type of Pyro error class name if target points
// to a variable of that type.
func setTyped(name string, e *Exception, target any) bool {
	mk, ok := pyroErrorTypes[name]
	if !ok {
		return false
	}
	typed := reflect.ValueOf(mk(*e))
	dst := reflect.ValueOf(target).Elem()
	if dst.Type() != typed.Type() {
		return false
	}
	dst.Set(typed)
	return true
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
