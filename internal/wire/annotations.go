package wire

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Annotation is one annotation chunk of a protocol 48 or 502 message: a
// 4-character ASCII id and its bytes.
type Annotation struct {
	ID    string
	Value []byte
}

// Annotation texts of Pyro5's protocol.py (Pyro4 has none of its own: it
// slices what it gets).
const (
	annTooLong = "annotation chunk length exceeds remaining data"
)

// ParseAnnotations splits the annotation chunks in b: a 4-byte id then a
// big-endian length of lenSize bytes (2 in protocol 48, 4 in 502) then the
// value, until b is used up. Values alias b. Like Pyro, an id that is not
// ASCII is refused with Python's UnicodeDecodeError text, and a chunk that
// runs past the end of b with Pyro5's text (ErrHeader both).
func ParseAnnotations(b []byte, lenSize int) ([]Annotation, error) {
	if len(b) == 0 {
		return nil, nil
	}
	anns := make([]Annotation, 0, 2)
	for i := 0; i < len(b); {
		idb := b[i:min(i+4, len(b))]
		if err := checkASCII(idb); err != nil {
			return nil, err
		}
		if i+4+lenSize > len(b) {
			return nil, NewError(ErrHeader, annTooLong, fmt.Errorf("%d bytes left for a chunk header of %d", len(b)-i, 4+lenSize))
		}
		var n uint64
		if lenSize == 2 {
			n = uint64(binary.BigEndian.Uint16(b[i+4:]))
		} else {
			n = uint64(binary.BigEndian.Uint32(b[i+4:]))
		}
		start := i + 4 + lenSize
		if n > uint64(len(b)-start) {
			return nil, NewError(ErrHeader, annTooLong, fmt.Errorf("chunk %q of %d bytes, %d left", idb, n, len(b)-start))
		}
		end := start + int(n)
		anns = append(anns, Annotation{ID: string(idb), Value: b[start:end:end]})
		i = end
	}
	return anns, nil
}

// checkASCII refuses an id as Python's bytes.decode("ascii") does.
func checkASCII(id []byte) error {
	for i, c := range id {
		if c >= 0x80 {
			return NewError(ErrHeader, fmt.Sprintf("'ascii' codec can't decode byte 0x%02x in position %d: ordinal not in range(128)", c, i), nil)
		}
	}
	return nil
}

// ValidID reports whether id can be sent: exactly 4 ASCII characters.
func ValidID(id string) bool {
	if len(id) != 4 {
		return false
	}
	for i := range len(id) {
		if id[i] >= 0x80 {
			return false
		}
	}
	return true
}

// AnnotationsSize is the encoded size of anns with lenSize-byte lengths.
func AnnotationsSize(anns []Annotation, lenSize int) int {
	n := 0
	for _, a := range anns {
		n += 4 + lenSize + len(a.Value)
	}
	return n
}

// CheckAnnotations validates anns for sending: ids of 4 ASCII characters
// (badID is the text for one that is not), values no longer than a
// lenSize-byte length can say.
func CheckAnnotations(anns []Annotation, lenSize int, badID string) error {
	maxLen := uint64(math.MaxUint32)
	if lenSize == 2 {
		maxLen = math.MaxUint16
	}
	for _, a := range anns {
		if !ValidID(a.ID) {
			return NewError(ErrHeader, badID, fmt.Errorf("annotation id %q", a.ID))
		}
		if uint64(len(a.Value)) > maxLen {
			return NewError(ErrHeader, fmt.Sprintf("annotation %s too long: %d bytes, at most %d", a.ID, len(a.Value), maxLen), nil)
		}
	}
	return nil
}

// AppendAnnotations appends the chunks of anns, already checked with
// CheckAnnotations, to dst.
func AppendAnnotations(dst []byte, anns []Annotation, lenSize int) []byte {
	for _, a := range anns {
		dst = append(dst, a.ID...)
		if lenSize == 2 {
			dst = binary.BigEndian.AppendUint16(dst, uint16(len(a.Value)))
		} else {
			dst = binary.BigEndian.AppendUint32(dst, uint32(len(a.Value)))
		}
		dst = append(dst, a.Value...)
	}
	return dst
}

// Lookup returns the value of the annotation id as Pyro sees it: Pyro
// keeps annotations in a dict, so of repeated ids the last one counts.
func Lookup(anns []Annotation, id string) ([]byte, bool) {
	for i := len(anns) - 1; i >= 0; i-- {
		if anns[i].ID == id {
			return anns[i].Value, true
		}
	}
	return nil, false
}

// Set stores value under id as a Python dict does: in place of the first
// annotation with that id (dropping any later repeats), else appended.
func Set(anns []Annotation, id string, value []byte) []Annotation {
	for i := range anns {
		if anns[i].ID == id {
			anns[i].Value = value
			// Filtering in place is safe: writes never pass reads.
			out := anns[:i+1]
			for _, a := range anns[i+1:] {
				if a.ID != id {
					out = append(out, a)
				}
			}
			return out
		}
	}
	return append(anns, Annotation{ID: id, Value: value})
}
