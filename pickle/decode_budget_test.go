package pickle

import (
	"errors"
	"strings"
	"testing"
)

// dupList is the pickle of the decoder amplification report: a list of n
// references to one int, made with DUP (one byte each). Pyro 3 clients
// compress it 1000:1, so 16M items travel in 15.6 KB.
func dupList(n int) []byte {
	return []byte("(K\x01" + strings.Repeat("2", n) + "l.")
}

// budgetCases are pickles that build far more than their size, each with
// limits that refuse it (ok false) or admit it. FuzzDecode starts from them.
var budgetCases = func() []struct {
	name string
	lim  Limits
	data string
	ok   bool
} {
	small := Limits{MaxBuild: 64 << 10}
	bytes4k := "B\x00\x10\x00\x00" + strings.Repeat("x", 4096)
	dict100 := func() string {
		var b strings.Builder
		b.WriteString("}q\x00(")
		for i := range 100 {
			b.WriteString("K" + string(rune(i)) + "N")
		}
		b.WriteString("u")
		return b.String()
	}()
	return []struct {
		name string
		lim  Limits
		data string
		ok   bool
	}{
		{"16M DUPs", Limits{}, string(dupList(16_000_000)), false},
		{"1M DUPs", Limits{}, string(dupList(1_000_000)), true},
		{"DUPs", small, string(dupList(10_000)), false},
		{"fewer DUPs", small, string(dupList(1000)), true},
		{"memo GETs", small, "K\x01q\x00(" + strings.Repeat("h\x00", 10_000) + "l.", false},
		{"DUPs popped", small, "K\x01" + strings.Repeat("2", 10_000) + strings.Repeat("0", 10_000) + ".", false},
		{"empty dicts", small, "(" + strings.Repeat("}", 1000) + "l.", false},
		{"empty lists", small, "(" + strings.Repeat("]", 2000) + "l.", false},
		{"tuples of a memoized tuple", small, "K\x01\x85q\x00(" + strings.Repeat("h\x00\x85", 2000) + "l.", false},
		{"appends of memoized items", small, "]q\x00K\x01q\x010" + strings.Repeat("(h\x01h\x01h\x01h\x01e", 2000) + ".", false},
		{"memo entries", small, "K\x01" + strings.Repeat("\x94", 10_000) + ".", false},
		{"BUILD of one dict again and again", small,
			"\x80\x02cm\nC\n)\x81" + dict100 + "b" + strings.Repeat("h\x00b", 100) + ".", false},
		{"BUILD of one dict, once", small, "\x80\x02cm\nC\n)\x81" + dict100 + "b.", true},
		{"bytearray copies of one string", small,
			"c__builtin__\nbytearray\nq\x00" + bytes4k + "q\x010" + strings.Repeat("h\x00h\x01\x85R0", 100) + "N.", false},
		{"objects", small, "c__builtin__\nobject\nq\x00(" + strings.Repeat("h\x00)\x81", 1000) + "l.", false},
		{"longs", small, "(" + strings.Repeat("\x8a\x00", 2000) + "l.", false},
	}
}()

// TestDecodeBudget checks that a pickle that builds more than its budget
// fails with a *BudgetError, whatever opcodes it builds with, and that the
// same shapes within the budget decode.
func TestDecodeBudget(t *testing.T) {
	for _, tc := range budgetCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := (&Decoder{Registry: NewRegistry(nil), Limits: tc.lim}).Decode([]byte(tc.data))
			if tc.ok {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			decIsError(t, err, ErrLimit)
			var be *BudgetError
			if !errors.As(err, &be) {
				t.Fatalf("error %v: no *BudgetError", err)
			}
			if be.Size != len(tc.data) || be.Budget != tc.lim.Budget(len(tc.data)) {
				t.Errorf("BudgetError %+v, want size %d and budget %d", be, len(tc.data), tc.lim.Budget(len(tc.data)))
			}
			if !strings.Contains(err.Error(), "budget") {
				t.Errorf("error %q does not name the budget", err)
			}
		})
	}
}

// TestLimitsBudget checks the budget's floor, ceiling and proportion.
func TestLimitsBudget(t *testing.T) {
	for _, tc := range []struct {
		lim  Limits
		n    int
		want int
	}{
		{Limits{}, 0, 1 << 20},
		{Limits{}, 100, 1 << 20},
		{Limits{}, 16 << 10, 2 << 20},
		{Limits{}, 1 << 20, 128 << 20},
		{Limits{}, 16_000_005, 128 << 20},
		{Limits{}, 1 << 40, 128 << 20},
		{Limits{BuildPerByte: 2, MinBuild: 10, MaxBuild: 100}, 3, 10},
		{Limits{BuildPerByte: 2, MinBuild: 10, MaxBuild: 100}, 30, 60},
		{Limits{BuildPerByte: 2, MinBuild: 10, MaxBuild: 100}, 300, 100},
		{Limits{MinBuild: 1 << 30}, 1, 128 << 20}, // the ceiling wins
	} {
		if got := tc.lim.Budget(tc.n); got != tc.want {
			t.Errorf("%+v.Budget(%d) = %d, want %d", tc.lim, tc.n, got, tc.want)
		}
	}
}

// TestDecodeLongKeys checks that a long string set as a dict key again
// and again, by memo reference, is bounded: each SETITEM hashes it whole.
func TestDecodeLongKeys(t *testing.T) {
	key := "X\x00\x00\x01\x00" + strings.Repeat("k", 1<<16) + "q\x000"
	_, err := decPlain([]byte(key + "}(" + strings.Repeat("h\x00N", 20_000) + "u."))
	decIsError(t, err, ErrLimit)
	// Distinct long keys cost their own bytes of input.
	var b strings.Builder
	b.WriteString("}(")
	for i := range 200 {
		b.WriteString("X\x00\x10\x00\x00" + strings.Repeat(string(rune('a'+i%26)), 4095) + string(rune('0'+i/26)) + "N")
	}
	b.WriteString("u.")
	v, err := decPlain([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if n := v.(Dict).Len(); n != 200 {
		t.Errorf("%d keys, want 200", n)
	}
}
