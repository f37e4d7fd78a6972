package protocol5

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/gopyro/gopyro/internal/wire"
)

// Wire constants of protocol 502.
const (
	// Version is the protocol version of Pyro 5.
	Version = 502
	// Magic is the magic number that ends every header.
	Magic = 0x4dc5
	// HeaderSize is the size of the message header in bytes.
	HeaderSize = 40
	// PrefixSize is how much of a header Pyro 5 reads first, to refuse
	// another protocol before waiting for a whole header: "PYRO" and the
	// version.
	PrefixSize = 6
	// DefaultMaxMessageSize is Pyro 5's MAX_MESSAGE_SIZE default, 1 GiB:
	// the limit on annotations plus data of a message.
	DefaultMaxMessageSize = 1 << 30
)

// Type is a message type.
type Type uint8

// Message types.
const (
	TypeConnect     Type = 1
	TypeConnectOK   Type = 2
	TypeConnectFail Type = 3
	TypeInvoke      Type = 4
	TypeResult      Type = 5
	TypePing        Type = 6
)

func (t Type) String() string {
	switch t {
	case TypeConnect:
		return "CONNECT"
	case TypeConnectOK:
		return "CONNECTOK"
	case TypeConnectFail:
		return "CONNECTFAIL"
	case TypeInvoke:
		return "INVOKE"
	case TypeResult:
		return "RESULT"
	case TypePing:
		return "PING"
	}
	return "Type(" + strconv.Itoa(int(t)) + ")"
}

// Flags are the message flags of protocol 502.
type Flags uint16

// Flag bits.
const (
	FlagException        Flags = 1 << 0 // data is a serialized exception
	FlagCompressed       Flags = 1 << 1 // data (not the annotations) is zlib data
	FlagOneway           Flags = 1 << 2 // no reply wanted
	FlagBatch            Flags = 1 << 3 // data is a batch of calls or results
	FlagItemStreamResult Flags = 1 << 4 // the result is an item stream (STRM annotation)
	FlagKeepSerialized   Flags = 1 << 5 // arguments are passed on still serialized
	FlagCorrID           Flags = 1 << 6 // CorrID holds a correlation id
)

var flagNames = [...]string{"EXCEPTION", "COMPRESSED", "ONEWAY", "BATCH", "ITEMSTREAMRESULT", "KEEPSERIALIZED", "CORR_ID"}

func (f Flags) String() string {
	var names []string
	for i, n := range flagNames {
		if f&(1<<i) != 0 {
			names = append(names, n)
		}
	}
	if rest := f &^ (1<<len(flagNames) - 1); rest != 0 || len(names) == 0 {
		names = append(names, fmt.Sprintf("0x%x", uint16(rest)))
	}
	return strings.Join(names, "|")
}

// Serializer ids of Pyro 5 (PING messages carry 42).
const (
	SerializerSerpent uint8 = 1
	SerializerMarshal uint8 = 2
	SerializerJSON    uint8 = 3
	SerializerMsgpack uint8 = 4
)

// Annotation is one annotation chunk: a 4-character ASCII id and its bytes
// (a uint32 length on the wire). Pyro reserves "STRM" (item stream id) and
// "BLBI" (KEEPSERIALIZED blob info).
type Annotation = wire.Annotation

// Message is one protocol 502 message. Data is opaque to this package (the
// serialized payload); it is the data as transmitted, zlib data when Flags
// has FlagCompressed, except where a function says otherwise.
//
// Annotations keep the order and repeats of the wire, so that a message
// read re-encodes to the same bytes; Annotation looks one up as Pyro does.
type Message struct {
	Type        Type
	Serializer  uint8
	Flags       Flags
	Seq         uint16
	CorrID      [16]byte // Pyro sends zeros when FlagCorrID is not set
	Annotations []Annotation
	Data        []byte
}

// Annotation returns the value of annotation id as Pyro sees it (of
// repeated ids, the last).
func (m *Message) Annotation(id string) ([]byte, bool) { return wire.Lookup(m.Annotations, id) }

// SetAnnotation stores value under id as Pyro's annotations dict does: in
// place of an annotation with that id, else appended.
func (m *Message) SetAnnotation(id string, value []byte) {
	m.Annotations = wire.Set(m.Annotations, id, value)
}

// Header is the decoded 40-byte header, Python struct "!4sHBBHHII16sHH":
// "PYRO", version, type, serializer id, flags, sequence number, data
// length, annotations length, correlation id, reserved, magic.
type Header struct {
	Version    uint16
	Type       Type
	Serializer uint8
	Flags      Flags
	Seq        uint16
	DataLen    uint32
	AnnLen     uint32
	CorrID     [16]byte
	Reserved   uint16
	Magic      uint16
}

