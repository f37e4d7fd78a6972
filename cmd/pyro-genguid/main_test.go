package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRun(t *testing.T) {
	guid := regexp.MustCompile(`^[0-9a-f]{34,}\n$`)
	tests := []struct {
		args      []string
		wantUsage bool
	}{
		{nil, false},
		{[]string{"-"}, false},
		{[]string{"x"}, true},
		{[]string{"-h"}, true},
		{[]string{"--"}, true},
		{[]string{"-", "x"}, true},
		{[]string{""}, true},
	}
	for _, tt := range tests {
		var b strings.Builder
		if status := run(tt.args, &b); status != 0 {
			t.Errorf("run(%q) status %d, want 0", tt.args, status)
		}
		out := b.String()
		if tt.wantUsage {
			want := "Usage: pyro-genguid  (no arguments)\nPrints a new Pyro object id (GUID).\n"
			if diff := cmp.Diff(want, out); diff != "" {
				t.Errorf("run(%q) output (-want +got):\n%s", tt.args, diff)
			}
		} else if !guid.MatchString(out) {
			t.Errorf("run(%q) = %q, want one GUID line", tt.args, out)
		}
	}
	var a, b strings.Builder
	run(nil, &a)
	run(nil, &b)
	if a.String() == b.String() {
		t.Errorf("two runs gave the same GUID %q", a.String())
	}
}
