package ns

import (
	"context"
	"fmt"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/pickle"
)

// Pyro5ObjectID is the object id of Pyro 5's name server object
// (Pyro5.core.NAMESERVER_NAME), and the Pyro 5 name it is registered
// under.
const Pyro5ObjectID = "Pyro.NameServer"

// pyro5NSMeta is the metadata of the name server's own registration.
const pyro5NSMeta = "class:Pyro5.nameserver.NameServer"

// Server5 is Pyro 5's name server object (Pyro5.nameserver.NameServer) on
// a Namespace shared with Pyro 3 clients: its methods have the arguments,
// results and errors of Pyro5 5.17's, on the Pyro 5 view of the name space
// (Pyro5Name). Connect it for Pyro 5 clients alone, under Pyro5ObjectID:
//
//	d.ConnectFor(core.Pyro5, srv, ns.Pyro5ObjectID)
//
// Pyro 5 metadata tags are the user meta data of Pyro 3 (MetadataSet),
// and the URIs Pyro 5 clients are given are Pyro 5's (PYRO:id@host:port)
// whatever generation registered them.
type Server5 struct{ nameServer }

// nameServer is the name server object of Pyro 4 and 5, whose APIs
// differ in a few methods and in how values cross: Server5 and Server4
// are it with their method tables.
type nameServer struct {
	ns *Namespace
	// self is the Pyro 4/5 URI of the name server object, given for the
	// name server's own registration.
	self compat.URI
	gen  *nsGeneration
}

// nsGeneration is what differs in the values a name server of Pyro 4 or
// 5 answers.
type nsGeneration struct {
	uriClass string // the class of a URI object, as its serializers carry it
	selfMeta string // the metadata of the name server's own registration
	// tags makes the metadata of an answer: a set for Pyro 5, a list for
	// Pyro 4.
	tags func([]string) any
}

var gen5 = &nsGeneration{uriClass: "Pyro5.core.URI", selfMeta: pyro5NSMeta, tags: func(t []string) any { return tagSet(t) }}

// NewServer5 returns Pyro 5's name server object for ns; self is its URI
// (PYRO:Pyro.NameServer@host:port), which Pyro 5 clients get for the name
// server's own registration in place of the Pyro 3 URI registered as
// :Pyro.NameServer.
func NewServer5(ns *Namespace, self compat.URI) *Server5 {
	return &Server5{nameServer{ns: ns, self: self, gen: gen5}}
}

// PyroAttrs names the Python class and the remote methods.
func (s *Server5) PyroAttrs() core.Attrs { return attrsOf(methods5) }

// Invoke binds the arguments of a call as Python does and runs it.
func (s *Server5) Invoke(_ context.Context, c *core.Call) (any, error) {
	return s.invoke(methods5, c)
}

// attrsOf names the Python class and the methods of a method table.
func attrsOf(methods map[string]method5) core.Attrs {
	names := make([]string, 0, len(methods))
	for m := range methods {
		names = append(names, m)
	}
	return core.Attrs{Class: "NameServer", Methods: names}
}

// invoke binds the arguments of c to the parameters of its method in
// methods and runs it.
func (s *nameServer) invoke(methods map[string]method5, c *core.Call) (any, error) {
	m, ok := methods[c.Method]
	if !ok {
		if strings.HasPrefix(c.Method, "_") {
			return nil, compat.AttributeError(fmt.Sprintf("attempt to access private attribute '%s'", c.Method))
		}
		return nil, compat.AttributeError(fmt.Sprintf("'NameServer' object has no attribute '%s'", c.Method))
	}
	args, err := bind5(c.Method, m.params, c.Args, c.Kwargs)
	if err != nil {
		return nil, err
	}
	return m.call(s, args)
}

// param5 is a parameter of a Python method: its name and its default
// (required when it has none).
type param5 struct {
	name     string
	def      any
	optional bool
}

type method5 struct {
	params []param5
	call   func(s *nameServer, args []any) (any, error)
}

func opt(name string) param5 { return param5{name: name, optional: true} }

func optFalse(name string) param5 { return param5{name: name, def: false, optional: true} }

