package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseArgs(t *testing.T) {
	tests := []struct {
		args    []string
		opts    map[byte]string // "" = given without value
		rest    []string
		ignored []string
		long    map[string]string
	}{
		{[]string{"-n", "host", "-p9090", "-x"}, map[byte]string{'n': "host", 'p': "9090", 'x': ""}, nil, nil, map[string]string{}},
		{[]string{"-d"}, map[byte]string{'d': ""}, nil, nil, map[string]string{}},
		{[]string{"-d", "-x"}, map[byte]string{'d': "", 'x': ""}, nil, nil, map[string]string{}},
		{[]string{"-d", "db", "extra", "-z"}, map[byte]string{'d': "db"}, []string{"extra"}, []string{"z"}, map[string]string{}},
		{[]string{"--idle-timeout=5s", "-", "-x"}, map[byte]string{}, []string{"-x"}, nil, map[string]string{"idle-timeout": "5s"}},
	}
	for _, tt := range tests {
		a := ParseArgs(tt.args, nsSpec)
		got := map[byte]string{}
		for k := range a.opts {
			got[k], _ = a.Get(k)
		}
		if diff := cmp.Diff(tt.opts, got); diff != "" {
			t.Errorf("%v: options (-want +got)\n%s", tt.args, diff)
		}
		if !cmp.Equal(tt.rest, a.Args) || !cmp.Equal(tt.ignored, a.Ignored) || !cmp.Equal(tt.long, a.Long) {
			t.Errorf("%v: args %v ignored %v long %v", tt.args, a.Args, a.Ignored, a.Long)
		}
	}
}

// TestPrinter checks Python 2 print-statement spacing.
func TestPrinter(t *testing.T) {
	var b bytes.Buffer
	p := &printer{w: &b}
	p.print(true, ":x", " -->")
	p.print(true, "## can't list: ")
	p.print(true, "group not found")
	p.print(false, " ##")
	p.print(false, "name", " --> ", "uri")
	p.print(true, "tab\t")
	p.print(false, "x")
	want := ":x  --> ## can't list:  group not found  ##\nname  -->  uri\ntab\tx\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func TestSecurityModuleOption(t *testing.T) {
	var b bytes.Buffer
	if code := NameServerMain(context.Background(), []string{"-s", "NSSecEx"}, &b); code != 1 {
		t.Errorf("exit %d", code)
	}
	if !strings.Contains(b.String(), "--allow-hosts") || !strings.Contains(b.String(), "-i passphrase") {
		t.Errorf("message: %s", b.String())
	}
}

// TestKeyAndEnvironment: pyro-ns refuses --key with PYRO_HMAC_KEY set, as
// Pyro4's name server refuses -k with it.
func TestKeyAndEnvironment(t *testing.T) {
	t.Setenv("PYRO_HMAC_KEY", "k")
	var b bytes.Buffer
	if code := NameServerMain(context.Background(), []string{"--key=secret"}, &b); code != 1 {
		t.Errorf("exit %d", code)
	}
	if want := "error: don't use --key and PYRO_HMAC_KEY at the same time\n"; b.String() != want {
		t.Errorf("message %q, want %q", b.String(), want)
	}
}

func TestUsage(t *testing.T) {
	var b bytes.Buffer
	NSControlMain(context.Background(), nil, &b)
	if !strings.HasPrefix(b.String(), "PyroNS control program - usage is as follows;\n") {
		t.Errorf("pyro-nsc usage: %s", b.String())
	}
	b.Reset()
	NameServerMain(context.Background(), []string{"-h"}, &b)
	if !strings.HasPrefix(b.String(), "Usage: pyro-ns [-h] [-k]") {
		t.Errorf("pyro-ns usage: %s", b.String())
	}
}

func TestNSControl5Errors(t *testing.T) {
	tests := []struct {
		args   []string
		status int
		out    string
	}{
		{nil, 0, "Pyro 5 name server control - usage is as follows;\n"},
		{[]string{"bogus"}, 2, "Pyro 5 name server control - usage is as follows;\n"},
		{[]string{"-p", "x", "ping"}, 2, "argument -p/--port: invalid int value: 'x'\n"},
		{[]string{"-h", "127.0.0.1", "-p", "1", "ping"}, 1, "Error: Failed to locate the nameserver\n"},
	}
	for _, tt := range tests {
		var out, errOut strings.Builder
		status := NSControl5Main(context.Background(), tt.args, strings.NewReader(""), &out, &errOut)
		if status != tt.status || !strings.HasPrefix(out.String(), tt.out) {
			t.Errorf("%v: status %d, output %q; want %d, %q", tt.args, status, out.String(), tt.status, tt.out)
		}
	}
}
