package pyrolog

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gopyro/gopyro/config"
)

// SourceKey is the attribute key of the source shown in Pyro's source column.
const SourceKey = "src"

// Source returns the attribute naming the source of a log line, the part
// Pyro shows between the level and the message ("NameServer", "Daemon", ...).
func Source(name string) slog.Attr { return slog.String(SourceKey, name) }

// LevelOff is above every level: a handler at LevelOff logs nothing.
const LevelOff = slog.Level(math.MaxInt32)

// Level maps a Pyro trace level to the lowest slog level it logs: 0 (or
// less) LevelOff, 1 errors, 2 warnings, 3 info (Pyro's notes), 4 or more
// debug.
func Level(trace int) slog.Level {
	switch {
	case trace <= 0:
		return LevelOff
	case trace == 1:
		return slog.LevelError
	case trace == 2:
		return slog.LevelWarn
	case trace == 3:
		return slog.LevelInfo
	}
	return slog.LevelDebug
}

// output is where a handler writes; shared by the handlers derived from one
// another with WithAttrs and WithGroup.
type output struct {
	level slog.Leveler
	lv    *slog.LevelVar // level, for System and User
	mu    sync.Mutex
	w     io.Writer
	file  *os.File // owned, closed when replaced (System and User only)
}

// set replaces the writer and level, closing a previously owned file.
func (o *output) set(level slog.Level, f *os.File) {
	o.mu.Lock()
	old := o.file
	o.file = f
	if f == nil {
		o.w = nil
	} else {
		o.w = f
	}
	o.lv.Set(level)
	o.mu.Unlock()
	if old != nil {
		old.Close()
	}
}

func newOutput() *output {
	lv := new(slog.LevelVar)
	lv.Set(LevelOff)
	return &output{level: lv, lv: lv}
}

var (
	systemOut = newOutput()
	userOut   = newOutput()
	system    = slog.New(&handler{out: systemOut})
	user      = slog.New(&handler{out: userOut})
	autoSetup sync.Once
)

// System returns the system logger (Pyro's Pyro.util.Log), set up from
// config.Current on first use unless Setup was called before.
func System() *slog.Logger {
	auto()
	return system
}

// User returns the user logger (Pyro's Pyro.util.UserLogger), set up like
// System.
func User() *slog.Logger {
	auto()
	return user
}

func auto() {
	autoSetup.Do(func() {
		if err := setup(config.Current()); err != nil {
			fmt.Fprintln(os.Stderr, "pyrolog:", err)
		}
	})
}

// Setup configures the system and user loggers from cfg (nil means
// config.Current()): their levels from TraceLevel and UserTraceLevel, their
// files from LogFile and UserLogFile (relative names inside Storage), opened
// for appending when the level is above 0. It then logs cfg.Warnings() as
// warnings of the system log. A logger whose file cannot be opened is left
// off and the error returned. Call Setup again after changing the
// configuration: loggers do not watch it.
func Setup(cfg *config.Config) error {
	autoSetup.Do(func() {})
	if cfg == nil {
		cfg = config.Current()
	}
	err := setup(cfg)
	for _, w := range cfg.Warnings() {
		system.LogAttrs(context.Background(), slog.LevelWarn, w, Source("config"))
	}
	return err
}

func setup(cfg *config.Config) error {
	return errors.Join(
		configure(systemOut, cfg.TraceLevel, cfg.LogFile, cfg.Storage, "PYRO_LOGFILE"),
		configure(userOut, cfg.UserTraceLevel, cfg.UserLogFile, cfg.Storage, "PYRO_USER_LOGFILE"))
}

func configure(o *output, trace int, file, storage, item string) error {
	level := Level(trace)
	if level == LevelOff {
		o.set(LevelOff, nil)
		return nil
	}
	if !filepath.IsAbs(file) {
		file = filepath.Join(storage, file)
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o666)
	if err != nil {
		o.set(LevelOff, nil)
		return fmt.Errorf("%s: %w", item, err)
	}
	o.set(level, f)
	return nil
}

// NewHandler returns a handler writing Pyro-style lines (see the package
// documentation) to w. opts.Level is the minimum level (nil: slog.LevelInfo);
// the other options are not used. The handler serialises its writes.
func NewHandler(w io.Writer, opts *slog.HandlerOptions) slog.Handler {
	var level slog.Leveler = slog.LevelInfo
	if opts != nil && opts.Level != nil {
		level = opts.Level
	}
	return &handler{out: &output{level: level, w: w}}
}

