package pyrolog

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gopyro/gopyro/config"
)

func TestLevel(t *testing.T) {
	tests := []struct {
		trace int
		want  slog.Level
	}{
		{-1, LevelOff}, {0, LevelOff}, {1, slog.LevelError}, {2, slog.LevelWarn},
		{3, slog.LevelInfo}, {4, slog.LevelDebug}, {9, slog.LevelDebug},
	}
	for _, tt := range tests {
		if got := Level(tt.trace); got != tt.want {
			t.Errorf("Level(%d) = %v, want %v", tt.trace, got, tt.want)
		}
	}
}

// linePrefix matches the time, pid and goroutine columns.
var linePrefix = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[` + strconv.Itoa(os.Getpid()) + `:(main|g\d+)\] `)

// stripPrefix checks and removes the time/pid/goroutine columns of each line.
func stripPrefix(t *testing.T, out string) []string {
	t.Helper()
	var lines []string
	for _, l := range strings.SplitAfter(out, "\n") {
		if l == "" {
			continue
		}
		loc := linePrefix.FindStringIndex(l)
		if loc == nil {
			t.Fatalf("line %q does not start like a Pyro log line", l)
		}
		lines = append(lines, l[loc[1]:])
	}
	return lines
}

func TestHandlerFormat(t *testing.T) {
	var b bytes.Buffer
	log := slog.New(NewHandler(&b, &slog.HandlerOptions{Level: slog.LevelDebug}))
	log.Info("no source")
	log.Warn("started", Source("NameServer"), "port", 9090)
	log.With(Source("Daemon"), "conn", 3).Error("closed", "err", errors.New("peer reset"), "empty", "")
	log.WithGroup("req").With("id", 7).Debug("call", slog.Group("arg", "n", 1, "s", `a "b"`), Source("in group"))
	log.Info("with = sign", "k", "a=b", "u", "ünïcode")
	want := []string{
		"** NOTE ** N/A ** no source\n",
		"** WARN ** NameServer ** started port=9090\n",
		`** ERR! ** Daemon ** closed conn=3 err="peer reset" empty=""` + "\n",
		`** DEBUG ** N/A ** call req.id=7 req.arg.n=1 req.arg.s="a \"b\"" req.src="in group"` + "\n",
		`** NOTE ** N/A ** with = sign k="a=b" u=ünïcode` + "\n",
	}
	if diff := cmp.Diff(want, stripPrefix(t, b.String())); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
}

func TestHandlerLevel(t *testing.T) {
	var b bytes.Buffer
	log := slog.New(NewHandler(&b, &slog.HandlerOptions{Level: Level(2)}))
	log.Info("note")
	log.Debug("debug")
	log.Warn("warn")
	log.Error("err")
	want := []string{"** WARN ** N/A ** warn\n", "** ERR! ** N/A ** err\n"}
	if diff := cmp.Diff(want, stripPrefix(t, b.String())); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
}

func TestMainGoroutine(t *testing.T) {
	if got := string(appendGoroutine(nil)); !regexp.MustCompile(`^g\d+$`).MatchString(got) || got == "g1" {
		t.Errorf("test goroutine shown as %q, want g<n> (n != 1)", got)
	}
}

// testConfig returns defaults with storage in a fresh directory, and resets
// the loggers at the end of the test.
func testConfig(t *testing.T) *config.Config {
	t.Helper()
	t.Cleanup(func() {
		if err := Setup(config.Defaults()); err != nil {
			t.Error(err)
		}
	})
	c := config.Defaults()
	c.Storage = t.TempDir()
	c.LogFile = filepath.Join(c.Storage, "Pyro_log")
	c.UserLogFile = filepath.Join(c.Storage, "Pyro_userlog")
	return c
}

func readLines(t *testing.T, name string) []string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return stripPrefix(t, string(data))
}

func TestSetup(t *testing.T) {
	c := testConfig(t)
	c.TraceLevel = 2
	c.LogFile = "sys.log" // relative: inside Storage, as in Pyro
	c.UserTraceLevel = 3
	sysFile := filepath.Join(c.Storage, "sys.log")
	if err := os.WriteFile(sysFile, []byte("old line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Setup(c); err != nil {
		t.Fatal(err)
	}
	System().Info("not logged at level 2")
	System().Warn("warned", Source("test"))
	System().Error("failed", Source("test"))
	User().Info("user note")
	User().Debug("not logged at level 3")

	data, err := os.ReadFile(sysFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "old line\n") {
		t.Fatalf("log file not appended to:\n%s", data)
	}
	want := []string{"** WARN ** test ** warned\n", "** ERR! ** test ** failed\n"}
	if diff := cmp.Diff(want, stripPrefix(t, string(data[len("old line\n"):]))); diff != "" {
		t.Errorf("system log (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"** NOTE ** N/A ** user note\n"}, readLines(t, c.UserLogFile)); diff != "" {
		t.Errorf("user log (-want +got):\n%s", diff)
	}

	// A logger obtained before follows a new Setup.
	sys := System()
	c.TraceLevel = 0
	if err := Setup(c); err != nil {
		t.Fatal(err)
	}
	if sys.Enabled(context.Background(), slog.LevelError) {
		t.Error("system logger enabled at trace level 0")
	}
	sys.Error("dropped")
	if after, err := os.ReadFile(sysFile); err != nil || !bytes.Equal(after, data) {
		t.Errorf("log file changed at level 0 (err %v):\n%s", err, after)
	}
}

func TestSetupLevelZeroCreatesNoFile(t *testing.T) {
	c := testConfig(t)
	if err := Setup(c); err != nil {
		t.Fatal(err)
	}
	System().Error("dropped")
	User().Error("dropped")
	entries, err := os.ReadDir(c.Storage)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("files created at level 0: %v", entries)
	}
}

func TestSetupBadFile(t *testing.T) {
	c := testConfig(t)
	c.TraceLevel = 3
	c.LogFile = filepath.Join(c.Storage, "missing", "log")
	err := Setup(c)
	if !errors.Is(err, os.ErrNotExist) || !strings.HasPrefix(err.Error(), "PYRO_LOGFILE: ") {
		t.Fatalf("err = %v, want PYRO_LOGFILE: ... not exist", err)
	}
	if System().Enabled(context.Background(), slog.LevelError) {
		t.Error("system logger left enabled without a file")
	}
}

func TestSetupLogsWarnings(t *testing.T) {
	c := testConfig(t)
	c.TraceLevel = 2
	c.XMLPickle = "gnosis"
	if err := Setup(c); err != nil {
		t.Fatal(err)
	}
	got := readLines(t, c.LogFile)
	if len(got) != 1 || !strings.HasPrefix(got[0], "** WARN ** config ** PYRO_XML_PICKLE=gnosis (from code) has no effect") {
		t.Errorf("system log = %q, want the PYRO_XML_PICKLE warning", got)
	}
}

// TestOffAllocatesNothing is the pass/fail side of BenchmarkOff.
func TestOffAllocatesNothing(t *testing.T) {
	c := testConfig(t)
	if err := Setup(c); err != nil {
		t.Fatal(err)
	}
	log := System().With(Source("Daemon"))
	ctx := context.Background()
	allocs := testing.AllocsPerRun(100, func() {
		log.Info("request handled")
		log.LogAttrs(ctx, slog.LevelError, "failed", slog.String("method", "echo"))
		if log.Enabled(ctx, slog.LevelInfo) {
			log.Info("never", "n", len(c.Host))
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per call at trace level 0, want 0", allocs)
	}
}
