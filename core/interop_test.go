package core_test

// Go client → real Pyro 3.16 daemon (Python 2.7), and a Go daemon
// registered in the real Pyro name server. Skipped only when Python 2.7 with
// Pyro is not installed.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/ns"
	"github.com/gopyro/gopyro/pickle"
)

func python2(t testing.TB) string {
	t.Helper()
	candidates := []string{os.Getenv("GOPYRO_PY2")}
	if home, err := os.UserHomeDir(); err == nil {
		candidates = append(candidates, filepath.Join(home, ".pyenv", "versions", "2.7.18", "bin", "python"))
	}
	if p, err := exec.LookPath("python2.7"); err == nil {
		candidates = append(candidates, p)
	}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if _, err := os.Stat(c); err == nil {
			return c
		}
	}
	t.Skip("python2.7 with Pyro 3.16 not installed")
	return ""
}

var py2Dir, _ = filepath.Abs(filepath.Join("..", "interop_tests", "py2"))

// startPy2 runs a py2/ script for the rest of the test and returns the
// lines it printed before "READY".
func startPy2(t testing.TB, script string, args ...string) []string {
	t.Helper()
	py := python2(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	cmd := exec.CommandContext(ctx, py, append([]string{filepath.Join(py2Dir, script)}, args...)...)
	cmd.Env = append(os.Environ(), "PYTHONPATH="+py2Dir, "PYTHONDONTWRITEBYTECODE=1", "PYRO_STORAGE="+t.TempDir())
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
	})
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var got []string
	timeout := time.After(30 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("%s exited before READY: %q", script, got)
			}
			if l == "READY" {
				go func() {
					for range lines {
					}
				}()
				return got
			}
			got = append(got, l)
		case <-timeout:
			t.Fatalf("%s: no READY after 30s: %q", script, got)
		}
	}
}

func runPy2(t testing.TB, script string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python2(t), append([]string{filepath.Join(py2Dir, script)}, args...)...)
	cmd.Env = append(os.Environ(), "PYTHONPATH="+py2Dir, "PYTHONDONTWRITEBYTECODE=1", "PYRO_STORAGE="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", script, err, out)
	}
	return strings.TrimSpace(string(out))
}