// handler formats Pyro-style lines.
type handler struct {
	out    *output
	src    string // source set with WithAttrs
	pre    []byte // preformatted attributes, each with a leading space
	prefix string // open groups, "a.b."
}

func (h *handler) Enabled(_ context.Context, l slog.Level) bool {
	return l >= h.out.level.Level()
}

var pid = os.Getpid()

func (h *handler) Handle(_ context.Context, r slog.Record) error {
	buf := make([]byte, 0, 256)
	t := r.Time
	if t.IsZero() {
		t = time.Now()
	}
	buf = t.Local().AppendFormat(buf, "2006-01-02 15:04:05")
	buf = append(buf, " ["...)
	buf = strconv.AppendInt(buf, int64(pid), 10)
	buf = append(buf, ':')
	buf = appendGoroutine(buf)
	buf = append(buf, "] ** "...)
	buf = append(buf, label(r.Level)...)
	buf = append(buf, " ** "...)
	src := h.src
	var attrs []byte
	r.Attrs(func(a slog.Attr) bool {
		if h.prefix == "" && a.Key == SourceKey {
			src = a.Value.Resolve().String()
			return true
		}
		attrs = appendAttr(attrs, h.prefix, a)
		return true
	})
	if src == "" {
		src = "N/A"
	}
	buf = append(buf, src...)
	buf = append(buf, " ** "...)
	buf = append(buf, r.Message...)
	buf = append(buf, h.pre...)
	buf = append(buf, attrs...)
	buf = append(buf, '\n')

	h.out.mu.Lock()
	defer h.out.mu.Unlock()
	if h.out.w == nil {
		return nil
	}
	_, err := h.out.w.Write(buf)
	return err
}

func (h *handler) WithAttrs(as []slog.Attr) slog.Handler {
	if len(as) == 0 {
		return h
	}
	h2 := *h
	h2.pre = append([]byte(nil), h.pre...)
	for _, a := range as {
		if h.prefix == "" && a.Key == SourceKey {
			h2.src = a.Value.Resolve().String()
			continue
		}
		h2.pre = appendAttr(h2.pre, h.prefix, a)
	}
	return &h2
}

func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	h2 := *h
	h2.prefix = h.prefix + name + "."
	return &h2
}

// label is Pyro's level column.
func label(l slog.Level) string {
	switch {
	case l >= slog.LevelError:
		return "ERR!"
	case l >= slog.LevelWarn:
		return "WARN"
	case l >= slog.LevelInfo:
		return "NOTE"
	}
	return "DEBUG"
}

// appendAttr appends " key=value" (groups flattened to prefix.key).
func appendAttr(buf []byte, prefix string, a slog.Attr) []byte {
	v := a.Value.Resolve()
	if v.Kind() == slog.KindGroup {
		if a.Key != "" {
			prefix += a.Key + "."
		}
		for _, g := range v.Group() {
			buf = appendAttr(buf, prefix, g)
		}
		return buf
	}
	if a.Equal(slog.Attr{}) {
		return buf
	}
	buf = append(buf, ' ')
	buf = append(buf, prefix...)
	buf = append(buf, a.Key...)
	buf = append(buf, '=')
	var s string
	switch v.Kind() {
	case slog.KindTime:
		s = v.Time().Format(time.RFC3339Nano)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			s = err.Error()
		} else {
			s = v.String()
		}
	default:
		s = v.String()
	}
	if needsQuote(s) {
		return strconv.AppendQuote(buf, s)
	}
	return append(buf, s...)
}

func needsQuote(s string) bool {
	if s == "" {
		return true
	}
	for _, r := range s {
		if r <= ' ' || r == '=' || r == '"' || r == utf8.RuneError || r == 0x7f || !strconv.IsPrint(r) {
			return true
		}
	}
	return false
}

// appendGoroutine appends "main" for the main goroutine, else g<id>. The id
// is read from the goroutine's stack header: there is no other way, and it
// is only done for lines that are written.
func appendGoroutine(buf []byte) []byte {
	var stk [64]byte
	b := stk[:runtime.Stack(stk[:], false)]
	const head = "goroutine "
	if len(b) < len(head) {
		return append(buf, '?')
	}
	b = b[len(head):]
	n := 0
	for n < len(b) && '0' <= b[n] && b[n] <= '9' {
		n++
	}
	if string(b[:n]) == "1" {
		return append(buf, "main"...)
	}
	buf = append(buf, 'g')
	return append(buf, b[:n]...)
}
