// Package console is pyro-ns's web console: a page on the name server's
// HTTP listener (metrics.HTTP) that shows the name space as a tree of
// groups, filters it by name, resolves names, pings objects with a real
// Pyro call from the server and, with the admin passphrase, registers and
// removes names and edits their metadata.
//
// The page is plain HTML, CSS and JavaScript embedded in the binary; it
// reads JSON endpoints under /api/ns/ that page their answers (offset and
// limit), so that it stays usable with a large name space. Reads look at
// the name space directly; every change is a call of the name server
// object's method (register, unregister, setMeta) through ns.Server.Call,
// the code path of a Pyro client's call, so it is checked and refused in
// the words Pyro clients get.
package console

import (
	"context"
	"crypto/subtle"
	"embed"
	"errors"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/internal/webconsole"
	"github.com/gopyro/gopyro/ns"
	"github.com/gopyro/gopyro/pickle"
)

//go:embed static
var static embed.FS

// PassphraseHeader carries the admin passphrase of a change request.
const PassphraseHeader = "X-Console-Passphrase"

// Options configure the console.
type Options struct {
	// Passphrase allows changes (register, remove, set metadata) to
	// requests that send it in PassphraseHeader; "" makes the console
	// read only.
	Passphrase string
	// PingTimeout bounds a ping; 0 means 5 seconds.
	PingTimeout time.Duration
}

type console struct {
	s    *ns.Server
	opts Options
}

// Mount adds the console to mux: the page at / and the JSON endpoints
// under /api/ns/.
func Mount(mux *http.ServeMux, s *ns.Server, opts Options) {
	if opts.PingTimeout == 0 {
		opts.PingTimeout = 5 * time.Second
	}
	c := &console{s: s, opts: opts}
	webconsole.MountPage(mux, static)
	mux.HandleFunc("GET /api/ns/stats", c.stats)
	mux.HandleFunc("GET /api/ns/list", c.list)
	mux.HandleFunc("GET /api/ns/search", c.search)
	mux.HandleFunc("GET /api/ns/info", c.info)
	mux.HandleFunc("POST /api/ns/ping", c.ping)
	mux.HandleFunc("POST /api/ns/register", c.admin(func(r *http.Request) error {
		return c.call(r.Context(), "register", r.FormValue("name"), r.FormValue("uri"))
	}))
	mux.HandleFunc("POST /api/ns/remove", c.admin(func(r *http.Request) error {
		return c.call(r.Context(), "unregister", r.FormValue("name"))
	}))
	mux.HandleFunc("POST /api/ns/setmeta", c.admin(func(r *http.Request) error {
		return c.call(r.Context(), "setMeta", r.FormValue("name"), r.FormValue("meta"))
	}))
}

// Stats is the answer of /api/ns/stats.
type Stats struct {
	Names        int    `json:"names"`
	Groups       int    `json:"groups"`
	DefaultGroup string `json:"defaultGroup"`
	Admin        bool   `json:"admin"` // changes are possible (a passphrase is configured)
}

// Entry is one name or group of a listing.
type Entry struct {
	Name string `json:"name"`          // absolute
	Type string `json:"type"`          // "group" or "name"
	URI  string `json:"uri,omitempty"` // of a name
}

// Page is the answer of /api/ns/list and /api/ns/search: Total entries
// match, Entries are those from Offset on.
type Page struct {
	Group   string  `json:"group,omitempty"` // of a list
	Total   int     `json:"total"`
	Offset  int     `json:"offset"`
	Entries []Entry `json:"entries"`
}

// SystemMeta is Pyro 3's system metadata of a name or group, with its
// time readable.
type SystemMeta struct {
	Type      string  `json:"type"` // "group" or "name"
	Timestamp float64 `json:"timestamp"`
	Time      string  `json:"time"` // the timestamp in RFC 3339, UTC
	Owner     string  `json:"owner"`
}

// Info is the answer of /api/ns/info.
type Info struct {
	Name   string      `json:"name"`
	URI    string      `json:"uri,omitempty"`
	System *SystemMeta `json:"system,omitempty"`
	User   string      `json:"user"` // Python's str() of the user metadata
	// Pyro5Name is the name Pyro 5 clients know it by; Tags are the Pyro
	// 5 metadata tags the user metadata holds (empty if none).
	Pyro5Name string   `json:"pyro5Name"`
	Tags      []string `json:"tags"`
}

// errorBody is a failed request's answer.
type errorBody struct {
	Error string `json:"error"`
}

// writeError answers err: a Pyro exception (the name server's refusal)
// as 422 with Python's text of it, anything else as 500.
func writeError(w http.ResponseWriter, err error) {
	var ex *compat.Exception
	status := http.StatusInternalServerError
	if errors.As(err, &ex) {
		status = http.StatusUnprocessableEntity
	}
	webconsole.WriteJSON(w, status, errorBody{Error: core.ToException(err).Error()})
}

func (c *console) stats(w http.ResponseWriter, _ *http.Request) {
	n := c.s.Namespace()
	names, groups := n.Len()
	webconsole.WriteJSON(w, http.StatusOK, Stats{Names: names, Groups: groups, DefaultGroup: n.DefaultGroupName(), Admin: c.opts.Passphrase != ""})
}

