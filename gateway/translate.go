package gateway

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/pickle"
)

// StrRule says what a Python 2 str (pickle.ByteString) becomes for a
// Python 3 peer, which has no type that is both text and bytes.
type StrRule uint8

const (
	// StrAuto makes a str that is valid UTF-8 a Python 3 str and any other
	// str bytes: Python 2 code keeps its text in str, and binary data is
	// rarely valid UTF-8. It is the default.
	StrAuto StrRule = iota
	// StrBytes makes every str bytes, as pickle does with Python 3's
	// encoding='bytes'.
	StrBytes
	// StrLatin1 makes every str text, each byte one character (Latin-1),
	// as pickle does with encoding='latin1': nothing fails and the bytes
	// come back with .encode('latin1').
	StrLatin1
)

// TextRule says what a Python 3 str becomes for a Python 2 peer.
type TextRule uint8

const (
	// TextAuto makes pure ASCII text a str and other text unicode: most
	// Python 2 code expects str, and ASCII str and unicode compare and hash
	// equal there. It is the default.
	TextAuto TextRule = iota
	// TextUnicode makes all text unicode, as Python 2's serpent and json
	// read it.
	TextUnicode
	// TextUTF8 makes all text a str holding its UTF-8 encoding.
	TextUTF8
)

// ParseStrRule reads a StrRule by its name: auto, bytes or latin1.
func ParseStrRule(s string) (StrRule, error) {
	switch s {
	case "auto":
		return StrAuto, nil
	case "bytes":
		return StrBytes, nil
	case "latin1":
		return StrLatin1, nil
	}
	return 0, fmt.Errorf("gateway: unknown str rule %q (want auto, bytes or latin1)", s)
}

// ParseTextRule reads a TextRule by its name: auto, unicode or utf8.
func ParseTextRule(s string) (TextRule, error) {
	switch s {
	case "auto":
		return TextAuto, nil
	case "unicode":
		return TextUnicode, nil
	case "utf8":
		return TextUTF8, nil
	}
	return 0, fmt.Errorf("gateway: unknown text rule %q (want auto, unicode or utf8)", s)
}

// maxDepth bounds the nesting a translated value may have, as the codecs
// bound what they decode.
const maxDepth = 1000

// ErrTooDeep is returned for a value nested deeper than a translation
// follows.
var ErrTooDeep = errors.New("gateway: value nested too deep to translate")

// translator converts one value from the generation a forwarder's caller
// speaks to the generation of the peer it goes to. Lists are translated
// once each, so shared and self-containing lists stay so.
type translator struct {
	g     *Gateway
	ctx   context.Context
	to    core.Generations // the generation the value goes to
	lists map[*pickle.List]*pickle.List
}

func (g *Gateway) translate(ctx context.Context, to core.Generations, v any) (any, error) {
	t := translator{g: g, ctx: ctx, to: to}
	return t.value(v, 0)
}

func (t *translator) value(v any, depth int) (any, error) {
	if depth > maxDepth {
		return nil, ErrTooDeep
	}
	switch x := v.(type) {
	case string:
		if t.to == core.Pyro3 {
			return t.g.opts.Text.py2(x), nil
		}
		return x, nil
	case pickle.ByteString:
		if t.to == core.Pyro5 {
			return t.g.opts.Str.py3(x), nil
		}
		return x, nil
	case pickle.Bytes:
		if t.to == core.Pyro3 {
			// Python 2 has one byte string type.
			return pickle.ByteString(x), nil
		}
		return x, nil
	case pickle.Tuple:
		out := make(pickle.Tuple, len(x))
		for i, it := range x {
			var err error
			if out[i], err = t.value(it, depth+1); err != nil {
				return nil, err
			}
		}
		return out, nil
	case *pickle.List:
		if x == nil {
			return x, nil
		}
		if seen, ok := t.lists[x]; ok {
			return seen, nil
		}
		if t.lists == nil {
			t.lists = map[*pickle.List]*pickle.List{}
		}
		out := &pickle.List{Items: make([]any, len(x.Items))}
		t.lists[x] = out
		for i, it := range x.Items {
			var err error
			if out.Items[i], err = t.value(it, depth+1); err != nil {
				return nil, err
			}
		}
		return out, nil
	case *pickle.Set:
		if x == nil {
			return x, nil
		}
		items, err := t.items(x.Items, depth)
		return &pickle.Set{Items: items}, err
	case *pickle.FrozenSet:
		if x == nil {
			return x, nil
		}
		items, err := t.items(x.Items, depth)
		return &pickle.FrozenSet{Items: items}, err
	case pickle.Dict:
		return t.dict(x, depth)
	case *pickle.Object:
		return t.object(x, depth)
	case pickle.Class:
		if t.to == core.Pyro5 {
			// Python 3's serializers carry no class references.
			return x.Module + "." + x.Name, nil
		}
		return x, nil
	case compat.URI:
		return t.uri(x)
	case *compat.DynamicProxy:
		return t.proxy(x.URI)
	case *compat.NameServerProxy:
		return t.proxy(x.URI)
	case error:
		// An exception as a value (Pyro 3 decodes Pyro's errors to
		// their Go types).
		ex, err := t.g.exception(t.ctx, t.to, core.ToException(x))
		if err != nil || t.to == core.Pyro3 {
			return ex, err
		}
		return exceptionDict(ex), nil
	}
	return v, nil
}

