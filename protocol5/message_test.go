package protocol5

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/gopyro/gopyro/internal/frametest"
	"github.com/gopyro/gopyro/internal/wire"
)

const framesFile = "testdata/frames.txt"

// refused tells the frames a client sent that Pyro 5 refused: the C2S
// frames of the error_* scenarios, raw frames made to be wrong.
func refused(f frametest.Frame) bool {
	return strings.HasPrefix(f.Scenario, "error_") && f.Dir == "C2S"
}

// Every frame real Pyro 5 sent reads back and re-encodes to its bytes.
func TestCapturedFramesRoundTrip(t *testing.T) {
	n := 0
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
		if m.Type < TypeConnect || m.Type > TypePing {
			t.Errorf("%s: type %v", f.Name, m.Type)
		}
		got, err := m.MarshalBinary()
		if err != nil || !bytes.Equal(got, f.Bytes) {
			t.Errorf("%s: re-encoded as\n%x (%v), want\n%x", f.Name, got, err, f.Bytes)
		}
		if m.Size() != len(f.Bytes) {
			t.Errorf("%s: Size() = %d, want %d", f.Name, m.Size(), len(f.Bytes))
		}
		n++
	}
	if n < 50 {
		t.Errorf("only %d frames checked", n)
	}
}

// The streams of each connection read through a Conn, which decompresses
// what CPython's zlib compressed.
func TestCapturedStreams(t *testing.T) {
	streams := map[string][]byte{}
	var order []string
	for _, f := range frametest.Load(t, framesFile) {
		if refused(f) {
			continue
		}
		key := f.Conn + " " + f.Dir
		if _, ok := streams[key]; !ok {
			order = append(order, key)
		}
		streams[key] = append(streams[key], f.Bytes...)
	}
	var plain []string
	for _, key := range order {
		c := NewConn(frametest.NewBytesConn(streams[key]), Options{})
		for {
			m, err := c.ReadMessage(context.Background())
			if errors.Is(err, ErrClosed) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			if m.Flags&FlagCompressed != 0 {
				t.Errorf("%s: FlagCompressed left set", key)
			}
			if strings.HasPrefix(key, "compressed/") && len(m.Data) > 300 {
				plain = append(plain, key)
			}
		}
	}
	// Request and reply of echo('A'*300), both compressed on the wire.
	if len(plain) != 2 {
		t.Errorf("decompressed long messages in %v, want one per direction", plain)
	}
}

// The frames Pyro 5 refused are refused here with the text the daemon
// answered (its CONNECTFAIL, marshal-serialized).
func TestCapturedRefusals(t *testing.T) {
	frames := frametest.Load(t, framesFile)
	tests := []struct {
		scenario string
		kind     error
		expect   bool // the frame reads, Expect(TypeConnect) refuses it
	}{
		{scenario: "error_wrong_version", kind: ErrVersion},
		{scenario: "error_bad_magic", kind: ErrHeader},
		{scenario: "error_too_large", kind: ErrTooLarge},
		{scenario: "error_bad_annotation", kind: ErrHeader},
		{scenario: "error_invoke_first", kind: ErrMsgType, expect: true},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			sent := frametest.Find(t, frames, tt.scenario+"/conn1/1-C2S")
			answer, err := ReadMessage(bytes.NewReader(frametest.Find(t, frames, tt.scenario+"/conn1/2-S2C")), 0)
			if err != nil || answer.Type != TypeConnectFail || answer.Serializer != SerializerMarshal {
				t.Fatalf("daemon's answer: %+v, %v", answer, err)
			}
			want, ok := frametest.MarshalText(answer.Data)
			if !ok {
				t.Fatalf("answer data %q is not a marshal string", answer.Data)
			}
			m, err := ReadMessage(bytes.NewReader(sent), 0)
			if tt.expect {
				if err != nil {
					t.Fatal(err)
				}
				err = m.Expect(TypeConnect)
			}
			if !errors.Is(err, tt.kind) || err.Error() != want {
				t.Errorf("err = %v (%T), want %q of kind %v", err, err, want, tt.kind)
			}
		})
	}
}

// header builds a header by hand.
func header(typ Type, flags Flags, dataLen, annLen uint32, magic uint16) []byte {
	m := &Message{Type: typ, Flags: flags}
	b := m.appendHeader(nil)
	b[12], b[13], b[14], b[15] = byte(dataLen>>24), byte(dataLen>>16), byte(dataLen>>8), byte(dataLen)
	b[16], b[17], b[18], b[19] = byte(annLen>>24), byte(annLen>>16), byte(annLen>>8), byte(annLen)
	b[38], b[39] = byte(magic>>8), byte(magic)
	return b
}

