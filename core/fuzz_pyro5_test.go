package core

import (
	"bytes"
	"context"
	"iter"
	"log/slog"
	"sync"
	"testing"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/internal/frametest"
	"github.com/gopyro/gopyro/protocol5"
)

// fuzzThing has the methods of the object of Pyro5's captures
// (protocol5/testdata/frames.txt): add, echo, fail, gen (an item stream),
// start (called oneway), and the attribute value.
type fuzzThing struct {
	Value int `pyro:"value"`
}

func (*fuzzThing) Add(a, b int) int      { return a + b }
func (*fuzzThing) Echo(v any) any        { return v }
func (*fuzzThing) Fail(msg string) error { return compat.ValueError(msg) }
func (*fuzzThing) Start(n int)           {}
func (*fuzzThing) Gen(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := range min(n, 100) {
			if !yield(i) {
				return
			}
		}
	}
}

// panicLog fails a fuzz run when the daemon logs an error: a panic while
// serving a connection is recovered and logged, never crashes the daemon.
type panicLog struct {
	mu  sync.Mutex
	msg []string
}

func (*panicLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *panicLog) Handle(_ context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError {
		l.mu.Lock()
		l.msg = append(l.msg, r.Message)
		r.Attrs(func(a slog.Attr) bool {
			l.msg = append(l.msg, a.String())
			return true
		})
		l.mu.Unlock()
	}
	return nil
}
func (l *panicLog) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *panicLog) WithGroup(string) slog.Handler      { return l }

// FuzzPyro5Daemon: any byte stream a client sends to a Pyro 5 daemon is
// answered with well-formed Pyro 5 messages of the types a daemon sends
// (CONNECTOK, CONNECTFAIL, RESULT, PING) or not at all, and the connection
// ends without a panic once the stream does. The seeds are the client
// frames of each connection Pyro5 5.17 made in the captures.
func FuzzPyro5Daemon(f *testing.F) {
	frames := frametest.Load(f, "../protocol5/testdata/frames.txt")
	conns := map[string][]byte{}
	var order []string
	for _, fr := range frames {
		if fr.Dir != "C2S" {
			continue
		}
		if _, ok := conns[fr.Conn]; !ok {
			order = append(order, fr.Conn)
		}
		conns[fr.Conn] = append(conns[fr.Conn], fr.Bytes...)
	}
	for _, c := range order {
		f.Add(conns[c])
	}
	logs := &panicLog{}
	d, err := NewDaemon(DaemonOptions{Host: "127.0.0.1", NoRange: true, Generations: Pyro5, MaxMessageSize: 1 << 16, Logger: slog.New(logs)})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { d.Shutdown(context.Background()) })
	if _, err := d.ConnectWithGUID(context.Background(), &fuzzThing{Value: 42}, "thing", ""); err != nil {
		f.Fatal(err)
	}
	if _, err := d.ConnectWithGUID(context.Background(), NewFactory[*fuzzThing](Session, nil), "session", ""); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		nc := frametest.NewBytesConn(data)
		d.startConn(context.Background(), nc)
		d.wg.Wait()
		logs.mu.Lock()
		defer logs.mu.Unlock()
		if len(logs.msg) > 0 {
			t.Fatalf("the daemon logged %q", logs.msg)
		}
		out := bytes.NewReader(nc.Out.Bytes())
		for out.Len() > 0 {
			m, err := protocol5.ReadMessage(out, 1<<20)
			if err != nil {
				t.Fatalf("the daemon answered a malformed message: %v", err)
			}
			if err := m.Expect(protocol5.TypeConnectOK, protocol5.TypeConnectFail, protocol5.TypeResult, protocol5.TypePing); err != nil {
				t.Fatalf("the daemon answered: %v", err)
			}
		}
	})
}
