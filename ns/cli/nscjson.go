package cli

import (
	"encoding/json"
	"errors"
	"io"
	"slices"
	"sort"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/ns"
)

// takeJSON removes the -json (or --json) flag from args, where it may
// stand among the options (before a lone "-"), and reports whether it was
// there. It is taken out before Pyro's own option parsing, to which -json
// would be -j with an ignored notice.
func takeJSON(args []string) ([]string, bool) {
	end := slices.Index(args, "-")
	if end < 0 {
		end = len(args)
	}
	found := false
	out := make([]string, 0, len(args))
	for i, a := range args {
		if i < end && (a == "-json" || a == "--json") {
			found = true
			continue
		}
		out = append(out, a)
	}
	return out, found
}

// writeJSON writes v as one indented JSON document.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// jsonEntry is one child of a group in pyro-nsc -json list.
type jsonEntry struct {
	Name string `json:"name"`
	Type string `json:"type"` // "group" or "name"
}

// jsonGroup is one listed group of pyro-nsc -json list: its absolute name
// and children, or the Name Server's refusal.
type jsonGroup struct {
	Group   string      `json:"group"`
	Entries []jsonEntry `json:"entries"`
	Error   string      `json:"error,omitempty"`
}

// jsonBinding is one name of pyro-nsc -json listall.
type jsonBinding struct {
	Name string `json:"name"`
	URI  string `json:"uri"`
}

// jsonRegistration is one name of the Pyro 5 listings with -json.
type jsonRegistration struct {
	Name     string   `json:"name"`
	URI      string   `json:"uri"`
	Metadata []string `json:"metadata"`
}

// listJSON is list with -json: the groups named in the arguments (the
// default group without any), in order, each with its children sorted as
// the text listing sorts them.
func (c *nsc) listJSON() error {
	if err := c.connect(); err != nil {
		return err
	}
	names := c.args
	if len(names) == 0 {
		names = []string{""}
	}
	groups := make([]jsonGroup, 0, len(names))
	for _, n := range names {
		full, err := c.ns.FullName(n)
		if err != nil {
			return err
		}
		g := jsonGroup{Group: full, Entries: []jsonEntry{}}
		l, err := c.ns.List(c.ctx, n)
		var ne *compat.NamingError
		switch {
		case errors.As(err, &ne):
			g.Error = namingMessage(ne)
		case err != nil:
			return err
		}
		sortChildren(l)
		for _, e := range l {
			typ := "name"
			if e.Type == 0 {
				typ = "group"
			}
			g.Entries = append(g.Entries, jsonEntry{Name: e.Name, Type: typ})
		}
		groups = append(groups, g)
	}
	return writeJSON(c.p.w, groups)
}

// listallJSON is listall with -json: every name with its URI, sorted.
func (c *nsc) listallJSON() error {
	if err := c.connect(); err != nil {
		return err
	}
	flat, err := c.ns.Flatlist(c.ctx)
	if err != nil {
		return err
	}
	sort.Slice(flat, func(i, j int) bool { return flat[i].Name < flat[j].Name })
	out := make([]jsonBinding, len(flat))
	for i, b := range flat {
		out[i] = jsonBinding{Name: b.Name, URI: b.URI.String()}
	}
	return writeJSON(c.p.w, out)
}

// registrationsJSON writes a Pyro 5 listing as JSON, in the order the
// text listing has.
func registrationsJSON(w io.Writer, regs []ns.Registration5) error {
	out := make([]jsonRegistration, len(regs))
	for i, r := range regs {
		tags := r.Tags
		if tags == nil {
			tags = []string{}
		}
		out[i] = jsonRegistration{Name: r.Name, URI: r.URI, Metadata: tags}
	}
	return writeJSON(w, out)
}
