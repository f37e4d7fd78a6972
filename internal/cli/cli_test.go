package cli

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gopyro/gopyro/config"
)

func load(t *testing.T, env map[string]string) *config.Config {
	t.Helper()
	t.Chdir(t.TempDir()) // no ./Pyro.conf
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestStart(t *testing.T) {
	badFile := &config.Error{Item: "PYRO_PORT", Value: "x", File: "/etc/Pyro.conf", Line: 3, Err: config.ErrInvalidInt}
	tests := []struct {
		name       string
		args       []string
		env        map[string]string
		cfgErr     error
		wantRest   []string
		wantStatus int
		wantOK     bool
		wantOut    []string // lines stdout must contain
		wantErr    []string // lines stderr must contain
	}{
		{name: "no flags", args: []string{"-p", "7"}, wantRest: []string{"-p", "7"}, wantOK: true},
		{name: "print", args: []string{"-p", "7", "--print-config"}, env: map[string]string{"PYRO_PORT": "7001"},
			wantRest: []string{"-p", "7"}, wantOut: []string{"Active configuration settings:", "PYRO_PORT=7001", "  PYRO_PORT from environment"}},
		{name: "print single dash", args: []string{"-print-config"}, wantRest: []string{}, wantOut: []string{"PYRO_NS_PORT=9090"}},
		{name: "after --", args: []string{"--", "--print-config"}, wantRest: []string{"--", "--print-config"}, wantOK: true},
		{name: "config error", args: []string{"--print-config"}, cfgErr: badFile, wantRest: []string{}, wantStatus: 1,
			wantErr: []string{`prog: config: /etc/Pyro.conf:3: PYRO_PORT: invalid integer value "x"`}},
		{name: "no effect", env: map[string]string{"PYRO_XML_PICKLE": "gnosis"}, wantRest: []string{}, wantOK: true,
			wantErr: []string{"prog: warning: PYRO_XML_PICKLE=gnosis (from environment) has no effect: XML pickling (gnosis) is not supported; gopyro always sends pickles"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := load(t, tt.env)
			var stdout, stderr strings.Builder
			got, rest, status, ok := start("prog", tt.args, &stdout, &stderr, cfg, tt.cfgErr)
			if diff := cmp.Diff(tt.wantRest, rest); diff != "" {
				t.Errorf("rest (-want +got):\n%s", diff)
			}
			if status != tt.wantStatus || ok != tt.wantOK {
				t.Errorf("status, ok = %d, %v; want %d, %v", status, ok, tt.wantStatus, tt.wantOK)
			}
			if tt.cfgErr == nil && got != cfg {
				t.Errorf("returned config %p, want %p", got, cfg)
			}
			checkLines(t, "stdout", stdout.String(), tt.wantOut)
			checkLines(t, "stderr", stderr.String(), tt.wantErr)
		})
	}
}

func checkLines(t *testing.T, what, out string, want []string) {
	t.Helper()
	if len(want) == 0 && out != "" {
		t.Errorf("%s = %q, want nothing", what, out)
	}
	lines := strings.Split(out, "\n")
	for _, w := range want {
		found := false
		for _, l := range lines {
			found = found || l == w
		}
		if !found {
			t.Errorf("%s has no line %q:\n%s", what, w, out)
		}
	}
}

func TestSetupError(t *testing.T) {
	want := errors.New("config: environment variable PYRO_PORT: invalid integer value")
	var stderr strings.Builder
	if _, err := setup("prog", &stderr, config.Defaults(), want); err != want {
		t.Errorf("setup error %v, want %v", err, want)
	}
}
