package protocol

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/gopyro/gopyro/internal/frametest"
)

func TestBodyBound(t *testing.T) {
	tests := []struct {
		size       int
		compressed bool
		limit      int
		want       int
	}{
		{100, false, 1 << 20, 100},
		{100, true, 1 << 20, 103200},
		{15594, true, DefaultMaxMessageSize, 15594 * 1032},
		{1 << 20, true, DefaultMaxMessageSize, DefaultMaxMessageSize + 1},
		{0, true, 1 << 20, 0},
	}
	for _, tt := range tests {
		if got := BodyBound(tt.size, tt.compressed, tt.limit); got != tt.want {
			t.Errorf("BodyBound(%d, %v, %d) = %d, want %d", tt.size, tt.compressed, tt.limit, got, tt.want)
		}
	}
}

// TestAdmit: Admit is asked with each message's bound before its body is
// read; a refused message is consumed whole (the next one reads) and
// reported as ErrRefused wrapping Admit's error.
func TestAdmit(t *testing.T) {
	busy := errors.New("busy")
	big := bytes.Repeat([]byte("x"), 5000)
	zbig := zlibOf(big)
	var stream []byte
	stream = append(stream, frameOf("PYRO", 5, 18, int32(len(big)), 0, 0, big)...)
	stream = append(stream, frameOf("PYRO", 5, 18, int32(len(zbig)), FlagCompressed, 0, zbig)...)
	stream = append(stream, frameOf("PYRO", 5, 18, 2, 0, 0, []byte("ok"))...)
	var asked []int
	admit := func(ctx context.Context, bound int) error {
		asked = append(asked, bound)
		if bound > 1000 {
			return busy
		}
		return nil
	}
	c := NewConn(frametest.NewBytesConn(stream), Options{Admit: admit})
	ctx := context.Background()
	for i := range 2 {
		_, _, err := c.ReadMessage(ctx)
		if !errors.Is(err, ErrRefused) || !errors.Is(err, busy) {
			t.Fatalf("message %d: %v, want ErrRefused wrapping Admit's error", i, err)
		}
	}
	body, _, err := c.ReadMessage(ctx)
	if err != nil || string(body) != "ok" {
		t.Fatalf("after the refused ones: %q %v", body, err)
	}
	want := []int{len(big), len(zbig) * maxDeflateRatio, 2}
	if !slices.Equal(asked, want) {
		t.Errorf("Admit asked %v, want %v", asked, want)
	}
}
