package protocol5

import (
	"bytes"
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/gopyro/gopyro/internal/frametest"
)

// Options.Compress follows Pyro 5: data over 100 bytes is compressed (even
// when that makes it longer), shorter data and annotations never.
func TestWriteCompression(t *testing.T) {
	random := make([]byte, 200)
	for i := range random {
		random[i] = byte(i*7919 + i*i*31)
	}
	tests := []struct {
		name       string
		compress   bool
		data       []byte
		flags      Flags
		compressed bool
	}{
		{"off", false, bytes.Repeat([]byte("a"), 500), 0, false},
		{"100 bytes", true, bytes.Repeat([]byte("a"), 100), 0, false},
		{"101 bytes", true, bytes.Repeat([]byte("a"), 101), 0, true},
		{"incompressible", true, random, 0, true},
		{"already compressed", true, []byte("opaque data that is longer than one hundred bytes, sent as the caller compressed it, untouched......"), FlagCompressed, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bc := frametest.NewBytesConn(nil)
			c := NewConn(bc, Options{Compress: tt.compress})
			m := &Message{Type: TypeResult, Serializer: SerializerJSON, Flags: tt.flags | FlagCorrID, Seq: 7,
				CorrID: [16]byte{1, 2, 3}, Annotations: []Annotation{{ID: "XTRA", Value: bytes.Repeat([]byte("b"), 300)}}, Data: tt.data}
			orig := *m
			if err := c.WriteMessage(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			if m.Flags != orig.Flags || !bytes.Equal(m.Data, orig.Data) {
				t.Error("WriteMessage modified the message")
			}
			sent, err := ReadMessage(bytes.NewReader(bc.Out.Bytes()), 0)
			if err != nil {
				t.Fatal(err)
			}
			if got := sent.Flags&FlagCompressed != 0; got != tt.compressed {
				t.Errorf("sent compressed = %v, want %v", got, tt.compressed)
			}
			if v, _ := sent.Annotation("XTRA"); !bytes.Equal(v, orig.Annotations[0].Value) {
				t.Error("annotation changed on the wire")
			}
			if tt.flags&FlagCompressed != 0 {
				if !bytes.Equal(sent.Data, tt.data) {
					t.Error("pre-compressed data changed")
				}
				return
			}
			got, err := NewConn(frametest.NewBytesConn(bc.Out.Bytes()), Options{}).ReadMessage(context.Background())
			if err != nil || !bytes.Equal(got.Data, tt.data) || got.Flags != FlagCorrID || got.Seq != 7 || got.CorrID != orig.CorrID {
				t.Errorf("read back %+v, %v", got, err)
			}
		})
	}
}

func TestWriteLimit(t *testing.T) {
	c := NewConn(frametest.NewBytesConn(nil), Options{MaxMessageSize: 100})
	m := &Message{Type: TypeInvoke, Annotations: []Annotation{{ID: "XTRA", Value: make([]byte, 50)}}, Data: make([]byte, 42)}
	if err := c.WriteMessage(context.Background(), m); err != nil {
		t.Fatalf("100 bytes: %v", err)
	}
	m.Data = append(m.Data, 0)
	err := c.WriteMessage(context.Background(), m)
	if !errors.Is(err, ErrTooLarge) || err.Error() != "message too large (101, max=100)" {
		t.Errorf("101 bytes: %v", err)
	}
}

// A compressed body that inflates beyond the limit is refused.
func TestReadInflateLimit(t *testing.T) {
	bc := frametest.NewBytesConn(nil)
	if err := NewConn(bc, Options{Compress: true}).WriteMessage(context.Background(),
		&Message{Type: TypeResult, Data: make([]byte, 10000)}); err != nil {
		t.Fatal(err)
	}
	_, err := NewConn(frametest.NewBytesConn(bc.Out.Bytes()), Options{MaxMessageSize: 9999}).ReadMessage(context.Background())
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("err = %v, want ErrTooLarge", err)
	}
}

// Messages cross a real connection both ways, small and large (the large
// one goes out as header and data without a copy).
func TestConnPipe(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	ca, cb := NewConn(a, Options{IOTimeout: 5 * time.Second}), NewConn(b, Options{IOTimeout: 5 * time.Second})
	large := bytes.Repeat([]byte("0123456789"), 100000)
	for _, data := range [][]byte{[]byte("ping"), large, nil} {
		errc := make(chan error, 1)
		go func() {
			errc <- ca.WriteMessage(context.Background(), &Message{Type: TypePing, Serializer: 42, Data: data})
		}()
		m, err := cb.ReadMessage(context.Background())
		if err != nil || !bytes.Equal(m.Data, data) || m.Serializer != 42 {
			t.Fatalf("%d bytes: got %d bytes, %v", len(data), len(m.Data), err)
		}
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
}

func TestConnDeadlines(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		ctx  func() (context.Context, context.CancelFunc)
		kind error
		text string
	}{
		{"IOTimeout", Options{IOTimeout: 20 * time.Millisecond}, func() (context.Context, context.CancelFunc) {
			return context.WithCancel(context.Background())
		}, ErrTimeout, "connection timeout receiving"},
		{"context deadline", Options{}, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 20*time.Millisecond)
		}, ErrTimeout, "connection timeout receiving"},
		{"canceled", Options{}, func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(20*time.Millisecond, cancel)
			return ctx, cancel
		}, ErrCanceled, "canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := net.Pipe()
			defer a.Close()
			defer b.Close()
			// Half a header, then silence.
			go b.Write(header(TypeInvoke, 0, 0, 0, Magic)[:20])
			ctx, cancel := tt.ctx()
			defer cancel()
			_, err := NewConn(a, tt.opts).ReadMessage(ctx)
			if !errors.Is(err, tt.kind) || err.Error() != tt.text {
				t.Errorf("err = %v, want %q", err, tt.text)
			}
		})
	}
}

func TestWriteClosed(t *testing.T) {
	a, b := net.Pipe()
	b.Close()
	err := NewConn(a, Options{}).WriteMessage(context.Background(), &Message{Type: TypePing})
	if !errors.Is(err, ErrConnection) {
		t.Errorf("err = %v, want ErrConnection", err)
	}
}
