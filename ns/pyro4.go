package ns

import (
	"context"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/pickle"
)

// pyro4NSMeta is the metadata of the name server's own registration as
// Pyro4's name server gives it.
const pyro4NSMeta = "class:Pyro4.naming.NameServer"

// Server4 is Pyro 4's name server object (Pyro4.naming.NameServer) on the
// Namespace shared with Pyro 3 and 5 clients: the methods of Pyro4
// 4.82's, with their arguments, results and errors, on the same flat view
// of the name space as Server5's (Pyro5Name), so that a name registered
// by any generation is found by the other two. Connect it for Pyro 4
// clients alone, under the same object id as Pyro 5's:
//
//	d.ConnectFor(core.Pyro4, srv, ns.Pyro5ObjectID)
//
// Pyro 4 has no yplookup: its list filters by metadata (metadata_all,
// metadata_any), and metadata is answered as lists, as Pyro4's does.
type Server4 struct{ nameServer }

var gen4 = &nsGeneration{uriClass: "Pyro4.core.URI", selfMeta: pyro4NSMeta, tags: listOfTags}

// listOfTags is a list of tags as Pyro 4's name server answers it.
func listOfTags(tags []string) any {
	items := make([]any, len(tags))
	for i, t := range tags {
		items[i] = t
	}
	return items
}

// NewServer4 returns Pyro 4's name server object for ns; self is its URI
// (PYRO:Pyro.NameServer@host:port), which Pyro 4 clients get for the name
// server's own registration.
func NewServer4(ns *Namespace, self compat.URI) *Server4 {
	return &Server4{nameServer{ns: ns, self: self, gen: gen4}}
}

// PyroAttrs names the Python class and the remote methods.
func (s *Server4) PyroAttrs() core.Attrs { return attrsOf(methods4) }

// Invoke binds the arguments of a call as Python does and runs it.
func (s *Server4) Invoke(_ context.Context, c *core.Call) (any, error) {
	return s.invoke(methods4, c)
}

// methods4 are Pyro 4's methods: Pyro 5's but for list, and no yplookup.
var methods4 = map[string]method5{
	"ping":         methods5["ping"],
	"count":        methods5["count"],
	"lookup":       methods5["lookup"],
	"register":     methods5["register"],
	"set_metadata": methods5["set_metadata"],
	"remove":       methods5["remove"],
	"list": {[]param5{opt("prefix"), opt("regex"), opt("metadata_all"), opt("metadata_any"), optFalse("return_metadata")}, func(s *nameServer, a []any) (any, error) {
		return s.list4(a[0], a[1], a[2], a[3], truthy(a[4]))
	}},
}

// list4 is Pyro 4's list: at most one of the filters given (not None),
// and the first of them that is true applies.
func (s *nameServer) list4(prefixArg, regexArg, allArg, anyArg any, withMeta bool) (any, error) {
	given := 0
	for _, v := range []any{prefixArg, regexArg, allArg, anyArg} {
		if _, none := v.(pickle.None); v != nil && !none {
			given++
		}
	}
	if given > 1 {
		return nil, compat.ValueError("you can only filter on one thing at a time")
	}
	keep, err := nameFilter(prefixArg, regexArg)
	switch {
	case keep != nil || err != nil:
	case truthy(allArg):
		keep, err = metaFilter(allArg, true, "metadata_all")
	case truthy(anyArg):
		keep, err = metaFilter(anyArg, false, "metadata_any")
	}
	if err != nil {
		return nil, err
	}
	return s.result(s.keep(keep), withMeta), nil
}
