package pickle

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// doubledValue is a tuple holding the same tuple twice, levels deep.
func doubledValue(levels int) any {
	var v any = int64(1)
	for range levels {
		v = Tuple{v, v}
	}
	return v
}

// TestPickledSplice: a Pickled written into a pickle decodes as the value
// itself would, at every protocol it may be made and written at, with what
// it shares kept shared, and with the memo entries of the pickle around it
// (stored before and after it, some at the indexes it also stores) loading
// what they stored.
func TestPickledSplice(t *testing.T) {
	shared := Tuple{ByteString("before"), int64(2)} // memoized before the splice
	later := Tuple{ByteString("after"), int64(3)}   // memoized after it
	ev := Tuple{doubledValue(4), ByteString("payload"), shared}
	for outer := 0; outer <= maxSpliceProtocol; outer++ {
		for proto := 0; proto <= outer; proto++ {
			p, err := (&Encoder{Protocol: proto}).Pickle(ev)
			if err != nil {
				t.Fatalf("Pickle at %d: %v", proto, err)
			}
			if p.Protocol() != proto {
				t.Errorf("Protocol() = %d, want %d", p.Protocol(), proto)
			}
			enc := Encoder{Protocol: outer}
			data, err := enc.Append(nil, Tuple{shared, p, shared, later, p, later})
			if err != nil {
				t.Fatalf("protocol %d into %d: %v", proto, outer, err)
			}
			got, err := Decode(data)
			if err != nil {
				t.Fatalf("protocol %d into %d: decode: %v", proto, outer, err)
			}
			want := Tuple{shared, ev, shared, later, ev, later}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("protocol %d into %d (-want +got):\n%s", proto, outer, diff)
			}
		}
	}
}

// TestPickledShared: a Pickled of a value that shares its parts (2^40
// leaves) is as short as the value's own pickle, and so is the pickle it
// is written into.
func TestPickledShared(t *testing.T) {
	v := doubledValue(40)
	p, err := (&Encoder{Protocol: 2}).Pickle(v)
	if err != nil {
		t.Fatal(err)
	}
	direct, err := Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if p.Len() != len(direct)-3 { // without PROTO 2 and STOP
		t.Errorf("Pickled is %d bytes, the value's pickle %d", p.Len(), len(direct))
	}
	data, err := Marshal(Tuple{ByteString("id"), p})
	if err != nil || len(data) > len(direct)+32 {
		t.Fatalf("call of %d bytes (%v), the value alone %d", len(data), err, len(direct))
	}
	got, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	depth := 0
	for x := got.(Tuple)[1]; ; depth++ {
		tu, ok := x.(Tuple)
		if !ok {
			break
		}
		x = tu[0]
	}
	if depth != 40 {
		t.Errorf("decoded %d levels, want 40", depth)
	}
}

func TestPickledErrors(t *testing.T) {
	p2, err := (&Encoder{Protocol: 2}).Pickle(int64(1))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		make  int // protocol to make a Pickled at, -1 to use p2
		outer int
		value any
	}{
		{"made-at-4", 4, 2, nil},
		{"made-at-5", 5, 5, nil},
		{"into-4", -1, 4, p2},
		{"higher-than-outer", -1, 1, p2},
		{"nil", -1, 2, (*Pickled)(nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.make >= 0 {
				if _, err := (&Encoder{Protocol: tt.make}).Pickle(int64(1)); !errors.Is(err, ErrUnsupportedValue) {
					t.Errorf("Pickle at %d: %v, want ErrUnsupportedValue", tt.make, err)
				}
				return
			}
			if _, err := (&Encoder{Protocol: tt.outer}).Append(nil, Tuple{tt.value}); !errors.Is(err, ErrUnsupportedValue) {
				t.Errorf("Append at %d: %v, want ErrUnsupportedValue", tt.outer, err)
			}
		})
	}
}
