package protocol

import (
	"bytes"
	"compress/zlib"
	"context"
	"crypto/rand"
	"errors"
	"hash/adler32"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gopyro/gopyro/internal/frametest"
)

func TestParseHeader(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want Header
		kind error
	}{
		{
			name: "trace 02 reply",
			in:   unhex(t, "5059524f 0005 0012 00000005 0000 00000000"),
			want: Header{Version: 5, HeaderSize: 18, BodySize: 5},
		},
		{
			name: "trace 14 compressed+checksum",
			in:   unhex(t, "5059524f 0005 0012 0000004b 0003 f2b221b6"),
			want: Header{Version: 5, HeaderSize: 18, BodySize: 75, Flags: 3, CRC: -223206986},
		},
		{
			name: "version 4",
			in:   unhex(t, "5059524f 0004 0012 0000003a 0000 00000000"),
			want: Header{Version: 4, HeaderSize: 18, BodySize: 58},
			kind: ErrVersion,
		},
		{
			name: "bad magic",
			in:   unhex(t, "58585858 0005 0012 0000003a 0000 00000000"),
			want: Header{Version: 5, HeaderSize: 18, BodySize: 58},
			kind: ErrHeader,
		},
		{
			name: "version checked before magic",
			in:   unhex(t, "58585858 0004 0011 0000003a 0000 00000000"),
			want: Header{Version: 4, HeaderSize: 17, BodySize: 58},
			kind: ErrVersion,
		},
		{
			name: "header size 17",
			in:   unhex(t, "5059524f 0005 0011 00000000 0000 00000000"),
			want: Header{Version: 5, HeaderSize: 17},
			kind: ErrHeader,
		},
		{
			name: "negative body size",
			in:   unhex(t, "5059524f 0005 0012 ffffffff 0000 00000000"),
			want: Header{Version: 5, HeaderSize: 18, BodySize: -1},
			kind: ErrHeader,
		},
		{
			name: "short",
			in:   unhex(t, "5059524f 0005 0012"),
			kind: ErrHeader,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseHeader(tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("header (-want +got):\n%s", diff)
			}
			if !errors.Is(err, tt.kind) || (tt.kind == nil) != (err == nil) {
				t.Errorf("err = %v, want kind %v", err, tt.kind)
			}
			if err == nil {
				if enc := got.Append(nil); !bytes.Equal(enc, tt.in) {
					t.Errorf("Append = %x, want %x", enc, tt.in)
				}
			}
		})
	}
}

// the 266-byte request body of trace 14, echo('A'*200).
func trace14Body() []byte {
	var b []byte
	b = append(b, "\x80\x02(U\"7f00000146c929cefcdb0cb175b39735c4q\x01U\x04echoq\x02K\x03U\xc8"...)
	b = append(b, strings.Repeat("A", 200)...)
	return append(b, "q\x03\x85q\x04}q\x05\x86q\x06t."...)
}

