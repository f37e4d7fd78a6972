package compat

import (
	"reflect"
	"strings"

	"github.com/gopyro/gopyro/pickle"
)

// Exception is a Python exception instance: its class, its args and the
// instance attributes that Python 2's BaseException.__reduce__ carries as a
// BUILD state. It is what an error reply's capsule holds, and it pickles the
// way Python 2 pickles exceptions: GLOBAL module name, the args tuple, REDUCE,
// then BUILD with Attrs when Attrs is not empty.
//
// Built-in exceptions live in module "exceptions", Pyro's in "Pyro.errors".
// The typed Pyro errors (*NamingError, ...) embed Exception.
type Exception struct {
	Class pickle.Class
	Args  pickle.Tuple
	// Attrs is the instance __dict__ (BUILD state); the zero Dict means none.
	Attrs pickle.Dict
	// Traceback is the remote traceback (Python's remote_stacktrace) when
	// the exception came in an error reply: traceback.format_exception
	// lines, each possibly holding several newline-separated lines.
	Traceback []string
}

// NewException returns an exception of the class module.name with the given
// args. Go values are normalised to the pickle value model: string becomes
// a Python 2 str (pickle.ByteString), Go ints int64, float32 float64, nil None.
// To pass a unicode string build the Exception literally.
func NewException(module, name string, args ...any) *Exception {
	return &Exception{Class: pickle.Class{Module: module, Name: name}, Args: normalizeArgs(args)}
}

var int64Type = reflect.TypeFor[int64]()

func normalizeArgs(args []any) pickle.Tuple {
	t := make(pickle.Tuple, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case nil:
			t[i] = pickle.None{}
		case string:
			t[i] = pickle.ByteString(v)
		case int, int8, int16, int32, uint8, uint16, uint32: // each fits an int64
			t[i] = reflect.ValueOf(v).Convert(int64Type).Int()
		case float32:
			t[i] = float64(v)
		default:
			t[i] = a
		}
	}
	return t
}

// Message returns what Python 2's str(exc) gives: "" without args, str of
// the single arg, the tuple repr for several; KeyError shows its single arg's
// repr and EnvironmentError-style errors "[Errno n] text".
func (e *Exception) Message() string {
	switch len(e.Args) {
	case 0:
		return ""
	case 1:
		if e.Class.Name == "KeyError" {
			return Repr(e.Args[0])
		}
		return Str(e.Args[0])
	}
	switch e.Class.Name {
	case "EnvironmentError", "IOError", "OSError", "WindowsError":
		switch len(e.Args) {
		case 2:
			return "[Errno " + Str(e.Args[0]) + "] " + Str(e.Args[1])
		case 3:
			return "[Errno " + Str(e.Args[0]) + "] " + Str(e.Args[1]) + ": " + Repr(e.Args[2])
		}
	}
	return Repr(e.Args)
}

// Error returns "Class: message" (just "Class" without a message), the last
// line of a Python traceback for the exception.
func (e *Exception) Error() string {
	if m := e.Message(); m != "" {
		return e.Class.Name + ": " + m
	}
	return e.Class.Name
}

// Attr returns an instance attribute from Attrs.
func (e *Exception) Attr(name string) (any, bool) {
	if e.Attrs.Len() == 0 {
		return nil, false
	}
	return e.Attrs.Get_(name)
}

// PickleObject returns the REDUCE form Python 2 uses for exceptions.
func (e *Exception) PickleObject() (*pickle.Object, error) {
	o := &pickle.Object{Class: e.Class, Build: pickle.BuildReduce, Args: e.Args}
	if o.Args == nil {
		o.Args = pickle.Tuple{}
	}
	if e.Attrs.Len() > 0 {
		o.State = e.Attrs
	}
	return o, nil
}

// As lets errors.As find the Pyro error types an exception is an instance of
// through its generation's class hierarchy: a Pyro 3 *TimeoutError is also
// a *ConnectionClosedError, a *ProtocolError and a *PyroError, a Pyro 5
// *TimeoutError a *CommunicationError and a *PyroError, and any exception
// is an *Exception. Only the classes of Pyro.errors, Pyro4.errors and
// Pyro5.errors have Go types; the hierarchy of other classes is not known.
func (e *Exception) As(target any) bool {
	if t, ok := target.(**Exception); ok {
		*t = e
		return true
	}
	h := errorHierarchy(e.Class.Module)
	if _, known := h[e.Class.Name]; !known {
		return false
	}
	for name := e.Class.Name; name != ""; name = h[name] {
		if setTyped(name, e, target) {
			return true
		}
	}
	return false
}

// Typed returns e as the Go type of its class when it is a Pyro error of
// any generation (*NamingError, ...), else e itself.
func (e *Exception) Typed() error {
	if _, known := errorHierarchy(e.Class.Module)[e.Class.Name]; known {
		return pyroErrorTypes[e.Class.Name](*e)
	}
	return e
}