func TestReadMessageErrors(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		kind error
		text string
	}{
		{"empty", nil, ErrClosed, "connection closed"},
		{"not PYRO", []byte("GET / HTTP/1.0\r\n\r\n"), ErrHeader, "invalid data"},
		{"Pyro 3 header", []byte("PYRO\x00\x05\x00\x12\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"), ErrVersion, "invalid protocol version: 5"},
		{"short prefix", []byte("PYRO\x01"), ErrTruncated, "connection lost"},
		{"short header", header(TypePing, 0, 0, 0, Magic)[:39], ErrTruncated, "connection lost"},
		{"short data", append(header(TypePing, 0, 5, 0, Magic), "pon"...), ErrTruncated, "connection lost"},
		{"non-ASCII annotation id", append(header(TypePing, 0, 0, 8, Magic), "AB\xe9D\x00\x00\x00\x00"...), ErrHeader,
			"'ascii' codec can't decode byte 0xe9 in position 2: ordinal not in range(128)"},
		{"cut chunk header", append(header(TypePing, 0, 0, 6, Magic), "ABCD\x00\x00"...), ErrHeader,
			"annotation chunk length exceeds remaining data"},
		{"chunk past the annotations", append(header(TypePing, 0, 1, 9, Magic), "ABCD\x00\x00\x00\x02xy"...), ErrHeader,
			"annotation chunk length exceeds remaining data"},
		{"limit", header(TypePing, 0, 1<<20, 1, Magic), ErrTooLarge, "message too large (1048577, max=1048576)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadMessage(bytes.NewReader(tt.in), 1<<20)
			if !errors.Is(err, tt.kind) || err.Error() != tt.text {
				t.Errorf("err = %v, want %q of kind %v", err, tt.text, tt.kind)
			}
		})
	}
}

// A header over the limit is refused before anything after it is read.
func TestLimitBeforeRead(t *testing.T) {
	r := io.MultiReader(bytes.NewReader(header(TypeInvoke, 0, 1<<30, 0, Magic)), failReader{t})
	if _, err := ReadMessage(r, 1<<20); !errors.Is(err, ErrTooLarge) {
		t.Errorf("err = %v, want ErrTooLarge", err)
	}
}

type failReader struct{ t *testing.T }

func (r failReader) Read([]byte) (int, error) {
	r.t.Error("read past the header")
	return 0, io.EOF
}

func TestAnnotations(t *testing.T) {
	m := &Message{Type: TypeInvoke, Annotations: []Annotation{
		{ID: "XTRA", Value: []byte("1")}, {ID: "ZERO"}, {ID: "XTRA", Value: []byte("2")},
	}}
	if v, ok := m.Annotation("XTRA"); !ok || string(v) != "2" {
		t.Errorf("XTRA = %q, %v; want the last one, as Pyro's dict", v, ok)
	}
	if v, ok := m.Annotation("ZERO"); !ok || len(v) != 0 {
		t.Errorf("ZERO = %q, %v", v, ok)
	}
	if _, ok := m.Annotation("NONE"); ok {
		t.Error("found NONE")
	}
	m.SetAnnotation("XTRA", []byte("3"))
	m.SetAnnotation("STRM", []byte("id"))
	want := []Annotation{{ID: "XTRA", Value: []byte("3")}, {ID: "ZERO"}, {ID: "STRM", Value: []byte("id")}}
	if len(m.Annotations) != len(want) {
		t.Fatalf("annotations %q, want %q", m.Annotations, want)
	}
	for i := range want {
		if m.Annotations[i].ID != want[i].ID || !bytes.Equal(m.Annotations[i].Value, want[i].Value) {
			t.Errorf("annotation %d = %q, want %q", i, m.Annotations[i], want[i])
		}
	}
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ReadMessage(bytes.NewReader(b), 0)
	if err != nil || len(back.Annotations) != 3 || string(back.Annotations[2].Value) != "id" {
		t.Errorf("read back %+v, %v", back, err)
	}
}

func TestAppendBinaryRefuses(t *testing.T) {
	for _, id := range []string{"ABC", "ABCDE", "AB\xc3\xa9", ""} {
		m := &Message{Annotations: []Annotation{{ID: id}}}
		_, err := m.MarshalBinary()
		if !errors.Is(err, ErrHeader) || err.Error() != "annotation identifier must be 4 ascii characters" {
			t.Errorf("id %q: err = %v", id, err)
		}
	}
}

func TestDecompress(t *testing.T) {
	var d wire.Deflater
	z, err := d.Deflate(bytes.Repeat([]byte("x"), 5000), 4)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		data  []byte
		limit int
		kind  error
		text  string
	}{
		{"ok", z, 5000, nil, ""},
		{"over the limit", z, 4999, ErrTooLarge, "message too large: decompressed body exceeds the limit of 4999 bytes"},
		{"not zlib", []byte("plain"), 0, ErrCompression, "Error -3 while decompressing data: incorrect header check"},
		{"truncated", z[:len(z)-3], 0, ErrCompression, "Error -5 while decompressing data: incomplete or truncated stream"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &Message{Flags: FlagCompressed | FlagCorrID, Data: tt.data}
			err := m.Decompress(tt.limit)
			if tt.kind == nil {
				if err != nil || len(m.Data) != 5000 || m.Flags != FlagCorrID {
					t.Errorf("got %d bytes, flags %v, %v", len(m.Data), m.Flags, err)
				}
				return
			}
			if !errors.Is(err, tt.kind) || err.Error() != tt.text {
				t.Errorf("err = %v, want %q", err, tt.text)
			}
		})
	}
}

func TestStrings(t *testing.T) {
	tests := []struct{ got, want string }{
		{TypeConnectFail.String(), "CONNECTFAIL"},
		{Type(9).String(), "Type(9)"},
		{(FlagException | FlagCorrID).String(), "EXCEPTION|CORR_ID"},
		{Flags(0).String(), "0x0"},
		{(FlagOneway | 0x8000).String(), "ONEWAY|0x8000"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
