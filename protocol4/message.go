package protocol4

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/gopyro/gopyro/internal/wire"
)

// Wire constants of protocol 48.
const (
	// Version is the protocol version of Pyro 4.
	Version = 48
	// HeaderSize is the size of the message header in bytes.
	HeaderSize = 24
	// PrefixSize is how many bytes tell a protocol 48 message from others:
	// "PYRO" and the version.
	PrefixSize = 6
	// ChecksumMagic is the constant added into every header checksum.
	ChecksumMagic = 0x34E9
	// DefaultMaxMessageSize is the limit on annotations plus data applied
	// when none is given: the largest data length the header can carry.
	// (Pyro4's MAX_MESSAGE_SIZE is 0, no limit, by default.)
	DefaultMaxMessageSize = math.MaxInt32
	// HMACAnnotation is the id of the annotation that carries the HMAC.
	HMACAnnotation = "HMAC"
)

// Type is a message type.
type Type uint16

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

// Flags are the message flags of protocol 48.
type Flags uint16

// Flag bits.
const (
	FlagException        Flags = 1 << 0 // data is a serialized exception
	FlagCompressed       Flags = 1 << 1 // data (not the annotations) is zlib data
	FlagOneway           Flags = 1 << 2 // no reply wanted
	FlagBatch            Flags = 1 << 3 // data is a batch of calls or results
	FlagMetaOnConnect    Flags = 1 << 4 // CONNECT asks for the object's metadata in CONNECTOK
	FlagItemStreamResult Flags = 1 << 5 // the result is an item stream (STRM annotation)
	FlagKeepSerialized   Flags = 1 << 6 // arguments are passed on still serialized
)

var flagNames = [...]string{"EXCEPTION", "COMPRESSED", "ONEWAY", "BATCH", "META_ON_CONNECT", "ITEMSTREAMRESULT", "KEEPSERIALIZED"}

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

// Serializer ids of Pyro 4 (PING messages carry 42).
const (
	SerializerSerpent     uint16 = 1
	SerializerJSON        uint16 = 2
	SerializerMarshal     uint16 = 3
	SerializerPickle      uint16 = 4
	SerializerDill        uint16 = 5
	SerializerMsgpack     uint16 = 6
	SerializerCloudpickle uint16 = 7
)

// Annotation is one annotation chunk: a 4-character ASCII id and its bytes
// (a uint16 length on the wire). Pyro4 reserves "HMAC", "CORR" (the
// correlation id, 16 bytes), "STRM" (item stream id) and "BLBI"
// (KEEPSERIALIZED blob info).
type Annotation = wire.Annotation