func zlibOf(b []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func TestReadMessage(t *testing.T) {
	frames := traceFrames(t)
	connect := unhex(t, "434f4e4e454354 58ab817d436091278694c12b58cac034")
	zhello := zlibOf([]byte("hello hello hello hello"))
	badData := bytes.Clone(zhello)
	badData[len(badData)-1] ^= 0xff
	bomb := zlibOf(make([]byte, 1<<20))
	exact := bytes.Repeat([]byte{'x'}, 1000)

	type result struct {
		Body  []byte
		Flags uint16
		Kind  string
		Msg   string
	}
	tests := []struct {
		name string
		in   []byte
		max  int
		want result
	}{
		{
			name: "trace 02 reply 7",
			in:   frame(t, frames, "02-call_positional/conn1/5-S2C"),
			want: result{Body: unhex(t, "80024b072e")},
		},
		{
			name: "trace 01 challenge",
			in:   frame(t, frames, "01-handshake/conn1/1-S2C"),
			want: result{Body: unhex(t, "54ed7bf7ed94f44cdc1a35e9a9d8b5b0")},
		},
		{
			name: "trace 14 CONNECT with checksum",
			in:   frame(t, frames, "14-compress_checksum/conn1/2-C2S"),
			want: result{Body: connect, Flags: FlagChecksum},
		},
		{
			name: "trace 14 compressed and checksummed request",
			in:   frame(t, frames, "14-compress_checksum/conn1/4-C2S"),
			want: result{Body: trace14Body(), Flags: FlagCompressed | FlagChecksum},
		},
		{
			name: "trace 22 version 4",
			in:   frame(t, frames, "22-protocol_errors/conn2/4-C2S"),
			want: result{Kind: "incompatible protocol version", Msg: "incompatible protocol version"},
		},
		{
			name: "trace 22 magic XXXX",
			in:   frame(t, frames, "22-protocol_errors/conn3/4-C2S"),
			want: result{Kind: "invalid header", Msg: "invalid header"},
		},
		{
			name: "trace 22 wrong crc",
			in:   frame(t, frames, "22-protocol_errors/conn4/4-C2S"),
			want: result{Flags: FlagChecksum, Kind: "checksum error", Msg: "checksum error"},
		},
		{
			name: "trace 22 COMPRESSED flag on non-zlib body",
			in:   frame(t, frames, "22-protocol_errors/conn8/4-C2S"),
			want: result{Flags: FlagCompressed, Kind: "decompression failed",
				Msg: "Error -3 while decompressing data: incorrect header check"},
		},
		{
			name: "header size 17",
			in:   frameOf("PYRO", 5, 17, 1, 0, 0, []byte{'x'}),
			want: result{Kind: "invalid header", Msg: "invalid header"},
		},
		{
			name: "negative size",
			in:   frameOf("PYRO", 5, 18, -5, 0, 0, nil),
			want: result{Kind: "invalid header", Msg: "invalid header"},
		},
		{
			name: "huge size",
			in:   frameOf("PYRO", 5, 18, 0x7fffffff, 0, 0, []byte("short")),
			want: result{Kind: "message too large",
				Msg: "message too large: 2147483647 bytes exceeds the limit of 67108864"},
		},
		{
			name: "size one above the limit",
			in:   frameOf("PYRO", 5, 18, 1001, 0, 0, append(exact, 'x')),
			max:  1000,
			want: result{Kind: "message too large", Msg: "message too large: 1001 bytes exceeds the limit of 1000"},
		},
		{
			name: "size at the limit",
			in:   frameOf("PYRO", 5, 18, 1000, 0, 0, exact),
			max:  1000,
			want: result{Body: exact},
		},
		{
			name: "empty body",
			in:   frameOf("PYRO", 5, 18, 0, 0, 0, nil),
			want: result{Body: []byte{}},
		},
		{
			name: "empty stream",
			in:   nil,
			want: result{Kind: "connection closed", Msg: "connection closed"},
		},
		{
			name: "truncated header",
			in:   unhex(t, "5059524f00050012000000"),
			want: result{Kind: "connection lost", Msg: "connection lost"},
		},
		{
			name: "truncated body",
			in:   frameOf("PYRO", 5, 18, 10, 0, 0, []byte("12345")),
			want: result{Kind: "connection lost", Msg: "connection lost"},
		},
		{
			name: "bad checksum",
			in:   frameOf("PYRO", 5, 18, 5, FlagChecksum, 1, []byte("hello")),
			want: result{Flags: FlagChecksum, Kind: "checksum error", Msg: "checksum error"},
		},
		{
			name: "good checksum",
			in:   frameOf("PYRO", 5, 18, 5, FlagChecksum, int32(adler32.Checksum([]byte("hello"))), []byte("hello")),
			want: result{Body: []byte("hello"), Flags: FlagChecksum},
		},
		{
			name: "truncated zlib stream",
			in:   frameOf("PYRO", 5, 18, int32(len(zhello)-4), FlagCompressed, 0, zhello[:len(zhello)-4]),
			want: result{Flags: FlagCompressed, Kind: "decompression failed",
				Msg: "Error -5 while decompressing data: incomplete or truncated stream"},
		},
		{
			name: "zlib data check",
			in:   frameOf("PYRO", 5, 18, int32(len(badData)), FlagCompressed, 0, badData),
			want: result{Flags: FlagCompressed, Kind: "decompression failed",
				Msg: "Error -3 while decompressing data: incorrect data check"},
		},
		{
			name: "empty compressed body",
			in:   frameOf("PYRO", 5, 18, 0, FlagCompressed, 0, nil),
			want: result{Flags: FlagCompressed, Kind: "decompression failed",
				Msg: "Error -5 while decompressing data: incomplete or truncated stream"},
		},
		{
			name: "zlib with trailing garbage, like Python",
			in:   frameOf("PYRO", 5, 18, int32(len(zhello)+3), FlagCompressed, 0, append(bytes.Clone(zhello), "xyz"...)),
			want: result{Body: []byte("hello hello hello hello"), Flags: FlagCompressed},
		},
		{
			name: "decompression bomb",
			in:   frameOf("PYRO", 5, 18, int32(len(bomb)), FlagCompressed, 0, bomb),
			max:  64 << 10,
			want: result{Flags: FlagCompressed, Kind: "message too large",
				Msg: "message too large: decompressed body exceeds the limit of 65536 bytes"},
		},
		{
			name: "XML pickle",
			in:   frameOf("PYRO", 5, 18, 5, FlagXMLPickle, 0, []byte("<xml>")),
			want: result{Flags: FlagXMLPickle, Kind: "XML pickle not supported", Msg: "XML pickle not supported"},
		},
		{
			name: "unknown flag bits ignored",
			in:   frameOf("PYRO", 5, 18, 2, 0x0100, 0, []byte("ok")),
			want: result{Body: []byte("ok"), Flags: 0x0100},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewConn(frametest.NewBytesConn(tt.in), Options{MaxMessageSize: tt.max})
			body, flags, err := c.ReadMessage(context.Background())
			got := result{Body: body, Flags: flags, Msg: errText(err)}
			if err != nil {
				var pe *FrameError
				if !errors.As(err, &pe) {
					t.Fatalf("error %v (%T) is not a *FrameError", err, err)
				}
				got.Kind = pe.Kind.Error()
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ReadMessage (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadMessageErrorChains(t *testing.T) {
	c := NewConn(frametest.NewBytesConn(nil), Options{})
	_, _, err := c.ReadMessage(context.Background())
	if !errors.Is(err, ErrClosed) || !errors.Is(err, io.EOF) {
		t.Errorf("clean close: %v; want ErrClosed and io.EOF", err)
	}
	c = NewConn(frametest.NewBytesConn([]byte("PYR")), Options{})
	_, _, err = c.ReadMessage(context.Background())
	if !errors.Is(err, ErrTruncated) || errors.Is(err, io.EOF) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("truncated: %v; want ErrTruncated wrapping io.ErrUnexpectedEOF", err)
	}
	c = NewConn(frametest.NewBytesConn(frameOf("PYRO", 5, 18, 4, FlagCompressed, 0, []byte("junk"))), Options{})
	_, _, err = c.ReadMessage(context.Background())
	if !errors.Is(err, ErrCompression) || !errors.Is(err, zlib.ErrHeader) {
		t.Errorf("corrupt zlib: %v; want ErrCompression wrapping zlib.ErrHeader", err)
	}
}

// After a decompression error or an XML message the stream is still in sync:
// Pyro answers a zlib.error capsule and keeps serving the connection.
func TestReadMessageRecoverable(t *testing.T) {
	var in []byte
	in = append(in, frameOf("PYRO", 5, 18, 7, FlagCompressed, 0, []byte("garbage"))...)
	in = append(in, frameOf("PYRO", 5, 18, 5, FlagXMLPickle, 0, []byte("<xml>"))...)
	in = append(in, frameOf("PYRO", 5, 18, 2, 0, 0, []byte("ok"))...)
	c := NewConn(frametest.NewBytesConn(in), Options{})
	ctx := context.Background()
	var kinds []error
	for range 2 {
		_, _, err := c.ReadMessage(ctx)
		kinds = append(kinds, kindOf(err))
	}
	body, _, err := c.ReadMessage(ctx)
	if err != nil || string(body) != "ok" {
		t.Fatalf("third message: %q, %v", body, err)
	}
	if diff := cmp.Diff([]error{ErrCompression, ErrXMLPickle}, kinds, cmp.Comparer(func(a, b error) bool { return a == b })); diff != "" {
		t.Errorf("kinds (-want +got):\n%s", diff)
	}
}

func TestWriteMessage(t *testing.T) {
	frames := traceFrames(t)
	random := make([]byte, 100)
	rand.Read(random)
	tests := []struct {
		name      string
		opts      Options
		body      []byte
		want      []byte // exact frame, if known
		wantFlags uint16
	}{
		{
			name: "trace 02 reply",
			body: unhex(t, "80024b072e"),
			want: frame(t, frames, "02-call_positional/conn1/5-S2C"),
		},
		{
			name: "trace 01 challenge",
			body: unhex(t, "54ed7bf7ed94f44cdc1a35e9a9d8b5b0"),
			want: frame(t, frames, "01-handshake/conn1/1-S2C"),
		},
		{
			name:      "trace 14 CONNECT with checksum",
			opts:      Options{Compress: true, Checksum: true},
			body:      unhex(t, "434f4e4e454354 58ab817d436091278694c12b58cac034"),
			want:      frame(t, frames, "14-compress_checksum/conn1/2-C2S"),
			wantFlags: FlagChecksum,
		},
		{
			name: "16-byte challenge never compressed",
			opts: Options{Compress: true},
			body: unhex(t, "54ed7bf7ed94f44cdc1a35e9a9d8b5b0"),
			want: frame(t, frames, "01-handshake/conn1/1-S2C"),
		},
		{
			name:      "compressed when shorter",
			opts:      Options{Compress: true, Checksum: true},
			body:      trace14Body(),
			wantFlags: FlagCompressed | FlagChecksum,
		},
		{
			name: "incompressible sent plain",
			opts: Options{Compress: true},
			body: random,
		},
		{
			name:      "checksum only",
			opts:      Options{Checksum: true},
			body:      trace14Body(),
			wantFlags: FlagChecksum,
		},
		{
			name: "empty body",
			body: []byte{},
			want: frameOf("PYRO", 5, 18, 0, 0, 0, nil),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bc := frametest.NewBytesConn(nil)
			c := NewConn(bc, tt.opts)
			if err := c.WriteMessage(context.Background(), tt.body); err != nil {
				t.Fatal(err)
			}
			out := bytes.Clone(bc.Out.Bytes())
			if tt.want != nil {
				if diff := cmp.Diff(tt.want, out); diff != "" {
					t.Errorf("frame (-want +got):\n%s", diff)
				}
			}
			h, err := ParseHeader(out[:HeaderSize])
			if err != nil {
				t.Fatal(err)
			}
			if h.Flags != tt.wantFlags {
				t.Errorf("flags = %#x, want %#x", h.Flags, tt.wantFlags)
			}
			if int(h.BodySize) != len(out)-HeaderSize {
				t.Errorf("body size %d, frame has %d", h.BodySize, len(out)-HeaderSize)
			}
			if h.Flags&FlagCompressed != 0 && int(h.BodySize) >= len(tt.body) {
				t.Errorf("compressed body %d bytes not shorter than %d", h.BodySize, len(tt.body))
			}
			// Our own reader gets the body back.
			body, flags, err := NewConn(frametest.NewBytesConn(out), Options{}).ReadMessage(context.Background())
			if err != nil || flags != h.Flags || !bytes.Equal(body, tt.body) {
				t.Errorf("read back: %x, %#x, %v", body, flags, err)
			}
		})
	}
}

func TestRoundTripOptions(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 10<<20/16) // 10 MiB
	bodies := [][]byte{{}, []byte("x"), trace14Body(), big}
	for _, opts := range []Options{{}, {Compress: true}, {Checksum: true}, {Compress: true, Checksum: true}} {
		bc := frametest.NewBytesConn(nil)
		w := NewConn(bc, opts)
		for _, b := range bodies {
			if err := w.WriteMessage(context.Background(), b); err != nil {
				t.Fatal(err)
			}
		}
		r := NewConn(frametest.NewBytesConn(bc.Out.Bytes()), Options{})
		for i, want := range bodies {
			got, _, err := r.ReadMessage(context.Background())
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%+v body %d: %d bytes, %v", opts, i, len(got), err)
			}
		}
		if _, _, err := r.ReadMessage(context.Background()); !errors.Is(err, ErrClosed) {
			t.Errorf("%+v: after last message: %v", opts, err)
		}
	}
}

// A header that announces a body close to the limit followed by a few bytes
// must not make the reader allocate the announced size.
func TestReadMessageBoundedAllocation(t *testing.T) {
	in := frameOf("PYRO", 5, 18, 60<<20, 0, 0, []byte("only a few bytes"))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, _, err := NewConn(frametest.NewBytesConn(in), Options{}).ReadMessage(context.Background())
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTruncated) {
		t.Fatalf("err = %v, want ErrTruncated", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Errorf("allocated %d bytes for a 16-byte body", n)
	}
}

// stalled returns a Conn whose peer sends prefix and then nothing.
func stalled(t *testing.T, opts Options, prefix []byte) *Conn {
	t.Helper()
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	go b.Write(prefix)
	return NewConn(a, opts)
}

func TestDeadlines(t *testing.T) {
	half := frameOf("PYRO", 5, 18, 100, 0, 0, []byte("half"))
	tests := []struct {
		name   string
		opts   Options
		prefix []byte
		ctx    func() (context.Context, context.CancelFunc)
		kind   error
	}{
		{
			name:   "IOTimeout, half a header",
			opts:   Options{IOTimeout: 50 * time.Millisecond},
			prefix: half[:9],
			kind:   ErrTimeout,
		},
		{
			name:   "IOTimeout, half a body",
			opts:   Options{IOTimeout: 50 * time.Millisecond},
			prefix: half,
			kind:   ErrTimeout,
		},
		{
			name:   "context deadline, half a body",
			prefix: half,
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 50*time.Millisecond)
			},
			kind: ErrTimeout,
		},
		{
			name:   "context canceled, nothing sent",
			prefix: nil,
			ctx: func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				time.AfterFunc(20*time.Millisecond, cancel)
				return ctx, cancel
			},
			kind: ErrCanceled,
		},
		{
			name:   "context already canceled",
			prefix: half,
			ctx: func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				return ctx, cancel
			},
			kind: ErrCanceled,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.Background(), context.CancelFunc(func() {})
			if tt.ctx != nil {
				ctx, cancel = tt.ctx()
			}
			defer cancel()
			c := stalled(t, tt.opts, tt.prefix)
			_, _, err := c.ReadMessage(ctx)
			if !errors.Is(err, tt.kind) {
				t.Errorf("err = %v, want kind %v", err, tt.kind)
			}
		})
	}
}