// AsException returns the exception that a decoded value is: an *Exception
// or a typed Pyro error as such, or a *pickle.Object of an unregistered
// class (a user exception) built through REDUCE or as an old-style instance,
// whose constructor args become Args and whose state dict becomes Attrs.
// ok is false for anything else.
func AsException(v any) (*Exception, bool) {
	switch x := v.(type) {
	case *Exception:
		return x, x != nil
	case interface{ exception() *Exception }:
		e := x.exception()
		return e, e != nil
	case *pickle.Object:
		if x == nil || (x.Build != pickle.BuildReduce && x.Build != pickle.BuildOldStyle) ||
			len(x.ListItems) != 0 || len(x.DictItems) != 0 || x.Kwargs != nil {
			return nil, false
		}
		e := &Exception{Class: x.Class, Args: x.Args}
		if e.Args == nil {
			e.Args = pickle.Tuple{}
		}
		switch st := x.State.(type) {
		case nil, pickle.None:
		case pickle.Dict:
			e.Attrs = st
		default:
			return nil, false
		}
		return e, true
	}
	return nil, false
}

func (e *Exception) exception() *Exception { return e }

// decodeException builds an Exception from the generic form of a registered
// exception class; ok is false when it is not shaped like one.
func decodeException(o *pickle.Object) (*Exception, bool) {
	if o.Build != pickle.BuildReduce {
		return nil, false
	}
	return AsException(o)
}

// Str is Python 2's str() of a decoded value, what print shows: the text of
// str and unicode values, floats with 12 significant digits (FloatStr), Repr
// for everything else (containers show their items' repr, as in Python).
func Str(v any) string {
	switch x := v.(type) {
	case pickle.ByteString:
		return string(x)
	case string:
		return x
	case float64:
		return FloatStr(x)
	case error:
		return x.Error()
	}
	return Repr(v)
}

// The Python 2 built-in exception classes (module exceptions).
var builtinExceptions = []string{
	"ArithmeticError", "AssertionError", "AttributeError", "BaseException", "BufferError",
	"BytesWarning", "DeprecationWarning", "EOFError", "EnvironmentError", "Exception",
	"FloatingPointError", "FutureWarning", "GeneratorExit", "IOError", "ImportError",
	"ImportWarning", "IndentationError", "IndexError", "KeyError", "KeyboardInterrupt",
	"LookupError", "MemoryError", "NameError", "NotImplementedError", "OSError",
	"OverflowError", "PendingDeprecationWarning", "ReferenceError", "RuntimeError",
	"RuntimeWarning", "StandardError", "StopIteration", "SyntaxError", "SyntaxWarning",
	"SystemError", "SystemExit", "TabError", "TypeError", "UnboundLocalError",
	"UnicodeDecodeError", "UnicodeEncodeError", "UnicodeError", "UnicodeTranslateError",
	"UnicodeWarning", "UserWarning", "ValueError", "Warning", "ZeroDivisionError",
}

func builtin(name string, args []any) *Exception { return NewException("exceptions", name, args...) }

// Constructors for the Python 2 built-in exceptions most often raised.
// Arguments are normalised as in NewException.

// ValueError returns an exceptions.ValueError.
func ValueError(args ...any) *Exception { return builtin("ValueError", args) }

// KeyError returns an exceptions.KeyError.
func KeyError(args ...any) *Exception { return builtin("KeyError", args) }

// TypeError returns an exceptions.TypeError.
func TypeError(args ...any) *Exception { return builtin("TypeError", args) }

// AttributeError returns an exceptions.AttributeError.
func AttributeError(args ...any) *Exception { return builtin("AttributeError", args) }

// IndexError returns an exceptions.IndexError.
func IndexError(args ...any) *Exception { return builtin("IndexError", args) }

// ZeroDivisionError returns an exceptions.ZeroDivisionError.
func ZeroDivisionError(args ...any) *Exception { return builtin("ZeroDivisionError", args) }

// RuntimeError returns an exceptions.RuntimeError.
func RuntimeError(args ...any) *Exception { return builtin("RuntimeError", args) }

// NotImplementedError returns an exceptions.NotImplementedError.
func NotImplementedError(args ...any) *Exception { return builtin("NotImplementedError", args) }

// IOError returns an exceptions.IOError.
func IOError(args ...any) *Exception { return builtin("IOError", args) }

// OSError returns an exceptions.OSError.
func OSError(args ...any) *Exception { return builtin("OSError", args) }

// LookupError returns an exceptions.LookupError.
func LookupError(args ...any) *Exception { return builtin("LookupError", args) }

// ArithmeticError returns an exceptions.ArithmeticError.
func ArithmeticError(args ...any) *Exception { return builtin("ArithmeticError", args) }

// AssertionError returns an exceptions.AssertionError.
func AssertionError(args ...any) *Exception { return builtin("AssertionError", args) }

// NameError returns an exceptions.NameError.
func NameError(args ...any) *Exception { return builtin("NameError", args) }

// PyException returns an exceptions.Exception (Python's Exception class).
func PyException(args ...any) *Exception { return builtin("Exception", args) }

// StandardError returns an exceptions.StandardError.
func StandardError(args ...any) *Exception { return builtin("StandardError", args) }

// className is "module.name", Python's way of naming a class in messages.
func className(c pickle.Class) string {
	if c.Module == "" {
		return c.Name
	}
	return strings.Join([]string{c.Module, c.Name}, ".")
}