// list pages the children of a group (the root without one), groups and
// names sorted by name, with the URIs of the names.
func (c *console) list(w http.ResponseWriter, r *http.Request) {
	offset, limit, err := webconsole.Paging(r)
	if err != nil {
		webconsole.WriteJSON(w, http.StatusBadRequest, errorBody{err.Error()})
		return
	}
	n := c.s.Namespace()
	group := r.FormValue("group")
	if group == "" {
		group = ":"
	}
	children, err := n.List(group)
	if err != nil {
		writeError(w, err)
		return
	}
	prefix := group
	if prefix != ":" {
		prefix += "."
	}
	p := Page{Group: group, Total: len(children), Offset: offset, Entries: []Entry{}}
	from, to := webconsole.Window(len(children), offset, limit)
	for _, ch := range children[from:to] {
		e := Entry{Name: prefix + ch.Name, Type: "group"}
		if ch.Type != 0 {
			e.Type = "name"
			if u, err := n.Resolve(e.Name); err == nil {
				e.URI = u.String()
			}
		}
		p.Entries = append(p.Entries, e)
	}
	webconsole.WriteJSON(w, http.StatusOK, p)
}

// search pages the names whose absolute name contains q (case
// insensitive), sorted by name (as Flatlist returns them).
func (c *console) search(w http.ResponseWriter, r *http.Request) {
	offset, limit, err := webconsole.Paging(r)
	if err != nil {
		webconsole.WriteJSON(w, http.StatusBadRequest, errorBody{err.Error()})
		return
	}
	q := strings.ToLower(r.FormValue("q"))
	var found []ns.Binding
	for _, b := range c.s.Namespace().Flatlist() {
		if strings.Contains(strings.ToLower(b.Name), q) {
			found = append(found, b)
		}
	}
	p := Page{Total: len(found), Offset: offset, Entries: []Entry{}}
	from, to := webconsole.Window(len(found), offset, limit)
	for _, b := range found[from:to] {
		p.Entries = append(p.Entries, Entry{Name: b.Name, Type: "name", URI: b.URI.String()})
	}
	webconsole.WriteJSON(w, http.StatusOK, p)
}

// info resolves a name (a group has no URI) and shows its metadata.
func (c *console) info(w http.ResponseWriter, r *http.Request) {
	n := c.s.Namespace()
	name := r.FormValue("name")
	sys, err := n.GetSystemMeta(name)
	if err != nil {
		writeError(w, err)
		return
	}
	user, err := n.GetMeta(name)
	if err != nil {
		writeError(w, err)
		return
	}
	full, err := ns.ExpandName(name, n.DefaultGroupName())
	if err != nil {
		writeError(w, err)
		return
	}
	tags := ns.MetadataTags(user)
	if tags == nil {
		tags = []string{}
	}
	in := Info{Name: full, User: compat.Str(noneIfNil(user)), Pyro5Name: ns.Pyro5Name(full, n.DefaultGroupName()), Tags: tags}
	if m, ok := ns.ParseSystemMeta(sys); ok {
		in.System = &SystemMeta{Type: "name", Timestamp: m.Timestamp, Time: readableTime(m.Timestamp), Owner: compat.Str(noneIfNil(m.Owner))}
		if m.Type == 0 {
			in.System.Type = "group"
		}
	}
	if in.System == nil || in.System.Type == "name" {
		if u, err := n.Resolve(name); err == nil {
			in.URI = u.String()
		}
	}
	webconsole.WriteJSON(w, http.StatusOK, in)
}

func noneIfNil(v any) any {
	if v == nil {
		return pickle.None{}
	}
	return v
}

// readableTime shows a Unix timestamp in seconds as RFC 3339, UTC.
func readableTime(ts float64) string {
	sec, frac := math.Modf(ts)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC().Format(time.RFC3339)
}

// PingResult is the answer of /api/ns/ping.
type PingResult struct {
	URI     string  `json:"uri"`
	Seconds float64 `json:"seconds"` // the round trip, connecting included
}

// ping resolves name and makes a Pyro call to the object: a connection
// with its handshake and the remote attribute request _r_ha (Pyro 3's
// hasattr, which every Pyro object answers).
func (c *console) ping(w http.ResponseWriter, r *http.Request) {
	u, err := c.s.Namespace().Resolve(r.FormValue("name"))
	if err != nil {
		writeError(w, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), c.opts.PingTimeout)
	defer cancel()
	p, err := core.NewProxy(u, core.WithTimeout(c.opts.PingTimeout))
	if err != nil {
		writeError(w, err)
		return
	}
	defer p.Close()
	start := time.Now()
	if _, err := p.IsMethod(ctx, "__ping__"); err != nil {
		webconsole.WriteJSON(w, http.StatusBadGateway, errorBody{Error: core.ToException(err).Error()})
		return
	}
	webconsole.WriteJSON(w, http.StatusOK, PingResult{URI: u.String(), Seconds: time.Since(start).Seconds()})
}

// admin runs change for requests with the passphrase, and answers 403 to
// the others.
func (c *console) admin(change func(r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if c.opts.Passphrase == "" {
			webconsole.WriteJSON(w, http.StatusForbidden, errorBody{"the console is read only (no admin passphrase configured)"})
			return
		}
		got := r.Header.Get(PassphraseHeader)
		if subtle.ConstantTimeCompare([]byte(got), []byte(c.opts.Passphrase)) != 1 {
			webconsole.WriteJSON(w, http.StatusForbidden, errorBody{"wrong admin passphrase"})
			return
		}
		if err := change(r); err != nil {
			writeError(w, err)
			return
		}
		webconsole.WriteJSON(w, http.StatusOK, struct{}{})
	}
}

// call calls the name server object's method on name with string
// arguments, as a Pyro 3 client's NameServerProxy sends them: the name
// made absolute in the default group first.
func (c *console) call(ctx context.Context, method, name string, args ...string) error {
	full, err := ns.ExpandName(name, c.s.Namespace().DefaultGroupName())
	if err != nil {
		return err
	}
	pos := []any{pickle.ByteString(full)}
	for _, a := range args {
		pos = append(pos, pickle.ByteString(a))
	}
	_, err = c.s.Call(ctx, method, pos, nil)
	return err
}