func pyServer(t testing.TB, args ...string) compat.URI {
	t.Helper()
	lines := startPy2(t, "core_pyserver.py", append([]string{"120"}, args...)...)
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "URI ") {
		t.Fatalf("core_pyserver.py printed %q", lines)
	}
	u, err := compat.ParseURI(strings.TrimPrefix(lines[0], "URI "))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestInteropGoClientPythonServer(t *testing.T) {
	uri := pyServer(t)
	ctx := context.Background()
	for _, target := range []string{uri.String(), fmt.Sprintf("PYROLOC://127.0.0.1:%d/:test.py", uri.Port)} {
		p := newProxy(t, target)
		if n, err := core.CallAs[int](ctx, p, "add", 3, 4); err != nil || n != 7 {
			t.Fatalf("%s add: %v %v", target, n, err)
		}
	}
	p := newProxy(t, uri)

	got, err := p.CallKw(ctx, "kw", []any{1, 2, 3, 4}, map[string]any{"d": 5})
	if err != nil {
		t.Fatal(err)
	}
	var kw struct {
		A, B int
		Args []int
		Kw   map[string]int
	}
	tup := got.(pickle.Tuple)
	pickle.Assign(&kw.A, tup[0])
	pickle.Assign(&kw.B, tup[1])
	pickle.Assign(&kw.Args, tup[2])
	pickle.Assign(&kw.Kw, tup[3])
	if kw.A != 1 || kw.B != 2 || fmt.Sprint(kw.Args) != "[3 4]" || kw.Kw["d"] != 5 {
		t.Errorf("kw: %+v", kw)
	}

	_, err = p.Call(ctx, "fail", pickle.ByteString("x"))
	var ex *compat.Exception
	if !errors.As(err, &ex) || ex.Error() != "ValueError: bad value: 'x'" {
		t.Errorf("fail: %v", err)
	} else if tb := strings.Join(ex.Traceback, ""); !strings.Contains(tb, "core_pyserver.py") || !strings.Contains(tb, "in fail") {
		t.Errorf("remote traceback %q", tb)
	}
	_, err = p.Call(ctx, "failcustom")
	if !errors.As(err, &ex) || ex.Class != (pickle.Class{Module: "core_objs", Name: "MyError"}) || len(ex.Args) != 2 {
		t.Errorf("failcustom: %v", err)
	}
	_, err = p.Call(ctx, "failnaming")
	var ne *compat.NamingError
	if !errors.As(err, &ne) {
		t.Errorf("failnaming: %T %v", err, err)
	}
	_, err = p.Call(ctx, "nosuch")
	if !errors.As(err, &ex) || ex.Class.Name != "AttributeError" {
		t.Errorf("nosuch: %v", err)
	}

	// Strings both ways: Go string → unicode, []byte / ByteString → str.
	for _, tc := range []struct {
		v    any
		want string
	}{
		{"gr\u00fc\u00df \u20ac", "unicode"},
		{[]byte{0, 1, 255}, "str"},
		{pickle.ByteString("caf\xe9"), "str"},
		{int64(1) << 40, "int"},
		{[]int{1}, "list"},
		{map[string]int{"a": 1}, "dict"},
	} {
		name, err := core.CallAs[string](ctx, p, "typename", tc.v)
		if err != nil || name != tc.want {
			t.Errorf("typename(%#v) = %q %v, want %q", tc.v, name, err, tc.want)
		}
		back, err := p.Call(ctx, "echo", tc.v)
		if err != nil {
			t.Errorf("echo(%#v): %v", tc.v, err)
		}
		_ = back
	}
	bin := make([]byte, 256)
	for i := range bin {
		bin[i] = byte(i)
	}
	back, err := p.Call(ctx, "echo", bin)
	if err != nil || back != pickle.ByteString(bin) {
		t.Errorf("binary echo: %q %v", back, err)
	}
	uni := "\u00e9\u20ac\U0001F600"
	if back, err := p.Call(ctx, "echo", uni); err != nil || back != uni {
		t.Errorf("unicode echo: %q %v", back, err)
	}

	// Remote attributes of a Python ObjBase.
	if v, err := p.GetAttr(ctx, "value"); err != nil || v != int64(42) {
		t.Errorf("GetAttr: %v %v", v, err)
	}
	if err := p.SetAttr(ctx, "label", "go"); err != nil {
		t.Fatal(err)
	}
	if v, err := core.CallAs[string](ctx, p, "_r_ga", "label"); err != nil || v != "go" {
		t.Errorf("label after SetAttr: %q %v", v, err)
	}
	if m, err := p.IsMethod(ctx, "add"); err != nil || !m {
		t.Errorf("IsMethod(add): %v %v", m, err)
	}

	// Oneway calls, then a normal call sees them (the Python daemon runs
	// each oneway call in its own thread, so order is not guaranteed).
	for i := 0; i < 5; i++ {
		if err := p.Oneway(ctx, "start", i); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var log []int
		if err := p.CallInto(ctx, &log, "getlog"); err != nil {
			t.Fatal(err)
		}
		if len(log) == 5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("oneway calls seen: %v", log)
		}
		time.Sleep(10 * time.Millisecond)
	}

	// A proxy made by Python, used from Go.
	var made *core.Proxy
	if err := p.CallInto(ctx, &made, "makeproxy"); err != nil {
		t.Fatal(err)
	}
	defer made.Close()
	if n, err := core.CallAs[int](ctx, made, "add", 1, 1); err != nil || n != 2 {
		t.Errorf("python-made proxy: %v %v", n, err)
	}

	// Callback: the Python server calls an object served by a Go daemon.
	d := startDaemon(t, core.DaemonOptions{})
	cbProxy, err := d.ProxyFor(&calc{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Call(ctx, "callback", cbProxy, "ping")
	if err != nil {
		t.Fatal(err)
	}
	if want := (pickle.Tuple{pickle.ByteString("python relayed"), "ping"}); fmt.Sprint(res) != fmt.Sprint(want) {
		t.Errorf("callback: %#v", res)
	}

	// Timeout against a slow Python method.
	slow := newProxy(t, uri, core.WithTimeout(100*time.Millisecond))
	_, err = slow.Call(ctx, "sleep", 2)
	var te *compat.TimeoutError
	if !errors.As(err, &te) {
		t.Errorf("timeout: %v", err)
	}
}

func TestInteropIdentification(t *testing.T) {
	uri := pyServer(t, "pw")
	ctx := context.Background()
	_, err := newProxy(t, uri).Call(ctx, "add", 1, 1)
	var de *compat.ConnectionDeniedError
	if !errors.As(err, &de) || de.Message() != "security reasons" {
		t.Errorf("no identification: %v", err)
	}
	if _, err := newProxy(t, uri, core.WithIdentification("pw")).Call(ctx, "add", 1, 1); err != nil {
		t.Errorf("identification: %v", err)
	}
}

func freePort(t testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func TestInteropPythonNameServer(t *testing.T) {
	python2(t)
	nsPort := freePort(t)
	startPy2(t, "core_ns.py", fmt.Sprint(nsPort))
	ctx := context.Background()
	reg, err := ns.NewClient(ns.LocationURI("127.0.0.1", nsPort), "")
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	d, err := core.NewDaemon(core.DaemonOptions{Host: "127.0.0.1", NoRange: true, Registrar: reg, UnregisterOnShutdown: true})
	if err != nil {
		t.Fatal(err)
	}
	go d.Serve(ctx)
	uri, err := d.Connect(&calc{}, "gotest_calc")
	if err != nil {
		t.Fatal(err)
	}
	// A real Pyro client finds the Go object through the Python NS.
	out := runPy2(t, "core_nsclient.py", fmt.Sprint(nsPort), "gotest_calc", "2", "3")
	if out != "5 "+uri.String() {
		t.Errorf("python client through NS: %q", out)
	}
	// A Go PYRONAME proxy resolves through the same NS.
	p := newProxy(t, fmt.Sprintf("PYRONAME://127.0.0.1:%d/gotest_calc", nsPort))
	if n, err := core.CallAs[int](ctx, p, "add", 4, 5); err != nil || n != 9 {
		t.Errorf("PYRONAME: %v %v", n, err)
	}
	if got, err := reg.Resolve(ctx, ":Default.gotest_calc"); err != nil || got != uri {
		t.Errorf("Resolve: %v %v", got, err)
	}
	// Persistent connection reuses the registered GUID.
	if err := reg.Register(ctx, "gotest_persist", compat.URI{Protocol: "PYRO", Address: d.Host(), Port: d.Port(), ObjectID: "oldguid"}); err != nil {
		t.Fatal(err)
	}
	pu, err := d.ConnectPersistent(ctx, &calc{}, "gotest_persist")
	if err != nil || pu.ObjectID != "oldguid" {
		t.Errorf("ConnectPersistent: %v %v", pu, err)
	}
	if err := d.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = reg.Resolve(ctx, "gotest_calc")
	var ne *compat.NamingError
	if !errors.As(err, &ne) {
		t.Errorf("name still registered after Shutdown: %v", err)
	}
	if _, err := reg.Resolve(ctx, "gotest_persist"); err != nil {
		t.Errorf("persistent name unregistered: %v", err)
	}
	out = runPy2(t, "core_nsclient.py", fmt.Sprint(nsPort), "gotest_calc", "2", "3")
	if !strings.HasPrefix(out, "ERROR NamingError") {
		t.Errorf("python client after unregister: %q", out)
	}
}
