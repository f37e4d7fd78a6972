package codec

import (
	"errors"
	"testing"
)

type limits struct {
	A, B int
	Name string
}

func TestWithDefaults(t *testing.T) {
	def := limits{A: 10, B: 20, Name: "d"}
	tests := []struct {
		name string
		in   limits
		want limits
	}{
		{"zero takes defaults", limits{}, def},
		{"set field kept", limits{A: 3}, limits{A: 3, B: 20}},
		{"negative replaced", limits{A: -1, B: 5}, limits{A: 10, B: 5}},
		{"all set", limits{A: 1, B: 2}, limits{A: 1, B: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := WithDefaults(tt.in, def); got != tt.want {
				t.Errorf("WithDefaults(%+v) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestEncodeErrorPath(t *testing.T) {
	inner := &EncodeError{Codec: "serpent", Type: "chan int", Err: ErrUnsupportedType}
	err := AtPath(AtPath(inner, ".field"), IndexPath(2))
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"top level", &EncodeError{Codec: "pickle", Type: "func()", Err: ErrUnsupportedType}, "pickle: cannot encode func(): unsupported Go type"},
		{"nested", err, "serpent: cannot encode chan int at [2].field: unsupported Go type"},
		{"other errors pass", AtPath(ErrLimit, "[0]"), "over limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if !errors.Is(err, ErrUnsupportedType) {
		t.Errorf("errors.Is(%v, ErrUnsupportedType) = false", err)
	}
}

func TestErrorf(t *testing.T) {
	cause := errors.New("cause")
	err := Errorf(ErrLimit, "memo index %d over limit (%v)", 7, cause)
	if got, want := err.Error(), "memo index 7 over limit (cause)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if !errors.Is(err, ErrLimit) || errors.Is(err, cause) {
		t.Errorf("errors.Is: want ErrLimit only, got ErrLimit %v, cause %v", errors.Is(err, ErrLimit), errors.Is(err, cause))
	}
}

func TestSimpleEscape(t *testing.T) {
	tests := []struct {
		c    byte
		want byte
		ok   bool
	}{
		{'\\', '\\', true}, {'\'', '\'', true}, {'"', '"', true},
		{'a', 7, true}, {'b', 8, true}, {'f', 12, true}, {'n', 10, true},
		{'r', 13, true}, {'t', 9, true}, {'v', 11, true},
		{'x', 0, false}, {'0', 0, false}, {'u', 0, false}, {'\n', 0, false}, {'q', 0, false},
	}
	for _, tt := range tests {
		if got, ok := SimpleEscape(tt.c); got != tt.want || ok != tt.ok {
			t.Errorf("SimpleEscape(%q) = %q, %v; want %q, %v", tt.c, got, ok, tt.want, tt.ok)
		}
	}
}
