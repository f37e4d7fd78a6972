package protocol

import (
	"encoding/binary"
	"fmt"
)

// Wire constants of the PYRO protocol (spec.md §2).
const (
	// Magic opens every message header.
	Magic = "PYRO"
	// Version is the only protocol version Pyro 3.16 accepts.
	Version = 5
	// HeaderSize is the size of the message header in bytes.
	HeaderSize = 18
	// ChallengeSize is the size of the server's authentication challenge.
	ChallengeSize = 16
)

// Header flags.
const (
	FlagCompressed uint16 = 0x01 // body is zlib data
	FlagChecksum   uint16 = 0x02 // CRC holds the Adler-32 of the body as sent
	FlagXMLPickle  uint16 = 0x04 // body is a gnosis XML pickle (not supported)
)

// Header is the 18-byte message header, Python struct format "!4sHHlHl":
// magic "PYRO", version, header size, body size, flags, crc (big-endian).
type Header struct {
	Version    uint16
	HeaderSize uint16
	BodySize   int32 // bytes of body that follow, as transmitted
	Flags      uint16
	CRC        int32 // int32(adler32(body as transmitted)) if FlagChecksum, else 0
}

// NewHeader returns the header Pyro sends for a body of n bytes.
func NewHeader(n int32, flags uint16, crc int32) Header {
	return Header{Version: Version, HeaderSize: HeaderSize, BodySize: n, Flags: flags, CRC: crc}
}

// Append appends the 18 encoded bytes of h (with magic "PYRO") to dst.
func (h Header) Append(dst []byte) []byte {
	dst = append(dst, Magic...)
	dst = binary.BigEndian.AppendUint16(dst, h.Version)
	dst = binary.BigEndian.AppendUint16(dst, h.HeaderSize)
	dst = binary.BigEndian.AppendUint32(dst, uint32(h.BodySize))
	dst = binary.BigEndian.AppendUint16(dst, h.Flags)
	return binary.BigEndian.AppendUint32(dst, uint32(h.CRC))
}

// ParseHeader decodes and validates an 18-byte header in Pyro's order:
// version first (ErrVersion, "incompatible protocol version"), then magic and
// header size (ErrHeader, "invalid header"), then the body size, which must
// not be negative (ErrHeader). It does not apply a size limit; Conn does.
// On a validation error the decoded fields are returned with the error.
func ParseHeader(b []byte) (Header, error) {
	if len(b) != HeaderSize {
		return Header{}, newError(ErrHeader, "invalid header", nil)
	}
	h := Header{
		Version:    binary.BigEndian.Uint16(b[4:]),
		HeaderSize: binary.BigEndian.Uint16(b[6:]),
		BodySize:   int32(binary.BigEndian.Uint32(b[8:])),
		Flags:      binary.BigEndian.Uint16(b[12:]),
		CRC:        int32(binary.BigEndian.Uint32(b[14:])),
	}
	switch {
	case h.Version != Version:
		return h, newError(ErrVersion, "incompatible protocol version", nil)
	case string(b[:4]) != Magic || h.HeaderSize != HeaderSize:
		return h, newError(ErrHeader, "invalid header", nil)
	case h.BodySize < 0:
		return h, newError(ErrHeader, "invalid header", fmt.Errorf("negative body size %d", h.BodySize))
	}
	return h, nil
}
