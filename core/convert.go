package core

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/gopyro/gopyro/pickle"
)

// Arguments are bound by package pickle's conversion engine (pickle.Assign,
// pickle.AssignKeywords and the field rule of pickle.Field), the one that
// also fills Go destinations from results; core adds the *Proxy converter
// below and words binding errors as Python's TypeError.

func init() {
	pickle.RegisterConverter(func(v any) (*Proxy, error) { return proxyFromValue(v) })
}

// ArgumentError reports a decoded Python value that does not fit the Go type
// of a parameter. It becomes a Python TypeError when returned to a remote
// caller.
type ArgumentError struct {
	Index int    // 0-based parameter position, -1 for a keyword argument
	Name  string // keyword name, or ""
	Err   *pickle.AssignError
}

func (e *ArgumentError) Error() string {
	var b strings.Builder
	switch {
	case e.Name != "":
		b.WriteString("keyword argument '" + e.Name + "'")
	case e.Index >= 0:
		fmt.Fprintf(&b, "argument %d", e.Index+1)
	default:
		b.WriteString("value")
	}
	b.WriteString(": cannot use " + e.Err.Got + " as ")
	if e.Err.Want != nil {
		b.WriteString(e.Err.Want.String())
	}
	if e.Err.Path != "" {
		b.WriteString(" at " + e.Err.Path)
	}
	switch {
	case errors.Is(e.Err, pickle.ErrOverflow):
		b.WriteString(" (out of range)")
	case e.Err.Err != nil:
		b.WriteString(" (" + e.Err.Err.Error() + ")")
	}
	return b.String()
}

func (e *ArgumentError) Unwrap() error { return e.Err }

var anyType = reflect.TypeFor[any]()

// bindArg converts the decoded argument v to a value of parameter type t.
func bindArg(v any, t reflect.Type) (reflect.Value, error) {
	if t == anyType {
		if v == nil {
			return reflect.Zero(t), nil
		}
		return reflect.ValueOf(v), nil
	}
	if v != nil && reflect.TypeOf(v) == t {
		return reflect.ValueOf(v), nil
	}
	p := reflect.New(t)
	if err := pickle.Assign(p.Interface(), v); err != nil {
		return reflect.Value{}, err
	}
	return p.Elem(), nil
}

// argumentError words a binding error of argument i (or of keyword name).
func argumentError(err error, i int, name string) error {
	var ae *pickle.AssignError
	if !errors.As(err, &ae) {
		return err
	}
	if name != "" {
		cp := *ae
		cp.Path = strings.TrimPrefix(cp.Path, "."+name)
		ae, i = &cp, -1
	}
	return &ArgumentError{Index: i, Name: name, Err: ae}
}
