package compat

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// floatTable is a set of floats whose str() and repr() differ in every way
// Python 2.7 formats them: 12 vs 17 digits, the exponent thresholds of both,
// integral values, signed zero, the extremes, inf and nan, plus values of
// every magnitude from a fixed-seed generator.
func floatTable() []float64 {
	fs := []float64{
		0, math.Copysign(0, -1), 1, -1, 2.0 / 9.0, 1.0 / 3.0, 0.1, 0.2 + 0.1, 700.75, 100, 1.5,
		1e11, 1e12, 123456789012, 1234567890123, 99999999999.9, 999999999999.5,
		1e15, 1e16, 1e17, 9007199254740993, 1e22, 1e100, 1.7976931348623157e308,
		1e-4, 1e-5, 0.00012345, 0.000012345, 5e-324, 2.2250738585072014e-308,
		123.456, 0.5, 3.14159265358979, math.Pi, math.E, -2.5e-7, 1234567.0, 12345678901.25,
		math.Inf(1), math.Inf(-1), math.NaN(),
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 400 {
		f := math.Float64frombits(r.Uint64())
		if !math.IsNaN(f) && !math.IsInf(f, 0) {
			fs = append(fs, f)
		}
		fs = append(fs, (r.Float64()-0.5)*math.Pow(10, float64(r.IntN(40)-20)))
		fs = append(fs, float64(r.IntN(1e6))/float64(r.IntN(1000)+1))
	}
	return fs
}

// TestFloatStrRepr checks Str and Repr of floats against Python 2.7's str()
// and repr() of the same values.
func TestFloatStrRepr(t *testing.T) {
	py := os.Getenv("PY2")
	if py == "" {
		py = "/root/.pyenv/versions/2.7.18/bin/python"
	}
	if _, err := os.Stat(py); err != nil {
		t.Skipf("no Python 2.7 at %s (set PY2)", py)
	}
	fs := floatTable()
	var in strings.Builder
	for _, f := range fs {
		switch {
		case math.IsNaN(f):
			in.WriteString("nan\n")
		case math.IsInf(f, 0):
			in.WriteString(strconv.FormatFloat(f, 'g', -1, 64) + "\n")
		default:
			in.WriteString(strconv.FormatFloat(f, 'x', -1, 64) + "\n")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, "-c", `
import sys
for l in sys.stdin:
    l = l.strip()
    f = float(l) if l in ('nan', '+Inf', '-Inf') else float.fromhex(l)
    sys.stdout.write(str(f) + ' ' + repr(f) + '\n')
`)
	cmd.Stdin = strings.NewReader(in.String())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v", err)
	}
	want := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	var got []string
	for _, f := range fs {
		got = append(got, Str(f)+" "+Repr(f))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Str Repr vs Python 2.7 str repr (-python +go):\n%s", diff)
	}
}

// TestFloatStr pins the forms TestFloatStrRepr checks where Python 2.7 is
// not installed.
func TestFloatStr(t *testing.T) {
	tests := []struct {
		f    float64
		want string
	}{
		{2.0 / 9.0, "0.222222222222"},
		{1e16, "1e+16"},
		{1e11, "1e+11"},
		{99999999999.9, "99999999999.9"},
		{999999999999.5, "1e+12"},
		{12345678901.25, "12345678901.2"},
		{1, "1.0"},
		{math.Copysign(0, -1), "-0.0"},
		{1e-5, "1e-05"},
		{math.Inf(1), "inf"},
		{math.Inf(-1), "-inf"},
		{math.NaN(), "nan"},
	}
	for _, tt := range tests {
		if got := Str(tt.f); got != tt.want {
			t.Errorf("Str(%v) = %q, want %q", tt.f, got, tt.want)
		}
	}
}
