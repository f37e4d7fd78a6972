package protocol

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/gopyro/gopyro/internal/allocs"
	"github.com/gopyro/gopyro/internal/frametest"
)

const fuzzLimit = 1 << 16

// seedFrames adds every captured message, the captured server streams
// (challenge followed by the verdict) and hand-built broken frames.
func seedFrames(f *testing.F) {
	frames := traceFrames(f)
	for _, b := range frames {
		f.Add(b)
	}
	for _, pair := range [][2]string{
		{"01-handshake/conn1/1-S2C", "01-handshake/conn1/3-S2C"},
		{"12-auth_denied/conn1/1-S2C", "12-auth_denied/conn1/3-S2C"},
		{"14-compress_checksum/conn1/4-C2S", "22-protocol_errors/conn8/4-C2S"},
		{"22-protocol_errors/conn8/4-C2S", "22-protocol_errors/conn1/4-C2S"},
	} {
		f.Add(append(bytes.Clone(frames[pair[0]]), frames[pair[1]]...))
	}
	z := zlibOf([]byte("compressible compressible compressible"))
	for _, b := range [][]byte{
		nil,
		[]byte("DENIED1"),
		[]byte("PYRO"),
		frameOf("PYRO", 5, 18, -1, 0, 0, nil),
		frameOf("PYRO", 5, 18, 0x7fffffff, 0, 0, []byte("x")),
		frameOf("PYRO", 5, 18, int32(len(z)), FlagCompressed|FlagChecksum, 0, z),
		frameOf("PYRO", 5, 18, int32(len(z)), FlagCompressed, 0, z),
		frameOf("PYRO", 5, 18, 3, FlagXMLPickle, 0, []byte("<x>")),
		frameOf("PYRO", 5, 17, 0, 0, 0, nil),
		frameOf("PYRO", 4, 18, 0, 0, 0, nil),
		frameOf("PYRO", 5, 18, 7, 0, 0, []byte("CONNECT")),
	} {
		f.Add(b)
	}
}

// checkError fails unless err is one of this package's error types.
func checkError(t *testing.T, err error) {
	t.Helper()
	var pe *FrameError
	var de *DeniedError
	switch {
	case errors.As(err, &pe):
		if pe.Kind == nil || pe.Msg == "" {
			t.Fatalf("FrameError without kind or text: %#v", pe)
		}
	case errors.As(err, &de):
	default:
		t.Fatalf("untyped error %T: %v", err, err)
	}
}

// FuzzReadMessage: any byte stream yields messages within the size limit or
// typed errors; reading goes on only after the errors that keep the stream
// in sync. Every message read re-encodes to itself. Reading a message,
// decompression included, allocates no more than the size limit justifies.
func FuzzReadMessage(f *testing.F) {
	seedFrames(f)
	f.Add(frameOf("PYRO", 5, 18, int32(len(fuzzBomb)), FlagCompressed, 0, fuzzBomb))
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx := context.Background()
		c := NewConn(frametest.NewBytesConn(data), Options{MaxMessageSize: fuzzLimit})
		for range 32 {
			var body []byte
			var err error
			if n := allocs.Bytes(func() { body, _, err = c.ReadMessage(ctx) }); n > maxReadAlloc(len(data)) {
				t.Fatalf("reading a message of a %d-byte stream allocated %d bytes, over %d (error %v)", len(data), n, maxReadAlloc(len(data)), err)
			}
			if err != nil {
				checkError(t, err)
				if errors.Is(err, ErrCompression) || errors.Is(err, ErrXMLPickle) {
					continue
				}
				return
			}
			if len(body) > fuzzLimit {
				t.Fatalf("body of %d bytes exceeds the limit", len(body))
			}
			out := frametest.NewBytesConn(nil)
			if err := NewConn(out, Options{Compress: true, Checksum: true}).WriteMessage(ctx, body); err != nil {
				t.Fatal(err)
			}
			again, _, err := NewConn(frametest.NewBytesConn(out.Out.Bytes()), Options{MaxMessageSize: fuzzLimit}).ReadMessage(ctx)
			if err != nil || !bytes.Equal(again, body) {
				t.Fatalf("re-encoded message reads back as %x, %v; want %x", again, err, body)
			}
		}
	})
}

// FuzzClientHandshake: whatever a server sends, the client returns nil or a
// typed error, and when granted it has sent a well-formed CONNECT message.
func FuzzClientHandshake(f *testing.F) {
	seedFrames(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		bc := frametest.NewBytesConn(data)
		err := ClientHandshake(context.Background(), NewConn(bc, Options{MaxMessageSize: fuzzLimit}), nil, nil)
		if err != nil {
			checkError(t, err)
			return
		}
		body, _, rerr := NewConn(frametest.NewBytesConn(bc.Out.Bytes()), Options{}).ReadMessage(context.Background())
		if rerr != nil || len(body) != len("CONNECT")+16 || !bytes.HasPrefix(body, []byte("CONNECT")) {
			t.Fatalf("granted, but sent %x (%v)", bc.Out.Bytes(), rerr)
		}
	})
}

// FuzzServerHandshake: whatever a client sends, the server returns nil or a
// typed error; it grants only a client that sent a CONNECT message with the
// right token.
func FuzzServerHandshake(f *testing.F) {
	seedFrames(f)
	challenge := unhex(f, "e218b9918ee54eb029c4eae274b349d7")
	f.Fuzz(func(t *testing.T, data []byte) {
		dv := &DefaultValidator{}
		dv.SetAllowedIdentifications([]string{"s3cr3t"})
		bc := frametest.NewBytesConn(data)
		err := ServerHandshake(context.Background(), NewConn(bc, Options{MaxMessageSize: fuzzLimit}),
			fixedValidator{dv, challenge}, ConnInfo{Connections: 1})
		if err != nil {
			checkError(t, err)
			return
		}
		if !bytes.HasSuffix(bc.Out.Bytes(), []byte("GRANTED")) {
			t.Fatalf("granted without sending GRANTED: %x", bc.Out.Bytes())
		}
		// The handshake accepts any flags, XML included.
		body, _, rerr := NewConn(frametest.NewBytesConn(data), Options{}).readMessage(context.Background(), 0, true)
		want := append([]byte("CONNECT"), unhex(t, "6d418ad32d61fb123e163b5edfd9b1c0")...)
		if rerr != nil || !bytes.Equal(body, want) {
			t.Fatalf("granted a client that sent %x", data)
		}
	})
}

// fuzzBomb inflates to 1 MiB, 16 times fuzzLimit.
var fuzzBomb = zlibOf(make([]byte, 1<<20))

// maxReadAlloc is the most reading one message of a stream of n bytes may
// allocate: the body as received (grown by doubling), the decompressed
// body up to the limit (grown by doubling: twice the limit), and a zlib
// reader (about 40 KiB) with room to spare.
func maxReadAlloc(n int) uint64 {
	return uint64(2*n + 2*(fuzzLimit+1) + 128<<10)
}
