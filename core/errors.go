package core

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
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
// reaches a Pyro 3 caller as exceptions.RuntimeError("panic: <value>").
type PanicError struct {
	Value any
	Stack []string // traceback lines of the panicking goroutine, Python style
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// frames returns the traceback entries of err in Python's format, one per
// Go frame: for a panic the panicking stack, for an error returned by a
// bound Go method that method, else none. A protocol puts them in the
// remote traceback it sends.
func frames(err error) []string {
	var pe *PanicError
	var me *methodError
	switch {
	case errors.As(err, &pe):
		return pe.Stack
	case errors.As(err, &me) && me.m.file != "":
		return []string{frameLine(me.m.file, me.m.line, me.m.fnName)}
	}
	return nil
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
