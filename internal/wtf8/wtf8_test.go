package wtf8

import (
	"testing"
	"unicode/utf8"
)

func TestAppendDecode(t *testing.T) {
	tests := []struct {
		r    rune
		want string
	}{
		{'a', "a"},
		{0x7FF, "\xdf\xbf"},
		{0xD7FF, "\xed\x9f\xbf"},
		{0xD800, "\xed\xa0\x80"},
		{0xDBFF, "\xed\xaf\xbf"},
		{0xDC00, "\xed\xb0\x80"},
		{0xDFFF, "\xed\xbf\xbf"},
		{0xE000, "\xee\x80\x80"},
		{0x10FFFF, "\xf4\x8f\xbf\xbf"},
	}
	for _, tt := range tests {
		if got := string(AppendRune(nil, tt.r)); got != tt.want {
			t.Errorf("AppendRune(%U) = %q, want %q", tt.r, got, tt.want)
		}
		if r, n := DecodeRune(tt.want + "z"); r != tt.r || n != len(tt.want) {
			t.Errorf("DecodeRune(%q) = %U, %d; want %U, %d", tt.want, r, n, tt.r, len(tt.want))
		}
	}
}

func TestInvalid(t *testing.T) {
	tests := []struct {
		s     string
		valid bool
	}{
		{"", true},
		{"plain ascii", true},
		{"caf\xc3\xa9", true},
		{"a\xed\xa0\x80b", true},           // lone high surrogate
		{"\xed\xb0\x80\xed\xa0\x80", true}, // low then high
		{"\xff", false},
		{"\xed\xa0", false},     // truncated
		{"\xed\xa0\x20", false}, // bad continuation
		{"\xed\xc0\x80", false}, // not a surrogate lead
		{"\xc0\x80", false},     // overlong
		{"\xf4\x90\x80\x80", false},
	}
	for _, tt := range tests {
		if got := ValidString(tt.s); got != tt.valid {
			t.Errorf("ValidString(%q) = %v, want %v", tt.s, got, tt.valid)
		}
	}
	for _, s := range []string{"\xff", "\xed\xa0", "\xed\xa0\x20", "\xc0\x80"} {
		if r, n := DecodeRune(s); r != utf8.RuneError || n != 1 {
			t.Errorf("DecodeRune(%q) = %U, %d; want RuneError, 1", s, r, n)
		}
	}
}
