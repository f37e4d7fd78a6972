package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/ns"
	"github.com/gopyro/gopyro/pickle"
)

// printer reproduces Python 2's print statement, soft spaces included, so
// that output matches Pyro's tools character for character.
type printer struct {
	w         io.Writer
	softspace bool
}

// print writes items separated as "print a, b, c" does; with cont (a
// trailing comma) the line stays open.
func (p *printer) print(cont bool, items ...any) {
	for _, it := range items {
		s := pyStr(it)
		if p.softspace {
			io.WriteString(p.w, " ")
		}
		io.WriteString(p.w, s)
		p.softspace = !(len(s) > 0 && strings.ContainsAny(s[len(s)-1:], "\t\n\v\f\r"))
	}
	if !cont {
		io.WriteString(p.w, "\n")
		p.softspace = false
	}
}

// pyStr is Python's str() of a value the tool prints.
func pyStr(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case compat.URI:
		return x.String()
	}
	if m, ok := ns.ParseSystemMeta(v); ok {
		return "[type=" + strconv.Itoa(m.Type) + " timestamp=" + compat.FloatStr(m.Timestamp) + " owner=" + compat.Str(noneIfNil(m.Owner)) + "]"
	}
	return compat.Str(v)
}

func noneIfNil(v any) any {
	if v == nil {
		return pickle.None{}
	}
	return v
}

const nscSpec = "h:p:c:i:"

func nscUsage(w io.Writer) {
	fmt.Fprint(w, `PyroNS control program - usage is as follows;
>> pyro-nsc [-h host] [-p port] [-c bcaddr] [-i identification] command [args...]
where command is one of: ping, list, listall, resolve, register, remove, creategroup, deletegroup, showmeta, setmeta, resync, shutdown
      host is the host where the NS should be contacted
      port is the non-standard Pyro NS broadcast port
           (if host is specified, it is the Pyro port instead)
      bcaddr allows you to override the broadcast address
      identification is the authentication ID to connect to the server
      args... depend on the command.
`)
}

type nsc struct {
	ctx  context.Context
	p    *printer
	opts ns.LocateOptions
	args []string
	ns   *ns.Client
	json bool // -json: the listings print JSON, connect prints nothing
}

// NSControlMain runs pyro-nsc with args (without the program name), writing
// to out exactly what Pyro 3.16's pyro-nsc prints. It returns the exit
// status. With --pyro5 it is NSControl5Main, answered from os.Stdin.
func NSControlMain(ctx context.Context, args []string, out io.Writer) int {
	if i := slices.Index(args, "--pyro5"); i >= 0 && !slices.Contains(args[:i], "-") {
		return NSControl5Main(ctx, slices.Delete(slices.Clone(args), i, i+1), os.Stdin, out, os.Stderr)
	}
	args, asJSON := takeJSON(args)
	a := ParseArgs(args, nscSpec)
	a.PrintIgnored(out)
	if len(a.Args) == 0 {
		nscUsage(out)
		return 0
	}
	c := &nsc{ctx: ctx, p: &printer{w: out}, args: a.Args[1:], json: asJSON}
	c.opts.Host, _ = a.Get('h')
	c.opts.BCAddr, _ = a.Get('c')
	if v, ok := a.Get('p'); ok {
		port, err := strconv.Atoi(v)
		if err != nil {
			fmt.Fprintf(out, "invalid literal for int() with base 10: '%s'\n", v)
			return 1
		}
		c.opts.Port = port
	}
	c.opts.Identification, _ = a.Get('i')
	c.opts.Trace = out
	if asJSON {
		c.opts.Trace = nil
	}
	cmds := map[string]func() error{
		"ping": c.ping, "list": c.list, "listall": c.listall, "resolve": c.resolve,
		"register": c.register, "remove": c.remove, "creategroup": c.creategroup,
		"deletegroup": c.deletegroup, "shutdown": c.shutdown, "showmeta": c.showmeta,
		"setmeta": c.setmeta, "resync": c.resync,
	}
	if asJSON {
		cmds["list"], cmds["listall"] = c.listJSON, c.listallJSON
	}
	fn, ok := cmds[a.Args[0]]
	if !ok {
		nscUsage(out)
		return 0
	}
	err := fn()
	if c.ns != nil {
		c.ns.Close()
	}
	if err == nil {
		return 0
	}
	c.p.softspace = false
	var denied *compat.ConnectionDeniedError
	var pyroErr *compat.Exception
	switch {
	case errors.As(err, &denied):
		c.p.print(false, "Could not connect to the server:", denied.Message())
		if denied.Message() == "authentication failed" {
			c.p.print(false, "Supply correct authentication ID?")
		}
	case errors.As(err, &pyroErr) && isPyroError(pyroErr):
		c.p.print(false, "There is a problem:", pyroErr.Message())
	default:
		c.p.print(false, "CAUGHT ERROR, printing Pyro traceback >>>>>>", err.Error())
		c.p.print(false, "<<<<<<< end of Pyro traceback")
	}
	return 1
}

