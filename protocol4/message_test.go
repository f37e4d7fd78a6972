package protocol4

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gopyro/gopyro/internal/frametest"
)

const framesFile = "testdata/frames.txt"

// The HMAC key of the captured hmac_* and error_missing_hmac scenarios,
// and the client's key of hmac_wrong_key.
var (
	goldenKey = []byte("s3cr3t key")
	wrongKey  = []byte("wrong key")
)

// refused tells the frames a client sent that Pyro4 refused: the C2S
// frames of the error_* scenarios, raw frames made to be wrong.
func refused(f frametest.Frame) bool {
	return strings.HasPrefix(f.Scenario, "error_") && f.Dir == "C2S"
}

// keyOf is the key the sender of f signed with (nil: unsigned).
func keyOf(f frametest.Frame) []byte {
	switch {
	case f.Scenario == "hmac_wrong_key" && f.Dir == "C2S":
		return wrongKey
	case f.Scenario == "hmac_client_without_key" && f.Dir == "C2S",
		f.Scenario == "hmac_daemon_without_key" && f.Dir == "S2C":
		return nil
	case strings.HasPrefix(f.Scenario, "hmac_"), f.Scenario == "error_missing_hmac" && f.Dir == "S2C":
		return goldenKey
	}
	return nil
}

// Every frame real Pyro4 sent reads back, re-encodes to its bytes, and
// carries the HMAC computed here with its sender's key.
func TestCapturedFramesRoundTrip(t *testing.T) {
	n, signed := 0, 0
	for _, f := range frametest.Load(t, framesFile) {
		if refused(f) {
			continue
		}
		r := bytes.NewReader(f.Bytes)
		m, err := ReadMessage(r, 0)
		if err != nil {
			t.Errorf("%s: %v", f.Name, err)
			continue
		}
		if r.Len() != 0 {
			t.Errorf("%s: %d bytes left after the message", f.Name, r.Len())
		}
		got, err := m.MarshalBinary()
		if err != nil || !bytes.Equal(got, f.Bytes) {
			t.Errorf("%s: re-encoded as\n%x (%v), want\n%x", f.Name, got, err, f.Bytes)
		}
		if m.Size() != len(f.Bytes) {
			t.Errorf("%s: Size() = %d, want %d", f.Name, m.Size(), len(f.Bytes))
		}
		key := keyOf(f)
		if err := m.Verify(key); err != nil {
			t.Errorf("%s: Verify(%q): %v", f.Name, key, err)
		}
		if key != nil {
			signed++
			if err := m.Verify(bytes.ToUpper(key)); !errors.Is(err, ErrSecurity) || err.Error() != "message hmac mismatch" {
				t.Errorf("%s: verified with another key: %v", f.Name, err)
			}
			// Signing again reproduces the frame.
			resigned := *m
			resigned.Annotations = append([]Annotation(nil), m.Annotations...)
			resigned.Sign(key)
			if b, _ := resigned.MarshalBinary(); !bytes.Equal(b, f.Bytes) {
				t.Errorf("%s: re-signed as\n%x, want\n%x", f.Name, b, f.Bytes)
			}
		}
		n++
	}
	if n < 60 || signed < 15 {
		t.Errorf("only %d frames checked, %d signed", n, signed)
	}
}

// The streams of each connection read through a Conn with the key of the
// scenario, which verifies each HMAC and decompresses what CPython's zlib
// compressed.
func TestCapturedStreams(t *testing.T) {
	type stream struct {
		key  []byte
		data []byte
	}
	streams := map[string]*stream{}
	var order []string
	for _, f := range frametest.Load(t, framesFile) {
		if refused(f) || strings.HasPrefix(f.Scenario, "hmac_") && keyOf(f) == nil {
			continue
		}
		key := f.Conn + " " + f.Dir
		if _, ok := streams[key]; !ok {
			order = append(order, key)
			streams[key] = &stream{key: keyOf(f)}
		}
		streams[key].data = append(streams[key].data, f.Bytes...)
	}
	compressed := 0
	for _, key := range order {
		s := streams[key]
		in := frametest.NewBytesConn(s.data)
		c := NewConn(in, Options{HMACKey: s.key})
		for {
			m, err := c.ReadMessage(context.Background())
			if errors.Is(err, ErrClosed) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			if m.Flags&FlagCompressed != 0 {
				t.Fatalf("%s: data left compressed", key)
			}
			if strings.HasPrefix(key, "compressed/") && bytes.Contains(m.Data, bytes.Repeat([]byte("A"), 300)) {
				compressed++
			}
		}
	}
	if compressed < 2 {
		t.Errorf("%d compressed messages decompressed, want the call and its result", compressed)
	}
}

