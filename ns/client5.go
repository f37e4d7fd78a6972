package ns

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/pickle"
)

// Client5 is a Go client of a Pyro 5 name server, Pyro5's own
// (python -m Pyro5.nameserver) or pyro-ns: the calls of
// Pyro5.nameserver.NameServer over a core.Proxy. Its errors are the name
// server's exceptions, Pyro5's errors as their compat types (a
// *compat.NamingError of module Pyro5.errors, ...), or the proxy's.
type Client5 struct {
	p *core.Proxy
}

// Registration5 is a name of a Pyro 5 name server with its URI and
// metadata tags (sorted).
type Registration5 struct {
	Name string
	URI  string
	Tags []string
}

// Locate5Options say where a Pyro 5 name server is, as Pyro5's
// locate_ns(host, port) does (see core.Pyro5NSLocation).
type Locate5Options = core.Pyro5NSLocation

// Locate5 finds a Pyro 5 name server with core.LocatePyro5NS, as Pyro5's
// locate_ns does: Pyro5.errors.NamingError('Failed to locate the
// nameserver') when none answers.
func Locate5(ctx context.Context, opts Locate5Options) (*Client5, error) {
	p, err := core.LocatePyro5NS(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &Client5{p: p}, nil
}

// URI returns the name server's URI.
func (c *Client5) URI() compat.URI { return c.p.URI() }

// Close closes the connection.
func (c *Client5) Close() error { return c.p.Close() }

func (c *Client5) call(ctx context.Context, method string, args []any, kw map[string]any) (any, error) {
	return c.p.CallKw(ctx, method, args, kw)
}

// Ping calls ping.
func (c *Client5) Ping(ctx context.Context) error {
	_, err := c.call(ctx, "ping", nil, nil)
	return err
}

// Count returns the number of names.
func (c *Client5) Count(ctx context.Context) (int, error) {
	v, err := c.call(ctx, "count", nil, nil)
	if err != nil {
		return 0, err
	}
	n, ok := v.(int64)
	if !ok {
		return 0, fmt.Errorf("ns: count answered %s", pickle.PythonType(v))
	}
	return int(n), nil
}

// Lookup returns the URI registered under name and its metadata tags.
func (c *Client5) Lookup(ctx context.Context, name string) (Registration5, error) {
	v, err := c.call(ctx, "lookup", []any{name}, map[string]any{"return_metadata": true})
	if err != nil {
		return Registration5{}, err
	}
	items, ok := pickle.Items(v)
	if !ok || len(items) != 2 {
		return Registration5{}, fmt.Errorf("ns: lookup answered %s", pickle.PythonType(v))
	}
	uri, err := uriText5(items[0])
	if err != nil {
		return Registration5{}, err
	}
	return Registration5{Name: name, URI: uri, Tags: tagList(items[1])}, nil
}

// Register registers name for uri with the metadata tags (none: nil); safe
// refuses a name registered already.
func (c *Client5) Register(ctx context.Context, name, uri string, safe bool, tags []string) error {
	var meta any
	if tags != nil {
		meta = tagSet(tags)
	}
	_, err := c.call(ctx, "register", []any{name, uri}, map[string]any{"safe": safe, "metadata": meta})
	return err
}

// SetMetadata replaces the metadata tags of name.
func (c *Client5) SetMetadata(ctx context.Context, name string, tags []string) error {
	_, err := c.call(ctx, "set_metadata", []any{name, tagSet(tags)}, nil)
	return err
}

// Remove removes name and reports how many names went (0 or 1).
func (c *Client5) Remove(ctx context.Context, name string) (int, error) {
	return c.remove(ctx, map[string]any{"name": name})
}

// RemoveMatching removes the names the regular expression matches (at
// their start, as Python's re.match) and reports how many went.
func (c *Client5) RemoveMatching(ctx context.Context, regex string) (int, error) {
	return c.remove(ctx, map[string]any{"regex": regex})
}

func (c *Client5) remove(ctx context.Context, kw map[string]any) (int, error) {
	v, err := c.call(ctx, "remove", nil, kw)
	if err != nil {
		return 0, err
	}
	n, _ := v.(int64)
	return int(n), nil
}

// List returns the names starting with prefix, or matching regex ("" for
// no filter), sorted by name.
func (c *Client5) List(ctx context.Context, prefix, regex string) ([]Registration5, error) {
	kw := map[string]any{"return_metadata": true}
	if prefix != "" {
		kw["prefix"] = prefix
	}
	if regex != "" {
		kw["regex"] = regex
	}
	v, err := c.call(ctx, "list", nil, kw)
	if err != nil {
		return nil, err
	}
	return registrations5(v)
}

// YPLookup returns the names that have all the tags of all, or any of the
// tags of anyOf, sorted by name.
func (c *Client5) YPLookup(ctx context.Context, all, anyOf []string) ([]Registration5, error) {
	kw := map[string]any{"return_metadata": true}
	if all != nil {
		kw["meta_all"] = tagSet(all)
	}
	if anyOf != nil {
		kw["meta_any"] = tagSet(anyOf)
	}
	v, err := c.call(ctx, "yplookup", nil, kw)
	if err != nil {
		return nil, err
	}
	return registrations5(v)
}

// registrations5 reads a listing with metadata: name → (uri, tags).
func registrations5(v any) ([]Registration5, error) {
	d, ok := v.(pickle.Dict)
	if !ok {
		return nil, fmt.Errorf("ns: listing answered %s", pickle.PythonType(v))
	}
	var out []Registration5
	for k, val := range pickle.DictItems(d) {
		name, _ := pickle.Text(k)
		items, ok := pickle.Items(val)
		if !ok || len(items) != 2 {
			return nil, fmt.Errorf("ns: listing entry %s is %s", name, pickle.PythonType(val))
		}
		uri, _ := pickle.Text(items[0])
		out = append(out, Registration5{Name: name, URI: uri, Tags: tagList(items[1])})
	}
	slices.SortFunc(out, func(a, b Registration5) int {
		switch {
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
	return out, nil
}

// tagList reads a set of tags (a list with json and msgpack).
func tagList(v any) []string {
	items, _ := pickle.Items(v)
	tags := make([]string, 0, len(items))
	for _, it := range items {
		if s, ok := pickle.Text(it); ok {
			tags = append(tags, s)
		}
	}
	slices.Sort(tags)
	return tags
}

// uriText5 is the string of a URI as Pyro 5 sends it: a Pyro5.core.URI
// class dict, with the state (protocol, object, sockname, host, port).
func uriText5(v any) (string, error) {
	if s, ok := pickle.Text(v); ok {
		return s, nil
	}
	d, ok := v.(pickle.Dict)
	state, _ := d.Get_("state")
	items, ok2 := pickle.Items(state)
	if !ok || !ok2 || len(items) != 5 {
		return "", fmt.Errorf("ns: not a URI: %s", pickle.PythonType(v))
	}
	proto, _ := pickle.Text(items[0])
	obj, _ := pickle.Text(items[1])
	s := proto + ":" + obj
	if sock, ok := pickle.Text(items[2]); ok && sock != "" {
		return s + "@./u:" + sock, nil
	}
	if host, ok := pickle.Text(items[3]); ok && host != "" {
		port, _ := items[4].(int64)
		s += "@" + net.JoinHostPort(host, strconv.FormatInt(port, 10))
	}
	return s, nil
}