func isPyroError(e *compat.Exception) bool { return e.Class.Module == "Pyro.errors" }

func (c *nsc) connect() error {
	n, err := ns.Locate(c.ctx, c.opts)
	if err != nil {
		return err
	}
	c.ns = n
	if c.json {
		return nil
	}
	u := n.URI()
	c.p.print(false, "NS is at", u.Address, "("+hostName(u.Address)+") port", u.Port)
	return nil
}

// hostName is Pyro's getHostname: the reverse lookup of an address, or "??".
func hostName(addr string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	names, err := net.DefaultResolver.LookupAddr(ctx, addr)
	if err != nil || len(names) == 0 {
		return "??"
	}
	return strings.TrimSuffix(names[0], ".")
}

// handleError prints a NamingError as Pyro's PyroNSControl.handleError:
// all args but the last, joined with "; ".
func (c *nsc) handleError(msg string, err error) error {
	var ne *compat.NamingError
	if !errors.As(err, &ne) {
		return err
	}
	c.p.print(true, "## "+msg+": ")
	c.p.print(true, namingMessage(ne))
	c.p.print(false, " ##")
	return nil
}

// namingMessage is the text pyro-nsc shows of a NamingError: all its args
// but the last, joined with "; ".
func namingMessage(ne *compat.NamingError) string {
	var parts []string
	for i, a := range ne.Args {
		if i == len(ne.Args)-1 {
			break
		}
		parts = append(parts, compat.Str(a))
	}
	return strings.Join(parts, "; ")
}

func (c *nsc) ping() error {
	if err := c.connect(); err != nil {
		return err
	}
	if err := c.ns.Ping(c.ctx); err != nil {
		return err
	}
	c.p.print(false, "NS is up and running!")
	return nil
}

func (c *nsc) listall() error {
	if err := c.connect(); err != nil {
		return err
	}
	flat, err := c.ns.Flatlist(c.ctx)
	if err != nil {
		return err
	}
	sort.Slice(flat, func(i, j int) bool { return flat[i].Name < flat[j].Name })
	c.p.print(false, "-------------- START DATABASE")
	for _, b := range flat {
		c.p.print(false, b.Name, " --> ", b.URI.String())
	}
	c.p.print(false, "-------------- END")
	return nil
}

// sortChildren sorts a group listing as pyro-nsc shows it.
func sortChildren(l []ns.Child) {
	sort.Slice(l, func(i, j int) bool {
		if l[i].Name != l[j].Name {
			return l[i].Name < l[j].Name
		}
		return l[i].Type < l[j].Type
	})
}

func (c *nsc) printList(l []ns.Child) {
	sortChildren(l)
	c.p.print(true, "(")
	for _, e := range l {
		switch e.Type {
		case 0:
			c.p.print(true, "["+e.Name+"]")
		case 1:
			c.p.print(true, e.Name)
		}
	}
	c.p.print(false, ")")
}

func (c *nsc) list() error {
	if err := c.connect(); err != nil {
		return err
	}
	if len(c.args) == 0 {
		full, err := c.ns.FullName("")
		if err != nil {
			return err
		}
		c.p.print(true, full, "-->")
		l, err := c.ns.List(c.ctx, "")
		if err != nil {
			return err
		}
		c.printList(l)
		return nil
	}
	for _, n := range c.args {
		full, err := c.ns.FullName(n)
		if err != nil {
			return err
		}
		c.p.print(true, full, " -->")
		l, err := c.ns.List(c.ctx, n)
		if err != nil {
			if err := c.handleError("can't list", err); err != nil {
				return err
			}
			continue
		}
		c.printList(l)
	}
	return nil
}