var methods5 = map[string]method5{
	"ping":  {nil, func(*nameServer, []any) (any, error) { return nil, nil }},
	"count": {nil, func(s *nameServer, _ []any) (any, error) { return s.count(), nil }},
	"lookup": {[]param5{{name: "name"}, optFalse("return_metadata")}, func(s *nameServer, a []any) (any, error) {
		return s.lookup(a[0], truthy(a[1]))
	}},
	"register": {[]param5{{name: "name"}, {name: "uri"}, optFalse("safe"), opt("metadata")}, func(s *nameServer, a []any) (any, error) {
		return nil, s.register(a[0], a[1], truthy(a[2]), a[3])
	}},
	"set_metadata": {[]param5{{name: "name"}, {name: "metadata"}}, func(s *nameServer, a []any) (any, error) {
		return nil, s.setMetadata(a[0], a[1])
	}},
	"remove": {[]param5{opt("name"), opt("prefix"), opt("regex")}, func(s *nameServer, a []any) (any, error) {
		return s.remove(a[0], a[1], a[2])
	}},
	"list": {[]param5{opt("prefix"), opt("regex"), optFalse("return_metadata")}, func(s *nameServer, a []any) (any, error) {
		return s.list(a[0], a[1], truthy(a[2]))
	}},
	"yplookup": {[]param5{opt("meta_all"), opt("meta_any"), {name: "return_metadata", def: true, optional: true}}, func(s *nameServer, a []any) (any, error) {
		return s.yplookup(a[0], a[1], truthy(a[2]))
	}},
}

// bind5 binds positional and keyword arguments to params, with Python 3's
// errors for a call that does not fit.
func bind5(method string, params []param5, pos []any, kw map[string]any) ([]any, error) {
	fn := "NameServer." + method + "()"
	required := 0
	for _, p := range params {
		if !p.optional {
			required++
		}
	}
	if len(pos) > len(params) {
		takes := fmt.Sprintf("%d positional argument%s", len(params)+1, plural5(len(params)+1))
		if required < len(params) {
			takes = fmt.Sprintf("from %d to %d positional arguments", required+1, len(params)+1)
		}
		were := "were"
		if len(pos)+1 == 1 {
			were = "was"
		}
		return nil, compat.TypeError(fmt.Sprintf("%s takes %s but %d %s given", fn, takes, len(pos)+1, were))
	}
	args := make([]any, len(params))
	set := make([]bool, len(params))
	for i, v := range pos {
		args[i], set[i] = v, true
	}
	for k, v := range kw {
		i := -1
		for j, p := range params {
			if p.name == k {
				i = j
			}
		}
		switch {
		case i < 0:
			return nil, compat.TypeError(fmt.Sprintf("%s got an unexpected keyword argument '%s'", fn, k))
		case set[i]:
			return nil, compat.TypeError(fmt.Sprintf("%s got multiple values for argument '%s'", fn, k))
		}
		args[i], set[i] = v, true
	}
	var missing []string
	for i, p := range params {
		switch {
		case set[i]:
		case p.optional:
			args[i] = p.def
		default:
			missing = append(missing, "'"+p.name+"'")
		}
	}
	if len(missing) > 0 {
		list := missing[len(missing)-1]
		if len(missing) > 1 {
			list = strings.Join(missing[:len(missing)-1], ", ") + " and " + list
		}
		return nil, compat.TypeError(fmt.Sprintf("%s missing %d required positional argument%s: %s", fn, len(missing), plural5(len(missing)), list))
	}
	return args, nil
}