// Message is one protocol 48 message. Data is opaque to this package (the
// serialized payload); it is the data as transmitted, zlib data when Flags
// has FlagCompressed, except where a function says otherwise.
//
// Annotations keep the order and repeats of the wire, so that a message
// read re-encodes to the same bytes; Annotation looks one up as Pyro does.
type Message struct {
	Type        Type
	Flags       Flags
	Seq         uint16
	Serializer  uint16
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

// Header is the decoded 24-byte header, Python struct "!4sHHHHiHHHH":
// "PYRO", version, type, flags, sequence number, data length, serializer
// id, annotations length, reserved, checksum.
type Header struct {
	Version    uint16
	Type       Type
	Flags      Flags
	Seq        uint16
	DataLen    int32
	Serializer uint16
	AnnLen     uint16
	Reserved   uint16
	Checksum   uint16
}

// Sum is the checksum the header's fields call for.
func (h *Header) Sum() uint16 {
	return checksum(h.Type, h.Version, uint32(h.DataLen), h.AnnLen, h.Serializer, h.Flags, h.Seq)
}

func checksum(t Type, version uint16, dataLen uint32, annLen, ser uint16, flags Flags, seq uint16) uint16 {
	return uint16(uint32(t) + uint32(version) + dataLen + uint32(annLen) + uint32(ser) + uint32(flags) + uint32(seq) + ChecksumMagic)
}

var errVersionText = "invalid data or unsupported protocol version"

// CheckPrefix validates the first bytes of a header: "PYRO" (ErrHeader)
// and, if present, version 48 (ErrVersion), both with Pyro4's text "invalid
// data or unsupported protocol version". A server that shares a port with
// other protocols can tell a Pyro 4 client by its first PrefixSize bytes.
func CheckPrefix(b []byte) error {
	if len(b) < 4 || string(b[:4]) != "PYRO" {
		return wire.NewError(ErrHeader, errVersionText, nil)
	}
	if len(b) >= PrefixSize {
		if v := binary.BigEndian.Uint16(b[4:]); v != Version {
			return wire.NewError(ErrVersion, errVersionText, fmt.Errorf("version %d", v))
		}
	}
	return nil
}

// ParseHeader decodes a 24-byte header and validates it as Pyro4's
// Message.from_header does: CheckPrefix, then the checksum (ErrChecksum
// "header checksum mismatch"); a negative data length is ErrHeader. It
// applies no size limit.
func ParseHeader(b []byte) (Header, error) {
	if len(b) != HeaderSize {
		return Header{}, wire.NewError(ErrHeader, "header data size mismatch", fmt.Errorf("header of %d bytes", len(b)))
	}
	if err := CheckPrefix(b); err != nil {
		return Header{}, err
	}
	h := Header{
		Version:    binary.BigEndian.Uint16(b[4:]),
		Type:       Type(binary.BigEndian.Uint16(b[6:])),
		Flags:      Flags(binary.BigEndian.Uint16(b[8:])),
		Seq:        binary.BigEndian.Uint16(b[10:]),
		DataLen:    int32(binary.BigEndian.Uint32(b[12:])),
		Serializer: binary.BigEndian.Uint16(b[16:]),
		AnnLen:     binary.BigEndian.Uint16(b[18:]),
		Reserved:   binary.BigEndian.Uint16(b[20:]),
		Checksum:   binary.BigEndian.Uint16(b[22:]),
	}
	if h.Checksum != h.Sum() {
		return h, wire.NewError(ErrChecksum, "header checksum mismatch", fmt.Errorf("checksum 0x%04x, want 0x%04x", h.Checksum, h.Sum()))
	}
	if h.DataLen < 0 {
		return h, wire.NewError(ErrHeader, "invalid message size (outside range 0..2Gb)", fmt.Errorf("data length %d", h.DataLen))
	}
	return h, nil
}

// checkSize applies the size limit to annotations plus data, with Pyro4's
// text.
func checkSize(total uint64, limit int) error {
	if total > uint64(limit) {
		return wire.NewError(ErrTooLarge, fmt.Sprintf("max message size exceeded (%d where max=%d)", total, limit), nil)
	}
	return nil
}

func limit(maxSize int) int {
	if maxSize <= 0 {
		return DefaultMaxMessageSize
	}
	return maxSize
}

// ReadMessage reads one message from r, exactly as sent (Data stays
// compressed, the HMAC unchecked; see Decompress and Verify), refusing
// annotations plus data of more than maxSize bytes (DefaultMaxMessageSize
// when maxSize <= 0) before reading them. Memory grows with the bytes
// received, not with the sizes a header announces. Errors are *FrameError
// values; see the Err* kinds.
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

// ioOr returns a *FrameError unchanged and classifies anything else as a
// transport error.
func ioOr(err error, atStart bool) error {
	var pe *FrameError
	if errors.As(err, &pe) {
		return err
	}
	return wire.IOError(err, atStart, true)
}

// readHeader reads and parses a header into hdr. It returns how many bytes
// it read; its I/O errors are unclassified.
func readHeader(r io.Reader, hdr *[HeaderSize]byte) (Header, int, error) {
	n, err := io.ReadFull(r, hdr[:])
	if err != nil {
		return Header{}, n, err
	}
	h, err := ParseHeader(hdr[:])
	return h, n, err
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
	anns, err := wire.ParseAnnotations(payload[:h.AnnLen], 2)
	if err != nil {
		return nil, err
	}
	return &Message{
		Type:        h.Type,
		Flags:       h.Flags,
		Seq:         h.Seq,
		Serializer:  h.Serializer,
		Annotations: anns,
		Data:        payload[h.AnnLen:],
	}, nil
}

// Decompress replaces zlib Data by its decompressed bytes, at most limit
// (DefaultMaxMessageSize when limit <= 0), and clears FlagCompressed, as
// Pyro4 does before deserializing; without FlagCompressed it does nothing.
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

// Expect returns ErrMsgType, with Pyro4's text, unless m's type is one of
// types.
func (m *Message) Expect(types ...Type) error {
	if slices.Contains(types, m.Type) {
		return nil
	}
	return wire.NewError(ErrMsgType, fmt.Sprintf("invalid msg type %d received", m.Type), nil)
}

// HMAC returns the digest Pyro4 computes for m with key: HMAC-SHA1 over
// Data as it is (compressed, if it is), then the values of the annotations
// other than HMAC, as Pyro's dict holds them (of repeated ids the last),
// in the order of their ids.
func (m *Message) HMAC(key []byte) []byte {
	mac := hmac.New(sha1.New, key)
	mac.Write(m.Data)
	ids := make([]string, 0, len(m.Annotations))
	for _, a := range m.Annotations {
		if a.ID != HMACAnnotation && !slices.Contains(ids, a.ID) {
			ids = append(ids, a.ID)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		v, _ := m.Annotation(id)
		mac.Write(v)
	}
	return mac.Sum(nil)
}

// Sign sets m's HMAC annotation to its digest with key, as Pyro4 does for
// every message it sends with a key; an empty key (no key) does nothing.
// Sign it after the last change to Data or the annotations.
func (m *Message) Sign(key []byte) {
	if len(key) > 0 {
		m.SetAnnotation(HMACAnnotation, m.HMAC(key))
	}
}

// Verify checks m's HMAC annotation as Pyro4's Message.recv does, with key
// (empty for none): ErrSecurity "message hmac mismatch" for a wrong
// digest, "hmac key config not symmetric" for a digest without a key or a
// key without a digest.
func (m *Message) Verify(key []byte) error {
	got, signed := m.Annotation(HMACAnnotation)
	switch {
	case signed && len(key) > 0:
		if !hmac.Equal(got, m.HMAC(key)) {
			return wire.NewError(ErrSecurity, "message hmac mismatch", nil)
		}
	case signed != (len(key) > 0):
		return wire.NewError(ErrSecurity, "hmac key config not symmetric", nil)
	}
	return nil
}

// Size is the encoded size of m: header, annotations and data.
func (m *Message) Size() int {
	return HeaderSize + wire.AnnotationsSize(m.Annotations, 2) + len(m.Data)
}

// AppendBinary appends the encoded message to dst: the header with its
// checksum, the annotations in their order, the data as it is (m.Flags
// decides nothing, and nothing is signed). It fails (ErrHeader) for an
// annotation id that is not 4 ASCII characters, with Pyro4's text, and for
// sizes the header cannot hold.
func (m *Message) AppendBinary(dst []byte) ([]byte, error) {
	if err := m.check(); err != nil {
		return dst, err
	}
	dst = m.appendHeader(dst)
	dst = wire.AppendAnnotations(dst, m.Annotations, 2)
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
	if err := wire.CheckAnnotations(m.Annotations, 2, "annotation key must be of length 4"); err != nil {
		return err
	}
	if n := wire.AnnotationsSize(m.Annotations, 2); n > math.MaxUint16 {
		return wire.NewError(ErrHeader, fmt.Sprintf("annotations too large: %d bytes, at most %d", n, math.MaxUint16), nil)
	}
	if len(m.Data) > math.MaxInt32 {
		return wire.NewError(ErrHeader, "invalid message size (outside range 0..2Gb)", nil)
	}
	return nil
}

func (m *Message) appendHeader(dst []byte) []byte {
	annLen := uint16(wire.AnnotationsSize(m.Annotations, 2))
	dst = append(dst, "PYRO"...)
	dst = binary.BigEndian.AppendUint16(dst, Version)
	dst = binary.BigEndian.AppendUint16(dst, uint16(m.Type))
	dst = binary.BigEndian.AppendUint16(dst, uint16(m.Flags))
	dst = binary.BigEndian.AppendUint16(dst, m.Seq)
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(m.Data)))
	dst = binary.BigEndian.AppendUint16(dst, m.Serializer)
	dst = binary.BigEndian.AppendUint16(dst, annLen)
	dst = binary.BigEndian.AppendUint16(dst, 0)
	return binary.BigEndian.AppendUint16(dst, checksum(m.Type, Version, uint32(len(m.Data)), annLen, m.Serializer, m.Flags, m.Seq))
}
