package compat

import (
	"net"
	"regexp"
	"strconv"
	"strings"

	"github.com/gopyro/gopyro/pickle"
)

// Pyro5NSPort is Pyro 5's NS_PORT default, the name server port of a
// Pyro 5 PYRONAME or PYROMETA URI whose location names no port.
const Pyro5NSPort = 9090

// DefaultPort is Pyro's PYRO_PORT default, used by ParseURI when a PYRO,
// PYROSSL, PYROLOC or PYROLOCSSL URI names no port (or port 0).
const DefaultPort = 7766

// URI is a Pyro object address, Python class Pyro.core.PyroURI.
//
// Protocol is PYRO or PYROSSL for a resolved object, PYROLOC/PYROLOCSSL for a
// name known to a daemon, PYRONAME for a name known to the Name Server.
// For PYRONAME, Address and Port are the optional Name Server location ("" and
// 0 when absent) and ObjectID is the name.
type URI struct {
	Protocol string
	Address  string
	Port     int
	ObjectID string
	// Style is the syntax the URI is written in: Pyro3Style (the zero
	// value), or Pyro5Style for the URIs of Pyro 4 and 5 daemons.
	Style URIStyle
}

// URIStyle is the syntax of a URI, which differs between generations of
// Pyro although both call the protocol word PYRO.
type URIStyle uint8

const (
	// Pyro3Style is Pyro 3's syntax: PYRO://host:port/objectID.
	Pyro3Style URIStyle = iota
	// Pyro5Style is the syntax of Pyro 4 and 5: PYRO:objectID@host:port,
	// with an IPv6 address in brackets.
	Pyro5Style
)

// String formats u as Pyro does: protocol://address:port/objectID, with the
// port always present. A PYRONAME URI is formatted in its own syntax, with
// the optional location only when it is set. A Pyro5Style URI is written
// protocol:objectID@address:port.
func (u URI) String() string {
	if u.Style == Pyro5Style && u.Address == "" {
		return u.Protocol + ":" + u.ObjectID // PYRONAME:name, PYROMETA:meta
	}
	if u.Style == Pyro5Style {
		return u.Protocol + ":" + u.ObjectID + "@" + net.JoinHostPort(u.Address, strconv.Itoa(u.Port))
	}
	if u.Protocol == "PYRONAME" {
		switch {
		case u.Address != "" && u.Port != 0:
			return u.Protocol + "://" + u.Address + ":" + strconv.Itoa(u.Port) + "/" + u.ObjectID
		case u.Address != "":
			return u.Protocol + "://" + u.Address + "/" + u.ObjectID
		default:
			return u.Protocol + "://" + u.ObjectID
		}
	}
	return u.Protocol + "://" + u.Address + ":" + strconv.Itoa(u.Port) + "/" + u.ObjectID
}

// Python 2's \s for str patterns; Go's \s lacks the vertical tab.
const pySpace = ` \t\n\r\f\v`

var (
	// protocol://host[:port]/id — the host may contain '/': Pyro's pattern
	// backtracks to the last '/' that is followed by the id, and the host
	// is then rejected as malformed.
	uriPattern = regexp.MustCompile(`^([^` + pySpace + `:/]+)://([^` + pySpace + `:]+):?([0-9]+)?/([^` + pySpace + `]*)`)
	locPattern = regexp.MustCompile(`^(PYROLOC|PYROLOCSSL)://([^` + pySpace + `:]+):?([0-9]+)?/([^` + pySpace + `]*)`)
	// Pyro 4 and 5: PYRO:id@host:port, an IPv6 host in brackets.
	pyro5Pattern = regexp.MustCompile(`^(PYRO):([^` + pySpace + `@]+)@(\[[0-9a-fA-F:.]+\]|[^` + pySpace + `:@\[\]]+):([0-9]+)$`)
	// Pyro 5: PYRONAME:name[@host[:port]], PYROMETA:meta,...[@host[:port]]
	// (the protocol word in any case, as Pyro5.core.URI reads it)
	pyro5NamePattern  = regexp.MustCompile(`^(?i:(PYRONAME|PYROMETA)):([^` + pySpace + `@]+)(?:@(.+))?$`)
	pyro5IPv6Location = regexp.MustCompile(`^\[([0-9a-fA-F:%]+)\](?::([0-9]*))?$`)
	// PYRONAME://[host:port/ | host/]name
	namePattern = regexp.MustCompile(`^(PYRONAME|PYRONAMESSL)://(?:([^` + pySpace + `:]+):([0-9]+)/|([^` + pySpace + `:]+)/)?([^` + pySpace + `]*)`)
)