func (t *translator) items(in []any, depth int) ([]any, error) {
	out := make([]any, len(in))
	for i, it := range in {
		var err error
		if out[i], err = t.value(it, depth+1); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// dict translates a dict, and Pyro 5's class dicts of URIs and proxies
// into what a Pyro 3 peer uses.
func (t *translator) dict(d pickle.Dict, depth int) (any, error) {
	if t.to == core.Pyro3 {
		if cls, ok := d.Get_("__class__"); ok {
			name, _ := pickle.Text(cls)
			st, _ := d.Get_("state")
			state, _ := pickle.Items(st)
			if exc, _ := d.Get_("__exception__"); exc == true {
				return t.exceptionValue(d, name, depth)
			}
			switch {
			case name == "Pyro5.client.Proxy" && len(state) >= 4:
				if s, ok := pickle.Text(state[0]); ok {
					if u, err := compat.ParseURI(s); err == nil {
						return t.proxy5(u, state)
					}
				}
			case name == "Pyro5.core.URI" && len(state) == 5:
				if s, ok := pyro5URIState(state); ok {
					return t.uri(s)
				}
			}
		}
	}
	out := pickle.NewDict()
	for k, v := range pickle.DictItems(d) {
		tk, err := t.value(k, depth+1)
		if err != nil {
			return nil, err
		}
		tv, err := t.value(v, depth+1)
		if err != nil {
			return nil, err
		}
		out.Set(tk, tv)
	}
	return out, nil
}

// exceptionValue is a Pyro 5 exception class dict, sent as a value, as
// the exception for Pyro 3.
func (t *translator) exceptionValue(d pickle.Dict, class string, depth int) (any, error) {
	module, name := "builtins", class
	if i := strings.LastIndexByte(class, '.'); i >= 0 {
		module, name = class[:i], class[i+1:]
	}
	ex := &compat.Exception{Class: pickle.Class{Module: module, Name: name}}
	if args, ok := d.Get_("args"); ok {
		items, _ := pickle.Items(args)
		ex.Args = pickle.Tuple(items)
	}
	if attrs, ok := d.Get_("attributes"); ok {
		if ad, ok := attrs.(pickle.Dict); ok && ad.Len() > 0 {
			ex.Attrs = ad
		}
	}
	return t.g.exception(t.ctx, t.to, ex)
}

// exceptionDict is ex as Pyro 5's serializers send an exception value.
func exceptionDict(ex *compat.Exception) map[string]any {
	attrs := map[string]any{}
	if ex.Attrs != (pickle.Dict{}) {
		for k, v := range pickle.DictItems(ex.Attrs) {
			if name, ok := pickle.Text(k); ok {
				attrs[name] = v
			}
		}
	}
	args := ex.Args
	if args == nil {
		args = pickle.Tuple{}
	}
	return map[string]any{"__class__": ex.Class.Module + "." + ex.Class.Name, "__exception__": true, "args": args, "attributes": attrs}
}

// pyro5URIState reads the state of a Pyro5.core.URI: protocol, object,
// sockname, host, port.
func pyro5URIState(st []any) (compat.URI, bool) {
	proto, ok1 := pickle.Text(st[0])
	obj, ok2 := pickle.Text(st[1])
	host, ok3 := pickle.Text(st[3])
	port, ok4 := st[4].(int64)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return compat.URI{}, false
	}
	return compat.URI{Protocol: proto, ObjectID: obj, Address: host, Port: int(port), Style: compat.Pyro5Style}, true
}

// object translates the state of an instance of a Python class, which
// Pyro 5's serializers send as a dict with its class name.
func (t *translator) object(o *pickle.Object, depth int) (any, error) {
	if o == nil {
		return o, nil
	}
	cp := *o
	var err error
	if cp.Args != nil {
		v, err := t.value(cp.Args, depth+1)
		if err != nil {
			return nil, err
		}
		cp.Args = v.(pickle.Tuple)
	}
	if cp.State, err = t.value(cp.State, depth+1); err != nil {
		return nil, err
	}
	if cp.ListItems != nil {
		if cp.ListItems, err = t.items(cp.ListItems, depth); err != nil {
			return nil, err
		}
	}
	if cp.DictItems != nil {
		if cp.DictItems, err = t.items(cp.DictItems, depth); err != nil {
			return nil, err
		}
	}
	return &cp, nil
}

// uri translates a URI passed as a value: a PYRO URI of an object of the
// other generation becomes the URI of a forwarder to it; other URIs
// (PYRONAME, PYROLOC, and those the peer can call itself) are left as
// they are, in the peer's form.
func (t *translator) uri(u compat.URI) (any, error) {
	u, err := t.g.reachable(t.ctx, t.to, u, nil)
	if err != nil {
		return nil, err
	}
	if t.to == core.Pyro5 {
		if u.Style != compat.Pyro5Style {
			return u.String(), nil
		}
		return map[string]any{"__class__": "Pyro5.core.URI", "state": pickle.Tuple{u.Protocol, u.ObjectID, pickle.None{}, u.Address, int64(u.Port)}}, nil
	}
	if u.Style == compat.Pyro5Style {
		return u.String(), nil
	}
	return u, nil
}

// proxy translates a Pyro 3 proxy to an object at u.
func (t *translator) proxy(u compat.URI) (any, error) {
	u, err := t.g.reachable(t.ctx, t.to, u, nil)
	if err != nil {
		return nil, err
	}
	return t.g.proxyValue(t.to, u), nil
}

// proxy5 translates a Pyro 5 proxy with its state (uri, oneway, methods,
// attrs, ...) to an object at u; the metadata it carries saves the
// forwarder asking for it.
func (t *translator) proxy5(u compat.URI, state []any) (any, error) {
	var md *metadata
	oneway, _ := pickle.Items(state[1])
	methods, _ := pickle.Items(state[2])
	if len(methods) > 0 {
		md = &metadata{methods: textSet(methods), oneway: textSet(oneway)}
	}
	u, err := t.g.reachable(t.ctx, t.to, u, md)
	if err != nil {
		return nil, err
	}
	return t.g.proxyValue(t.to, u), nil
}

func textSet(items []any) map[string]bool {
	s := make(map[string]bool, len(items))
	for _, it := range items {
		if name, ok := pickle.Text(it); ok {
			s[name] = true
		}
	}
	return s
}

func (r StrRule) py3(b pickle.ByteString) any {
	switch r {
	case StrBytes:
		return pickle.Bytes(b)
	case StrLatin1:
		runes := make([]rune, len(b))
		for i := 0; i < len(b); i++ {
			runes[i] = rune(b[i])
		}
		return string(runes)
	}
	if utf8.ValidString(string(b)) {
		return string(b)
	}
	return pickle.Bytes(b)
}

func (r TextRule) py2(s string) any {
	switch r {
	case TextUnicode:
		return s
	case TextUTF8:
		return pickle.ByteString(s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return s
		}
	}
	return pickle.ByteString(s)
}

// exception translates a Python exception for a peer of generation to:
// its class into the peer's module for it, its args and attributes as
// values; the remote traceback stays.
func (g *Gateway) exception(ctx context.Context, to core.Generations, ex *compat.Exception) (*compat.Exception, error) {
	out := &compat.Exception{Class: exceptionClass(to, ex.Class), Traceback: ex.Traceback}
	args, err := g.translate(ctx, to, ex.Args)
	if err != nil {
		return nil, err
	}
	out.Args, _ = args.(pickle.Tuple)
	if ex.Attrs != (pickle.Dict{}) && ex.Attrs.Len() > 0 {
		attrs, err := g.translate(ctx, to, ex.Attrs)
		if err != nil {
			return nil, err
		}
		out.Attrs, _ = attrs.(pickle.Dict)
	}
	return out, nil
}

// translateError is the error a forwarder raises for err, an error of a
// call to its target: a remote exception (or a failure to reach the
// target, which Pyro raises as a Pyro error) translated for a caller of
// generation to.
func (g *Gateway) translateError(ctx context.Context, to core.Generations, err error) error {
	if errors.Is(err, ErrTooDeep) {
		return compat.ValueError(err.Error())
	}
	ex, terr := g.exception(ctx, to, core.ToException(err))
	if terr != nil {
		return err
	}
	return ex
}

// Exception classes of one generation that the other has under another
// name, or not at all.
var (
	// Python 2 built-ins that Python 3 lacks.
	py2Only = map[string]string{"StandardError": "Exception"}
	// Python 3 built-ins that Python 2 lacks, by their nearest Python 2
	// base.
	py3Only = map[string]string{
		"BlockingIOError": "IOError", "BrokenPipeError": "IOError", "ChildProcessError": "OSError",
		"ConnectionAbortedError": "IOError", "ConnectionError": "IOError", "ConnectionRefusedError": "IOError",
		"ConnectionResetError": "IOError", "FileExistsError": "OSError", "FileNotFoundError": "IOError",
		"InterruptedError": "OSError", "IsADirectoryError": "IOError", "ModuleNotFoundError": "ImportError",
		"NotADirectoryError": "OSError", "PermissionError": "IOError", "ProcessLookupError": "OSError",
		"RecursionError": "RuntimeError", "ResourceWarning": "Warning", "StopAsyncIteration": "StopIteration",
		"TimeoutError": "OSError",
	}
	// Pyro 3's errors (Pyro.errors) in Pyro 5 (Pyro5.errors).
	pyro3To5 = map[string]string{
		"PyroError": "PyroError", "URIError": "PyroError", "DaemonError": "DaemonError",
		"ProtocolError": "ProtocolError", "ConnectionClosedError": "ConnectionClosedError",
		"ConnectionDeniedError": "CommunicationError", "TimeoutError": "TimeoutError",
		"NamingError": "NamingError", "NoModuleError": "PyroError",
	}
	// Pyro 5's errors in Pyro 3. None is Pyro 3's ProtocolError itself,
	// which a Pyro 3 daemon answers by hanging up.
	pyro5To3 = map[string]string{
		"PyroError": "PyroError", "CommunicationError": "ConnectionClosedError",
		"ConnectionClosedError": "ConnectionClosedError", "TimeoutError": "TimeoutError",
		"ProtocolError": "PyroError", "MessageTooLargeError": "PyroError",
		"NamingError": "NamingError", "DaemonError": "DaemonError", "SecurityError": "PyroError",
		"SerializeError": "PyroError",
	}
)

// exceptionClass names c, an exception class of one generation, for a
// peer of generation to. Other classes keep their name: the peer raises
// them if it can import them, as it would from a server of its own kind.
func exceptionClass(to core.Generations, c pickle.Class) pickle.Class {
	if to == core.Pyro5 {
		switch c.Module {
		case "exceptions", "__builtin__", "builtins":
			if n, ok := py2Only[c.Name]; ok {
				return pickle.Class{Module: "builtins", Name: n}
			}
			return pickle.Class{Module: "builtins", Name: c.Name}
		case "Pyro.errors":
			if n, ok := pyro3To5[c.Name]; ok {
				return pickle.Class{Module: "Pyro5.errors", Name: n}
			}
			return pickle.Class{Module: "Pyro5.errors", Name: "PyroError"}
		}
		return c
	}
	switch {
	case c.Module == "builtins" || c.Module == "exceptions":
		if n, ok := py3Only[c.Name]; ok {
			return pickle.Class{Module: "exceptions", Name: n}
		}
		return pickle.Class{Module: "exceptions", Name: c.Name}
	case c == pickle.Class{Module: "Pyro.errors", Name: "ProtocolError"}:
		// The gateway's own failure to reach the target.
		return pickle.Class{Module: "Pyro.errors", Name: "ConnectionClosedError"}
	case c.Module == "Pyro5.errors" || c.Module == "Pyro4.errors":
		if n, ok := pyro5To3[c.Name]; ok {
			return pickle.Class{Module: "Pyro.errors", Name: n}
		}
		return pickle.Class{Module: "Pyro.errors", Name: "PyroError"}
	case strings.HasPrefix(c.Module, "Pyro5.") || strings.HasPrefix(c.Module, "Pyro4."):
		return pickle.Class{Module: "Pyro.errors", Name: "PyroError"}
	}
	return c
}
