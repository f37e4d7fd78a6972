package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/ns"
)

func nsc5Usage(w io.Writer) {
	fmt.Fprint(w, `Pyro 5 name server control - usage is as follows;
>> pyro-nsc --pyro5 [-h host] [-p port] [-c bcaddr] command [args...]
where command is one of: list, lookup, register, remove, removematching, listmatching,
                         yplookup_all, yplookup_any, setmeta, ping
      (the commands and output of Pyro5's python -m Pyro5.nsc)
      host is the host where the name server should be contacted
      port is the port of the name server, or without a host the port
           of its Pyro 5 broadcast discovery (PYRO_NS_BCPORT)
      bcaddr allows you to override the broadcast address
      args... depend on the command.
`)
}

// NSControl5Main runs pyro-nsc --pyro5: Pyro5's name server control tool
// (python -m Pyro5.nsc), its commands and output, against a Pyro 5 name
// server, Pyro5's own or pyro-ns. args are without the program name and
// --pyro5; in answers removematching's question; a command's complaint
// about its arguments goes to errOut, as Python's SystemExit does. It
// returns the exit status: 1 after an error, which it prints as Pyro5's
// tool does.
func NSControl5Main(ctx context.Context, args []string, in io.Reader, out, errOut io.Writer) int {
	args, asJSON := takeJSON(args)
	a := ParseArgs(args, nscSpec)
	a.PrintIgnored(out)
	if len(a.Args) == 0 {
		nsc5Usage(out)
		return 0
	}
	opts := ns.Locate5Options{}
	opts.Host, _ = a.Get('h')
	opts.BCAddr, _ = a.Get('c')
	if v, ok := a.Get('p'); ok {
		port, err := strconv.Atoi(v)
		if err != nil {
			fmt.Fprintf(out, "argument -p/--port: invalid int value: '%s'\n", v)
			return 2
		}
		opts.Port = port
	}
	cmd, args := a.Args[0], a.Args[1:]
	run, ok := nsc5Commands[cmd]
	if !ok {
		nsc5Usage(out)
		return 2
	}
	c, err := ns.Locate5(ctx, opts)
	if err != nil {
		fmt.Fprintln(out, "Error:", errorText5(err))
		return 1
	}
	defer c.Close()
	n := &nsc5{ctx: ctx, c: c, args: args, in: bufio.NewReader(in), out: out, json: asJSON}
	if err := run(n); err != nil {
		var usage usageError
		if errors.As(err, &usage) {
			fmt.Fprintln(errOut, string(usage))
			return 1
		}
		name := "Exception"
		var ex *compat.Exception
		if errors.As(err, &ex) {
			name = ex.Class.Name
		}
		fmt.Fprintf(out, "Error: %s - %s\n", name, errorText5(err))
		return 1
	}
	return 0
}

// usageError is a command's complaint about its arguments (Pyro5's
// SystemExit).
type usageError string

func (e usageError) Error() string { return string(e) }

func errorText5(err error) string {
	var ex *compat.Exception
	if errors.As(err, &ex) {
		return ex.Message()
	}
	return err.Error()
}

type nsc5 struct {
	ctx  context.Context
	c    *ns.Client5
	args []string
	in   *bufio.Reader
	out  io.Writer
	json bool // -json: the listings print JSON
}

var nsc5Commands = map[string]func(*nsc5) error{
	"ping":           (*nsc5).ping,
	"list":           (*nsc5).list,
	"listmatching":   (*nsc5).listMatching,
	"yplookup_all":   func(n *nsc5) error { return n.yplookup(true) },
	"yplookup_any":   func(n *nsc5) error { return n.yplookup(false) },
	"lookup":         (*nsc5).lookup,
	"register":       (*nsc5).register,
	"remove":         (*nsc5).remove,
	"removematching": (*nsc5).removeMatching,
	"setmeta":        (*nsc5).setmeta,
}

