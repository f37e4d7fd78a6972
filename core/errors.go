package core

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/gopyro/gopyro/compat"
)

// Sentinel errors of package core; match them with errors.Is.
var (
	// ErrClosed is returned by calls on a closed Proxy or a Daemon that has
	// been shut down.
	ErrClosed = errors.New("core: closed")
	// ErrNotRegistered is returned by Disconnect and URIFor for an object
	// the Daemon does not know.
	ErrNotRegistered = errors.New("core: object not registered")
	// ErrNoResolver is returned for a PYRONAME URI when no Resolver is set
	// (see DefaultResolver: importing package ns sets one).
	ErrNoResolver = errors.New("core: no name server resolver for PYRONAME (import package ns or call SetDefaultResolver)")
)

// PanicError is the error a recovered panic in a remote method becomes. It
// reaches the Python caller as exceptions.RuntimeError("panic: <value>").
type PanicError struct {
	Value any
	Stack []string // traceback lines of the panicking goroutine, Python style
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// ToException converts an error returned by a Go method into the Python
// exception the remote caller receives:
//
//   - a *compat.Exception or a typed Pyro error (*compat.NamingError, ...),
//     also wrapped with %w, passes as itself;
//   - wrong arguments become exceptions.TypeError, unknown methods and
//     attributes exceptions.AttributeError, with Pyro's texts;
//   - every other error, and a recovered panic, becomes
//     exceptions.RuntimeError(err.Error()): RuntimeError exists in every
//     Python 2 and 3 and is what Python code raises for "an error that fits
//     no other category".
func ToException(err error) *compat.Exception {
	var ex *compat.Exception
	if errors.As(err, &ex) {
		return ex
	}
	var te *typeError
	if errors.As(err, &te) {
		return compat.TypeError(te.msg)
	}
	var ae *attributeError
	if errors.As(err, &ae) {
		return compat.AttributeError(ae.msg)
	}
	return compat.RuntimeError(err.Error())
}

// traceback formats the Python-style traceback list for err, which the
// server puts in the error capsule: a header, one entry per Go frame (for
// panics the panicking stack, else the method that returned the error), and
// the final "Class: message" line.
func traceback(err error, ex *compat.Exception) []string {
	tb := []string{"Traceback (most recent call last):\n"}
	var pe *PanicError
	var me *methodError
	switch {
	case errors.As(err, &pe):
		tb = append(tb, pe.Stack...)
	case errors.As(err, &me) && me.m.file != "":
		tb = append(tb, frameLine(me.m.file, me.m.line, me.m.fnName))
	}
	return append(tb, lastLine(ex))
}

func lastLine(ex *compat.Exception) string {
	msg := ex.Message()
	if msg == "" {
		return ex.Class.Name + "\n"
	}
	return ex.Class.Name + ": " + msg + "\n"
}

func frameLine(file string, line int, fn string) string {
	return fmt.Sprintf("  File \"%s\", line %d, in %s\n", filepath.ToSlash(file), line, fn)
}

// panicStack formats the stack of the goroutine that panicked, called from
// the deferred recover: outermost call first, as Python prints, without the
// runtime's own frames and without the daemon's dispatch frames below the
// user's method.
func panicStack(skip int) []string {
	pcs := make([]uintptr, 64)
	n := runtime.Callers(skip, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	var lines []string
	for {
		f, more := frames.Next()
		if strings.HasPrefix(f.Function, "runtime.") {
			if !more {
				break
			}
			continue
		}
		if isDispatchFrame(f.Function) {
			break
		}
		lines = append(lines, frameLine(f.File, f.Line, f.Function))
		if !more {
			break
		}
	}
	// Python lists the most recent call last.
	for i, j := 0, len(lines)-1; i < j; i, j = i+1, j-1 {
		lines[i], lines[j] = lines[j], lines[i]
	}
	return lines
}

// isDispatchFrame reports whether fn is where the daemon's dispatch calls
// into user code; frames from there on are not the user's.
func isDispatchFrame(fn string) bool {
	const pkg = "github.com/gopyro/gopyro/core."
	return strings.HasPrefix(fn, "reflect.") ||
		strings.HasPrefix(fn, pkg+"(*method).") ||
		strings.HasPrefix(fn, pkg+"(*object).")
}
