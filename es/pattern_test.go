package es

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// oracleCase is one entry of testdata/re_oracle.json, produced by Python 2.7's
// re module (testdata/gen_re_oracle.py).
type oracleCase struct {
	Pattern  string   `json:"pattern"`
	Error    string   `json:"error"`
	Subjects []string `json:"subjects"`
	Matches  []bool   `json:"matches"`
}

// Valid Python patterns that are refused because RE2 cannot express them.
var wantUnsupported = map[string]bool{
	`(a)\1`: true, `(?P<x>a)(?P=x)`: true, `a(?=b)`: true, `a(?!b)`: true, `(?<=a)b`: true,
	`(?<!a)b`: true, `(a)?(?(1)b|c)`: true, `(?L)a`: true, `(?u)a`: true, `a{1001}`: true,
	`a{65535}`: true, `a{65536}`: true, `a$b`: true, `a$\n`: true, `abc$\Z`: true, `(a$)*`: true,
	`(a$|b)c`: true, `a$(b)`: true,
}

func TestPatternOracle(t *testing.T) {
	data, err := os.ReadFile("testdata/re_oracle.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []oracleCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		p, err := CompilePattern(c.Pattern)
		var pe *PatternError
		switch {
		case c.Error != "":
			if err == nil {
				t.Errorf("CompilePattern(%q) succeeded, Python says %s", c.Pattern, c.Error)
			} else if !errors.As(err, &pe) {
				t.Errorf("CompilePattern(%q) error %T, want *PatternError", c.Pattern, err)
			}
		case wantUnsupported[c.Pattern]:
			if !errors.As(err, &pe) || !pe.Unsupported {
				t.Errorf("CompilePattern(%q) = %v, want an Unsupported *PatternError", c.Pattern, err)
			}
		case err != nil:
			t.Errorf("CompilePattern(%q): %v (Python accepts it)", c.Pattern, err)
		default:
			got := make([]bool, len(c.Subjects))
			for i, s := range c.Subjects {
				got[i] = p.Match(s)
			}
			if diff := cmp.Diff(c.Matches, got); diff != "" {
				t.Errorf("pattern %q (Go %s): match results differ from Python (-python +go):\n%s", c.Pattern, p.re, diff)
				for i, s := range c.Subjects {
					if got[i] != c.Matches[i] {
						t.Logf("  subject %q: python %v go %v", s, c.Matches[i], got[i])
					}
				}
			}
		}
	}
}

func TestPyText(t *testing.T) {
	tests := []struct {
		in   []byte
		want string
	}{
		{[]byte("abc"), "abc"},
		{[]byte{'c', 'a', 'f', 0xe9}, "caf\u00e9"},
		{[]byte{0xc3, 0xa9}, "\u00c3\u00a9"},
		{nil, ""},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, PyText(tt.in)); diff != "" {
			t.Errorf("PyText(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestPatternErrorText(t *testing.T) {
	tests := []struct {
		pattern string
		want    string
	}{
		{`a(?=b)`, `pattern "a(?=b)" not supported by this event service (Go RE2 engine): lookahead assertion (?=...) at position 3`},
		{`[a`, `invalid pattern "[a": unexpected end of regular expression at position 2`},
	}
	for _, tt := range tests {
		_, err := CompilePattern(tt.pattern)
		if err == nil {
			t.Fatalf("CompilePattern(%q) succeeded", tt.pattern)
		}
		if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
			t.Errorf("error text (-want +got):\n%s", diff)
		}
	}
}

func ExampleCompilePattern() {
	p, err := CompilePattern(`^STOCKQUOTE\.S.*$`)
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Match("stockquote.SUN"), p.Match("STOCKQUOTE.IBM"))
	_, err = CompilePattern(`(a)\1`)
	fmt.Println(err)
	// Output:
	// true false
	// pattern "(a)\\1" not supported by this event service (Go RE2 engine): backreference \1 at position 5
}

// FuzzCompilePattern checks that any pattern either compiles or is refused
// with a *PatternError, and that matching never fails.
func FuzzCompilePattern(f *testing.F) {
	data, err := os.ReadFile("testdata/re_oracle.json")
	if err != nil {
		f.Fatal(err)
	}
	var cases []oracleCase
	if err := json.Unmarshal(data, &cases); err != nil {
		f.Fatal(err)
	}
	for _, c := range cases {
		f.Add(c.Pattern, "STOCKQUOTE.SUN")
	}
	f.Fuzz(func(t *testing.T, pattern, subject string) {
		p, err := CompilePattern(pattern)
		if err != nil {
			var pe *PatternError
			if !errors.As(err, &pe) {
				t.Fatalf("CompilePattern(%q): %T %v", pattern, err, err)
			}
			return
		}
		p.Match(subject)
	})
}