// CheckPrefix validates the first bytes of a header as Pyro 5 does before
// reading the rest: at least 4 bytes "PYRO" (ErrHeader "invalid data"), then
// if present the version (ErrVersion "invalid protocol version: N"). A
// server that shares a port with other protocols can tell a Pyro 5 client
// by its first PrefixSize bytes.
func CheckPrefix(b []byte) error {
	if len(b) < 4 || string(b[:4]) != "PYRO" {
		return wire.NewError(ErrHeader, "invalid data", nil)
	}
	if len(b) >= PrefixSize {
		if v := binary.BigEndian.Uint16(b[4:]); v != Version {
			return wire.NewError(ErrVersion, "invalid protocol version: "+strconv.Itoa(int(v)), nil)
		}
	}
	return nil
}

// ParseHeader decodes a 40-byte header and validates it as Pyro 5 does:
// CheckPrefix, then the magic number (ErrHeader "invalid message or
// protocol version"). It applies no size limit.
func ParseHeader(b []byte) (Header, error) {
	if len(b) != HeaderSize {
		return Header{}, wire.NewError(ErrHeader, "invalid data", fmt.Errorf("header of %d bytes", len(b)))
	}
	if err := CheckPrefix(b); err != nil {
		return Header{}, err
	}
	h := Header{
		Version:    binary.BigEndian.Uint16(b[4:]),
		Type:       Type(b[6]),
		Serializer: b[7],
		Flags:      Flags(binary.BigEndian.Uint16(b[8:])),
		Seq:        binary.BigEndian.Uint16(b[10:]),
		DataLen:    binary.BigEndian.Uint32(b[12:]),
		AnnLen:     binary.BigEndian.Uint32(b[16:]),
		Reserved:   binary.BigEndian.Uint16(b[36:]),
		Magic:      binary.BigEndian.Uint16(b[38:]),
	}
	copy(h.CorrID[:], b[20:36])
	if h.Magic != Magic {
		return h, wire.NewError(ErrHeader, "invalid message or protocol version", fmt.Errorf("magic 0x%04x", h.Magic))
	}
	return h, nil
}

// checkSize applies the size limit to annotations plus data, with Pyro 5's
// text.
func checkSize(total uint64, limit int) error {
	if total > uint64(limit) {
		return wire.NewError(ErrTooLarge, fmt.Sprintf("message too large (%d, max=%d)", total, limit), nil)
	}
	return nil
}

// ReadMessage reads one message from r, exactly as sent (Data stays
// compressed; see Decompress), refusing annotations plus data of more than
// maxSize bytes (DefaultMaxMessageSize when maxSize <= 0) before reading
// them. Memory grows with the bytes received, not with the sizes a header
// announces. Errors are *FrameError values; see the Err* kinds.
func ReadMessage(r io.Reader, maxSize int) (*Message, error) {
	var hdr [HeaderSize]byte
	h, n, err := readHeader(r, &hdr)
	if err != nil {
		return nil, ioOr(err, n == 0)
	}
	m, err := readPayload(r, h, limit(maxSize))
	if err != nil {
		return nil, ioOr(err, false)
	}
	return m, nil
}

func limit(maxSize int) int {
	if maxSize <= 0 {
		return DefaultMaxMessageSize
	}
	return maxSize
}

// ioOr returns a *FrameError unchanged and classifies anything else as a
// transport error.
func ioOr(err error, atStart bool) error {
	var pe *FrameError
	if errors.As(err, &pe) {
		return err
	}
	return wire.IOError(err, atStart, true)
}

// readHeader reads and parses a header into hdr as Pyro 5 does: the prefix
// first, so that another protocol is refused without waiting for 40 bytes.
// It returns how many bytes it read; its I/O errors are unclassified.
func readHeader(r io.Reader, hdr *[HeaderSize]byte) (Header, int, error) {
	n, err := io.ReadFull(r, hdr[:PrefixSize])
	if err != nil {
		return Header{}, n, err
	}
	if err := CheckPrefix(hdr[:PrefixSize]); err != nil {
		return Header{}, n, err
	}
	m, err := io.ReadFull(r, hdr[PrefixSize:])
	if err != nil {
		return Header{}, n + m, err
	}
	h, err := ParseHeader(hdr[:])
	return h, n + m, err
}