// pySet is Python 3's repr of a set of strings (sorted: Python's order is
// its hashes').
func pySet(tags []string) string {
	parts := make([]string, len(tags))
	for i, t := range tags {
		parts[i] = pyStrRepr(t)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// pyStrRepr is Python 3's repr of a str.
func pyStrRepr(s string) string {
	quote := "'"
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		quote = `"`
	}
	var b strings.Builder
	b.WriteString(quote)
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case string(r) == quote:
			b.WriteString(`\` + quote)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteString(quote)
	return b.String()
}

func (n *nsc5) printList(regs []ns.Registration5, title string) error {
	if n.json {
		return registrationsJSON(n.out, regs)
	}
	fmt.Fprintf(n.out, "--------START LIST %s\n", title)
	for _, r := range regs {
		fmt.Fprintf(n.out, "%s --> %s\n", r.Name, r.URI)
		if len(r.Tags) > 0 {
			fmt.Fprintln(n.out, "    metadata:", pySet(r.Tags))
		}
	}
	fmt.Fprintf(n.out, "--------END LIST %s\n", title)
	return nil
}

func (n *nsc5) ping() error {
	if err := n.c.Ping(n.ctx); err != nil {
		return err
	}
	fmt.Fprintln(n.out, "Name server ping ok.")
	return nil
}

func (n *nsc5) list() error {
	prefix, title := "", ""
	if len(n.args) > 0 {
		prefix, title = n.args[0], fmt.Sprintf("- prefix '%s'", n.args[0])
	}
	regs, err := n.c.List(n.ctx, prefix, "")
	if err != nil {
		return err
	}
	return n.printList(regs, title)
}

func (n *nsc5) listMatching() error {
	if len(n.args) != 1 {
		return usageError("requires one argument: pattern")
	}
	regs, err := n.c.List(n.ctx, "", n.args[0])
	if err != nil {
		return err
	}
	return n.printList(regs, fmt.Sprintf("- regex '%s'", n.args[0]))
}

func (n *nsc5) yplookup(all bool) error {
	if len(n.args) < 1 {
		return usageError("requires at least one metadata tag argument")
	}
	var regs []ns.Registration5
	var err error
	if all {
		regs, err = n.c.YPLookup(n.ctx, n.args, nil)
	} else {
		regs, err = n.c.YPLookup(n.ctx, nil, n.args)
	}
	if err != nil {
		return err
	}
	return n.printList(regs, " - searched by metadata")
}

func (n *nsc5) lookup() error {
	if len(n.args) != 1 {
		return usageError("requires one argument: name")
	}
	r, err := n.c.Lookup(n.ctx, n.args[0])
	if err != nil {
		return err
	}
	fmt.Fprintln(n.out, r.URI)
	if len(r.Tags) > 0 {
		fmt.Fprintln(n.out, "metadata:", pySet(r.Tags))
	}
	return nil
}

func (n *nsc5) register() error {
	if len(n.args) != 2 {
		return usageError("requires two arguments: name uri")
	}
	if err := n.c.Register(n.ctx, n.args[0], n.args[1], true, nil); err != nil {
		return err
	}
	fmt.Fprintf(n.out, "Registered %s\n", n.args[0])
	return nil
}

func (n *nsc5) remove() error {
	if len(n.args) != 1 {
		return usageError("requires one argument: name")
	}
	count, err := n.c.Remove(n.ctx, n.args[0])
	if err != nil {
		return err
	}
	if count > 0 {
		fmt.Fprintf(n.out, "Removed %s\n", n.args[0])
	} else {
		fmt.Fprintln(n.out, "Nothing removed")
	}
	return nil
}

func (n *nsc5) removeMatching() error {
	if len(n.args) != 1 {
		return usageError("requires one argument: pattern")
	}
	fmt.Fprint(n.out, "Potentially removing lots of items from the Name server. Are you sure (y/n)?")
	answer, _ := n.in.ReadString('\n')
	if a := strings.TrimSpace(answer); a != "y" && a != "Y" {
		return nil
	}
	count, err := n.c.RemoveMatching(n.ctx, n.args[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(n.out, "%d items removed.\n", count)
	return nil
}

func (n *nsc5) setmeta() error {
	if len(n.args) < 1 {
		return usageError("requires arguments: uri and zero or more meta tags")
	}
	tags := n.args[1:]
	if err := n.c.SetMetadata(n.ctx, n.args[0], tags); err != nil {
		return err
	}
	if len(tags) > 0 {
		fmt.Fprintln(n.out, "Metadata updated")
	} else {
		fmt.Fprintln(n.out, "Metadata cleared")
	}
	return nil
}
