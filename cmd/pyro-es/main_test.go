package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseArgs(t *testing.T) {
	str := func(s string) *string { return &s }
	tests := []struct {
		argv []string
		want args
	}{
		{nil, args{opts: map[byte]*string{}}},
		{[]string{"-n", "127.0.0.1", "-p0", "-N"}, args{opts: map[byte]*string{'n': str("127.0.0.1"), 'p': str("0"), 'N': nil}}},
		{[]string{"-i", "secret", "-x", "rest", "-q"}, args{opts: map[byte]*string{'i': str("secret")}, ignored: []string{"-x", "-q"}, rest: []string{"rest"}}},
		{[]string{"-p"}, args{opts: map[byte]*string{'p': nil}}},
		{[]string{"-h", "-", "-N"}, args{opts: map[byte]*string{'h': nil}, rest: []string{"-N"}}},
		{[]string{"--http=:9081", "-N"}, args{opts: map[byte]*string{'N': nil}, long: map[string]string{"http": ":9081"}}},
	}
	for _, tt := range tests {
		got := parseArgs(tt.argv, "npi", "hN")
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(args{})); diff != "" {
			t.Errorf("parseArgs(%q) (-want +got):\n%s", tt.argv, diff)
		}
	}
}

func TestHelp(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"-h"}, strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	if diff := cmp.Diff(usage, out.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestBadPort(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"-N", "-p", "x"}, strings.NewReader(""), &out, &errOut); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	if !strings.Contains(errOut.String(), `invalid port "x"`) {
		t.Errorf("stderr %q", errOut.String())
	}
}
