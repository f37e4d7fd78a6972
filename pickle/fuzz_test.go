package pickle

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/gopyro/gopyro/internal/allocs"
)

// FuzzDecode checks that no input makes the decoder panic and that every
// failure is an *Error. It is seeded with the hand-written opcode pickles and
// the golden corpus. A class registered with RegisterItems must decode as
// it does with Register. Decoding must not allocate more than a small
// budget (fuzzBudget) allows for the input's size: an opcode that builds
// what the budget does not count would let a short pickle build far more
// than its size justifies.
func FuzzDecode(f *testing.F) {
	for _, tc := range decOpcodeCases {
		f.Add([]byte(tc.in))
	}
	f.Add(stdCallMessage)
	f.Add(doubledTuple(40)) // 2^40 leaves unless re-encoding shares
	for _, tc := range budgetCases {
		if len(tc.data) < 1<<20 {
			f.Add([]byte(tc.data))
		}
	}
	f.Add([]byte("\x80\x02cgeo\nP\nq\x00)\x81q\x01}q\x02(U\x01xq\x03K\x01U\x01yh\x03ub."))
	for _, dir := range []string{"testdata/golden", "testdata/bench"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.pickle"))
		for _, name := range files {
			if data, err := os.ReadFile(name); err == nil {
				f.Add(data)
			}
		}
	}
	reg := NewRegistry(nil)
	conv := func(o *Object) (any, error) {
		if o.State == nil {
			return nil, errors.New("no state")
		}
		return &decPoint{X: o.State, Y: o.Args}, nil
	}
	for _, c := range [][2]string{
		{"Pyro.core", "PyroURI"}, {"exceptions", "ValueError"},
		{"Pyro.errors", "PyroExceptionCapsule"}, {"__main__", "Old"}, {"__main__", "New"}, {"m", "C"},
	} {
		reg.Register(c[0], c[1], conv)
	}
	decoders := []*Decoder{
		{},
		{Registry: reg},
		{Registry: reg, Limits: Limits{MaxDepth: 4, MaxMemo: 8, MaxStringLen: 16, MaxContainerLen: 8, MaxBigIntBytes: 4}},
	}
	// The StateItems path must fail exactly when the Dict path fails.
	plain, items := decItemsRegistries()
	tight := &Decoder{Registry: reg, Limits: fuzzBudget}
	f.Fuzz(func(t *testing.T, data []byte) {
		var err error
		if n, bound := allocs.Bytes(func() { _, err = tight.Decode(data) }), maxAllocated(len(data)); n > bound {
			t.Fatalf("decoding %d bytes allocated %d bytes, over %d (error %v)", len(data), n, bound, err)
		}
		for _, lim := range []Limits{{}, {MaxMemo: 8, MaxContainerLen: 2, MaxStringLen: 16}, {MaxDepth: 1}} {
			_, werr := (&Decoder{Registry: plain, Limits: lim}).Decode(data)
			_, err := (&Decoder{Registry: items, Limits: lim}).Decode(data)
			if (werr == nil) != (err == nil) || werr != nil && werr.Error() != err.Error() {
				t.Fatalf("limits %+v: RegisterItems: error %v, Register: %v", lim, err, werr)
			}
		}
		for _, d := range decoders {
			v, err := d.Decode(data)
			if err != nil {
				var pe *Error
				if !errors.As(err, &pe) {
					t.Fatalf("error %v is %T, not *Error", err, err)
				}
				if pe.Offset < 0 || pe.Offset > len(data) {
					t.Fatalf("error offset %d outside the data (%d bytes)", pe.Offset, len(data))
				}
				continue
			}
			if v == nil {
				t.Fatal("nil value without error")
			}
			// What decoded re-encodes within a bound proportional
			// to the input: a value shared through the memo is
			// written once, not once per reference.
			enc := Encoder{Protocol: HighestProtocol, MaxOutput: maxReencoded(len(data))}
			if _, err := enc.Append(nil, v); errors.Is(err, ErrOutputLimit) {
				t.Fatalf("re-encoding what %d bytes decoded to: %v", len(data), err)
			}
		}
	})
}

// maxReencoded is the longest pickle the value a pickle of n bytes decodes
// to may re-encode to. Values are written once however often they are
// referenced, except short strings and longs (under 64 bytes), which are
// written at each reference as cPickle writes unshared ones: a 2-byte memo
// GET of a 63-byte string costs 65 bytes, hence 40 bytes per input byte.
func maxReencoded(n int) int { return 40*n + 4<<10 }

// fuzzBudget is a small build budget: 16 bytes per byte of input, at least
// 16 KiB, at most 256 KiB.
var fuzzBudget = Limits{BuildPerByte: 16, MinBuild: 16 << 10, MaxBuild: 256 << 10}

// maxAllocated is the most a decoder with fuzzBudget may allocate for a
// pickle of n bytes: its budget twice over (what the budget counts is an
// estimate, and slices grow past their length), 32 bytes per byte of input
// for what it does not count (scalars, each at most 8 or 16 bytes and 2
// bytes of input; the one copy of the input that strings share), and 64
// KiB of fixed costs (a decoding state, when the pool has none).
func maxAllocated(n int) uint64 {
	return uint64(2*fuzzBudget.Budget(n) + 32*n + 64<<10)
}