func TestWriteDeadline(t *testing.T) {
	a, b := net.Pipe() // nobody reads b: writes block
	defer a.Close()
	defer b.Close()
	c := NewConn(a, Options{IOTimeout: 50 * time.Millisecond})
	err := c.WriteMessage(context.Background(), []byte("hello"))
	if !errors.Is(err, ErrTimeout) || err.Error() != "connection timeout sending" {
		t.Errorf("err = %v, want ErrTimeout", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	c = NewConn(a, Options{})
	if err := c.WriteMessage(ctx, []byte("hello")); !errors.Is(err, ErrCanceled) || !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want ErrCanceled wrapping context.Canceled", err)
	}
}

// A cancellation that fired during one read must not leak into the next.
func TestCancelDoesNotLeak(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	c := NewConn(a, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	if _, _, err := c.ReadMessage(ctx); !errors.Is(err, ErrCanceled) {
		t.Fatalf("err = %v, want ErrCanceled", err)
	}
	msg := frameOf("PYRO", 5, 18, 2, 0, 0, []byte("ok"))
	go b.Write(msg)
	body, _, err := c.ReadMessage(context.Background())
	if err != nil || string(body) != "ok" {
		t.Fatalf("next read: %q, %v", body, err)
	}
}

func TestConnAccessors(t *testing.T) {
	bc := frametest.NewBytesConn(nil)
	c := NewConn(bc, Options{})
	if c.NetConn() != bc || c.RemoteAddr().String() != "remote" || c.LocalAddr().String() != "local" {
		t.Errorf("accessors do not reflect the wrapped conn")
	}
	if got := c.Options().MaxMessageSize; got != DefaultMaxMessageSize {
		t.Errorf("default MaxMessageSize = %d", got)
	}
	if err := c.Close(); err != nil {
		t.Error(err)
	}
}

func TestWriteAfterClose(t *testing.T) {
	a, b := net.Pipe()
	b.Close()
	c := NewConn(a, Options{})
	c.Close()
	if err := c.WriteMessage(context.Background(), []byte("x")); !errors.Is(err, ErrConnection) {
		t.Errorf("err = %v, want ErrConnection", err)
	}
}

// Deadlines are re-armed only when they move by more than IOTimeout/64; a
// connection that keeps talking must still never time out, one that goes
// quiet must.
func TestIdleDeadlineFollowsMessages(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	c := NewConn(a, Options{IOTimeout: 300 * time.Millisecond})
	msg := frameOf("PYRO", 5, 18, 2, 0, 0, []byte("ok"))
	go func() {
		for range 10 { // 500 ms in all, longer than IOTimeout
			b.Write(msg)
			time.Sleep(50 * time.Millisecond)
		}
	}()
	for i := range 10 {
		if _, _, err := c.ReadMessage(context.Background()); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	start := time.Now()
	if _, _, err := c.ReadMessage(context.Background()); !errors.Is(err, ErrTimeout) {
		t.Fatalf("quiet connection: err = %v, want ErrTimeout", err)
	}
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Errorf("timed out after %v, want about 300ms", d)
	}
}

// A context's deadline applies to its own read only.
func TestContextDeadlineDoesNotStay(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	c := NewConn(a, Options{})
	msg := frameOf("PYRO", 5, 18, 2, 0, 0, []byte("ok"))
	go b.Write(msg)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, _, err := c.ReadMessage(ctx); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(200*time.Millisecond, func() { b.Write(msg) })
	if _, _, err := c.ReadMessage(context.Background()); err != nil {
		t.Fatalf("read after the first context's deadline: %v", err)
	}
}

// TestReuseBody checks that with ReuseBody small bodies share one buffer
// and every body still reads right, compressed or not, large or small.
func TestReuseBody(t *testing.T) {
	large := bytes.Repeat([]byte("0123456789abcdef"), 2*keepBody/16)
	bodies := [][]byte{[]byte("first body"), []byte("second"), large, []byte("after the large one"), trace14Body()}
	for _, wopts := range []Options{{}, {Compress: true}} {
		bc := frametest.NewBytesConn(nil)
		w := NewConn(bc, wopts)
		for _, b := range bodies {
			if err := w.WriteMessage(context.Background(), b); err != nil {
				t.Fatal(err)
			}
		}
		r := NewConn(frametest.NewBytesConn(bc.Out.Bytes()), Options{ReuseBody: true})
		var prev []byte
		for i, want := range bodies {
			got, _, err := r.ReadMessage(context.Background())
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("%+v body %d: %q, %v", wopts, i, got, err)
			}
			if i == 1 && !wopts.Compress && &got[0] != &prev[0] {
				t.Errorf("second small body is not in the first one's buffer")
			}
			prev = got
		}
		if cap(r.rbuf) > keepBody {
			t.Errorf("%+v: kept a %d-byte buffer", wopts, cap(r.rbuf))
		}
	}
}
