package cli

import (
	"fmt"
	"io"
	"net"
	"time"

	"github.com/gopyro/gopyro/ns"
)

// Printer returns an ns.StartOptions.Notify that prints each notice to w
// in the words Pyro's pyro-ns uses (and, for what gopyro adds, words in
// the same manner). Some notices are printed only when verbose (-v), as
// Pyro prints them.
func Printer(w io.Writer, verbose bool) func(ns.Notice) {
	return func(n ns.Notice) { printNotice(w, verbose, n) }
}

func printNotice(w io.Writer, verbose bool, n ns.Notice) {
	p := func(a ...any) { fmt.Fprintln(w, a...) }
	f := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	switch n.Kind {
	case ns.NoticeStorageError, ns.NoticeResyncFailed:
		p(n.Err)
	case ns.NoticeOtherRunning:
		p("The Name Server appears to be already running on this segment.")
		f("(host: %s  port: %d)\n", n.URI.Address, n.URI.Port)
	case ns.NoticeStartingAnother:
		p("WARNING: starting another Name Server in the same segment!")
	case ns.NoticeAlreadyRunning:
		p(n.Err.Error())
	case ns.NoticeLocatingTwin:
		p("Locating twin NameServer.")
	case ns.NoticeLocatingTwinAgain:
		p("Locating twin NameServer again.")
	case ns.NoticeFoundTwin:
		f("Found twin NameServer at %s port %d\n", n.URI.Address, n.URI.Port)
	case ns.NoticeTwinNotFound:
		p("WARNING: Cannot find twin NS yet: ", n.Err)
	case ns.NoticeCannotMoveAside:
		p("Cannot move the damaged name server database aside:", n.Err)
	case ns.NoticeMovedAside:
		f("The name server database was damaged (%v); it was moved to %s, starting afresh.\n", n.Err, n.Path)
	case ns.NoticeCannotOpenDatabase:
		p("Cannot open the name server database:", n.Err)
	case ns.NoticeImported:
		f("Imported %d groups and names from the Pyro 3 database %s into %s\n", n.Count, n.From, n.Path)
	case ns.NoticeDatabaseOpened:
		if verbose {
			f("Database %s opened in %v\n", n.Path, n.Took.Round(time.Millisecond))
		}
	case ns.NoticePortTaken:
		p("The Name Server appears to be already running on this host.")
		f("(or somebody else occupies our port, %d)\n", n.Port)
		if n.Host != "" {
			f("It could also be that the address '%s' is not correct.\n", n.Host)
		}
		p("Name Server was not started!")
	case ns.NoticeAuthentication:
		p("Requiring connection authentication.")
	case ns.NoticeNoBroadcast:
		if verbose {
			p("Not starting broadcast server.")
		}
	case ns.NoticeLoopbackNoBroadcast:
		p("Not starting broadcast server: the Name Server is bound to a loopback address.")
		p("(Give -c <broadcast address>, e.g. -c 127.255.255.255, to start it anyway.)")
	case ns.NoticeLoopbackBroadcast:
		f("Starting broadcast server on %s although the Name Server is bound to a loopback address (asked with -c).\n", n.Host)
	case ns.NoticeBroadcastFailed:
		p("Cannot start broadcast server. Is somebody else occupying our broadcast port?")
		p("The error(s) were:", n.Err)
		p("\nName Server was not started!")
	case ns.NoticeIgnoreShutdown:
		if verbose {
			p("Will ignore shutdown requests.")
		}
	case ns.NoticeAcceptShutdown:
		if verbose {
			p("Will accept shutdown requests.")
		}
	case ns.NoticeListening:
		f("Name server listening on: ('%s', %d)\n", addrHost(n.Addr), addrPort(n.Addr))
	case ns.NoticeBroadcastListening:
		f("Broadcast server listening on: ('%s', %d)\n", addrHost(n.Addr), addrPort(n.Addr))
	case ns.NoticeURI:
		p("URI is:", n.URI.String())
	case ns.NoticeURI5:
		p("Pyro 5 URI is:", n.URI.String())
	case ns.NoticeBroadcast5Listening:
		f("Pyro 5 broadcast server listening on: ('%s', %d)\n", addrHost(n.Addr), addrPort(n.Addr))
	case ns.NoticeURIFileFailed:
		p("Couldn't write URI to", n.Path)
	case ns.NoticeURIWritten:
		p("URI written to:", n.Path)
	case ns.NoticePersistent:
		if verbose {
			p("Persistent mode, database is in", n.Path)
		}
	case ns.NoticeStarted:
		switch n.Role {
		case ns.RolePrimary:
			fmt.Fprint(w, "Primary ")
		case ns.RoleSecondary:
			fmt.Fprint(w, "Secondary ")
		}
		p("Name Server started.")
	case ns.NoticeResyncing:
		f("Initial Resync with other NS at %s port %d\n", n.URI.Address, n.URI.Port)
	case ns.NoticeSynchronized:
		p("Database synchronized.")
	}
}

// addrHost and addrPort split a listener's address as Python prints a
// socket's (host, port).
func addrHost(a net.Addr) string {
	switch t := a.(type) {
	case *net.TCPAddr:
		return t.IP.String()
	case *net.UDPAddr:
		return t.IP.String()
	}
	h, _, _ := net.SplitHostPort(a.String())
	return h
}

func addrPort(a net.Addr) int {
	switch t := a.(type) {
	case *net.TCPAddr:
		return t.Port
	case *net.UDPAddr:
		return t.Port
	}
	return 0
}
