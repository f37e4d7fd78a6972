package main

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
)

// The test binary runs as pyro-echo when GOPYRO_RUN_ECHO is set, so that
// each run loads its configuration afresh, as the real program does.
func TestMain(m *testing.M) {
	if os.Getenv("GOPYRO_RUN_ECHO") == "1" {
		main()
	}
	os.Exit(m.Run())
}

// echoCmd returns a command running pyro-echo with args in dir, with the
// environment's PYRO_* variables replaced by env.
func echoCmd(t *testing.T, ctx context.Context, dir string, env []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(), "GOPYRO_RUN_ECHO=1")
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PYRO") {
			env = append(env, kv)
		}
	}
	return env
}

// settings returns the NAME=VALUE lines after "Active configuration
// settings:", as `python -m Pyro.configuration` prints them.
func settings(t *testing.T, out string) map[string]string {
	t.Helper()
	lines := strings.Split(out, "\n")
	start := -1
	for i, l := range lines {
		if l == "Active configuration settings:" {
			start = i + 1
			break
		}
	}
	if start < 0 {
		t.Fatalf("no configuration in output:\n%s", out)
	}
	m := map[string]string{}
	for _, l := range lines[start:] {
		name, value, ok := strings.Cut(l, "=")
		if !ok || strings.HasPrefix(l, " ") {
			break
		}
		if !strings.HasPrefix(name, "_") {
			m[name] = value
		}
	}
	return m
}

func python2(t *testing.T) string {
	t.Helper()
	py := os.Getenv("GOPYRO_PY2")
	if py == "" {
		home, _ := os.UserHomeDir()
		py = filepath.Join(home, ".pyenv", "versions", "2.7.18", "bin", "python")
	}
	if err := exec.Command(py, "-c", "import Pyro.configuration").Run(); err != nil {
		t.Skipf("Python 2.7 with Pyro 3.16 not available (%s): %v", py, err)
	}
	return py
}

// pyro-echo --print-config prints the configuration real Pyro 3.16 reports
// for the same directory (./Pyro.conf) and environment.
func TestPrintConfigLikePyro(t *testing.T) {
	py := python2(t)
	conf := "# test\nPYRO_PORT=7010\nPYRO_NS_DEFAULTGROUP=:Echo\nPYRO_COMPRESSION=1\nPYRO_LOGFILE=$STORAGE/echo.log\nPYROSSL_CERT = echo.pem\n"
	tests := []struct {
		name string
		conf string
		env  []string
	}{
		{name: "defaults"},
		{name: "file", conf: conf},
		{name: "env over file", conf: conf, env: []string{"PYRO_PORT=7020", "PYRO_TRACELEVEL=3", "PYRO_HOST=127.0.0.1", "PYRO_XML_PICKLE=gnosis"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.conf != "" {
				if err := os.WriteFile(filepath.Join(dir, "Pyro.conf"), []byte(tt.conf), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			out, err := echoCmd(t, ctx, dir, tt.env, "--print-config").Output()
			if err != nil {
				t.Fatalf("pyro-echo --print-config: %v", err)
			}
			cmd := exec.CommandContext(ctx, py, "-m", "Pyro.configuration")
			cmd.Dir = dir
			cmd.Env = append(append(cleanEnv(), "PYTHONDONTWRITEBYTECODE=1"), tt.env...)
			pyOut, err := cmd.Output()
			if err != nil {
				t.Fatalf("python -m Pyro.configuration: %v", err)
			}
			want := settings(t, string(pyOut))
			if len(want) != 45 { // 44 items and PYRO_CONFIG_FILE
				t.Fatalf("Pyro printed %d items, want 45:\n%s", len(want), pyOut)
			}
			if diff := cmp.Diff(want, settings(t, string(out))); diff != "" {
				t.Errorf("pyro-echo --print-config (-Pyro +ours):\n%s", diff)
			}
		})
	}
}

// A malformed configuration stops pyro-echo with status 1 and a message
// naming the file, line and item.
func TestBadConfig(t *testing.T) {
	tests := []struct {
		name    string
		conf    string
		env     []string
		wantErr string // %s = the config file
	}{
		{name: "bad int", conf: "PYRO_HOST=127.0.0.1\nPYRO_PORT=77x\n", wantErr: `pyro-echo: config: %s:2: PYRO_PORT: invalid integer value "77x"`},
		{name: "unknown item", conf: "# c\n\nPYRO_PROT=7766\n", wantErr: `pyro-echo: config: %s:3: PYRO_PROT: unknown config item`},
		{name: "bad env", env: []string{"PYRO_COMPRESSION=yes"}, wantErr: `pyro-echo: config: environment variable PYRO_COMPRESSION: invalid integer value "yes"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "Pyro.conf")
			if tt.conf != "" {
				if err := os.WriteFile(file, []byte(tt.conf), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			for _, args := range [][]string{{"-H", "127.0.0.1"}, {"--print-config"}} {
				cmd := echoCmd(t, ctx, dir, tt.env, args...)
				var stderr strings.Builder
				cmd.Stderr = &stderr
				err := cmd.Run()
				var ee *exec.ExitError
				if !errors.As(err, &ee) || ee.ExitCode() != 1 {
					t.Errorf("pyro-echo %q: %v, want exit status 1", args, err)
				}
				want := strings.ReplaceAll(tt.wantErr, "%s", file)
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("pyro-echo %q stderr = %q, want %q", args, stderr.String(), want)
				}
			}
		})
	}
}

// pyro-echo serves echo and error; PYRO_PUBLISHHOST from the environment
// goes into its URI.
func TestServe(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := echoCmd(t, ctx, t.TempDir(), []string{"PYRO_PUBLISHHOST=127.0.0.1"}, "-H", "127.0.0.1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	uriLine := regexp.MustCompile(`^echo uri = (PYRO://127\.0\.0\.1:\d+/[0-9a-f]+)$`)
	var uri string
	sc := bufio.NewScanner(stdout)
	for uri == "" && sc.Scan() {
		if m := uriLine.FindStringSubmatch(sc.Text()); m != nil {
			uri = m[1]
		}
	}
	if uri == "" {
		t.Fatalf("no PYRO URI printed (%v)", sc.Err())
	}
	p, err := core.NewProxy(uri)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	got, err := core.CallAs[[]any](ctx, p, "echo", []any{int64(1), "two"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]any{int64(1), "two"}, got); diff != "" {
		t.Errorf("echo (-want +got):\n%s", diff)
	}
	_, err = p.Call(ctx, "error")
	var ex *compat.Exception
	if !errors.As(err, &ex) || ex.Class.Name != "ZeroDivisionError" {
		t.Errorf("error() raised %v, want ZeroDivisionError", err)
	}
}
