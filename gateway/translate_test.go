package gateway

import (
	"context"
	"testing"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/pickle"
)

func TestRules(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		to   core.Generations
		in   any
		want any
	}{
		{"auto: utf-8 str is text", Options{}, core.Pyro5, pickle.ByteString("b\xc3\xb8b"), "bøb"},
		{"auto: other str is bytes", Options{}, core.Pyro5, pickle.ByteString("\xff"), pickle.Bytes("\xff")},
		{"bytes: every str is bytes", Options{Str: StrBytes}, core.Pyro5, pickle.ByteString("bob"), pickle.Bytes("bob")},
		{"latin1: every str is text", Options{Str: StrLatin1}, core.Pyro5, pickle.ByteString("\xff"), "\u00ff"},
		{"unicode stays text", Options{Str: StrBytes}, core.Pyro5, "bob", "bob"},
		{"auto: ascii text is str", Options{}, core.Pyro3, "bob", pickle.ByteString("bob")},
		{"auto: other text is unicode", Options{}, core.Pyro3, "bøb", "bøb"},
		{"unicode: all text is unicode", Options{Text: TextUnicode}, core.Pyro3, "bob", "bob"},
		{"utf8: all text is str", Options{Text: TextUTF8}, core.Pyro3, "bøb", pickle.ByteString("b\xc3\xb8b")},
		{"bytes are str", Options{}, core.Pyro3, pickle.Bytes("\xff"), pickle.ByteString("\xff")},
		{"classes are names", Options{}, core.Pyro5, pickle.Class{Module: "m", Name: "C"}, "m.C"},
		{"numbers stay", Options{}, core.Pyro3, int64(7), int64(7)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := &Gateway{opts: tt.opts}
			got, err := g.translate(context.Background(), tt.to, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestTranslateContainers(t *testing.T) {
	g := &Gateway{}
	l := pickle.NewList("a")
	l.Items = append(l.Items, l) // contains itself
	d := pickle.NewDict()
	d.Set(pickle.ByteString("k"), pickle.Tuple{pickle.ByteString("v"), &pickle.Set{Items: []any{pickle.ByteString("s")}}})
	got, err := g.translate(context.Background(), core.Pyro5, pickle.Tuple{l, d})
	if err != nil {
		t.Fatal(err)
	}
	out := got.(pickle.Tuple)
	gl := out[0].(*pickle.List)
	if gl.Items[0] != "a" || gl.Items[1] != gl {
		t.Errorf("list: %#v", gl.Items)
	}
	v, ok := out[1].(pickle.Dict).Get_("k")
	tv, _ := v.(pickle.Tuple)
	if !ok || len(tv) != 2 || tv[0] != "v" || tv[1].(*pickle.Set).Items[0] != "s" {
		t.Errorf("dict: %#v", out[1])
	}

	deep := any(int64(0))
	for i := 0; i < maxDepth+5; i++ {
		deep = pickle.Tuple{deep}
	}
	if _, err := g.translate(context.Background(), core.Pyro3, deep); err != ErrTooDeep {
		t.Errorf("deep value: %v, want ErrTooDeep", err)
	}
}

func TestExceptionClass(t *testing.T) {
	tests := []struct {
		to   core.Generations
		in   pickle.Class
		want pickle.Class
	}{
		{core.Pyro5, pickle.Class{Module: "exceptions", Name: "ValueError"}, pickle.Class{Module: "builtins", Name: "ValueError"}},
		{core.Pyro5, pickle.Class{Module: "exceptions", Name: "StandardError"}, pickle.Class{Module: "builtins", Name: "Exception"}},
		{core.Pyro5, pickle.Class{Module: "Pyro.errors", Name: "NamingError"}, pickle.Class{Module: "Pyro5.errors", Name: "NamingError"}},
		{core.Pyro5, pickle.Class{Module: "Pyro.errors", Name: "ConnectionDeniedError"}, pickle.Class{Module: "Pyro5.errors", Name: "CommunicationError"}},
		{core.Pyro5, pickle.Class{Module: "mymod", Name: "MyError"}, pickle.Class{Module: "mymod", Name: "MyError"}},
		{core.Pyro3, pickle.Class{Module: "builtins", Name: "KeyError"}, pickle.Class{Module: "exceptions", Name: "KeyError"}},
		{core.Pyro3, pickle.Class{Module: "builtins", Name: "FileNotFoundError"}, pickle.Class{Module: "exceptions", Name: "IOError"}},
		{core.Pyro3, pickle.Class{Module: "Pyro5.errors", Name: "CommunicationError"}, pickle.Class{Module: "Pyro.errors", Name: "ConnectionClosedError"}},
		{core.Pyro3, pickle.Class{Module: "Pyro5.errors", Name: "SerializeError"}, pickle.Class{Module: "Pyro.errors", Name: "PyroError"}},
		{core.Pyro3, pickle.Class{Module: "Pyro.errors", Name: "ProtocolError"}, pickle.Class{Module: "Pyro.errors", Name: "ConnectionClosedError"}},
		{core.Pyro3, pickle.Class{Module: "Pyro5.errors", Name: "Unheard"}, pickle.Class{Module: "Pyro.errors", Name: "PyroError"}},
	}
	for _, tt := range tests {
		if got := exceptionClass(tt.to, tt.in); got != tt.want {
			t.Errorf("exceptionClass(%d, %v) = %v, want %v", tt.to, tt.in, got, tt.want)
		}
	}
}

func TestTranslateException(t *testing.T) {
	g := &Gateway{}
	ex := &compat.Exception{Class: pickle.Class{Module: "exceptions", Name: "KeyError"}, Args: pickle.Tuple{pickle.ByteString("k")}, Traceback: []string{"tb\n"}}
	err := g.translateError(context.Background(), core.Pyro5, ex)
	got, ok := err.(*compat.Exception)
	if !ok || got.Class.Module != "builtins" || got.Args[0] != "k" || len(got.Traceback) != 1 {
		t.Errorf("got %#v", err)
	}
}

func TestParseRules(t *testing.T) {
	for s, want := range map[string]StrRule{"auto": StrAuto, "bytes": StrBytes, "latin1": StrLatin1} {
		if got, err := ParseStrRule(s); err != nil || got != want {
			t.Errorf("ParseStrRule(%q) = %v, %v", s, got, err)
		}
	}
	for s, want := range map[string]TextRule{"auto": TextAuto, "unicode": TextUnicode, "utf8": TextUTF8} {
		if got, err := ParseTextRule(s); err != nil || got != want {
			t.Errorf("ParseTextRule(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := ParseStrRule("ascii"); err == nil {
		t.Error("ParseStrRule accepted ascii")
	}
	if _, err := ParseTextRule("ascii"); err == nil {
		t.Error("ParseTextRule accepted ascii")
	}
}