func plural5(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// truthy is Python's truth of a decoded value.
func truthy(v any) bool {
	switch x := v.(type) {
	case []any:
		return len(x) > 0
	case *pickle.Set:
		return x != nil && len(x.Items) > 0
	case *pickle.FrozenSet:
		return x != nil && len(x.Items) > 0
	case pickle.Dict:
		return x.Len() > 0
	}
	return !isFalsy(v)
}

func namingError5(msg string) error { return compat.NewException("Pyro5.errors", "NamingError", msg) }

func pyroError5(msg string) error { return compat.NewException("Pyro5.errors", "PyroError", msg) }

// name5 checks a name argument (Pyro 5's TypeError('name must be a str')).
func name5(v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	return "", compat.TypeError("name must be a str")
}

// tags5 reads a metadata argument: None (nil, false), or an iterable of
// strings; what says which argument, for the errors.
func tags5(v any, what string) ([]string, bool, error) {
	switch x := v.(type) {
	case nil, pickle.None:
		return nil, false, nil
	case string:
		return nil, false, compat.TypeError(what + " should not be a str, but another iterable (set, list, etc)")
	case pickle.Dict:
		// iterating a dict gives its keys
		keys := make([]any, 0, x.Len())
		for k := range pickle.DictItems(x) {
			keys = append(keys, k)
		}
		v = keys
	}
	items, ok := pickle.Items(v)
	if !ok {
		if isFalsy(v) {
			return nil, false, nil
		}
		return nil, false, compat.TypeError(fmt.Sprintf("'%s' object is not iterable", pickle.PythonType(v)))
	}
	tags := make([]string, 0, len(items))
	for _, it := range items {
		s, ok := it.(string)
		if !ok {
			return nil, false, compat.TypeError(fmt.Sprintf("metadata must be strings, not '%s'", pickle.PythonType(it)))
		}
		tags = append(tags, s)
	}
	return tags, true, nil
}

// tagSet is a set of tags as Pyro 5's name server answers it.
func tagSet(tags []string) *pickle.Set {
	items := make([]any, len(tags))
	for i, t := range tags {
		items[i] = t
	}
	return &pickle.Set{Items: items}
}

// entry5 is a name of the Pyro 5 view: its Pyro 5 name, URI string and
// metadata tags.
type entry5 struct {
	name string
	uri  string
	tags []string
}

// view returns e as Pyro 5 clients see it.
func (s *nameServer) view(e Entry) entry5 {
	if e.Name == NameServerName {
		return entry5{name: Pyro5ObjectID, uri: s.self.String(), tags: []string{s.gen.selfMeta}}
	}
	return entry5{name: Pyro5Name(e.Name, s.ns.DefaultGroupName()), uri: URI5(e.URI), tags: MetadataTags(e.Meta)}
}

// URI5 is the URI a Pyro 5 client is given for a registered URI: a Pyro
// 5 URI as it is; a Pyro 3 PYRO://host:port/guid (or PYROSSL, PYROLOC)
// as PYRO:guid@host:port, which is the same object when a daemon of Pyro 3
// and 5 serves it (a Python 2 server's object answers Pyro 3 alone:
// calling it fails); a PYRONAME URI in Pyro 5's syntax.
func URI5(u compat.URI) string {
	if u.Style == compat.Pyro5Style {
		return u.String()
	}
	if u.Protocol == "PYRONAME" {
		s := "PYRONAME:" + u.ObjectID
		if u.Address != "" {
			s += "@" + u.Address
			if u.Port != 0 {
				s += ":" + strconv.Itoa(u.Port)
			}
		}
		return s
	}
	return "PYRO:" + u.ObjectID + "@" + net.JoinHostPort(u.Address, strconv.Itoa(u.Port))
}

// uri5Pattern is Pyro5.core.URI's pattern.
var uri5Pattern = regexp.MustCompile(`^([Pp][Yy][Rr][Oo][a-zA-Z]*):(\S+?)(@(.+))?$`)

// uriObject is the URI s as the serializers of Pyro 4 and 5 send their
// URI class cls (Pyro4.core.URI, Pyro5.core.URI): its class dict, with the
// state (protocol, object, sockname, host, port).
func uriObject(cls, s string) map[string]any {
	state := pickle.Tuple{nil, nil, nil, nil, nil}
	if m := uri5Pattern.FindStringSubmatch(s); m != nil {
		state[0], state[1] = strings.ToUpper(m[1]), m[2]
		if loc := m[4]; loc != "" {
			if sock, ok := strings.CutPrefix(loc, "./u:"); ok {
				state[2] = sock
			} else {
				host, port := loc, ""
				if h, p, err := net.SplitHostPort(loc); err == nil {
					host, port = h, p
				}
				state[3] = host
				if n, err := strconv.Atoi(port); err == nil {
					state[4] = int64(n)
				}
			}
		}
	}
	return map[string]any{"__class__": cls, "state": state}
}

// uriValue reads the uri argument of register: a string, checked as
// Pyro5.core.URI (and Pyro4's, which is the same) checks it, or a URI
// object of the class cls, and returns the URI to store.
func uriValue(cls string, v any) (compat.URI, error) {
	var s string
	switch x := v.(type) {
	case string:
		s = x
		if err := checkURI5(s); err != nil {
			return compat.URI{}, err
		}
	case pickle.Dict:
		clsName, _ := x.Get_("__class__")
		state, _ := x.Get_("state")
		items, ok := pickle.Items(state)
		if c, _ := pickle.Text(clsName); c != cls || !ok || len(items) != 5 {
			return compat.URI{}, compat.TypeError("only URIs or strings can be registered")
		}
		proto, _ := items[0].(string)
		obj, _ := items[1].(string)
		host, _ := items[3].(string)
		port, _ := items[4].(int64)
		s = proto + ":" + obj
		if host != "" {
			s += "@" + net.JoinHostPort(host, strconv.FormatInt(port, 10))
		}
	default:
		return compat.URI{}, compat.TypeError("only URIs or strings can be registered")
	}
	u, err := compat.ParseURI(s)
	if err != nil || u.Style != compat.Pyro5Style {
		return compat.URI{}, namingError5("this name server keeps PYRO:id@host:port URIs only, not " + s)
	}
	return u, nil
}

// checkURI5 is the check of Pyro5.core.URI(uri), with its errors.
func checkURI5(s string) error {
	m := uri5Pattern.FindStringSubmatch(s)
	if m == nil {
		return pyroError5("invalid uri")
	}
	proto, loc := strings.ToUpper(m[1]), m[4]
	switch proto {
	case "PYRO":
		if loc == "" {
			return pyroError5("invalid uri")
		}
	case "PYRONAME", "PYROMETA":
	default:
		return pyroError5("invalid uri (protocol)")
	}
	if loc == "" {
		return nil
	}
	if sock, ok := strings.CutPrefix(loc, "./u:"); ok {
		if sock == "" || strings.Contains(sock, ":") {
			return pyroError5("invalid uri (location)")
		}
		return nil
	}
	var port string
	if strings.HasPrefix(loc, "[") {
		if strings.HasPrefix(loc, "[[") {
			return pyroError5("invalid ipv6 address: enclosed in too many brackets")
		}
		m := regexp.MustCompile(`^\[([0-9a-fA-F:%]+)](:(\d+))?`).FindStringSubmatch(loc)
		if m == nil {
			return pyroError5("invalid ipv6 address: the part between brackets must be a numeric ipv6 address")
		}
		port = m[3]
	} else {
		_, port, _ = strings.Cut(loc, ":")
	}
	if port == "" {
		if proto == "PYRO" {
			return pyroError5("invalid port in uri, port=None")
		}
		return nil
	}
	if _, err := strconv.Atoi(strings.TrimSpace(port)); err != nil {
		return pyroError5("invalid port in uri, port=" + port)
	}
	return nil
}

// full returns the Pyro 3 name of a Pyro 5 name.
func (s *nameServer) full(name string) string { return Pyro3Name(name, s.ns.DefaultGroupName()) }

func (s *nameServer) count() int64 {
	names, _ := s.ns.Len()
	return int64(names)
}

func (s *nameServer) lookup(nameArg any, withMeta bool) (any, error) {
	name, _ := pickle.Text(nameArg)
	e, ok := s.ns.Lookup(s.full(name))
	if !ok {
		return nil, namingError5("unknown name: " + name)
	}
	v := s.view(e)
	uri := uriObject(s.gen.uriClass, v.uri)
	if withMeta {
		return pickle.Tuple{uri, s.gen.tags(v.tags)}, nil
	}
	return uri, nil
}

func (s *nameServer) register(nameArg, uriArg any, safe bool, metaArg any) error {
	u, err := uriValue(s.gen.uriClass, uriArg)
	if err != nil {
		return err
	}
	name, err := name5(nameArg)
	if err != nil {
		return err
	}
	tags, _, err := tags5(metaArg, "metadata")
	if err != nil {
		return err
	}
	if name == Pyro5ObjectID {
		return namingError5("name already registered: " + name)
	}
	switch err := s.ns.Bind(s.full(name), u, MetadataSet(tags), safe); err {
	case nil:
		return nil
	case ErrBound:
		return namingError5("name already registered: " + name)
	case ErrGroupInTheWay:
		return namingError5("name clashes with a group of the Pyro 3 name space: " + name)
	default:
		if ne, ok := err.(*compat.NamingError); ok && len(ne.Args) > 0 {
			what, _ := pickle.Text(ne.Args[0])
			return namingError5(fmt.Sprintf("%s: %s", what, name))
		}
		return err
	}
}

func (s *nameServer) setMetadata(nameArg, metaArg any) error {
	name, err := name5(nameArg)
	if err != nil {
		return err
	}
	tags, _, err := tags5(metaArg, "metadata")
	if err != nil {
		return err
	}
	full := s.full(name)
	if full == NameServerName {
		// the name server's own metadata is fixed
		return nil
	}
	found, err := s.ns.SetNameMeta(full, MetadataSet(tags))
	if err == nil && !found {
		err = namingError5("unknown name: " + name)
	}
	return err
}

func (s *nameServer) remove(nameArg, prefixArg, regexArg any) (any, error) {
	if name, _ := pickle.Text(nameArg); name != "" && name != Pyro5ObjectID {
		n, err := s.ns.RemoveNames([]string{s.full(name)})
		return int64(n), err
	}
	keep, err := nameFilter(prefixArg, regexArg)
	if keep == nil || err != nil {
		return int64(0), err
	}
	var fulls []string
	for _, e := range s.keep(keep) {
		if e.name != Pyro5ObjectID {
			fulls = append(fulls, s.full(e.name))
		}
	}
	if len(fulls) == 0 {
		return int64(0), nil
	}
	_, err = s.ns.RemoveNames(fulls)
	return int64(len(fulls)), err
}

// regex5 compiles a regex argument, matched at the start of a name as
// Python's re.match does.
func regex5(v any) (*regexp.Regexp, error) {
	s, _ := pickle.Text(v)
	re, err := regexp.Compile(`^(?:` + s + `)`)
	if err != nil {
		return nil, namingError5("invalid regex: " + err.Error())
	}
	return re, nil
}

// entries returns the Pyro 5 view of every name.
func (s *nameServer) entries() []entry5 {
	all := s.ns.Entries()
	out := make([]entry5, len(all))
	for i, e := range all {
		out[i] = s.view(e)
	}
	return out
}

// result is the dict a listing answers: name → URI string, or with
// metadata name → (URI string, tags).
func (s *nameServer) result(es []entry5, withMeta bool) map[string]any {
	m := make(map[string]any, len(es))
	for _, e := range es {
		if withMeta {
			m[e.name] = pickle.Tuple{e.uri, s.gen.tags(e.tags)}
		} else {
			m[e.name] = e.uri
		}
	}
	return m
}

// keep returns the entries keep accepts, or all of them for a nil keep.
func (s *nameServer) keep(keep func(entry5) bool) []entry5 {
	all := s.entries()
	if keep == nil {
		return all
	}
	var out []entry5
	for _, e := range all {
		if keep(e) {
			out = append(out, e)
		}
	}
	return out
}

// nameFilter is the filter of a listing by prefix or by regex (the one
// that is given, nil for none).
func nameFilter(prefixArg, regexArg any) (func(entry5) bool, error) {
	switch {
	case truthy(prefixArg):
		prefix, _ := pickle.Text(prefixArg)
		return func(e entry5) bool { return strings.HasPrefix(e.name, prefix) }, nil
	case truthy(regexArg):
		re, err := regex5(regexArg)
		if err != nil {
			return nil, err
		}
		return func(e entry5) bool { return re.MatchString(e.name) }, nil
	}
	return nil, nil
}

// metaFilter is the filter of a listing by metadata: the names with all
// the tags of the argument (matchAll), or with any of them; what names
// the argument for the errors.
func metaFilter(arg any, matchAll bool, what string) (func(entry5) bool, error) {
	want, _, err := tags5(arg, what)
	if err != nil {
		return nil, err
	}
	return func(e entry5) bool {
		for _, t := range want {
			if slices.Contains(e.tags, t) != matchAll {
				return !matchAll
			}
		}
		return matchAll
	}, nil
}

func (s *nameServer) list(prefixArg, regexArg any, withMeta bool) (any, error) {
	if truthy(prefixArg) && truthy(regexArg) {
		return nil, compat.ValueError("you can only filter on one thing at a time")
	}
	keep, err := nameFilter(prefixArg, regexArg)
	if err != nil {
		return nil, err
	}
	return s.result(s.keep(keep), withMeta), nil
}

func (s *nameServer) yplookup(allArg, anyArg any, withMeta bool) (any, error) {
	hasAll, hasAny := truthy(allArg), truthy(anyArg)
	if hasAll && hasAny {
		return nil, compat.ValueError("you can't use meta_all or meta_any at the same time")
	}
	var keep func(entry5) bool
	var err error
	switch {
	case hasAll:
		keep, err = metaFilter(allArg, true, "metadata_all")
	case hasAny:
		keep, err = metaFilter(anyArg, false, "metadata_any")
	default:
		return map[string]any{}, nil
	}
	if err != nil {
		return nil, err
	}
	return s.result(s.keep(keep), withMeta), nil
}
