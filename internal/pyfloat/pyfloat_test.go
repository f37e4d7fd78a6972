package pyfloat

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// TestAppendRepr checks the short-float path against the shortest
// round-trip digits strconv gives, on short decimals and on random doubles
// across and just beyond the range the path takes (the golden vectors pin
// both against Python's repr).
func TestAppendRepr(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 7))
	var fs []float64
	for range 20000 {
		// k significant digits placed at a random decimal exponent
		k, e := 1+rnd.IntN(9), -6+rnd.IntN(17)
		m := rnd.Int64N(int64(math.Pow10(k)))
		f, _ := strconv.ParseFloat(strconv.FormatInt(m, 10)+"e"+strconv.Itoa(e-k), 64)
		fs = append(fs, f, -f, math.Nextafter(f, 0), math.Nextafter(f, math.Inf(1)))
		fs = append(fs, math.Exp(rnd.Float64()*35-12)) // 6e-6 to 2e10
	}
	fs = append(fs, 1e-4, math.Nextafter(1e-4, 0), 1e9, math.Nextafter(1e9, 0), 0.1, 0.3, 2.675, 999999999.999999)
	for _, f := range fs {
		a := math.Abs(f)
		if a < 1e-4 || a >= 1e16 {
			continue
		}
		want := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(want, ".") {
			want += ".0"
		}
		if got := string(AppendRepr(nil, f)); got != want {
			t.Fatalf("AppendRepr(%v) = %s, want %s", f, got, want)
		}
	}
}

// TestStr checks Str on the thresholds of Python 2's str (compat's tests
// check it against Python 2.7 itself).
func TestStr(t *testing.T) {
	tests := []struct {
		f    float64
		want string
	}{
		{0.75, "0.75"}, {2, "2.0"}, {-1, "-1.0"}, {1e16, "1e+16"}, {123456789012.5, "1.23456789012e+11"},
		{0.1 + 0.2, "0.3"}, {1e-5, "1e-05"}, {math.Copysign(0, -1), "-0.0"}, {math.Inf(1), "inf"},
		{math.Inf(-1), "-inf"}, {math.NaN(), "nan"}, {123456789012.0, "1.23456789012e+11"},
		{12345678901.5, "12345678901.5"}, {1e11, "1e+11"}, {99999999999.5, "99999999999.5"},
		{999999999999.5, "1e+12"}, {1e-4, "0.0001"}, {100, "100.0"}, {1234567890123.4, "1.23456789012e+12"},
		{0.000123456789012345, "0.000123456789012"}, {123456.7, "123456.7"},
	}
	for _, tt := range tests {
		if got := Str(tt.f); got != tt.want {
			t.Errorf("Str(%v) = %q, want %q", tt.f, got, tt.want)
		}
	}
}
