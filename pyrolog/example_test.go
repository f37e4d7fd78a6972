package pyrolog_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/gopyro/gopyro/config"
	"github.com/gopyro/gopyro/pyrolog"
)

// A program sets the loggers up once from its configuration; packages keep
// loggers with their source attached.
func ExampleSetup() {
	cfg := config.Current()
	if err := pyrolog.Setup(cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	log := pyrolog.System().With(pyrolog.Source("NameServer"))
	log.Info("started", "port", cfg.NSPort) // a NOTE line at PYRO_TRACELEVEL=3
}

// On hot paths, guard log calls whose arguments cost something to build.
func ExampleSystem() {
	log := pyrolog.System().With(pyrolog.Source("Daemon"))
	ctx := context.Background()
	args := []any{1, "two"}
	if log.Enabled(ctx, slog.LevelInfo) {
		log.Info("invoke", "method", "echo", "args", fmt.Sprint(args...))
	}
}

// NewHandler writes Pyro-style lines anywhere, e.g. to stderr for a verbose
// flag.
func ExampleNewHandler() {
	var b strings.Builder
	log := slog.New(pyrolog.NewHandler(&b, &slog.HandlerOptions{Level: pyrolog.Level(3)}))
	log.Warn("no name server found", pyrolog.Source("NameServerLocator"), "retries", 1)
	_, rest, _ := strings.Cut(b.String(), "] ") // drop time, pid and goroutine
	fmt.Print(rest)
	// Output: ** WARN ** NameServerLocator ** no name server found retries=1
}
