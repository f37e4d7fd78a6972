package cli

import (
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/ns"
)

// TestNoticePrinter pins the words pyro-ns prints for Start's notices, Pyro's
// where Pyro has them, and which are printed only with -v.
func TestNoticePrinter(t *testing.T) {
	uri := compat.URI{Protocol: "PYRO", Address: "127.0.0.1", Port: 9090, ObjectID: "c0a8"}
	tests := []struct {
		n       ns.Notice
		verbose bool
		want    string
	}{
		{ns.Notice{Kind: ns.NoticeOtherRunning, URI: uri}, false, "The Name Server appears to be already running on this segment.\n(host: 127.0.0.1  port: 9090)\n"},
		{ns.Notice{Kind: ns.NoticeAlreadyRunning, Err: ns.ErrAlreadyRunning}, false, "Cannot start multiple Name Servers in the same network segment.\n"},
		{ns.Notice{Kind: ns.NoticeTwinNotFound, Err: errors.New("x")}, false, "WARNING: Cannot find twin NS yet:  x\n"},
		{ns.Notice{Kind: ns.NoticePortTaken, Host: "h", Port: 9090}, false, "The Name Server appears to be already running on this host.\n(or somebody else occupies our port, 9090)\nIt could also be that the address 'h' is not correct.\nName Server was not started!\n"},
		{ns.Notice{Kind: ns.NoticeListening, Addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9090}}, false, "Name server listening on: ('127.0.0.1', 9090)\n"},
		{ns.Notice{Kind: ns.NoticeBroadcastListening, Addr: &net.UDPAddr{IP: net.IPv4zero, Port: 9090}}, false, "Broadcast server listening on: ('0.0.0.0', 9090)\n"},
		{ns.Notice{Kind: ns.NoticeURI, URI: uri}, false, "URI is: PYRO://127.0.0.1:9090/c0a8\n"},
		{ns.Notice{Kind: ns.NoticeURI5, URI: compat.URI{Protocol: "PYRO", Address: "127.0.0.1", Port: 9090, ObjectID: "Pyro.NameServer", Style: compat.Pyro5Style}}, false, "Pyro 5 URI is: PYRO:Pyro.NameServer@127.0.0.1:9090\n"},
		{ns.Notice{Kind: ns.NoticeBroadcast5Listening, Addr: &net.UDPAddr{IP: net.IPv4zero, Port: 9091}}, false, "Pyro 5 broadcast server listening on: ('0.0.0.0', 9091)\n"},
		{ns.Notice{Kind: ns.NoticeStarted, Role: ns.RoleSecondary}, false, "Secondary Name Server started.\n"},
		{ns.Notice{Kind: ns.NoticeStarted}, false, "Name Server started.\n"},
		{ns.Notice{Kind: ns.NoticeAcceptShutdown}, false, ""},
		{ns.Notice{Kind: ns.NoticeAcceptShutdown}, true, "Will accept shutdown requests.\n"},
		{ns.Notice{Kind: ns.NoticePersistent, Path: "db"}, false, ""},
		{ns.Notice{Kind: ns.NoticePersistent, Path: "db"}, true, "Persistent mode, database is in db\n"},
		{ns.Notice{Kind: ns.NoticeBroadcastFailed, Err: errors.New("busy")}, false, "Cannot start broadcast server. Is somebody else occupying our broadcast port?\nThe error(s) were: busy\n\nName Server was not started!\n"},
	}
	for _, tt := range tests {
		var b strings.Builder
		Printer(&b, tt.verbose)(tt.n)
		if b.String() != tt.want {
			t.Errorf("notice %d (verbose %v): %q, want %q", tt.n.Kind, tt.verbose, b.String(), tt.want)
		}
	}
}