func (c *nsc) resolve() error {
	if err := c.connect(); err != nil {
		return err
	}
	if len(c.args) == 0 {
		c.p.print(false, "No arguments, nothing to resolve")
		return nil
	}
	for _, n := range c.args {
		c.p.print(true, n, " -->")
		u, err := c.ns.Resolve(c.ctx, n)
		if err != nil {
			if err := c.handleError("can't resolve", err); err != nil {
				return err
			}
			continue
		}
		c.p.print(false, u.String())
	}
	return nil
}

func (c *nsc) register() error {
	if err := c.connect(); err != nil {
		return err
	}
	if len(c.args) < 2 {
		c.p.print(false, "Register needs 2 args: name URI")
		return nil
	}
	name, uriStr := c.args[0], c.args[1]
	full, err := c.ns.FullName(name)
	if err != nil {
		return err
	}
	if _, err := c.ns.Proxy().CallPositional(c.ctx, "register", pickle.ByteString(full), pickle.ByteString(uriStr)); err != nil {
		return c.handleError("Error from NS", err)
	}
	uri, err := compat.ParseURI(uriStr)
	if err != nil {
		return err
	}
	if ip, err := net.DefaultResolver.LookupIP(c.ctx, "ip4", uri.Address); err == nil && len(ip) > 0 && net.ParseIP(uri.Address) == nil {
		uri.Address = ip[0].String()
	}
	c.p.print(false, "registered", name, " --> ", uri.String())
	return nil
}

func (c *nsc) remove() error {
	if err := c.connect(); err != nil {
		return err
	}
	for _, n := range c.args {
		if err := c.ns.Unregister(c.ctx, n); err != nil {
			if err := c.handleError("Can't unregister", err); err != nil {
				return err
			}
			continue
		}
		c.p.print(false, n, "unregistered.")
	}
	return nil
}

func (c *nsc) creategroup() error {
	if err := c.connect(); err != nil {
		return err
	}
	for _, n := range c.args {
		if err := c.ns.CreateGroup(c.ctx, n); err != nil {
			if err := c.handleError("Can't create group '"+n+"'", err); err != nil {
				return err
			}
			continue
		}
		c.p.print(false, n, "created.")
	}
	return nil
}

func (c *nsc) deletegroup() error {
	if err := c.connect(); err != nil {
		return err
	}
	for _, n := range c.args {
		if err := c.ns.DeleteGroup(c.ctx, n); err != nil {
			if err := c.handleError("Can't delete group '"+n+"'", err); err != nil {
				return err
			}
			continue
		}
		c.p.print(false, n, "deleted.")
	}
	return nil
}

func (c *nsc) showmeta() error {
	if err := c.connect(); err != nil {
		return err
	}
	if len(c.args) == 0 {
		c.p.print(false, "No arguments, nothing to show meta of")
	}
	for _, n := range c.args {
		full, err := c.ns.FullName(n)
		if err != nil {
			return err
		}
		c.p.print(false, "META INFO OF", full)
		// Python prints each item before evaluating the next one, so the
		// label is out when the call fails.
		c.p.print(true, "system meta info :")
		sys, err := c.ns.SystemMeta(c.ctx, n)
		if err == nil {
			c.p.print(false, sys)
			c.p.print(true, "  user meta info :")
			var user any
			if user, err = c.ns.GetMeta(c.ctx, n); err == nil {
				c.p.print(false, user)
			}
		}
		if err != nil {
			if err := c.handleError("Can't get metadata", err); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *nsc) setmeta() error {
	if err := c.connect(); err != nil {
		return err
	}
	if len(c.args) != 2 {
		c.p.print(false, "Setmeta needs 2 args: name metadata")
		return nil
	}
	if err := c.ns.SetMeta(c.ctx, c.args[0], pickle.ByteString(c.args[1])); err != nil {
		return err
	}
	c.p.print(false, "Metadata of", c.args[0], "set.")
	return nil
}

func (c *nsc) resync() error {
	if err := c.connect(); err != nil {
		return err
	}
	if err := c.ns.Resync(c.ctx); err != nil {
		return err
	}
	c.p.print(false, "resync done")
	return nil
}

func (c *nsc) shutdown() error {
	res, err := ns.SendSysCommand(c.ctx, ns.CmdShutdown, c.opts)
	if err != nil {
		return err
	}
	c.p.print(false, "Result from system command", "shutdown", ":", res)
	return nil
}
