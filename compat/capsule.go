package compat

import (
	"fmt"

	"github.com/gopyro/gopyro/pickle"
)

// Capsule is Pyro.errors.PyroExceptionCapsule, the body of every error
// reply: an old-style instance (OBJ, or INST at protocol 0) whose state is
// {'excObj': exception, 'args': traceback}.
type Capsule struct {
	// Exc is the exception: *Exception, a typed Pyro error, or for a class
	// that is not registered (a user exception) the *pickle.Object.
	Exc any
	// Traceback is the server-side traceback: nil for None (errors of the
	// protocol layer), []string for the usual list of str lines, or any
	// other decoded value as it came (a pickle.ByteString from callback
	// objects, say). []string is written as a list of str.
	Traceback any
}

var capsuleClass = pickle.Class{Module: pyroErrors, Name: "PyroExceptionCapsule"}

// PickleObject returns the old-style instance Pyro sends.
func (c *Capsule) PickleObject() (*pickle.Object, error) {
	if c.Exc == nil {
		return nil, fmt.Errorf("compat: capsule without an exception")
	}
	tb := c.Traceback
	switch t := tb.(type) {
	case nil:
		tb = pickle.None{}
	case []string:
		tb = strList(t)
	}
	return &pickle.Object{
		Class: capsuleClass, Build: pickle.BuildOldStyle, Args: pickle.Tuple{},
		State: &capsuleState{Exc: c.Exc, Args: tb},
	}, nil
}

// capsuleState is the capsule's __dict__, in the order cPickle writes it.
type capsuleState struct {
	Exc  any `pyro:"excObj"`
	Args any `pyro:"args"`
}

// TracebackLines returns the traceback as lines of text (nil when there is
// none), whatever form it came in.
func (c *Capsule) TracebackLines() []string {
	switch t := c.Traceback.(type) {
	case []string:
		return t
	case *pickle.List:
		lines := make([]string, 0, len(t.Items))
		for _, it := range t.Items {
			lines = append(lines, Str(it))
		}
		return lines
	case nil, pickle.None:
		return nil
	default:
		return []string{Str(t)}
	}
}

// Err returns the capsule's exception as a Go error, as a Pyro client raises
// it: a typed Pyro error when the class is one, else *Exception (unknown
// exception classes are converted with AsException), with Traceback set to
// the remote traceback. A capsule holding something that is not an exception
// gives an *Exception of its Python class.
func (c *Capsule) Err() error {
	e, ok := AsException(c.Exc)
	if !ok {
		cls := pickle.Class{Module: "exceptions", Name: "Exception"}
		if o, isObj := c.Exc.(*pickle.Object); isObj {
			cls = o.Class
		}
		e = &Exception{Class: cls, Args: pickle.Tuple{c.Exc}}
	} else {
		cp := *e
		e = &cp
	}
	e.Traceback = c.TracebackLines()
	return e.Typed()
}

func decodeCapsule(o *pickle.Object) (any, error) {
	if o.Build != pickle.BuildOldStyle {
		return o, nil
	}
	st, ok := dictState(o, 2)
	if !ok {
		return o, nil
	}
	exc, ok1 := st.get("excObj")
	tb, ok2 := st.get("args")
	if !ok1 || !ok2 {
		return o, nil
	}
	c := &Capsule{Exc: exc}
	switch t := tb.(type) {
	case pickle.None:
	case *pickle.List:
		if lines, isStr := byteStringList(t); isStr {
			c.Traceback = lines
		} else {
			c.Traceback = t
		}
	default:
		c.Traceback = t
	}
	return c, nil
}

// byteStringList reads a list whose items are all Python 2 str.
func byteStringList(l *pickle.List) ([]string, bool) {
	ss := make([]string, len(l.Items))
	for i, it := range l.Items {
		b, ok := it.(pickle.ByteString)
		if !ok {
			return nil, false
		}
		ss[i] = string(b)
	}
	return ss, true
}
