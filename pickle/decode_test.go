package pickle

import (
	"encoding/hex"
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// stdCallMessage is Python 2's cPickle.dumps(msg, 2) of Pyro's standard call
// message: ('7f00000146c929cefcdb0cb175b39735c4', 'method', 3, ((42, 3.14,
// u'unicode \u20ac', range(100), dict(('k%d' % i, i) for i in range(10))), {})).
var stdCallMessage = mustHex("800228552237663030303030313436633932396365666364623063623137356233393733356334710155066d6574686f6471024b03284b2a4740091eb851eb851f580b000000756e69636f646520e282ac71035d7104284b004b014b024b034b044b054b064b074b084b094b0a4b0b4b0c4b0d4b0e4b0f4b104b114b124b134b144b154b164b174b184b194b1a4b1b4b1c4b1d4b1e4b1f4b204b214b224b234b244b254b264b274b284b294b2a4b2b4b2c4b2d4b2e4b2f4b304b314b324b334b344b354b364b374b384b394b3a4b3b4b3c4b3d4b3e4b3f4b404b414b424b434b444b454b464b474b484b494b4a4b4b4b4c4b4d4b4e4b4f4b504b514b524b534b544b554b564b574b584b594b5a4b5b4b5c4b5d4b5e4b5f4b604b614b624b63657d71052855026b334b0355026b324b0255026b314b0155026b304b0055026b374b0755026b364b0655026b354b0555026b344b0455026b394b0955026b384b0875747d867471062e")

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func BenchmarkDecodeInternalCallMessage(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(stdCallMessage)))
	for b.Loop() {
		if _, err := decPlain(stdCallMessage); err != nil {
			b.Fatal(err)
		}
	}
}

func TestDecodeCallMessage(t *testing.T) {
	dict := NewDict()
	for i := range 10 {
		dict.Set(ByteString(fmt.Sprintf("k%d", i)), int64(i))
	}
	want := Tuple{ByteString("7f00000146c929cefcdb0cb175b39735c4"), ByteString("method"), int64(3),
		Tuple{Tuple{int64(42), 3.14, "unicode \u20ac", NewList(decInts(100)...), dict}, NewDict()}}
	for name, decode := range map[string]func([]byte) (any, error){"Decode": Decode, "empty registry": decPlain} {
		got, err := decode(stdCallMessage)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if diff := cmp.Diff(want, got, decCmp...); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
}

// TestDecodeInternedStrings decodes short strings of the three kinds with the
// same bytes several times, so that later decodes take them from the cache of
// recurring strings, and checks every result keeps its own kind.
func TestDecodeInternedStrings(t *testing.T) {
	data := []byte("\x80\x04(U\x02abX\x02\x00\x00\x00abC\x02ab\x8c\x02abU\x02abU\x02bat.")
	want := Tuple{ByteString("ab"), "ab", Bytes("ab"), "ab", ByteString("ab"), ByteString("ba")}
	for i := range 4 {
		got, err := decPlain(data)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("decode %d (-want +got):\n%s", i, diff)
		}
	}
}

// TestDecodeInternedGlobals decodes globals and strings of the same text
// often enough for the decoder to cache them, and checks that each keeps its
// own type and that Python 3's builtins names map as without the cache.
func TestDecodeInternedGlobals(t *testing.T) {
	data := []byte("\x80\x02(cPyro.core\nPyroURI\nU\x11Pyro.core\nPyroURIX\x11\x00\x00\x00Pyro.core\nPyroURIcbuiltins\nset\nt.")
	want := Tuple{Class{Module: "Pyro.core", Name: "PyroURI"}, ByteString("Pyro.core\nPyroURI"), "Pyro.core\nPyroURI", Class{Module: "__builtin__", Name: "set"}}
	for i := range 4 {
		v, err := decPlain(data)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, v, decCmp...); diff != "" {
			t.Errorf("decode %d (-want +got):\n%s", i, diff)
		}
	}
}

// TestDecodeConcurrent decodes from several goroutines at once; run with
// -race it checks that pooled decoder state is never shared.
func TestDecodeConcurrent(t *testing.T) {
	inputs := [][]byte{stdCallMessage}
	wants := []any{nil}
	for _, tc := range decOpcodeCases[:40] {
		inputs = append(inputs, []byte(tc.in))
		wants = append(wants, tc.want)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8*len(inputs))
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := range 20 {
				for i := range inputs {
					j := (i + g + round) % len(inputs)
					got, err := decPlain(inputs[j])
					if err != nil {
						errs <- err.Error()
						return
					}
					if wants[j] != nil && !cmp.Equal(wants[j], got, decCmp...) {
						errs <- fmt.Sprintf("input %d decoded to %#v", j, got)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