// ParseURI parses a Pyro URI string with the rules of Pyro 3.16, and the
// URIs of Pyro 4 and 5 objects, PYRO:id@host:port (Pyro5Style):
//
//	PYRO://host[:port]/objectID      (any protocol word, e.g. PYROSSL, parses this way)
//	PYROLOC://host[:port]/name       PYROLOCSSL likewise
//	PYRONAME://[host[:port]/]name
//	PYRONAME:name[@host[:port]]      Pyro 5 (Pyro5Style), port Pyro5NSPort if absent
//	PYROMETA:meta1,meta2[@host[:port]]  Pyro 5; ObjectID holds the metadata, comma-separated
//
// A missing or zero port means DefaultPort (not for PYRONAME, where it means
// "locate the Name Server"). The object id runs to the first white space;
// anything after it is ignored, as Pyro does. Errors are *URIError with Pyro's
// messages ("invalid URI format", "malformed hostname"), *ProtocolError for
// PYRONAMESSL, and a Python TypeError for a port that does not fit in an int.
func ParseURI(s string) (URI, error) {
	if m := pyro5Pattern.FindStringSubmatch(s); m != nil {
		host := strings.TrimSuffix(strings.TrimPrefix(m[3], "["), "]")
		p, err := parsePort(m[4])
		if err != nil {
			return URI{}, err
		}
		return URI{Protocol: m[1], ObjectID: m[2], Address: host, Port: p, Style: Pyro5Style}, nil
	}
	if m := pyro5NamePattern.FindStringSubmatch(s); m != nil && !strings.HasPrefix(m[2], "//") {
		return pyro5Name(m)
	}
	if strings.Index(s, "://") <= 0 {
		return URI{}, NewURIError("invalid URI format")
	}
	if m := namePattern.FindStringSubmatch(s); m != nil {
		if m[1] == "PYRONAMESSL" {
			return URI{}, NewProtocolError("NOT SUPPORTED YET: PYRONAMESSL")
		}
		u := URI{Protocol: m[1], Address: m[2] + m[4], ObjectID: m[5]}
		if m[3] != "" {
			p, err := parsePort(m[3])
			if err != nil {
				return URI{}, err
			}
			u.Port = p
		}
		return u, nil
	}
	if m := locPattern.FindStringSubmatch(s); m != nil {
		if m[4] == "" {
			return URI{}, NewURIError("invalid URI format")
		}
		return newURI(m[1], m[2], m[3], m[4])
	}
	if strings.HasPrefix(s, "PYROLOC") || strings.HasPrefix(s, "PYRONAME") {
		return URI{}, NewURIError("invalid URI format")
	}
	m := uriPattern.FindStringSubmatch(s)
	if m == nil {
		return URI{}, NewURIError("invalid URI format")
	}
	return newURI(m[1], m[2], m[3], m[4])
}

// pyro5Name is the URI of a match of pyro5NamePattern.
func pyro5Name(m []string) (URI, error) {
	u := URI{Protocol: strings.ToUpper(m[1]), ObjectID: m[2], Style: Pyro5Style}
	if loc := m[3]; loc != "" {
		// as Pyro5.core.URI._parseLocation: [ipv6]:port or host:port
		host, port, _ := strings.Cut(loc, ":")
		if strings.HasPrefix(loc, "[") {
			l := pyro5IPv6Location.FindStringSubmatch(loc)
			if l == nil {
				return URI{}, NewURIError("invalid ipv6 address: the part between brackets must be a numeric ipv6 address")
			}
			host, port = l[1], l[2]
		}
		u.Address, u.Port = host, Pyro5NSPort
		if port != "" {
			p, err := strconv.Atoi(port)
			if err != nil {
				return URI{}, NewURIError("invalid port in uri, port=" + port)
			}
			u.Port = p
		}
	}
	return u, nil
}

// Pyro5URI converts a Pyro5.core.URI as Pyro 5's serializers write it,
// the class dict {'__class__': 'Pyro5.core.URI', 'state': (protocol,
// object, sockname, host, port)}, or a URI string, into a URI. Unix domain
// socket URIs (a sockname) are refused.
func Pyro5URI(v any) (URI, error) {
	if s, ok := pickle.Text(v); ok {
		return ParseURI(s)
	}
	d, ok := v.(pickle.Dict)
	if !ok {
		return URI{}, NewPyroError("invalid uri: " + pickle.PythonType(v))
	}
	cls, _ := d.Get_("__class__")
	st, _ := d.Get_("state")
	state, _ := pickle.Items(st)
	if cls != "Pyro5.core.URI" || len(state) != 5 {
		return URI{}, NewPyroError("invalid uri: not a Pyro5.core.URI")
	}
	if _, none := state[2].(pickle.None); !none && state[2] != nil {
		return URI{}, NewPyroError("unsupported uri: Unix domain socket")
	}
	var u URI
	var okP, okO, okH bool
	u.Protocol, okP = pickle.Text(state[0])
	u.ObjectID, okO = pickle.Text(state[1])
	u.Address, okH = pickle.Text(state[3])
	port, okPort := state[4].(int64)
	if !okP || !okO || !okH || !okPort || port != int64(int(port)) {
		return URI{}, NewPyroError("invalid uri state")
	}
	u.Port, u.Style = int(port), Pyro5Style
	return u, nil
}

