package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

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

// The test binary runs as pyro-genguid when GOPYRO_RUN_GENGUID is set.
func TestMain(m *testing.M) {
	if os.Getenv("GOPYRO_RUN_GENGUID") == "1" {
		main()
	}
	os.Exit(m.Run())
}

// --print-config prints the configuration; a bad one is an error naming the
// item.
func TestConfig(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		env        string
		wantStatus int
		wantOut    string
		wantErr    string
	}{
		{name: "print", args: []string{"--print-config"}, env: "PYRO_NS_PORT=9999", wantOut: "\nPYRO_NS_PORT=9999\n"},
		{name: "bad env", env: "PYRO_PORT=x", wantStatus: 1, wantErr: `pyro-genguid: config: environment variable PYRO_PORT: invalid integer value "x"`},
		{name: "no effect", env: "PYRO_STDLOGGING=1", wantOut: "\n", wantErr: "pyro-genguid: warning: PYRO_STDLOGGING=1 (from environment) has no effect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], tt.args...)
			cmd.Dir = t.TempDir()
			for _, kv := range os.Environ() {
				if !strings.HasPrefix(kv, "PYRO") {
					cmd.Env = append(cmd.Env, kv)
				}
			}
			cmd.Env = append(cmd.Env, "GOPYRO_RUN_GENGUID=1", tt.env)
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			status := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				status = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if status != tt.wantStatus {
				t.Errorf("status %d, want %d (stderr %q)", status, tt.wantStatus, stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.wantOut) {
				t.Errorf("stdout %q, want it to contain %q", stdout.String(), tt.wantOut)
			}
			if !strings.Contains(stderr.String(), tt.wantErr) || (tt.wantErr == "" && stderr.Len() > 0) {
				t.Errorf("stderr %q, want %q", stderr.String(), tt.wantErr)
			}
		})
	}
}