// readPayload checks the header's sizes and reads annotations and data.
func readPayload(r io.Reader, h Header, maxSize int) (*Message, error) {
	total := uint64(h.AnnLen) + uint64(h.DataLen)
	if err := checkSize(total, maxSize); err != nil {
		return nil, err
	}
	payload, err := wire.ReadBody(r, nil, int(total))
	if err != nil {
		return nil, err
	}
	anns, err := wire.ParseAnnotations(payload[:h.AnnLen], 4)
	if err != nil {
		return nil, err
	}
	return &Message{
		Type:        h.Type,
		Serializer:  h.Serializer,
		Flags:       h.Flags,
		Seq:         h.Seq,
		CorrID:      h.CorrID,
		Annotations: anns,
		Data:        payload[h.AnnLen:],
	}, nil
}

// Decompress replaces zlib Data by its decompressed bytes, at most limit
// (DefaultMaxMessageSize when limit <= 0), and clears FlagCompressed, as
// Pyro 5 does on receipt; without FlagCompressed it does nothing.
// ErrCompression carries Python's zlib.error text.
func (m *Message) Decompress(limit int) error {
	var z wire.Inflater
	return m.decompress(&z, limit)
}

func (m *Message) decompress(z *wire.Inflater, maxSize int) error {
	if m.Flags&FlagCompressed == 0 {
		return nil
	}
	data, err := z.Inflate(m.Data, limit(maxSize))
	if err != nil {
		return err
	}
	m.Data = data
	m.Flags &^= FlagCompressed
	return nil
}

// Expect returns ErrMsgType, with Pyro 5's text, unless m's type is one of
// types.
func (m *Message) Expect(types ...Type) error {
	for _, t := range types {
		if m.Type == t {
			return nil
		}
	}
	ids := make([]string, len(types))
	for i, t := range types {
		ids[i] = strconv.Itoa(int(t))
	}
	return wire.NewError(ErrMsgType, fmt.Sprintf("invalid msg type %d received (expected: %s)", m.Type, strings.Join(ids, ",")), nil)
}

// Size is the encoded size of m: header, annotations and data.
func (m *Message) Size() int {
	return HeaderSize + wire.AnnotationsSize(m.Annotations, 4) + len(m.Data)
}

// AppendBinary appends the encoded message to dst: the header, the
// annotations in their order, the data as it is (m.Flags decides nothing).
// It fails (ErrHeader, with Pyro 5's text) for an annotation id that is not
// 4 ASCII characters and for sizes a uint32 cannot hold.
func (m *Message) AppendBinary(dst []byte) ([]byte, error) {
	if err := m.check(); err != nil {
		return dst, err
	}
	dst = m.appendHeader(dst)
	dst = wire.AppendAnnotations(dst, m.Annotations, 4)
	return append(dst, m.Data...), nil
}

// MarshalBinary returns the encoded message.
func (m *Message) MarshalBinary() ([]byte, error) {
	return m.AppendBinary(make([]byte, 0, m.Size()))
}

// WriteTo writes the encoded message to w in one Write.
func (m *Message) WriteTo(w io.Writer) (int64, error) {
	b, err := m.MarshalBinary()
	if err != nil {
		return 0, err
	}
	n, err := w.Write(b)
	return int64(n), err
}

func (m *Message) check() error {
	if err := wire.CheckAnnotations(m.Annotations, 4, "annotation identifier must be 4 ascii characters"); err != nil {
		return err
	}
	if n := wire.AnnotationsSize(m.Annotations, 4); n > math.MaxUint32 {
		return wire.NewError(ErrHeader, fmt.Sprintf("annotations too large: %d bytes", n), nil)
	}
	if uint64(len(m.Data)) > math.MaxUint32 {
		return wire.NewError(ErrHeader, fmt.Sprintf("data too large: %d bytes", len(m.Data)), nil)
	}
	return nil
}

func (m *Message) appendHeader(dst []byte) []byte {
	dst = append(dst, "PYRO"...)
	dst = binary.BigEndian.AppendUint16(dst, Version)
	dst = append(dst, byte(m.Type), m.Serializer)
	dst = binary.BigEndian.AppendUint16(dst, uint16(m.Flags))
	dst = binary.BigEndian.AppendUint16(dst, m.Seq)
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(m.Data)))
	dst = binary.BigEndian.AppendUint32(dst, uint32(wire.AnnotationsSize(m.Annotations, 4)))
	dst = append(dst, m.CorrID[:]...)
	dst = binary.BigEndian.AppendUint16(dst, 0)
	return binary.BigEndian.AppendUint16(dst, Magic)
}