func newURI(protocol, host, port, id string) (URI, error) {
	if strings.Contains(host, "/") {
		return URI{}, NewURIError("malformed hostname")
	}
	u := URI{Protocol: protocol, Address: host, Port: DefaultPort, ObjectID: id}
	if port != "" {
		p, err := parsePort(port)
		if err != nil {
			return URI{}, err
		}
		if p != 0 {
			u.Port = p
		}
	}
	return u, nil
}

func parsePort(s string) (int, error) {
	p, err := strconv.ParseInt(s, 10, 64)
	if err != nil || p != int64(int(p)) {
		return 0, NewException("exceptions", "TypeError", "port must be integer")
	}
	return int(p), nil
}

var uriClass = pickle.Class{Module: "Pyro.core", Name: "PyroURI"}

// PickleObject returns u as a Pyro.core.PyroURI instance: a new-style object
// whose state holds protocol, address and objectID as str and port as int.
func (u URI) PickleObject() (*pickle.Object, error) {
	return &pickle.Object{Class: uriClass, Build: pickle.BuildNewObj, Args: pickle.Tuple{}, State: &uriState{
		Protocol: pickle.ByteString(u.Protocol), Port: int64(u.Port),
		ObjectID: pickle.ByteString(u.ObjectID), Address: pickle.ByteString(u.Address),
	}}, nil
}

// PickleClass and PickleState write u as PickleObject's result, without
// building it: a URI is in every Name Server reply.
func (u URI) PickleClass() (pickle.Class, int) { return uriClass, 4 }

// PickleState writes PyroURI's __dict__, as uriState does.
func (u URI) PickleState(w *pickle.StateWriter) error {
	w.Str("protocol", u.Protocol)
	w.Int("port", int64(u.Port))
	w.Str("objectID", u.ObjectID)
	w.Str("address", u.Address)
	return nil
}

var _ pickle.StatePickler = URI{}

// uriState is PyroURI's __dict__, in the order cPickle writes it.
type uriState struct {
	Protocol pickle.ByteString `pyro:"protocol"`
	Port     int64             `pyro:"port"`
	ObjectID pickle.ByteString `pyro:"objectID"`
	Address  pickle.ByteString `pyro:"address"`
}

// uriFromItems reads a PyroURI state given as key, value pairs, whose keys
// are distinct (pickle.StateItems).
func uriFromItems(kv []any) (URI, bool) {
	if len(kv) != 8 {
		return URI{}, false
	}
	var u URI
	seen := 0
	for i := 0; i < len(kv); i += 2 {
		name, ok := pickle.Text(kv[i])
		if !ok {
			return URI{}, false
		}
		v := kv[i+1]
		switch name {
		case "protocol":
			u.Protocol, ok = pickle.Text(v)
		case "address":
			u.Address, ok = pickle.Text(v)
		case "objectID":
			u.ObjectID, ok = pickle.Text(v)
		case "port":
			var p int64
			p, ok = v.(int64)
			ok = ok && p == int64(int(p))
			u.Port = int(p)
		default:
			ok = false
		}
		if !ok {
			return URI{}, false
		}
		seen++
	}
	return u, seen == 4
}

// decodeURI converts a generic PyroURI instance; ok is false when its state
// is not exactly Pyro's.
func decodeURI(o *pickle.Object) (URI, bool) {
	if items, ok := o.State.(*pickle.StateItems); ok {
		// The usual case (a protocol 2 pickle): one pass over the pairs.
		if !newStyle(o) || len(o.Args) != 0 || len(o.ListItems) != 0 || len(o.DictItems) != 0 {
			return URI{}, false
		}
		return uriFromItems(items.Items)
	}
	st, ok := newInstanceState(o, 4)
	if !ok {
		return URI{}, false
	}
	var u URI
	ok = st.str("protocol", &u.Protocol) && st.str("address", &u.Address) &&
		st.int("port", &u.Port) && st.str("objectID", &u.ObjectID)
	return u, ok
}
