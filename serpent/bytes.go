package serpent

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"

	"github.com/gopyro/gopyro/internal/codec"
	"github.com/gopyro/gopyro/pickle"
)

// ErrNotBytes is returned by ToBytes for a value that is neither bytes nor a
// serpent bytes dict.
var ErrNotBytes = errors.New("serpent: neither bytes nor a serpent base64 bytes dict")

// ToBytes is serpent.tobytes: it returns the bytes a decoded value stands
// for. Serpent writes bytes, bytearray and memoryview as the dict
// {'data': <base64 text>, 'encoding': 'base64'}, which Decode returns as a
// pickle.Dict (serpent.loads returns a dict too); ToBytes decodes such a
// dict, and returns pickle.Bytes, pickle.ByteArray, pickle.ByteString and
// []byte values as they are. Anything else is ErrNotBytes.
func ToBytes(v any) ([]byte, error) {
	switch x := v.(type) {
	case pickle.Bytes:
		return []byte(x), nil
	case pickle.ByteArray:
		return x, nil
	case pickle.ByteString:
		return []byte(x), nil
	case []byte:
		return x, nil
	case pickle.Dict:
		if b, ok, err := bytesDict(x); ok {
			return b, err
		}
	}
	return nil, fmt.Errorf("%w: %s", ErrNotBytes, pickle.PythonType(v))
}

// bytesDict decodes d when it is a serpent bytes dict: 'data' a str and
// 'encoding' the str 'base64' (extra keys allowed, as serpent.tobytes
// allows them).
func bytesDict(d pickle.Dict) ([]byte, bool, error) {
	if d.Len() < 2 {
		return nil, false, nil
	}
	enc, _ := d.Get_("encoding")
	if s, ok := enc.(string); !ok || s != "base64" {
		return nil, false, nil
	}
	data, _ := d.Get_("data")
	s, ok := data.(string)
	if !ok {
		return nil, false, nil
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, true, fmt.Errorf("serpent: bytes dict: %w", err)
	}
	return b, true, nil
}

// restored returns what the just-parsed dict d stands for when the decoder
// restores stand-ins (see Decoder.Restore), else d itself.
func (p *parser) restored(d pickle.Dict, pos int) (any, error) {
	if d.Len() == 2 {
		if b, ok, err := bytesDict(d); ok {
			if err != nil {
				return nil, p.fail(pos, codec.Errorf(ErrEncoding, "%v", err))
			}
			return pickle.Bytes(b), nil
		}
	}
	cls, _ := d.Get_("__class__")
	switch cls {
	case "float":
		if v, _ := d.Get_("value"); d.Len() == 2 && v == "nan" {
			return math.NaN(), nil
		}
	case "complex":
		re, _ := d.Get_("real")
		im, _ := d.Get_("imag")
		r, rok := re.(float64)
		i, iok := im.(float64)
		if d.Len() == 3 && rok && iok {
			return complex(r, i), nil
		}
	}
	return d, nil
}
