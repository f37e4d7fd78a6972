package core

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync"

	"github.com/gopyro/gopyro/pickle"
)

// Call is one remote method invocation, with Pyro's request flags already
// applied: Args are the positional arguments (varargs expanded), Kwargs the
// keyword arguments (nil when there are none).
type Call struct {
	Method string
	Args   []any
	Kwargs map[string]any
	Oneway bool
}

// Invoker is implemented by objects that dispatch calls themselves instead of
// having their exported methods bound by reflection. An object connected to a
// Daemon that implements Invoker receives every call, including the remote
// attribute methods _r_ha, _r_ga and _r_sa unless it is an AttrInvoker.
//
// A nil result is returned to the caller as None; several results should be
// returned as a pickle.Tuple. A returned error becomes a Python exception
// (see ToException). The daemon reuses c after Invoke returns: keep c.Args
// or c.Kwargs if needed, not c itself.
type Invoker interface {
	Invoke(ctx context.Context, c *Call) (any, error)
}

// InvokerFunc adapts a function to the Invoker interface.
type InvokerFunc func(ctx context.Context, c *Call) (any, error)

// Invoke calls f(ctx, c).
func (f InvokerFunc) Invoke(ctx context.Context, c *Call) (any, error) { return f(ctx, c) }

// Namer is implemented by objects that choose the remote names of their
// methods themselves. PyroNames maps Go method names to the Python name they
// are called by; a mapped method is then reachable under that name and its
// Go name, no longer under its automatic Python-style name. Mapping a method
// to "-" hides it.
type Namer interface {
	PyroNames() map[string]string
}

// Kwargs is the type of a final method parameter that receives the keyword
// arguments of a call, like Python's **kwargs:
//
//	func (s *Svc) Format(msg string, kw core.Kwargs) string
type Kwargs map[string]any

// Keywords marks a struct as a keyword-options struct: a method whose final
// parameter is such a struct (or a pointer to one) receives the call's
// keyword arguments in its fields, matched by the rule of pickle.Field
// (`pyro:"name"` tag, else Go name, else ignoring case and underscores, so
// that max_count fills MaxCount). Unknown keywords are a TypeError.
//
//	type FindOptions struct {
//		core.Keywords
//		Limit int  `pyro:"limit"`
//		Exact bool `pyro:"exact"`
//	}
//	func (s *Svc) Find(pattern string, opt FindOptions) []string
type Keywords struct{}

var (
	ctxType      = reflect.TypeFor[context.Context]()
	errType      = reflect.TypeFor[error]()
	kwargsType   = reflect.TypeFor[Kwargs]()
	keywordsType = reflect.TypeFor[Keywords]()
)

type kwKind uint8

const (
	kwNone kwKind = iota
	kwMap
	kwStruct
	kwStructPtr
)

// method is the precomputed call description of one exported Go method.
type method struct {
	name    string // Go name
	fn      reflect.Value
	ctx     bool           // first parameter (after the receiver) is context.Context
	params  []reflect.Type // positional parameters (without ctx, kwargs; variadic slice last)
	vararg  reflect.Type   // element type of ...T, or nil
	kw      kwKind
	kwType  reflect.Type // struct type for kwStruct / kwStructPtr
	nout    int          // results without a trailing error
	errLast bool
	file    string
	line    int
	fnName  string
}

// methodTable is the per-type dispatch table: remote name → method.
type methodTable struct {
	typ     reflect.Type
	methods map[string]*method
	// structType is the struct whose fields are remote attributes, when the
	// object is a struct or a pointer to one.
	structType reflect.Type
	isPtr      bool
}

var tableCache sync.Map // reflect.Type → *methodTable

// tableFor returns the dispatch table of obj's type, building it once.
func tableFor(obj any) *methodTable {
	t := reflect.TypeOf(obj)
	if mt, ok := tableCache.Load(t); ok {
		return mt.(*methodTable)
	}
	mt := buildTable(t, obj)
	actual, _ := tableCache.LoadOrStore(t, mt)
	return actual.(*methodTable)
}

func buildTable(t reflect.Type, obj any) *methodTable {
	mt := &methodTable{typ: t, methods: map[string]*method{}}
	var overrides map[string]string
	if n, ok := obj.(Namer); ok {
		overrides = n.PyroNames()
	}
	_, locker := obj.(sync.Locker)
	for i := 0; i < t.NumMethod(); i++ {
		m := t.Method(i)
		if !m.IsExported() || m.Name == "PyroNames" || locker && (m.Name == "Lock" || m.Name == "Unlock") {
			continue
		}
		desc := describe(m)
		if py, ok := overrides[m.Name]; ok {
			if py == "-" {
				continue
			}
			mt.methods[py] = desc
			mt.methods[m.Name] = desc
			continue
		}
		mt.methods[m.Name] = desc
		if py := PythonName(m.Name); py != m.Name {
			if _, taken := mt.methods[py]; !taken {
				mt.methods[py] = desc
			}
		}
	}
	st := t
	if st.Kind() == reflect.Pointer {
		st = st.Elem()
		mt.isPtr = true
	}
	if st.Kind() == reflect.Struct {
		mt.structType = st
	}
	return mt
}