// The raw frames Pyro4's daemon refused are refused here with the text it
// answered in CONNECTFAIL.
func TestCapturedRefusals(t *testing.T) {
	frames := frametest.Load(t, framesFile)
	tests := []struct {
		scenario string
		key      []byte
		kind     error
	}{
		{"error_wrong_version", nil, ErrVersion},
		{"error_bad_checksum", nil, ErrChecksum},
		{"error_invoke_first", nil, ErrMsgType},
		{"error_unexpected_hmac", nil, ErrSecurity},
		{"error_missing_hmac", goldenKey, ErrSecurity},
		{"hmac_wrong_key", goldenKey, ErrSecurity},
		{"hmac_client_without_key", goldenKey, ErrSecurity},
		{"hmac_daemon_without_key", nil, ErrSecurity},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			req := frametest.Find(t, frames, tt.scenario+"/conn1/1-C2S")
			m, err := NewConn(frametest.NewBytesConn(req), Options{HMACKey: tt.key}).ReadMessage(context.Background())
			if err == nil {
				err = m.Expect(TypeConnect)
			}
			if !errors.Is(err, tt.kind) {
				t.Fatalf("got %v, want kind %v", err, tt.kind)
			}
			reply, rerr := ReadMessage(bytes.NewReader(frametest.Find(t, frames, tt.scenario+"/conn1/2-S2C")), 0)
			if rerr != nil || reply.Type != TypeConnectFail {
				t.Fatalf("reply: %v %v", reply, rerr)
			}
			// marshal's short string: 0xfa or 0xda, a length byte, the text.
			if text := string(reply.Data[2:]); text != err.Error() {
				t.Errorf("Pyro4 answered %q, got %q", text, err.Error())
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	good, _ := (&Message{Type: TypeInvoke, Serializer: SerializerSerpent, Seq: 1, Data: []byte("data"),
		Annotations: []Annotation{{ID: "CORR", Value: make([]byte, 16)}}}).MarshalBinary()
	mutate := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	tests := []struct {
		name  string
		in    []byte
		limit int
		kind  error
		text  string
	}{
		{"empty", nil, 0, ErrClosed, "connection closed"},
		{"short header", good[:10], 0, ErrTruncated, "connection lost"},
		{"not PYRO", mutate(func(b []byte) []byte { b[0] = 'X'; return b }), 0, ErrHeader, errVersionText},
		{"Pyro 5", mutate(func(b []byte) []byte { b[4], b[5] = 0x01, 0xf6; return b }), 0, ErrVersion, errVersionText},
		{"checksum", mutate(func(b []byte) []byte { b[23] ^= 1; return b }), 0, ErrChecksum, "header checksum mismatch"},
		{"negative size", func() []byte {
			b := bytes.Clone(good)
			b[12] = 0x80
			b[22], b[23] = 0, 0
			h, _ := ParseHeader(b[:HeaderSize])
			s := h.Sum()
			b[22], b[23] = byte(s>>8), byte(s)
			return b
		}(), 0, ErrHeader, "invalid message size (outside range 0..2Gb)"},
		{"too large", good, 20, ErrTooLarge, "max message size exceeded (26 where max=20)"},
		{"truncated data", good[:len(good)-1], 0, ErrTruncated, "connection lost"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadMessage(bytes.NewReader(tt.in), tt.limit)
			if !errors.Is(err, tt.kind) || err.Error() != tt.text {
				t.Fatalf("got %v, want %v %q", err, tt.kind, tt.text)
			}
		})
	}
}

func TestWriteErrors(t *testing.T) {
	tests := []struct {
		name string
		m    Message
		text string
	}{
		{"bad id", Message{Annotations: []Annotation{{ID: "LONGER", Value: nil}}}, "annotation key must be of length 4"},
		{"annotations too large", Message{Annotations: []Annotation{{ID: "BIG1", Value: make([]byte, 40000)}, {ID: "BIG2", Value: make([]byte, 40000)}}}, "annotations too large: 80012 bytes, at most 65535"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.m.MarshalBinary()
			if !errors.Is(err, ErrHeader) || err.Error() != tt.text {
				t.Fatalf("got %v, want %q", err, tt.text)
			}
		})
	}
}

// A Conn signs and compresses as Pyro4 does, and its peer with the same
// key reads it back; a peer with another key or none refuses it.
func TestConnSignCompress(t *testing.T) {
	data := bytes.Repeat([]byte("A"), 300)
	tests := []struct {
		name       string
		send, recv []byte
		compress   bool
		wantErr    string
	}{
		{"signed", goldenKey, goldenKey, false, ""},
		{"signed compressed", goldenKey, goldenKey, true, ""},
		{"plain", nil, nil, false, ""},
		{"wrong key", wrongKey, goldenKey, false, "message hmac mismatch"},
		{"unsigned to key", nil, goldenKey, false, "hmac key config not symmetric"},
		{"signed to no key", goldenKey, nil, false, "hmac key config not symmetric"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := frametest.NewBytesConn(nil)
			w := NewConn(out, Options{HMACKey: tt.send, Compress: tt.compress})
			m := &Message{Type: TypeResult, Serializer: SerializerSerpent, Seq: 9, Data: data,
				Annotations: []Annotation{{ID: "CORR", Value: make([]byte, 16)}}}
			if err := w.WriteMessage(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			if len(m.Annotations) != 1 || !bytes.Equal(m.Data, data) {
				t.Fatal("WriteMessage changed its message")
			}
			raw, _ := ReadMessage(bytes.NewReader(out.Out.Bytes()), 0)
			if got := raw.Flags&FlagCompressed != 0; got != tt.compress {
				t.Errorf("compressed = %v", got)
			}
			got, err := NewConn(frametest.NewBytesConn(out.Out.Bytes()), Options{HMACKey: tt.recv}).ReadMessage(context.Background())
			if tt.wantErr != "" {
				if !errors.Is(err, ErrSecurity) || err.Error() != tt.wantErr || got == nil || got.Seq != 9 {
					t.Fatalf("got %v (%v), want %q with the message", err, got, tt.wantErr)
				}
				return
			}
			if err != nil || !bytes.Equal(got.Data, data) {
				t.Fatalf("read %v %v", got, err)
			}
		})
	}
}

func TestFlagsString(t *testing.T) {
	for f, want := range map[Flags]string{0: "0x0", FlagOneway | FlagBatch: "ONEWAY|BATCH", FlagMetaOnConnect | 0x100: "META_ON_CONNECT|0x100"} {
		if got := f.String(); got != want {
			t.Errorf("%#x: %q, want %q", uint16(f), got, want)
		}
	}
}
