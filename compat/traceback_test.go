package compat

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gopyro/gopyro/pickle"
)

func TestPyroTraceback(t *testing.T) {
	remote := []string{
		"Traceback (most recent call last):\n",
		"  File \"server.py\", line 9, in div\n    return a/b\n",
		"ZeroDivisionError: integer division or modulo by zero\n",
	}
	withTB := func(e *Exception) *Exception { e.Traceback = remote; return e }
	boxed := []string{
		" +--- This exception occured remotely (Pyro) - Remote traceback:\n",
		" | Traceback (most recent call last):\n",
		" |   File \"server.py\", line 9, in div\n",
		" |     return a/b\n",
		" | ZeroDivisionError: integer division or modulo by zero\n",
		" +--- End of remote traceback\n",
	}
	tests := []struct {
		name string
		err  error
		want []string // after the header and the local frame
	}{
		{"remote", withTB(ZeroDivisionError("integer division or modulo by zero")),
			append([]string{"ZeroDivisionError: integer division or modulo by zero\n"}, boxed...)},
		{"wrapped", fmt.Errorf("call: %w", withTB(ZeroDivisionError("integer division or modulo by zero"))),
			append([]string{"ZeroDivisionError: integer division or modulo by zero\n"}, boxed...)},
		{"no remote traceback", KeyError("k"), []string{"KeyError: 'k'\n"}},
		{"module not shown", NewNamingError("name not found"), []string{"NamingError: name not found\n"}},
		{"empty message", NewException("excep", "MyError"), []string{"MyError\n"}},
		{"unicode arg", &Exception{Class: pickle.Class{Module: "exceptions", Name: "ValueError"}, Args: pickle.Tuple{"u"}},
			[]string{"ValueError: u\n"}},
		{"Go error", errors.New("dial tcp: refused"), []string{"dial tcp: refused\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PyroTraceback(tt.err)
			if len(got) < 2 || got[0] != "Traceback (most recent call last):\n" ||
				!strings.Contains(got[1], "traceback_test.go\", line ") ||
				!strings.Contains(got[1], ", in github.com/gopyro/gopyro/compat.TestPyroTraceback.") {
				t.Fatalf("local part = %q", got)
			}
			if diff := cmp.Diff(tt.want, got[2:]); diff != "" {
				t.Errorf("PyroTraceback (-want +got):\n%s", diff)
			}
		})
	}
}