func describe(m reflect.Method) *method {
	ft := m.Type // includes the receiver
	d := &method{name: m.Name, fn: m.Func}
	in := make([]reflect.Type, 0, ft.NumIn()-1)
	for i := 1; i < ft.NumIn(); i++ {
		in = append(in, ft.In(i))
	}
	if len(in) > 0 && in[0] == ctxType {
		d.ctx = true
		in = in[1:]
	}
	if ft.IsVariadic() {
		d.vararg = in[len(in)-1].Elem()
		in = in[:len(in)-1]
	}
	// Keyword arguments go to the last parameter (before ...T, as Python's
	// def f(a, *args, **kw) becomes F(a int, kw Kwargs, args ...any)).
	if n := len(in); n > 0 {
		last := in[n-1]
		switch {
		case last == kwargsType:
			d.kw = kwMap
			in = in[:n-1]
		case isKeywordsStruct(last):
			d.kw, d.kwType = kwStruct, last
			in = in[:n-1]
		case last.Kind() == reflect.Pointer && isKeywordsStruct(last.Elem()):
			d.kw, d.kwType = kwStructPtr, last.Elem()
			in = in[:n-1]
		}
	}
	d.params = in
	d.nout = ft.NumOut()
	if d.nout > 0 && ft.Out(d.nout-1) == errType {
		d.errLast = true
		d.nout--
	}
	if f := runtime.FuncForPC(m.Func.Pointer()); f != nil {
		d.fnName = f.Name()
		d.file, d.line = f.FileLine(f.Entry())
	}
	return d
}

func isKeywordsStruct(t reflect.Type) bool {
	if t.Kind() != reflect.Struct {
		return false
	}
	for i := 0; i < t.NumField(); i++ {
		if f := t.Field(i); f.Anonymous && f.Type == keywordsType {
			return true
		}
	}
	return false
}

// call binds c's arguments to m's parameters and calls it on recv.
func (m *method) call(ctx context.Context, recv reflect.Value, c *Call, pyName string) (any, error) {
	nfixed := len(m.params)
	if len(c.Args) < nfixed || (m.vararg == nil && len(c.Args) > nfixed) {
		return nil, typeErrorf("%s() takes %s %d argument%s (%d given)", pyName,
			argQualifier(m.vararg != nil), nfixed, plural(nfixed), len(c.Args))
	}
	if len(c.Kwargs) > 0 && m.kw == kwNone {
		for k := range c.Kwargs {
			return nil, typeErrorf("%s() got an unexpected keyword argument '%s'", pyName, k)
		}
	}
	var inBuf [8]reflect.Value
	in := inBuf[:0]
	in = append(in, recv)
	if m.ctx {
		in = append(in, reflect.ValueOf(ctx))
	}
	for i, t := range m.params {
		v, err := bindArg(c.Args[i], t)
		if err != nil {
			return nil, typeErrorf("%s(): %v", pyName, argumentError(err, i, ""))
		}
		in = append(in, v)
	}
	switch m.kw {
	case kwMap:
		kw := Kwargs(c.Kwargs)
		if kw == nil {
			kw = Kwargs{}
		}
		in = append(in, reflect.ValueOf(kw))
	case kwStruct, kwStructPtr:
		sv := reflect.New(m.kwType)
		if err := pickle.AssignKeywords(sv.Interface(), c.Kwargs); err != nil {
			var ae *pickle.AssignError
			if errors.As(err, &ae) && errors.Is(err, pickle.ErrUnknownField) {
				return nil, typeErrorf("%s() got an unexpected keyword argument '%s'", pyName, strings.TrimPrefix(ae.Path, "."))
			}
			name := ""
			if ae != nil {
				name, _, _ = strings.Cut(strings.TrimPrefix(ae.Path, "."), ".")
				name, _, _ = strings.Cut(name, "[")
			}
			return nil, typeErrorf("%s(): %v", pyName, argumentError(err, -1, name))
		}
		if m.kw == kwStruct {
			in = append(in, sv.Elem())
		} else {
			in = append(in, sv)
		}
	}
	for i := nfixed; i < len(c.Args); i++ {
		v, err := bindArg(c.Args[i], m.vararg)
		if err != nil {
			return nil, typeErrorf("%s(): %v", pyName, argumentError(err, i, ""))
		}
		in = append(in, v)
	}
	out := m.fn.Call(in)
	if m.errLast {
		if e := out[len(out)-1]; !e.IsNil() {
			return nil, &methodError{err: e.Interface().(error), m: m}
		}
		out = out[:len(out)-1]
	}
	switch len(out) {
	case 0:
		return nil, nil
	case 1:
		return out[0].Interface(), nil
	}
	t := make(pickle.Tuple, len(out))
	for i, o := range out {
		t[i] = o.Interface()
	}
	return t, nil
}

func argQualifier(variadic bool) string {
	if variadic {
		return "at least"
	}
	return "exactly"
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// methodError is an error returned by a bound Go method; it remembers the
// method so the traceback can point at it.
type methodError struct {
	err error
	m   *method
}

func (e *methodError) Error() string { return e.err.Error() }
func (e *methodError) Unwrap() error { return e.err }

// typeError is an argument binding failure: Python TypeError.
type typeError struct{ msg string }

func (e *typeError) Error() string { return e.msg }

func typeErrorf(format string, args ...any) error {
	return &typeError{msg: fmt.Sprintf(format, args...)}
}

// attributeError is a missing method or attribute: Python AttributeError.
type attributeError struct{ msg string }

func (e *attributeError) Error() string { return e.msg }
